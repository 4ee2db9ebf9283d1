"""Fixtures shared across the suite.

Loading the corpus costs a jieba dictionary load and a full cleaning pass; it is done
once per session and handed out read-only (the model is frozen).
"""

from __future__ import annotations

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
