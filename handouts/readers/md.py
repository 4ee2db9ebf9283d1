"""Markdown (blog posts, notes apps): front matter as metadata, the body as plain
paragraphs with ``#`` heading lines kept for the sectioner."""

from __future__ import annotations

import re
from pathlib import Path

from handouts.readers.base import RawDocument, register
from handouts.readers.decode import read_text


@register(".md", ".markdown")
def read_markdown(path: Path) -> RawDocument:
    text, encoding = read_text(path)
    meta, body = split_front_matter(text)
    notes: dict[str, str] = {}
    return RawDocument(
        str(path),
        markdown_to_text(body, notes=notes),
        "markdown",
        encoding,
        title=meta.get("title"),
        date=meta.get("date"),
        source=meta.get("source"),
        author=meta.get("author"),
        notes=tuple(notes.items()),
    )


_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*\n", re.S)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """YAML-style front matter of a blog post: only flat ``key: value`` lines matter.
    Static-site exports often start with a blank line before the ``---``; it is still
    the front matter, not the article's first paragraph."""
    text = text.lstrip("\ufeff")
    match = _FRONT.match(text.lstrip("\n"))
    if not match:
        return {}, text
    text = text.lstrip("\n")
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
# A setext heading: its text, then a line of ``=`` (level 1) or ``-`` (level 2).
_MD_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
# A link with no text (a linked image once its image is gone): nothing to read.
_MD_EMPTY_LINK = re.compile(r"\[\s*\]\([^()\s]*(?:\([^()]*\)[^()\s]*)*\)")
# What is left of a link whose text spans a blank line (a page converter wrapped a
# whole block in one link): Markdown then shows the brackets and the destination as
# text.  They are syntax, not the author's words.  (An in-page ``](#_ftn1)`` is a
# footnote marker's, left for the notes stage.)
_MD_LINK_TAIL = re.compile(
    r"\]\((?:https?:|//|/|\.{0,2}/|javascript:|mailto:)[^()\s]*(?:\([^()]*\)[^()\s]*)*"
    r"(?:\s+\"[^\"]*\")?\)\[?"
)
_MD_BULLET = re.compile(r"^\s*[-*+]\s+")
_MD_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ESCAPED = 0xE100  # an escaped ASCII mark waits in the private use area
_ESCAPES = re.compile("[\ue121-\ue17e]")


def markdown_inline(text: str, refs: dict[str, str] | None = None) -> str:
    """Emphasis, links, images, footnote markers and inline code to plain text.

    With ``refs`` (a footnote's label -> its note label), a footnote reference becomes
    the note token ``[^label]`` instead of vanishing (see ``handouts/corpus/notes.py``).
    """
    # Backslash escapes (trafilatura writes \[1\] for a page's [1]) stand for the
    # character itself: hidden from the rules below, restored at the end.
    text = _MD_ESCAPE.sub(lambda m: chr(_ESCAPED + ord(m.group(1))), text)
    if refs is not None:
        # Hidden from the link rules below: [^1][^2] is not a reference-style link.
        text = _MD_FOOTREF.sub(
            lambda m: f"\ue000{refs[m.group(1)]}\ue001" if m.group(1) in refs else "", text
        )
    text = _MD_IMAGE.sub("", text)
    text = _MD_EMPTY_LINK.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_REF_LINK.sub(r"\1", text)
    text = _MD_FOOTREF.sub("", text)
    text = _MD_CODE.sub(r"\1", text)
    text = _MD_STRONG.sub(r"\2", text)
    text = _MD_EM.sub(lambda m: m.group(1) or m.group(2), text)
    text = _HTML_TAG.sub("", text)
    if refs is not None:
        text = re.sub("\ue000([^\ue001]*)\ue001", r"[^\1]", text)
    return _ESCAPES.sub(lambda m: chr(ord(m.group(0)) - _ESCAPED), text)


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


def markdown_to_text(text: str, notes: dict[str, str] | None = None) -> str:
    """Markdown -> one line per paragraph, blank lines between, headings kept as
    ``#`` lines for the sectioner.  Soft line breaks inside a paragraph are joined
    (Markdown semantics), so the text cleaner never has to guess there.

    Footnotes: given a ``notes`` dict, each ``[^x]: …`` definition goes into it (as
    ``md1``, ``md2``, … in order) and each reference becomes ``[^md1]``; without one, the
    references vanish and the definitions stay as ``注x：…`` paragraphs."""
    text = _strip_comments(text)
    refs: dict[str, str] | None = None
    if notes is not None:
        labels = [m.group(1) for m in map(_MD_FOOTDEF.match, text.split("\n")) if m]
        refs = {label: f"md{i}" for i, label in enumerate(dict.fromkeys(labels), 1)}
    out: list[str] = []
    para: list[str] = []
    fenced = False

    def flush() -> None:
        if para:
            text = _link_residue(_join_soft(para))
            if text:
                out.append(text)
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
        setext = _MD_SETEXT.match(line)
        if setext and para:
            # The paragraph just above is a heading (``=`` level 1, ``-`` level 2).
            level = "#" if setext.group(1)[0] == "=" else "##"
            text = _link_residue(_join_soft(para))
            para.clear()
            if text:
                out.append(f"{level} {text}")
                out.append("")
            continue
        if _MD_RULE.match(line) or (_MD_LINKDEF.match(line) and not _MD_FOOTDEF.match(line)):
            flush()
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            flush()
            out.append(f"{heading.group(1)} {markdown_inline(heading.group(2), refs)}")
            out.append("")
            continue
        footdef = _MD_FOOTDEF.match(line)
        if footdef:
            flush()
            if notes is not None and refs is not None:
                note = markdown_inline(footdef.group(2))
                label = refs[footdef.group(1)]
                notes[label] = f"{notes[label]}{note}" if label in notes else note
                continue
            out.append(f"注{footdef.group(1)}：{markdown_inline(footdef.group(2))}")
            out.append("")
            continue
        stripped = line.lstrip()
        while stripped.startswith(">"):
            stripped = stripped[1:].lstrip()
        if _MD_BULLET.match(stripped) or re.match(r"^\d+[.)]\s+", stripped):
            flush()  # each list item is its own paragraph
            stripped = _MD_BULLET.sub("", stripped)
        para.append(markdown_inline(stripped, refs))
    flush()
    return "\n".join(out).strip("\n") + "\n"


def _link_residue(text: str) -> str:
    """A paragraph without the link syntax a converter left around it: an empty link, a
    link split over soft line breaks (its parts were read line by line), the ``](…)``
    tail and the lone ``[`` of a link that spanned a blank line."""
    text = _MD_EMPTY_LINK.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_LINK_TAIL.sub("", text).strip()
    return "" if text == "[" else re.sub(r"\s*\[$", "", text)


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
