"""Shards: one build spread over the CI service's parallel jobs.

``handouts build-all --shard K/N`` builds the K-th of N shares of the outputs.  Every
shard computes the whole plan (the outlines come from its cache), so every shard knows
every output and picks the same share for K without talking to the others.

Which output goes where is *bounded-load rendezvous hashing*: each output ranks the N
shards by a hash of (output, shard) and goes to the first one in its own ranking that
still has room, room being the share of the expected cost plus ``SLACK``.  Outputs are
placed heaviest first, so the big ones spread before the small ones fill the gaps.

- Deterministic: a function of the output keys, their weights and N only.
- Balanced: no shard takes more than ``(1 + SLACK)`` times the mean, or one output over
  it when an output is heavier than that.
- Stable when an output is added: the others keep their first choice unless the cap
  moved across them, so each shard's build cache (keyed per shard in CI) still holds
  almost all of its outputs.  A greedy "least-loaded first" over sorted outputs would
  balance as well but move half the outputs whenever one is inserted in the order.

The weight is the expected cost in rendered pages, estimated from the handout itself
(never from a previous run's page count: shards restore different caches and must
agree).  A roster row costs about 0.6 of a full render: its body is laid out once per
batch (see ``handouts.writers.pdf.series``), painting and writing remain.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handouts.errors import HandoutsError

if TYPE_CHECKING:
    from handouts.build.build import Planned
    from handouts.model import Handout

SLACK = 0.15
ROW_COST = 0.6
"""A roster row's cost relative to a full render of the same packet (CPU time measured:
0.72 for the 7-page example, 0.54 for a 19-page packet; the body's share grows with it)."""

CHARS_PER_PAGE = {"a4": 1000, "b5": 800, "a5": 550}
"""Printed characters a page holds, body text with its headings, boxes and write space
(fitted to the example outputs: within two pages of the real count, a booklet
counted in A5 pages before imposition)."""


@dataclass(frozen=True)
class Shard:
    """The K-th of N shares (K counts from 1, as the CI matrix writes it)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not match:
            raise HandoutsError("--shard", f"expected K/N such as 2/4, got {text!r}")
        index, count = int(match.group(1)), int(match.group(2))
        if not 1 <= index <= count:
            raise HandoutsError("--shard", f"K must be between 1 and N (got {text!r})")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def manifest_name(self) -> str:
        return f"manifest.shard-{self.index}.json"


def expected_pages(handout: Handout) -> float:
    """Pages a handout will print, from what it contains: cover, contents, the text
    of its readings with their points and questions, notes and sources pages."""
    paper = "a5" if handout.booklet else handout.paper
    chars = sum(len(s.text) + sum(map(len, s.key_points)) + 60 * len(s.questions) + 250
                for o in handout.outlines for s in o.sections)
    chars += sum(60 * len(o.questions) for o in handout.outlines)
    fixed = 2 + handout.notes_pages + (1 if handout.sources else 0)
    return fixed + chars / CHARS_PER_PAGE.get(paper, CHARS_PER_PAGE["a4"])


def weight(item: Planned) -> float:
    """An output's expected cost in pages; a failed output costs nothing to render."""
    if item.handout is None:
        return 0.0
    pages = expected_pages(item.handout)
    # Only a roster's PDFs share a laid-out body; its Word files are written one by one.
    shared = item.kind == "roster" and item.format == "pdf"
    return pages * ROW_COST if shared else pages


def _rank(key: str, shard: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{key}\0{shard}".encode()).digest()[:8], "big")


def assign(weights: Mapping[str, float], count: int) -> dict[str, int]:
    """Shard index (1..count) of every key, by bounded-load rendezvous hashing."""
    total = sum(weights.values())
    cap = (1 + SLACK) * total / count
    load = [0.0] * (count + 1)
    placed: dict[str, int] = {}
    for key in sorted(weights, key=lambda k: (-weights[k], k)):
        ranking = sorted(range(1, count + 1), key=lambda s: _rank(key, s), reverse=True)
        fits = [s for s in ranking if load[s] + weights[key] <= cap]
        # Nothing fits only for an output heavier than the room left anywhere: the
        # least loaded shard takes it (ties go by the output's own ranking).
        chosen = fits[0] if fits else min(ranking, key=lambda s: load[s])
        load[chosen] += weights[key]
        placed[key] = chosen
    return placed


def plan_digest(keys: Sequence[str]) -> str:
    """What every shard of one build must agree on: the same outputs."""
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()


def share(planned: list[Planned], shard: Shard) -> tuple[list[Planned], dict[str, Any]]:
    """The outputs of ``shard``, in plan order, and what its manifest records so the
    merge can prove the shares cover the plan exactly once."""
    placed = assign({p.key: weight(p) for p in planned}, shard.count)
    mine = [p for p in planned if placed[p.key] == shard.index]
    extra = {
        "shard": str(shard),
        "assigned": sorted(p.key for p in mine),
        "plan": {"outputs": len(planned), "digest": plan_digest([p.key for p in planned])},
    }
    return mine, extra


def kept_outputs(out: Path, expected: Collection[str], mine: list[Planned],
                 shard: Shard) -> set[str]:
    """The outputs a shard leaves on disk: its own, and another shard's when that
    shard's manifest in the same directory records them (shards built one after another
    into one directory).  An output another shard now builds, left in this shard's
    restored cache by an earlier assignment, is deleted, so that no file is uploaded
    by two shards."""
    others: set[str] = set()
    for path in sorted(Path(out).glob("manifest.shard-*.json")):
        if path.name == shard.manifest_name:
            continue
        try:
            others |= set(json.loads(path.read_text(encoding="utf-8")).get("outputs", {}))
        except (OSError, ValueError, AttributeError):
            continue
    return {p.key for p in mine} | (others & set(expected))
