"""Atomic output: a reader never sees a half-written handout.

We write next to the target (same directory, so the rename stays on one filesystem)
and ``os.replace`` only once the bytes are complete and flushed.  An interrupted or
failed write leaves at most a ``.tmp`` file that the next write sweeps away.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from handouts.errors import HandoutsError


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` via a temporary file and rename; raise a one-line error."""
    target = check_writable(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = target.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise HandoutsError(target, f"cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except OSError as exc:
        _remove_quietly(tmp_name)
        raise HandoutsError(target, f"cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _remove_quietly(tmp_name)
        raise
    return target


def check_writable(path: str | Path) -> Path:
    """Fail before the expensive work when the output could not be written anyway."""
    target = Path(path)
    directory = target.parent
    if not directory.is_dir():
        problem = "is not a directory" if directory.exists() else "does not exist"
        raise HandoutsError(target, f"cannot write: {directory} {problem}")
    if target.is_dir():
        raise HandoutsError(target, "cannot write: is a directory")
    if not os.access(directory, os.W_OK):
        raise HandoutsError(target, f"cannot write: {directory} is not writable")
    return target


def _remove_quietly(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)
