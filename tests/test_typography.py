"""Chinese typography read back from the PDF: line breaking, punctuation compression,
fonts embedded and subset, and glyphs checked before anything is printed."""

from __future__ import annotations

import dataclasses
import functools
import io
from pathlib import Path

import pytest
from render_samples import long_pdf, short_handout, with_changes

from handouts.errors import HandoutsError, MissingGlyphError
from handouts.model import Handout
from handouts.writers.pdf import fonts, pdfcheck
from handouts.writers.pdf.render import render_pdf

# Real phrases of the seed documents, with every kind of mark Chinese line breaking
# must respect; shifted one character at a time so each mark lands at a line end.
PHRASE = "他指出：“四风”问题……必须解决——这是群众的呼声，《人民日报》曾多次报道（见附件）。"


@functools.cache
def punctuation_handout() -> Handout:
    base = short_handout()
    outline = base.outlines[0]
    paragraphs = "\n".join("密" * k + PHRASE * 2 for k in range(0, 44, 1))
    sec = dataclasses.replace(outline.sections[0], text=paragraphs, key_points=(PHRASE,))
    return with_changes(base, outlines=(dataclasses.replace(outline, sections=(sec,)),))


@functools.cache
def punctuation_pdf() -> bytes:
    return render_pdf(punctuation_handout())


@functools.cache
def natural_punctuation_pdf() -> bytes:
    """The stress text without the finishing pass, which may set a paragraph up to
    0.04 em per character tighter (typeset): the widths of the marks themselves."""
    from handouts.writers.pdf import typeset

    with typeset.disabled():
        return render_pdf(punctuation_handout())


@pytest.mark.parametrize("pdf", [punctuation_pdf, long_pdf], ids=["stress", "long"])
def test_no_line_starts_with_closing_punctuation(pdf) -> None:  # type: ignore[no-untyped-def]
    offenders = pdfcheck.lines_starting_with_closing_punctuation(pdf())
    assert offenders == []


@pytest.mark.parametrize("pdf", [punctuation_pdf, long_pdf], ids=["stress", "long"])
def test_no_line_ends_with_opening_punctuation(pdf) -> None:  # type: ignore[no-untyped-def]
    offenders = pdfcheck.lines_ending_with_opening_punctuation(pdf())
    assert offenders == []


def test_ellipsis_and_dash_are_never_split() -> None:
    body = [ln for ln in pdfcheck.lines(punctuation_pdf()) if "密" in ln.text or "呼声" in ln.text]
    assert len(body) > 60  # the stress text really wraps many times
    for line in body:
        assert not line.text.endswith(("…", "—")) or line.text.endswith(("……", "——"))
        assert line.text.count("…") % 2 == 0 and line.text.count("—") % 2 == 0, line.text


def test_adjacent_full_width_marks_are_compressed_to_half_width() -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(natural_punctuation_pdf())) as doc:
        chars = [c for page in doc.pages for c in page.chars
                 if "Serif" in c["fontname"] and abs(c["size"] - 10.5) < 0.01]
    spans: dict[str, list[float]] = {}
    for a, b, c in zip(chars, chars[1:], chars[2:], strict=False):
        if abs(a["top"] - c["top"]) < 1:
            spans.setdefault(a["text"] + b["text"], []).append(c["x0"] - a["x0"])
    em = 10.5
    for pair in ("：“", "）。", "，《", "”问"):
        assert pair in spans, pair
    # Two marks together take one em and a half, not two: one is set half-width.  (The
    # span runs to the next character, so it also holds a little justification.)
    for pair in ("：“", "，《", "）。"):
        assert max(spans[pair]) < 2.5 * em + 1.5, (pair, spans[pair])
    # A mark followed by an ideograph keeps its full width.
    assert min(spans["”问"]) >= 2 * em - 0.01


def test_compressed_marks_split_by_a_line_break_still_end_on_the_edge() -> None:
    from handouts.writers.pdf.render import text_column

    pdf = punctuation_pdf()
    marks = pdfcheck.bookmarks(pdf)
    closing = max(b.page for b in marks if b.title.startswith("综合讨论"))
    share, counted = pdfcheck.justified_share(
        pdf, lambda page: text_column("a4", page)[1],
        body_font="Noto-Serif-CJK-SC", body_size=10.5,
        pages=set(range(marks[0].page, closing + 1)))
    assert counted > 30 and share >= 0.98, (share, counted)


def test_fonts_are_embedded_and_subset_in_the_three_configured_faces() -> None:
    found = pdfcheck.fonts(long_pdf())
    assert found and all(f.embedded for f in found), found
    assert all(f.subset for f in found), found
    names = {f.name.split("+", 1)[1] for f in found}
    assert "Noto-Serif-CJK-SC" in names  # body
    assert any(n.startswith("Noto-Sans-CJK-SC") for n in names)  # headings
    assert any(n.startswith("LXGW-WenKai") for n in names)  # key points
    # Nothing outside the configuration: a fallback face would mean a glyph went missing.
    assert all(n.startswith(("Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC", "LXGW-WenKai"))
               for n in names), names


def test_every_character_of_a_real_handout_has_a_glyph() -> None:
    from handouts.writers.pdf.render import glyph_items

    for where, text, roles in glyph_items(short_handout()):
        for role in roles:
            assert list(fonts.missing_characters(text, role)) == [], where


def test_a_character_no_font_has_is_an_error_naming_it_and_its_section() -> None:
    base = short_handout()
    outline = base.outlines[0]
    sec = outline.sections[1]
    odd = dataclasses.replace(sec, text=sec.text + "古文字𓀀为例。")  # U+13000, Egyptian
    handout = with_changes(base, outlines=(dataclasses.replace(
        outline, sections=(outline.sections[0], odd)),))
    with pytest.raises(MissingGlyphError) as caught:
        render_pdf(handout)
    message = str(caught.value)
    assert "U+13000" in message and "𓀀" in message
    assert sec.id in message and sec.title in message
    assert "\n" not in message


def test_a_key_point_the_kai_face_cannot_draw_is_caught_in_its_own_role() -> None:
    kai = fonts.coverage("quote")
    serif = fonts.coverage("body")
    # Hangul: Noto has it, WenKai not.
    only_serif = next(chr(c) for c in sorted(serif - kai) if 0xAC00 <= c <= 0xD7A3)
    base = short_handout()
    outline = base.outlines[0]
    sec = dataclasses.replace(outline.sections[0], key_points=(f"要点含有“{only_serif}”字。",))
    handout = with_changes(base, outlines=(dataclasses.replace(outline, sections=(sec,)),))
    with pytest.raises(MissingGlyphError, match=f"U\\+{ord(only_serif):04X}.*LXGW WenKai"):
        render_pdf(handout)


def test_a_configured_font_that_is_not_installed_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "fonts.toml"
    config.write_text(
        '[body]\nfamily = "Noto Serif CJK SC"\n'
        '[heading]\nfamily = "Handouts Nonexistent Hei"\npackage = "fonts-nonexistent"\n'
        '[quote]\nfamily = "LXGW WenKai"\n', encoding="utf-8")
    with pytest.raises(HandoutsError) as caught:
        fonts.resolve_face("heading", config)
    message = str(caught.value)
    assert "Handouts Nonexistent Hei" in message and "not installed" in message
    assert "fonts-nonexistent" in message and str(config) in message


def test_a_broken_font_configuration_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "fonts.toml"
    config.write_text("[body]\nfamily = 3\n", encoding="utf-8")
    with pytest.raises(HandoutsError, match=r"fonts\.toml.*family"):
        fonts.font_roles(config)


@pytest.fixture(scope="module")
def theme_pdfs(built_pdfs: dict[str, bytes], seed_corpus) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """Every theme's handout as `make handouts` renders it (the session's shared build),
    one for each theme of the shipped corpus."""
    pdfs = {key.removeprefix("themes/").removesuffix(".pdf"): data
            for key, data in built_pdfs.items() if key.startswith("themes/")}
    assert sorted(pdfs) == sorted(t.id for t in seed_corpus.themes)
    return pdfs


def test_every_theme_handout_breaks_lines_properly_and_justifies(
    theme_pdfs: dict[str, bytes],
) -> None:
    from handouts.writers.pdf.render import text_column

    pdfs = theme_pdfs
    assert len(pdfs) >= 9
    for theme_id, pdf in pdfs.items():
        assert pdfcheck.lines_starting_with_closing_punctuation(pdf) == [], theme_id
        assert pdfcheck.lines_ending_with_opening_punctuation(pdf) == [], theme_id
        marks = pdfcheck.bookmarks(pdf)
        closing = [b.page for b in marks if b.title.startswith("综合讨论")]
        pages = set(range(min(b.page for b in marks), max(closing) + 1))
        share, counted = pdfcheck.justified_share(
            pdf, lambda page: text_column("a4", page)[1],
            body_font="Noto-Serif-CJK-SC", body_size=10.5, pages=pages)
        # Enough full lines to judge (the seeds' four-winds handout prints three passages).
        assert counted >= 15 and share >= 0.98, (theme_id, share, counted)
        assert all(f.embedded and f.subset for f in pdfcheck.fonts(pdf)), theme_id
