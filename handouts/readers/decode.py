"""Bytes on disk -> ``str`` with ``\\n`` line ends, for every plain-text format.

Organisers save pages however their browser or a colleague's old Windows machine
saves them: GBK from a 2010 forum, Big5 from a Taiwanese mirror, UTF-16 from Notepad,
CR line endings from a Mac.  Everything downstream sees the same thing: a ``str`` with
``\\n`` line ends.  A file that is not text raises ``InputFileError`` naming it, so one
bad file never hides the others.
"""

from __future__ import annotations

import re
from pathlib import Path

from handouts.errors import InputFileError

# Magic numbers of formats people drop into a folder by mistake.
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"\x7fELF",
    b"Rar!",
    b"\x1f\x8b",
    b"BM",
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data: bytes, where: str | Path) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise ``InputFileError`` for empty or binary data.

    Unambiguous signals go first (BOMs, strict UTF-8, the NUL pattern of BOM-less
    UTF-16); only then is charset-normalizer asked to choose among the legacy Chinese
    code pages, which it does by how plausible each decoding reads.
    """
    if not data.strip(b" \t\r\n\x00"):
        raise InputFileError(where, "empty file")
    for magic in _BINARY_MAGIC:
        if data.startswith(magic) and not _mostly_text_utf8(data):
            raise InputFileError(where, "binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", where), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", where), "utf-16"
    utf16 = _bomless_utf16(data)
    if utf16:
        return _strict(data, utf16, where), utf16
    if b"\x00" in data:
        raise InputFileError(where, "binary file, not text")
    try:
        return _checked(data.decode("utf-8"), where), "utf-8"
    except UnicodeDecodeError:
        pass
    return _legacy(data, where)


def _mostly_text_utf8(data: bytes) -> bool:
    try:
        text = data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _CONTROL.search(text)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: text in any 8-bit encoding has no NUL bytes, UTF-16 has
    them beside every ASCII character (and in some Han ones, U+4E00 一).  Both byte
    orders are tried; the reading that is clean Chinese (or plain ASCII) wins."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2 or b"\x00" not in sample:
        return None
    readings = []
    for candidate in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            continue
        score = 1.5 if text.isascii() else _han_ratio(text)
        readings.append((score, candidate))
    if readings:
        score, candidate = max(readings)
        if score >= 0.2:
            return candidate
    return None


def _strict(data: bytes, encoding: str, where: str | Path) -> str:
    try:
        return _checked(data.decode(encoding), where)
    except UnicodeDecodeError as err:
        raise InputFileError(where, f"cannot decode as {encoding} (byte {err.start})") from None


def _checked(text: str, where: str | Path) -> str:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputFileError(where, "empty file")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 200):
        raise InputFileError(where, "binary file, not text")
    return text


def _legacy(data: bytes, where: str | Path) -> tuple[str, str]:
    """GB18030/GBK or Big5: decode strictly with each, keep the readings that work,
    and let charset-normalizer's chaos/coherence measure decide between them."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16"]).best()
    candidates: list[tuple[str, str]] = []
    if best is not None:
        candidates.append((str(best), best.encoding))
    for encoding in ("gb18030", "big5"):
        try:
            candidates.append((data.decode(encoding), encoding))
        except UnicodeDecodeError:
            continue
    if not candidates:
        raise InputFileError(where, "cannot decode: not UTF-8, UTF-16, GB18030 or Big5 text")
    # charset-normalizer's pick first; a strict decode only when it found nothing.
    text, encoding = candidates[0]
    if _han_ratio(text) < 0.05 and len(candidates) > 1:
        text, encoding = max(candidates, key=lambda c: _han_ratio(c[0]))
    return _checked(text, where), encoding


def _han_ratio(text: str) -> float:
    return len(_HAN.findall(text)) / max(1, len(text))


def normalise_newlines(text: str) -> str:
    """LF, CRLF, CR, and the Unicode line/paragraph separators all become ``\\n``."""
    return (
        text.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\u2028", "\n")
        .replace("\u2029", "\n\n")
    )


def read_text(path: Path) -> tuple[str, str]:
    """A text file's decoded contents with ``\\n`` line ends, and its encoding."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputFileError(path, f"cannot read: {err.strerror or err}") from None
    text, encoding = decode(data, path)
    return normalise_newlines(text), encoding
