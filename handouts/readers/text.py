"""Bytes on disk -> plain text lines, one reader per input format.

Organisers save pages however their browser or a colleague's old Windows machine
saves them: GBK from a 2010 forum, Big5 from a Taiwanese mirror, UTF-16 from Notepad,
CR line endings from a Mac.  Everything downstream sees the same thing: a ``str`` with
``\\n`` line ends, plus whatever metadata the format itself states (HTML meta tags,
Markdown front matter).  A file that is not text raises ``InputFileError`` naming it,
so one bad file never hides the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from handouts.errors import InputFileError

EXTENSIONS = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}

# Magic numbers of formats people drop into a folder by mistake.
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"\x7fELF",
    b"Rar!",
    b"\x1f\x8b",
    b"BM",
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class RawDocument:
    """A decoded file: its text (``\\n`` line ends) and the metadata its format states."""

    path: str
    text: str
    format: str  # "text" or "markdown" (HTML arrives here as Markdown)
    encoding: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None


def decode(data: bytes, where: str | Path) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise ``InputFileError`` for empty or binary data.

    Unambiguous signals go first (BOMs, strict UTF-8, the NUL pattern of BOM-less
    UTF-16); only then is charset-normalizer asked to choose among the legacy Chinese
    code pages, which it does by how plausible each decoding reads.
    """
    if not data.strip(b" \t\r\n\x00"):
        raise InputFileError(where, "empty file")
    for magic in _BINARY_MAGIC:
        if data.startswith(magic) and not _mostly_text_utf8(data):
            raise InputFileError(where, "binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", where), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", where), "utf-16"
    utf16 = _bomless_utf16(data)
    if utf16:
        return _strict(data, utf16, where), utf16
    if b"\x00" in data:
        raise InputFileError(where, "binary file, not text")
    try:
        return _checked(data.decode("utf-8"), where), "utf-8"
    except UnicodeDecodeError:
        pass
    return _legacy(data, where)


def _mostly_text_utf8(data: bytes) -> bool:
    try:
        text = data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _CONTROL.search(text)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: text in any 8-bit encoding has no NUL bytes, UTF-16 has
    them beside every ASCII character (and in some Han ones, U+4E00 一).  Both byte
    orders are tried; the reading that is clean Chinese (or plain ASCII) wins."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2 or b"\x00" not in sample:
        return None
    readings = []
    for candidate in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            continue
        score = 1.5 if text.isascii() else _han_ratio(text)
        readings.append((score, candidate))
    if readings:
        score, candidate = max(readings)
        if score >= 0.2:
            return candidate
    return None


def _strict(data: bytes, encoding: str, where: str | Path) -> str:
    try:
        return _checked(data.decode(encoding), where)
    except UnicodeDecodeError as err:
        raise InputFileError(where, f"cannot decode as {encoding} (byte {err.start})") from None


def _checked(text: str, where: str | Path) -> str:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputFileError(where, "empty file")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 200):
        raise InputFileError(where, "binary file, not text")
    return text


def _legacy(data: bytes, where: str | Path) -> tuple[str, str]:
    """GB18030/GBK or Big5: decode strictly with each, keep the readings that work,
    and let charset-normalizer's chaos/coherence measure decide between them."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16"]).best()
    candidates: list[tuple[str, str]] = []
    if best is not None:
        candidates.append((str(best), best.encoding))
    for encoding in ("gb18030", "big5"):
        try:
            candidates.append((data.decode(encoding), encoding))
        except UnicodeDecodeError:
            continue
    if not candidates:
        raise InputFileError(where, "cannot decode: not UTF-8, UTF-16, GB18030 or Big5 text")
    # charset-normalizer's pick first; a strict decode only when it found nothing.
    text, encoding = candidates[0]
    if _han_ratio(text) < 0.05 and len(candidates) > 1:
        text, encoding = max(candidates, key=lambda c: _han_ratio(c[0]))
    return _checked(text, where), encoding


def _han_ratio(text: str) -> float:
    return len(_HAN.findall(text)) / max(1, len(text))


def normalise_newlines(text: str) -> str:
    """LF, CRLF, CR, and the Unicode line/paragraph separators all become ``\\n``."""
    return (
        text.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\u2028", "\n")
        .replace("\u2029", "\n\n")
    )


def read_document(path: str | Path) -> RawDocument:
    """Read one corpus file with the reader its extension names."""
    path = Path(path)
    kind = EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        raise InputFileError(
            path, f"unsupported file type {path.suffix!r} (use .txt, .md or .html)"
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputFileError(path, f"cannot read: {err.strerror or err}") from None
    text, encoding = decode(data, path)
    text = normalise_newlines(text)
    if kind == "html":
        return _read_html(path, text, encoding)
    if kind == "markdown":
        meta, body = split_front_matter(text)
        return RawDocument(
            str(path),
            markdown_to_text(body),
            "markdown",
            encoding,
            title=meta.get("title"),
            date=meta.get("date"),
            source=meta.get("source"),
            author=meta.get("author"),
        )
    return RawDocument(str(path), text, "text", encoding)


def _read_html(path: Path, html: str, encoding: str) -> RawDocument:
    """Main content through trafilatura (a maintained boilerplate remover), as Markdown
    so headings survive; the page's own metadata goes into the hints."""
    try:
        import trafilatura
    except ImportError as err:  # trafilatura 2 needs lxml_html_clean, packaged apart
        raise InputFileError(
            path, f"cannot read HTML: {err.name or err} is not installed"
        ) from None

    body = trafilatura.extract(
        html,
        output_format="markdown",
        include_formatting=True,
        include_links=False,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
    )
    if not body or not body.strip():
        raise InputFileError(path, "no article text found in the HTML page")
    # Each line trafilatura returns is a block of the page (its fallback extractor
    # separates blocks by single newlines), so each becomes a paragraph.
    body = re.sub(r"(?<!\n)\n(?!\n)", "\n\n", body)
    # extensive=False: no date guessed from a copyright year or the URL.
    meta = trafilatura.extract_metadata(html, extensive=False)
    return RawDocument(
        str(path),
        markdown_to_text(normalise_newlines(body)),
        "markdown",
        encoding,
        title=getattr(meta, "title", None) or None,
        date=getattr(meta, "date", None) or None,
        source=getattr(meta, "sitename", None) or None,
        author=getattr(meta, "author", None) or None,
    )


_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*\n", re.S)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """YAML-style front matter of a blog post: only flat ``key: value`` lines matter."""
    match = _FRONT.match(text.lstrip("\ufeff"))
    if not match:
        return {}, text
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and value.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    aliases = {"作者": "author", "标题": "title", "日期": "date", "来源": "source"}
    for cn, en in aliases.items():
        if cn in meta and en not in meta:
            meta[en] = meta[cn]
    return meta, text[match.end() :]


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
# Unambiguous on purpose (no nested repetition): a hostile ``[x](aaaa…`` must not
# backtrack exponentially.
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^()\s]*(?:\([^()]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\)")
_MD_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_MD_FOOTREF = re.compile(r"\[\^([^\]]+)\](?!:)")
_MD_FOOTDEF = re.compile(r"^\[\^([^\]]+)\]:\s*(.*)$")
_MD_LINKDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EM = re.compile(
    r"(?<![A-Za-z0-9*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\*)"
    r"|(?<![A-Za-z0-9_])_(?=\S)([^_\n]+?)(?<=\S)_(?![A-Za-z0-9_])"
)
_MD_CODE = re.compile(r"`([^`]+)`")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BULLET = re.compile(r"^\s*[-*+]\s+")
_MD_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def markdown_inline(text: str) -> str:
    """Emphasis, links, images, footnote markers and inline code to plain text."""
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_REF_LINK.sub(r"\1", text)
    text = _MD_FOOTREF.sub("", text)
    text = _MD_CODE.sub(r"\1", text)
    text = _MD_STRONG.sub(r"\2", text)
    text = _MD_EM.sub(lambda m: m.group(1) or m.group(2), text)
    return _HTML_TAG.sub("", text)


def _strip_comments(text: str) -> str:
    """``<!-- … -->`` out, in one pass (a regex would rescan on every unclosed one)."""
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            break
        end = text.find("-->", start + 4)
        if end < 0:
            break
        out.append(text[pos:start])
        pos = end + 3
    out.append(text[pos:])
    return "".join(out)


def markdown_to_text(text: str) -> str:
    """Markdown -> one line per paragraph, blank lines between, headings kept as
    ``#`` lines for the sectioner.  Soft line breaks inside a paragraph are joined
    (Markdown semantics), so the text cleaner never has to guess there."""
    text = _strip_comments(text)
    out: list[str] = []
    para: list[str] = []
    fenced = False

    def flush() -> None:
        if para:
            out.append(_join_soft(para))
            out.append("")
            para.clear()

    for raw in text.split("\n"):
        line = raw.rstrip()
        if line.lstrip().startswith(("```", "~~~")):
            flush()
            fenced = not fenced
            continue
        if fenced:
            if line.strip():
                out.append(line.strip())
                out.append("")
            continue
        if not line.strip():
            flush()
            continue
        if _MD_RULE.match(line) or (_MD_LINKDEF.match(line) and not _MD_FOOTDEF.match(line)):
            flush()
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            flush()
            out.append(f"{heading.group(1)} {markdown_inline(heading.group(2))}")
            out.append("")
            continue
        footdef = _MD_FOOTDEF.match(line)
        if footdef:
            flush()
            out.append(f"注{footdef.group(1)}：{markdown_inline(footdef.group(2))}")
            out.append("")
            continue
        stripped = line.lstrip()
        while stripped.startswith(">"):
            stripped = stripped[1:].lstrip()
        if _MD_BULLET.match(stripped) or re.match(r"^\d+[.)]\s+", stripped):
            flush()  # each list item is its own paragraph
            stripped = _MD_BULLET.sub("", stripped)
        para.append(markdown_inline(stripped))
    flush()
    return "\n".join(out).strip("\n") + "\n"


def _join_soft(lines: list[str]) -> str:
    """Join soft-wrapped lines: no space between Han characters, one between words."""
    joined = lines[0].strip()
    for line in lines[1:]:
        line = line.strip()
        if joined and line and (joined[-1].isascii() and line[0].isascii()):
            joined += " " + line
        else:
            joined += line
    return joined
