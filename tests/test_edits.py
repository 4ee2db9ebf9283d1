"""Edit files: the organiser's corrections reach the printed page and survive the corpus
changing.

The schema, merge and excerpt tests need no corpus.  The acceptance tests run the real
pipeline on a three-document corpus: `handouts edit` writes the file, the test changes it
as an organiser would (in the text, not through the library), `build_all` (what `make
handouts` runs) renders real PDFs, and pdfplumber reads them back.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from click.testing import CliRunner

from handouts import paths, pipeline
from handouts.build.build import build_all
from handouts.cli import cli
from handouts.content import edits
from handouts.content.edits import BasePart, BaseSection, PartEdit, SectionEdit
from handouts.errors import ConfigError
from handouts.model import Handout, Outline, Theme

# --------------------------------------------------------------------- the schema


def write(tmp_path: Path, text: str, kind: str = "themes", name: str = "four-winds") -> Path:
    path = tmp_path / kind / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
questions = ["总的问题？"]

[[sections]]
id = "doc/1"
source_hash = "0123456789abcdef"
title = "标题"
key_points = ["要点一。"]
questions = ["问题一？", "问题二？"]
note = '''
第一段第一行，
第二行。

第二段。
'''
excerpt_start = "从这句起。"

[[sections]]
id = "doc/2"
note = ""
"""


def test_a_good_theme_edit_file_loads(tmp_path: Path) -> None:
    loaded = edits.load_edits(write(tmp_path, GOOD), "theme")
    (part,) = loaded.parts
    assert part.part == "four-winds" and part.questions == ("总的问题？",)
    first, second = part.sections
    assert first.note == "第一段第一行，\n第二行。\n\n第二段。"  # as written: it is the organiser's
    assert first.excerpt_start == "从这句起。" and first.excerpt_end is None
    # Keys left out take the pipeline's proposal; an empty note is no note.
    assert second.title is None and second.questions is None and second.note is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("note = \"\"", "notes = \"\""),
         "key sections[1].notes (section doc/2): unknown key (allowed: id, source_hash, title, "
         "key_points, questions, note, excerpt_start, excerpt_end)"),
        (GOOD.replace('"问题二？"', '"  "'),
         "key sections[0].questions[1] (section doc/1): is empty (delete the line instead)"),
        (GOOD.replace('id = "doc/2"', 'id = "doc/1"'),
         "key sections[1].id: section 'doc/1' is listed twice"),
        (GOOD.replace('key_points = ["要点一。"]', 'key_points = "要点一。"'),
         "key sections[0].key_points (section doc/1): expected a list in square brackets"),
        (GOOD.replace('questions = ["总的问题？"]', 'question = ["总的问题？"]'),
         "key question: unknown key (allowed: questions, sections)"),
        (GOOD.replace('[[sections]]\nid = "doc/2"', '[[sections]]\nidd = "doc/2"'),
         "key sections[1].id: required key is missing"),
        ('questions = ["x？"]\n', "key sections: required key is missing"),
        ('sections = []\n', "key sections: no section left to print"),
        (GOOD.replace('title = "标题"', 'title = "标题'), "invalid TOML: "),
    ],
)
def test_a_broken_edit_file_is_one_line_naming_file_and_key(tmp_path: Path, text: str,
                                                           expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        edits.load_edits(path, "theme")
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert expected in message


def test_a_packet_edit_file_has_parts_and_names_them_in_errors(tmp_path: Path) -> None:
    text = ('[[parts]]\npart = "sections"\n[[parts.sections]]\nid = "a/1"\n'
            '[[parts]]\npart = "four-winds"\nquestions = ["问？"]\n'
            '[[parts.sections]]\nid = "b/1"\nquestions = ["", "问？"]\n')
    path = write(tmp_path, text, "packets", "meeting")
    with pytest.raises(ConfigError, match=r"key parts\[1\]\.sections\[0\]\.questions\[0\] "
                                          r"\(section b/1\): is empty"):
        edits.load_edits(path, "packet")
    path.write_text(text.replace('["", "问？"]', '["问？"]'), encoding="utf-8")
    loaded = edits.load_edits(path, "packet")
    assert [p.part for p in loaded.parts] == ["sections", "four-winds"]


def test_the_written_file_reads_back_as_what_was_written(tmp_path: Path) -> None:
    awkward = 'quote " backslash \\ tab \t del \x7f'
    part = PartEdit(part="t", questions=("总问？", awkward), sections=(
        SectionEdit(id="d/1", source_hash="00ff", title=awkward, key_points=(),
                    questions=("问“甲”？",), note="第一段。\n第二段'''引号",
                    excerpt_start="起句。", excerpt_end=None),
        SectionEdit(id="d/2", title="二", key_points=("点。",), questions=("问？",),
                    note="一段。\n二段。"),
    ))
    handout = Handout(title="题", outlines=(Outline(Theme("t", "题", ""), (), ()),))
    text = edits.edit_file_text("theme", "t", handout, [part], {"d/1": "《文》"})
    path = write(tmp_path, text, name="t")
    assert edits.load_edits(path, "theme").parts == (part,)
    assert "出处：《文》" in text and "组织者提示" in text


# ----------------------------------------------------------------------- excerpts


TEXT = "第一句在这里。第二句\n在下一段。第三句。\n第四句是最后一句。"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("第二句在下一段。", "第三句。", "第二句\n在下一段。第三句。"),
        (None, "第一句在这里。", "第一句在这里。"),
        ("第三句。", None, "第三句。\n第四句是最后一句。"),
        ("第 二 句", "最后一句。", "第二句\n在下一段。第三句。\n第四句是最后一句。"),
        ("第五句。", None, (None, "excerpt_start")),
        ("第三句。", "第一句在这里。", (None, "excerpt_end")),  # the end comes after the start
    ],
)
def test_an_excerpt_runs_from_its_start_sentence_to_its_end_sentence(start, end,
                                                                    expected) -> None:
    assert edits.cut_excerpt(TEXT, start, end) == expected


# ----------------------------------------------------------------------- the merge


def _base(part: str, sections: dict[str, tuple[str, tuple[str, ...]]],
          questions: tuple[str, ...] = ("总？",)) -> BasePart:
    return BasePart(part, tuple(sections), questions, {
        sid: BaseSection(f"题{sid}", "d", "文", text, ("点。",), qs)
        for sid, (text, qs) in sections.items()})


def test_a_merge_keeps_every_organiser_change_and_takes_the_rest_from_the_new_proposal(
        tmp_path: Path) -> None:
    old = _base("t", {"a": ("甲。", ("甲问？",)), "b": ("乙。", ("乙问？",)),
                      "c": ("丙。", ("丙问？",))})
    mine = edits.EditFile("theme", "t", tmp_path / "t.toml", (PartEdit(
        part="t", questions=("我的总问？",), sections=(
            SectionEdit(id="b", source_hash=edits.source_hash("乙。"), title="题b",
                        key_points=("点。",), questions=("我改的乙问？",), note="提示"),
            SectionEdit(id="a", source_hash=edits.source_hash("甲。"), title="我的题",
                        key_points=("点。",), questions=("甲问？",)),
            SectionEdit(id="x"),  # added by hand: no proposal was ever written for it
        )),))
    # The corpus changed: a and b have new text and new questions, c (dropped by the
    # organiser) is proposed again, d is newly selected: it follows b in the proposal, so
    # it follows b in the file, wherever the organiser moved b.
    new = _base("t", {"a": ("甲改。", ("新甲问？",)), "b": ("乙改。", ("新乙问？",)),
                      "c": ("丙。", ("丙问？",)), "d": ("丁。", ("丁问？",)),
                      "x": ("戊。", ("戊问？",))}, questions=("新总？",))
    new = BasePart("t", ("a", "b", "c", "d"), new.questions, new.sections)
    (part,), report = edits.merge(mine, {"t": old}, [new])
    assert [s.id for s in part.sections] == ["b", "d", "a", "x"]
    b, d, a, x = part.sections
    assert b.questions == ("我改的乙问？",) and b.note == "提示"
    assert a.title == "我的题" and a.questions == ("新甲问？",)
    assert a.source_hash == edits.source_hash("甲改。") and b.source_hash == edits.source_hash(
        "乙改。")
    assert d.questions == ("丁问？",)
    assert x.questions == ("戊问？",) and x.source_hash == edits.source_hash("戊。")
    assert part.questions == ("我的总问？",)
    assert report.added == ("d",) and report.kept == 3


def test_without_the_kept_proposal_a_merge_adds_nothing_the_organiser_may_have_dropped(
        tmp_path: Path) -> None:
    mine = edits.EditFile("theme", "t", tmp_path / "t.toml", (PartEdit(
        part="t", sections=(SectionEdit(id="a", questions=("我的？",)),)),))
    new = _base("t", {"a": ("甲。", ("甲问？",)), "b": ("乙。", ("乙问？",))})
    (part,), report = edits.merge(mine, {}, [new])
    assert [s.id for s in part.sections] == ["a"] and part.sections[0].questions == ("我的？",)
    assert report.not_added == ("b",)


# ------------------------------------------------------------ the real pipeline

SEED_DOCS = ("002_d5aa391c53465f5e.txt", "003_9d11f11799cd5b51.txt", "004_bed1a99424a147a3.txt")
THEMES = ("four-winds", "grassroots", "listening")


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    corpus, packets = tmp_path / "corpus", tmp_path / "packets"
    corpus.mkdir()
    packets.mkdir()
    for name in SEED_DOCS:
        shutil.copy(paths.CORPUS / name, corpus / name)
    head, *blocks = (paths.CORPUS / "themes.toml").read_text(encoding="utf-8").split(
        "\n[[themes]]\n")
    kept = [b for b in blocks if any(f'id = "{t}"' in b for t in THEMES)]
    # Three sections a handout, the first two from different pages: the organiser's edits
    # below swap two and drop one, and a page deleted makes one of them stale.  Since
    # issue 10's selection, grassroots fits six sections of these pages (every one the
    # gold set names), so the fixture caps it and skips the short ones.
    head = head.replace("\ncap = 8\n", "\ncap = 3\n").replace("\nmin_chars = 100\n",
                                                              "\nmin_chars = 160\n")
    (corpus / "themes.toml").write_text("\n[[themes]]\n".join([head, *kept]), encoding="utf-8")
    (packets / "grassroots-day.toml").write_text(
        'title = "深入基层专题学习"\nthemes = ["grassroots"]\nmax_sections = 2\n',
        encoding="utf-8")
    return {"corpus": corpus, "packets": packets, "edits": tmp_path / "edits",
            "out": tmp_path / "build"}


def cli_run(tree: dict[str, Path], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args, "--corpus", str(tree["corpus"]), "--edits",
                                      str(tree["edits"])])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def make_handouts(tree: dict[str, Path], lines: list[str] | None = None):
    """What `make handouts` runs, with this tree's directories."""
    return build_all(tree["out"], corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                     edits_dir=tree["edits"], jobs=1,
                     progress=lines.append if lines is not None else None)


def pdf_text(path: Path) -> str:
    """The PDF's text with all whitespace removed (lines break anywhere in Chinese)."""
    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        return "".join("".join((page.extract_text() or "").split()) for page in pdf.pages)


def flat(text: str) -> str:
    return "".join(text.split())


def blocks(text: str) -> tuple[str, list[str]]:
    """An edit file's head and its [[sections]] blocks, as an organiser sees them."""
    head, *rest = re.split(r"(?m)^(?=# ─+ 第.+篇 ─+$)", text)
    return head, rest


def field(block: str, key: str) -> Any:
    return tomllib.loads(block)["sections"][0][key]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？])", text.replace("\n", "")) if len(s) > 8]


def organiser_edits(tree: dict[str, Path]) -> dict[str, str]:
    """`handouts edit --theme grassroots`, then the organiser's changes to the text: one
    question rewritten, the last section dropped, the first two swapped, a note and a new
    title on one and an excerpt of the other (with its key points replaced)."""
    code, _out, err = cli_run(tree, "edit", "--theme", "grassroots")
    assert code == 0, err
    path = tree["edits"] / "themes" / "grassroots.toml"
    head, sections = blocks(path.read_text(encoding="utf-8"))
    assert len(sections) == 3
    first, second, dropped = sections
    first_id, second_id = field(first, "id"), field(second, "id")
    old_question = field(first, "questions")[0]
    first = first.replace(f'"{old_question}"', '"支部怎样把调研成果转化为为群众办实事的清单？"')
    first = first.replace('note = ""', 'note = "请各党小组长提前一周把调研问题报支委会。"')
    first = re.sub(r'(?m)^title = ".*"$', 'title = "组织者改写的这一篇的标题"', first)
    corpus = {s.id: s for d in pipeline.load(tree["corpus"]).documents for s in d.sections}
    said = sentences(corpus[second_id].text)
    assert len(said) >= 4
    second = second.replace('# excerpt_start = ""', f'excerpt_start = "{said[1]}"')
    second = second.replace('# excerpt_end = ""', f'excerpt_end = "{said[2]}"')
    second = re.sub(r"key_points = \[[^\]]*\]", 'key_points = ["节选部分的要点。"]', second)
    path.write_text(head + second + first, encoding="utf-8")
    return {"first": first_id, "second": second_id, "dropped": field(dropped, "id"),
            "dropped_title": field(dropped, "title"), "old_question": old_question,
            "first_title": field(first, "title"), "second_title": field(second, "title"),
            "outside": said[0], "inside": said[1] + said[2], "after": said[3],
            "path": str(path)}


def test_acceptance_1_an_organisers_edits_are_printed_and_a_second_run_builds_nothing(
        tree: dict[str, Path]) -> None:
    changed = organiser_edits(tree)
    report = make_handouts(tree)
    assert report.failures == ()
    text = pdf_text(tree["out"] / "themes/grassroots.pdf")
    assert "支部怎样把调研成果转化为为群众办实事的清单？" in text
    assert flat(changed["old_question"]) not in text
    assert "组织者提示" in text and "请各党小组长提前一周把调研问题报支委会。" in text
    assert "组织者改写的这一篇的标题" in text
    # Reordered (the swapped second section now comes first) and one dropped.
    assert text.index(flat(changed["second_title"])[-12:]) < text.index(
        flat(changed["first_title"])[-12:])
    assert flat(changed["dropped_title"])[-12:] not in text
    # The excerpt: its sentences, not the ones before and after, and the 节选 line.
    assert flat(changed["inside"]) in text
    assert flat(changed["outside"]) not in text and flat(changed["after"]) not in text
    assert "以上为节选" in text and "节选部分的要点。" in text
    # The other outputs are the generated ones, untouched.
    assert {r.key for r in report.results if r.status == "built"} == {
        *(f"themes/{t}.pdf" for t in THEMES), "packets/grassroots-day.pdf"}

    again = make_handouts(tree)
    assert again.nothing_changed and {r.status for r in again.results} == {"unchanged"}

    # An edit to the file is an input like any other: only that handout is rebuilt.
    path = Path(changed["path"])
    path.write_text(path.read_text(encoding="utf-8").replace("提前一周", "提前三天"),
                    encoding="utf-8")
    third = make_handouts(tree)
    assert {r.key for r in third.results if r.status == "built"} == {"themes/grassroots.pdf"}
    assert "提前三天" in pdf_text(tree["out"] / "themes/grassroots.pdf")


def test_build_and_packet_commands_use_the_edit_file_too(tree: dict[str, Path],
                                                         tmp_path: Path) -> None:
    changed = organiser_edits(tree)
    # A section added by its id alone gets the pipeline's key points and questions.
    added = next(s for d in pipeline.load(tree["corpus"]).documents for s in d.sections
                 if s.id not in (changed["first"], changed["second"], changed["dropped"])
                 and len(s.text) > 150)
    with Path(changed["path"]).open("a", encoding="utf-8") as handle:
        handle.write(f'\n[[sections]]\nid = "{added.id}"\n')
    out = tmp_path / "g.html"
    code, _out, err = cli_run(tree, "build", "--theme", "grassroots", "--html", "-o", str(out))
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "请各党小组长提前一周把调研问题报支委会。" in html
    article = html.split(f'data-section="{added.id}"', 1)[1].split("</article>", 1)[0]
    assert added.paragraphs[0][:20] in article
    assert article.count('class="write-space"') >= 1  # its proposed questions
    # A packet's edit file names its parts: here the grassroots part gets a note.
    code, _out, err = cli_run(tree, "edit", "--packet", "grassroots-day", "--packets",
                              str(tree["packets"]))
    assert code == 0, err
    path = tree["edits"] / "packets" / "grassroots-day.toml"
    text = path.read_text(encoding="utf-8")
    assert 'part = "grassroots"' in text
    note = 'note = """\n会前通读，\n圈出疑问。\n\n带笔记本。\n"""'
    path.write_text(text.replace('note = ""', note, 1), encoding="utf-8")
    packet_out = tmp_path / "p.html"
    code, _out, err = cli_run(tree, "packet", str(tree["packets"] / "grassroots-day.toml"),
                              "--html", "-o", str(packet_out))
    assert code == 0, err
    # A blank line starts a paragraph; a single line break is only the file's wrapping.
    assert "<p>会前通读，圈出疑问。</p>" in packet_out.read_text(encoding="utf-8")
    assert "<p>带笔记本。</p>" in packet_out.read_text(encoding="utf-8")


def test_edit_refuses_to_overwrite_an_existing_file(tree: dict[str, Path]) -> None:
    changed = organiser_edits(tree)
    before = Path(changed["path"]).read_bytes()
    code, _out, err = cli_run(tree, "edit", "--theme", "grassroots")
    assert code == 1
    assert err.strip() == (f"Error: {changed['path']}: already exists and may hold an "
                           "organiser's edits; run `handouts edit` with --refresh to merge "
                           "the current outline into it")
    assert Path(changed["path"]).read_bytes() == before


def _change_source(tree: dict[str, Path], old: str, new: str) -> None:
    for path in tree["corpus"].glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        if old in text.replace("\r\n", "\n"):
            path.write_text(text.replace("\r\n", "\n").replace(old, new), encoding="utf-8")
            return
    raise AssertionError(f"not in the corpus: {old}")


def test_acceptance_2_a_changed_source_warns_still_prints_and_refresh_keeps_every_change(
        tree: dict[str, Path]) -> None:
    changed = organiser_edits(tree)
    make_handouts(tree)
    # The corpus changes under the first edited section: one of its sentences is reworded.
    corpus = {s.id: s for d in pipeline.load(tree["corpus"]).documents for s in d.sections}
    # (A run of Han characters: the cleaner repairs the file's punctuation.)
    raw = "".join(p.read_text(encoding="utf-8") for p in tree["corpus"].glob("*.txt"))
    words = next(w for w in re.findall(r"[\u4e00-\u9fff]{8,}", corpus[changed["first"]].text)
                 if w in raw)
    _change_source(tree, words, words + "这是语料更新后改写的一句")

    lines: list[str] = []
    report = make_handouts(tree, lines)
    assert report.failures == ()
    warning = next(line for line in lines if "source text changed" in line)
    assert warning.startswith(f"warning: {changed['path']}: section {changed['first']} (")
    text = pdf_text(tree["out"] / "themes/grassroots.pdf")
    assert "支部怎样把调研成果转化为为群众办实事的清单？" in text
    assert "请各党小组长提前一周把调研问题报支委会。" in text
    assert "这是语料更新后改写的一句" in text  # the passage is the corpus's current text

    lines.clear()
    assert make_handouts(tree, lines).nothing_changed
    assert warning in lines  # a stale edit is named on every run, the quick one too

    code, out, _err = cli_run(tree, "status", "--packets", str(tree["packets"]))
    assert code == 0
    assert f"{changed['path']}\t2 sections, 1 stale" in out
    assert f"changed: {changed['first']}" in out
    removed = [line for line in out.splitlines() if line.strip().startswith("- ")]
    added = [line for line in out.splitlines() if line.strip().startswith("+ ")]
    assert len(removed) == len(added) == 1
    assert words in removed[0] and words + "这是语料更新后改写的一句" in added[0]

    before = edits.load_edits(Path(changed["path"]), "theme").parts[0]
    code, _out, err = cli_run(tree, "edit", "--theme", "grassroots", "--refresh")
    assert code == 0, err
    after = edits.load_edits(Path(changed["path"]), "theme").parts[0]
    assert [s.id for s in after.sections] == [changed["second"], changed["first"]]
    for old, new in zip(before.sections, after.sections, strict=True):
        assert (new.title, new.questions, new.note, new.excerpt_start, new.excerpt_end) == (
            old.title, old.questions, old.note, old.excerpt_start, old.excerpt_end)
    assert after.sections[0].key_points == ("节选部分的要点。",)
    assert after.sections[1].source_hash == edits.source_hash(
        next(s.text for d in pipeline.load(tree["corpus"]).documents for s in d.sections
             if s.id == changed["first"]))
    code, out, _err = cli_run(tree, "status", "--packets", str(tree["packets"]))
    assert f"{changed['path']}\t2 sections, up to date" in out


def test_a_section_gone_from_the_corpus_still_prints_from_the_kept_text(
        tree: dict[str, Path], tmp_path: Path) -> None:
    changed = organiser_edits(tree)
    doc_id = changed["first"].split("/")[0]
    (tree["corpus"] / f"{doc_id}.txt").unlink()
    out = tmp_path / "g.html"
    code, _out, err = cli_run(tree, "build", "--theme", "grassroots", "--html", "-o", str(out))
    assert code == 0, err
    assert f"section {changed['first']}" in err and "no longer in the corpus" in err
    html = out.read_text(encoding="utf-8")
    assert "支部怎样把调研成果转化为为群众办实事的清单？" in html
    code, out_text, _err = cli_run(tree, "status", "--packets", str(tree["packets"]))
    assert f"gone from the corpus: {changed['first']}" in out_text


def test_acceptance_3_broken_edit_files_fail_alone_with_one_line_naming_file_and_key(
        tree: dict[str, Path]) -> None:
    for theme in ("four-winds", "listening"):
        code, _out, err = cli_run(tree, "edit", "--theme", theme)
        assert code == 0, err
    themes_dir = tree["edits"] / "themes"
    four = themes_dir / "four-winds.toml"
    four.write_text(four.read_text(encoding="utf-8").replace(
        'id = "', 'id = "999_nosuchdoc/1"\nid_was = "', 1), encoding="utf-8")
    listening = themes_dir / "listening.toml"
    listening.write_text(listening.read_text(encoding="utf-8") + "\n[[sections]\n",
                         encoding="utf-8")
    packet = tree["edits"] / "packets" / "grassroots-day.toml"
    packet.parent.mkdir()
    packet.write_text('[[parts]]\npart = "grassroots"\n[[parts.sections]]\nid = "x/1"\n'
                      'nots = "会前通读。"\n', encoding="utf-8")

    lines: list[str] = []
    report = make_handouts(tree, lines)
    failed = [line for line in lines if line.startswith("FAILED")]
    assert len(failed) == 3
    assert (f"FAILED  themes/four-winds.pdf: {four}: key sections[0].id_was "
            "(section 999_nosuchdoc/1): unknown key") in failed[0]
    assert f"FAILED  themes/listening.pdf: {listening}: invalid TOML" in failed[1]
    assert (f"FAILED  packets/grassroots-day.pdf: {packet}: key parts[0].sections[0].nots "
            "(section x/1): unknown key") in failed[2]
    assert {r.key: r.status for r in report.results}["themes/grassroots.pdf"] == "built"
    assert len(report.failures) == 3

    # Fixed in the schema, the first file still names an id the corpus does not have.
    four.write_text(four.read_text(encoding="utf-8").replace("id_was", "# id_was"),
                    encoding="utf-8")
    lines.clear()
    make_handouts(tree, lines)
    assert (f"FAILED  themes/four-winds.pdf: {four}: key sections[0].id: unknown section id "
            "'999_nosuchdoc/1' (see `handouts corpus`)") in lines

    # The command line says so and exits non-zero (CI fails), the rest still built.
    result = CliRunner().invoke(cli, ["build-all", "--out", str(tree["out"]), "--jobs", "1",
                                      "--corpus", str(tree["corpus"]), "--packets",
                                      str(tree["packets"]), "--edits", str(tree["edits"])])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: 3 output(s) failed")
    code, out, _err = cli_run(tree, "status", "--packets", str(tree["packets"]))
    assert f"{listening}\tERROR {listening}: invalid TOML" in out


def test_an_excerpt_sentence_not_in_the_passage_is_named(tree: dict[str, Path],
                                                       tmp_path: Path) -> None:
    changed = organiser_edits(tree)
    path = Path(changed["path"])
    path.write_text(path.read_text(encoding="utf-8").replace(
        "excerpt_end = \"", "excerpt_end = \"原文里没有这一句。", 1), encoding="utf-8")
    code, _out, err = cli_run(tree, "build", "--theme", "grassroots", "--html", "-o",
                              str(tmp_path / "x.html"))
    assert code == 1
    assert err.strip().startswith(f"Error: {path}: key sections[0].excerpt_end (section "
                                  f"{changed['second']}): sentence not found in the passage")
    assert not (tmp_path / "x.html").exists()


def test_help_shows_every_example_as_written() -> None:
    commands = {"": cli, **{f"{name} ": c for name, c in cli.commands.items()}}
    for prefix, command in commands.items():
        help_text = command.help or ""
        examples = help_text.split("Example:", 1)[1]
        lines = [line.strip() for line in examples.splitlines()
                 if line.strip() and line.strip() != "\b"]
        assert lines, prefix
        output = CliRunner().invoke(cli, [*prefix.split(), "--help"], terminal_width=50).output
        shown = [line.strip() for line in output.splitlines()]
        for line in lines:
            assert line in shown, (prefix, line)


def test_the_readmes_example_edit_file_is_valid(tmp_path: Path) -> None:
    readme = (paths.HOME / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Correcting a handout before printing", 1)[1]
    example = re.search(r"```toml\n(.*?)```", section, re.S)
    assert example is not None
    path = write(tmp_path, example.group(1))
    (part,) = edits.load_edits(path, "theme").parts
    assert part.sections[0].note and part.sections[0].excerpt_start


def test_a_save_over_a_changed_file_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    loaded = edits.load_edits(path, "theme")
    opened = edits.file_version(path)
    handout = Handout(title="题", outlines=(Outline(Theme("four-winds", "题", ""), (), ()),))
    first = loaded.parts[0].model_copy(update={"questions": ("改过的总问题？",)})
    edits.save_edits(path, "theme", "four-winds", [first], handout, expected_version=opened)
    assert edits.load_edits(path, "theme").parts == (first,)
    saved = path.read_bytes()
    second = loaded.parts[0].model_copy(update={"questions": ("另一处的改法？",)})
    with pytest.raises(ConfigError, match="changed since it was opened"):
        edits.save_edits(path, "theme", "four-winds", [second], handout,
                         expected_version=opened)
    assert path.read_bytes() == saved


def test_status_without_edit_files_says_how_to_make_one(tree: dict[str, Path]) -> None:
    code, out, _err = cli_run(tree, "status", "--packets", str(tree["packets"]))
    assert code == 0 and "write one with `handouts edit`" in out


def test_status_json_lists_the_stale_sections(tree: dict[str, Path]) -> None:
    changed = organiser_edits(tree)
    doc_id = changed["first"].split("/")[0]
    (tree["corpus"] / f"{doc_id}.txt").unlink()
    _code, out, _err = cli_run(tree, "status", "--json", "--packets", str(tree["packets"]))
    data = json.loads(out)
    (entry,) = data["edits"]
    assert entry["path"] == changed["path"] and entry["error"] is None
    assert [s["id"] for s in entry["stale"]] == [changed["first"]]
    assert entry["stale"][0]["state"] == "gone"


def test_an_excerpt_end_before_its_start_says_so(tree: dict[str, Path], tmp_path: Path) -> None:
    changed = organiser_edits(tree)
    path = Path(changed["path"])
    text = path.read_text(encoding="utf-8")
    start = re.search(r'excerpt_start = "(.*)"', text).group(1)
    end = re.search(r'excerpt_end = "(.*)"', text).group(1)
    path.write_text(text.replace(f'excerpt_start = "{start}"', f'excerpt_start = "{end}"')
                    .replace(f'excerpt_end = "{end}"', f'excerpt_end = "{start}"'),
                    encoding="utf-8")
    code, _out, err = cli_run(tree, "build", "--theme", "grassroots", "--html", "-o",
                              str(tmp_path / "x.html"))
    assert code == 1 and "excerpt_end" in err and "comes before excerpt_start" in err


def test_make_handouts_reads_the_projects_edits_folder() -> None:
    for name in ("build-all", "build", "packet", "edit", "status"):
        option = next(p for p in cli.commands[name].params if p.name == "edits_dir")
        assert option.default == paths.HOME / "edits", name
    makefile = (paths.HOME / "Makefile").read_text(encoding="utf-8")
    assert "-m handouts build-all --out build" in makefile and "--edits" not in makefile


def test_an_edit_file_no_theme_or_packet_uses_is_named_not_ignored(tmp_path: Path) -> None:
    write(tmp_path, GOOD, name="four-wind")
    write(tmp_path, GOOD, name="four-winds")
    (warning,) = edits.orphans(tmp_path, ["four-winds"], [])
    assert warning == (f"{tmp_path / 'themes' / 'four-wind.toml'}: no theme named "
                       "'four-wind'; this edit file is not used")


def test_edit_files_and_kept_proposals_change_the_fingerprint_without_heavy_imports(
        tmp_path: Path) -> None:
    write(tmp_path / "edits", GOOD)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from handouts.build import build\n"
        f"e = Path({str(tmp_path / 'edits')!r})\n"
        "a = build.content_fingerprint('c', Path('corpus'), Path('packets'), e)\n"
        "(e / 'themes' / 'four-winds.toml').write_text('x', encoding='utf-8')\n"
        "b = build.content_fingerprint('c', Path('corpus'), Path('packets'), e)\n"
        "(e / '.base' / 'themes').mkdir(parents=True)\n"
        "(e / '.base' / 'themes' / 'four-winds.json').write_text('{}', encoding='utf-8')\n"
        "c = build.content_fingerprint('c', Path('corpus'), Path('packets'), e)\n"
        "assert len({a, b, c}) == 3\n"
        "print(sorted(m for m in ('jieba', 'weasyprint', 'pydantic') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, cwd=paths.HOME)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_an_excerpt_whose_sentence_changed_prints_from_the_text_it_was_made_on(
        tree: dict[str, Path], tmp_path: Path) -> None:
    changed = organiser_edits(tree)
    raw = "".join(p.read_text(encoding="utf-8") for p in tree["corpus"].glob("*.txt"))
    words = next(w for w in re.findall(r"[\u4e00-\u9fff]{6,}", changed["inside"]) if w in raw)
    _change_source(tree, words, "语料更新后完全改写")
    out = tmp_path / "g.html"
    code, _out, err = cli_run(tree, "build", "--theme", "grassroots", "--html", "-o", str(out))
    assert code == 0, err
    assert f"section {changed['second']}): the sentence is no longer in the passage" in err
    assert words in out.read_text(encoding="utf-8")
