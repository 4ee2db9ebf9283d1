"""Adding a file to the corpus from outside (the workbench's upload form).

The name a client sends is untrusted: it may carry a path (``../../etc/x.html``,
``C:\\Users\\a\\讲话.html``), control characters, a leading dot that hides the file, or
the name of a file already in the corpus.  ``safe_name`` keeps only the last path
component's letters, digits (Chinese included), ``-`` and ``_``; ``store`` writes under
the corpus folder only, never over an existing file (a numbered suffix instead, said in
the result), and reads the file back with the corpus loader: a file the loader cannot
read is removed again and the loader's one-line reason is the error.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handouts import readers
from handouts.atomic import write_atomic
from handouts.corpus.load import SUFFIXES, explain_data
from handouts.errors import HandoutsError, InputFileError

MAX_STEM = 60
READABLE = tuple(sorted(readers.READERS))
"""What an upload may be: the formats a reader reads (a .doc is refused with the advice
the corpus gives for it, rather than stored to be reported at every build)."""
_UNSAFE = re.compile(r"[^\w\-]+")


def safe_name(client_name: str) -> str:
    """A file name safe to create in the corpus folder, from the name a client sent.

    ``InputFileError`` when the type is not one the readers take."""
    base = re.split(r"[/\\]", client_name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = suffix, ""
    suffix = f".{suffix.lower()}"
    if suffix in readers.CONVERT:
        raise InputFileError(client_name, readers.CONVERT[suffix])
    if suffix not in READABLE:
        shown = suffix if suffix != "." else "（没有扩展名）"
        raise InputFileError(client_name, f"unsupported file type {shown!r} "
                                          f"(use {', '.join(READABLE)})")
    stem = _UNSAFE.sub("-", stem).strip("-_")[:MAX_STEM].strip("-_")
    return f"{stem or 'upload'}{suffix}"


@dataclass(frozen=True)
class Stored:
    """Where an upload went, whether it had to be renamed, and what cleaning did."""

    path: Path
    renamed_from: str | None
    explained: dict[str, Any]


def store(corpus_dir: Path, client_name: str, data: bytes) -> Stored:
    """Save ``data`` in ``corpus_dir`` under a safe, unused name and explain it.

    Raises ``InputFileError`` (the file removed again) when the corpus loader cannot
    read it, with the loader's reason."""
    corpus_dir = Path(corpus_dir).resolve()
    name = safe_name(client_name)
    target = _unused(corpus_dir, name)
    if target.parent != corpus_dir:  # safe_name makes this impossible; belt and braces
        raise HandoutsError(client_name, "refused: the name leads outside the corpus folder")
    _reserve(target)
    try:
        write_atomic(target, data)
        explained = explain_data(target)
    except HandoutsError as err:
        target.unlink(missing_ok=True)
        raise InputFileError(client_name, err.problem) from None
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Stored(target, name if target.name != name else None, explained)


def _unused(directory: Path, name: str) -> Path:
    """``name``, or ``name-2``, ``name-3``…: an upload never replaces a corpus file."""
    stem, suffix = os.path.splitext(name)
    candidate = directory / name
    n = 1
    while candidate.exists() or _twin(directory, candidate):
        n += 1
        candidate = directory / f"{stem}-{n}{suffix}"
    return candidate


def _twin(directory: Path, candidate: Path) -> bool:
    """Another format of the same stem would change that document's id (and so the
    ids an edit file or packet spec names): avoid it too."""
    return any(p.stem == candidate.stem for p in directory.iterdir()
               if p.suffix.lower() in SUFFIXES)


def _reserve(target: Path) -> None:
    """Create the file exclusively so two uploads of one name cannot both take it."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise HandoutsError(target, "another upload took this name; try again") from None
    os.close(fd)
