"""Joining the shards' manifests into the one a single-machine build writes.

Each shard writes ``manifest.shard-K.json``: its outputs, its failures, the outputs it
was assigned, and the plan it shared out (how many outputs, a digest of their keys).
``merge`` checks that the shards belong to one build (same N, same plan, same package
version), that every shard 1..N is there (a gap), that each output is recorded by
the shard it was assigned to and by no other (an overlap), and that every planned
output is accounted for; then it writes ``manifest.json`` exactly as a plain build of
the same inputs would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handouts import __version__
from handouts.atomic import write_atomic
from handouts.build.build import FORMAT, MANIFEST
from handouts.errors import HandoutsError

SHARD_GLOB = "manifest.shard-*.json"


class MergeError(HandoutsError):
    """Shard manifests that do not add up to one build: a gap, an overlap, a mismatch."""


@dataclass(frozen=True)
class MergeReport:
    out: Path
    shards: int
    outputs: int
    failures: dict[str, str]

    def summary(self) -> str:
        return (f"merged {self.shards} shard manifests: {self.outputs} outputs, "
                f"{len(self.failures)} failed -> {self.out / MANIFEST}")


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MergeError(path, f"unreadable shard manifest: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or "shard" not in data:
        raise MergeError(path, "not a shard manifest of this version of handouts")
    return data


def merge(out: Path) -> MergeReport:
    """Write ``out/manifest.json`` from the shard manifests in ``out``; ``MergeError``
    names the first gap, overlap or mismatch (and nothing is written then)."""
    out = Path(out)
    paths = sorted(out.glob(SHARD_GLOB))
    if not paths:
        raise MergeError(out, f"no shard manifests ({SHARD_GLOB}) to merge")
    shards: dict[int, tuple[Path, dict[str, Any]]] = {}
    count = None
    for path in paths:
        data = _read(path)
        index, _, total = str(data["shard"]).partition("/")
        if not (index.isdigit() and total.isdigit()) or path.name != f"manifest.shard-{index}.json":
            raise MergeError(path, f"names shard {data['shard']!r}, not the one its file name says")
        if count is None:
            count = int(total)
        elif int(total) != count:
            raise MergeError(path, f"is shard {data['shard']} but another shard says N={count}")
        shards[int(index)] = (path, data)
    assert count is not None
    missing = [k for k in range(1, count + 1) if k not in shards]
    if missing:
        raise MergeError(out, "gap: no manifest for shard " + ", ".join(
            f"{k}/{count}" for k in missing))
    extra = sorted(k for k in shards if not 1 <= k <= count)
    if extra:
        raise MergeError(shards[extra[0]][0], f"shard {extra[0]} of {count} does not exist")

    first_path, first = shards[1]
    for key in ("plan", "version"):
        for path, data in shards.values():
            if data.get(key) != first.get(key):
                raise MergeError(path, f"{key} differs from {first_path.name}'s: the shards "
                                       "were built from different inputs")

    owner: dict[str, str] = {}
    outputs: dict[str, Any] = {}
    failures: dict[str, str] = {}
    for k in range(1, count + 1):
        path, data = shards[k]
        assigned = set(data.get("assigned", ()))
        for key in assigned:
            if key in owner:
                raise MergeError(path, f"overlap: {key} is assigned to {owner[key]} too")
            owner[key] = path.name
        recorded = {**data.get("outputs", {}), **data.get("failures", {})}
        for key in recorded:
            if key not in assigned:
                raise MergeError(path, f"overlap: records {key}, which it was not assigned")
        for key in sorted(assigned - recorded.keys()):
            raise MergeError(path, f"gap: {key} was assigned but neither built nor failed "
                                   "(an interrupted build?)")
        outputs.update(data.get("outputs", {}))
        failures.update(data.get("failures", {}))
    planned = first["plan"]["outputs"]
    if len(owner) != planned:
        raise MergeError(out, f"gap: the shards account for {len(owner)} of {planned} outputs")

    # A format's fingerprint stands when every shard recorded the same one (each shard
    # records it only when it built all its outputs cleanly): the merged build then
    # takes the fast path next time, as a single build would.
    fingerprints = {
        fmt: value for fmt, value in (first.get("fingerprints") or {}).items()
        if all((data.get("fingerprints") or {}).get(fmt) == value
               for _, data in shards.values())}
    write_atomic(out / MANIFEST, json.dumps({
        "format": FORMAT,
        "version": first.get("version", __version__),
        "fingerprints": fingerprints,
        "outputs": dict(sorted(outputs.items())),
        "failures": dict(sorted(failures.items())),
        "warnings": list(first.get("warnings", [])),
    }, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return MergeReport(out, count, len(outputs), failures)
