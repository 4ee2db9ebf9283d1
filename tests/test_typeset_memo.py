"""The finishing pass's memo: a paragraph set before is laid out once, and the PDF is
the same, byte for byte, as the one made without the memo."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import weasyprint
from test_finishing import constructed_handout

from handouts.writers.pdf import memo, pdfcheck
from handouts.writers.pdf.render import render_pdf


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts every WeasyPrint layout (the trial's included)."""
    count: list[int] = []
    original = weasyprint.HTML.render

    def counted(self: weasyprint.HTML, *args: object, **kwargs: object) -> object:
        count.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", counted)
    return count


@pytest.fixture
def kept(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "cache" / "typeset.sqlite"
    memo.keep_in(path)
    yield path
    memo.keep_in(None)
    memo._current = memo.Memo()


def _fresh(path: Path) -> None:
    """As a new process would: the memo read again from its file."""
    memo.keep_in(None)
    memo.keep_in(path)


def test_a_handout_set_before_is_laid_out_once_and_prints_the_same_bytes(
        kept: Path, layouts: list[int]) -> None:
    cold = render_pdf(constructed_handout())
    assert len(layouts) == 3  # first layout, the trial, the layout with the spacing
    assert len(memo.current()) > 0 and kept.is_file()
    _fresh(kept)
    layouts.clear()
    warm = render_pdf(constructed_handout())
    assert len(layouts) == 1
    assert warm == cold
    assert pdfcheck.page_flaws(warm).lone_last_lines == ()


def test_the_memo_does_not_carry_over_to_another_page_size(
        kept: Path, layouts: list[int]) -> None:
    render_pdf(constructed_handout())
    layouts.clear()
    a5 = dataclasses.replace(constructed_handout(), paper="a5")
    pdf = render_pdf(a5)
    assert len(layouts) == 3  # a narrower column breaks every paragraph anew
    assert pdfcheck.page_flaws(pdf).lone_last_lines == ()


def test_a_damaged_memo_file_is_replaced_not_trusted(kept: Path, layouts: list[int]) -> None:
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"this is not a database" * 100)
    _fresh(kept)
    first = render_pdf(constructed_handout())
    _fresh(kept)
    layouts.clear()
    assert render_pdf(constructed_handout()) == first
    assert len(layouts) == 1


def test_an_unwritable_memo_still_renders(tmp_path: Path, layouts: list[int]) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")
    memo.keep_in(blocked / "typeset.sqlite")  # its folder cannot be made
    try:
        pdf = render_pdf(constructed_handout())
    finally:
        memo.keep_in(None)
        memo._current = memo.Memo()
    assert pdfcheck.page_flaws(pdf).lone_last_lines == ()
