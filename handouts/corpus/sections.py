"""Cleaned paragraphs -> a heading tree of sections.

Chinese study texts number their parts in a handful of conventional styles
(第一篇 / 一、 / （一） / 1. / （1） / 第一， / 一是 ...), but no rule says which style
nests in which: one essay puts （一） under 一、, another puts 第一， under 二、, a
compilation restarts at 一、 for each article.  So levels are not looked up in a fixed
table; they follow the order styles open in, as reStructuredText does with its
underline styles: a style already open closes everything under it (a sibling), a new
style opens a child.  Only the styles that carve a text into articles (第X篇/章/部分,
Markdown ``#``) and unnumbered title lines close numbered lists they meet.

A heading run into its text (``一、标题。正文……``, ``（三）标题 正文……``) is split
into title and body; the body may hold the next heading (``二、标题 第一，……``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from handouts.corpus.clean import (
    TERMINAL,
    has_heading_marker,
    headnote,
    is_attribution,
    is_label,
    is_prose,
    title_like,
)
from handouts.model import Section

CN = "一二三四五六七八九十"
_STRUCTURAL = {"篇": 1, "章": 2, "部分": 3, "节": 4}


@dataclass(frozen=True)
class Style:
    name: str
    pattern: re.Pattern[str]
    rules: str  # which title/body splits are allowed, see _split
    structural: int = 0  # > 0: rank of a style that carves the text into parts


STYLES: tuple[Style, ...] = (
    Style(
        "structural",
        re.compile(rf"^第[{CN}百零〇\d]{{1,4}}(篇|章|部分|节)"),
        "space,whole,sentence,marker",
    ),
    # A bare numeral line (``一``) heads a part too: collections number their pieces so.
    Style("cn", re.compile(rf"^[{CN}]{{1,3}}(?:[、．.]| (?=\S)|$)"), "space,whole,sentence"),
    Style("cn-paren", re.compile(rf"^[（(][{CN}]{{1,3}}[)）]"), "space,whole,sentence"),
    Style("arabic", re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))"), "space,whole,sentence"),
    Style("arabic-paren", re.compile(r"^[（(]\d{1,2}[)）]"), "space,whole"),
    Style("arabic-close", re.compile(r"^\d{1,2}[)）]"), "space,whole"),
    Style("roman", re.compile(r"^[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]{1,3}(?:[、．.]| (?=\S))"), "space,whole,sentence"),
    Style("run-in", re.compile(rf"^第[{CN}]{{1,3}}[，,、：:]"), "space,whole,sentence,clause"),
    Style("shi", re.compile(rf"^[{CN}]是"), "space,clause,sentence"),
    Style("sequence", re.compile(r"^(?:首先|其次|再次|最后)[，,]"), "clause"),
    Style("bullet", re.compile(r"^[●■◆▲★]\s*"), "space,whole"),
)
_MD = re.compile(r"^(#{1,6})\s+(.*)$")
_SENT = re.compile(r"[。！？；!?]")
_CLAUSE = re.compile(r"[，：,:]")


@dataclass(frozen=True)
class Heading:
    """A paragraph recognised as a heading: its style, title, and the rest of it."""

    style: str
    title: str
    body: str
    structural: int = 0


def classify(paragraph: str, *, markdown: bool = False) -> Heading | None:
    """The heading a paragraph opens with, if any (numbered and Markdown styles only;
    unnumbered title lines need their neighbours and are found in ``split_sections``)."""
    md = _MD.match(paragraph)
    if md:
        return Heading(
            f"md{len(md.group(1))}", md.group(2).strip(), "", structural=len(md.group(1))
        )
    for style in STYLES:
        match = style.pattern.match(paragraph)
        if not match:
            continue
        split = _split(paragraph, match.end(), style.rules)
        if split is None:
            return None
        title, body = split
        if style.name == "bullet":
            title = title[match.end() :].strip() or title  # the dingbat is decoration
        rank = _STRUCTURAL[match.group(1)] if style.name == "structural" else 0
        name = f"structural-{match.group(1)}" if rank else style.name
        return Heading(name, title, body, structural=rank)
    return None


def _split(paragraph: str, marker_end: int, rules: str) -> tuple[str, str] | None:
    """Title and body of a numbered paragraph, or None if it is a list item, not a head.

    The rules are tried in the order the style lists them.  space: a space ends the
    title and what follows reads as text (``（三）标题 正文……``); whole: the paragraph
    is one sentence short enough to be a title; sentence: the first sentence is
    short; clause: the first clause is short (run-in heads such as ``一是学风引领，要求……``);
    marker: the marker alone is the title.
    """
    text = paragraph.rstrip()
    inner = _SENT.search(text, marker_end)
    for rule in rules.split(","):
        if rule == "space":
            space = text.find(" ", marker_end, 41)
            rest = text[space + 1 :].strip() if space > 0 else ""
            if (
                space > marker_end
                and not _SENT.search(text, marker_end, space)
                and (len(rest) >= 15 or _SENT.search(rest) or classify(rest) is not None)
            ):
                return text[:space], rest
        elif rule == "whole":
            one_sentence = inner is None or inner.end() == len(text)
            commas = len(re.findall(r"[，,]", text))
            # A long head set on two lines has its clauses but never a full stop.
            unstopped = inner is None and text[-1] not in TERMINAL
            if one_sentence and (
                len(text) <= 40 or (len(text) <= 72 and (commas <= 2 or unstopped))
            ):
                return text.rstrip("。；;"), ""
        elif rule == "sentence":
            if inner is not None and inner.start() <= 40 and inner.end() < len(text):
                return text[: inner.start()], text[inner.end() :].strip()
        elif rule == "clause":
            clause = _CLAUSE.search(text, marker_end)
            if (
                clause is not None
                and clause.start() <= 40
                and (inner is None or clause.start() < inner.start())
            ):
                return text[: clause.start()], text[clause.end() :].strip()
        elif rule == "marker":
            return text[:marker_end].rstrip("：:，, "), text[marker_end:].lstrip("：:，, ")
    return None


def _sequence_heads(paragraphs: Sequence[str]) -> set[int]:
    """Paragraphs opening a real 一是/二是 (or 首先/其次) sequence: a lone 一是 or 首先
    is ordinary prose, two in order are points of a list."""
    heads: set[int] = set()
    starts = {}
    for idx, p in enumerate(paragraphs):
        m = re.match(rf"^([{CN}])是", p)
        if m:
            starts[idx] = ("shi", CN.index(m.group(1)) + 1)
        elif re.match(r"^(首先|其次|再次|最后)[，,]", p):
            starts[idx] = ("sequence", ["首先", "其次", "再次", "最后"].index(p[:2]) + 1)
    indices = sorted(starts)
    for pos, idx in enumerate(indices):
        kind, n = starts[idx]
        nxt = indices[pos + 1] if pos + 1 < len(indices) else None
        prv = indices[pos - 1] if pos else None
        follows = (
            nxt is not None
            and starts[nxt][0] == kind
            and starts[nxt][1] in (n + 1, 4)
            and nxt - idx <= 12
        )
        preceded = (
            prv is not None
            and starts[prv][0] == kind
            and (n == starts[prv][1] + 1 or n == 4)
            and idx - prv <= 12
        )
        if (follows and n == 1) or preceded:
            heads.add(idx)
    return heads


_LIST_STYLES = ("cn", "cn-paren", "arabic", "arabic-paren", "arabic-close")
_NUMERAL = re.compile(rf"[{CN}]+|\d+")
_ITEM_END = re.compile(r"[。！？；;!?]$")


def _sentences(paragraph: str) -> int:
    return len(re.findall(r"[。！？!?]", paragraph.rstrip("。！？!?；;”’）)"))) + 1


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if len(token) == 1:
        return CN.index(token) + 1
    tens, _, units = token.partition("十")
    return (CN.index(tens) + 1 if tens else 1) * 10 + (CN.index(units) + 1 if units else 0)


def _marker(paragraph: str) -> tuple[str, int] | None:
    """(style, number) of the numbering a paragraph opens with, if it is a list style."""
    for style in STYLES:
        if style.name in _LIST_STYLES and style.pattern.match(paragraph):
            return style.name, _number(_NUMERAL.search(paragraph).group(0))  # type: ignore[union-attr]
    return None


def _list_items(paragraphs: Sequence[str]) -> set[int]:
    """Numbered paragraphs that are points of a list, not heads of parts:

    * several items run inside one paragraph (``（一）一切行动听指挥；（二）不拿……``);
    * a run of adjacent items that each end a sentence, most of them one sentence alone
      (``1、农忙时一律停一下，总结经验。`` / ``2、争取今年丰收。``): a head is followed
      by its text, and a run-in head (``1、一切为了群众。这是……``) carries some;
    * a lead-in ending in a colon right before such a list (``二、三大纪律如下：``);
    * the other items of a sequence one of whose items is a paragraph of text or a point
      (``一、本军三大纪律……实行多年……`` makes ``二、三大纪律如下：`` a point too).
    """
    items: set[int] = set()
    markers = [_marker(p) for p in paragraphs]
    for idx, (p, m) in enumerate(zip(paragraphs, markers, strict=True)):
        if m and _inline_list(p, m[0]):
            items.add(idx)
    idx = 0
    while idx < len(paragraphs):
        m = markers[idx]
        end = idx
        while (
            m
            and end + 1 < len(paragraphs)
            and markers[end + 1] is not None
            and markers[end + 1][0] == m[0]  # type: ignore[index]
            and markers[end + 1][1] == markers[end][1] + 1  # type: ignore[index]
        ):
            end += 1
        last = end
        if _has_own_text(paragraphs, markers, end):
            last -= 1  # the run's last item has its text under it: that one is a head
        run = range(idx, last + 1)
        single = sum(1 for i in run if _sentences(paragraphs[i]) == 1)
        if (
            last > idx
            and 2 * single >= len(run)
            and all(_ITEM_END.search(paragraphs[i].rstrip("”’）)")) for i in run)
        ):
            items.update(run)
        idx = end + 1
    # A lead-in (二、三大纪律如下：) whose next paragraph is a run-in list is a sentence
    # of the text introducing that list.
    for idx, m in enumerate(markers):
        if m and re.search(r"[：:]$", paragraphs[idx]) and idx + 1 in items:
            nxt = markers[idx + 1]
            if nxt and nxt[0] != m[0]:
                items.add(idx)
    # One numbered sequence (一、二、三、… from 一 on) plays one role: if one of its
    # items is a paragraph of text or a point of a list, so are the others.
    for idx, m in enumerate(markers):
        if not m or m[1] != 1:
            continue
        members = [idx]
        for later in range(idx + 1, len(paragraphs)):
            if paragraphs[later].startswith("#"):
                break
            lm = markers[later]
            if lm and lm[0] == m[0]:
                if lm[1] != len(members) + 1:
                    break
                members.append(later)
        if len(members) > 1 and any(
            i in items or classify(paragraphs[i]) is None for i in members
        ):
            # ... except an item with text of its own under it: that one is a head (the
            # last one-sentence item is a point still: what follows closes the list).
            for i in members:
                closing = i == members[-1] and _sentences(paragraphs[i]) == 1
                if closing or not _has_own_text(paragraphs, markers, i):
                    items.add(i)
    return items


def _has_own_text(paragraphs: Sequence[str], markers: Sequence[object], idx: int) -> bool:
    """Whether the paragraph after ``idx`` (attribution lines looked past) is text under
    it rather than another item or a heading."""
    for nxt in range(idx + 1, len(paragraphs)):
        p = paragraphs[nxt]
        if is_attribution(p):
            continue
        return markers[nxt] is None and not p.startswith("#") and classify(p) is None
    return False


def _inline_list(paragraph: str, style: str) -> bool:
    pattern = {
        "cn": rf"[；;。，,]\s*[{CN}]{{1,3}}、",
        "cn-paren": rf"[（(][{CN}]{{1,3}}[)）]",
        "arabic": r"[；;。，,]\s*\d{1,2}、",
        "arabic-paren": r"[（(]\d{1,2}[)）]",
        "arabic-close": r"[；;。，,]\s*\d{1,2}[)）]",
    }[style]
    found = re.findall(pattern, paragraph[1:])
    return len(found) >= 1 and bool(re.search(r"[；;]", paragraph))


@dataclass(frozen=True)
class _Item:
    heading: Heading | None
    text: str
    source: bool = False  # an attribution line: the passage's source, not its text
    opens: bool = False  # a headnote: it opens the document's first section, as text would


def _letters(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z\u3400-\u9fff]+", "", text)


def _items(paragraphs: Sequence[str], *, markdown: bool, doc_title: str = "") -> list[_Item]:
    """Paragraphs -> headings and body paragraphs, run-in heads split off."""
    sequence = _sequence_heads(paragraphs)
    listed = _list_items(paragraphs)
    # Unnumbered title lines are looked for unless the author marked the heads: a page
    # converted from HTML arrives as Markdown without a single # when its heads were
    # bold or plain lines (新时代“三农”工作总抓手).
    marked = markdown and any(_MD.match(p) for p in paragraphs)
    sources = [is_attribution(p) for p in paragraphs]
    opening = _opening(paragraphs, sources, markdown=markdown)
    note = headnote(paragraphs[opening]) if opening is not None else None
    if opening is not None and note is not None:
        sources[opening] = True
    around = _text_around(paragraphs, sources)
    items: list[_Item] = []
    for idx, paragraph in enumerate(paragraphs):
        if sources[idx]:
            if idx == opening and note is not None:
                items.append(_Item(None, note, source=True, opens=True))
            else:
                items.append(_Item(None, paragraph, source=True))
            continue
        prev, nxt = around[idx]
        pending = paragraph
        depth = 0
        while pending and depth < 4:
            depth += 1
            heading = None if idx in listed and depth == 1 else classify(pending, markdown=markdown)
            if (
                heading
                and heading.style in ("shi", "sequence")
                and (depth > 1 or idx not in sequence)
            ):
                heading = None
            if (
                heading is None
                and depth == 1
                and not marked
                and (_title_line(paragraph, prev, nxt, items) or _bylined_title(paragraph, nxt))
            ):
                heading = Heading("title", pending, "")
            if heading is None:
                items.append(_Item(None, pending))
                break
            if _repeats_title(heading, doc_title, items):
                # Pages print the title again above the text (a ``##`` head under the
                # ``#`` one): that is the document's title, not a part of it.
                pending = heading.body
                continue
            items.append(_Item(heading, heading.title))
            pending = heading.body
    return items


def _opening(paragraphs: Sequence[str], sources: Sequence[bool], *,
             markdown: bool) -> int | None:
    """The index of the document's first paragraph of prose: past its title, headings,
    source lines and bracketed datelines (the place of an editor's headnote)."""
    for idx, paragraph in enumerate(paragraphs):
        p = paragraph.strip()
        if sources[idx] or not p or re.fullmatch(r"[（(][^（）()]*[）)]", p):
            continue
        if classify(p, markdown=markdown) is not None:
            continue
        return idx
    return None


def _repeats_title(heading: Heading, doc_title: str, items: Sequence[_Item]) -> bool:
    return (
        bool(doc_title)
        and _letters(heading.title) == _letters(doc_title)
        and not any(i.heading for i in items)
    )


def _text_around(
    paragraphs: Sequence[str], sources: Sequence[bool]
) -> list[tuple[str | None, str | None]]:
    """For each paragraph, the nearest paragraphs of text before and after it: attribution
    lines are the passages' sources, so a head is judged by the text around them.
    (Two passes, so a page of 20,000 lines costs what 20,000 lines cost.)"""
    out: list[list[str | None]] = [[None, None] for _ in paragraphs]
    last: str | None = None
    for idx, p in enumerate(paragraphs):
        out[idx][0] = last
        if not sources[idx]:
            last = p
    last = None
    for idx in range(len(paragraphs) - 1, -1, -1):
        out[idx][1] = last
        if not sources[idx]:
            last = paragraphs[idx]
    return [(a, b) for a, b in out]


_BYLINE_TOKEN = re.compile(r"[^\s，。！？；：,.!?;:、“”\"（）()]{1,8}")


def _bylined_title(p: str, nxt: str | None) -> bool:
    """A piece of a compilation opens with its title and its author's byline on one line
    (``大学生党员如何实施群众路线 会展二支部 会展1102 高子茵``): a title-like first part
    and two to four short tokens (unit, class, name), with the piece's text after it.
    Unlike a bare title line it may follow a heading: it is the first piece of a part."""
    parts = p.split()
    if len(parts) < 3 or len(parts) > 5 or nxt is None:
        return False
    head, byline = parts[0], parts[1:]
    if not (6 <= len(head) <= 30 and title_like(head) and head[-1] not in TERMINAL):
        return False
    if not all(_BYLINE_TOKEN.fullmatch(tok) for tok in byline) or len("".join(byline)) > 24:
        return False
    return is_prose(nxt) and len(nxt) >= 40


def _title_line(p: str, prev: str | None, nxt: str | None, items: Sequence[_Item]) -> bool:
    """An unnumbered short line is a heading when it sits between finished prose
    and a substantial paragraph, and does not directly follow another heading
    (``prev``/``nxt``: the text around it, attribution lines looked past)."""
    if prev is None or nxt is None or not title_like(p) or len(p) > 40:
        return False
    # A head may be one short quotation (“徙木立信”, “这就是好样的！”): judge its words.
    quoted = re.fullmatch(r"[“「『]([^”」』“]{1,20})[”」』]", p)
    core = quoted.group(1).rstrip("！？!?") if quoted else p
    if not core or core[-1] in TERMINAL or re.search(r"[：:。；]", core) or is_label(p):
        return False
    last = next((i for i in reversed(items) if not i.source), None)
    if last is None or last.heading is not None:
        return False
    if prev[-1] not in TERMINAL and len(prev) < 40:
        return False
    return (is_prose(nxt) and len(nxt) >= 40) or has_heading_marker(nxt)


def _numbering(heading: Heading) -> tuple[str, int]:
    """The style a heading nests by.  A Markdown head that carries a numbering marker
    (``##### 二　调查就是解决问题``) belongs to that numbering: its siblings may be plain
    lines (``一　没有调查……``), and one document's 一…七 stay at one level however each
    was written.  Its hashes still rank it against unnumbered Markdown heads."""
    if heading.style.startswith("md"):
        numbered = classify(heading.title)
        if numbered is not None and numbered.style not in ("shi", "sequence", "bullet"):
            return numbered.style, heading.structural
    return heading.style, heading.structural


def split_sections(
    doc_id: str, doc_title: str, paragraphs: Sequence[str], *, markdown: bool = False
) -> tuple[Section, ...]:
    """The document's sections in reading order (pre-order of the heading tree).

    Text before the first heading becomes a section titled with the document title;
    a document without headings is one such section.  Every paragraph lands in
    exactly one section, as text, or as a source when it is an attribution line
    (``——……时的讲话``, ``（《……》第N页）``); a heading's own words are its title.
    """
    items = _items(paragraphs, markdown=markdown, doc_title=doc_title)
    nodes: list[dict[str, object]] = []
    # stack of (style, structural rank, node index)
    stack: list[tuple[str, int, int]] = []
    counters: list[int] = [0]
    current: dict[str, object] | None = None
    waiting: list[str] = []  # sources met before any section opened

    def open_node(title: str, level: int, parent: int | None) -> dict[str, object]:
        while len(counters) < level:
            counters.append(0)
        del counters[level:]
        counters[level - 1] += 1
        node: dict[str, object] = {
            "title": title,
            "level": level,
            "parent": parent,
            "ordinal": ".".join(str(c) for c in counters[:level]),
            "body": [],
            "sources": [*waiting],
        }
        waiting.clear()
        nodes.append(node)
        return node

    for item in items:
        heading = item.heading
        if item.source:
            if item.opens and current is None:
                # The headnote stands where the document's text begins: that section is
                # opened as before (section ids stay), with the headnote as its source.
                current = open_node(doc_title, 1, None)
            # An attribution belongs to the passage above it, printed under it.
            target = current["sources"] if current is not None else waiting
            target.append(item.text)  # type: ignore[union-attr]
            continue
        if heading is None:
            if current is None:
                current = open_node(doc_title, 1, None)
            current["body"].append(item.text)  # type: ignore[union-attr]
            continue
        style, rank = _numbering(heading)
        if rank:
            while stack and (not stack[-1][1] or stack[-1][1] >= rank):
                stack.pop()
        elif style == "title":
            while stack and not stack[-1][1]:
                stack.pop()
        elif any(entry[0] == style for entry in stack):
            while stack[-1][0] != style:
                stack.pop()
            stack.pop()
        if len(stack) >= 6:
            stack.pop()
        parent = stack[-1][2] if stack else None
        current = open_node(heading.title, len(stack) + 1, parent)
        stack.append((style, rank, len(nodes) - 1))

    sections = []
    for position, node in enumerate(nodes):
        parent_idx = node["parent"]
        parent_id = (
            f"{doc_id}/{nodes[parent_idx]['ordinal']}" if isinstance(parent_idx, int) else None
        )
        sections.append(
            Section(
                id=f"{doc_id}/{node['ordinal']}",
                title=str(node["title"]),
                level=int(node["level"]),  # type: ignore[arg-type]
                text="\n".join(node["body"]),  # type: ignore[arg-type]
                parent=parent_id,
                position=position,
                # A page that repeats its title block gives the same source line twice.
                sources=tuple(dict.fromkeys(node["sources"])),  # type: ignore[arg-type]
            )
        )
    return tuple(sections)


def heading_styles(
    paragraphs: Sequence[str], *, markdown: bool = False, doc_title: str = ""
) -> list[tuple[str, str]]:
    """(style, title) of every heading found, in order: what ``--explain`` reports."""
    return [
        (i.heading.style, i.heading.title)
        for i in _items(paragraphs, markdown=markdown, doc_title=doc_title)
        if i.heading
    ]
