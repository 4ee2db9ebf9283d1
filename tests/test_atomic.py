"""Atomic writes: a failed or interrupted write never leaves a half-written output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from handouts.atomic import write_atomic
from handouts.errors import HandoutsError


def test_write_replaces_the_target_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "handout.pdf"
    target.write_bytes(b"old")
    write_atomic(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert [p.name for p in tmp_path.iterdir()] == ["handout.pdf"]


def test_a_failing_rename_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "handout.pdf"
    target.write_bytes(b"old")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(HandoutsError, match=r"handout\.pdf: cannot write: No space left"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["handout.pdf"]


def test_an_interrupt_mid_write_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "out.pdf", b"data")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_directory_is_named_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(HandoutsError) as caught:
        write_atomic(tmp_path / "no" / "out.pdf", b"x")
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "no" / "out.pdf")) and "does not exist" in message
    assert "\n" not in message
