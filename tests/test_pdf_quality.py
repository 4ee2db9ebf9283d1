"""PDF quality read back from the bytes: navigation (contents, bookmarks), metadata,
reproducibility, the archival and accessible variants, and pages for a human to see."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from render_samples import long_handout, long_pdf, short_handout, short_pdf, with_changes

from handouts.writers.pdf import pdfcheck
from handouts.writers.pdf.render import reading_title, render_pdf

OUTPUT = Path(__file__).parent / "output"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def contents_pages(pdf: bytes) -> list[int]:
    first_reading = min(b.page for b in pdfcheck.bookmarks(pdf))
    return list(range(2, first_reading))


def test_contents_numbers_are_the_pages_the_headings_land_on() -> None:
    pdf = long_pdf()
    entries = [e for page in contents_pages(pdf) for e in pdfcheck.toc_entries(pdf, page)]
    marks = {squeeze(b.title): b.page for b in pdfcheck.bookmarks(pdf)}
    texts = pdfcheck.page_texts(pdf)
    sections = [s for o in long_handout().outlines for s in o.sections]
    assert len(entries) == len(marks)  # every section, part and back-matter page listed
    last = 0
    for title, number in entries:
        key = squeeze(title)
        assert marks[key] == number, title  # the bookmark points at the printed page
        # ...and the heading really is on that page (and the pages only go forward).
        heading = re.sub(r"^[一二三四五六七八九十]+、", "", key)[:14]
        assert heading in squeeze(texts[number - 1]), (title, number)
        assert number >= last
        last = number
    numbered = [t for t, _ in entries if re.match(r"^[一二三四五六七八九十]+、", t)]
    assert len(numbered) == len(sections)


def test_bookmarks_mirror_parts_sections_and_back_matter() -> None:
    handout = long_handout()
    expected: list[tuple[int, str]] = []
    for p, outline in enumerate(handout.outlines, 1):
        expected.append((1, f"第{'一二'[p - 1]}部分　{outline.theme.name}"))
        for sec in outline.sections:
            expected.append((2, reading_title(sec)))
        expected.append((2, f"综合讨论：{outline.theme.name}"))
    expected += [(1, "学习笔记"), (1, "材料来源")]
    found = [(b.level, re.sub(r"^[一二三四五六七八九十]+、", "", b.title))
             for b in pdfcheck.bookmarks(long_pdf())]
    assert found == expected


def test_a_single_theme_handout_has_flat_bookmarks() -> None:
    marks = pdfcheck.bookmarks(short_pdf())
    assert {b.level for b in marks} == {1}
    titles = [b.title for b in marks]
    assert titles[-2:] == ["学习笔记", "材料来源"]
    assert titles[0].startswith("一、")


def test_metadata_names_title_organiser_theme_keywords_and_language() -> None:
    info = pdfcheck.metadata(long_pdf())
    handout = long_handout()
    assert info["Title"] == handout.title
    assert info["Author"] == handout.organiser
    assert info["Subject"] == "；".join(o.theme.name for o in handout.outlines)
    assert "群众路线" in info["Keywords"]
    assert info["Lang"] == "zh-CN"
    assert info["CreationDate"].startswith("D:20240618")  # the meeting's date, not today


def test_a_rebuild_is_byte_identical() -> None:
    assert render_pdf(long_handout()) == long_pdf()


def test_a_rebuild_in_a_fresh_process_is_byte_identical() -> None:
    script = (
        "import sys, hashlib; sys.path.insert(0, 'tests');"
        "import render_samples as rs;"
        "print(hashlib.sha256(rs.short_pdf()).hexdigest())"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "7"})
    assert out.stdout.strip() == hashlib.sha256(short_pdf()).hexdigest()


def test_undated_handouts_take_their_date_from_source_date_epoch(
        monkeypatch: pytest.MonkeyPatch) -> None:
    undated = with_changes(short_handout(), date=None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    info = pdfcheck.metadata(render_pdf(undated))
    assert info["CreationDate"].startswith("D:20231114221320")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert "CreationDate" not in pdfcheck.metadata(render_pdf(undated))  # never the clock


def test_a_change_in_the_input_changes_the_identifier() -> None:
    import io

    from pypdf import PdfReader

    changed = render_pdf(with_changes(short_handout(), title="深入基层　调查研究"))
    ids = [PdfReader(io.BytesIO(pdf)).trailer["/ID"][0] for pdf in (short_pdf(), changed)]
    assert ids[0] != ids[1]


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")
@pytest.mark.parametrize("variant", [None, "pdf/ua-1", "pdf/a-3b"])
def test_variants_pass_qpdf_check(variant: str | None, tmp_path: Path) -> None:
    pdf = render_pdf(short_handout(), variant=variant)
    target = tmp_path / "handout.pdf"
    target.write_bytes(pdf)
    result = subprocess.run(["qpdf", "--check", str(target)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_pdf_ua_is_tagged_and_pdf_a_declares_its_conformance() -> None:
    import io

    from pypdf import PdfReader

    ua = PdfReader(io.BytesIO(render_pdf(short_handout(), variant="pdf/ua-1")))
    root = ua.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]) == "zh-CN"
    archival = render_pdf(short_handout(), variant="pdf/a-3b")
    xmp = PdfReader(io.BytesIO(archival)).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp and b"3" in xmp and b"pdfaid:conformance" in xmp
    assert render_pdf(short_handout(), variant="pdf/a-3b") == archival  # reproducible too


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pages_render_to_png_for_a_human_to_look_at() -> None:
    OUTPUT.mkdir(exist_ok=True)
    pdf_path = OUTPUT / "long-handout.pdf"
    pdf_path.write_bytes(long_pdf())
    for old in OUTPUT.glob("long-handout-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "6", str(pdf_path),
                    str(OUTPUT / "long-handout")], check=True)
    pngs = sorted(OUTPUT.glob("long-handout-*.png"))
    assert len(pngs) == 6
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000
               for p in pngs)


def test_no_heading_is_left_alone_at_the_foot_of_a_page() -> None:
    pdf = long_pdf()
    all_lines = pdfcheck.lines(pdf)
    marks = pdfcheck.bookmarks(pdf)
    assert marks
    for mark in marks:
        if mark.title == "学习笔记":
            continue  # ruled lines, no text, follow that heading
        key = squeeze(mark.title)[:10]
        on_page = [ln for ln in all_lines if ln.page == mark.page and ln.size >= 9]
        heading = next(ln for ln in on_page if squeeze(ln.text).startswith(key[:6])
                       or key.startswith(squeeze(ln.text)[:6]))
        below = [ln for ln in on_page if ln.top > heading.top + heading.size * 2.5]
        # Below the heading (and its source line) the page carries the reading itself.
        assert len(below) >= 2, (mark.title, mark.page)


def test_margins_are_mirrored_for_duplex_binding() -> None:
    from handouts.writers.pdf.render import text_column

    pdf = long_pdf()
    marks = {b.page for b in pdfcheck.bookmarks(pdf)}
    body = [ln for ln in pdfcheck.lines(pdf)
            if "Noto-Serif-CJK-SC" in ln.font and abs(ln.size - 10.5) < 0.05]
    for parity in (0, 1):
        pages = {ln.page for ln in body if ln.page % 2 == parity and ln.page in marks}
        assert pages
        for page in pages:
            left, _ = text_column("a4", page)
            lefts = [ln.x0 for ln in body if ln.page == page]
            assert abs(min(lefts) - left) < 0.6, (page, min(lefts), left)
    odd_left, _ = text_column("a4", 3)
    even_left, _ = text_column("a4", 4)
    assert odd_left > even_left  # the binding (inner) margin is wider


def test_the_ci_check_passes_a_good_handout_and_names_what_is_wrong_with_bad_ones(
        tmp_path: Path) -> None:
    families = pdfcheck.configured_families()
    assert pdfcheck.problems(short_pdf(), families=families) == []
    assert pdfcheck.problems(short_pdf()[:40000], families=families) == [
        "truncated (no %%EOF at the end)"]
    only_serif = pdfcheck.problems(short_pdf(), families=("Noto-Serif-CJK-SC",))
    assert any("LXGW-WenKai is not a configured face" in p for p in only_serif)
    good, bad = tmp_path / "good.pdf", tmp_path / "sub" / "bad.pdf"
    bad.parent.mkdir()
    good.write_bytes(short_pdf())
    bad.write_bytes(b"%PDF-1.7\nnot really")
    assert pdfcheck.main([str(good)]) == 0
    assert pdfcheck.main([str(tmp_path)]) == 1
    assert pdfcheck.main([str(tmp_path / "empty-dir-that-is-missing")]) == 1
