"""Packet specs: the schema's one-line errors, the shipped examples, assembly into a handout.

Assembly is tested with small outliners passed in (no jieba), so these tests pin what
``packet_handout`` itself decides: order, de-duplication, the cover facts.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from handouts import paths
from handouts.build.packets import (
    PacketSpec,
    check_references,
    format_entry,
    list_specs,
    load_spec,
    packet_handout,
    spec_paths,
)
from handouts.errors import ConfigError
from handouts.model import Document, Outline, OutlineSection, Section, SourceRef, Theme

GOOD = """\
title = "反对“四风”主题党日"
date = 2026-12-08
organiser = "机关第二党支部"
agenda = ["重温入党誓词", "分组讨论"]
foreword = \"\"\"
第一段第一行，
第一段第二行。

第二段。
\"\"\"
themes = ["four-winds"]
paper = "a5"
booklet = true
notes_pages = 2
"""


def write(tmp_path: Path, text: str, name: str = "meeting.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_spec_loads_with_its_types(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, GOOD))
    assert spec.name == "meeting"
    assert spec.date == "2026-12-08"  # a TOML date becomes ISO text
    assert spec.agenda == ("重温入党誓词", "分组讨论")
    assert spec.paper == "a5" and spec.booklet is True and spec.notes_pages == 2
    assert spec.foreword == "第一段第一行，第一段第二行。\n第二段。"


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        ('colour = "red"\n', "key colour", "unknown key"),
        ('booklet = "no"\n', "key booklet", "valid boolean"),
        ("notes_pages = -1\n", "key notes_pages", "greater than or equal to 0"),
        ('paper = "letter"\n', "key paper", "'a4', 'a5' or 'b5'"),
        ('agenda = ["开场", 3]\n', "key agenda[1]", "valid string"),
        ("max_sections = 0\n", "key max_sections", "greater than or equal to 1"),
        ('name = "other"\n', "key name", "unknown key"),
    ],
)
def test_a_broken_spec_names_file_key_and_problem(
    tmp_path: Path, change: str, key: str, problem: str
) -> None:
    lines = [line for line in GOOD.splitlines(keepends=True)
             if not line.startswith(change.split("=")[0])]
    path = write(tmp_path, "".join(lines) + change)
    with pytest.raises(ConfigError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: ")
    assert problem in message
    assert "\n" not in message


def test_paper_sizes_are_read_in_any_case(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, GOOD.replace('paper = "a5"', 'paper = "A5"')))
    assert spec.paper == "a5"


def test_a_missing_title_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, 'themes = ["four-winds"]\n')
    with pytest.raises(ConfigError, match=r"meeting\.toml: key title: required key is missing"):
        load_spec(path)


def test_a_spec_without_anything_to_read_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least one of 'themes' or 'sections'"):
        load_spec(write(tmp_path, 'title = "空的"\n'))


def test_bad_toml_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'title = "未闭合\n')
    with pytest.raises(ConfigError, match=r"meeting\.toml: invalid TOML: .*line 1"):
        load_spec(path)


def test_gbk_bytes_are_refused_as_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes('title = "群众路线"\n'.encode("gbk"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_spec(path)


def test_unknown_theme_and_section_are_named_with_their_index(tmp_path: Path) -> None:
    path = write(tmp_path, 'title = "t"\nthemes = ["four-winds", "nope"]\nsections = ["d/9"]\n')
    with pytest.raises(ConfigError, match=r"key themes\[1\]: unknown theme 'nope'"):
        load_spec(path, themes={"four-winds"})
    with pytest.raises(ConfigError, match=r"key sections\[0\]: unknown section id 'd/9'"):
        load_spec(path, section_ids={"d/1"})


def test_a_theme_listed_twice_is_refused() -> None:
    spec = PacketSpec(title="t", themes=("a", "a"), path="x.toml")
    with pytest.raises(ConfigError, match=r"x\.toml: key themes\[1\]: 'a' is listed twice"):
        check_references(spec)


def test_list_specs_reports_broken_ones_without_stopping(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, 'title = "坏的"\nthemes = ["four-winds"]\nbooklet = 1\n', "b.toml")
    write(tmp_path, GOOD, ".hidden.toml")
    entries = list_specs(tmp_path)
    assert [e.name for e in entries] == ["a", "b"]
    assert entries[0].error is None and entries[0].title == "反对“四风”主题党日"
    assert entries[1].error is not None and "key booklet" in entries[1].error
    assert format_entry(entries[0]).startswith("a\t2026-12-08\t反对“四风”主题党日")
    assert "ERROR" in format_entry(entries[1])


SHIPPED_THEMES = {"mass-line", "party-history", "four-winds", "grassroots", "listening",
                  "serving", "last-mile", "cadre-conduct", "study-practice"}


def test_the_three_shipped_examples_validate() -> None:
    specs = {p.stem: load_spec(p, themes=SHIPPED_THEMES) for p in spec_paths(paths.PACKETS)}
    assert len(specs) >= 3
    titles = " ".join(spec.title for spec in specs.values())
    for subject in ("四风", "最后一公里", "群众路线的内涵与意义"):
        assert subject in titles
    for spec in specs.values():
        assert spec.agenda and spec.foreword and spec.date and spec.organiser
        # Chinese text of the cover carries full-width punctuation only.
        for text in (spec.title, spec.foreword, *spec.agenda):
            assert not any(mark in text for mark in ",;:?!()\""), text


# --- assembly, with outliners passed in -----------------------------------------

def _section(doc: str, n: int) -> OutlineSection:
    return OutlineSection(id=f"{doc}/{n}", title=f"第{n}节", doc_id=doc, doc_title=f"文{doc}",
                          score=1.0, matched=(), keywords=(), key_points=("要点",),
                          questions=("问题？",), text="正文。")


CORPUS_DOCS = (
    Document(id="d1", path="d1.txt", title="文d1",
             sections=(Section("d1/1", "第1节", 1, "正文。"),
                       Section("d1/2", "第2节", 1, "正文。"))),
    Document(id="d2", path="d2.txt", title="文d2",
             sections=(Section("d2/1", "第1节", 1, "正文。"),)),
)
THEMES = (Theme("four-winds", "反对“四风”", "d"), Theme("cadre-conduct", "作风建设", "d"))


@dataclasses.dataclass(frozen=True)
class FakeCorpus:
    documents: tuple[Document, ...] = CORPUS_DOCS
    themes: tuple[Theme, ...] = THEMES

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)


def _refs(*doc_ids: str) -> tuple[SourceRef, ...]:
    return tuple(SourceRef(d, f"文{d}", None, None, f"{d}.txt") for d in doc_ids)


def fake_theme_outline(documents, themes, theme, *, max_sections, questions_per_section,
                       writer=None):
    picks = {"four-winds": [_section("d1", 1), _section("d1", 2)],
             "cadre-conduct": [_section("d1", 2), _section("d2", 1)]}[theme.id][:max_sections]
    return Outline(theme, tuple(picks), ("总问题？",), _refs(*sorted({s.doc_id for s in picks})))


def fake_sections_outline(documents, themes, theme, section_ids, *, questions_per_section,
                          writer=None):
    picks = tuple(_section(*sid.split("/")[:1], int(sid.split("/")[1])) for sid in section_ids)
    return Outline(theme, picks, (), _refs(*sorted({s.doc_id for s in picks})))


def assemble(spec: PacketSpec):
    return packet_handout(FakeCorpus(), spec, theme_outline=fake_theme_outline,
                          sections_outline=fake_sections_outline, question_writer=None)


def test_a_packet_carries_the_cover_facts_of_its_spec(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, GOOD))
    handout = assemble(spec)
    assert handout.title == spec.title and handout.date == "2026-12-08"
    assert handout.organiser == "机关第二党支部" and handout.agenda == spec.agenda
    assert handout.paper == "a5" and handout.booklet and handout.notes_pages == 2
    assert [o.theme.id for o in handout.outlines] == ["four-winds"]


def test_a_section_is_printed_once_even_when_two_themes_select_it() -> None:
    spec = PacketSpec(title="t", themes=("four-winds", "cadre-conduct"), path="x.toml")
    handout = assemble(spec)
    ids = [s.id for o in handout.outlines for s in o.sections]
    assert ids == ["d1/1", "d1/2", "d2/1"]
    assert [r.id for r in handout.outlines[1].sources] == ["d2"]
    assert [r.id for r in handout.sources] == ["d1", "d2"]


def test_explicit_sections_come_first_and_max_sections_limits_each_theme() -> None:
    spec = PacketSpec(title="t", sections=("d2/1",), themes=("four-winds",), max_sections=1,
                      path="x.toml")
    handout = assemble(spec)
    assert [[s.id for s in o.sections] for o in handout.outlines] == [["d2/1"], ["d1/1"]]
    assert handout.outlines[0].theme.name == "重点学习篇目"
    named = spec.model_copy(update={"sections_heading": "精读材料"})
    assert assemble(named).outlines[0].theme.name == "精读材料"


def test_assembly_refuses_a_section_the_corpus_does_not_have() -> None:
    spec = PacketSpec(title="t", sections=("d9/1",), path="x.toml")
    with pytest.raises(ConfigError, match=r"x\.toml: key sections\[0\]: unknown section id"):
        assemble(spec)


def test_the_shipped_examples_assemble_from_the_seed_corpus(seed_corpus) -> None:
    section_ids = {s.id for d in seed_corpus.documents for s in d.sections}
    for path in spec_paths(paths.PACKETS):
        spec = load_spec(path, themes=seed_corpus.themes, section_ids=section_ids)
        handout = packet_handout(seed_corpus, spec)
        printed = [s.id for o in handout.outlines for s in o.sections]
        assert printed, path
        assert len(printed) == len(set(printed)), f"{path}: a section printed twice"
        assert printed[: len(spec.sections)] == list(spec.sections)
        for outline in handout.outlines[1 if spec.sections else 0:]:
            assert len(outline.sections) <= (spec.max_sections or 99)
        assert handout.sources and handout.paper == spec.paper
