"""Reading a handout PDF back: what a careful proofreader would check by hand.

Used by the tests and by the CI regeneration check, so that "the PDF is right" is
measured on the bytes that get printed, not on the HTML we hoped would produce them.
pypdf reads the structure (fonts, bookmarks, metadata), pdfplumber the positions of
characters and lines.  Every function takes the PDF as bytes and is pure.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

#: Marks that must never begin a line (W3C clreq: 点号, closing quotes and brackets,
#: 间隔号).  —— and …… may begin a line; they only must not be split.
CLOSING_PUNCTUATION = frozenset("，。、；：？！）】》」』”’〕〗〉·%")
#: Marks that must never end a line.
OPENING_PUNCTUATION = frozenset("（【《「『“‘〔〖〈")


@dataclass(frozen=True)
class Line:
    """One printed line: its page (1-based), text, and horizontal extent in points."""

    page: int
    text: str
    x0: float
    x1: float
    top: float
    size: float
    font: str


@dataclass(frozen=True)
class FontInfo:
    name: str
    embedded: bool
    subset: bool


@dataclass(frozen=True)
class Bookmark:
    level: int
    title: str
    page: int


def _plumber(pdf: bytes) -> Any:
    import pdfplumber

    return pdfplumber.open(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, as pdfplumber extracts it (what copy and paste gives)."""
    return list(_page_texts(pdf))


@functools.lru_cache(maxsize=32)
def _page_texts(pdf: bytes) -> tuple[str, ...]:
    # The CI check, the tests and the booklet read-back ask for the same PDF's text
    # several times; pdfplumber's parse is the slow part (bytes hash once, then cheaply).
    with _plumber(pdf) as doc:
        return tuple(page.extract_text() or "" for page in doc.pages)


def body_text(pdf: bytes, *, min_size: float = 8.5) -> str:
    """All pages' text without the running header and footer (set smaller than
    ``min_size``), so that a paragraph broken across pages reads as one."""
    parts = []
    with _plumber(pdf) as doc:
        for page in doc.pages:
            kept = page.filter(lambda obj: obj.get("object_type") != "char"
                               or obj.get("size", 0) >= min_size)
            parts.append(kept.extract_text() or "")
    return "\n".join(parts)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def lines(pdf: bytes) -> list[Line]:
    """Every text line, character by character, grouped the way the eye groups them."""
    return list(_lines(pdf))


@functools.lru_cache(maxsize=32)
def _lines(pdf: bytes) -> tuple[Line, ...]:
    # Several checks read the same PDF's lines; pdfplumber is the slow part.
    result: list[Line] = []
    with _plumber(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            result.extend(_page_lines(number, page.chars))
    return tuple(result)


def _page_lines(number: int, chars: list[dict[str, Any]]) -> Iterator[Line]:
    rows: dict[tuple[float, float], list[dict[str, Any]]] = {}
    for ch in chars:
        if not ch["text"].strip():
            continue
        # Characters of one line share a baseline (the text matrix's y), whatever
        # their face; ``bottom`` would differ between faces of different descent.
        key = (-round(ch["matrix"][5], 0), round(ch["size"], 1))
        rows.setdefault(key, []).append(ch)
    for (_bottom, size), row in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        row.sort(key=lambda c: c["x0"])
        # A row may hold two runs far apart (running header left and right): split
        # where the gap is wider than three characters.
        run: list[dict[str, Any]] = [row[0]]
        for ch in row[1:]:
            if ch["x0"] - run[-1]["x1"] > 3 * size:
                yield _line(number, run)
                run = []
            run.append(ch)
        yield _line(number, run)


def _line(number: int, run: list[dict[str, Any]]) -> Line:
    fonts = {}
    for ch in run:
        fonts[ch["fontname"]] = fonts.get(ch["fontname"], 0) + 1
    return Line(
        page=number,
        text="".join(c["text"] for c in run),
        x0=min(c["x0"] for c in run),
        x1=max(c["x1"] for c in run),
        top=min(c["top"] for c in run),
        size=round(run[0]["size"], 2),
        font=max(fonts, key=lambda f: fonts[f]),
    )


def lines_starting_with_closing_punctuation(pdf: bytes) -> list[Line]:
    return [ln for ln in lines(pdf) if ln.text[:1] in CLOSING_PUNCTUATION]


def lines_ending_with_opening_punctuation(pdf: bytes) -> list[Line]:
    return [ln for ln in lines(pdf) if ln.text[-1:] in OPENING_PUNCTUATION]


def fonts(pdf: bytes) -> list[FontInfo]:
    """Every font the pages use, whether its program is embedded and whether subset."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    seen: dict[str, FontInfo] = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for font in _fonts_in(resources.get_object()):
            name = str(font.get("/BaseFont", "")).lstrip("/")
            descriptor = _descriptor(font)
            embedded = descriptor is not None and any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            seen[name] = FontInfo(name, embedded, bool(re.match(r"^[A-Z]{6}\+", name)))
    return sorted(seen.values(), key=lambda f: f.name)


def _fonts_in(resources: Any) -> Iterator[Any]:
    font_dict = resources.get("/Font")
    if font_dict is not None:
        for ref in font_dict.get_object().values():
            yield ref.get_object()
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            xobj = ref.get_object()
            if xobj.get("/Resources") is not None:
                yield from _fonts_in(xobj["/Resources"].get_object())


def _descriptor(font: Any) -> Any:
    if "/FontDescriptor" in font:
        return font["/FontDescriptor"].get_object()
    for desc in font.get("/DescendantFonts", []):
        desc = desc.get_object()
        if "/FontDescriptor" in desc:
            return desc["/FontDescriptor"].get_object()
    return None


def bookmarks(pdf: bytes) -> list[Bookmark]:
    """The PDF outline, flattened depth-first, with 1-based target pages."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found: list[Bookmark] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append(Bookmark(level, str(item.title),
                                      reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 1)
    return found


def metadata(pdf: bytes) -> dict[str, str]:
    """Document information plus the catalog's language, as plain strings."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    info = {str(k).lstrip("/"): str(v) for k, v in (reader.metadata or {}).items()}
    lang = reader.trailer["/Root"].get("/Lang")
    if lang is not None:
        info["Lang"] = str(lang)
    return info


_TOC_ENTRY = re.compile(r"^(?P<title>.*?)[.·…\s]*(?P<page>\d+)$")


def toc_entries(pdf: bytes, page: int) -> list[tuple[str, int]]:
    """``(title, printed page number)`` for each entry of the contents on ``page``.

    Entries that wrap are joined: a line without a trailing number continues into the
    next one.
    """
    entries: list[tuple[str, int]] = []
    pending = ""
    on_page = [ln for ln in lines(pdf) if ln.page == page]
    if not on_page:
        return []
    # Entries share one size; the larger title (目录) and the smaller footer are not entries.
    sizes = sorted(ln.size for ln in on_page)
    usual = sizes[len(sizes) // 2]
    body = [ln for ln in on_page if abs(ln.size - usual) < 0.2 * usual]
    # The number column is set apart from the dots; rejoin the pieces of each row.
    rows: list[list[Line]] = []
    for ln in sorted(body, key=lambda ln: ln.top + ln.size / 2):
        centre = ln.top + ln.size / 2
        if rows and abs(rows[-1][0].top + rows[-1][0].size / 2 - centre) < 0.6 * ln.size:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    for parts in rows:
        text = "".join(p.text for p in sorted(parts, key=lambda p: p.x0))
        text = re.sub(r"[.·…]{2,}", " ", text).strip()
        match = _TOC_ENTRY.match(text)
        if match and match.group("title").strip() and re.search(r"[.…·\s]\d+$|\D\d+$", text):
            entries.append(((pending + match.group("title")).strip(), int(match.group("page"))))
            pending = ""
        elif text:
            pending += text
    return entries


def first_page_containing(pdf: bytes, needle: str, *, after: int = 0) -> int | None:
    """The first page (1-based, later than ``after``) whose text contains ``needle``,
    ignoring line breaks and spaces."""
    squeeze = re.compile(r"\s+")
    target = squeeze.sub("", needle)
    for number, text in enumerate(page_texts(pdf), 1):
        if number > after and target in squeeze.sub("", text):
            return number
    return None


def justified_share(pdf: bytes, right_edge: Callable[[int], float], *,
                    body_font: str, body_size: float, tolerance: float = 0.5,
                    pages: Collection[int] | None = None,
                    ragged: list[Line] | None = None) -> tuple[float, int]:
    """Share of the non-final lines of body paragraphs that end on the right edge.

    A body line is one set in ``body_font`` at ``body_size``.  It is *non-final* when
    the next body line on the same page follows at one line's distance and is not
    indented (an indented line opens a new paragraph).  ``pages`` limits the count to
    the pages that carry the readings (default: all but the contents).  A booklet is
    read as its A5 pages.  Returns ``(share, lines counted)``; the lines that miss the
    edge are appended to ``ragged`` when it is given.
    """
    all_lines = [ln for ln in page_lines_unimposed(pdf)
                 if body_font in ln.font and abs(ln.size - body_size) < 0.05
                 and (pages is None or ln.page in pages)]
    by_page: dict[int, list[Line]] = {}
    for ln in all_lines:
        by_page.setdefault(ln.page, []).append(ln)
    if pages is None:
        for number in _contents_pages(by_page):
            del by_page[number]
    ok = total = 0
    for page_lines in by_page.values():
        page_lines.sort(key=lambda ln: ln.top)
        left = min(ln.x0 for ln in page_lines)
        for current, following in itertools.pairwise(page_lines):
            leading = following.top - current.top
            if not 1.2 * body_size < leading < 2.2 * body_size:
                continue  # a gap: the end of a block
            if following.x0 > left + body_size:
                continue  # the next line is indented: current ends its paragraph
            if current.x0 > left + 2.5 * body_size:
                continue  # not body text (a centred or indented block)
            total += 1
            if abs(current.x1 - right_edge(current.page)) <= tolerance:
                ok += 1
            elif ragged is not None:
                ragged.append(current)
    return (ok / total if total else 0.0), total


def booklet_slots(imposed: bytes, pages: bytes) -> list[tuple[int | None, int | None]]:
    """Which page of ``pages`` sits in the left and right half of each imposed side.

    Read back by comparing text: each half is matched to the original page with the
    same characters; an empty half is a blank slot (``None``).
    """
    originals = [_squeezed(t) for t in page_texts(pages)]
    result: list[tuple[int | None, int | None]] = []
    with _plumber(imposed) as doc:
        for page in doc.pages:
            mid = page.width / 2
            halves = []
            for box in ((0, 0, mid, page.height), (mid, 0, page.width, page.height)):
                text = _squeezed(page.crop(box).extract_text() or "")
                if not text:
                    halves.append(None)
                    continue
                matches = [i for i, o in enumerate(originals) if o == text]
                if len(matches) != 1:
                    raise AssertionError(f"imposed half matches pages {matches}: {text[:40]!r}")
                halves.append(matches[0])
            result.append((halves[0], halves[1]))
    return result


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- the typesetter's read-back


@dataclass(frozen=True)
class Paragraph:
    """A run of printed lines read back as one paragraph (possibly across pages)."""

    lines: tuple[Line, ...]

    @property
    def pages(self) -> list[int]:
        return sorted({ln.page for ln in self.lines})


@dataclass(frozen=True)
class PageFlaws:
    """What a Chinese typesetter would send back, read from the printed lines.

    ``lone_last_lines``: the last line of a paragraph of two or more lines holds fewer
    than ``min_chars`` characters (punctuation not counted), e.g. ``督。`` (孤字).
    ``widows``: a paragraph's last line alone at the top of a page; ``orphans``: its
    first line alone at the bottom; ``stranded_headings``: a heading (or the source line
    under it) is the last thing on a page that has text above it.
    """

    lone_last_lines: tuple[Line, ...]
    widows: tuple[Line, ...]
    orphans: tuple[Line, ...]
    stranded_headings: tuple[Line, ...]
    paragraphs: int

    @property
    def total(self) -> int:
        return (len(self.lone_last_lines) + len(self.widows) + len(self.orphans)
                + len(self.stranded_headings))


def counted_characters(text: str) -> int:
    """Characters of ``text`` that count towards a line's length: punctuation and
    spaces do not (``督。`` holds one)."""
    import unicodedata

    return sum(1 for ch in text
               if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


# A note reference set as a superscript ([1], ①) is read back as a line of its own at its
# line's height: it is part of that line, not a break in the paragraph.
_NOTE_MARK = re.compile(r"^\s*(?:\[\d{1,3}\]|[①-⑳])\s*$")


def _with_marks_joined(page_lines: list[Line]) -> list[Line]:
    """The page's lines with each note reference joined to the line it is raised over
    (that line then reaches as far as the mark does: at a line's end it is what makes
    the line full)."""
    marks = [ln for ln in page_lines if _NOTE_MARK.match(ln.text)]
    out = [ln for ln in page_lines if not _NOTE_MARK.match(ln.text)]
    for mark in marks:
        near = [i for i, ln in enumerate(out) if abs(ln.top - mark.top) < 0.6 * ln.size
                and ln.x0 <= mark.x0]
        if near:
            i = near[0]
            out[i] = dataclasses.replace(out[i], x1=max(out[i].x1, mark.x1))
    return out


def page_flaws(pdf: bytes, *, min_chars: int = 2, heading_font: str = "Sans",
               margin_size: float = 8.0, tolerance: float = 0.5,
               pages: Collection[int] | None = None) -> PageFlaws:
    """Read the paragraphs back from the printed lines and list their flaws.

    A line is *full* when it reaches the right edge of its text (within ``tolerance``):
    where most lines set in its face and size end, on pages of the same side.  A
    paragraph runs on while its lines are full and the next line follows at one line's
    distance in the same face (or opens the next page flush with its text column).
    Lines in ``heading_font`` are headings; the running header and footer (set in
    ``margin_size``) and the contents pages are ignored.  Booklets are read as the A5
    pages they carry.
    """
    content = [ln for ln in page_lines_unimposed(pdf) if pages is None or ln.page in pages]
    by_page: dict[int, list[Line]] = {}
    for ln in content:
        by_page.setdefault(ln.page, []).append(ln)
    for number in _contents_pages(by_page):
        del by_page[number]
    for number, page_lines in by_page.items():
        page_lines.sort(key=lambda ln: ln.top)
        by_page[number] = _without_margins(page_lines, margin_size)
    right = _right_edges([ln for page_lines in by_page.values() for ln in page_lines],
                         heading_font)

    def is_text(ln: Line) -> bool:
        return heading_font not in ln.font

    def full(ln: Line) -> bool:
        return ln.x1 >= right.get(_edge_key(ln), ln.x1) - tolerance

    def follows(prev: Line, cur: Line) -> bool:
        if not (is_text(prev) and is_text(cur) and _face(prev) == _face(cur)
                and abs(prev.size - cur.size) < 0.05 and full(prev)):
            return False
        if prev.page == cur.page:
            return 1.2 * cur.size < cur.top - prev.top < 2.2 * cur.size
        # Across a page turn: the continuation opens the next page flush left.
        flush = min(ln.x0 for ln in by_page[cur.page] if _face(ln) == _face(cur))
        return cur.page == prev.page + 1 and cur.x0 <= flush + 0.5 * cur.size

    ordered = [ln for number in sorted(by_page) for ln in by_page[number]]
    paragraphs: list[Paragraph] = []
    current: list[Line] = []
    for ln in ordered:
        if current and follows(current[-1], ln):
            current.append(ln)
            continue
        if current and is_text(current[0]):
            paragraphs.append(Paragraph(tuple(current)))
        current = [ln]
    if current and is_text(current[0]):
        paragraphs.append(Paragraph(tuple(current)))

    lone, widows, orphans = [], [], []
    for para in paragraphs:
        last = para.lines[-1]
        if len(para.lines) > 1 and counted_characters(last.text) < min_chars:
            lone.append(last)
        if len(para.pages) > 1:
            first_page = [ln for ln in para.lines if ln.page == para.pages[0]]
            last_page = [ln for ln in para.lines if ln.page == para.pages[-1]]
            if len(first_page) == 1:
                orphans.append(first_page[0])
            if len(last_page) == 1:
                widows.append(last_page[0])
    body_size = Counter(round(ln.size, 1) for ln in ordered if is_text(ln)).most_common(1)
    body = body_size[0][0] if body_size else 0.0

    def trailer(ln: Line) -> bool:
        # A passage's own date or source line set after its text (（一九五一年十二月八日）):
        # smaller than the body and flush right (within one of its own characters: a
        # closing bracket may be set half width).  It closes the passage above; a page
        # may end on it.
        text = [p for p in by_page[ln.page] if is_text(p)]
        return bool(text) and ln.size < body and (
            abs(ln.x1 - max(p.x1 for p in text)) <= ln.size
            and ln.x0 > min(p.x0 for p in text) + 2 * ln.size)

    def closing(tail: list[Line]) -> bool:
        # The trailer lines, or an editor's note set after them (a long headnote, small
        # and justified): its lines reach the text's right edge, and the page's last line
        # ends its sentence, as no heading does.
        if all(trailer(ln) for ln in tail):
            return True
        text = [p for p in by_page[tail[0].page] if is_text(p)]
        right = max((p.x1 for p in text), default=0.0)
        return (tail[0].text.rstrip().endswith(("。", "！", "？", "）", ")"))
                and all(ln.size < body for ln in tail)
                and all(trailer(ln) or abs(ln.x1 - right) <= ln.size for ln in tail[1:]))

    stranded = []
    numbers = sorted(by_page)
    for number in numbers[1:-1]:  # not the cover, whose foot sits in its margin
        page_lines = by_page[number]
        tail = list(itertools.takewhile(lambda ln: not is_text(ln), reversed(page_lines)))
        if (tail and not closing(tail)
                and any(is_text(ln) for ln in page_lines)
                and number + 1 in by_page and by_page[number + 1]):
            stranded.append(page_lines[-1])
    return PageFlaws(tuple(lone), tuple(widows), tuple(orphans), tuple(stranded),
                     len(paragraphs))


def page_lines_unimposed(pdf: bytes) -> list[Line]:
    """``lines(pdf)``, with a booklet's A4 sides cut in halves and numbered as the A5
    pages they carry (saddle-stitch order), so paragraphs read on across page turns, and
    each note reference joined to the line it is raised over (what the typesetting
    checks read: a line ending in [1] is full, and the line after it no new paragraph)."""
    by_page: dict[int, list[Line]] = {}
    for ln in _unimposed(pdf):
        by_page.setdefault(ln.page, []).append(ln)
    return [ln for number in sorted(by_page)
            for ln in sorted(_with_marks_joined(by_page[number]), key=lambda ln: ln.top)]


def _unimposed(pdf: bytes) -> list[Line]:
    from handouts.writers.pdf.booklet import saddle_stitch_order

    with _plumber(pdf) as doc:
        first = doc.pages[0]
        if first.width <= first.height:
            return lines(pdf)
        result: list[Line] = []
        order = saddle_stitch_order(2 * len(doc.pages))
        for page, slots in zip(doc.pages, order, strict=True):
            middle = page.width / 2
            for slot, origin in zip(slots, (0.0, middle), strict=True):
                if slot is None:
                    continue
                # The A5 page is centred in its half (see booklet.impose_booklet).
                shift = origin + (middle - A5_WIDTH) / 2
                chars = [dict(c, x0=c["x0"] - shift, x1=c["x1"] - shift)
                         for c in page.chars if origin <= c["x0"] < origin + middle]
                result.extend(_page_lines(slot + 1, chars))
    return sorted(result, key=lambda ln: (ln.page, ln.top))


A5_WIDTH = 148 / 25.4 * 72
#: Headings of the back matter (templates/_back.html.j2).
BACK_MATTER = frozenset({"学习笔记", "材料来源"})


@dataclass(frozen=True)
class Typesetting:
    """The typesetter's figures for one handout PDF (``make bench``, tests)."""

    pages: int
    paragraphs: int
    lone_last_lines: int
    widows: int
    orphans: int
    stranded_headings: int
    justified: int
    justifiable: int

    @property
    def justified_share(self) -> float:
        return self.justified / self.justifiable if self.justifiable else 1.0


def typesetting(pdf: bytes, paper: str, *, min_chars: int = 2,
                tolerance: float = 0.5) -> Typesetting:
    """Lone last lines, widows, orphans, stranded headings and justified lines of a
    handout printed on ``paper`` (``a5`` for booklets, read as their A5 pages)."""
    from handouts.writers.pdf.render import text_column

    flaws = page_flaws(pdf, min_chars=min_chars, tolerance=tolerance)
    all_lines = page_lines_unimposed(pdf)
    body_size = _usual_size(all_lines)
    pages = max((ln.page for ln in all_lines), default=0)
    # The readings: after the cover, before the notes and the list of sources (whose
    # entries are one line each and stop short by design).
    back = min((ln.page for ln in all_lines
                if "Sans" in ln.font and ln.text.strip() in BACK_MATTER), default=pages + 1)
    share, counted = justified_share(
        pdf, lambda page: text_column(paper, page)[1], body_font="Serif",
        body_size=body_size, tolerance=tolerance, pages=range(2, back))
    return Typesetting(pages, flaws.paragraphs, len(flaws.lone_last_lines), len(flaws.widows),
                       len(flaws.orphans), len(flaws.stranded_headings),
                       round(share * counted), counted)


def _usual_size(all_lines: list[Line]) -> float:
    sizes: dict[float, int] = {}
    for ln in all_lines:
        sizes[ln.size] = sizes.get(ln.size, 0) + len(ln.text)
    return max(sizes, key=lambda size: sizes[size]) if sizes else 0.0


_LEADER = re.compile(r"[.·…]{6,}\s*\d+$")


def _contents_pages(by_page: dict[int, list[Line]]) -> list[int]:
    """Pages of the table of contents: their entries end in dot leaders and a number."""
    return [n for n, page_lines in by_page.items()
            if sum(bool(_LEADER.search(ln.text)) for ln in page_lines) >= 2]


def _face(ln: Line) -> str:
    """The face without its subset tag (``ABCDEF+Noto-Serif-CJK-SC``)."""
    return ln.font.split("+", 1)[-1]


def _edge_key(ln: Line) -> tuple[str, float, int]:
    return (_face(ln), round(ln.size, 1), ln.page % 2)


def _right_edges(all_lines: list[Line], heading_font: str) -> dict[tuple[str, float, int],
                                                                  float]:
    """The right edge of the text set in each face and size, on odd and even pages: the
    place where most of its lines end (justified lines all end there)."""
    ends: dict[tuple[str, float, int], list[float]] = {}
    for ln in all_lines:
        if heading_font not in ln.font:
            ends.setdefault(_edge_key(ln), []).append(ln.x1)
    edges = {}
    for key, values in ends.items():
        counts: dict[float, int] = {}
        for value in values:
            counts[round(value * 2) / 2] = counts.get(round(value * 2) / 2, 0) + 1
        usual = max(counts, key=lambda end: (counts[end], end))
        near = sorted(v for v in values if abs(v - usual) <= 0.5)
        edges[key] = near[len(near) // 2]
    return edges


def _without_margins(page_lines: list[Line], margin_size: float) -> list[Line]:
    """A page's lines without the running header (its first line) and footer (its last)
    when they are set in the margin boxes' size."""
    kept = list(page_lines)
    if kept and abs(kept[-1].size - margin_size) < 0.05:
        kept.pop()
    if kept and abs(kept[0].size - margin_size) < 0.05:
        kept.pop(0)
    return kept


# ---------------------------------------------------------------- the CI check


def problems(pdf: bytes, *, families: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with one handout PDF, as short sentences (empty when it is good).

    The regeneration job runs this on every PDF it built: the file is complete, every
    page has text that extracts, every font is embedded and subset and is one of the
    configured faces (anything else is Pango's fallback for a glyph our fonts lack),
    the metadata names a title and the language, and no line starts with closing
    punctuation.
    """
    found: list[str] = []
    if not pdf.startswith(b"%PDF-"):
        return ["not a PDF (no %PDF- header)"]
    if b"%%EOF" not in pdf[-1024:]:
        return ["truncated (no %%EOF at the end)"]
    try:
        texts = page_texts(pdf)
        used = fonts(pdf)
        info = metadata(pdf)
    except Exception as exc:  # a damaged file may fail anywhere in the parsers
        return [f"cannot be read: {type(exc).__name__}: {exc}"]
    if not texts:
        return ["has no pages"]
    blank = [n for n, text in enumerate(texts, 1) if not text.strip()]
    if len(blank) == len(texts):
        found.append("no text extracts from any page")
    for font in used:
        if not font.embedded:
            found.append(f"font {font.name} is not embedded")
        elif not font.subset:
            found.append(f"font {font.name} is embedded whole, not subset")
        base = font.name.split("+", 1)[-1]
        if families and not base.startswith(families):
            found.append(f"font {base} is not a configured face (a glyph fell back to it)")
    if not info.get("Title"):
        found.append("no document title in the metadata")
    if not info.get("Lang", "").startswith("zh"):
        found.append("no Chinese document language (Lang) in the catalog")
    for line in lines_starting_with_closing_punctuation(pdf)[:3]:
        found.append(f"page {line.page}: line starts with closing punctuation: {line.text[:20]}")
    return found


def configured_families() -> tuple[str, ...]:
    """The configured faces as PDF font names spell them (spaces become hyphens)."""
    from handouts.writers.pdf.fonts import font_roles

    return tuple(family.replace(" ", "-") for family, _ in font_roles().values())


def main(argv: list[str] | None = None) -> int:
    """``python -m handouts.writers.pdf.pdfcheck DIR_OR_PDF...``: check every handout PDF found.

    Prints one line per problem (``path: problem``) and a summary; exits 1 when any
    PDF has a problem or when no PDF was found at all.
    """
    import sys
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m handouts.writers.pdf.pdfcheck DIR_OR_PDF...", file=sys.stderr)
        return 2
    targets: list[Path] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            targets.extend(p for p in sorted(path.rglob("*.pdf"))
                           if not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            targets.append(path)
        else:
            print(f"{path}: no such file or directory", file=sys.stderr)
            return 1
    if not targets:
        print(f"pdfcheck: no PDF found in {' '.join(args)}", file=sys.stderr)
        return 1
    families = configured_families()
    bad = 0
    for target in targets:
        found = problems(target.read_bytes(), families=families)
        for problem in found:
            print(f"{target}: {problem}")
        bad += bool(found)
    print(f"pdfcheck: {len(targets)} PDFs checked, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
