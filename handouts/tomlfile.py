"""Reading the organiser's TOML files (packet specs, edit files) with one-line errors.

Both kinds are written by hand in an editor that may save GBK or leave a quote open;
every way the file can be unreadable is one ``ConfigError`` naming it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from handouts.errors import ConfigError


def load(path: Path, what: str) -> dict[str, Any]:
    """The TOML table of ``path``; ``what`` names the kind of file when it is missing."""
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, f"no such {what}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None
