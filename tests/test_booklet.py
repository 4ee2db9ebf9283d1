"""Saddle-stitched A5 booklets on A4 landscape sheets, read back slot by slot."""

from __future__ import annotations

import dataclasses
import functools

import pytest
from render_samples import short_handout, with_changes

from handouts.model import Handout
from handouts.writers.pdf import pdfcheck
from handouts.writers.pdf.booklet import padded_count, saddle_stitch_order
from handouts.writers.pdf.render import page_count, render_pdf


@pytest.mark.parametrize(("pages", "padded"), [(1, 4), (4, 4), (5, 8), (10, 12), (12, 12)])
def test_page_count_is_padded_to_a_multiple_of_four(pages: int, padded: int) -> None:
    assert padded_count(pages) == padded


def test_saddle_stitch_order_of_ten_pages() -> None:
    # Pages 1-10 (0-based 0-9) and two blanks (None) on three sheets, front then back.
    assert saddle_stitch_order(10) == [
        (None, 0), (1, None),
        (9, 2), (3, 8),
        (7, 4), (5, 6),
    ]


@pytest.mark.parametrize("pages", [1, 4, 7, 10, 16, 21])
def test_every_page_appears_once_and_facing_slots_add_up(pages: int) -> None:
    sides = saddle_stitch_order(pages)
    n = padded_count(pages)
    slots = [s for side in sides for s in side]
    assert sorted(s for s in slots if s is not None) == list(range(pages))
    assert slots.count(None) == n - pages
    # On a folded sheet, the pages sharing a side always add up to n - 1.
    for left, right in sides:
        if None not in (left, right):
            assert left + right == n - 1


@functools.cache
def ten_page_a5() -> Handout:
    """A real handout that prints on exactly ten A5 pages (notes pages make up the rest)."""
    base = with_changes(short_handout(), paper="a5")
    outline = base.outlines[0]
    for keep in range(len(outline.sections), 0, -1):
        trimmed = with_changes(base, outlines=(dataclasses.replace(
            outline, sections=outline.sections[:keep]),), notes_pages=1)
        pages = page_count(render_pdf(trimmed))
        if pages <= 10:
            return with_changes(trimmed, notes_pages=1 + 10 - pages)
    raise AssertionError("no selection fits ten A5 pages")


@functools.cache
def booklet_pair() -> tuple[bytes, bytes]:
    handout = ten_page_a5()
    return render_pdf(handout), render_pdf(with_changes(handout, booklet=True))


def test_a_ten_page_a5_handout_becomes_three_sheets_of_a4_landscape() -> None:
    pages, booklet = booklet_pair()
    assert page_count(pages) == 10
    assert {(round(w), round(h)) for w, h in pdfcheck.page_sizes(pages)} == {(420, 595)}
    sizes = pdfcheck.page_sizes(booklet)
    assert len(sizes) == 6  # three sheets printed on both sides
    assert {(round(w), round(h)) for w, h in sizes} == {(842, 595)}


def test_booklet_slots_read_back_in_saddle_stitch_order_with_two_blanks() -> None:
    pages, booklet = booklet_pair()
    slots = pdfcheck.booklet_slots(booklet, pages)
    assert slots == [
        (None, 0), (1, None),
        (9, 2), (3, 8),
        (7, 4), (5, 6),
    ]
    assert sum(s is None for side in slots for s in side) == 2


def test_booklet_keeps_the_documents_metadata_and_is_reproducible() -> None:
    pages, booklet = booklet_pair()
    info = pdfcheck.metadata(booklet)
    source = pdfcheck.metadata(pages)
    for key in ("Title", "Author", "Subject", "Keywords", "Lang"):
        assert info[key] == source[key]
    assert render_pdf(with_changes(ten_page_a5(), booklet=True)) == booklet


def test_booklet_fonts_stay_embedded_and_subset() -> None:
    _, booklet = booklet_pair()
    found = pdfcheck.fonts(booklet)
    assert found and all(f.embedded and f.subset for f in found)


def test_booklet_bookmarks_open_the_side_that_carries_their_page() -> None:
    pages, booklet = booklet_pair()
    source = pdfcheck.bookmarks(pages)
    imposed = pdfcheck.bookmarks(booklet)
    assert len(source) >= 3  # the readings, the closing questions, the notes and sources
    assert [(b.level, b.title) for b in imposed] == [(b.level, b.title) for b in source]
    # Which page sits on which side is read back from the printed text, not assumed.
    slots = pdfcheck.booklet_slots(booklet, pages)
    for original, moved in zip(source, imposed, strict=True):
        assert original.page - 1 in slots[moved.page - 1], (original, moved)


def test_booklet_bookmarks_point_into_the_half_that_holds_the_page() -> None:
    import io

    from pypdf import PdfReader

    pages, booklet = booklet_pair()
    reader = PdfReader(io.BytesIO(booklet))
    slots = pdfcheck.booklet_slots(booklet, pages)
    half = float(reader.pages[0].mediabox.width) / 2
    entries = [item for item in reader.outline if not isinstance(item, list)]
    assert entries
    for item in entries:
        side = reader.get_destination_page_number(item)
        left, right = slots[side]
        target = next(b.page - 1 for b in pdfcheck.bookmarks(pages) if b.title == item.title)
        in_right_half = float(item["/Left"]) >= half
        assert (right if in_right_half else left) == target, item.title
