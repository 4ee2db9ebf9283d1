"""PDF files with a text layer: the text as the author wrote it, not as pages cut it.

A PDF knows only where each character is drawn.  pdfplumber gives every character with
its position and size, and the article is rebuilt from that:

* running headers, footers and page numbers go: lines near the top or bottom edge that
  repeat across pages (digits aside), and bare page numbers there;
* lines are rejoined into paragraphs across line, column and page breaks (a paragraph
  ends at a short line, an indented line, a wider gap or a change of type size; Han
  lines join with no space);
* two columns are read left column first: a gutter in the middle that no character
  crosses splits the page;
* page-bottom footnotes become notes: the small-type lines under the footnote rule (or
  at the foot of the page, the first starting with a marker); each marker in the text
  (a superscript, ``[1]``, ``①``) that has a note on its page becomes ``[^p2-1]``;
* larger type than the body is a heading: one ``#`` per size, largest first.

A PDF without a text layer (a scan) and a password-protected PDF are one
``InputFileError`` each, naming the file and what to do.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handouts.errors import InputFileError
from handouts.readers.base import RawDocument, register

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_PAGE_NUMBER = re.compile(
    r"^[-—–·\s]*(?:第\s*)?(?:\d{1,4}|[ivxlcIVXLC]{1,6})(?:\s*页)?"
    r"(?:\s*[/／]\s*\d{1,4}|\s*[,，]?\s*共\s*\d{1,4}\s*页)?[-—–·\s]*$|^page\s+\d+(\s+of\s+\d+)?$",
    re.I,
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_NOTE_START = re.compile(
    rf"^\s*(?:\[(\d{{1,3}})\]|［(\d{{1,3}})］|〔(\d{{1,3}})〕|([{_CIRCLED}])|注\s*(\d{{1,3}})\s*[:：]?"
    rf"|(\d{{1,3}})(?:[.．、)）]|\s|(?=[\u4e00-\u9fff《“]))"
    r")\s*"
)
_REF = re.compile(rf"\[(\d{{1,3}})\]|［(\d{{1,3}})］|([{_CIRCLED}])")
_TERMINAL = "。！？!?…；;」』”’）)】》"
_BOLD = re.compile(r"bold|heavy|black|semibold|demi|黑体|simhei|\bhei\b|-b$|,b$", re.I)
EDGE = 0.1  # share of the page height at top and bottom where running lines live


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int
    bold: bool = False  # set in a bold or black face (黑体) throughout
    left: float = 0.0  # the left and right edges of its column
    right: float = 0.0
    refs: list[str] = field(default_factory=list)


@register(".pdf")
def read_pdf(path: Path) -> RawDocument:
    _check_password(path)
    import pdfplumber

    try:
        with pdfplumber.open(str(path)) as pdf:
            pages = [(_page_lines(page, n), page.height, page) for n, page in enumerate(
                pdf.pages, 1)]
            rules = [_rules(page) for _, _, page in pages]
            pages_lines = [(lines, height) for lines, height, _ in pages]
    except InputFileError:
        raise
    except Exception as err:  # pdfminer raises many kinds for a broken file
        raise InputFileError(
            path, f"damaged PDF ({type(err).__name__}): ask the sender for a new copy"
        ) from None
    text_chars = sum(len(line.text.strip()) for lines, _ in pages_lines for line in lines)
    if text_chars < 20:
        raise InputFileError(
            path,
            "PDF has no text layer (a scan): OCR it first, e.g. "
            "ocrmypdf -l chi_sim FILE.pdf out.pdf, then put out.pdf in the corpus",
        )
    body_size = _body_size(pages_lines, rules)
    running = _running(pages_lines)
    body: list[_Line] = []
    notes: list[tuple[str, str]] = []
    for (lines, height), page_rules in zip(pages_lines, rules, strict=True):
        kept = [
            line for line in lines
            if not _edge(line, height) or (
                _key(line.text) not in running and not _PAGE_NUMBER.match(line.text.strip())
            )
        ]
        text_lines, note_lines = _split_notes(kept, page_rules, body_size, height)
        page_notes = _notes(note_lines)
        notes.extend(page_notes)
        labels = {label for label, _ in page_notes}
        for line in text_lines:
            line.text = _resolve(line, labels)
        body.extend(text_lines)
    text, headed = _paragraphs(body, body_size)
    return RawDocument(str(path), text, "markdown" if headed else "text", "pdf",
                       notes=tuple(notes))


def _check_password(path: Path) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputFileError(
                path,
                "password-protected PDF: ask the sender for an unprotected copy, or remove "
                "the password (qpdf --decrypt --password=… FILE.pdf out.pdf)",
            )
    except InputFileError:
        raise
    except (PdfReadError, OSError, ValueError) as err:
        if not path.read_bytes().strip():
            raise InputFileError(path, "empty file") from None
        raise InputFileError(
            path, f"damaged PDF ({err}): ask the sender for a new copy"
        ) from None


# ------------------------------------------------------------------ lines of a page


def _page_lines(page: Any, number: int) -> list[_Line]:
    """The page's lines in reading order; two columns left first."""
    raw = page.extract_text_lines(return_chars=True, strip=True, y_tolerance=3)
    for line in raw:  # a glyph drawn twice over (fake bold, a two-em dash) is one
        seen: set[tuple[str, int, int]] = set()
        unique = []
        for c in line["chars"]:
            key = (c["text"], round(c["x0"]), round(c["top"]))
            if key not in seen:
                seen.add(key)
                unique.append(c)
        line["chars"] = unique
    gutter = _gutter(raw, page.width)
    if gutter is None:
        lines = [_line(line["chars"], number) for line in raw]
        lines = [line for line in lines if line]
        _edges(lines, lines)
        return lines
    above, left, right, below = [], [], [], []
    column_top = None
    for line in raw:
        crossing = any(c["x0"] < gutter < c["x1"] for c in line["chars"])
        if crossing:
            made = _line(line["chars"], number)
            if made:
                (above if column_top is None else below).append(made)
            continue
        halves = (
            (left, [c for c in line["chars"] if c["x1"] <= gutter]),
            (right, [c for c in line["chars"] if c["x0"] >= gutter]),
        )
        for side, chars_of_side in halves:
            made = _line(chars_of_side, number)
            if made:
                side.append(made)
                column_top = column_top if column_top is not None else made.top
    _edges(left, left)
    _edges(right, right)
    _edges(above + below, above + below)
    return above + left + right + below


def _gutter(raw: list[dict[str, Any]], width: float) -> float | None:
    """The middle of a band about an em wide in the middle third of the page that few
    lines touch (a running header, a title, a page number may) while at least three
    lines lie wholly on each side of it: the gap between two columns.  A single
    column's full lines touch every such band, and none lies wholly right of it."""
    lines = [[c for c in line["chars"] if c["text"].strip()] for line in raw]
    lines = [line for line in lines if line]
    if sum(len(line) for line in lines) < 40 or len(lines) < 6:
        return None
    half = 0.4 * statistics.median(c["size"] for line in lines for c in line)
    best = None
    for step in range(0, 61):
        x = width * (0.35 + 0.005 * step)
        touching = left = right = 0
        for line in lines:
            if any(c["x1"] > x - half and c["x0"] < x + half for c in line):
                touching += 1
                continue
            left += any(c["x1"] <= x - half for c in line)
            right += any(c["x0"] >= x + half for c in line)
        if touching <= max(3, 0.25 * len(lines)) and min(left, right) >= 3 and (
            best is None or touching < best[0]
        ):
            best = (touching, x)
    return best[1] if best else None


def _line(chars: list[dict[str, Any]], page: int) -> _Line | None:
    chars = sorted((c for c in chars if c["text"]), key=lambda c: c["x0"])
    visible = [c for c in chars if c["text"].strip()]
    if not visible:
        return None
    size = max(c["size"] for c in visible)
    main = [c for c in visible if c["size"] >= 0.8 * size]
    baseline = statistics.median(c["bottom"] for c in main)
    out: list[str] = []
    refs: list[str] = []
    sup: list[str] = []
    prev = None
    gaps = [b["x0"] - a["x1"] for a, b in itertools.pairwise(main)]
    # A space between Han characters is a gap wider than the line's usual spacing (a
    # justified line spreads all its characters alike).
    space = max(0.2 * size, 2 * statistics.median(gaps) + 0.1 * size) if gaps else size
    for c in visible:
        small = c["size"] < 0.8 * size and c["bottom"] < baseline - 0.15 * size
        if small:
            sup.append(c["text"])
            prev = c
            continue
        if sup:
            out.append(_sup("".join(sup), refs))
            sup = []
        if prev is not None and out and out[-1][-1:] != " ":
            gap = c["x0"] - prev["x1"]
            latin = (out[-1][-1:].isascii() and out[-1][-1:].isalnum()
                     and c["text"].isascii() and c["text"].isalnum())
            if gap > space or (latin and gap > 0.15 * c["size"]):
                out.append(" ")
        out.append(c["text"])
        prev = c
    if sup:
        out.append(_sup("".join(sup), refs))
    text = "".join(out).strip()
    if not text:
        return None
    return _Line(
        text,
        min(c["x0"] for c in visible),
        max(c["x1"] for c in visible),
        min(c["top"] for c in main),
        max(c["bottom"] for c in main),
        statistics.median(c["size"] for c in main),
        page,
        bold=sum(1 for c in main if _BOLD.search(c.get("fontname", ""))) >= 0.8 * len(main),
        refs=refs,
    )


def _sup(text: str, refs: list[str]) -> str:
    """A superscript run: a note marker (kept as ``\\x01n\\x02`` until the page's notes
    are known) or ordinary raised text (m², a footnote-less ¹)."""
    digits = re.sub(r"[\[\]［］()（）\s]", "", text)
    if digits.isdigit() or (len(digits) == 1 and digits in _CIRCLED):
        label = str(_CIRCLED.index(digits) + 1) if digits in _CIRCLED else str(int(digits))
        refs.append(label)
        return f"\x01{label}\x02"
    return text


def _edges(lines: list[_Line], column: list[_Line]) -> None:
    """Each line's column edges: where most of the column's lines start and end (a
    justified column's full lines share both; indents, short last lines, a centred page
    number do not move them)."""
    if not column:
        return
    left = Counter(round(line.x0) for line in column).most_common(1)[0][0]
    right = Counter(round(line.x1) for line in column).most_common(1)[0][0]
    for line in lines:
        line.left, line.right = left, right


def _rules(page: Any) -> list[tuple[float, float]]:
    """Horizontal rules (top, width) drawn on the page: footnote separators among them."""
    rules = []
    for shape in [*page.lines, *page.rects]:
        height = abs(shape["bottom"] - shape["top"])
        width = abs(shape["x1"] - shape["x0"])
        if height <= 2 and width >= 30:
            rules.append((shape["top"], width))
    return rules


# ------------------------------------------------------------- running lines, notes


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _edge(line: _Line, height: float) -> bool:
    return line.bottom <= height * EDGE or line.top >= height * (1 - EDGE)


def _running(pages: list[tuple[list[_Line], float]]) -> set[str]:
    """Lines at the page edges that come back on at least half the pages (two at least)."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for lines, height in pages:
        seen.update({_key(line.text) for line in lines if _edge(line, height)})
    return {key for key, n in seen.items() if n >= max(2, len(pages) / 2)}


def _body_size(
    pages: list[tuple[list[_Line], float]], rules: list[list[tuple[float, float]]]
) -> float:
    """The type size most of the text is set in.  Footnote blocks are left out of the
    count: on a short page a long note can outweigh the body, and then the body would
    read as larger type (headings) and the notes as body text."""
    sizes: Counter[float] = Counter()
    for (lines, height), page_rules in zip(pages, rules, strict=True):
        for line in lines[: _foot_start(lines, page_rules, height)]:
            sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _foot_start(lines: list[_Line], rules: list[tuple[float, float]], height: float) -> int:
    """Where the page's footnote block begins, judged without the body size (which it
    helps to find): the lines under a rule in the lower part of the page, or a run at the
    foot, set smaller than the line above them and opening with a note marker.  The
    number of lines when the page has none."""
    lower = [i for i, line in enumerate(lines) if line.top >= height * 0.4]
    starts = [
        next((i for i in lower if lines[i].top >= top - 1), len(lines))
        for top, _width in sorted(rules) if top >= height * 0.4
    ] + lower
    for start in sorted(set(starts)):
        if 0 < start < len(lines) and _NOTE_START.match(lines[start].text) and all(
            line.size < 0.95 * lines[start - 1].size for line in lines[start:]
        ):
            return start
    return len(lines)


def _split_notes(
    lines: list[_Line], rules: list[tuple[float, float]], body_size: float, height: float
) -> tuple[list[_Line], list[_Line]]:
    """The page's text lines and its footnote lines: small type under a rule in the
    lower part of the page, or a run of small-type lines at the foot that opens with a
    marker."""
    small = [line.size <= 0.9 * body_size for line in lines]
    for top, _width in sorted(rules, reverse=True):
        if top < height * 0.4:
            continue
        below = [i for i, line in enumerate(lines) if line.top >= top - 1]
        if below and all(small[i] for i in below) and _NOTE_START.match(lines[below[0]].text):
            cut = set(below)
            return [ln for i, ln in enumerate(lines) if i not in cut], [lines[i] for i in below]
    start = len(lines)
    while start > 0 and small[start - 1] and lines[start - 1].top >= height * 0.4:
        start -= 1
    while start < len(lines) and not _NOTE_START.match(lines[start].text):
        start += 1
    if start < len(lines):
        return lines[:start], lines[start:]
    return lines, []


def _notes(lines: list[_Line]) -> list[tuple[str, str]]:
    notes: list[list[str]] = []
    for line in lines:
        text = line.text.replace("\x01", "").replace("\x02", "")
        match = _NOTE_START.match(text)
        if match:
            label = next(g for g in match.groups() if g is not None)
            label = str(_CIRCLED.index(label) + 1) if label in _CIRCLED else str(int(label))
            notes.append([f"p{line.page}-{label}", text[match.end() :].strip()])
        elif notes:
            notes[-1][1] = _join(notes[-1][1], text)
    return [(label, text) for label, text in notes if text]


def _resolve(line: _Line, labels: set[str]) -> str:
    """Markers with a note on this page become ``[^p<page>-<n>]``; a superscript run
    without one is put back as text, an inline ``[1]`` without one stays."""

    def sup(m: re.Match[str]) -> str:
        key = f"p{line.page}-{m.group(1)}"
        return f"[^{key}]" if key in labels else m.group(1)

    def inline(m: re.Match[str]) -> str:
        raw = next(g for g in m.groups() if g is not None)
        label = str(_CIRCLED.index(raw) + 1) if raw in _CIRCLED else str(int(raw))
        key = f"p{line.page}-{label}"
        return f"[^{key}]" if key in labels else m.group(0)

    text = re.sub("\x01([^\x02]*)\x02", sup, line.text)
    if not labels:
        return text
    parts = re.split(r"(\[\^[^\]]+\])", text)
    return "".join(p if p.startswith("[^") else _REF.sub(inline, p) for p in parts)


# ------------------------------------------------------------------- paragraphs


def _join(before: str, after: str) -> str:
    if before and after and before[-1].isascii() and before[-1].isalnum() and (
        after[0].isascii() and after[0].isalnum()
    ):
        return f"{before} {after}"
    return before + after


def _paragraphs(lines: list[_Line], body_size: float) -> tuple[str, bool]:
    """Lines -> paragraphs (blank line between), headings as ``#`` lines."""
    heading_sizes = sorted(
        {round(ln.size, 1) for ln in lines if ln.size >= 1.15 * body_size and len(ln.text) <= 60},
        reverse=True,
    )
    rank = {size: i + 1 for i, size in enumerate(heading_sizes[:6])}
    body_bold = sum(len(ln.text) for ln in lines if ln.bold) > 0.5 * sum(
        len(ln.text) for ln in lines
    )
    blocks: list[list[Any]] = []  # [kind, text, last line, lines]
    pitch = _pitch(lines)
    for line in lines:
        level = rank.get(round(line.size, 1)) if len(line.text) <= 60 else None
        kind = f"h{level}" if level else "p"
        if blocks:
            prev_kind, prev_text, prev, _count = blocks[-1]
            same_flow = prev.page == line.page and abs(prev.left - line.left) < 1
            if kind == prev_kind and kind != "p" and same_flow and (
                line.top - prev.bottom < 1.2 * line.size
            ):
                blocks[-1][1] = _join(prev_text, line.text)  # a heading over two lines
                blocks[-1][2] = line
                blocks[-1][3] += 1
                continue
            if kind == "p" and prev_kind == "p" and _continues(prev, line, pitch):
                blocks[-1][1] = _join(prev_text, line.text)
                blocks[-1][2] = line
                blocks[-1][3] += 1
                continue
        blocks.append([kind, line.text, line, 1])
    out = []
    headed = bool(rank)
    for kind, text, last, count in blocks:
        if (kind == "p" and count == 1 and last.bold and not body_bold and len(text) <= 40
                and text[-1] not in "。；;，,：:"):
            # A line of its own in bold (黑体) at body size: a heading one level below
            # the larger type's
            kind = f"h{min(6, len(rank) + 1)}"
            headed = True
        out.append(("#" * int(kind[1:]) + " " + text) if kind != "p" else text)
    return "\n\n".join(out) + "\n", headed


def _pitch(lines: list[_Line]) -> float:
    gaps = [
        b.top - a.top
        for a, b in itertools.pairwise(lines)
        if a.page == b.page and abs(a.left - b.left) < 1 and 0 < b.top - a.top < 4 * a.size
    ]
    return statistics.median(gaps) if gaps else 0.0


_CLOSING = "，。、；：？！”’）》」』】…,.;:?!)"
_OPENING = "“‘（《「『【("


def _first_unit(text: str) -> float:
    """How many ems the first piece of a line that cannot be broken takes: a Han
    character with the closing marks after it (and an opening mark with its character),
    or a Latin word at about half an em a letter."""
    word = re.match(r"[A-Za-z0-9]+", text)
    if word:
        return 0.5 * len(word.group(0))
    n = 1
    while n < len(text) and text[n] in _CLOSING:
        n += 1
    if n < len(text) and text[n] in _OPENING:
        n += 2
    return float(n)


def _continues(prev: _Line, line: _Line, pitch: float) -> bool:
    """Whether ``line`` goes on with the paragraph ``prev`` ends: ``prev`` runs to the
    right edge of its column, ``line`` is not indented, not much smaller or larger, and
    (on one page and column) not further down than the usual line pitch."""
    size = line.size
    if abs(prev.size - size) > 0.15 * size:
        return False
    short = prev.right - prev.x1
    if short > 1.5 * size and (
        prev.text.rstrip("”’」』）)")[-1:] in _TERMINAL
        or short > (_first_unit(line.text) + 1) * size
    ):
        return False  # a short line ends its paragraph, unless the next line's first
        # unbreakable piece would not have fitted (ragged right, kinsoku)
    if line.x0 - line.left > 1.2 * size:
        return False  # an indented line opens one
    same_column = prev.page == line.page and abs(prev.left - line.left) < 1
    if same_column and pitch and line.top - prev.top > 1.4 * pitch:
        return False
    # From the right column back to the left one on the same page: a new flow.
    return same_column or prev.page != line.page or line.left >= prev.left
