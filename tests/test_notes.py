"""Footnotes as notes: every marker form becomes a note reference, the notes travel with
the section that cites them, and the handout prints them under the passage."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pdfplumber
import pytest

from handouts.cli import cli
from handouts.content.outline import outline_for_sections
from handouts.corpus.load import load_document
from handouts.corpus.notes import split_notes, strip_markers
from handouts.model import Theme

HEAD_1 = "一、为什么要走群众路线"
HEAD_2 = "二、怎样走好群众路线"
QUOTE = "人民，只有人民，才是创造世界历史的动力。"
BODY = "党员干部要深入基层，倾听群众呼声，把群众的冷暖放在心上，为群众办实事、做好事。"
LATER = "要俯下身子，到群众中去；要真心倾听，不能走过场；要把群众的意见落实到工作中去。"
NOTE_1 = "毛泽东：《论联合政府》，《毛泽东选集》第三卷，人民出版社1991年版，第1031页。"
NOTE_2 = "习近平：《在党的群众路线教育实践活动工作会议上的讲话》，2013年6月18日。"


def _essay(ref1: str, ref2: str, notes_block: str) -> str:
    return (
        f"论群众路线\n\n{HEAD_1}\n\n{QUOTE}{ref1}{BODY}\n\n{HEAD_2}\n\n{LATER}{ref2}{BODY}\n\n"
        f"{notes_block}\n"
    )


FORMS = {
    "[1] and a 注释 block": (
        ".txt", _essay("[1]", "[2]", f"注释\n\n[1] {NOTE_1}\n\n[2] {NOTE_2}")
    ),
    "① and a 注 block": (
        ".txt", _essay("①", "②", f"注：\n①{NOTE_1}\n②{NOTE_2}")
    ),
    "Word anchors [[[1]]](#_ftn1) saved as text": (
        ".txt",
        _essay(
            "[[[1]]](#_ftn1)",
            "[[[2]]](#_ftn2)",
            f"[[1]](#_ftnref1) {NOTE_1}\n\n[[2]](#_ftnref2) {NOTE_2}",
        ),
    ),
    "Markdown [^1]": (
        ".md",
        f"# 论群众路线\n\n## {HEAD_1}\n\n{QUOTE}[^a]{BODY}\n\n## {HEAD_2}\n\n{LATER}[^b]{BODY}\n\n"
        f"[^a]: {NOTE_1}\n[^b]: {NOTE_2}\n",
    ),
    "^1 and a 参考文献 block": (
        ".txt", _essay("^1", "^2", f"参考文献\n\n[1] {NOTE_1}\n[2] {NOTE_2}")
    ),
    "superscript ¹ and a heading-less trailing list": (
        ".txt", _essay("¹", "²", f"¹ {NOTE_1}\n² {NOTE_2}")
    ),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_marker_form_becomes_a_note_of_the_citing_section(
    tmp_path: Path, form: str
) -> None:
    suffix, text = FORMS[form]
    path = tmp_path / f"essay{suffix}"
    path.write_text(text, encoding="utf-8")
    doc = load_document(path)
    assert [s.title for s in doc.sections] == [HEAD_1, HEAD_2]
    first, second = doc.sections
    # each section numbers its own notes from 1; the marker stays where it stood
    assert first.text == f"{QUOTE}[1]{BODY}" and first.notes == (NOTE_1,)
    assert second.text == f"{LATER}[1]{BODY}" and second.notes == (NOTE_2,)


def test_a_section_citing_several_notes_lists_them_in_marker_order(tmp_path: Path) -> None:
    path = tmp_path / "essay.txt"
    path.write_text(
        f"论群众路线\n\n{HEAD_1}\n\n{QUOTE}[2]{BODY}[1]{LATER}[2]\n\n"
        f"注释\n\n[1] {NOTE_1}\n[2] {NOTE_2}\n",
        encoding="utf-8",
    )
    (section,) = load_document(path).sections
    assert section.notes == (NOTE_2, NOTE_1)
    assert section.text == f"{QUOTE}[1]{BODY}[2]{LATER}[1]"


def test_circled_numbers_without_notes_stay_as_a_list(tmp_path: Path) -> None:
    text = f"论群众路线\n\n{HEAD_1}\n\n做到三点：①{BODY}②{LATER}\n"
    noted = split_notes(text)
    assert noted.text == text and not noted.notes


def test_word_anchors_without_their_notes_are_not_left_as_garbage() -> None:
    noted = split_notes(f"{QUOTE}[[[1]]](#_ftn1){BODY}\n")
    assert noted.text == f"{QUOTE}{BODY}\n"


def test_a_compilation_with_one_notes_block_per_article_keeps_them_apart() -> None:
    text = (
        f"{QUOTE}[1]\n\n注释\n\n[1] {NOTE_1}\n\n{LATER}[1]\n\n注释\n\n[1] {NOTE_2}\n"
    )
    noted = split_notes(text)
    tokens = re.findall(r"\[\^([^\]]+)\]", noted.text)
    assert [noted.notes[t] for t in tokens] == [NOTE_1, NOTE_2]
    assert "注释" not in noted.text


def test_key_points_and_questions_never_carry_markers_or_note_text(tmp_path: Path) -> None:
    sentences = [
        f"{BODY}[1]",
        "坚持群众路线，就是要一切为了群众，一切依靠群众，从群众中来，到群众中去。[2]",
        f"{LATER}",
        "群众路线是党的生命线和根本工作路线，是我们党永葆青春活力和战斗力的重要传家宝。[1]",
    ]
    path = tmp_path / "essay.txt"
    path.write_text(
        f"论群众路线\n\n{HEAD_1}\n\n" + "".join(sentences) + "\n\n" + "".join(sentences[::-1])
        + f"\n\n注释\n\n[1] {NOTE_1}\n[2] {NOTE_2}\n",
        encoding="utf-8",
    )
    doc = load_document(path)
    theme = Theme("mass-line", "群众路线", "群众路线", ("群众路线", "群众"))
    outline = outline_for_sections(
        (doc,), (theme,), theme, [doc.sections[0].id], questions_per_section=3
    )
    (section,) = outline.sections
    assert section.notes == (NOTE_1, NOTE_2) and "[1]" in section.text
    assert section.key_points and section.questions
    for item in (*section.key_points, *section.questions):
        assert not re.search(r"\[\d\]", item), item
        assert "毛泽东选集" not in item and "工作会议上的讲话" not in item
        assert item in strip_markers(section.text) or item in section.questions


def _packet_from_a_word_file(tmp_path: Path, runner, sections: list[str],  # type: ignore[no-untyped-def]
                             fmt: str) -> Path:
    """A corpus of one Word file with footnotes (test_docx_reader.make_docx) and the
    shipped themes, printed as a packet of ``sections`` by the CLI as ``fmt``."""
    from tests.test_docx_reader import make_docx

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(Path(__file__).parents[1] / "corpus" / "themes.toml", corpus / "themes.toml")
    make_docx(corpus / "材料.docx")
    spec = tmp_path / "学习.toml"
    listed = ", ".join(f'"{s}"' for s in sections)
    spec.write_text(f'title = "群众路线专题学习"\nsections = [{listed}]\n', encoding="utf-8")
    out = tmp_path / f"学习.{fmt}"
    result = runner.invoke(cli, ["packet", str(spec), "--corpus", str(corpus), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
def test_a_handout_from_a_word_file_prints_its_notes_under_the_passage(
    tmp_path: Path, runner
) -> None:
    """End to end: .docx with footnotes -> corpus -> packet PDF, read back."""
    from tests.test_docx_reader import BODY_1, BODY_2, NOTE_1, NOTE_2

    out = _packet_from_a_word_file(tmp_path, runner, ["材料/1", "材料/1.1"], "pdf")
    with pdfplumber.open(io.BytesIO(out.read_bytes())) as pdf:
        text = "".join((page.extract_text() or "") for page in pdf.pages).replace("\n", "")
        chars = [c for page in pdf.pages for c in page.chars]
    passage = text.find(BODY_1[:20])
    notes_head = text.find("注释", passage)
    first, second = text.find(NOTE_1[:20]), text.find(NOTE_2[:20])
    assert 0 <= passage < notes_head < first < text.find("讨论题", passage)
    passage_2 = text.find(BODY_2[:20], first)
    notes_head_2 = text.find("注释", passage_2)
    # The checker may refuse every question of a two-sentence passage: then nothing follows.
    questions_2 = text.find("讨论题", passage_2)
    assert first < passage_2 < notes_head_2 < second < (questions_2 % (len(text) + 1))
    # the reference is a superscript [1]: smaller than the passage's type
    body_size = max(c["size"] for c in chars if c["text"] == BODY_1[0])
    marks = [c for c in chars if c["text"] == "[" and c["size"] < 0.8 * body_size]
    assert len(marks) >= 2
    assert "[[" not in text and "#_ftn" not in text


def test_a_word_page_saved_as_html_gives_its_footnotes_as_notes(tmp_path: Path) -> None:
    """Word's 另存为网页: the references are links to #_ftn1, the notes a list at the
    foot of the page; trafilatura escapes the brackets (\\[1\\]) on the way."""
    ref = '<a href="#_ftn{n}" name="_ftnref{n}"><span class=MsoFootnoteReference>[{n}]</span></a>'
    note = (
        "<div style='mso-element:footnote' id=ftn{n}><p class=MsoFootnoteText>"
        '<a href="#_ftnref{n}" name="_ftn{n}"><span class=MsoFootnoteReference>[{n}]</span>'
        "</a> {text}</p></div>"
    )
    page = (
        "<html><head><meta charset='utf-8'><title>论群众路线</title></head><body>"
        f"<div class=WordSection1><p class=MsoNormal>{QUOTE}{ref.format(n=1)}{BODY}</p>"
        f"<p class=MsoNormal>{LATER}{ref.format(n=2)}{BODY}</p></div>"
        "<div style='mso-element:footnote-list'><hr align=left size=1 width='33%'>"
        f"{note.format(n=1, text=NOTE_1)}{note.format(n=2, text=NOTE_2)}</div></body></html>"
    )
    path = tmp_path / "word.html"
    path.write_text(page, encoding="utf-8")
    (section,) = load_document(path).sections
    assert section.text == f"{QUOTE}[1]{BODY}\n{LATER}[2]{BODY}"
    assert section.notes == (NOTE_1, NOTE_2)


def test_explain_lists_each_note_with_the_section_citing_it(tmp_path: Path) -> None:
    from handouts.corpus.load import explain

    path = tmp_path / "essay.txt"
    path.write_text(FORMS["[1] and a 注释 block"][1], encoding="utf-8")
    report = explain(path)
    assert "Notes (2, each with the section citing it):" in report
    assert f"essay/1 [1] {NOTE_1[:49]}" in report and f"essay/2 [1] {NOTE_2[:49]}" in report


def test_the_word_handout_sets_references_as_superscripts_and_the_notes_under_the_passage(
    tmp_path: Path, runner
) -> None:
    from docx import Document as WordDocument

    from tests.test_docx_reader import BODY_1, NOTE_1

    out = _packet_from_a_word_file(tmp_path, runner, ["材料/1"], "docx")
    paragraphs = WordDocument(str(out)).paragraphs
    (passage,) = [p for p in paragraphs if p.text == BODY_1 + "[1]"]
    assert [(r.text, bool(r.font.superscript)) for r in passage.runs] == [
        (BODY_1, False), ("[1]", True)
    ]
    after = [p.text for p in paragraphs[paragraphs.index(passage):]]
    assert "注释" in after and any(NOTE_1 in t for t in after)
