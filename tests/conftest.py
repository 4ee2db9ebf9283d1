"""Fixtures shared across the suite.

Loading the corpus costs a jieba dictionary load and a full cleaning pass; it is done
once per session and handed out read-only (the model is frozen).  So is the real build
(`make handouts` on the shipped corpus and packets): the end-to-end and typography
tests read the same PDFs instead of each rendering every theme again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts import paths, pipeline


@pytest.fixture(scope="session")
def seed_corpus() -> pipeline.Corpus:
    """The shipped corpus: the five seed documents and corpus/themes.toml."""
    return pipeline.load(paths.CORPUS)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """What ``make handouts`` builds from the shipped corpus, packets and rosters (two
    workers), built once for the whole run: the end-to-end, typography and roster tests
    read it back, and never write to it.

    Under pytest-xdist (``make test``) every worker has its own session; the first to
    ask builds into the run's shared temporary folder under a lock, the others wait for
    it and read the same files."""
    import fcntl

    from handouts.build.build import build_all

    def build(out: Path) -> Path:
        report = build_all(out, corpus_dir=paths.CORPUS, packets_dir=paths.PACKETS, jobs=2,
                           progress=lambda _: None)
        assert not report.failures
        return out

    if worker_id == "master":
        return build(tmp_path_factory.mktemp("e2e") / "build")
    shared = tmp_path_factory.getbasetemp().parent / "shipped-build"
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (shared / "done").exists():
            build(shared / "build")
            (shared / "done").touch()
    return shared / "build"


@pytest.fixture(scope="session")
def built_pdfs(shipped_build: Path) -> dict[str, bytes]:
    """Every PDF of the shared build by its key (``themes/four-winds.pdf``), read once so
    the checks' caches (``pdfcheck``) see the same bytes."""
    return {p.relative_to(shipped_build).as_posix(): p.read_bytes()
            for p in sorted(shipped_build.rglob("*.pdf"))}

