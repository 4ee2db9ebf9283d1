"""How well the corpus stage reads real texts: the structure benchmark.

Each text in ``tests/data/real/`` has a reference an organiser wrote by reading it
(``gold/<name>.toml``): its title, its heading tree, sentences that must survive, the junk
that must go, its notes and the attribution lines that belong to a passage as its source.
``measure()`` loads every file through the same ``load_document`` the pipeline uses and
compares, so the figures say what a printed handout would show:

* heading-tree F1 over (heading text, level) pairs, micro-averaged over the whole set;
  levels are relative (the shallowest heading of a document is level 1), because only the
  shape of the tree matters on paper;
* must-keep sentences found, junk strings gone, footnote markers left in the text,
  attribution lines that became headings, notes and sources found.

Texts are compared on their letters and digits only, so full-width/half-width punctuation
and spacing (which the cleaner repairs on purpose) never count as a difference.  A file the
loader has no reader for is reported, not measured: its figures join in as soon as a
reader for its format exists.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from handouts import paths
from handouts.corpus.load import SUFFIXES, load_document
from handouts.errors import HandoutsError
from handouts.model import Document

REAL = paths.PACKAGE.parent / "tests" / "data" / "real"

# Footnote markers in the forms real pages carry: [[[1]]](#_ftn1), [1], ①, ^1.
MARKER = re.compile(r"\[\[\[?\d+\]\]\]?|[（(]#_ftn(?:ref)?\d+[)）]|\[\d{1,3}\]|[①-⑳]|\^\d+")
_LETTERS = re.compile(r"[^0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def letters(text: str) -> str:
    """The letters and digits of a text, in order: what must match, whatever the
    punctuation, width or spacing."""
    return _LETTERS.sub("", text.translate(_FULLWIDTH))


_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B)}


@dataclass(frozen=True)
class Reference:
    """One text's hand-made reference."""

    file: str
    genre: str
    title: str
    headings: tuple[tuple[str, int], ...]
    must_keep: tuple[str, ...]
    junk: tuple[str, ...]
    notes: tuple[str, ...]
    attributions: tuple[str, ...]
    also: tuple[str, ...] = ()

    @property
    def files(self) -> tuple[str, ...]:
        return (self.file, *self.also)


def load_references(root: Path = REAL) -> list[Reference]:
    refs = []
    for path in sorted((root / "gold").glob("*.toml")):
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        refs.append(
            Reference(
                file=data["file"],
                genre=data["genre"],
                title=data["title"],
                headings=tuple((h["text"], int(h["level"])) for h in data["headings"]),
                must_keep=tuple(data["must_keep"]),
                junk=tuple(data["junk"]),
                notes=tuple(data["notes"]),
                attributions=tuple(data["attributions"]),
                also=tuple(data.get("also", ())),
            )
        )
    return refs


@dataclass(frozen=True)
class FileResult:
    """What one file scored; lists name what went wrong, for the report."""

    file: str
    genre: str
    error: str | None = None
    title_ok: bool = False
    headings_matched: int = 0
    headings_produced: int = 0
    headings_expected: int = 0
    missing_headings: tuple[str, ...] = ()
    extra_headings: tuple[str, ...] = ()
    kept: int = 0
    must_keep: int = 0
    lost: tuple[str, ...] = ()
    junk_total: int = 0
    junk_left: tuple[str, ...] = ()
    markers_left: int = 0
    attribution_headings: tuple[str, ...] = ()
    notes_found: int = 0
    notes_expected: int = 0
    sources_found: int = 0
    sources_expected: int = 0


def _tree(document: Document) -> list[tuple[str, int]]:
    """The document's headings with levels made relative; the section that carries the
    document title (the text before the first heading) is not a heading."""
    heads = [
        (s.title, s.level)
        for s in document.sections
        if not (s.position == 0 and letters(s.title) == letters(document.title))
    ]
    if not heads:
        return []
    top = min(level for _, level in heads)
    return [(title, level - top + 1) for title, level in heads]


def _key(title: str, level: int) -> tuple[str, int]:
    # A marker left in a heading is counted as a marker, not as a wrong heading.
    return letters(MARKER.sub("", title)), level


def _markers_left(text: str, notes: int) -> int:
    """Markers not resolved into notes.  ``[n]`` with a note ``n`` in the section is the
    note's reference (the handout sets it as a superscript); any other form, or a number
    beyond the section's notes, is a marker left in the text."""
    left = 0
    for m in MARKER.finditer(text):
        ref = re.fullmatch(r"\[(\d{1,3})\]", m.group(0))
        if not (ref and 1 <= int(ref.group(1)) <= notes):
            left += 1
    return left


def _match(produced: Sequence[tuple[str, int]], expected: Sequence[tuple[str, int]]) -> int:
    pool = [_key(t, lv) for t, lv in expected]
    matched = 0
    for title, level in produced:
        key = _key(title, level)
        if key in pool:
            pool.remove(key)
            matched += 1
    return matched


def score(ref: Reference, file: str, document: Document) -> FileResult:
    """Compare one loaded document with its reference."""
    tree = _tree(document)
    expected = list(ref.headings)
    matched = _match(tree, expected)
    exp_keys = {_key(t, lv) for t, lv in expected}
    got_keys = {_key(t, lv) for t, lv in tree}
    text_parts = [document.title]
    for s in document.sections:
        text_parts += [s.title, s.text]
    # Markers are counted on their own (markers_left); a sentence they cut is not lost.
    flat = letters(MARKER.sub("", "".join(text_parts)))
    everything = "".join([*text_parts, *(x for s in document.sections for x in s.sources)])
    compact = re.sub(r"\s+", "", everything)
    lost = tuple(k for k in ref.must_keep if letters(k) not in flat)
    junk_left = tuple(j for j in ref.junk if re.sub(r"\s+", "", j) in compact)
    markers = sum(_markers_left(s.title + "\n" + s.text, len(s.notes)) for s in document.sections)
    attr_keys = {letters(a) for a in ref.attributions}
    attr_heads = tuple(
        s.title
        for s in document.sections
        if s.title.lstrip().startswith(("—", "－")) or letters(s.title) in attr_keys
    )
    notes = [letters(n) for s in document.sections for n in s.notes]
    notes_found = sum(1 for n in ref.notes if any(x.startswith(letters(n)) for x in notes))
    sources = [letters(x) for s in document.sections for x in s.sources]
    sources_found = sum(1 for a in attr_keys if any(a in x or (x and x in a) for x in sources))
    return FileResult(
        file=file,
        genre=ref.genre,
        title_ok=letters(document.title) == letters(ref.title),
        headings_matched=matched,
        headings_produced=len(tree),
        headings_expected=len(expected),
        missing_headings=tuple(t for t, lv in expected if _key(t, lv) not in got_keys),
        extra_headings=tuple(f"{lv} {t}" for t, lv in tree if _key(t, lv) not in exp_keys),
        kept=len(ref.must_keep) - len(lost),
        must_keep=len(ref.must_keep),
        lost=lost,
        junk_total=len(ref.junk),
        junk_left=junk_left,
        markers_left=markers,
        attribution_headings=attr_heads,
        notes_found=notes_found,
        notes_expected=len(ref.notes),
        sources_found=sources_found,
        sources_expected=len(attr_keys),
    )


@dataclass(frozen=True)
class Figures:
    """The benchmark over the whole set (files with a reader only)."""

    results: tuple[FileResult, ...]
    skipped: tuple[str, ...] = field(default=())  # files no reader exists for yet

    @property
    def measured(self) -> tuple[FileResult, ...]:
        return tuple(r for r in self.results if r.error is None)

    def _sum(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.measured)

    @property
    def heading_precision(self) -> float:
        return _ratio(self._sum("headings_matched"), self._sum("headings_produced"))

    @property
    def heading_recall(self) -> float:
        return _ratio(self._sum("headings_matched"), self._sum("headings_expected"))

    @property
    def heading_f1(self) -> float:
        p, r = self.heading_precision, self.heading_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def must_keep(self) -> float:
        return _ratio(self._sum("kept"), self._sum("must_keep"))

    @property
    def junk_removed(self) -> float:
        left = sum(len(r.junk_left) for r in self.measured)
        return _ratio(self._sum("junk_total") - left, self._sum("junk_total"))

    @property
    def markers_left(self) -> int:
        return self._sum("markers_left")

    @property
    def attribution_headings(self) -> int:
        return sum(len(r.attribution_headings) for r in self.measured)

    @property
    def notes_found(self) -> float:
        return _ratio(self._sum("notes_found"), self._sum("notes_expected"))

    @property
    def sources_found(self) -> float:
        return _ratio(self._sum("sources_found"), self._sum("sources_expected"))

    @property
    def titles(self) -> float:
        return _ratio(sum(1 for r in self.measured if r.title_ok), len(self.measured))

    def summary(self) -> dict[str, str]:
        """The figures as ``make bench`` prints them."""
        failed = [r for r in self.results if r.error is not None]
        return {
            "files measured": f"{len(self.measured)} of {len(self.results) + len(self.skipped)}"
            + (f" ({len(self.skipped)} without a reader yet)" if self.skipped else "")
            + (f", {len(failed)} failed to load" if failed else ""),
            "heading-tree F1 (text and level)": f"{self.heading_f1:.3f} "
            f"(P {self.heading_precision:.3f}, R {self.heading_recall:.3f})",
            "must-keep sentences kept": f"{100 * self.must_keep:.1f} %",
            "junk removed": f"{100 * self.junk_removed:.1f} %",
            "footnote markers left": str(self.markers_left),
            "attribution lines as headings": str(self.attribution_headings),
            "notes found": f"{100 * self.notes_found:.1f} %",
            "attributions kept as sources": f"{100 * self.sources_found:.1f} %",
            "titles right": f"{100 * self.titles:.1f} %",
        }

    def problems(self) -> list[str]:
        """One line per shortfall, naming the file: what a failing test prints."""
        lines = []
        for r in self.results:
            if r.error:
                lines.append(f"{r.file}: not loaded: {r.error}")
                continue
            for what, items in (
                ("missing heading", r.missing_headings),
                ("extra heading", r.extra_headings),
                ("lost", r.lost),
                ("junk left", r.junk_left),
                ("attribution as heading", r.attribution_headings),
            ):
                lines += [f"{r.file}: {what}: {x}" for x in items]
            if r.markers_left:
                lines.append(f"{r.file}: {r.markers_left} footnote markers left")
        return lines


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def measure(root: Path = REAL, refs: Iterable[Reference] | None = None) -> Figures:
    """Load every benchmark file and score it against its reference."""
    results: list[FileResult] = []
    skipped: list[str] = []
    for ref in refs if refs is not None else load_references(root):
        for name in ref.files:
            path = root / name
            if path.suffix.lower() not in SUFFIXES:
                skipped.append(name)
                continue
            try:
                document = load_document(path)
            except HandoutsError as err:
                results.append(FileResult(file=name, genre=ref.genre, error=str(err)))
                continue
            results.append(score(ref, name, document))
    return Figures(tuple(results), tuple(skipped))
