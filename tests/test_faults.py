"""Faults an unattended weekly build meets: nothing hangs, nothing is lost, nothing leaks.

Build-level faults run ``build_all`` with the small harness of ``test_build`` (a
renderer that makes a real, tiny PDF with pypdf), so each decision costs milliseconds;
a full disk and a read-only build directory are real mounts (tmpfs, a read-only bind),
which needs root, as the CI machine and ``make test`` run.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_build import fake_compute, tiny_pdf

from handouts import limits, paths
from handouts.build import build
from handouts.build.build import build_all
from handouts.corpus.load import load_document, load_documents
from handouts.corpus.sanitize import sanitize
from handouts.errors import ConfigError, InputFileError
from handouts.model import Handout

SEED = sorted(paths.CORPUS.glob("*.txt"))


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    corpus = tmp_path / "corpus"
    packets = tmp_path / "packets"
    corpus.mkdir()
    packets.mkdir()
    for name, text in {"a": "甲一\n甲二", "b": "乙一", "c": "丙一\n丙二\n丙三"}.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    return {"corpus": corpus, "packets": packets, "out": tmp_path / "build"}


def run(tree: dict[str, Path], *, render=tiny_pdf, lines: list[str] | None = None,
        wait: bool = False, jobs: int = 1) -> build.BuildReport:
    return build_all(tree["out"], corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                     jobs=jobs, progress=(lines.append if lines is not None else None),
                     render=render, compute=fake_compute, describe=build.handout_json,
                     wait=wait)


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.pdf"))}


def _mount(*args: str) -> None:
    proc = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount here ({proc.stderr.strip()}): needs root, as CI has")


@contextlib.contextmanager
def mounted(target: Path, *args: str) -> Iterator[None]:
    _mount(*args, str(target))
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


# --- limits ----------------------------------------------------------------------------


def test_a_document_over_the_size_limit_is_refused_by_name_and_size(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOUTS_MAX_DOCUMENT_BYTES", "50000")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "book.txt").write_text(SEED[1].read_text(encoding="utf-8") * 2, encoding="utf-8")
    (corpus / "ok.txt").write_bytes(SEED[0].read_bytes())
    documents, problems = load_documents(corpus)
    assert [d.id for d in documents] == ["ok"]
    (problem,) = problems
    message = str(problem)
    assert "book.txt" in message and "105 KB" in message and "50 KB" in message
    assert "\n" not in message


def test_limits_come_from_the_data_file_and_a_bad_override_is_named(monkeypatch):
    assert limits.current() == limits.Limits(2_000_000, 6_000, 300.0)
    monkeypatch.setenv("HANDOUTS_RENDER_SECONDS", "soon")
    with pytest.raises(ConfigError, match="HANDOUTS_RENDER_SECONDS: render_seconds must be"):
        limits.current()


def test_a_28_mb_text_file_is_refused_by_name_and_the_handout_still_builds(tmp_path):
    """The reported case: a whole book dropped into corpus/ stalled a build for minutes."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in SEED:
        (corpus / seed.name).write_bytes(seed.read_bytes())
    (corpus / "themes.toml").write_bytes((paths.CORPUS / "themes.toml").read_bytes())
    book = SEED[1].read_bytes()
    with open(corpus / "全书.txt", "wb") as handle:
        for _ in range(28_000_000 // len(book) + 1):
            handle.write(book)
    out = tmp_path / "grassroots.pdf"
    proc = subprocess.run(
        [sys.executable, "-m", "handouts", "build", "--theme", "grassroots",
         "--corpus", str(corpus), "-o", str(out)],
        capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    warning = next(line for line in proc.stderr.splitlines() if "全书.txt" in line)
    assert "MB is over the limit of 2.0 MB" in warning
    assert len(PdfReader(out).pages) > 1


# --- time budget -------------------------------------------------------------------------


def slow_for_b(handout: Handout) -> bytes:
    """A renderer that never finishes one output (a stand-in for a pathological layout)."""
    if handout.title == "b":
        while True:
            time.sleep(0.01)
    return tiny_pdf(handout)


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_output_over_the_time_budget_is_stopped_named_and_the_others_build(
        tree, monkeypatch, jobs):
    monkeypatch.setenv("HANDOUTS_RENDER_SECONDS", "0.5")
    lines: list[str] = []
    report = run(tree, render=slow_for_b, lines=lines, jobs=jobs)
    assert report.failures == (str(tree["out"] / "themes/b.pdf"),)
    failed = next(line for line in lines if "FAILED" in line)
    assert "themes/b.pdf" in failed and "render time limit" in failed
    assert sorted(digests(tree["out"])) == ["themes/a.pdf", "themes/c.pdf"]
    assert not list(tree["out"].rglob("*.tmp"))


# --- the build directory -----------------------------------------------------------------


def test_a_full_disk_is_a_clear_error_and_keeps_the_previous_pdfs(tree):
    tree["out"].mkdir()
    with mounted(tree["out"], "-t", "tmpfs", "-o", "size=64k", "tmpfs"):
        run(tree)
        before = digests(tree["out"])
        assert len(before) == 3
        filler = tree["out"] / "filler"
        with open(filler, "wb") as handle, contextlib.suppress(OSError):
            handle.write(b"\0" * 1_000_000)
        (tree["corpus"] / "a.txt").write_text("甲一\n甲二\n甲三" * 50, encoding="utf-8")
        lines: list[str] = []
        # The output fails, and so does the manifest after it: one error for the run.
        with pytest.raises(build.HandoutsError, match=r"manifest\.json: cannot write: No space"):
            run(tree, lines=lines)
        assert any("FAILED" in line and "themes/a.pdf" in line and "No space left" in line
                   for line in lines)
        assert digests(tree["out"]) == before  # the previous PDF is still there, whole
        assert not list(tree["out"].rglob("*.tmp"))


def test_a_read_only_build_directory_is_one_clear_error_and_nothing_is_lost(tree, tmp_path):
    run(tree)
    before = digests(tree["out"])
    with mounted(tree["out"], "--bind", "-o", "ro", str(tree["out"])):
        (tree["corpus"] / "a.txt").write_text("甲一改", encoding="utf-8")
        with pytest.raises(build.HandoutsError, match="Read-only file system"):
            run(tree)
        assert digests(tree["out"]) == before


def test_the_cli_says_the_build_directory_is_read_only_in_one_line(tree, tmp_path):
    run(tree)
    with mounted(tree["out"], "--bind", "-o", "ro", str(tree["out"])):
        proc = subprocess.run(
            [sys.executable, "-m", "handouts", "build-all", "--out", str(tree["out"]),
             "--corpus", str(tree["corpus"]), "--packets", str(tree["packets"])],
            capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert "Read-only file system" in proc.stderr and str(tree["out"]) in proc.stderr


@pytest.mark.parametrize("damage", ["truncate", "garble"])
def test_a_damaged_manifest_or_cache_is_detected_rebuilt_and_said_once(tree, damage):
    run(tree)
    before = digests(tree["out"])
    manifest = tree["out"] / "manifest.json"
    data = manifest.read_bytes()
    manifest.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"\x00\xff" * 40)
    (tree["corpus"] / "b.txt").write_text("乙一改", encoding="utf-8")
    lines: list[str] = []
    report = run(tree, lines=lines)
    assert report.failures == ()
    said = [line for line in lines if "manifest.json: damaged" in line]
    assert len(said) == 1
    assert digests(tree["out"]).keys() == before.keys()
    again: list[str] = []
    run(tree, lines=again)
    assert not [line for line in again if "damaged (" in line]


def test_a_damaged_cache_file_is_rebuilt_and_said_once(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(SEED[0].read_bytes())
    cache = tmp_path / "cache"
    first = build.load_corpus(corpus, cache)
    # The cleaned documents live in the corpus index (corpus/index.py) since issue 13.
    store = cache / build.INDEX
    store.write_bytes(store.read_bytes()[:100])
    build._damaged.clear()
    second = build.load_corpus(corpus, cache)
    assert second.documents == first.documents
    assert len(build._damaged) == 1 and "corpus.sqlite: cache damaged" in build._damaged[0]
    build._damaged.clear()
    build.load_corpus(corpus, cache)
    assert build._damaged == []


def test_a_second_build_says_who_holds_the_lock_and_can_wait_for_it(tree):
    tree["out"].mkdir()
    held = open(tree["out"] / ".lock", "a+")  # noqa: SIM115
    fcntl.flock(held, fcntl.LOCK_EX)
    held.write("build pid 4242 started 09:30:00\n")
    held.flush()
    try:
        with pytest.raises(build.HandoutsError, match="build pid 4242 started 09:30:00 is running"):
            run(tree)
        threading.Timer(0.5, held.close).start()
        lines: list[str] = []
        started = time.perf_counter()
        report = run(tree, wait=True, lines=lines)
        assert time.perf_counter() - started >= 0.4
        assert report.failures == ()
        assert lines[0] == "waiting for build pid 4242 started 09:30:00 to finish…"
    finally:
        held.close()
    assert build.lock_holder(tree["out"]) is None


def test_a_lock_left_by_a_killed_build_is_taken_over(tree):
    """``kill -9`` leaves the lock file with its holder's line; the kernel lock is gone."""
    tree["out"].mkdir()
    script = ("import fcntl, os, time\n"
              f"h = open({str(tree['out'] / '.lock')!r}, 'a')\n"
              "fcntl.flock(h, fcntl.LOCK_EX)\n"
              "h.write('build pid %d started 10:00:00\\n' % os.getpid()); h.flush()\n"
              "print('locked', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    assert "started 10:00:00" in (build.lock_holder(tree["out"]) or "")
    proc.kill()
    proc.wait()
    assert run(tree).failures == ()


# --- hostile text ------------------------------------------------------------------------


def test_unprintable_characters_are_removed_and_reported():
    text = "群众\u202e路线\x01教育\ue000实践\ud800活动\U000e0001\ufeff。\n第二段\t正文"
    result = sanitize(text)
    assert result.text == "群众路线教育实践活动。\n第二段\t正文"
    kinds = " ".join(what for what, _ in result.removed)
    for expected in ("bidi control", "control", "private-use", "lone surrogate",
                     "byte-order mark", "tag character"):
        assert expected in kinds
    assert result.report() is not None and "unprintable" in (result.report() or "")


def test_a_clean_text_passes_unchanged_and_unreported():
    text = SEED[0].read_text(encoding="utf-8")
    result = sanitize(text)
    assert result.text == text and result.removed == () and result.report() is None


def test_unprintable_characters_never_reach_a_section_and_explain_names_them(tmp_path):
    page = tmp_path / "page.txt"
    body = "坚持群众路线，\u202e密切联系群众，\ue001始终同人民群众想在一起、干在一起。" * 3
    page.write_text(f"学习体会\n\n{body}\n", encoding="utf-8")
    document = load_document(page)
    text = "".join(s.text for s in document.sections)
    assert "\u202e" not in text and "\ue001" not in text
    assert "始终同人民群众想在一起" in text
    from handouts.corpus.load import explain_data

    assert any("unprintable" in repair for repair in explain_data(page)["repairs"])


def test_a_file_that_is_only_unprintable_characters_is_a_one_line_error(tmp_path):
    page = tmp_path / "junk.txt"
    page.write_text("\ue000\ue001\ue002" * 30 + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"junk\.txt"):
        load_document(page)


# --- huge and deep inputs ------------------------------------------------------------------


def _loads_or_fails_by_name(path: Path) -> bool:
    """Load under a generous deadline, a guard against a hang (catastrophic backtracking,
    quadratic joins, runaway recursion), not a speed figure: ``make bench`` has those."""
    from fuzzing import deadline

    with deadline(300), contextlib.suppress(InputFileError):
        load_document(path)
    return True


def test_a_one_megabyte_line_without_breaks_loads_within_seconds(tmp_path):
    page = tmp_path / "line.txt"
    sentence = "坚持以人民为中心的发展思想，把群众满意作为工作标准。"
    page.write_text("一行到底\n" + sentence * (1_000_000 // len(sentence.encode())), "utf-8")
    assert _loads_or_fails_by_name(page)


def test_deeply_nested_html_loads_or_fails_by_name_without_crashing(tmp_path):
    page = tmp_path / "deep.html"
    depth = 5000
    text = "深入调查研究，掌握第一手材料。" * 20
    body = "<div>" * depth + f"<p>{text}</p>" + "</div>" * depth
    page.write_text(f"<html><head><title>深</title></head><body>{body}</body></html>", "utf-8")
    assert _loads_or_fails_by_name(page)


def test_a_file_that_is_one_huge_table_loads_or_fails_by_name(tmp_path):
    page = tmp_path / "table.html"
    rows = "".join(f"<tr><td>{n}</td><td>第{n}支部</td><td>学习调查研究</td></tr>"
                   for n in range(20_000))
    page.write_text(f"<html><body><table>{rows}</table></body></html>", "utf-8")
    assert _loads_or_fails_by_name(page)


def test_many_tiny_files_load_and_the_empty_ones_are_named(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(2_000):
        (corpus / f"{n:05d}.txt").write_text("" if n % 2 else f"第{n}篇\n\n坚持人民至上。",
                                             encoding="utf-8")
    documents, problems = load_documents(corpus)
    assert len(documents) + len(problems) == 2_000
    assert all(".txt: empty file" in str(p) for p in problems)


def test_nothing_of_the_environment_leaks_into_the_limits(monkeypatch):
    for name in list(os.environ):
        if name.startswith("HANDOUTS_"):
            monkeypatch.delenv(name)
    assert limits.current().max_section_chars == 6_000


# --- excerpts ----------------------------------------------------------------------------


def _long_section_corpus(root: Path, paragraphs: int) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "themes.toml").write_bytes((paths.CORPUS / "themes.toml").read_bytes())
    for seed in SEED:  # term statistics need a corpus, not one document
        (corpus / seed.name).write_bytes(seed.read_bytes())
    paragraph = ("领导干部要深入基层、深入群众开展调查研究，掌握第一手材料。"
                 "调查研究是谋事之基、成事之道，没有调查就没有发言权。") * 4
    body = "\n\n".join(f"第{n}段。{paragraph}" for n in range(paragraphs))
    (corpus / "长文.txt").write_text(f"关于调查研究的长篇报告\n\n{body}\n", encoding="utf-8")
    return corpus


def test_a_section_over_the_length_limit_prints_as_an_excerpt_that_says_so(tmp_path):
    from handouts import pipeline
    from handouts.content.excerpt import excerpt

    corpus = pipeline.load(_long_section_corpus(tmp_path, 200))
    doc = next(d for d in corpus.documents if d.id == "长文")
    section = doc.sections[0]
    cut, note = excerpt(section, doc, 6_000)
    assert note is not None and "节选" in note and "《关于调查研究的长篇报告》" in note
    assert "长文.txt" in note
    printed = sum(len(p) for p in cut.paragraphs)
    assert 5_000 < printed <= 6_000
    assert cut.text.endswith("。") and section.text.startswith(cut.text)
    unchanged, none = excerpt(section, doc, 10 ** 9)
    assert unchanged is section and none is None


def test_a_handout_from_a_book_length_section_stays_a_sane_length(tmp_path):
    corpus = _long_section_corpus(tmp_path, 600)
    out = tmp_path / "grassroots.pdf"
    proc = subprocess.run(
        [sys.executable, "-m", "handouts", "build", "--theme", "grassroots",
         "--corpus", str(corpus), "-o", str(out)],
        capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    reader = PdfReader(out)
    assert len(reader.pages) <= 30
    text = "".join(page.extract_text() for page in reader.pages)
    assert "节选" in text and "长文.txt" in text
