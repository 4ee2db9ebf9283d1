"""Characters no handout should print: removed before cleaning, and reported.

Scraped pages carry characters that are not text a reader sees: bidi overrides that
reorder what follows (a classic way to make a file name or a line read differently
from what it is), C0/C1 control codes from broken exports, lone surrogates from bad
UTF-16, private-use code points that an icon font drew on the web page, and code
points Unicode has not assigned.  None has a glyph in our fonts, so printed they would
be tofu or, worse, invisible reordering.  They are removed here, once, for every input
format, and the removal is reported (``corpus --explain`` lists it as a repair), so no
visible character of the author's text is ever lost silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

#: Layout controls a text legitimately contains.
_KEEP = frozenset("\n\t")
#: Bidi embeddings, overrides, isolates and marks: Chinese text needs none of them.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

_SPACES = re.compile("[\n\t\u3000\u00a0 ]+")

_KINDS = {
    "Cc": "control",
    "Cs": "lone surrogate",
    "Co": "private-use",
    "Cn": "unassigned",
}


@dataclass(frozen=True)
class Sanitized:
    text: str
    removed: tuple[tuple[str, int], ...] = ()  # (description, count), most frequent first

    def report(self) -> str | None:
        """One line for ``--explain``; None when nothing was removed."""
        if not self.removed:
            return None
        total = sum(n for _, n in self.removed)
        parts = ", ".join(f"{what} ×{n}" for what, n in self.removed[:6])
        more = "" if len(self.removed) <= 6 else f", and {len(self.removed) - 6} more kinds"
        return f"removed {total} unprintable characters ({parts}{more})"


def kind(char: str) -> str | None:
    """Why ``char`` must not be printed, or None when it may."""
    if char in _KEEP:
        return None
    if char in _BIDI:
        return "bidi control"
    if char == "\ufeff":
        return "byte-order mark"
    if "\U000e0000" <= char <= "\U000e007f":  # invisible ASCII copies: hidden text
        return "tag character"
    return _KINDS.get(unicodedata.category(char))


def sanitize(text: str) -> Sanitized:
    """``text`` without the characters :func:`kind` names, and what went."""
    # The common case, a clean page, is decided at C speed: ``isprintable`` is False
    # for every category removed here (and for spaces and format characters, which
    # then take the careful path below and are kept).
    if _SPACES.sub("", text).isprintable():
        return Sanitized(text)
    counts: Counter[str] = Counter()
    kept: list[str] = []
    for char in text:
        why = kind(char)
        if why is None:
            kept.append(char)
        else:
            counts[f"U+{ord(char):04X} {why}"] += 1
    if not counts:
        return Sanitized(text)
    return Sanitized("".join(kept), tuple(counts.most_common()))
