"""The data model every stage passes along.

All classes are frozen dataclasses of plain values so that a stage's output can be
hashed (incremental builds), pickled (worker pools) and dumped to JSON (``--json``)
without custom code.  Tuples rather than lists keep them immutable and hashable.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Section:
    """One node of a document's heading tree.

    ``id`` is ``"<doc_id>/<dotted ordinal path>"`` (``"003_9d11/2"``, ``"001_0120/2.3"``), so
    it survives re-runs and is what packet specs name.  ``text`` holds only the
    section's own body, paragraphs joined by ``"\\n"``; children carry theirs.
    """

    id: str
    title: str
    level: int
    text: str
    parent: str | None = None
    position: int = 0
    notes: tuple[str, ...] = ()
    """The section's footnotes (注释), in marker order; markers in ``text`` refer to them."""
    sources: tuple[str, ...] = ()
    """Attribution lines (``——……讲话``, 摘自, 来源) that belong to the passage, not its body."""

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for p in self.text.split("\n") if p)


@dataclass(frozen=True)
class Document:
    """A cleaned source document: metadata out of the body, body split into sections."""

    id: str
    path: str
    title: str
    date: str | None = None
    source: str | None = None
    author: str | None = None
    sections: tuple[Section, ...] = ()

    def __hash__(self) -> int:
        # The corpus-wide caches (statistics, scores, summaries) are keyed on the tuple
        # of documents; hashing every section's text on each lookup cost seconds on a
        # 10,000-document corpus.  Equal documents still hash equal; equality itself
        # remains the dataclass's comparison of every field.
        return hash((self.id, self.path, len(self.sections)))


@dataclass(frozen=True)
class Theme:
    """A study theme, configured in ``corpus/themes.toml``."""

    id: str
    name: str
    description: str
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThemeMatch:
    """Why a section belongs to a theme: its score and the theme terms found in it."""

    section_id: str
    theme_id: str
    score: float
    matched: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    """Words of a term's family found in the section (调查 for 调查研究), each counted at a
    lower weight than the term itself."""


@dataclass(frozen=True)
class SourceRef:
    """A document as cited on a handout's sources page."""

    id: str
    title: str
    date: str | None
    source: str | None
    path: str


@dataclass(frozen=True)
class OutlineSection:
    """A selected section with what the handout prints around it."""

    id: str
    title: str
    doc_id: str
    doc_title: str
    score: float
    matched: tuple[str, ...]
    keywords: tuple[str, ...]
    key_points: tuple[str, ...]
    questions: tuple[str, ...]
    text: str
    notes: tuple[str, ...] = ()
    """Footnotes printed under the passage, numbered (注释)."""
    sources: tuple[str, ...] = ()
    """Attribution lines printed under the passage."""
    note: str | None = None
    """The organiser's own guidance printed under the passage (组织者提示)."""
    excerpt: str | None = None
    """Why only part of the text is printed (节选) and where the whole text is; None if whole."""

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for p in self.text.split("\n") if p)


@dataclass(frozen=True)
class Outline:
    """Everything a handout for one theme contains, before any layout."""

    theme: Theme
    sections: tuple[OutlineSection, ...]
    questions: tuple[str, ...]
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True)
class Handout:
    """What the renderer draws: a cover's worth of facts and one or more outlines.

    A theme export is a handout with one outline; a meeting packet may combine several.
    """

    title: str
    outlines: tuple[Outline, ...]
    date: str | None = None
    organiser: str | None = None
    place: str | None = None
    audience: str | None = None
    agenda: tuple[str, ...] = ()
    foreword: str | None = None
    notes_pages: int = 1
    paper: str = "a4"
    booklet: bool = False
    sources: tuple[SourceRef, ...] = field(default=())
    branch: str | None = None
    """The branch (党支部) a roster packet is printed for: on its cover and running header."""


def to_jsonable(value: Any) -> Any:
    """Turn model objects into JSON-ready structures, recursively and deterministically."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value
