"""Saddle-stitch imposition: A5 pages two-up on A4 landscape sheets.

Print the result double-sided (flip on the short edge), fold the stack once and
staple the fold: the pages read in order.  The page count is padded with blank pages
to a multiple of four, because each folded sheet carries four pages; the blanks go
at the end, before the back cover would be, where a reader expects empty pages.

Sheet ``k`` of ``n`` padded pages (0-based) carries on its front the pages
``n-1-2k`` (left) and ``2k`` (right), and on its back ``2k+1`` (left) and
``n-2-2k`` (right).  The imposition is pure pypdf (BSD licence) and deterministic.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

A4_LANDSCAPE = (841.8898, 595.2756)  # 297 mm x 210 mm in points


def padded_count(pages: int) -> int:
    """The smallest multiple of four that holds ``pages`` (at least four)."""
    return max(4, -(-pages // 4) * 4)


def saddle_stitch_order(pages: int) -> list[tuple[int | None, int | None]]:
    """``(left, right)`` source page indexes for each printed side, ``None`` = blank.

    Sides alternate front and back of each sheet: sheet 0 front, sheet 0 back, sheet 1
    front, …, which is the order a duplex printer prints them in.
    """
    n = padded_count(pages)
    sides: list[tuple[int | None, int | None]] = []

    def slot(index: int) -> int | None:
        return index if index < pages else None

    for k in range(n // 4):
        sides.append((slot(n - 1 - 2 * k), slot(2 * k)))
        sides.append((slot(2 * k + 1), slot(n - 2 - 2 * k)))
    return sides


def impose_booklet(pdf: bytes, *, metadata_from: bytes | None = None) -> bytes:
    """Impose a PDF of A5 pages as a saddle-stitched booklet of A4 landscape sides.

    Document information and language are carried over from ``metadata_from`` (the
    unimposed PDF), and so are the bookmarks, each now opening the printed side that
    carries its page, at the same place on that page.
    """
    from pypdf import PageObject, PdfReader, PdfWriter, Transformation
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject

    reader = PdfReader(io.BytesIO(pdf))
    sources = list(reader.pages)
    sheet_w, sheet_h = A4_LANDSCAPE
    half = sheet_w / 2
    writer = PdfWriter()
    placed: dict[int, tuple[int, float, float]] = {}  # page -> (side, dx, dy)
    for left, right in saddle_stitch_order(len(sources)):
        side = PageObject.create_blank_page(width=sheet_w, height=sheet_h)
        for index, origin_x in ((left, 0.0), (right, half)):
            if index is None:
                continue
            page = sources[index]
            width = float(page.mediabox.width)
            height = float(page.mediabox.height)
            # Centre the A5 page in its half; A5 is 0.5 mm narrower than half an A4.
            dx = origin_x + (half - width) / 2 - float(page.mediabox.left)
            dy = (sheet_h - height) / 2 - float(page.mediabox.bottom)
            side.merge_transformed_page(page, Transformation().translate(dx, dy))
            placed[index] = (len(writer.pages), dx, dy)
        added = writer.add_page(side)
        # Merging decodes the pages' content; compress it again (as WeasyPrint had it).
        added.compress_content_streams()

    _copy_outline(reader, reader.outline, writer, placed, None)
    info_source = PdfReader(io.BytesIO(metadata_from)) if metadata_from else reader
    if info_source.metadata:
        writer.add_metadata({k: v for k, v in info_source.metadata.items()})
    lang = info_source.trailer["/Root"].get("/Lang")
    if lang is not None:
        writer.root_object[NameObject("/Lang")] = lang
    writer.compress_identical_objects()
    # A fixed identifier derived from the content keeps rebuilds byte-identical
    # (pypdf would otherwise draw a random one).
    digest = ByteStringObject(hashlib.md5(pdf, usedforsecurity=False).digest())
    writer._ID = ArrayObject([digest, digest])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _copy_outline(reader: Any, items: list[Any], writer: Any,
                  placed: dict[int, tuple[int, float, float]], parent: Any) -> None:
    """Re-create the outline ``items`` (pypdf's nested list: an entry, then a list of
    its children) in ``writer``, each entry aimed at the imposed side of its page."""
    from pypdf.generic import Fit

    last = parent
    for item in items:
        if isinstance(item, list):
            _copy_outline(reader, item, writer, placed, last)
            continue
        page = reader.get_destination_page_number(item)
        if page not in placed:
            continue
        side, dx, dy = placed[page]
        top = item.get("/Top")
        left = item.get("/Left")
        fit = (Fit.xyz(left=float(left or 0) + dx, top=float(top) + dy)
               if top is not None else Fit.fit())
        last = writer.add_outline_item(title=str(item.title), page_number=side, parent=parent,
                                       fit=fit)
