"""A persistent corpus index: each file cleaned and sectioned once, its sections
segmented once, kept in SQLite (standard library) under the build directory.

Loading a corpus is read -> clean -> sections at about 4 ms a document, and the
content stages segment every section with jieba at about 8 ms a section: a 10,000
document archive would spend minutes before the first handout.  The index remembers
both by content:

* ``files``: each corpus file's path and ``stat`` identity (size, mtime, ctime,
  inode) with the hash of its name and bytes.  A file whose identity is unchanged is
  not even read; ctime and the inode cannot be set back by a tool, so an edit,
  however it was made, changes them (the same trust git's index places in them).
* ``documents``: the cleaned, sectioned ``Document`` (pickled) or the file's problem,
  keyed by that hash: a renamed or copied file is not cleaned again.
* ``tokens``: a text's jieba tokens keyed by the text's hash (``segment.cut_many``
  asks here first), so an unchanged section is never segmented again.

``meta`` holds the index format and hashes of the code that produced each table (the
reader, cleaner and sectioner for documents; the segmenter, its dictionary and jieba's
version for tokens).  When either moved, that table is emptied and refilled as files
are loaded: no stale cleaning survives a code change.  A file that is not a database,
or one SQLite finds malformed, is deleted and rebuilt; the index is a cache and may
be removed at any time.

Cold loads (many files to clean) are spread over a process pool, one worker per core.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handouts import limits, paths
from handouts.errors import HandoutsError, InputFileError
from handouts.model import Document

FORMAT = "2"
#: The modules (and data) whose behaviour decides what a file cleans into (patterns
#: under the package: a new reader or cleaning step is covered without a change here).
CLEANING_CODE = (
    "readers/*.py", "corpus/*.py", "model.py", "errors.py", "limits.py",
    "data/boilerplate.toml", "data/limits.toml",
)
#: ... and what a text segments into.
SEGMENTING_CODE = ("segment.py", "data/userdict.txt")
#: Below this many files to clean, a pool costs more (its start, pickling) than it saves.
POOL_THRESHOLD = 64
_BATCH = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER,
    inode INTEGER, doc_id TEXT, limits TEXT, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    hash TEXT PRIMARY KEY, document BLOB, problem TEXT);
CREATE TABLE IF NOT EXISTS tokens (hash BLOB PRIMARY KEY, tokens TEXT NOT NULL);
"""
# A token never holds a NUL (cleaning drops control characters): a safe separator.
_SEP = "\x00"


def _hash_files(patterns: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(paths.PACKAGE.glob(pattern)):
            digest.update(f"\0{path.relative_to(paths.PACKAGE).as_posix()}\0".encode())
            with contextlib.suppress(OSError):
                digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def cleaning_hash() -> str:
    """What a file cleans into depends on this code: a change empties ``documents``."""
    return _hash_files(CLEANING_CODE)


@functools.cache
def segmenting_hash() -> str:
    """What a text segments into depends on this code, dictionary and jieba itself."""
    try:
        from importlib.metadata import version

        jieba = version("jieba")
    except Exception:  # an uninstalled jieba: segmenting fails later, with its own error
        jieba = "?"
    return _hash_files(SEGMENTING_CODE) + f"\0jieba {jieba}"


def file_key(path: Path, data: bytes, doc_id: str) -> str:
    """A file's content hash: its bytes, its name (the format comes from it), the
    document id it gets in its folder, and the limits in force (they decide whether a
    large file loads at all)."""
    head = f"{doc_id}\0{path.name}\0{limits.current()}\0"
    return hashlib.sha256(head.encode() + data).hexdigest()


def document_ids(files: Sequence[Path]) -> list[str]:
    """``load.document_id`` for every file of a listing at once: the stem, or the stem
    and suffix when another corpus file shares the stem (one pass, not a directory
    scan per file)."""
    stems: dict[tuple[Path, str], int] = {}
    for path in files:
        stems[(path.parent, path.stem)] = stems.get((path.parent, path.stem), 0) + 1
    return [f"{p.stem}-{p.suffix.lower().lstrip('.')}" if stems[(p.parent, p.stem)] > 1
            else p.stem for p in files]


def _identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


@dataclass(frozen=True)
class LoadStats:
    """What the last ``load`` had to do: how many files it read and cleaned."""

    files: int = 0
    read: int = 0
    cleaned: int = 0


class CorpusIndex:
    """One index file; open it, ``load`` corpora through it, ``close`` it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rebuilt = False
        #: Why the index was thrown away and rebuilt in this session (``None``: it was not).
        self.damage: str | None = None
        self.last = LoadStats()
        self.segmented = 0
        self._db = self._open()

    # --- opening, checking, rebuilding -------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HandoutsError(self.path, f"cannot create the index: {exc.strerror}") from None
        try:
            return self._prepare(self._connect())
        except sqlite3.DatabaseError as exc:
            return self._reset(exc)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        # A cache: losing the last transaction to a power cut costs a re-clean, not data.
        # The default rollback journal keeps everything committed in the one file.
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _prepare(self, db: sqlite3.Connection) -> sqlite3.Connection:
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if meta.get("format") != FORMAT:  # another layout: start from empty tables
            for table in ("files", "documents", "tokens"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute("DELETE FROM meta")
        db.executescript(_SCHEMA)
        with _transaction(db):
            db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
            if meta.get("cleaning") != cleaning_hash() or meta.get("format") != FORMAT:
                db.execute("DELETE FROM files")
                db.execute("DELETE FROM documents")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('cleaning', ?)",
                           (cleaning_hash(),))
        return db

    def _reset(self, problem: BaseException) -> sqlite3.Connection:
        """Throw a damaged index away and start an empty one."""
        self.damage = type(problem).__name__
        with contextlib.suppress(Exception):
            self._db.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")
        self.rebuilt = True
        try:
            return self._prepare(self._connect())
        except sqlite3.DatabaseError as exc:
            raise HandoutsError(self.path, f"cannot rebuild the corpus index: {exc}") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> CorpusIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- documents ------------------------------------------------------------------

    def load(self, files: Sequence[Path], *, jobs: int | None = None
             ) -> list[Document | InputFileError]:
        """Each file as its ``Document``, or the ``InputFileError`` it raises, in order."""
        try:
            return self._load(files, jobs)
        except (sqlite3.DatabaseError, pickle.UnpicklingError, EOFError, AttributeError,
                TypeError, ValueError) as exc:
            # Damaged pages or blobs: start again from the files themselves.
            self._db = self._reset(exc)
            return self._load(files, jobs)

    def _load(self, files: Sequence[Path], jobs: int | None) -> list[Document | InputFileError]:
        db = self._db
        known = {row[0]: row[1:] for row in db.execute(
            "SELECT path, size, mtime_ns, ctime_ns, inode, doc_id, limits, hash FROM files")}
        keys: list[str] = []
        changed_files: list[tuple[Any, ...]] = []
        settings = str(limits.current())
        for path, doc_id in zip(files, document_ids(files), strict=True):
            name = str(path)
            stat = path.stat()
            # A twin appearing (讲话.md beside 讲话.html) renames the document; new
            # limits may refuse it: either makes the stored row stale.
            identity = (*_identity(stat), doc_id, settings)
            row = known.get(name)
            if row is not None and tuple(row[:6]) == identity:
                keys.append(row[6])
                continue
            key = file_key(path, path.read_bytes(), doc_id)
            keys.append(key)
            changed_files.append((name, *identity, key))

        stored = self._documents(set(keys))
        missing = {key: path for key, path in zip(keys, files, strict=True) if key not in stored}
        fresh = dict(_clean_all(list(missing.items()), jobs))
        stored.update(fresh)

        self.last = LoadStats(len(files), len(changed_files), len(fresh))
        with _transaction(db):
            db.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?, ?)",
                           [(k, blob, problem) for k, (blob, problem) in fresh.items()])
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           changed_files)
            if changed_files or fresh:
                self._sweep(files)

        out: list[Document | InputFileError] = []
        for key, path in zip(keys, files, strict=True):
            blob, problem = stored[key]
            if blob is None:
                out.append(InputFileError(path, problem or "could not be read"))
                continue
            document: Document = pickle.loads(blob)
            if document.path != str(path):  # the same file in another folder
                import dataclasses

                document = dataclasses.replace(document, path=str(path))
            out.append(document)
        return out

    def _documents(self, keys: set[str]) -> dict[str, tuple[bytes | None, str | None]]:
        found: dict[str, tuple[bytes | None, str | None]] = {}
        ordered = sorted(keys)
        for i in range(0, len(ordered), _BATCH):
            batch = ordered[i:i + _BATCH]
            marks = ",".join("?" * len(batch))
            for key, blob, problem in self._db.execute(
                    f"SELECT hash, document, problem FROM documents WHERE hash IN ({marks})",
                    batch):
                found[key] = (blob, problem)
        return found

    def _sweep(self, files: Sequence[Path]) -> None:
        """Forget files of these folders that are gone, and documents no file names."""
        folders = {str(p.parent) for p in files}
        present = {str(p) for p in files}
        gone = [(name,) for (name,) in self._db.execute("SELECT path FROM files")
                if str(Path(name).parent) in folders and name not in present]
        self._db.executemany("DELETE FROM files WHERE path = ?", gone)
        self._db.execute("DELETE FROM documents WHERE hash NOT IN (SELECT hash FROM files)")

    # --- tokens ---------------------------------------------------------------------

    def tokens(self, texts: Sequence[str], cut: Any) -> list[tuple[str, ...]]:
        """Each text's tokens: from the index, else ``cut(text)`` and remembered."""
        try:
            return self._tokens(texts, cut)
        except sqlite3.DatabaseError as exc:
            self._db = self._reset(exc)
            return self._tokens(texts, cut)

    def _tokens(self, texts: Sequence[str], cut: Any) -> list[tuple[str, ...]]:
        db = self._db
        if self._meta("segmenting") != segmenting_hash():
            with _transaction(db):
                db.execute("DELETE FROM tokens")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('segmenting', ?)",
                           (segmenting_hash(),))
        keys = [hashlib.blake2b(t.encode(), digest_size=16).digest() for t in texts]
        found: dict[bytes, tuple[str, ...]] = {}
        distinct = sorted(set(keys))
        for i in range(0, len(distinct), _BATCH):
            batch = distinct[i:i + _BATCH]
            marks = ",".join("?" * len(batch))
            for key, joined in db.execute(
                    f"SELECT hash, tokens FROM tokens WHERE hash IN ({marks})", batch):
                # Interned: a corpus repeats a few tens of thousands of words millions
                # of times, and one string per occurrence was most of a large outline's
                # memory.
                found[key] = tuple(map(sys.intern, joined.split(_SEP))) if joined else ()
        new: list[tuple[bytes, str]] = []
        for key, text in zip(keys, texts, strict=True):
            if key not in found:
                self.segmented += 1
                tokens = tuple(map(sys.intern, cut(text)))
                found[key] = tokens
                if not any(_SEP in t for t in tokens):
                    new.append((key, _SEP.join(tokens)))
        if new:
            with _transaction(db):
                db.executemany("INSERT OR REPLACE INTO tokens VALUES (?, ?)", new)
        return [found[k] for k in keys]

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def clean_one(path: Path) -> tuple[bytes | None, str | None]:
    """One file cleaned and sectioned: the pickled ``Document``, or its problem."""
    from handouts.corpus.load import load_document

    try:
        document = load_document(path)
    except HandoutsError as exc:
        return None, exc.problem
    return pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL), None


def _clean_all(todo: list[tuple[str, Path]], jobs: int | None
               ) -> Iterator[tuple[str, tuple[bytes | None, str | None]]]:
    workers = min(jobs or os.cpu_count() or 1, len(todo) // (POOL_THRESHOLD // 2) or 1)
    if len(todo) < POOL_THRESHOLD or workers <= 1:
        for key, path in todo:
            yield key, clean_one(path)
        return
    import multiprocessing

    # fork: the workers inherit the imported cleaner, nothing is re-imported.
    with ProcessPoolExecutor(max_workers=workers,
                             mp_context=multiprocessing.get_context("fork")) as pool:
        chunk = max(1, min(64, len(todo) // (workers * 8)))
        results = pool.map(clean_one, [p for _k, p in todo], chunksize=chunk)
        for (key, _path), result in zip(todo, results, strict=True):
            yield key, result
