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
def shipped_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``make handouts`` builds from the shipped corpus, packets and rosters (two
    workers), built once for the session: the end-to-end and roster tests read it back."""
    from handouts.build.build import build_all

    out = tmp_path_factory.mktemp("e2e") / "build"
    report = build_all(
        out, corpus_dir=paths.CORPUS, packets_dir=paths.PACKETS, jobs=2, progress=lambda _: None
    )
    assert not report.failures
    return out


@pytest.fixture(scope="session")
def built_pdfs(shipped_build: Path) -> dict[str, bytes]:
    """Every PDF of the shared build by its key (``themes/four-winds.pdf``), read once so
    the checks' caches (``pdfcheck``) see the same bytes."""
    return {p.relative_to(shipped_build).as_posix(): p.read_bytes()
            for p in sorted(shipped_build.rglob("*.pdf"))}
