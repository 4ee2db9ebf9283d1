"""Word documents (.docx): what the author marked up is kept as structure.

Study materials from an upper-level organisation arrive as Word files, and Word already
knows what a scraped page only hints at: which paragraphs are headings (their style,
标题 1 / Heading 2, or an outline level), how a list is numbered, where the footnotes
are.  python-docx (maintained, already what a Word writer would use) opens the package,
and the body is walked in its XML so that nothing Word hides from its ``.text`` is lost
or added:

* headings become Markdown ``#`` lines, one ``#`` per level (the Title style is ``#``
  too), so the sectioner nests them as it nests a Markdown file's;
* list and heading numbers (``一、``, ``（一）``, ``1.``) are written out as Word shows them;
* footnotes and endnotes (python-docx does not expose them: their parts are read
  directly) become the document's notes, referenced by ``[^fn1]`` / ``[^en1]``;
* table rows become one line each, cells separated by a space;
* tracked insertions are text, tracked deletions, comments, field codes, hidden text and
  tables of contents are not.

A file that is not a .docx inside (a renamed .doc, a truncated download) is one
``InputFileError`` naming it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from handouts.errors import InputFileError
from handouts.readers.base import RawDocument, register

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_SKIP = {
    "del", "moveFrom", "delText", "instrText", "commentReference", "footnoteRef",
    "endnoteRef", "pPr", "rPr", "drawing", "pict", "object", "AlternateContent",
    "fldChar", "annotationRef", "separator", "continuationSeparator", "sectPr",
}  # fmt: skip
_HEADING_NAME = re.compile(r"^(?:heading|标题|標題)\s*([1-9])$", re.I)
_TITLE_NAMES = {"title", "标题", "標題"}
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+[、．.]|[（(]|\d|第[一二三四五六七八九十\d]+)")
_TOC_NAME = re.compile(r"^(?:toc|目录|目錄)\s*\d*$|^toc heading$", re.I)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _val(element: Any, path: str) -> str | None:
    found = element.find(path, {"w": W}) if element is not None else None
    return found.get(_w("val")) if found is not None else None


@register(".docx")
def read_docx(path: Path) -> RawDocument:
    document = _open(path)
    styles = _Styles(document)
    numbering = _Numbering(document)
    notes = _notes(document, "footnotes", "fn") + _notes(document, "endnotes", "en")
    lines: list[str | tuple[int, str]] = []
    for kind, element in _blocks(document.element.body):
        if kind == "tbl":
            lines.extend(_table_rows(element))
            continue
        style = styles.of(element)
        if style.toc:
            continue
        text = _text(element).strip()
        if not text:
            continue
        label = numbering.label(element, style)
        if label:
            text = label + ("" if re.search(r"[、.．)）:：\s]$", label) else " ") + text
        lines.append((style.level, " ".join(text.split())) if style.level is not None else text)
    if not lines:
        raise InputFileError(path, "no text in the Word document")
    headings = [line for line in lines if isinstance(line, tuple)]
    # One ``#`` line is the document's title (the cleaner takes the first ``#`` of a
    # Markdown text as its title): the Title style, else a lone 标题 1 opening the
    # headings; otherwise every 标题 1 is a part of the text and no line is ``#``.
    levels = [level for level, _ in headings]
    lone_top = (
        bool(levels)
        and levels[0] == 1
        and levels.count(1) == 1
        and not _NUMBERED.match(headings[0][1])
    )
    shift = 0 if 0 in levels or lone_top else 1
    lines = [
        "#" * max(1, min(6, line[0] + shift + (1 if 0 in levels and line[0] else 0)))
        + " " + line[1]
        if isinstance(line, tuple) else line
        for line in lines
    ]
    props = document.core_properties
    title = props.title if props.title and re.search(r"[\u4e00-\u9fff]", props.title) else None
    return RawDocument(
        str(path),
        "\n\n".join(lines) + "\n",
        "markdown" if headings else "text",
        "docx",
        title=title,
        author=props.author or None if title else None,
        notes=tuple(notes),
    )


def _open(path: Path) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        head = path.read_bytes()[:8]
    except OSError as err:
        raise InputFileError(path, f"cannot read: {err.strerror or err}") from None
    if not head.strip():
        raise InputFileError(path, "empty file")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(
            path, "an old Word .doc renamed to .docx: open it in Word or WPS and 另存为 .docx"
        )
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError,
            etree.XMLSyntaxError) as err:
        del err
        raise InputFileError(
            path,
            "damaged .docx (not a complete Word file): open it in Word or WPS and save it "
            "again, or ask the sender for a new copy",
        ) from None


def _blocks(container: Any) -> Iterator[tuple[str, Any]]:
    """Paragraphs and tables in reading order, through content controls."""
    for child in container:
        name = _local(child)
        if name in ("p", "tbl"):
            yield name, child
        elif name in ("sdt", "customXml", "sdtContent", "ins", "smartTag"):
            yield from _blocks(child)


def _text(element: Any) -> str:
    out: list[str] = []
    _walk(element, out)
    return "".join(out)


def _walk(element: Any, out: list[str]) -> None:
    for child in element:
        name = _local(child)
        if name in _SKIP:
            continue
        if name == "r":
            props = child.find(_w("rPr"))
            if props is not None and props.find(_w("vanish")) is not None:
                continue
            _walk(child, out)
        elif name == "t":
            out.append(child.text or "")
        elif name in ("tab", "ptab"):
            out.append(" ")
        elif name in ("br", "cr"):
            if child.get(_w("type")) not in ("page", "column"):
                out.append(" ")
        elif name == "noBreakHyphen":
            out.append("-")
        elif name == "sym":
            code = child.get(_w("char"))
            if code:
                out.append(chr(int(code, 16)))
        elif name == "footnoteReference":
            out.append(f"[^fn{child.get(_w('id'))}]")
        elif name == "endnoteReference":
            out.append(f"[^en{child.get(_w('id'))}]")
        else:
            _walk(child, out)


def _table_rows(table: Any) -> list[str]:
    rows = []
    for row in table.iter(_w("tr")):
        if row.getparent() is not table:
            continue  # a nested table's rows are read with its cell
        cells = []
        for cell in row.findall(_w("tc")):
            text = " ".join(
                t for t in (_text(p).strip() for p in cell.iter(_w("p"))) if t
            )
            if text:
                cells.append(text)
        if cells:
            rows.append("\u3000".join(cells))
    return rows


def _notes(document: Any, part_name: str, prefix: str) -> list[tuple[str, str]]:
    """The footnotes or endnotes part, read from the package (python-docx has no API)."""
    from lxml import etree

    for rel in document.part.rels.values():
        if rel.is_external or not rel.reltype.endswith("/" + part_name):
            continue
        root = etree.fromstring(rel.target_part.blob)
        notes = []
        for note in root:
            if _local(note) not in ("footnote", "endnote"):
                continue
            if note.get(_w("type")) in ("separator", "continuationSeparator",
                                        "continuationNotice"):
                continue
            text = "".join(_text(p).strip() for p in note.iter(_w("p"))).strip()
            if text:
                notes.append((f"{prefix}{note.get(_w('id'))}", text))
        return notes
    return []


class _Style:
    def __init__(self, level: int | None, toc: bool, num: tuple[str, str] | None) -> None:
        self.level = level  # heading level: 0 for Title, 1 for 标题 1 / Heading 1
        self.toc = toc
        self.num = num  # (numId, ilvl) the style numbers its paragraphs with


class _Styles:
    """Heading level, TOC-ness and numbering of a paragraph, from its style chain and
    its own outline level (Word: paragraph overrides style, style inherits basedOn)."""

    def __init__(self, document: Any) -> None:
        root = document.styles.element
        self.by_id = {s.get(_w("styleId")): s for s in root.findall(_w("style"))}
        self.default = next(
            (s.get(_w("styleId")) for s in root.findall(_w("style"))
             if s.get(_w("type")) == "paragraph" and s.get(_w("default")) in ("1", "true")),
            None,
        )
        self.cache: dict[str | None, _Style] = {}

    def of(self, paragraph: Any) -> _Style:
        props = paragraph.find(_w("pPr"))
        style_id = _val(props, "w:pStyle") or self.default
        style = self.cache.get(style_id)
        if style is None:
            style = self.cache[style_id] = self._resolve(style_id)
        outline = _val(props, "w:outlineLvl")
        if outline is not None and outline.isdigit() and int(outline) < 9:
            return _Style(int(outline) + 1, style.toc, style.num)
        return style

    def _resolve(self, style_id: str | None) -> _Style:
        level: int | None = None
        toc = False
        num: tuple[str, str] | None = None
        seen: set[str] = set()
        first = True
        while style_id and style_id not in seen and style_id in self.by_id:
            seen.add(style_id)
            style = self.by_id[style_id]
            name = (_val(style, "w:name") or "").strip()
            if first and _TOC_NAME.match(name):
                toc = True
            props = style.find(_w("pPr"))
            if level is None:
                heading = _HEADING_NAME.match(name)
                outline = _val(props, "w:outlineLvl")
                if heading:
                    level = int(heading.group(1))
                elif name.lower() in _TITLE_NAMES:
                    level = 0
                elif outline is not None and outline.isdigit() and int(outline) < 9:
                    level = int(outline) + 1
            if num is None and props is not None:
                num_pr = props.find(_w("numPr"))
                if num_pr is not None:
                    num = (_val(num_pr, "w:numId") or "", _val(num_pr, "w:ilvl") or "0")
            style_id = _val(style, "w:basedOn")
            first = False
        return _Style(level, toc, num)


_CN_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _chinese(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                           (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def _format(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional",
               "taiwaneseCounting", "taiwaneseCountingThousand", "japaneseCounting",
               "ideographLegalTraditional", "chineseLegalSimplified"):
        return _chinese(n)
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "decimalFullWidth":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).lower() if fmt == "lowerRoman" else _roman(n)
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


class _Numbering:
    """Word's automatic numbers, counted as Word counts them: per list, a level's counter
    restarting whenever a higher level moves on."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[str, tuple[int, str, str]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[str, tuple[int, str, str]]] = {}
        for node in root.findall(_w("abstractNum")):
            abstract[node.get(_w("abstractNumId"))] = self._levels(node)
        for node in root.findall(_w("num")):
            levels = dict(abstract.get(_val(node, "w:abstractNumId") or "", {}))
            for override in node.findall(_w("lvlOverride")):
                ilvl = override.get(_w("ilvl"))
                lvl = override.find(_w("lvl"))
                if lvl is not None:
                    levels.update(self._levels_of([lvl]))
                start = _val(override, "w:startOverride")
                if start is not None and ilvl in levels:
                    _, fmt, text = levels[ilvl]
                    levels[ilvl] = (int(start), fmt, text)
            self.levels[node.get(_w("numId"))] = levels

    def _levels(self, node: Any) -> dict[str, tuple[int, str, str]]:
        return self._levels_of(node.findall(_w("lvl")))

    @staticmethod
    def _levels_of(nodes: list[Any]) -> dict[str, tuple[int, str, str]]:
        out = {}
        for lvl in nodes:
            start = _val(lvl, "w:start")
            out[lvl.get(_w("ilvl"))] = (
                int(start) if start and start.lstrip("-").isdigit() else 1,
                _val(lvl, "w:numFmt") or "decimal",
                _val(lvl, "w:lvlText") or "",
            )
        return out

    def label(self, paragraph: Any, style: _Style) -> str:
        props = paragraph.find(_w("pPr"))
        num_pr = props.find(_w("numPr")) if props is not None else None
        if num_pr is not None:
            num_id = _val(num_pr, "w:numId") or ""
            ilvl = _val(num_pr, "w:ilvl") or (style.num[1] if style.num else "0")
        elif style.num:
            num_id, ilvl = style.num
        else:
            return ""
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels or num_id == "0":
            return ""
        level = int(ilvl)
        counters = self.counters.setdefault(num_id, {})
        start = levels[ilvl][0]
        counters[level] = counters[level] + 1 if level in counters else start
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        _, fmt, text = levels[ilvl]
        if fmt == "bullet" or not text:
            return ""

        def value(m: re.Match[str]) -> str:
            at = int(m.group(1)) - 1
            if at == level:
                return _format(counters[level], fmt)
            shown = levels.get(str(at))
            number = counters.get(at, shown[0] if shown else 1)
            return _format(number, shown[1] if shown else "decimal")

        return re.sub(r"%([1-9])", value, text).strip()
