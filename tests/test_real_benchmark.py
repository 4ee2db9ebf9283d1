"""The structure benchmark on real texts (tests/data/real, handouts/quality/structure.py).

The figures are computed here from the texts and their hand-made references; nothing is
hard-coded but the thresholds the project promises (issue 9).
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from handouts.model import Document, Section
from handouts.quality import structure
from handouts.quality.structure import REAL, letters, load_references, measure, score


@pytest.fixture(scope="module")
def figures() -> structure.Figures:
    return measure()


def _report(figures: structure.Figures) -> str:
    return "\n".join([*(f"{k}: {v}" for k, v in figures.summary().items()), *figures.problems()])


def test_every_text_has_a_reference_and_every_reference_its_text() -> None:
    refs = load_references()
    named = {f for r in refs for f in r.files}
    on_disk = {
        p.name for p in REAL.iterdir() if p.suffix in {".md", ".html", ".txt", ".docx", ".pdf"}
    } - {"SOURCES.md"}
    assert named == on_disk
    assert len(refs) >= 30
    assert len({r.genre.split(" (")[0] for r in refs}) >= 8
    assert sum(1 for f in on_disk if f.endswith(".docx")) >= 3
    assert sum(1 for f in on_disk if f.endswith(".pdf")) >= 3


@pytest.mark.parametrize("ref", load_references(), ids=lambda r: r.file)
def test_reference_sentences_and_junk_are_read_from_the_text_itself(
    ref: structure.Reference,
) -> None:
    """A reference must describe its own text: every sentence to keep, every junk string,
    note and attribution occurs in the saved file (read as a person reads it)."""
    raw = html.unescape((REAL / ref.file).read_text(encoding="utf-8"))
    flat = letters(structure.MARKER.sub("", raw))
    assert len(ref.must_keep) >= 3
    for sentence in (*ref.must_keep, *ref.notes, *ref.attributions, *(h for h, _ in ref.headings)):
        assert letters(sentence) in flat, sentence
    for junk in ref.junk:
        assert junk in raw, junk


def test_structure_benchmark_holds_its_figures(figures: structure.Figures) -> None:
    report = _report(figures)
    assert len(figures.measured) >= 20, report
    assert figures.heading_f1 >= 0.9, report
    assert figures.must_keep == 1.0, report
    assert figures.junk_removed == 1.0, report
    assert figures.attribution_headings == 0, report
    assert figures.sources_found >= 0.9, report


def test_no_footnote_marker_is_left_and_notes_are_found(figures: structure.Figures) -> None:
    report = _report(figures)
    assert figures.markers_left == 0, report
    assert figures.notes_found >= 0.9, report


def test_every_benchmark_file_is_measured(figures: structure.Figures) -> None:
    assert not figures.skipped
    assert all(r.error is None for r in figures.results), _report(figures)


def _document(*sections: tuple[str, int, str], notes: tuple[str, ...] = ()) -> Document:
    return Document(
        id="x",
        path="x",
        title="反对本本主义",
        sections=tuple(
            Section(id=f"x/{i}", title=t, level=lv, text=body, position=i, notes=notes)
            for i, (t, lv, body) in enumerate(sections)
        ),
    )


def test_the_scorer_marks_a_wrong_reading_down() -> None:
    """A flattened tree, a lost sentence, junk and markers left each cost their figure."""
    ref = next(r for r in load_references() if r.file == "essay_fandui_benben.md")
    right = _document(
        ("反对本本主义", 1, "你对于某个问题没有调查，就停止你对于某个问题的发言权。"),
        *((h, lv + 1, "") for h, lv in ref.headings),
    )
    good = score(ref, "right", right)
    assert good.headings_matched == len(ref.headings) == good.headings_produced
    flat = _document(
        ("反对本本主义", 1, "-> 见[[[1]]](#_ftn1)"),
        *((h, 2, "") for h, _ in ref.headings),
    )
    bad = score(ref, "flat", flat)
    assert bad.headings_matched == 7  # the seven (1)…(7) heads lost their level
    assert bad.kept == len(ref.must_keep) - len(bad.lost) < good.kept
    assert "->" in bad.junk_left and bad.markers_left == 2
    noted = _document(("反对本本主义", 1, "没有调查[1]，没有发言权[2]。"), notes=("注一",))
    assert score(ref, "noted", noted).markers_left == 1  # [2] has no note in the section
    attributed = _document(
        ("反对本本主义", 1, "正文。"), ("——2018年4月24日，在湖北考察时的讲话", 2, "")
    )
    assert score(ref, "attr", attributed).attribution_headings


def test_figures_count_files_without_a_reader_apart(tmp_path: Path) -> None:
    (tmp_path / "gold").mkdir()
    body = "# 标题\n\n这是一段足够长的正文，用来检验基准的计数是否正确。\n"
    (tmp_path / "a.md").write_text(body, "utf-8")
    (tmp_path / "gold" / "a.toml").write_text(
        'file = "a.md"\nalso = ["a.xyz"]\ngenre = "g"\ntitle = "标题"\nheadings = []\n'
        'must_keep = ["这是一段足够长的正文"]\njunk = []\nnotes = []\nattributions = []\n',
        "utf-8",
    )
    figures = measure(tmp_path)
    assert figures.skipped == ("a.xyz",)
    assert len(figures.measured) == 1 and figures.must_keep == 1.0 and figures.titles == 1.0
