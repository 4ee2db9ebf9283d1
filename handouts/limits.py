"""The limits that keep an unattended build finite (``handouts/data/limits.toml``).

A weekly CI job must finish, or fail clearly, whatever lands in the corpus: a whole
book saved as text, a database export, a page of one giant table.  The defaults are
data; an environment variable ``HANDOUTS_<KEY>`` overrides one for a run (tests and
CI use that), and a bad value is a one-line error naming it.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import tomllib
from dataclasses import dataclass

from handouts.errors import ConfigError
from handouts.paths import DATA

LIMITS_FILE = DATA / "limits.toml"


@dataclass(frozen=True)
class Limits:
    max_document_bytes: int = 2_000_000
    max_section_chars: int = 6_000
    render_seconds: float = 300.0


@functools.cache
def _defaults() -> dict[str, object]:
    try:
        return tomllib.loads(LIMITS_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(LIMITS_FILE, f"cannot read limits: {exc}") from None


def current() -> Limits:
    """The limits in force: the file's values, then the environment's overrides."""
    values: dict[str, float] = {}
    for field in dataclasses.fields(Limits):
        convert = int if field.type in ("int", int) else float
        raw: object = _defaults().get(field.name, field.default)
        where: object = LIMITS_FILE
        env = f"HANDOUTS_{field.name.upper()}"
        if env in os.environ:
            raw, where = os.environ[env], env
        try:
            value = convert(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ConfigError(str(where), f"{field.name} must be a number, not {raw!r}") from None
        if value <= 0:
            raise ConfigError(str(where), f"{field.name} must be positive, not {raw!r}")
        values[field.name] = value
    return Limits(**values)  # type: ignore[arg-type]
