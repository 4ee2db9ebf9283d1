"""Handout -> HTML (Jinja2) -> PDF (WeasyPrint).

The HTML is the single source of the layout: ``render_html`` gives the ``--html``
preview and ``render_pdf`` lays the very same string out.  Everything visual lives in
``templates/`` and ``styles/``; this module only turns the data model into the plain
values the templates print (Chinese numerals, dates, source lines) and drives WeasyPrint.

WeasyPrint is imported inside the functions (0.6 s), and what is worth keeping between
renders (the Jinja environment, parsed stylesheets, the font configuration) is built
lazily per process, so one process renders many handouts and a worker pool forks
cleanly.  Corpus text is untrusted: Jinja autoescapes, and WeasyPrint may fetch only our
own templates, styles and font files.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import logging
import mimetypes
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from markupsafe import Markup

from handouts import paths
from handouts.errors import ConfigError, HandoutsError
from handouts.model import Handout, OutlineSection, SourceRef
from handouts.writers.pdf import fonts

VARIANTS = (None, "pdf/ua-1", "pdf/a-3b")
PAPERS = ("a4", "a5", "b5")
STYLESHEET = "handout.css"
TEMPLATE = "handout.html.j2"

_LOG = logging.getLogger(__name__)


# ---------------------------------------------------------------- public API


def render_html(handout: Handout) -> str:
    """The handout as one HTML document, exactly what the PDF is laid out from."""
    return _environment().get_template(TEMPLATE).render(doc=_view(handout))


def render_pdf(handout: Handout, *, variant: str | None = None) -> bytes:
    """Lay the handout out and return PDF bytes; identical inputs give identical bytes.

    Every character is checked against the fonts first (``MissingGlyphError`` names
    it and where it is).  ``booklet=True`` prints A5 pages and imposes them two-up on
    A4 landscape sheets in saddle-stitch order.
    """
    if variant not in VARIANTS:
        raise HandoutsError("--pdf-variant", f"unknown PDF variant {variant!r} "
                            f"(known: {', '.join(v for v in VARIANTS if v)})")
    check_handout_glyphs(handout)
    html = render_html(handout)
    pdf = _html_to_pdf(html, _page_setup(handout).paper, variant)
    if handout.booklet:
        from handouts.writers.pdf.booklet import impose_booklet

        pdf = impose_booklet(pdf, metadata_from=pdf)
    return pdf


def prepare() -> None:
    """Do once, now, what the first render of a process would otherwise pay for:
    import WeasyPrint, extend it (justify), resolve the fonts and read their character
    maps, build the font configuration and the templates.  For worker initializers."""
    justify_installed = _install_justify()
    for role in fonts.ROLES:
        fonts.coverage(role)
    _font_config()
    _environment().get_template(TEMPLATE)
    _template_labels()
    if not justify_installed:
        _LOG.warning("Chinese text will not be justified (see handouts.writers.pdf.justify)")


def _install_justify() -> bool:
    import weasyprint  # noqa: F401

    from handouts.writers.pdf import justify

    return justify.install()


def page_count(pdf: bytes) -> int:
    """Pages of a PDF (for reports and benchmarks)."""
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def check_handout_glyphs(handout: Handout) -> None:
    """Raise ``MissingGlyphError`` for the first character no configured face can draw."""
    fonts.check_glyphs(glyph_items(handout))
    # Labels written by the templates themselves (目录, 第…页) are checked too, so a
    # newly configured face that lacks one is caught here and not as tofu on paper.
    labels = _template_labels()
    fonts.check_glyphs([("templates/", labels, ("body", "heading"))])


def glyph_items(handout: Handout) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """``(where, text, roles)`` for every string the handout prints, with its faces."""
    head, body, quote = ("heading",), ("body",), ("quote",)
    yield "handout title", handout.title, head + body
    for label, value in (("branch", handout.branch), ("organiser", handout.organiser),
                         ("place", handout.place),
                         ("audience", handout.audience), ("date", handout.date)):
        if value:
            yield f"handout {label}", value, head + body
    for i, item in enumerate(handout.agenda, 1):
        yield f"agenda item {i}", item, body
    if handout.foreword:
        yield "foreword", handout.foreword, quote
    for outline in handout.outlines:
        yield f"theme {outline.theme.id}", outline.theme.name, head + body
        for sec in outline.sections:
            where = f"section {sec.id} ({sec.title})"
            yield where + " title", sec.title, head + body
            yield where + " source", sec.doc_title, head
            yield where + " text", sec.text, body
            for note in sec.notes:
                yield where + " note", note, body
            for point in sec.key_points:
                yield where + " key point", point, quote
            if sec.excerpt:
                yield where + " excerpt line", sec.excerpt, head
            if sec.note:
                yield where + " organiser's note", sec.note, quote
            for question in sec.questions:
                yield where + " question", question, body
        for question in outline.questions:
            yield f"theme {outline.theme.id} closing question", question, body
    for src in _sources(handout):
        yield f"source {src.id}", " ".join(filter(None, (src.title, src.source, src.date))), body


# ---------------------------------------------------------------- view model


@dataclass(frozen=True)
class PageSetup:
    paper: str
    css: str
    notes_lines: int


def _page_setup(handout: Handout) -> PageSetup:
    # A booklet is folded A4: its pages are A5 whatever the paper asked for.
    paper = "a5" if handout.booklet else handout.paper
    if paper not in PAPERS:
        raise HandoutsError("--paper", f"unknown paper {paper!r} (known: {', '.join(PAPERS)})")
    return _paper_css(paper)


@functools.cache
def _paper_css(paper: str) -> PageSetup:
    where = paths.STYLES / "paper.toml"
    try:
        spec = tomllib.loads(where.read_text(encoding="utf-8"))[paper]
        w, h, top, bottom = spec["width"], spec["height"], spec["top"], spec["bottom"]
        inner, outer, size = spec["inner"], spec["outer"], spec["font_size"]
        lines = int(spec["notes_lines"])
    except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(where, f"paper {paper!r} is not configured: {exc}") from None
    faces = fonts.font_roles()
    body, head, quote = (_css_family(faces[r][0]) for r in ("body", "heading", "quote"))
    css = (
        f":root{{--font-body:{body},serif;--font-heading:{head},sans-serif;"
        f"--font-quote:{quote},{body},serif}}"
        f"html{{font-size:{size}}}"
        f"@page{{size:{w} {h};margin:{top} {outer} {bottom} {inner};font-family:{head},sans-serif}}"
        f"@page :left{{margin-left:{outer};margin-right:{inner}}}"
        f"@page :right{{margin-left:{inner};margin-right:{outer}}}"
        # The cover fills at least its page so its foot can sit on the bottom margin;
        # a long foreword runs on rather than being cut.
        f".cover{{min-height:{_mm(h) - _mm(top) - _mm(bottom) - 1:.1f}mm}}"
    )
    return PageSetup(paper, css, lines)


def _mm(length: str) -> float:
    """``"297mm"`` -> 297.0 (paper.toml gives every length in millimetres)."""
    value = length.strip()
    if not value.endswith("mm"):
        raise ConfigError(paths.STYLES / "paper.toml", f"length {length!r} must be in mm")
    return float(value[:-2])


def _css_family(name: str) -> str:
    return '"' + "".join(c for c in name if c not in '\\"<>{};') + '"'


def _view(handout: Handout) -> dict[str, Any]:
    setup = _page_setup(handout)
    sources = _sources(handout)
    by_doc = {s.id: s for s in sources}
    multi = len(handout.outlines) > 1
    parts = []
    counter = 0
    for p, outline in enumerate(handout.outlines, 1):
        sections = []
        for sec in outline.sections:
            counter += 1
            sections.append({
                "id": sec.id,
                "anchor": f"sec-{counter}",
                "number": chinese_number(len(sections) + 1),
                "title": reading_title(sec),
                "header": running_title(f"{chinese_number(len(sections) + 1)}、"
                                        f"{reading_title(sec)}"),
                "source_line": source_line(sec, by_doc.get(sec.doc_id)),
                "key_points": sec.key_points,
                "paragraphs": sec.paragraphs,
                "excerpt": sec.excerpt,
                "note": [p for p in (sec.note or "").split("\n") if p.strip()],
                "notes": sec.notes,
                "sources": [(line, is_editors_note(line)) for line in sec.sources],
                "questions": sec.questions,
            })
        parts.append({
            "heading": f"第{chinese_number(p)}部分　{outline.theme.name}" if multi else None,
            "anchor": f"part-{p}",
            "sections": sections,
            "questions": outline.questions,
            "questions_anchor": f"closing-{p}",
            "questions_heading": "综合讨论" if not multi else f"综合讨论：{outline.theme.name}",
        })
    back = []
    if handout.notes_pages > 0:
        back.append({"anchor": "notes", "title": "学习笔记"})
    if sources:
        back.append({"anchor": "sources", "title": "材料来源"})
    themes = [o.theme.name for o in handout.outlines]
    facts = [(label, value) for label, value in (
        ("时间", chinese_date(handout.date) if handout.date else None),
        ("地点", handout.place),
        ("主办", handout.organiser),
        ("参加人员", handout.audience),
    ) if value]
    has_meeting = bool(handout.place or handout.audience or handout.agenda)
    return {
        "title": handout.title,
        "paper": setup.paper,
        # Generated from our own configuration, not from the corpus: safe to inline.
        "page_css": Markup(setup.css),
        "stylesheet": (paths.STYLES / STYLESHEET).as_uri(),
        "organiser": handout.organiser,
        # A roster packet is the branch's own: its name heads the cover and the running
        # header, and the organiser (the 党委 behind the study month) moves to the facts.
        "cover_top": handout.branch or handout.organiser,
        "header": f"{handout.branch}　{handout.title}" if handout.branch else handout.title,
        "kicker": "会议学习材料" if has_meeting else "专题学习材料",
        "cover_foot": "\n".join(filter(None, (
            handout.branch or handout.organiser,
            chinese_date(handout.date) if handout.date else None))),
        "themes": themes,
        "subject": "；".join(themes),
        "keywords": _keywords(handout),
        "date": chinese_date(handout.date) if handout.date else None,
        "iso_date": _iso_date(handout.date),
        "facts": facts if has_meeting else [],
        "agenda": handout.agenda,
        "foreword": [p for p in (handout.foreword or "").split("\n") if p.strip()],
        "sources": [
            {"title": _strip_book_marks(s.title), "origin": s.source,
             "date": chinese_date(s.date) if s.date else None}
            for s in sources
        ],
        "parts": parts,
        # Room for the widest section number in the contents (一、 … 二十一、).
        "num_width": 1 + max((len(sec["number"]) for part in parts
                              for sec in part["sections"]), default=1),
        "back": back,
        "notes_pages": max(0, handout.notes_pages),
        "notes_lines": setup.notes_lines,
    }


def _sources(handout: Handout) -> tuple[SourceRef, ...]:
    """The documents cited, in order of first use, once each."""
    seen: dict[str, SourceRef] = {}
    candidates: list[SourceRef] = list(handout.sources)
    for outline in handout.outlines:
        candidates.extend(outline.sources)
    for src in candidates:
        seen.setdefault(src.id, src)
    return tuple(seen.values())


def source_line(sec: OutlineSection, src: SourceRef | None) -> str:
    """``摘自《题目》，来源，2017年3月23日`` under each reading's heading."""
    parts = [f"摘自《{_strip_book_marks(src.title if src else sec.doc_title)}》"]
    if src and src.source:
        parts.append(src.source)
    if src and src.date:
        parts.append(chinese_date(src.date))
    return "，".join(parts)


_ENUMERATION = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+[篇章节部分条讲]|[一二三四五六七八九十百零〇]+[、.．]"
    r"|第[一二三四五六七八九十]{1,3}[，,、](?=\S)"
    r"|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}(?:[、.．](?!\d)|(?:\.\d{1,2})+(?=\s))|[①-⑳]"
    r"|[一二三四五六七八九十]{1,3}[ \u3000]+(?=\S))"
    r"\s*[:：]?\s*"
)


# A source line longer than this (characters) is an editor's note (a Selected Works
# headnote that tells the occasion), set as a paragraph rather than flush right.
EDITORS_NOTE_CHARS = 40


def is_editors_note(line: str) -> bool:
    return len(line.strip()) > EDITORS_NOTE_CHARS


def display_title(title: str) -> str:
    """A section title without the source's own numbering (``二、``, ``1.``, ``（三）``):
    the handout numbers its readings itself, and ``一、二、…`` would read as a typo."""
    stripped = _ENUMERATION.sub("", title, count=1).strip()
    return stripped or title.strip()


_BARE_ORDINAL = re.compile(
    r"^\s*(?:第)?[（(]?([一二三四五六七八九十百零〇]+|\d{1,3})[)）]?\s*[、.．]?\s*$")


def reading_title(sec: Any) -> str:
    """The heading a reading is printed under: its title without the source's numbering,
    or, when the title is nothing but that numbering (三 over one directive of a
    compilation), its document's title with the source's number (关于“三反”、“五反”的
    斗争（三）): 一、三 names nothing."""
    bare = _BARE_ORDINAL.match(sec.title)
    if bare and sec.doc_title.strip():
        return f"{_strip_book_marks(sec.doc_title)}（{bare.group(1)}）"
    return display_title(sec.title)


def running_title(title: str, limit: int = 24) -> str:
    """A title short enough for the running header: cut at a comma if one falls late
    enough, else at ``limit`` characters, and marked with an ellipsis."""
    if len(title) <= limit:
        return title
    cut = max(title.rfind(mark, 0, limit) for mark in "，、；：")
    if cut >= limit // 2:
        return title[:cut] + "……"
    return title[: limit - 1] + "……"


def _strip_book_marks(title: str) -> str:
    return title.strip().removeprefix("《").removesuffix("》")


def _keywords(handout: Handout) -> list[str]:
    words: dict[str, None] = {}
    for outline in handout.outlines:
        words.setdefault(outline.theme.name, None)
        for sec in outline.sections:
            for word in sec.keywords:
                words.setdefault(word, None)
    return list(words)[:12]


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (section numbering)."""
    if n < 0:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    head = _DIGITS[n // 100] + "百"
    if rest == 0:
        return head
    return head + ("零" + _DIGITS[rest] if rest < 10 else chinese_number(rest) if rest >= 20
                   else "一" + chinese_number(rest))


_ISO = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?年?$")


def chinese_date(value: str) -> str:
    """``2017-03-23`` -> ``2017年3月23日``; anything else is printed as given."""
    match = _ISO.match(value.strip())
    if not match:
        return value
    year, month, day = match.groups()
    text = f"{year}年"
    if month:
        text += f"{int(month)}月"
        if day:
            text += f"{int(day)}日"
    return text


def _iso_date(value: str | None) -> str | None:
    """The PDF's creation date: the handout's own date, else SOURCE_DATE_EPOCH, never now."""
    if value:
        match = _ISO.match(value.strip())
        if match:
            year, month, day = match.groups()
            try:
                return _dt.date(int(year), int(month or 1), int(day or 1)).isoformat()
            except ValueError:
                pass
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        stamp = _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


@functools.cache
def _template_labels() -> str:
    """The Chinese the templates and stylesheet print on their own."""
    text = []
    for folder in (paths.TEMPLATES, paths.STYLES):
        for path in sorted(folder.glob("*")):
            if path.suffix in (".j2", ".css"):
                text.append(path.read_text(encoding="utf-8"))
    return "".join(ch for ch in "".join(text) if ord(ch) > 0x2E7F)


# ---------------------------------------------------------------- WeasyPrint


@functools.cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cjk_quotes"] = cjk_quotes
    env.filters["css_string"] = css_string
    env.filters["noterefs"] = noterefs
    _typesetting_filters(env)
    return env


def _typesetting_filters(env: Any) -> None:
    """``mixed_script`` (CLREQ spacing of Latin and numerals in Chinese text) and the
    style of its spans (``typesetting_css``), from ``typeset``."""
    from handouts.writers.pdf import typeset

    env.filters["mixed_script"] = typeset.mixed_script_markup
    env.globals["typesetting_css"] = typeset.css


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string that is safe inside an HTML ``<style>``.

    Every character outside plain CJK and alphanumerics is written as a CSS escape, so
    no quote, backslash, brace or ``</style>`` from the organiser's text can end the
    string or the style sheet.
    """
    out = []
    for char in text:
        if char.isalnum() or char in " \u3000":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return Markup('"' + "".join(out) + '"')


_QUOTES = re.compile("([\u2018\u2019\u201c\u201d])")


def cjk_quotes(text: str) -> Markup:
    """Escape ``text`` and set its curly quotes in the body face.

    LXGW WenKai draws “ ” ‘ ’ narrow, as Latin quotes; in Chinese they take a full
    em.  Wrapping them keeps the Kai text around them and the characters unchanged.
    """
    escaped = str(Markup.escape(text))
    return Markup(_QUOTES.sub(r'<span class="cjk-mark">\1</span>', escaped))


def noterefs(text: str, count: int) -> Markup:
    """Escape a paragraph and set its note references ``[1]``…``[count]`` as superscripts
    (``handouts/corpus/notes.py`` puts them there; a ``[7]`` beyond the section's notes is
    the author's own text and stays as it is)."""
    from handouts.corpus.notes import MARKER

    escaped = str(Markup.escape(text))

    def sup(m: re.Match[str]) -> str:
        if 1 <= int(m.group(1)) <= count:
            return f'<sup class="noteref">[{m.group(1)}]</sup>'
        return m.group(0)

    return Markup(MARKER.sub(sup, escaped)) if count else Markup(escaped)


def allowed_roots() -> tuple[Path, ...]:
    """What WeasyPrint may read: our templates and styles, and the configured fonts."""
    roots = [paths.TEMPLATES.resolve(), paths.STYLES.resolve()]
    roots.extend(Path(face.path).resolve() for face in fonts.faces().values())
    return tuple(roots)


def fetch_local(url: str) -> tuple[bytes, str]:
    """Read a ``file:`` URL under ``allowed_roots``; refuse everything else.

    Corpus text is untrusted and ends up in the HTML: even though Jinja escapes it, a
    stylesheet or template bug must not let a handout reach the network or the disk.
    """
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise PermissionError(f"refused to fetch {url!r}: only local style files are served")
    path = Path(url2pathname(parts.path)).resolve()
    if not any(path == root or path.is_relative_to(root) for root in allowed_roots()):
        raise PermissionError(f"refused to fetch {url!r}: outside templates/styles/fonts")
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return path.read_bytes(), mime


@functools.cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            body, mime = fetch_local(url)
            return URLFetcherResponse(url, body, {"Content-Type": mime})

    return LocalOnlyFetcher


_PER_PROCESS: dict[int, Any] = {}


def _font_config() -> Any:
    """One FontConfiguration per process (Pango objects must not cross a fork)."""
    pid = os.getpid()
    config = _PER_PROCESS.get(pid)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        _PER_PROCESS.clear()
        config = _PER_PROCESS[pid] = FontConfiguration()
    return config


def pdf_options(html: str, paper: str, variant: str | None) -> dict[str, Any]:
    """WeasyPrint's PDF options for a document.  The identifier is a digest of what was
    laid out, so a rebuild is byte-identical and a change anywhere gives a new one."""
    digest = hashlib.sha256(f"{variant}\n{paper}\n{html}".encode()).hexdigest()[:32]
    return {"pdf_variant": variant, "pdf_identifier": digest.encode("ascii")}


def _html_to_pdf(html: str, paper: str, variant: str | None) -> bytes:
    import weasyprint

    from handouts.writers.pdf import justify

    justify.install()
    fetcher = _fetcher_class()()
    options = pdf_options(html, paper, variant)
    source = weasyprint.HTML(
        string=html, base_url=paths.STYLES.as_uri() + "/", url_fetcher=fetcher)
    return lay_out(source, html, options).write_pdf(**options)


def lay_out(source: Any, html: str, options: dict[str, Any]) -> Any:
    """``source`` (parsed from ``html``) laid out, with the typesetter's finishing pass
    (``typeset``): lone last characters pulled up or pushed down."""
    from handouts.writers.pdf import typeset

    return typeset.finish(source, html,
                          lambda h: h.render(font_config=_font_config(), **options))


def text_column(paper: str, page: int) -> tuple[float, float]:
    """Left and right edge of the text column on a page (1-based), in PDF points.

    Odd pages are right-hand pages, bound on their left: the inner margin is there.
    """
    where = paths.STYLES / "paper.toml"
    spec = tomllib.loads(where.read_text(encoding="utf-8"))[paper]
    to_pt = 72 / 25.4
    width = _mm(spec["width"]) * to_pt
    inner, outer = _mm(spec["inner"]) * to_pt, _mm(spec["outer"]) * to_pt
    left = inner if page % 2 else outer
    right = outer if page % 2 else inner
    return left, width - right


@dataclass(frozen=True)
class RenderTiming:
    """One measured render for ``make bench``."""

    label: str
    seconds: float
    pages: int
    bytes: int


def benchmark(handout: Handout) -> list[RenderTiming]:
    """Time the handout as A4 pages and as an A5 booklet, in this process.

    The first A4 render is reported separately as ``cold``: it pays for importing
    WeasyPrint, building the font configuration and reading the fonts' character maps,
    which a process rendering many handouts pays once.
    """
    import dataclasses
    import time

    runs = [
        ("A4 (cold)", dataclasses.replace(handout, paper="a4", booklet=False)),
        ("A4", dataclasses.replace(handout, paper="a4", booklet=False)),
        ("A5 booklet", dataclasses.replace(handout, booklet=True)),
    ]
    timings = []
    for label, variant in runs:
        start = time.perf_counter()
        pdf = render_pdf(variant)
        seconds = time.perf_counter() - start
        timings.append(RenderTiming(label, seconds, page_count(pdf), len(pdf)))
    return timings
