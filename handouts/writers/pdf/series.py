"""Many handouts that differ only in their cover: the body is laid out once.

A roster packet prints the same readings for every branch; only the cover (branch,
date, place, foreword) and the running header on left-hand pages (the branch's name)
change.  Laying out the body is about half of a render (Pango shapes every line), so
a series lays out the first handout in full and, for each following one, only its
cover plus one blank page that carries its running header; the body pages of the first
are reused with that header put in place of theirs, and WeasyPrint paints and writes
the combined pages (fonts are subset over what the combined pages use).

The result is the same PDF, byte for byte, as ``render.render_pdf`` of that handout
(the tests compare them).  That holds only when everything after the cover is the same
HTML and the cover takes the same number of pages (page numbers and the contents'
page references depend on it); otherwise the handout is laid out in full and becomes
the model for the handouts like it.

Reaching into the laid-out pages (``Page._page_box``, ``MarginBox``) ties this module to
WeasyPrint's internals; the version is pinned in pyproject.toml and the byte-for-byte
test catches a change.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import Any

from handouts import paths
from handouts.model import Handout
from handouts.writers.pdf import render

# Two blank pages after the cover: one of them is a left-hand page, whatever the
# cover's length, and shows the running header the body's left-hand pages carry.
_BLANKS = '\n<div style="break-before:page"></div><div style="break-before:page"></div>\n'
_HEADER = "@top-left"


class Series:
    """Render handouts one after another, reusing the body of an earlier one when the
    HTML after the cover is the same.  One per process: laid-out pages hold Pango
    objects that must not cross a fork."""

    def __init__(self) -> None:
        self._bodies: dict[tuple[str, int, str], Any] = {}
        self.reused = 0

    def render(self, handout: Handout) -> bytes:
        """The PDF of ``handout``: equal to ``render.render_pdf(handout)``."""
        render.check_handout_glyphs(handout)
        html = render.render_html(handout)
        paper = render._page_setup(handout).paper
        cover_end = html.index("</header>") + len("</header>")
        body_end = html.rindex("</body>")
        options = render.pdf_options(html, paper, None)
        cover = _layout(html[:cover_end] + _BLANKS + html[body_end:], options)
        cover_pages = len(cover.pages) - 2
        key = (paper, cover_pages, html[cover_end:])
        model = self._bodies.get(key)
        header = _header_box(cover.pages[cover_pages:])
        if model is None or header is None:
            document = _layout(html, options)
            self._bodies.setdefault(key, document)
        else:
            pages = cover.pages[:cover_pages] + [
                _with_header(page, header) for page in model.pages[cover_pages:]]
            # The cover's document carries this handout's own metadata (title, author).
            document = cover.copy(pages)
            self.reused += 1
        pdf = document.write_pdf(**options)
        if handout.booklet:
            from handouts.writers.pdf.booklet import impose_booklet

            pdf = impose_booklet(pdf, metadata_from=pdf)
        return pdf


def render_series(handouts: Iterable[Handout]) -> Iterator[bytes | Exception]:
    """Each handout's PDF in turn, or the exception that stopped that one alone."""
    series = Series()
    for handout in handouts:
        try:
            yield series.render(handout)
        except Exception as exc:  # one bad row must not stop the others
            yield exc


def _layout(html: str, options: dict[str, Any]) -> Any:
    import weasyprint

    from handouts.writers.pdf import justify

    justify.install()
    source = weasyprint.HTML(
        string=html, base_url=paths.STYLES.as_uri() + "/", url_fetcher=render._fetcher_class()())
    # The finishing pass, as render._html_to_pdf runs it, so a series prints the same PDF.
    return render.lay_out(source, html, options)


def _header_box(pages: list[Any]) -> Any:
    from weasyprint.formatting_structure.boxes import MarginBox

    for page in pages:
        for box in page._page_box.children:
            if isinstance(box, MarginBox) and box.at_keyword == _HEADER:
                return box
    return None


def _with_header(page: Any, header: Any) -> Any:
    """``page`` with ``header`` in place of its own left running header (a copy: the
    model's pages serve every handout of the series)."""
    from weasyprint.formatting_structure.boxes import MarginBox

    box = page._page_box
    children = [header if isinstance(child, MarginBox) and child.at_keyword == _HEADER
                else child for child in box.children]
    if all(a is b for a, b in zip(children, box.children, strict=True)):
        return page
    new = copy.copy(page)
    new._page_box = box.copy_with_children(children)
    return new
