"""What the finishing pass learnt about each paragraph, kept so the next render of the
same paragraph is laid out once.

The lone-character pass (``typeset``) only knows a paragraph ends on one character once
the whole handout has been laid out; fixing it costs a trial layout and a second full
layout, which doubles a render.  But where a paragraph's lines break depends only on the
paragraph itself and where it sits: its markup, its ancestors (classes, inline style),
its place among its siblings (a question's number is set in front of it), the page
setup and the style sheets.  So the spacing chosen for it once holds every time it is
set in that place again: in every rebuild, in the other themes and packets that print
it, in every row of a roster.

The digest does not cover an ancestor's place among its own siblings, so the same
passage printed in two handouts shares its entries; the style sheet must therefore not
size paragraphs by an ancestor's position (``section:nth-child(2) p``).  Were it to, the
check after the layout still finds any lone line and the pass runs, so the print stays
right, only no longer byte-equal to a render without the memo.

The memo maps a digest of all that to the spacing chosen (or to "none works" when no
spacing within the limits helps).  A render applies what the memo knows *before* its
first layout; if that layout still shows a lone last line the pass runs as before and
the memo learns.  The result is the same PDF, byte for byte, as a render without the
memo: the same spacings end up on the same paragraphs.

The memo lives in memory for the process and, when a build names one, in a SQLite file
under ``build/.cache`` shared by the build's worker processes.  The digest covers the
memo's format, WeasyPrint's version and the fonts' files, so a change to any of them
starts afresh; a damaged file is replaced, never trusted.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

FORMAT = "1"
UNFIXABLE = None
"""The memo's value for a paragraph no spacing within the limits saves."""

Choice = float | None


class Memo:
    """Spacing choices by paragraph digest: in memory, and in ``path`` when given."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._known: dict[str, Choice] = {}
        self._loaded = False
        self._pid = os.getpid()
        self._db: sqlite3.Connection | None = None

    def __len__(self) -> int:
        self._load()
        return len(self._known)

    def lookup(self, keys: Iterable[str]) -> dict[str, Choice]:
        self._load()
        return {k: self._known[k] for k in keys if k in self._known}

    def learn(self, choices: Mapping[str, Choice]) -> None:
        if not choices:
            return
        self._load()
        self._known.update(choices)
        db = self._connection()
        if db is None:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO spacing VALUES (?, ?)",
                               list(choices.items()))
        except sqlite3.Error:
            self._db = None  # a full disk or a damaged file: keep working in memory

    def _load(self) -> None:
        if os.getpid() != self._pid:  # forked: the connection is the parent's
            self._pid, self._db = os.getpid(), None
        if self._loaded:
            return
        self._loaded = True
        db = self._connection()
        if db is None:
            return
        try:
            self._known.update(db.execute("SELECT key, spacing FROM spacing"))
        except sqlite3.Error:
            self._db = None

    def _connection(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        if self._db is not None:
            return self._db
        try:
            self._db = _open(self.path)
        except (OSError, sqlite3.Error):
            with contextlib.suppress(OSError):
                self.path.unlink()  # damaged: start afresh
            try:
                self._db = _open(self.path)
            except (OSError, sqlite3.Error):
                self._db = None
        return self._db


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS spacing (key TEXT PRIMARY KEY, spacing REAL)")
    db.execute("SELECT count(*) FROM spacing").fetchone()  # a damaged file fails here
    return db


_current = Memo()


def current() -> Memo:
    return _current


def keep_in(path: Path | None) -> None:
    """Keep the memo in ``path`` (a build's cache) from now on in this process; ``None``:
    in memory only."""
    global _current
    if _current.path != path:
        _current = Memo(path)


# ---------------------------------------------------------------- digests

# Where a paragraph's lines break depends on these, and on nothing else the memo sees.
_BLOCKS = frozenset({"p", "li", "div", "blockquote", "dd", "dt", "td", "th", "figcaption"})


def candidates(root: Any) -> list[Any]:
    """Elements that may be justified paragraphs: block elements holding text."""
    return [el for el in root.iter() if isinstance(el.tag, str) and el.tag in _BLOCKS
            and ((el.text or "").strip() or len(el))]


def digests(root: Any, elements: Iterable[Any], context: str) -> dict[Any, str]:
    """The memo key of each of ``elements`` (in the tree ``root``) in a document whose
    page setup and styles ``context`` digests."""
    parents = {child: parent for parent in root.iter() for child in parent}
    found = {}
    for element in elements:
        h = hashlib.sha256(context.encode())
        parent = parents.get(element)
        if parent is not None:
            # Its place among its siblings and what precedes it: a list item's number,
            # ``:first-child``, ``a ~ b`` and ``a + b`` rules.
            siblings = list(parent)
            at = siblings.index(element)
            h.update(f"{at}/{len(siblings)}".encode())
            for sibling in siblings[:at]:
                h.update(f"\0{sibling.tag}|{sibling.get('class', '')}".encode())
        node = element
        while node is not None:
            h.update(f"\1{node.tag}|{node.get('class', '')}|{node.get('style', '')}|"
                     f"{node.get('lang', '')}".encode())
            node = parents.get(node)
        bare = copy.copy(element)
        bare.tail = None
        h.update(ElementTree.tostring(bare, encoding="unicode").encode())
        found[element] = h.hexdigest()
    return found


def context(root: Any, *parts: str) -> str:
    """A digest of what every paragraph's line breaking shares: the memo's format, the
    WeasyPrint version, the fonts' files, the linked style sheets and the inline ones."""
    import weasyprint

    h = hashlib.sha256(f"{FORMAT}\0{weasyprint.__version__}\0".encode())
    for part in parts:
        h.update(part.encode() + b"\0")
    h.update(_font_files())
    for el in root.iter():
        if el.tag == "style":
            h.update((el.text or "").encode())
        elif el.tag == "link" and el.get("rel") == "stylesheet":
            h.update(_sheet(el.get("href", "")))
    return h.hexdigest()


def _font_files() -> bytes:
    from handouts.writers.pdf import fonts

    return _font_identity(tuple(sorted({face.path for face in fonts.faces().values()})))


def _font_identity(files: tuple[str, ...]) -> bytes:
    parts = []
    for name in files:
        with contextlib.suppress(OSError):
            st = os.stat(name)
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts).encode()


def _sheet(href: str) -> bytes:
    from handouts.writers.pdf import render

    try:
        return render.fetch_local(href)[0]
    except Exception:
        return href.encode()
