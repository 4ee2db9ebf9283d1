"""The content's quality figures, computed from data kept in the repository.

Three kinds of figure, all printed by ``make bench`` and held by tests:

- selection against a gold set (``tests/data/gold/sections.toml``: which themes each
  section fits, with a reason): precision and recall of "fits" over section x theme
  pairs, and the share of printed sections that are off-theme;
- the question checker over every question of every theme and packet: re-checked, each
  against the questions printed before it in its handout, the defect count must be 0;
- hand judgments (``tests/data/judged/*.toml``: questions and key points as printed,
  each with a verdict and a one-line reason): the usable and good rates, and whether
  every judged item is still produced verbatim.

The gold corpus is the seed corpus plus the regression texts of issue 10 and, when
present, the real-text benchmark (``tests/data/real``), copied into one directory so the
statistics are those of one corpus.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handouts import paths
from handouts.content.textstats import han_only
from handouts.errors import ConfigError
from handouts.model import Document

TESTS_DATA = paths.HOME / "tests" / "data"
GOLD_SECTIONS = TESTS_DATA / "gold" / "sections.toml"
SECOND_READING = TESTS_DATA / "gold" / "second_reading.toml"
JUDGED = TESTS_DATA / "judged"
SOURCES = {
    "seeds": paths.CORPUS,
    "issue10": TESTS_DATA / "issue10",
    "real": TESTS_DATA / "real",
}
READABLE = {".txt", ".md", ".html", ".htm"}


@dataclass(frozen=True)
class GoldSection:
    corpus: str
    anchor: str
    themes: tuple[str, ...]
    why: str


def load_gold(path: Path = GOLD_SECTIONS) -> list[GoldSection]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [GoldSection(e["corpus"], e["anchor"], tuple(e["themes"]), e["why"])
            for e in data["section"]]


def agreement(first: Sequence[GoldSection], second: Sequence[GoldSection],
              themes: Sequence[str]) -> dict[str, Any]:
    """How far two readings of the same sections agree: Cohen's kappa over section x
    theme pairs (agreement beyond what each reader's rate of "fits" gives by chance),
    the share of sections read alike, and the sections both read alike (the gold's rule:
    a section one could argue either way is left out).

    It also scores the second reading as if it were the selector, against the first:
    the precision and recall a careful reader reaches on the same gold, the ceiling
    against which the selector's own figures are read."""
    other = {(e.corpus, e.anchor): set(e.themes) for e in second}
    shared = [e for e in first if (e.corpus, e.anchor) in other]
    n = len(shared) * len(themes)
    if not n:
        return {"sections": 0, "kappa": 0.0, "alike": 0.0, "agreed": [], "missing": [],
                "precision": 1.0, "recall": 1.0}
    a = sum(t in e.themes for e in shared for t in themes)
    b = sum(t in other[(e.corpus, e.anchor)] for e in shared for t in themes)
    same = sum((t in e.themes) == (t in other[(e.corpus, e.anchor)])
               for e in shared for t in themes)
    observed, chance = same / n, (a / n) * (b / n) + (1 - a / n) * (1 - b / n)
    agreed = [e for e in shared if set(e.themes) == other[(e.corpus, e.anchor)]]
    hits = sum(len(set(e.themes) & other[(e.corpus, e.anchor)]) for e in shared)
    return {
        "sections": len(shared),
        "kappa": (observed - chance) / (1 - chance) if chance < 1 else 1.0,
        "alike": len(agreed) / len(shared),
        "agreed": agreed,
        "missing": [e.anchor for e in first if (e.corpus, e.anchor) not in other],
        "precision": hits / b if b else 1.0,
        "recall": hits / a if a else 1.0,
    }


def gold_corpus(target: Path, corpora: Iterable[str] = ("seeds", "issue10", "real")) -> Any:
    """Copy the named corpora into one directory and load it (with the shipped themes)."""
    from handouts import pipeline

    target.mkdir(parents=True, exist_ok=True)
    for name in corpora:
        source = SOURCES[name]
        if not source.is_dir():
            continue
        for path in sorted(source.iterdir()):
            if path.suffix.lower() in READABLE and path.is_file():
                shutil.copy(path, target / path.name)
    return pipeline.load(target)


def origin(document: Document) -> str:
    """Which corpus a copied document came from (by its file name)."""
    name = Path(document.path).name
    for tag, source in SOURCES.items():
        if (source / name).is_file():
            return tag
    return ""


def resolve(documents: Sequence[Document], entry: GoldSection) -> str | None:
    """The one section of the entry's corpus whose heading or body holds the anchor."""
    key = han_only(entry.anchor)
    hits = [s.id for d in documents if origin(d) == entry.corpus for s in d.sections
            if key in han_only(s.title) or key in han_only(s.text)]
    return hits[0] if len(hits) == 1 else None


def selection_figures(corpus: Any, entries: Sequence[GoldSection],
                      corpora: Iterable[str] | None = None) -> dict[str, Any]:
    """Precision and recall of "fits" (every criterion but the cap) over section x theme
    pairs of the gold entries, and the off-theme share of printed (capped) sections."""
    from handouts.content.themes import assess, select

    # Entries of a corpus that is not loaded (the real-text benchmark before it lands)
    # are not counted.
    present = {origin(d) for d in corpus.documents}
    wanted = set(corpora) & present if corpora is not None else present
    gold: dict[str, set[str]] = {}
    unresolved = []
    for entry in entries:
        if entry.corpus not in wanted:
            continue
        sid = resolve(corpus.documents, entry)
        if sid is None:
            unresolved.append(entry.anchor)
        else:
            gold[sid] = set(entry.themes)
    tp = fp = fn = 0
    printed = off = 0
    misses: list[str] = []
    for theme in corpus.themes:
        fits = {m.section_id for m, why in assess(corpus.documents, theme, max_sections=10_000,
                                                   themes=corpus.themes)
                if not why}
        for sid, themes in gold.items():
            if theme.id in themes and sid in fits:
                tp += 1
            elif sid in fits:
                fp += 1
                misses.append(f"+ {theme.id} {sid}")
            elif theme.id in themes:
                fn += 1
                misses.append(f"- {theme.id} {sid}")
        for m in select(corpus.documents, theme, themes=corpus.themes):
            if m.section_id in gold:
                printed += 1
                off += theme.id not in gold[m.section_id]
    return {
        "sections": len(gold), "unresolved": unresolved,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "printed": printed, "off_theme": off / printed if printed else 0.0,
        "errors": misses,
    }


def handouts_of(corpus: Any) -> list[tuple[str, Any, list[str]]]:
    """Every handout of the corpus (each theme, each packet spec) with its question writer
    and its printed questions in order."""
    from handouts.build.packets import load_spec, packet_handout, spec_paths
    from handouts.content.outline import build_outline
    from handouts.content.questions import QuestionWriter, load_patterns

    out = []
    for theme in corpus.themes:
        writer = QuestionWriter(load_patterns())
        outline = build_outline(corpus.documents, corpus.themes, theme, writer=writer)
        printed = [q for s in outline.sections for q in s.questions] + list(outline.questions)
        out.append((f"theme {theme.id}", writer, printed))
    ids = {s.id for d in corpus.documents for s in d.sections}
    for path in spec_paths(paths.PACKETS):
        spec = load_spec(path)
        if not set(spec.sections) <= ids:
            continue  # a spec naming sections of another corpus
        writers: list[Any] = []

        def make(writers: list[Any] = writers) -> Any:
            writer = QuestionWriter(load_patterns())
            writers.append(writer)
            return writer

        try:
            handout = packet_handout(corpus, spec, question_writer=make)
        except ConfigError:
            # A spec whose themes select nothing here (a seed packet read against the
            # real texts alone) is the build's one-line error, not a handout.
            continue
        printed = [q for o in handout.outlines for s in o.sections for q in s.questions]
        printed += [q for o in handout.outlines for q in o.questions]
        out.append((f"packet {spec.name}", writers[0], printed))
    return out


def question_figures(corpus: Any) -> dict[str, Any]:
    """Every printed question re-checked against those printed before it in its handout."""
    from handouts.content.checks import check

    total = defects = refused = 0
    found: list[str] = []
    for name, writer, printed in handouts_of(corpus):
        shown = set(printed)
        accepted = [c for c in writer.accepted if c.text in shown]
        total += len(printed)
        refused += len(writer.rejected)
        for i, candidate in enumerate(accepted):
            reasons = check(candidate, accepted[:i])
            if reasons:
                defects += 1
                found.append(f"{name}: {candidate.text} {reasons}")
    return {"questions": total, "defects": defects, "refused": refused, "found": found}


def printed_points(corpus: Any) -> list[tuple[str, str, str]]:
    """Every key point printed by any handout, once, as ``(handout, section id, point)``:
    the themes in the order of the themes file, then the packets in name order; sections
    in handout order, points in section order; a point printed again later is left out."""
    from handouts import pipeline
    from handouts.build.packets import load_spec, packet_handout, spec_paths

    outlines = [(f"theme {t.id}", pipeline.outline(corpus, t.id)) for t in corpus.themes]
    ids = {s.id for d in corpus.documents for s in d.sections}
    for path in spec_paths(paths.PACKETS):
        spec = load_spec(path)
        if set(spec.sections) <= ids:  # a spec naming sections of another corpus is skipped
            outlines += [(f"packet {spec.name}", o) for o in packet_handout(corpus, spec).outlines]
    seen: set[str] = set()
    out = []
    for name, outline in outlines:
        for section in outline.sections:
            for point in section.key_points:
                if point not in seen:
                    seen.add(point)
                    out.append((name, section.id, point))
    return out


def keypoint_sample(corpus: Any, n: int = 60) -> list[tuple[str, str, str]]:
    """The key points to judge by hand: ``n`` spread evenly over ``printed_points`` (the
    j-th is item floor(j * N / n)), so every theme, the packets and every corpus that
    prints points are drawn in proportion, and a rerun draws the same items."""
    points = printed_points(corpus)
    if len(points) <= n:
        return points
    return [points[j * len(points) // n] for j in range(n)]


def printed_items(corpus: Any) -> tuple[set[str], set[str]]:
    """Every question and every key point printed by any theme or packet."""
    questions: set[str] = set()
    for _name, _writer, printed in handouts_of(corpus):
        questions.update(printed)
    return questions, {p for _h, _s, p in printed_points(corpus)}


def load_judgments(kind: str) -> list[dict[str, str]]:
    path = JUDGED / f"{kind}.toml"
    if not path.exists():
        return []
    return tomllib.loads(path.read_text(encoding="utf-8"))["item"]


def judged_figures(corpus: Any, kinds: Sequence[str] = ("questions", "keypoints")
                   ) -> dict[str, Any]:
    """The hand-judged samples: rates, and which judged items are no longer produced."""
    out: dict[str, Any] = {}
    for kind, good in (("questions", "usable"), ("keypoints", "good")):
        if kind not in kinds:
            continue
        if kind == "questions":
            printed = {q for _n, _w, shown in handouts_of(corpus) for q in shown}
        else:
            printed = {p for _h, _s, p in printed_points(corpus)}
        items = load_judgments(kind)
        verdicts = [i["verdict"] for i in items]
        out[kind] = {
            "judged": len(items),
            good: verdicts.count(good) / len(items) if items else 0.0,
            "weak": verdicts.count("weak"),
            "bad": sum(v in ("defective", "bad") for v in verdicts),
            "missing": [i["text"] for i in items if i["text"] not in printed],
        }
    return out
