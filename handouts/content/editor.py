"""An outline as an editor in a browser shows it, and the save it makes.

The edit file (``edits.py``) is the one place an organiser's changes live; this module
only translates between it and a form: every section the handout prints (ticked, in
the file's order) and every section the pipeline proposes that the organiser left out
(unticked), with the fields a form edits.  A save goes through ``edits.save_edits``
under a lock, and a save made on a version of the file that has changed since is
refused with the difference, so two people (or two tabs) never silently overwrite
each other.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from handouts.content import edits
from handouts.errors import ConfigError
from handouts.model import Document, Handout

T = TypeVar("T")


@dataclass(frozen=True)
class EditorSection:
    """One section as the form shows it."""

    id: str
    title: str
    doc_title: str
    printed: bool
    key_points: tuple[str, ...]
    questions: tuple[str, ...]
    note: str = ""
    excerpt_start: str = ""
    excerpt_end: str = ""
    score: float = 0.0
    matched: tuple[str, ...] = ()
    source_hash: str | None = None
    stale: str | None = None  # "changed" or "gone" when the corpus moved under the edit
    chars: int = 0


@dataclass(frozen=True)
class EditorPart:
    part: str
    title: str
    questions: tuple[str, ...]
    sections: tuple[EditorSection, ...] = field(default=())


def editor_parts(proposed: Handout, edited: Handout, edit_file: edits.EditFile | None,
                 kind: edits.Kind, name: str,
                 documents: Sequence[Document]) -> list[EditorPart]:
    """The parts of a handout for the form: what prints, then what was left out."""
    stale = {s.section_id: s.state for s in
             (edits.stale_edits(edit_file, documents) if edit_file else ())}
    texts = {s.id: s.text for d in documents for s in d.sections}
    proposals = {edits.part_name(o, kind, name): o for o in proposed.outlines}
    parts = []
    for outline in edited.outlines:
        part = edits.part_name(outline, kind, name)
        written = {s.id: s for s in edit_file.part(part).sections} \
            if edit_file and edit_file.part(part) else {}
        shown = [_section(s, written.get(s.id), stale.get(s.id), printed=True)
                 for s in outline.sections]
        printed = {s.id for s in outline.sections}
        left_out = proposals.get(part)
        shown += [_section(s, None, None, printed=False,
                           source=edits.source_hash(texts.get(s.id, s.text)))
                  for s in (left_out.sections if left_out else ()) if s.id not in printed]
        parts.append(EditorPart(part, outline.theme.name, outline.questions, tuple(shown)))
    return parts


def _section(s, edit: edits.SectionEdit | None, stale: str | None, *, printed: bool,
             source: str | None = None) -> EditorSection:
    return EditorSection(
        id=s.id, title=s.title, doc_title=s.doc_title, printed=printed,
        key_points=s.key_points, questions=s.questions,
        note=(edit.note or "") if edit else "",
        excerpt_start=(edit.excerpt_start or "") if edit else "",
        excerpt_end=(edit.excerpt_end or "") if edit else "",
        score=s.score, matched=s.matched,
        source_hash=(edit.source_hash if edit else None) or source or edits.source_hash(s.text),
        stale=stale, chars=len(s.text),
    )


def lines(text: str | None) -> tuple[str, ...]:
    """A textarea's non-empty lines: one key point or question a line."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


class EditConflict(ConfigError):
    """A save made on a version of the edit file that is no longer the file's."""

    def __init__(self, path: Path, diff: list[str], version: str | None) -> None:
        super().__init__(path, "changed since you opened it (in another tab or by someone "
                               "else); nothing was saved")
        self.diff = diff
        self.version = version


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One save of an edit file at a time, across threads and processes (an advisory
    lock on a hidden file beside it; ``edit_paths`` ignores hidden files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.parent / f".{path.name}.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def save(path: Path, kind: edits.Kind, name: str, parts: Sequence[edits.PartEdit],
         proposed: Handout, expected_version: str | None, create) -> Path:
    """Save ``parts`` as the edit file at ``path`` if it is still at ``expected_version``
    (``None``: there was no file).  ``create()`` writes the file and its kept proposal
    (``pipeline.write_edits``) when there is none yet.  ``EditConflict`` carries the
    difference between the file now and this save when the file has moved on."""
    with locked(path):
        current = edits.file_version(path)
        if current != expected_version:
            doc_titles = {sid: s.doc_title for p in edits.load_base(path).values()
                          for sid, s in p.sections.items()}
            mine = edits.edit_file_text(kind, name, proposed, parts, doc_titles)
            now = path.read_text(encoding="utf-8") if current else ""
            diff = list(difflib.unified_diff(now.splitlines(), mine.splitlines(),
                                             "文件现在的内容", "您这次的修改", lineterm="", n=1))
            raise EditConflict(path, diff, current)
        if current is None:
            create()
        return edits.save_edits(path, kind, name, parts, proposed,
                                expected_version=edits.file_version(path))


def refresh(path: Path, expected_version: str | None, merge: Callable[[], T]) -> T:
    """Run ``merge()`` (``pipeline.write_edits(..., refresh=True)``) under the save lock
    if the file is still at ``expected_version``; its result (a ``MergeReport``)."""
    with locked(path):
        current = edits.file_version(path)
        if current != expected_version:
            raise EditConflict(path, [], current)
        return merge()
