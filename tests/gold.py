"""Reading the gold set (tests/data/gold) against whatever sections the loader makes."""

from __future__ import annotations

import tomllib
from pathlib import Path

from handouts.content.textstats import han_only
from handouts.model import Document

GOLD = Path(__file__).parent / "data" / "gold"


def resolve(documents: tuple[Document, ...], anchor: str) -> str:
    """The one section whose heading or body contains the anchor (Han characters only)."""
    key = han_only(anchor)
    hits = [s.id for d in documents for s in d.sections
            if key in han_only(s.title) or key in han_only(s.text)]
    assert len(hits) == 1, f"gold anchor {anchor!r} names {len(hits)} sections: {hits}"
    return hits[0]


def theme_gold(documents: tuple[Document, ...]) -> dict[str, tuple[set[str], set[str]]]:
    data = tomllib.loads((GOLD / "themes.toml").read_text(encoding="utf-8"))
    return {
        theme: ({resolve(documents, a) for a in v["pick"]},
                {resolve(documents, a) for a in v["skip"]})
        for theme, v in data.items()
    }


def keypoint_gold(documents: tuple[Document, ...]) -> dict[str, list[str]]:
    data = tomllib.loads((GOLD / "keypoints.toml").read_text(encoding="utf-8"))
    return {resolve(documents, s["anchor"]): s["points"] for s in data["section"]}
