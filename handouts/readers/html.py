"""Saved web pages: the article through trafilatura, as Markdown so headings survive."""

from __future__ import annotations

import re
from pathlib import Path

from handouts.errors import InputFileError
from handouts.readers.base import RawDocument, register
from handouts.readers.decode import normalise_newlines, read_text
from handouts.readers.md import markdown_to_text


@register(".html", ".htm")
def read_html(path: Path) -> RawDocument:
    html, encoding = read_text(path)
    return _read_html(path, html, encoding)


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
        # trafilatura gives up on some fragments (an editor's saved article body with no
        # <html> around it); their blocks are still the author's paragraphs.
        body = _html_blocks(html)
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
        title=getattr(meta, "title", None) or _repeated_alt(html),
        date=getattr(meta, "date", None) or None,
        source=getattr(meta, "sitename", None) or None,
        author=getattr(meta, "author", None) or None,
    )


def _repeated_alt(html: str) -> str | None:
    """A page body saved without its head (a news portal's article, cut from the editor)
    often names the article only in its pictures' alt text, the same on each: that text
    is the title when two or more pictures carry it and it reads as a line of Chinese."""
    from collections import Counter

    from lxml import etree
    from lxml import html as lxml_html

    try:
        alts = Counter(a.strip() for a in lxml_html.fromstring(html).xpath("//img/@alt"))
    except (etree.ParserError, ValueError):
        return None
    for alt, count in alts.most_common():
        if count >= 2 and len(re.findall(r"[\u4e00-\u9fff]", alt)) >= 6:
            return alt
    return None


_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "td")
# Visible text is text: Markdown-escape what the Markdown reader would take for markup.
_MARKUP = re.compile(r"([\\`*_\[\]<>#])")


def _html_blocks(html: str) -> str:
    """The visible text of each block element of a page, as Markdown paragraphs
    (headings keep their level).  Escaped markup (``&lt;img …&gt;``) is text the page
    shows, so it stays as text."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    for node in root.xpath("//script|//style|//noscript|//template"):
        node.drop_tree()
    out = []
    for el in root.iter(*_BLOCKS):
        if any(a.tag in _BLOCKS for a in el.iterancestors()):
            continue  # its text is in the enclosing block already
        text = _MARKUP.sub(r"\\\1", " ".join(el.text_content().split()))
        if not text:
            continue
        level = int(el.tag[1]) if el.tag[0] == "h" and el.tag[1:].isdigit() else 0
        out.append(("#" * level + " " if level else "") + text)
    return "\n\n".join(out)
