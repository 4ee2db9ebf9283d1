"""The corpus index: unchanged files are neither read nor cleaned nor segmented again,
edits and code changes are picked up, and a damaged index is rebuilt."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from handouts import paths, pipeline, segment
from handouts.bench import replicate_corpus
from handouts.corpus import index as corpus_index
from handouts.corpus.index import CorpusIndex
from handouts.corpus.load import document_paths, load_documents

SEEDS = sorted(p.name for p in paths.CORPUS.glob("*.txt"))


@pytest.fixture(autouse=True)
def _no_store_left_behind():  # type: ignore[no-untyped-def]
    """Loading through an index serves the process's segmenter from it; these tests'
    indexes live in temporary folders, so the next test starts without one."""
    yield
    segment.use_store(None)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in SEEDS:
        shutil.copy(paths.CORPUS / name, folder / name)
    (folder / "empty.txt").write_bytes(b"")  # a problem file is remembered too
    return folder


def load(corpus: Path, where: Path) -> tuple[CorpusIndex, list]:
    index = CorpusIndex(where)
    return index, index.load(document_paths(corpus))


def test_documents_from_the_index_equal_a_fresh_load(corpus: Path, tmp_path: Path) -> None:
    plain, plain_problems = load_documents(corpus)
    first, first_problems = load_documents(corpus, index=tmp_path / "i.sqlite")
    assert [str(p) for p in first_problems] == [str(p) for p in plain_problems]
    again, again_problems = load_documents(corpus, index=tmp_path / "i.sqlite")
    assert first == again == plain and len(plain) == len(SEEDS)
    assert [str(p) for p in again_problems] == [str(p) for p in plain_problems]
    assert len(plain_problems) == 1 and "empty.txt" in str(plain_problems[0])


def test_an_unchanged_corpus_is_neither_read_nor_cleaned(corpus: Path, tmp_path: Path) -> None:
    where = tmp_path / "i.sqlite"
    cold, _ = load(corpus, where)
    assert cold.last.read == cold.last.cleaned == len(SEEDS) + 1
    warm, _ = load(corpus, where)
    assert warm.last.files == len(SEEDS) + 1
    assert warm.last.read == 0 and warm.last.cleaned == 0


def test_an_edited_file_is_the_only_one_cleaned_again(corpus: Path, tmp_path: Path) -> None:
    where = tmp_path / "i.sqlite"
    load(corpus, where)
    target = corpus / SEEDS[3]
    before = target.stat()
    target.write_text(target.read_text(encoding="utf-8").replace("俯下身子", "弯下腰来", 1),
                      encoding="utf-8")
    # The same size and times as before: the inode's change time still tells.
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    index, documents = load(corpus, where)
    assert index.last.read == 1 and index.last.cleaned == 1
    edited = next(d for d in documents if getattr(d, "id", "") == target.stem)
    printed = edited.title + "".join(s.title + s.text for s in edited.sections)
    assert "弯下腰来" in printed and "俯下身子深入基层" not in printed


def test_a_copied_file_is_read_but_not_cleaned_again(corpus: Path, tmp_path: Path) -> None:
    where = tmp_path / "i.sqlite"
    load(corpus, where)
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(corpus / SEEDS[0], other / SEEDS[0])
    index, documents = load(other, where)
    assert index.last.read == 1 and index.last.cleaned == 0
    assert documents[0].path == str(other / SEEDS[0])


def test_a_change_to_the_cleaning_code_rebuilds_the_documents(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = tmp_path / "i.sqlite"
    load(corpus, where)
    monkeypatch.setattr(corpus_index, "cleaning_hash", lambda: "a newer cleaner")
    index, _ = load(corpus, where)
    assert index.last.cleaned == len(SEEDS) + 1


def test_the_cleaning_hash_covers_the_cleaner_and_its_data() -> None:
    covered = {p.relative_to(paths.PACKAGE).as_posix() for pattern in corpus_index.CLEANING_CODE
               for p in paths.PACKAGE.glob(pattern)}
    assert {"corpus/clean.py", "corpus/sections.py", "corpus/sanitize.py", "corpus/notes.py",
            "corpus/load.py",
            "readers/txt.py", "readers/docx.py", "data/boilerplate.toml", "limits.py"} <= covered


@pytest.mark.parametrize("damage", ["garbage", "truncated", "bad blob"])
def test_a_damaged_index_is_rebuilt_from_the_files(
    corpus: Path, tmp_path: Path, damage: str
) -> None:
    where = tmp_path / "i.sqlite"
    index, good = load(corpus, where)
    index.close()
    if damage == "garbage":
        where.write_bytes(b"this is not a database" * 100)
    elif damage == "truncated":
        with sqlite3.connect(where) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = where.read_bytes()
        where.write_bytes(data[: len(data) // 3])
    else:
        with sqlite3.connect(where) as db:
            db.execute("UPDATE documents SET document = x'8004deadbeef' "
                       "WHERE document IS NOT NULL")
    again, documents = load(corpus, where)
    assert [str(d) for d in documents] == [str(d) for d in good]
    assert again.rebuilt and again.last.cleaned == len(SEEDS) + 1


def test_sections_are_segmented_once_and_then_read_back(tmp_path: Path) -> None:
    index = CorpusIndex(tmp_path / "i.sqlite")
    texts = ["坚持群众路线，深入基层调查研究。", "", "坚持群众路线，深入基层调查研究。"]
    cut = segment.get_segmenter().cut
    first = index.tokens(texts, cut)
    assert index.segmented == 2  # the repeated text once, the empty one too
    again = CorpusIndex(tmp_path / "i.sqlite").tokens(texts, cut)
    assert again == first and first[0] == tuple(cut(texts[0])) and first[1] == ()
    assert "群众路线" in first[0]


def test_a_new_user_dictionary_segments_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = CorpusIndex(tmp_path / "i.sqlite")
    cut = segment.get_segmenter().cut
    index.tokens(["深入基层"], cut)
    monkeypatch.setattr(corpus_index, "segmenting_hash", lambda: "another dictionary")
    fresh = CorpusIndex(tmp_path / "i.sqlite")
    fresh.tokens(["深入基层"], cut)
    assert fresh.segmented == 1


def test_outlines_through_the_index_equal_outlines_without_it(tmp_path: Path) -> None:
    from handouts.content.outline import clear_caches

    try:
        with_index = pipeline.load(paths.CORPUS, index=tmp_path / "i.sqlite")
        theme = with_index.themes[0].id
        clear_caches()
        first = pipeline.outline(with_index, theme)  # segments, and stores the tokens
        clear_caches()
        reloaded = pipeline.load(paths.CORPUS, index=tmp_path / "i.sqlite")
        stored = pipeline.outline(reloaded, theme)  # from the stored tokens
        segment.use_store(None)
        clear_caches()
        plain = pipeline.outline(pipeline.load(paths.CORPUS), theme)
    finally:
        clear_caches()
    assert first == stored == plain


def test_a_cold_load_of_many_files_uses_the_pool_and_agrees(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    replicate_corpus(folder, corpus_index.POOL_THRESHOLD + 6)
    pooled, _ = load_documents(folder, index=tmp_path / "i.sqlite")
    plain, _ = load_documents(folder)
    assert pooled == plain and len(plain) == corpus_index.POOL_THRESHOLD + 6


def test_a_twin_file_renames_the_stored_document(corpus: Path, tmp_path: Path) -> None:
    where = tmp_path / "i.sqlite"
    load(corpus, where)
    stem = Path(SEEDS[0]).stem
    (corpus / f"{stem}.md").write_text("# 另一篇\n\n坚持人民至上，" * 20, encoding="utf-8")
    _, documents = load(corpus, where)
    ids = {d.id for d in documents if not isinstance(d, Exception)}
    plain = {d.id for d in load_documents(corpus)[0]}
    assert ids == plain and f"{stem}-txt" in ids and f"{stem}-md" in ids


def test_new_limits_decide_again_whether_a_file_loads(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = tmp_path / "i.sqlite"
    _, before = load(corpus, where)
    assert sum(not isinstance(d, Exception) for d in before) == len(SEEDS)
    monkeypatch.setenv("HANDOUTS_MAX_DOCUMENT_BYTES", "8000")
    index, after = load(corpus, where)
    refused = [d for d in after if isinstance(d, Exception) and "over the limit" in str(d)]
    assert refused and index.last.read == len(SEEDS) + 1
