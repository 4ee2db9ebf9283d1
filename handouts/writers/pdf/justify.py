"""Justified Chinese and compressed punctuation for WeasyPrint 70.

WeasyPrint justifies a line by widening its spaces only (``count_expandable_spaces``
and ``add_word_spacing`` in ``weasyprint/layout/inline.py``, upstream issue #2269).
Chinese has no spaces, so ``text-align: justify`` leaves every Chinese paragraph ragged.
Typst, XeTeX and browsers spread the slack between the characters instead; so do we:

* an *expansion opportunity* is every CJK character of a text box (ideographs, kana,
  full-width punctuation).  Pango's letter spacing puts half of the spacing on each
  side of a character, and drops the outer half at both ends of a line, so a box
  whose first (last) character is CJK has half an opportunity less at that end.
  The counts therefore add up to exactly the width Pango will add, and the last
  glyph of the line lands on the right edge;
* WeasyPrint already spreads ``extra_width / opportunities`` over the boxes of the
  line and recreates each box's Pango layout with that ``justification_spacing``; at
  drawing time ``Layout.set_text(…, justify=True)`` adds it to the spaces, and we add
  it, as letter spacing, to the CJK characters.  The text itself is untouched, so
  copy and paste gives the original characters;
* the two halves of ``——`` and ``……`` get no spacing between them: they stay one mark;
* adjacent full-width marks (``。”`` ``，“`` ``）、``) would open a full em of blank
  between them; one of them (the first of two closing marks, else the opening mark)
  is set with the font's ``halt`` feature, which removes its half-em of blank.  This
  applies whenever text is shaped (measuring and drawing), so line breaking sees the
  compressed widths.

Two more things ride on the same hooks, for the finishing pass (``typeset``): a
paragraph may ask, through ``--handouts-tracking``, for its CJK characters to be set a
little tighter or looser (applied like the justification spacing, when measuring too,
so the lines break with it); and ``text_align`` drops the mixed-script space of a span
that opens or closes a line (CLREQ wants none at a line's ends).

The patched functions are WeasyPrint internals: ``install`` checks the version and a
digest of their source and refuses to patch anything else (the test suite fails on a
refusal, so an upgrade of WeasyPrint cannot silently bring ragged text back).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

PINNED_VERSION = "70.0"

#: sha256 of the source of each internal we wrap or replace, as shipped in 70.0.
EXPECTED_SOURCES = {
    "weasyprint.layout.inline.justify_line":
        "f83b21ff8793ba6b6dfc5fe8e10e4ab6cd6e02b17de02da97200902166148a81",
    "weasyprint.layout.inline.count_expandable_spaces":
        "175fe6f42576ed3842d240a5048b4816ed702e8f97d49389b5b528aee51476ad",
    "weasyprint.layout.inline.add_word_spacing":
        "879516e71f1b80fa1833aee877e1a34c851248c5fd871d6c855c58f07358d418",
    "weasyprint.text.line_break.Layout.set_text":
        "fe23ca9937dbf5205bda422f9c01103f301ef2c511228842632ea86e853274f7",
    "weasyprint.layout.inline.text_align":
        "e953d41b87ccfc30405f83f6cc3c73918ef4638662794db4f834b1d788d6ed67",
}

_LOG = logging.getLogger(__name__)

# Characters that take inter-character spacing: CJK ideographs and their extensions,
# kana, bopomofo, CJK symbols and punctuation, full-width forms, and the marks that
# Chinese sets full-width from the CJK font (quotes, dashes, ellipsis, middle dot).
_CJK_RANGES = (
    (0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x2FF0, 0x303F), (0x3040, 0x31FF),
    (0x3200, 0x4DBF), (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF),
    (0xF900, 0xFAFF), (0xFE10, 0xFE1F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)
_CJK_EXTRA = frozenset("\u00b7\u2014\u2015\u2018\u2019\u201c\u201d\u2026\u2025")
# Marks whose doubled form is one symbol: no spacing may open inside ——, ……
_DOUBLED = frozenset("\u2014\u2015\u2026\u2025")

CLOSING = "，。、；：？！）】》」』”’〕〗〉〙〛｝"
OPENING = "（【《「『“‘〔〖〈〘〚｛"
# The mark that loses its blank half: the first of two closing marks, the second when
# it is an opening mark.  Neither pair can be split by a line break except closing +
# opening (，《), and there the halted mark opens the next line's text, so the line
# is measured and drawn with the same widths.
_HALT = re.compile(f"[{CLOSING}](?=[{CLOSING}])|(?<=[{CLOSING}{OPENING}])[{OPENING}]")


def is_cjk(char: str) -> bool:
    if char in _CJK_EXTRA:
        return True
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def spaced_characters(text: str) -> list[bool]:
    """Which characters of ``text`` get inter-character spacing."""
    flags = [is_cjk(c) for c in text]
    for i in range(len(text) - 1):
        if text[i] in _DOUBLED and text[i + 1] == text[i]:
            flags[i] = flags[i + 1] = False
    return flags


def cjk_opportunities(text: str) -> float:
    """Units of letter spacing Pango will add when each spaced character gets one.

    Pango puts half a unit on each side of a spaced character and removes the outer
    half at the two ends of a layout line (each text box is drawn as one line).
    """
    flags = spaced_characters(text)
    if not flags:
        return 0.0
    count = float(sum(flags))
    if flags[0]:
        count -= 0.5
    if flags[-1]:
        count -= 0.5
    return max(count, 0.0)


def halt_positions(text: str) -> list[int]:
    """Indexes of full-width marks to set with ``halt`` (compressed to half width)."""
    return [m.start() for m in _HALT.finditer(text)]


def _source_digest(obj: Callable[..., Any]) -> str:
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()


def _targets() -> dict[str, Callable[..., Any]]:
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    originals = getattr(inline, "_handouts_originals", None)
    if originals:
        return dict(originals)
    return {
        "weasyprint.layout.inline.justify_line": inline.justify_line,
        "weasyprint.layout.inline.count_expandable_spaces": inline.count_expandable_spaces,
        "weasyprint.layout.inline.add_word_spacing": inline.add_word_spacing,
        "weasyprint.text.line_break.Layout.set_text": line_break.Layout.set_text,
        "weasyprint.layout.inline.text_align": inline.text_align,
    }


def changed_internals() -> list[str]:
    """The patched WeasyPrint internals that differ from the version we were written
    against (empty when it is safe to install)."""
    import weasyprint

    changed = []
    if weasyprint.__version__ != PINNED_VERSION:
        changed.append(f"weasyprint {weasyprint.__version__} (pinned {PINNED_VERSION})")
    for name, func in _targets().items():
        if _source_digest(func) != EXPECTED_SOURCES[name]:
            changed.append(name)
    return changed


@functools.cache
def install() -> bool:
    """Patch WeasyPrint once per process; return whether the patch is active.

    On a WeasyPrint whose internals changed, nothing is patched (Chinese comes out
    ragged, not broken) and a warning names what changed.
    """
    changed = changed_internals()
    if changed:
        _LOG.warning("handouts.justify: not extending WeasyPrint, internals changed: %s",
                     ", ".join(changed))
        return False

    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.text import line_break
    from weasyprint.text.ffi import TO_UNITS, ffi, pango
    from weasyprint.text.fonts import font_features

    inline._handouts_originals = _targets()
    original_count = inline.count_expandable_spaces
    original_set_text = line_break.Layout.set_text

    def count_expandable_spaces(box: Any) -> float:
        if isinstance(box, boxes.TextBox):
            return original_count(box) + cjk_opportunities(box.text)
        if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
            return sum(count_expandable_spaces(child) for child in box.children)
        return 0

    def set_text(self: Any, text: str, justify: bool = False) -> None:
        original_set_text(self, text, justify)
        text = self.text
        halts = halt_positions(text) if text else []
        spacing = self.justification_spacing if justify else 0
        spacing += tracking(self.style)
        if not halts and not spacing:
            return
        offsets = _byte_offsets(text)
        attr_list = pango.pango_layout_get_attributes(self.layout)
        if attr_list == ffi.NULL:
            attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        if halts:
            # One font-features attribute wins per position, so the halt run also
            # carries the features WeasyPrint set for the whole layout.
            style = self.style
            base = font_features(
                style["font_kerning"], style["font_variant_ligatures"],
                style["font_variant_position"], style["font_variant_caps"],
                style["font_variant_numeric"], style["font_variant_alternates"],
                style["font_variant_east_asian"], style["font_feature_settings"])
            features = dict(base, halt=1)
            value = ",".join(f"{k} {v}" for k, v in features.items()).encode()
            for index in halts:
                attr = pango.pango_attr_font_features_new(value)
                attr.start_index, attr.end_index = offsets[index], offsets[index + 1]
                pango.pango_attr_list_insert(attr_list, attr)
        if spacing:
            letter_spacing = self.style["letter_spacing"]
            base_units = 0 if letter_spacing == "normal" else letter_spacing * TO_UNITS
            units = int(spacing * TO_UNITS + base_units)
            flags = spaced_characters(text)
            for start, end in _runs(flags):
                attr = pango.pango_attr_letter_spacing_new(units)
                attr.start_index, attr.end_index = offsets[start], offsets[end]
                pango.pango_attr_list_change(attr_list, attr)
        pango.pango_layout_set_attributes(self.layout, attr_list)

    inline.count_expandable_spaces = count_expandable_spaces
    line_break.Layout.set_text = set_text
    inline.text_align = _without_gaps_at_line_ends(inline.text_align, boxes.InlineBox)
    return True


#: Classes of the spans that space Latin text from Han characters (``typeset``).
GAP_BEFORE, GAP_AFTER = "gap-before", "gap-after"


def _without_gaps_at_line_ends(original: Callable[..., Any],
                               inline_box: type) -> Callable[..., Any]:
    """``text_align`` that first takes away the mixed-script space where a spaced span
    opens or closes the line (CLREQ: no space at a line's start or end), so the first
    glyph sits on the left edge and justification fills the line to the right edge."""

    def text_align(context: Any, line: Any, available_width: float, last: bool) -> float:
        _drop_edge_gaps(line, inline_box)
        return original(context, line, available_width, last)

    return text_align


def _gap_span(box: Any, inline_box: type, name: str) -> bool:
    element = getattr(box, "element", None)
    return (isinstance(box, inline_box) and element is not None
            and name in (element.get("class") or "").split())


def _drop_edge_gaps(line: Any, inline_box: type) -> None:
    children = line.children
    if not children:
        return
    first, final = children[0], children[-1]
    if _gap_span(first, inline_box, GAP_BEFORE) and first.margin_left:
        shift = first.margin_left
        first.margin_left = 0
        for child in first.children:
            child.translate(-shift)
        for sibling in children[1:]:
            sibling.translate(-shift)
        line.width -= shift
    if _gap_span(final, inline_box, GAP_AFTER) and final.margin_right:
        line.width -= final.margin_right
        final.margin_right = 0


#: The custom property through which the finishing pass (``typeset``) sets a paragraph
#: a little tighter or looser, in em.  It is applied like the justification spacing,
#: to the CJK characters only and when measuring as well as when drawing, so lines are
#: broken with it and still end on the right edge.  (CSS ``letter-spacing`` would not
#: do: WeasyPrint counts it after a line's last letter, Pango does not draw it there,
#: so every tightened line would stick out by that much.)
TRACKING_PROPERTY = "--handouts-tracking"


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """WeasyPrint as shipped for the duration (``make bench`` measures the extension's
    cost against it); the extension is back afterwards if it was installed."""
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    patched = (inline.count_expandable_spaces, line_break.Layout.set_text, inline.text_align)
    originals = getattr(inline, "_handouts_originals", None)
    if originals:
        inline.count_expandable_spaces = originals[
            "weasyprint.layout.inline.count_expandable_spaces"]
        line_break.Layout.set_text = originals["weasyprint.text.line_break.Layout.set_text"]
        inline.text_align = originals["weasyprint.layout.inline.text_align"]
    try:
        yield
    finally:
        inline.count_expandable_spaces, line_break.Layout.set_text, inline.text_align = patched


def tracking(style: Any) -> float:
    """The extra spacing per CJK character that ``style`` asks for, in CSS pixels."""
    tokens = style[TRACKING_PROPERTY.replace("-", "_")]
    for token in tokens or ():
        if getattr(token, "type", None) == "number":
            return float(token.value) * style["font_size"]
    return 0.0


def _byte_offsets(text: str) -> list[int]:
    """UTF-8 offset of each character, plus the end: Pango indexes attributes in bytes."""
    offsets = [0]
    total = 0
    for char in text:
        total += len(char.encode())
        offsets.append(total)
    return offsets


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    runs = []
    start = None
    for i, flag in enumerate(flags):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(flags)))
    return runs
