"""Errors the user can act on.

Every failure that comes from input (a file, a spec, an option) is a ``HandoutsError``
that names where it happened and what is wrong; the CLI prints ``str(err)`` as one line
and exits non-zero.  Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class HandoutsError(Exception):
    """An input problem, shown to the user as ``<where>: <problem>``."""

    def __init__(self, where: str | Path | None, problem: str) -> None:
        self.where = str(where) if where is not None else None
        self.problem = " ".join(problem.split())
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}" if self.where else self.problem


class InputFileError(HandoutsError):
    """A corpus file that cannot be read as text (empty, binary, undecodable)."""


class ConfigError(HandoutsError):
    """A themes file, packet spec or other configuration that does not validate."""


class MissingGlyphError(HandoutsError):
    """A character of the handout that none of the configured fonts can draw."""
