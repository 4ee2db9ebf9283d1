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


_TO_DOCX = "open it in Word or WPS and 另存为 .docx (or: soffice --headless --convert-to docx)"
CONVERT: dict[str, str] = {
    ".doc": f"old Word format (.doc) is not read: {_TO_DOCX}",
    ".wps": f"WPS 文字 format (.wps) is not read: {_TO_DOCX}",
    ".wpt": f"WPS template (.wpt) is not read: {_TO_DOCX}",
    ".dot": f"old Word template (.dot) is not read: {_TO_DOCX}",
    ".docm": f"macro-enabled Word file (.docm) is not read: {_TO_DOCX}",
    ".dotx": f"Word template (.dotx) is not read: {_TO_DOCX}",
    ".rtf": f"RTF is not read: {_TO_DOCX}",
    ".odt": f"OpenDocument text (.odt) is not read: {_TO_DOCX}",
    ".pages": "Apple Pages file is not read: in Pages choose 导出为 → Word (.docx)",
    ".ofd": "OFD is not read: open it in an OFD reader and 另存为 / 导出为 PDF",
    ".caj": "CAJ is not read: open it in CAJViewer and save it as PDF",
    ".xls": "a spreadsheet is not a study text: copy the text into a .docx or .txt",
    ".xlsx": "a spreadsheet is not a study text: copy the text into a .docx or .txt",
    ".et": "a spreadsheet is not a study text: copy the text into a .docx or .txt",
    ".ppt": "slides are not read: 另存为 PDF, or copy the text into a .docx",
    ".pptx": "slides are not read: 另存为 PDF, or copy the text into a .docx",
    ".dps": "slides are not read: 另存为 PDF, or copy the text into a .docx",
}
"""Formats people drop into the corpus that are not read, and what to convert them to."""


def read_document(path: str | Path) -> RawDocument:
    """Read one corpus file with the reader its extension names."""
    path = Path(path)
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        if suffix in CONVERT:
            raise InputFileError(path, CONVERT[suffix])
        known = ", ".join(sorted(READERS))
        raise InputFileError(path, f"unsupported file type {path.suffix!r} (use {known})")
    return reader(path)
