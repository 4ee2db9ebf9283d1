"""The corpus stage: a folder of saved pages -> cleaned, sectioned ``Document`` s.

read (reader.py) -> clean (clean.py) -> sections (sections.py).  Loading is linear in
the corpus size and touches no segmenter, so ``handouts corpus`` is fast and a
worker pool can load files independently.  A file that cannot be read is reported,
not fatal, unless the caller asks for ``strict``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handouts import limits
from handouts import readers as reader
from handouts.corpus import clean, notes, sections
from handouts.corpus.sanitize import sanitize
from handouts.errors import HandoutsError, InputFileError
from handouts.model import Document

if TYPE_CHECKING:
    from handouts.corpus.index import CorpusIndex

# Files in a format we do not read are listed too, so each is reported (convert to …)
# rather than silently left out.
SUFFIXES = (*reader.READERS, *reader.CONVERT)
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


def _cleaned(path: Path) -> tuple[reader.RawDocument, clean.Cleaned, notes.Noted]:
    limit = limits.current().max_document_bytes
    _check_size(path, _file_size(path), limit, "")
    raw = reader.read_document(path)
    _check_size(path, len(raw.text.encode("utf-8")), limit, " of text")
    safe = sanitize(raw.text)
    given = tuple((label, sanitize(note).text) for label, note in raw.notes)
    noted = notes.split_notes(safe.text, given)
    cleaned = clean.clean_text(
        noted.text,
        markdown=raw.format == "markdown",
        title=raw.title,
        date=raw.date,
        source=raw.source,
        author=raw.author,
    )
    if safe.removed:
        cleaned = dataclasses.replace(cleaned, notes=(safe.report(), *cleaned.notes))
    return raw, cleaned, noted


def _file_size(path: Path) -> int:
    """The size of a text file on disk (0 for formats whose text is extracted first:
    a .docx or .pdf carries images and fonts, so its bytes say little)."""
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return 0
    try:
        return path.stat().st_size
    except OSError as err:
        raise InputFileError(path, f"cannot read: {err.strerror or err}") from None


def _check_size(path: Path, size: int, limit: int, what: str) -> None:
    """Refuse a document too large to be a study text before reading or cleaning it:
    a whole book or a database export would otherwise stall every build."""
    if size > limit:
        raise InputFileError(
            path,
            f"{human_size(size)}{what} is over the limit of {human_size(limit)} for one "
            f"document; split it into articles or raise HANDOUTS_MAX_DOCUMENT_BYTES",
        )


def human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1e6:.1f} MB"
    if size >= 1_000:
        return f"{size / 1e3:.0f} KB"
    return f"{size} bytes"


def load_document(path: Path) -> Document:
    """One file as a ``Document``; ``InputFileError`` if it is not a readable text."""
    path = Path(path)
    return _document(path, *_cleaned(path))


def _document(
    path: Path, raw: reader.RawDocument, cleaned: clean.Cleaned, noted: notes.Noted
) -> Document:
    if not cleaned.paragraphs:
        raise InputFileError(path, "no article text left after cleaning")
    title = notes.strip_tokens(cleaned.title or "") or path.stem
    markdown = raw.format == "markdown"
    doc_id = document_id(path)
    parts = sections.split_sections(doc_id, title, cleaned.paragraphs, markdown=markdown)
    return Document(
        id=doc_id,
        path=str(path),
        title=title,
        date=cleaned.date,
        source=cleaned.source,
        author=cleaned.author,
        sections=notes.attach(parts, noted.notes),
    )


def document_id(path: Path) -> str:
    """The file name without its suffix, which section ids and packet specs use; when
    two corpus files share that name (``讲话.html`` and ``讲话.md``), each keeps its
    suffix (``讲话-html``) so their sections never share an id."""
    stem = path.stem
    try:
        folder = path.parent.stat()
    except OSError:
        return stem
    if stem in _twin_stems(path.parent, folder.st_mtime_ns, folder.st_ino):
        return f"{stem}-{path.suffix.lower().lstrip('.')}"
    return stem


@functools.lru_cache(maxsize=64)
def _twin_stems(folder: Path, _mtime_ns: int, _inode: int) -> frozenset[str]:
    """The names two corpus files of ``folder`` share: one listing per folder state, so
    a corpus of N files costs one scan, not N (a folder's mtime moves when a file is
    added, removed or renamed)."""
    seen: set[str] = set()
    twins: set[str] = set()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return frozenset()
    for entry in entries:
        name = entry.name
        dot = name.rfind(".")
        if dot <= 0 or name[dot:].lower() not in SUFFIXES:
            continue
        stem = name[:dot]
        (twins if stem in seen else seen).add(stem)
    return frozenset(twins)


NO_DOCUMENTS = "no .txt, .md, .html, .docx or .pdf documents"


def document_paths(root: Path) -> list[Path]:
    """The corpus files directly in ``root``, sorted by name (themes.toml and the
    like are not documents)."""
    return sorted(
        (
            p
            for p in root.iterdir()
            if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
        ),
        key=lambda p: p.name,
    )


def load_documents(
    root: Path, *, strict: bool = False, index: Path | CorpusIndex | None = None
) -> tuple[tuple[Document, ...], tuple[HandoutsError, ...]]:
    """Every document of a corpus folder, and the problems of the files that failed.

    With ``index`` (a file under the build directory, or an open ``CorpusIndex``),
    documents come from the corpus index (``corpus/index.py``) when their files are
    unchanged, and the index's stored tokens serve the segmenter for the rest of the
    process.
    """
    root = Path(root)
    if not root.is_dir():
        raise HandoutsError(root, "corpus directory not found")
    paths = document_paths(root)
    if not paths:
        raise HandoutsError(root, NO_DOCUMENTS)
    documents: list[Document] = []
    problems: list[HandoutsError] = []
    for loaded in _load_all(paths, index):
        if isinstance(loaded, Document):
            documents.append(loaded)
        elif strict:
            raise loaded
        else:
            problems.append(loaded)
    return tuple(documents), tuple(problems)


def _load_all(paths: list[Path], index: Path | CorpusIndex | None
              ) -> list[Document | HandoutsError]:
    if index is not None:
        from handouts import segment
        from handouts.corpus.index import CorpusIndex

        opened = index if isinstance(index, CorpusIndex) else CorpusIndex(index)
        segment.use_store(opened)
        return list(opened.load(paths))
    out: list[Document | HandoutsError] = []
    for path in paths:
        try:
            out.append(load_document(path))
        except HandoutsError as err:
            out.append(err)
    return out


def explain_data(path: Path) -> dict[str, Any]:
    """What the cleaner and sectioner did with one file, as JSON-ready data."""
    path = Path(path)
    raw, cleaned, noted = _cleaned(path)
    document = _document(path, raw, cleaned, noted)
    markdown = raw.format == "markdown"
    # One heading per section in reading order; a section more than there are
    # headings is the introduction, titled with the document title.
    styles = [
        style
        for style, _ in sections.heading_styles(
            cleaned.paragraphs, markdown=markdown, doc_title=document.title
        )
    ]
    if len(styles) < len(document.sections):
        styles.insert(0, "document title")
    return {
        "path": str(path),
        "encoding": raw.encoding,
        "format": raw.format,
        "metadata": {
            "title": document.title,
            "date": document.date,
            "source": document.source,
            "author": document.author,
        },
        "dropped": [{"line": d.line, "reason": d.reason, "text": d.text} for d in cleaned.dropped],
        "repairs": list(cleaned.notes),
        "headings": [
            {"id": s.id, "level": s.level, "title": s.title, "style": kind, "notes": len(s.notes)}
            for s, kind in zip(document.sections, styles, strict=True)
        ],
        "notes": [
            {"section": s.id, "n": n, "text": note}
            for s in document.sections
            for n, note in enumerate(s.notes, 1)
        ],
        "paragraphs": len(cleaned.paragraphs),
        "characters": sum(len(p) for p in cleaned.paragraphs),
    }


def explain(path: Path) -> str:
    """The report of ``handouts corpus --explain FILE``, for an organiser to check."""
    data = explain_data(path)
    meta = data["metadata"]
    lines = [
        f"{data['path']} ({data['format']}, {data['encoding']})",
        "",
        "Metadata:",
        *(
            f"  {key:<7} {meta[key] if meta[key] else '-'}"
            for key in ("title", "date", "source", "author")
        ),
        "",
        f"Dropped lines ({len(data['dropped'])}):",
    ]
    for d in data["dropped"]:
        text = d["text"] if len(d["text"]) <= 40 else d["text"][:39] + "…"
        lines.append(f"  line {d['line']:>4}  {d['reason']:<40}  {text}")
    if data["repairs"]:
        lines += ["", "Repairs:", *(f"  {note}" for note in data["repairs"])]
    lines += ["", f"Headings ({len(data['headings'])} sections):"]
    for h in data["headings"]:
        indent = "  " * h["level"]
        extra = f", {h['notes']} notes" if h["notes"] else ""
        lines.append(
            f"{indent}[level {h['level']}] {h['title']}  ({h['style']}, {h['id']}{extra})"
        )
    if data["notes"]:
        lines += ["", f"Notes ({len(data['notes'])}, each with the section citing it):"]
        for note in data["notes"]:
            text = note["text"] if len(note["text"]) <= 50 else note["text"][:49] + "…"
            lines.append(f"  {note['section']} [{note['n']}] {text}")
    lines += ["", f"Kept {data['paragraphs']} paragraphs, {data['characters']} characters."]
    return "\n".join(lines) + "\n"
