"""Plain text: the decoded file as it is; the cleaner finds its structure."""

from __future__ import annotations

from pathlib import Path

from handouts.readers.base import RawDocument, register
from handouts.readers.decode import read_text


@register(".txt")
def read_txt(path: Path) -> RawDocument:
    text, encoding = read_text(path)
    return RawDocument(str(path), text, "text", encoding)
