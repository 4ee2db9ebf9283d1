"""Footnotes (注释) as notes: out of the body, attached to the section citing them.

Study texts cite their sources in footnotes, and every way of saving them spells the
footnotes differently: ``[1]`` or ``①`` in the text and a ``注释`` block at the end, a
Word page saved as HTML and converted (``[[[1]]](#_ftn1)`` … ``[[1]](#_ftnref1) 毛泽东：…``),
Markdown's ``[^1]`` and ``[^1]: …``, ``^1``, ``¹``, and the real footnotes of a Word file
or the page-bottom notes of a PDF.  Left in the text, the markers read as garbage and the
notes block becomes a section of its own that a theme may even select.

The notes travel in three steps, so the cleaner and the sectioner need know nothing of
them:

1. ``split_notes`` (before cleaning): the notes a reader found (``RawDocument.notes``,
   referenced in its text by ``[^label]``) and the notes blocks of the text itself are
   collected by label; the blocks leave the text, and every reference that has a note
   becomes the token ``[^label]``.  A marker without a note is left alone (``①`` often
   numbers a list), except the forms that can only be footnote anchors
   (``[[[1]]](#_ftn1)``, ``[^x]``), which go.
2. cleaning and sectioning carry the tokens along like any other characters.
3. ``attach`` (after sectioning): each section takes the notes its text references, in
   the order first referenced, numbered from 1 in that section; its text keeps ``[n]``
   at the reference (``MARKER``; the PDF template sets it as a superscript and prints the
   notes under the passage).  Key points and questions are built from
   ``strip_markers(text)``, so a marker never reaches them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from handouts.model import Section

TOKEN = re.compile(r"\[\^([A-Za-z0-9_-]+)\]")
"""The reference of a note with a known text, from reader to ``attach``."""
MARKER = re.compile(r"\[(\d{1,3})\]")
"""The reference as ``Section.text`` holds it: ``[n]``, n counted per section."""

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CIRCLED_BLACK = "❶❷❸❹❺❻❼❽❾❿"
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"

# Word's own anchors, after an HTML -> Markdown conversion: [[[1]]](#_ftn1), [[1]](#_edn1).
_ANCHOR_REF = re.compile(r"\[+\s*(\d{1,3})\s*\]+\(#_?(?:ftn|edn)\d+\)")
_ANCHOR_DEF = re.compile(r"^\s*\[+\s*(\d{1,3})\s*\]+\(#_?(?:ftn|edn)ref\d+\)\s*")
# A reference in running text: [1] ［1］ 〔1〕 ① ❶ ^1 ¹²  (three digits at most: 〔2020〕
# is a document number, not a note).
_REF = re.compile(
    rf"\[(\d{{1,3}})\]|［(\d{{1,3}})］|〔(\d{{1,3}})〕|([{_CIRCLED}{_CIRCLED_BLACK}])"
    rf"|(?<![\w\[])\^(\d{{1,3}})(?!\d)|([{_SUP}]{{1,3}})"
)
# A note's first line: the marker, then the note.
_DEF = re.compile(
    rf"^\s*(?:\[\^([^\]\s]+)\]:|\[(\d{{1,3}})\]|［(\d{{1,3}})］|〔(\d{{1,3}})〕"
    rf"|([{_CIRCLED}{_CIRCLED_BLACK}])|注\s*[\[［〔]?(\d{{1,3}}|[{_CIRCLED}])[\]］〕]?\s*[:：.．、]?"
    rf"|\^(\d{{1,3}})|([{_SUP}]{{1,3}}))\s*(?=\S)"
)
# Only under a 注释 heading: ``1.`` ``1、`` (elsewhere these number a list).
_DEF_NUMBERED = re.compile(r"^\s*(\d{1,3})\s*[.．、]\s*(?=\S)")
_HEAD = re.compile(
    r"^\s*(?:#{1,6}\s*)?[【〔\[［]?\s*(?:注\s*释|注\s*解|注|尾\s*注|脚\s*注|附\s*注|引文注释|参考文献"
    r"|参考资料|文献|notes?|references)\s*[】〕\]］]?\s*[:：]?\s*$",
    re.I,
)
_RULE = re.compile(r"^\s*(?:[-_=*—─━]\s*){3,}$")


def _label(raw: str) -> str:
    """``①`` and ``1`` and ``¹`` are the same note 1."""
    raw = raw.strip()
    if raw in _CIRCLED:
        return str(_CIRCLED.index(raw) + 1)
    if raw in _CIRCLED_BLACK:
        return str(_CIRCLED_BLACK.index(raw) + 1)
    return raw.translate(_SUPERSCRIPT)


@dataclass(frozen=True)
class Noted:
    """A document's text with its notes taken out: references are ``[^label]`` tokens."""

    text: str
    notes: Mapping[str, str]


@dataclass
class _Block:
    start: int  # first line (the heading, or the first note)
    end: int  # one past the last line
    notes: dict[str, str]


def _definition(line: str, *, headed: bool) -> tuple[str, str] | None:
    """(label, text) if the line opens a note."""
    anchor = _ANCHOR_DEF.match(line)
    if anchor:
        return anchor.group(1), line[anchor.end() :].strip()
    match = _DEF.match(line)
    if match:
        raw = next(g for g in match.groups() if g is not None)
        return _label(raw), line[match.end() :].strip()
    if headed:
        numbered = _DEF_NUMBERED.match(line)
        if numbered:
            return numbered.group(1), line[numbered.end() :].strip()
    return None


def _read_block(lines: Sequence[str], start: int, *, headed: bool) -> _Block | None:
    """The notes from ``start`` on: note lines, blank lines and rules; a line that opens
    no note continues the one before it only if no blank line parts them."""
    idx = start + 1 if headed else start
    notes: dict[str, str] = {}
    last: str | None = None
    end = idx
    blank = False
    while idx < len(lines):
        line = lines[idx]
        if not line.strip() or _RULE.match(line):
            blank = blank or not line.strip()
            idx += 1
            continue
        found = _definition(line, headed=headed)
        if found:
            label, text = found
            if label in notes:  # a second series: another block
                break
            notes[label] = text
            last = label
        elif last is not None and not blank and headed and not _HEAD.match(line):
            notes[last] = f"{notes[last]}{line.strip()}"
        else:
            break
        blank = False
        idx += 1
        end = idx
    if not notes:
        return None
    return _Block(start, end, notes)


def _blocks(lines: Sequence[str]) -> list[_Block]:
    """Every notes block: a 注释/注/参考文献 heading followed by notes, a run of Word's
    ``[[1]](#_ftnref1)`` notes anywhere, and a heading-less run of ``[1] …`` / ``① …``
    notes at the very end whose markers the text above uses."""
    blocks: list[_Block] = []
    idx = 0
    while idx < len(lines):
        line = lines[idx]
        block = None
        if _HEAD.match(line):
            block = _read_block(lines, idx, headed=True)
        elif _ANCHOR_DEF.match(line):
            block = _read_block(lines, idx, headed=False)
        if block:
            blocks.append(block)
            idx = block.end
        else:
            idx += 1
    tail = _tail_block(lines, blocks[-1].end if blocks else 0)
    if tail:
        blocks.append(tail)
    return blocks


def _tail_block(lines: Sequence[str], floor: int) -> _Block | None:
    """Notes without a heading at the end of the text: the last run of note lines after
    which nothing but short lines follows, each marker used in the text above."""
    from handouts.corpus.clean import is_prose

    end = len(lines)
    while end > floor and not is_prose(lines[end - 1]) and not _definition(
        lines[end - 1], headed=False
    ):
        end -= 1
    start = end
    while start > floor and (
        not lines[start - 1].strip() or _definition(lines[start - 1], headed=False)
    ):
        start -= 1
    while start < end and not lines[start].strip():
        start += 1
    if start >= end:
        return None
    block = _read_block(lines, start, headed=False)
    if block is None or block.end < end:
        return None
    above = "\n".join(lines[floor:start])
    used = {_label(next(g for g in m.groups() if g)) for m in _REF.finditer(above)}
    used |= {m.group(1) for m in _ANCHOR_REF.finditer(above)}
    if not set(block.notes) <= used:
        return None
    return block


def split_notes(text: str, given: Iterable[tuple[str, str]] = ()) -> Noted:
    """Take the notes out of a reader's text (see the module docstring).

    ``given`` are the notes the reader found itself, referenced by ``[^label]`` tokens.
    A reference in the text resolves to the first notes block after it (a compilation
    has one block per article, each numbered from 1).
    """
    notes: dict[str, str] = {label: note for label, note in given if note.strip()}
    lines = text.split("\n")
    blocks = _blocks(lines)
    for number, block in enumerate(blocks):
        for label, note in block.notes.items():
            notes[f"b{number}-{label}"] = note
    out: list[str] = []
    block_at = 0
    for idx, line in enumerate(lines):
        while block_at < len(blocks) and idx >= blocks[block_at].end:
            block_at += 1
        if block_at < len(blocks) and blocks[block_at].start <= idx:
            continue  # a line of the notes block
        out.append(_references(line, notes, block_at if block_at < len(blocks) else None))
    return Noted("\n".join(out), notes)


def _references(line: str, notes: Mapping[str, str], block: int | None) -> str:
    def known(label: str) -> str | None:
        key = f"b{block}-{label}"
        return key if block is not None and key in notes else None

    def token(m: re.Match[str]) -> str:
        return f"[^{m.group(1)}]" if m.group(1) in notes else ""

    def anchor(m: re.Match[str]) -> str:
        key = known(m.group(1))
        return f"[^{key}]" if key else ""

    def plain(m: re.Match[str]) -> str:
        key = known(_label(next(g for g in m.groups() if g is not None)))
        return f"[^{key}]" if key else m.group(0)

    line = TOKEN.sub(token, line)
    line = _ANCHOR_REF.sub(anchor, line)
    if block is not None:
        # Tokens already made must not be read again as [n] references.
        parts = re.split(r"(\[\^[A-Za-z0-9_-]+\])", line)
        line = "".join(p if TOKEN.fullmatch(p) else _REF.sub(plain, p) for p in parts)
    return _full_width_beside_tokens(line)


_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", ".": "。"}
_BESIDE_TOKEN = re.compile(
    r"(?<=[\u4e00-\u9fff\u3400-\u4dbf”’）》」』])((?:\[\^[A-Za-z0-9_-]+\])*)([,:;?!.])"
    r"((?:\[\^[A-Za-z0-9_-]+\])*)(?=$|[^\x00-\x7f])"
)


def _full_width_beside_tokens(line: str) -> str:
    """``说过[^1].`` and ``说过.[^1]``: the cleaner makes a half-width stop after Han text
    full-width, but only when it sees the Han character beside it; a token between
    them would hide it, so the stops next to tokens are made full-width here."""

    def swap(m: re.Match[str]) -> str:
        if not (m.group(1) or m.group(3)):
            return m.group(0)
        return f"{m.group(1)}{_HALF_TO_FULL[m.group(2)]}{m.group(3)}"

    return _BESIDE_TOKEN.sub(swap, line) if "[^" in line else line


def attach(sections: Sequence[Section], notes: Mapping[str, str]) -> tuple[Section, ...]:
    """Each section with the notes its title and text reference, numbered per section;
    ``[^label]`` tokens become ``[n]`` in the text and leave the title.

    A note no marker cites (a 注释 block whose markers the page lost) is never dropped:
    it travels with the document's last section, after that section's own notes.
    """
    from handouts.corpus.clean import repair

    result = []
    cited: set[str] = set()
    for section in sections:
        order: list[str] = []

        def number(m: re.Match[str], order: list[str] = order) -> str:
            label = m.group(1)
            if label not in notes:
                return ""
            if label not in order:
                order.append(label)
            return f"[{order.index(label) + 1}]"

        text = TOKEN.sub(number, section.text)
        for m in TOKEN.finditer(section.title):  # a note on the heading: listed, unmarked
            number(m)
        cited.update(order)
        title = strip_tokens(section.title)
        if not order and title == section.title and text == section.text:
            result.append(section)
            continue
        result.append(
            replace(
                section,
                title=title,
                text=text,
                notes=(*section.notes, *(repair(notes[label]) for label in order)),
            )
        )
    uncited = [label for label in notes if label not in cited]
    if uncited and result:
        last = result[-1]
        result[-1] = replace(last, notes=(*last.notes, *(repair(notes[n]) for n in uncited)))
    return tuple(result)


def strip_tokens(text: str) -> str:
    """A line with the ``[^label]`` tokens taken out (titles, metadata)."""
    return TOKEN.sub("", text).strip()


def strip_markers(text: str, count: int | None = None) -> str:
    """The text without its ``[n]`` note references (for key points and questions).
    With ``count``, only markers 1..count go (a section with two notes keeps a ``[7]``
    that is part of its text)."""

    def drop(m: re.Match[str]) -> str:
        return "" if count is None or 1 <= int(m.group(1)) <= count else m.group(0)

    return MARKER.sub(drop, text)
