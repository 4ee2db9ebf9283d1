"""Small real project trees for the roster and shard tests: three seed documents, the
themes they carry, and the shipped roster spec with as many of its rows as a test needs."""

from __future__ import annotations

import shutil
from pathlib import Path

from handouts import paths

SEED_DOCS = ("002_d5aa391c53465f5e.txt", "003_9d11f11799cd5b51.txt", "004_bed1a99424a147a3.txt")
THEMES = ("four-winds", "grassroots", "listening")
SPEC = paths.PACKETS / "qingxi-study-month.toml"
ROSTER = paths.HOME / "rosters" / "qingxi-study-month.csv"


def roster_lines(rows: int | None = None) -> list[str]:
    """The shipped roster's header and its first ``rows`` rows (all by default)."""
    lines = ROSTER.read_text(encoding="utf-8").splitlines()
    return lines if rows is None else lines[: rows + 1]


def real_tree(root: Path, *, rows: int | None = None, roster: list[str] | None = None,
              encoding: str = "utf-8", grassroots_packet: bool = False) -> dict[str, Path]:
    """``root`` laid out as the project is: corpus/, packets/, rosters/, and build/ to come."""
    corpus, packets, rosters = root / "corpus", root / "packets", root / "rosters"
    for folder in (corpus, packets, rosters):
        folder.mkdir(parents=True)
    for name in SEED_DOCS:
        shutil.copy(paths.CORPUS / name, corpus / name)
    head, *blocks = (paths.CORPUS / "themes.toml").read_text(encoding="utf-8").split(
        "\n[[themes]]\n")
    kept = [b for b in blocks if any(f'id = "{t}"' in b for t in THEMES)]
    (corpus / "themes.toml").write_text("\n[[themes]]\n".join([head, *kept]), encoding="utf-8")
    shutil.copy(SPEC, packets / SPEC.name)
    lines = roster if roster is not None else roster_lines(rows)
    (rosters / ROSTER.name).write_bytes(("\n".join(lines) + "\n").encode(encoding))
    if grassroots_packet:
        (packets / "grassroots-day.toml").write_text(
            'title = "深入基层专题学习"\ndate = 2026-12-01\norganiser = "机关党支部"\n'
            'agenda = ["集体学习", "交流发言"]\nthemes = ["grassroots"]\nmax_sections = 2\n',
            encoding="utf-8")
    return {"corpus": corpus, "packets": packets, "rosters": rosters, "out": root / "build"}
