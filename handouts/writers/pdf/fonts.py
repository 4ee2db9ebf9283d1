"""The typefaces a handout is set in, and which characters they can draw.

Fonts are data (``styles/fonts.toml``: one family per role) and come from the system
through fontconfig, the same way Pango finds them when WeasyPrint lays the page out.
We resolve each family once with ``fc-match`` and refuse a substitute: fontconfig
always answers with *some* font, and a silent substitute is how tofu gets printed.

The character maps are read with fontTools (a WeasyPrint dependency) and cached per
process as frozensets, so a worker pool can check many handouts without re-reading a
20 MB collection file for each.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from handouts import paths
from handouts.errors import ConfigError, HandoutsError, MissingGlyphError

ROLES = ("body", "heading", "quote")

#: Characters that are layout, not ink: Pango draws nothing for them.
_INVISIBLE = frozenset("\n\r\t\u200b\u200c\u200d\u2060\ufeff\u00ad")


@dataclass(frozen=True)
class FontFace:
    """One configured role resolved to the file fontconfig would give Pango."""

    role: str
    family: str
    package: str
    path: str
    index: int


def fonts_config_path() -> Path:
    return paths.STYLES / "fonts.toml"


@functools.cache
def font_roles(config: Path | None = None) -> dict[str, tuple[str, str]]:
    """``{role: (family, package)}`` from ``styles/fonts.toml``."""
    where = config or fonts_config_path()
    try:
        data = tomllib.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(where, "font configuration not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(where, f"not valid TOML: {exc}") from None
    roles: dict[str, tuple[str, str]] = {}
    for role in ROLES:
        entry = data.get(role)
        if not isinstance(entry, dict) or not isinstance(entry.get("family"), str):
            raise ConfigError(where, f"[{role}] needs a family = \"...\" entry")
        roles[role] = (entry["family"], str(entry.get("package", "")))
    return roles


@functools.cache
def resolve_face(role: str, config: Path | None = None) -> FontFace:
    """Find the file behind a role's family; a missing family is a one-line error."""
    family, package = font_roles(config)[role]
    if shutil.which("fc-match") is None:
        raise HandoutsError("fontconfig", "fc-match not found: install fontconfig")
    result = subprocess.run(
        ["fc-match", "--format=%{family}\n%{file}\n%{index}", f"{family}:style=Regular"],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stdout.split("\n")
    families = {f.strip().casefold() for f in lines[0].split(",")} if lines else set()
    if result.returncode != 0 or len(lines) < 3 or family.casefold() not in families:
        hint = f" (install the Debian package {package})" if package else ""
        raise HandoutsError(
            config or fonts_config_path(),
            f"font {family!r} for {role} text is not installed{hint}",
        )
    return FontFace(role, family, package, lines[1], int(lines[2] or 0))


def faces(config: Path | None = None) -> dict[str, FontFace]:
    return {role: resolve_face(role, config) for role in ROLES}


@functools.cache
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap())


def coverage(role: str, config: Path | None = None) -> frozenset[int]:
    """The code points the role's face has a glyph for."""
    face = resolve_face(role, config)
    return _cmap(face.path, face.index)


def missing_characters(text: str, role: str, config: Path | None = None) -> Iterator[str]:
    """The distinct characters of ``text`` that ``role``'s face cannot draw, in order."""
    have = coverage(role, config)
    seen: set[str] = set()
    for char in text:
        if char in seen or char in _INVISIBLE:
            continue
        seen.add(char)
        if ord(char) not in have:
            yield char


def check_glyphs(items: Iterable[tuple[str, str, tuple[str, ...]]],
                 config: Path | None = None) -> None:
    """Raise ``MissingGlyphError`` for the first character no face of its roles can draw.

    ``items`` are ``(where, text, roles)``: ``where`` names the place in the handout
    (a section id and title) so the organiser can find and fix the character.
    """
    for where, text, roles in items:
        for role in roles:
            for char in missing_characters(text, role, config):
                family = font_roles(config)[role][0]
                raise MissingGlyphError(
                    where,
                    f"character U+{ord(char):04X} {char!r} has no glyph in {family} "
                    f"({role} text); replace it or configure a font that has it",
                )
