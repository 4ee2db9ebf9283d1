"""What every reader returns, and the registry of readers by file extension.

Pelican's readers in small: a reader is a function ``(path) -> RawDocument``
registered for the suffixes it reads, and ``read_document`` dispatches on the suffix.
A new format is one module that calls ``register``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from handouts.errors import InputFileError


@dataclass(frozen=True)
class RawDocument:
    """A decoded file: its text (``\\n`` line ends) and the metadata its format states."""

    path: str
    text: str
    format: str  # "text" or "markdown" (HTML arrives here as Markdown)
    encoding: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None
    notes: tuple[tuple[str, str], ...] = ()
    """Notes the format itself defines (Word footnotes and endnotes, a PDF's page-bottom
    notes, Markdown ``[^x]:`` definitions) as ``(label, text)``; ``text`` references each
    with the token ``[^label]`` where the marker stood.  Headings a format states (Word
    heading styles, a PDF's larger type) arrive as Markdown ``#`` lines, one ``#`` per
    level, with ``format == "markdown"``.  See ``handouts/corpus/notes.py``."""


Reader = Callable[[Path], RawDocument]
READERS: dict[str, Reader] = {}


def register(*suffixes: str) -> Callable[[Reader], Reader]:
    """Decorator: ``reader`` reads files with these suffixes (lower case, with the dot)."""

    def wrap(reader: Reader) -> Reader:
        for suffix in suffixes:
            READERS[suffix] = reader
        return reader

    return wrap


def read_document(path: str | Path) -> RawDocument:
    """Read one corpus file with the reader its extension names."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputFileError(
            path, f"unsupported file type {path.suffix!r} (use .txt, .md or .html)"
        )
    return reader(path)
