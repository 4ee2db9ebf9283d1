"""Handout -> Word document (.docx), for offices that finish their material in Word or WPS.

The PDF is laid out from HTML; a Word file cannot be, because what the organiser gets
must stay editable: every block is a paragraph in a named style, so changing the look
of all key points is one edit of the 学习要点 style, the navigation pane and a table of
contents work from the heading styles, and page numbers are fields Word keeps right
after any edit.  What is printed (and in which order) follows the PDF's templates.

Choices that are not obvious:

* Headings use Word's own built-in ``heading 1``-``heading 3`` (shown as 标题 1-3 in a
  Chinese Word, and aliased so) rather than look-alike custom styles: only the built-in
  ones drive the navigation pane, the TOC field's ``\\o`` switch and LibreOffice's
  outline.  The body style is the built-in ``Normal`` (Word's 正文) with a first-line
  indent of two characters (``w:firstLineChars="200"``), as Chinese documents are set.
* Fonts are named, never embedded (Word embeds TrueType outlines; the Noto CJK faces
  are CFF, and tens of megabytes each).  Every style names the configured families in
  ``w:rFonts`` for all scripts, with ``w:eastAsia`` as the one that matters, and drops
  the template's theme font attributes, which would override them.  The font table
  gives each family the name of the face Windows has (``w:altName``: 宋体, 黑体, 楷体),
  its GB2312 character set and its family class (roman, swiss, script), so Word on a
  machine without Noto substitutes the matching Chinese face, not a Latin one.  The
  alternative, naming 宋体 in the styles, would make every Linux and LibreOffice reader
  substitute instead, and the Word file would no longer look like the PDF where Noto is
  installed.
* The file is reproducible: the creation date is the handout's own, and the zip entries
  carry a fixed time, so identical inputs give identical bytes (and an unchanged build
  output keeps its checksum).
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from handouts import paths
from handouts.errors import ConfigError, HandoutsError
from handouts.model import Handout, OutlineSection
from handouts.writers.pdf import fonts
from handouts.writers.pdf.render import (
    _keywords,
    _sources,
    _strip_book_marks,
    chinese_date,
    chinese_number,
    glyph_items,
    is_editors_note,
    reading_title,
    source_line,
)

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.text.paragraph import Paragraph

PAPERS = ("a4", "a5", "b5")

#: What Word on Windows has instead of each configured face (see the module docstring):
#: ``(altName, font-table family class)`` by role.
FALLBACK = {"body": ("宋体", "roman"), "heading": ("黑体", "swiss"), "quote": ("楷体", "script")}
#: Windows names of the fallback faces, listed in the font table so Word knows them.
FALLBACK_LATIN = {"宋体": "SimSun", "黑体": "SimHei", "楷体": "KaiTi"}

#: Styles set in the quote face (LXGW WenKai), whose curly quotes need the body face.
KAI_STYLES = frozenset({"KeyPoint", "Foreword", "OrganiserNote", "Lead"})
_NOTE_REF = re.compile(r"\[(\d{1,3})\]")
_QUOTES = re.compile("([\u2018\u2019\u201c\u201d])")

GREY = "555555"
TINT = "EFEFEF"
RULE = "9A9A9A"

_TWIPS_PER_MM = 1440 / 25.4


@dataclass(frozen=True)
class Page:
    """Paper and type from ``styles/paper.toml``, in Word's units (twips, half-points)."""

    paper: str
    width: int
    height: int
    top: int
    bottom: int
    inner: int
    outer: int
    size: float  # body size in points
    notes_lines: int

    @property
    def text_width(self) -> int:
        return self.width - self.inner - self.outer

    def em(self, factor: float = 1.0) -> int:
        """``factor`` body characters, in twips (indents, tab stops)."""
        return round(self.size * 20 * factor)

    def half_points(self, factor: float = 1.0) -> int:
        """A font size ``factor`` times the body's, in half-points (``w:sz``)."""
        return round(self.size * 2 * factor)


def page_setup(handout: Handout) -> Page:
    """The page of ``handout``: a booklet prints A5 pages, as the PDF does (Word's
    书籍折页 or the printer driver imposes them)."""
    paper = "a5" if handout.booklet else handout.paper
    if paper not in PAPERS:
        raise HandoutsError("--paper", f"unknown paper {paper!r} (known: {', '.join(PAPERS)})")
    where = paths.STYLES / "paper.toml"
    try:
        spec = tomllib.loads(where.read_text(encoding="utf-8"))[paper]
        return Page(
            paper,
            *(_twips(spec[k]) for k in ("width", "height", "top", "bottom", "inner", "outer")),
            size=_points(spec["font_size"]),
            notes_lines=int(spec["notes_lines"]),
        )
    except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(where, f"paper {paper!r} is not configured: {exc}") from None


def _twips(length: str) -> int:
    value = length.strip()
    if not value.endswith("mm"):
        raise ValueError(f"length {length!r} must be in mm")
    return round(float(value[:-2]) * _TWIPS_PER_MM)


def _points(size: str) -> float:
    value = size.strip()
    if not value.endswith("pt"):
        raise ValueError(f"font size {size!r} must be in pt")
    return float(value[:-2])


# ---------------------------------------------------------------- public API


def render_docx(handout: Handout) -> bytes:
    """The handout as a .docx file's bytes; identical inputs give identical bytes.

    Every character is checked against the configured faces first, as for the PDF:
    a character they lack would print as tofu wherever the document is opened.
    """
    check_glyphs(handout)
    page = page_setup(handout)
    document = _Writer(handout, page).write()
    _drop_thumbnail(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def check_glyphs(handout: Handout) -> None:
    """Raise ``MissingGlyphError`` for the first character no configured face can draw,
    including the notes and attribution lines only the Word file prints so far."""
    fonts.check_glyphs(glyph_items(handout))
    fonts.check_glyphs(_extra_glyph_items(handout))


def _extra_glyph_items(handout: Handout) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    for outline in handout.outlines:
        for sec in outline.sections:
            where = f"section {sec.id} ({sec.title})"
            for note in sec.notes:
                yield where + " note", note, ("body",)
            for line in sec.sources:
                yield where + " source line", line, ("body",)


def families() -> dict[str, str]:
    """``{role: family}`` from ``styles/fonts.toml``."""
    return {role: family for role, (family, _package) in fonts.font_roles().items()}


# ---------------------------------------------------------------- XML helpers


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _el(tag: str, children: tuple[Any, ...] = (), **attrs: Any) -> Any:
    """``w:`` element with ``w:`` attributes (``val="x"`` -> ``w:val="x"``)."""
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    for key, value in attrs.items():
        name = key if ":" in key else f"w:{key}"
        element.set(_qn(name), str(value))
    for child in children:
        element.append(child)
    return element


def _fonts_el(family: str) -> Any:
    """``w:rFonts`` naming one family for every script, East Asian first in mind."""
    return _el("w:rFonts", ascii=family, hAnsi=family, eastAsia=family, cs=family,
               hint="eastAsia")


def _run_props(family: str | None = None, *, size: int | None = None, bold: bool = False,
               color: str | None = None, spacing: int | None = None) -> Any:
    rpr = _el("w:rPr")
    if family:
        rpr.append(_fonts_el(family))
    if bold:
        rpr.append(_el("w:b"))
        rpr.append(_el("w:bCs"))
    if color:
        rpr.append(_el("w:color", val=color))
    if spacing:
        rpr.append(_el("w:spacing", val=spacing))
    if size:
        rpr.append(_el("w:sz", val=size))
        rpr.append(_el("w:szCs", val=size))
    return rpr


def _indent(*, left: int = 0, hanging: int = 0, first_chars: int = 0, first: int = 0) -> Any:
    """``w:ind``; ``first_chars`` in hundredths of a character (200 = two characters),
    with ``first`` the same length in twips for readers that ignore ``*Chars``."""
    attrs: dict[str, Any] = {"left": left}
    if hanging:
        attrs["hanging"] = hanging
    elif first_chars:
        attrs["firstLineChars"] = first_chars
        attrs["firstLine"] = first
    else:
        attrs["firstLineChars"] = 0
        attrs["firstLine"] = 0
    return _el("w:ind", **attrs)


# ---------------------------------------------------------------- styles


@dataclass(frozen=True)
class StyleSpec:
    """One paragraph style: its id, the name Word shows, and its properties."""

    style_id: str
    name: str
    ppr: tuple[Any, ...]
    rpr: Any
    based_on: str = "Normal"
    aliases: str | None = None
    next_id: str | None = None


def _style_element(spec: StyleSpec) -> Any:
    children = [_el("w:name", val=spec.name)]
    if spec.aliases:
        children.append(_el("w:aliases", val=spec.aliases))
    if spec.style_id != "Normal":
        children.append(_el("w:basedOn", val=spec.based_on))
    if spec.next_id:
        children.append(_el("w:next", val=spec.next_id))
    children.append(_el("w:qFormat"))
    children.append(_el("w:pPr", tuple(spec.ppr)))
    children.append(spec.rpr)
    attrs = {"type": "paragraph", "styleId": spec.style_id}
    if spec.style_id == "Normal":
        attrs["default"] = "1"
    if spec.name not in BUILT_IN:
        attrs["customStyle"] = "1"
    return _el("w:style", tuple(children), **attrs)


#: Word's own names for the built-in styles we redefine (Word matches them by name).
BUILT_IN = frozenset({"Normal", "heading 1", "heading 2", "heading 3", "Title", "TOC Heading",
                      "toc 1", "toc 2", "header", "footer"})


def _style_specs(page: Page, faces: dict[str, str]) -> list[StyleSpec]:
    body, head, quote = faces["body"], faces["heading"], faces["quote"]
    line = round(page.size * 1.75 * 20)  # the PDF's line-height 1.75, exactly
    spacing_exact = _el("w:spacing", before=0, after=0, line=line, lineRule="exact")

    def heading(level: int, factor: float, before: float, after: float) -> StyleSpec:
        return StyleSpec(
            f"Heading{level}", f"heading {level}",
            (_el("w:keepNext"), _el("w:keepLines"),
             _el("w:spacing", before=page.em(before), after=page.em(after), line=300,
                 lineRule="auto"),
             _indent(), _el("w:jc", val="left"), _el("w:outlineLvl", val=level - 1)),
            _run_props(head, size=page.half_points(factor), bold=True),
            aliases=f"标题 {level}", next_id="Normal")

    def rule(*sides: str, size: int = 4, space: int = 4, color: str = RULE) -> Any:
        return _el("w:pBdr", tuple(_el(f"w:{s}", val="single", sz=size, space=space,
                                       color=color) for s in sides))

    hang = page.em(1.5)
    return [
        StyleSpec("Normal", "Normal",
                  (_el("w:widowControl"), spacing_exact,
                   _indent(first_chars=200, first=page.em(2)), _el("w:jc", val="both")),
                  _run_props(body, size=page.half_points()), aliases="正文"),
        heading(1, 1.45, 1.2, 0.8),
        heading(2, 1.25, 1.0, 0.5),
        heading(3, 1.05, 0.8, 0.3),
        StyleSpec("Title", "Title",
                  (_el("w:spacing", before=page.em(6), after=page.em(2), line=300,
                       lineRule="auto"), _indent(), _el("w:jc", val="left")),
                  _run_props(head, size=page.half_points(2.3), bold=True),
                  aliases="标题", next_id="Normal"),
        StyleSpec("TOCHeading", "TOC Heading",
                  (_el("w:spacing", before=0, after=page.em(1)), _indent(),
                   _el("w:jc", val="center"), _el("w:outlineLvl", val=9)),
                  _run_props(head, size=page.half_points(1.35), bold=True, spacing=60),
                  aliases="目录标题", next_id="Normal"),
        *(StyleSpec(f"TOC{n}", f"toc {n}",
                    (_el("w:tabs", (_el("w:tab", val="right", leader="dot",
                                        pos=page.text_width),)),
                     _el("w:spacing", before=page.em(0.3), after=0),
                     _indent(left=page.em(2 * (n - 1)))),
                    _run_props(head if n == 1 else body, size=page.half_points()),
                    aliases=f"目录 {n}") for n in (1, 2)),
        StyleSpec("PageTitle", "页标题",
                  (_el("w:keepNext"), _el("w:spacing", before=0, after=page.em(1)), _indent(),
                   _el("w:jc", val="center")),
                  _run_props(head, size=page.half_points(1.45), bold=True, spacing=60)),
        StyleSpec("Kicker", "封面题头",
                  (_el("w:spacing", before=0, after=page.em(0.5)), _indent()),
                  _run_props(head, size=page.half_points(1.1), color=GREY, spacing=40)),
        StyleSpec("CoverRule", "封面分隔线",
                  (rule("bottom", size=8, color="000000"),
                   _el("w:spacing", before=0, after=page.em(1.2), line=120, lineRule="exact"),
                   _indent()), _run_props(size=2)),
        StyleSpec("CoverFact", "封面信息",
                  (_el("w:spacing", before=0, after=0), _indent(left=page.em(5),
                                                               hanging=page.em(5))),
                  _run_props(head, size=page.half_points())),
        StyleSpec("CoverLabel", "封面栏目",
                  (_el("w:keepNext"), rule("bottom"),
                   _el("w:spacing", before=page.em(1.2), after=page.em(0.4)), _indent()),
                  _run_props(head, size=page.half_points(), bold=True, spacing=40)),
        StyleSpec("CoverItem", "封面列项",
                  (_el("w:spacing", before=0, after=0), _indent(left=hang, hanging=hang)),
                  _run_props(body, size=page.half_points())),
        StyleSpec("Foreword", "前言", (), _run_props(quote)),
        StyleSpec("CoverFoot", "封面落款",
                  (_el("w:spacing", before=page.em(3), after=0), _indent(),
                   _el("w:jc", val="right")),
                  _run_props(head, size=page.half_points(), color=GREY)),
        StyleSpec("SourceLine", "出处",
                  (_el("w:keepNext"), _el("w:spacing", before=page.em(0.3), after=page.em(0.8),
                                          line=300, lineRule="auto"), _indent()),
                  _run_props(head, size=page.half_points(0.8), color=GREY)),
        StyleSpec("KeyPoint", "学习要点",
                  (_el("w:keepLines"),
                   _el("w:pBdr", (
                       _el("w:top", val="single", sz=4, space=6, color=TINT),
                       _el("w:left", val="single", sz=20, space=8, color=GREY),
                       _el("w:bottom", val="single", sz=4, space=6, color=TINT),
                       _el("w:right", val="single", sz=4, space=8, color=TINT))),
                   _el("w:shd", val="clear", color="auto", fill=TINT),
                   # Space around the box, none between its points.
                   _el("w:spacing", before=page.em(0.2), after=page.em(1)),
                   _indent(left=page.em(0.6) + hang, hanging=hang),
                   _el("w:contextualSpacing")),
                  _run_props(quote)),
        StyleSpec("Question", "讨论题",
                  (_el("w:keepNext"), _el("w:keepLines"),
                   _el("w:spacing", before=page.em(0.4), after=0, line=line, lineRule="exact"),
                   _indent(left=hang, hanging=hang)),
                  _run_props(body)),
        StyleSpec("WritingLine", "书写线",
                  (_el("w:keepNext"), _el("w:keepLines"),
                   _el("w:tabs", (_el("w:tab", val="right", leader="underscore",
                                       pos=page.text_width),)),
                   _el("w:spacing", before=0, after=0, line=round(line * 1.1),
                       lineRule="exact"),
                   _indent(left=hang)),
                  _run_props(body, color=RULE)),
        # The organiser's box: a label and paragraphs with the same borders, which Word
        # and LibreOffice draw as one box around them all.
        StyleSpec("OrganiserNoteLabel", "组织者提示标题",
                  (_el("w:keepNext"), _el("w:keepLines"),
                   rule("top", "left", "bottom", "right", space=6, color=GREY),
                   _el("w:spacing", before=page.em(1), after=0), _indent(left=page.em(0.5))),
                  _run_props(head, bold=True, spacing=40)),
        StyleSpec("OrganiserNote", "组织者提示",
                  (_el("w:keepLines"),
                   rule("top", "left", "bottom", "right", space=6, color=GREY),
                   _el("w:spacing", before=0, after=page.em(0.6)),
                   _indent(left=page.em(0.5), first_chars=200, first=page.em(2)),
                   _el("w:contextualSpacing"), _el("w:jc", val="both")),
                  _run_props(quote)),
        StyleSpec("Footnote", "注释",
                  (_el("w:spacing", before=0, after=0, line=300, lineRule="auto"),
                   _indent(left=page.em(2), hanging=page.em(2))),
                  _run_props(body, size=page.half_points(0.85), color=GREY)),
        StyleSpec("Attribution", "引文出处",
                  (_el("w:spacing", before=page.em(0.3), after=0), _indent(),
                   _el("w:jc", val="right")),
                  _run_props(body, size=page.half_points(0.9))),
        StyleSpec("Excerpt", "节选说明",
                  (_el("w:spacing", before=page.em(0.4), after=0), _indent(),
                   _el("w:jc", val="right")),
                  _run_props(head, size=page.half_points(0.8), color=GREY)),
        StyleSpec("Lead", "导语",
                  (_el("w:spacing", before=0, after=page.em(1)),),
                  _run_props(quote)),
        StyleSpec("SourceEntry", "来源条目",
                  (_el("w:spacing", before=0, after=page.em(0.4), line=300, lineRule="auto"),
                   _indent(left=page.em(2.2), hanging=page.em(2.2))),
                  _run_props(body)),
        StyleSpec("Header", "header",
                  (rule("bottom", size=4, space=2, color=RULE),
                   _el("w:spacing", before=0, after=0), _indent(), _el("w:jc", val="right")),
                  _run_props(head, size=16, color=GREY), aliases="页眉"),
        StyleSpec("Footer", "footer",
                  (_el("w:spacing", before=0, after=0), _indent(), _el("w:jc", val="center")),
                  _run_props(head, size=16, color=GREY), aliases="页脚"),
    ]


def _install_styles(document: WordDocument, page: Page, faces: dict[str, str]) -> None:
    """Replace the template's versions of our styles with ours, and name our fonts in
    every style the template keeps (its theme fonts would override them)."""
    styles = document.styles.element
    by_id = {s.get(_qn("w:styleId")): s for s in styles.findall(_qn("w:style"))}
    for spec in _style_specs(page, faces):
        new = _style_element(spec)
        old = by_id.get(spec.style_id)
        if old is not None:
            _keep_link(old, new, by_id)
            old.addprevious(new)
            styles.remove(old)
        else:
            styles.append(new)
    for rfonts in styles.iter(_qn("w:rFonts")):
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            rfonts.attrib.pop(_qn(f"w:{attr}"), None)
        for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
            rfonts.set(_qn(f"w:{attr}"), rfonts.get(_qn(f"w:{attr}")) or faces["body"])
    defaults = styles.find(_qn("w:docDefaults"))
    rpr = defaults.find(f"{_qn('w:rPrDefault')}/{_qn('w:rPr')}")
    rpr.clear()
    for child in (_fonts_el(faces["body"]), _el("w:kern", val=2),
                  _el("w:sz", val=page.half_points()), _el("w:szCs", val=page.half_points()),
                  _el("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")):
        rpr.append(child)
    for color in styles.iter(_qn("w:color")):  # the template's blue headings: grey only
        for attr in ("themeColor", "themeShade", "themeTint"):
            color.attrib.pop(_qn(f"w:{attr}"), None)


def _keep_link(old: Any, new: Any, by_id: dict[str, Any]) -> None:
    """Keep the template's pairing of a paragraph style with its character style
    (``heading 1`` with ``Heading 1 Char``): Word expects the link both ways.  The
    character style takes the new run properties, so text formatted with it matches."""
    import copy

    link = old.find(_qn("w:link"))
    if link is None:
        return
    before = [new.find(_qn(f"w:{tag}")) for tag in ("next", "basedOn", "aliases", "name")]
    next(el for el in before if el is not None).addnext(copy.deepcopy(link))
    partner = by_id.get(link.get(_qn("w:val")))
    if partner is None:
        return
    old_rpr, new_rpr = partner.find(_qn("w:rPr")), new.find(_qn("w:rPr"))
    if old_rpr is not None:
        partner.remove(old_rpr)
    if new_rpr is not None:
        partner.append(copy.deepcopy(new_rpr))


def _install_font_table(document: WordDocument, faces: dict[str, str]) -> None:
    """Name each configured family with the Windows face to fall back to (altName), its
    character set (86: GB2312) and class, and list the fallback faces themselves."""
    part = next(rel.target_part for rel in document.part.rels.values()
                if rel.reltype.endswith("/fontTable"))
    from lxml import etree

    root = etree.fromstring(part.blob)
    for child in list(root):
        root.remove(child)

    def font(name: str, family: str, alt: str | None) -> Any:
        children = [_el("w:altName", val=alt)] if alt else []
        children += [_el("w:charset", val="86"), _el("w:family", val=family),
                     _el("w:pitch", val="variable")]
        return _el("w:font", tuple(children), name=name)

    for role, family in faces.items():
        alt, klass = FALLBACK[role]
        root.append(font(family, klass, alt))
    for role in faces:
        alt, klass = FALLBACK[role]
        root.append(font(alt, klass, FALLBACK_LATIN[alt]))
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                standalone=True)


def _install_settings(document: WordDocument) -> None:
    settings = document.settings.element
    # Children of w:settings have a fixed order (Word calls a file with them out of
    # order corrupt): each new one goes right after the element that precedes it.
    lang = settings.find(_qn("w:themeFontLang"))
    if lang is not None:
        lang.set(_qn("w:eastAsia"), "zh-CN")
    # Duplex printing: the inner margin is on the binding side of every page.
    settings.find(_qn("w:zoom")).addnext(_el("w:mirrorMargins"))
    # The TOC's page numbers are known only once the pages are laid out: Word updates
    # the fields when the file is opened (asking the user first).  The TOC field itself
    # is not also flagged dirty: with both, Word for Mac has been seen to number every
    # entry 1.  LibreOffice and WPS show the entries and update on request.
    settings.find(_qn("w:compat")).addprevious(_el("w:updateFields", val="true"))
    for el in settings.findall(_qn("w:rsids")):
        settings.remove(el)


# ---------------------------------------------------------------- numbering


class _Numbering:
    """Numbered lists (讨论题, 学习要点, 议程), each list restarting at 1."""

    def __init__(self, document: WordDocument, page: Page) -> None:
        self.root = document.part.numbering_part.element
        abstracts = self.root.findall(_qn("w:abstractNum"))
        nums = self.root.findall(_qn("w:num"))
        self.next_abstract = 1 + max((int(a.get(_qn("w:abstractNumId"))) for a in abstracts),
                                     default=-1)
        self.next_num = 1 + max((int(n.get(_qn("w:numId"))) for n in nums), default=0)
        self.last_abstract = abstracts[-1] if abstracts else None
        self.page = page
        self.kinds: dict[str, int] = {}

    def _abstract(self, kind: str, text: str, font: str) -> int:
        if kind in self.kinds:
            return self.kinds[kind]
        number = self.next_abstract
        self.next_abstract += 1
        hang = self.page.em(1.5)
        level = _el("w:lvl", (
            _el("w:start", val=1), _el("w:numFmt", val="decimal"),
            _el("w:lvlText", val=text), _el("w:lvlJc", val="left"),
            _el("w:pPr", (_el("w:tabs", (_el("w:tab", val="num", pos=hang),)),
                          _indent(left=hang, hanging=hang))),
            _run_props(font)), ilvl=0)
        abstract = _el("w:abstractNum", (
            _el("w:nsid", val=f"{0x48410000 + number:08X}"),
            _el("w:multiLevelType", val="singleLevel"),
            _el("w:tmpl", val=f"{0x4E554D00 + number:08X}"), level), abstractNumId=number)
        if self.last_abstract is not None:
            self.last_abstract.addnext(abstract)
        else:
            self.root.insert(0, abstract)
        self.last_abstract = abstract
        self.kinds[kind] = number
        return number

    def new_list(self, kind: str, text: str, font: str) -> int:
        """A fresh list (numbered from 1) of ``kind``; its ``w:numId``."""
        abstract = self._abstract(kind, text, font)
        num_id = self.next_num
        self.next_num += 1
        self.root.append(_el("w:num", (
            _el("w:abstractNumId", val=abstract),
            _el("w:lvlOverride", (_el("w:startOverride", val=1),), ilvl=0)), numId=num_id))
        return num_id


def _number(paragraph: Paragraph, num_id: int) -> None:
    num = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num.get_or_add_ilvl().val = 0
    num.get_or_add_numId().val = num_id


# ---------------------------------------------------------------- fields


def _field(paragraph: Paragraph | _Para, instruction: str, result: str = "") -> None:
    """A complex field (``PAGE``, ``NUMPAGES``) with a cached result."""
    p = paragraph._p
    p.append(_el("w:r", (_el("w:fldChar", fldCharType="begin"),)))
    instr = _el("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = f" {instruction} "
    p.append(_el("w:r", (instr,)))
    p.append(_el("w:r", (_el("w:fldChar", fldCharType="separate"),)))
    text = _el("w:t")
    text.text = result
    p.append(_el("w:r", (_el("w:rPr", (_el("w:noProof"),)), text)))
    p.append(_el("w:r", (_el("w:fldChar", fldCharType="end"),)))


# ---------------------------------------------------------------- the document


@dataclass(frozen=True)
class _Heading:
    """A heading written so far: what the contents lists and where it links to."""

    level: int
    text: str
    bookmark: str


class _Writer:
    """Writes one handout into a fresh document, top to bottom as the PDF prints it."""

    def __init__(self, handout: Handout, page: Page) -> None:
        import docx

        self.handout = handout
        self.page = page
        self.faces = families()
        self.doc = docx.Document()
        self.body = self.doc.element.body
        for child in list(self.body):  # the template's empty paragraph
            if child.tag == _qn("w:p"):
                self.body.remove(child)
        self.numbering = _Numbering(self.doc, page)
        self.headings: list[_Heading] = []
        self.next_bookmark = 1
        self.sources = _sources(handout)
        self.multi = len(handout.outlines) > 1

    # -- building blocks

    def para(self, text: str = "", style: str = "Normal", **options: Any) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        if style != "Normal":
            paragraph._p.get_or_add_pPr().style = style  # a style id
        if text:
            self.text(paragraph, text, kai=style in KAI_STYLES)
        if options.get("page_break"):
            paragraph.paragraph_format.page_break_before = True
        return paragraph

    def passage(self, text: str, notes: int) -> None:
        """A paragraph of the passage; its note references ``[1]``…``[notes]`` set as
        superscripts, as the PDF sets them (``handouts/corpus/notes.py`` put them there)."""
        if not notes:
            self.para(text)
            return
        paragraph = self.para()
        for piece in re.split(r"(\[\d{1,3}\])", text):
            if not piece:
                continue
            run = paragraph.add_run(piece)
            ref = _NOTE_REF.fullmatch(piece)
            if ref and 1 <= int(ref.group(1)) <= notes:
                run.font.superscript = True

    def text(self, paragraph: Paragraph, text: str, *, kai: bool) -> None:
        """Add ``text``; in the Kai styles, its curly quotes in the body face.

        LXGW WenKai draws “ ” ‘ ’ narrow, as Latin quotes; in Chinese they take a full
        em (the PDF does the same with its ``cjk_quotes`` filter).
        """
        if not kai:
            paragraph.add_run(text)
            return
        for piece in _QUOTES.split(text):
            if not piece:
                continue
            run = paragraph.add_run(piece)
            if _QUOTES.fullmatch(piece):
                _east_asia(run, self.faces["body"])

    def heading(self, text: str, level: int, **options: Any) -> Paragraph:
        paragraph = self.para("", f"Heading{level}", **options)
        name = f"_Toc{self.next_bookmark:08d}"
        bookmark_id = self.next_bookmark
        self.next_bookmark += 1
        paragraph._p.append(_el("w:bookmarkStart", id=bookmark_id, name=name))
        paragraph.add_run(text)
        paragraph._p.append(_el("w:bookmarkEnd", id=bookmark_id))
        self.headings.append(_Heading(level, text, name))
        return paragraph

    def numbered(self, items: tuple[str, ...] | list[str], style: str, kind: str,
                 font_role: str = "heading") -> list[Paragraph]:
        num_id = self.numbering.new_list(kind, "%1.", self.faces[font_role])
        out = []
        for item in items:
            paragraph = self.para(item, style)
            _number(paragraph, num_id)
            out.append(paragraph)
        return out

    def writing_lines(self, count: int) -> None:
        for _ in range(count):
            self.para("", "WritingLine").add_run().add_tab()

    # -- the handout

    def write(self) -> WordDocument:
        _install_styles(self.doc, self.page, self.faces)
        self.setup_page()
        self.cover()
        toc_title = self.para("目　录", "TOCHeading", page_break=True)
        toc_at = self.body.index(toc_title._p) + 1
        reading_level = 2 if self.multi else 1
        for p, outline in enumerate(self.handout.outlines, 1):
            if self.multi:
                self.heading(f"第{chinese_number(p)}部分　{outline.theme.name}", 1,
                             page_break=True)
            for n, sec in enumerate(outline.sections, 1):
                self.reading(sec, n, reading_level,
                             page_break=not self.multi and n == 1)
            if outline.questions:
                title = (f"综合讨论：{outline.theme.name}" if self.multi else "综合讨论")
                self.closing(title, outline.questions, reading_level)
        self.back_matter()
        self.toc(toc_at, reading_level)
        self.properties()
        _install_font_table(self.doc, self.faces)
        _install_settings(self.doc)
        return self.doc

    def setup_page(self) -> None:
        from docx.shared import Twips

        section = self.doc.sections[0]
        page = self.page
        section.page_width, section.page_height = Twips(page.width), Twips(page.height)
        section.top_margin, section.bottom_margin = Twips(page.top), Twips(page.bottom)
        section.left_margin, section.right_margin = Twips(page.inner), Twips(page.outer)
        section.header_distance = Twips(round(page.top * 0.45))
        section.footer_distance = Twips(round(page.bottom * 0.45))
        section.gutter = Twips(0)
        section.different_first_page_header_footer = True  # the cover has neither
        section.first_page_header.is_linked_to_previous = False
        section.first_page_footer.is_linked_to_previous = False
        for empty in (section.first_page_header, section.first_page_footer):
            empty.paragraphs[0]._p.get_or_add_pPr().style = "Normal"  # no rule either
        header = section.header.paragraphs[0]
        header._p.get_or_add_pPr().style = "Header"
        # A roster packet is the branch's own, as in the PDF: its name leads the header.
        h = self.handout
        header.add_run(f"{h.branch}　{h.title}" if h.branch else h.title)
        footer = section.footer.paragraphs[0]
        footer._p.get_or_add_pPr().style = "Footer"
        footer.add_run("第 ")
        _field(footer, "PAGE", "1")
        footer.add_run(" 页 共 ")
        _field(footer, "NUMPAGES", "1")
        footer.add_run(" 页")

    def cover(self) -> None:
        h = self.handout
        has_meeting = bool(h.place or h.audience or h.agenda)
        # As in the PDF: a roster packet's cover is headed by its branch, and the
        # organiser (the 党委 behind the study month) moves to the facts.
        if h.branch or h.organiser:
            self.para(h.branch or h.organiser or "", "Kicker")
        self.para("会议学习材料" if has_meeting else "专题学习材料", "Kicker")
        self.para(h.title, "Title")
        themes = [o.theme.name for o in h.outlines]
        if len(themes) > 1:
            self.para("　·　".join(themes), "Kicker")
        self.para("", "CoverRule")
        if has_meeting:
            for label, value in (("时间", chinese_date(h.date) if h.date else None),
                                 ("地点", h.place), ("主办", h.organiser),
                                 ("参加人员", h.audience)):
                if value:
                    fact = self.para("", "CoverFact")
                    fact.add_run(label).font.color.rgb = _rgb(GREY)
                    fact.add_run("\t" + value)
        if h.agenda:
            self.para("会议议程", "CoverLabel")
            self.numbered(list(h.agenda), "CoverItem", "agenda")
        paragraphs = [p for p in (h.foreword or "").split("\n") if p.strip()]
        if paragraphs:
            self.para("前　言", "CoverLabel")
            for text in paragraphs:
                self.para(text, "Foreword")
        if not h.agenda and self.sources:
            self.para("选编篇目", "CoverLabel")
            for src in self.sources:
                item = self.para(f"《{_strip_book_marks(src.title)}》", "CoverItem")
                if src.date:
                    run = item.add_run("　" + chinese_date(src.date))
                    run.font.color.rgb = _rgb(GREY)
        foot = [x for x in (h.branch or h.organiser, chinese_date(h.date) if h.date else None)
                if x]
        if foot:
            last = self.para(foot[0], "CoverFoot")
            for line in foot[1:]:
                last.add_run().add_break()
                last.add_run(line)

    def reading(self, sec: OutlineSection, n: int, level: int, *, page_break: bool) -> None:
        by_doc = {s.id: s for s in self.sources}
        self.heading(f"{chinese_number(n)}、{reading_title(sec)}", level,
                     page_break=page_break)
        self.para(source_line(sec, by_doc.get(sec.doc_id)), "SourceLine")
        if sec.key_points:
            self.heading("学习要点", level + 1)
            self.numbered(sec.key_points, "KeyPoint", "key-points")
        for text in sec.paragraphs:
            self.passage(text, len(sec.notes))
        for line in sec.sources:
            paragraph = self.para(line, "Attribution")
            if is_editors_note(line):
                paragraph.alignment = _align("JUSTIFY")
        if sec.excerpt:
            self.para(sec.excerpt, "Excerpt")
        if sec.notes:
            self.heading("注释", level + 1)
            for i, note in enumerate(sec.notes, 1):
                self.para(f"[{i}]\t{note}", "Footnote")
        if sec.note:
            self.para("组织者提示", "OrganiserNoteLabel")
            for text in sec.note.split("\n"):
                if text.strip():
                    self.para(text, "OrganiserNote")
        if sec.questions:
            self.heading("讨论题", level + 1)
            self.questions(sec.questions, lines=3)

    def questions(self, questions: tuple[str, ...], *, lines: int) -> None:
        num_id = self.numbering.new_list("questions", "%1.", self.faces["heading"])
        for question in questions:
            paragraph = self.para(question, "Question")
            _number(paragraph, num_id)
            self.writing_lines(lines)

    def closing(self, title: str, questions: tuple[str, ...], level: int) -> None:
        self.heading(title, level, page_break=True).alignment = _align("CENTER")
        self.para("结合本次学习的内容，联系本人思想和工作实际，围绕以下问题作交流发言：", "Lead")
        self.questions(questions, lines=5)

    def back_matter(self) -> None:
        for i in range(max(0, self.handout.notes_pages)):
            if i == 0:
                self.heading("学习笔记", 1, page_break=True).alignment = _align("CENTER")
            else:  # the same title on each notes page, but once in the contents
                self.para("学习笔记", "PageTitle", page_break=True)
            self.writing_lines(self.page.notes_lines)
        if self.sources:
            self.heading("材料来源", 1, page_break=True).alignment = _align("CENTER")
            self.para("本材料选编自以下文献，文字略有整理，引用时请核对原文。", "Lead")
            for i, src in enumerate(self.sources, 1):
                text = f"[{i}]\t《{_strip_book_marks(src.title)}》"
                if src.source:
                    text += f"，{src.source}"
                if src.date:
                    text += f"，{chinese_date(src.date)}"
                self.para(text + "。", "SourceEntry")

    def toc(self, position: int, depth: int) -> None:
        """A TOC field over the heading levels down to the readings, its result filled
        in with the headings (linked, page numbers to be computed by Word's update)."""
        entries = [h for h in self.headings if h.level <= depth]
        paragraphs = []
        for i, entry in enumerate(entries):
            p = _el("w:p", (_el("w:pPr", (_el("w:pStyle", val=f"TOC{min(entry.level, 2)}"),
                                          )),))
            if i == 0:
                p.append(_el("w:r", (_el("w:fldChar", fldCharType="begin"),)))
                instr = _el("w:instrText")
                instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                instr.text = f' TOC \\o "1-{depth}" \\h \\z \\u '
                p.append(_el("w:r", (instr,)))
                p.append(_el("w:r", (_el("w:fldChar", fldCharType="separate"),)))
            text = _el("w:t")
            text.text = entry.text
            link = _el("w:hyperlink", (_el("w:r", (text,)), _el("w:r", (_el("w:tab"),))),
                       anchor=entry.bookmark, history=1)
            p.append(link)
            _field(_Para(p), f"PAGEREF {entry.bookmark} \\h")
            paragraphs.append(p)
        if not paragraphs:
            return
        paragraphs[-1].append(_el("w:r", (_el("w:fldChar", fldCharType="end"),)))
        for offset, p in enumerate(paragraphs):
            self.body.insert(position + offset, p)

    def properties(self) -> None:
        h = self.handout
        props = self.doc.core_properties
        themes = [o.theme.name for o in h.outlines]
        props.title = h.title
        props.subject = "；".join(themes)
        props.keywords = ", ".join(_keywords(h))
        props.language = "zh-CN"
        props.author = h.organiser or ""
        props.last_modified_by = h.organiser or ""
        props.category = "会议学习材料" if (h.place or h.audience or h.agenda) else "专题学习材料"
        props.comments = ""
        props.revision = 1
        stamp = _stamp(h.date)
        props.created = stamp
        props.modified = stamp


@dataclass(frozen=True)
class _Para:
    """A bare ``w:p`` where ``_field`` expects a python-docx paragraph."""

    _p: Any


def _align(name: str) -> Any:
    """python-docx's paragraph alignment by name (CENTER, JUSTIFY), imported late like
    the rest of python-docx here."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return WD_ALIGN_PARAGRAPH[name]


def _east_asia(run: Any, family: str) -> None:
    rpr = run._r.get_or_add_rPr()
    fonts_el = rpr.find(_qn("w:rFonts"))
    if fonts_el is None:
        fonts_el = _el("w:rFonts")
        rpr.insert(0, fonts_el)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts_el.set(_qn(f"w:{attr}"), family)


def _rgb(hex_color: str) -> Any:
    from docx.shared import RGBColor

    return RGBColor.from_string(hex_color)


_ISO = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?年?$")
_EPOCH = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)


def _stamp(date: str | None) -> _dt.datetime:
    """The document's creation time: the handout's date, else SOURCE_DATE_EPOCH, else a
    fixed day; never the clock, so a rebuild gives the same bytes."""
    if date and (match := _ISO.match(date.strip())):
        year, month, day = match.groups()
        try:
            return _dt.datetime(int(year), int(month or 1), int(day or 1), tzinfo=_dt.UTC)
        except ValueError:
            pass
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
    return _EPOCH


def _drop_thumbnail(document: WordDocument) -> None:
    """The template's thumbnail shows an empty page: file managers would show it."""
    rels = document.part.package.rels
    for rid, rel in list(rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            rels.pop(rid)


def _reproducible_zip(data: bytes) -> bytes:
    """The same package with fixed entry times (python-docx stamps the clock)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
