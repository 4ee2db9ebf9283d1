"""Themes: which sections a theme's handout prints, and why.

A theme is data (``themes.toml``): a name, a description and seed terms.  Every section
is scored against every theme with BM25 over jieba tokens, the corpus statistics
computed once (``textstats``); terms in a section's heading count double, and a term
matches any token that contains it, so 基层 is found in 深入基层 even though the domain
dictionary keeps the latter whole.  Selection keeps the strongest sections above an
absolute and a relative threshold, capped, and prints them in reading order.
"""

from __future__ import annotations

import functools
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handouts import paths
from handouts.content.textstats import (
    CorpusStats,
    all_sections,
    count_phrase,
    cut_cached,
    domain_words,
    han_count,
    stats_for,
)
from handouts.errors import ConfigError
from handouts.model import Document, Section, Theme, ThemeMatch

THEMES_FILE = "themes.toml"
K1 = 1.5
B = 0.75
# A term in the heading says what the section is about: it adds this many times the
# term's IDF on top of the body's BM25, unsaturated.
TITLE_BONUS = 3.0
# BM25 normalises length against a pivot.  A fixed pivot (a typical section's length in
# tokens) rather than the corpus average keeps an edit to one document from moving the
# score of every section in every other document: incremental builds stay incremental.
PIVOT_LENGTH = 270.0
# A term matches a word that contains it with at most this many more characters: 基层
# is found in 深入基层, but 实践 is not found in the campaign's name 教育实践活动.
MAX_EXTRA = 2


@dataclass(frozen=True)
class Selection:
    """How many sections a theme's handout takes (``[selection]`` in themes.toml)."""

    cap: int = 8
    threshold: float = 3.0
    relative: float = 0.4
    min_chars: int = 100


@dataclass(frozen=True)
class ConfiguredTheme(Theme):
    """A theme as read from themes.toml: a ``Theme`` that also carries its selection
    settings, so they travel with it through packets and worker pools."""

    selection: Selection = field(default_factory=Selection)
    goal: str = ""


DEFAULT_SELECTION = Selection()


def selection_of(theme: Theme) -> Selection:
    return theme.selection if isinstance(theme, ConfiguredTheme) else DEFAULT_SELECTION


# --- loading -------------------------------------------------------------------------

_SELECTION_KEYS: dict[str, type] = {
    "cap": int, "threshold": float, "relative": float, "min_chars": int,
}
_THEME_KEYS = {"id", "name", "description", "terms", "selection", "goal"}


def themes_path(root: Path) -> Path:
    """The corpus's own themes file, or the shipped one when the corpus has none."""
    own = Path(root) / THEMES_FILE
    return own if own.exists() else paths.CORPUS / THEMES_FILE


def load_themes(root: Path) -> tuple[ConfiguredTheme, ...]:
    """Read and validate a themes file; any problem is one ``ConfigError`` line."""
    path = themes_path(Path(root))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, "no themes file") from None
    except UnicodeDecodeError:
        raise ConfigError(path, "not UTF-8 text") from None
    except OSError as err:
        raise ConfigError(path, f"cannot read: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(path, f"not valid TOML: {err}") from None
    return parse_themes(data, path)


def parse_themes(data: Mapping[str, Any], path: Path | str) -> tuple[ConfiguredTheme, ...]:
    unknown = set(data) - {"selection", "themes"}
    if unknown:
        first = sorted(unknown)[0]
        raise ConfigError(path, f"key {first}: unknown key (expected selection, themes)")
    base = _parse_selection(data.get("selection", {}), "selection", path, DEFAULT_SELECTION)
    entries = data.get("themes")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(path, "key themes: expected at least one [[themes]] table")
    themes: list[ConfiguredTheme] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"themes[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(path, f"key {where}: expected a table")
        extra = set(entry) - _THEME_KEYS
        if extra:
            raise ConfigError(path, f"key {where}.{sorted(extra)[0]}: unknown key")
        values = {}
        for key in ("id", "name", "description"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(path, f"key {where}.{key}: expected a non-empty string")
            values[key] = value.strip()
        if values["id"] in seen:
            raise ConfigError(path, f"key {where}.id: duplicate theme id {values['id']!r}")
        seen.add(values["id"])
        terms = entry.get("terms")
        if (not isinstance(terms, list) or not terms
                or not all(isinstance(t, str) and t.strip() for t in terms)):
            raise ConfigError(path, f"key {where}.terms: expected a non-empty list of strings")
        selection = _parse_selection(entry.get("selection", {}), f"{where}.selection", path, base)
        goal = entry.get("goal", "")
        if not isinstance(goal, str):
            raise ConfigError(path, f"key {where}.goal: expected a string")
        themes.append(ConfiguredTheme(
            id=values["id"], name=values["name"], description=values["description"],
            terms=tuple(dict.fromkeys(t.strip() for t in terms)), selection=selection,
            goal=goal.strip(),
        ))
    return tuple(themes)


def _parse_selection(table: Any, where: str, path: Path | str, base: Selection) -> Selection:
    if not isinstance(table, dict):
        raise ConfigError(path, f"key {where}: expected a table")
    values: dict[str, Any] = {}
    for key, value in table.items():
        kind = _SELECTION_KEYS.get(key)
        if kind is None:
            raise ConfigError(path, f"key {where}.{key}: unknown key")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                kind is int and not isinstance(value, int)):
            wanted = "an integer" if kind is int else "a number"
            raise ConfigError(path, f"key {where}.{key}: expected {wanted}")
        if value < 0 or (key == "cap" and value < 1) or (key == "relative" and value > 1):
            raise ConfigError(path, f"key {where}.{key}: out of range ({value})")
        values[key] = kind(value)
    return Selection(**{**base.__dict__, **values})


# --- scoring -------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _term_tf(documents: tuple[Document, ...], term: str) -> tuple[tuple[float, ...], ...]:
    """Per section (reading order): (body tf, title tf) of one term."""
    stats = stats_for(documents)
    phrase = cut_cached(term)
    rows = []
    for _doc, section in all_sections(documents):
        rows.append((_tf(stats.tokens[section.id], term, phrase),
                     _tf(stats.title_tokens[section.id], term, phrase)))
    return tuple(rows)


def _tf(tokens: Sequence[str], term: str, phrase: Sequence[str]) -> float:
    contained = sum(1 for t in tokens if term in t and len(t) <= len(term) + MAX_EXTRA)
    if contained or len(phrase) < 2:
        return float(contained)
    return float(count_phrase(tokens, phrase))


@functools.lru_cache(maxsize=64)
def _scores(documents: tuple[Document, ...], terms: tuple[str, ...]) -> tuple[ThemeMatch, ...]:
    stats = stats_for(documents)
    sections = all_sections(documents)
    n = len(sections)
    totals = [0.0] * n
    matched: list[list[tuple[float, str]]] = [[] for _ in range(n)]
    for term in terms:
        rows = _term_tf(documents, term)
        df = sum(1 for body, title in rows if body or title)
        if not df:
            continue
        idf = _idf(n, df)
        for i, (body, title) in enumerate(rows):
            if not body and not title:
                continue
            length = len(stats.tokens[sections[i][1].id])
            norm = K1 * (1 - B + B * length / PIVOT_LENGTH)
            gain = idf * body * (K1 + 1) / (body + norm) + (TITLE_BONUS * idf if title else 0.0)
            totals[i] += gain
            matched[i].append((gain, term))
    return tuple(
        # Two decimals: enough to rank and to show why, not noise.
        ThemeMatch(section_id=s.id, theme_id="", score=round(totals[i], 2),
                   matched=tuple(t for _g, t in sorted(matched[i], key=lambda x: -x[0])))
        for i, (_d, s) in enumerate(sections)
    )


def _idf(n: int, df: int) -> float:
    import math

    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def score_sections(documents: Sequence[Document], theme: Theme) -> tuple[ThemeMatch, ...]:
    """Every section's score for a theme, in reading order."""
    base = _scores(tuple(documents), tuple(theme.terms))
    return tuple(ThemeMatch(m.section_id, theme.id, m.score, m.matched) for m in base)


def select(documents: Sequence[Document], theme: Theme, *,
           max_sections: int | None = None) -> tuple[ThemeMatch, ...]:
    """The sections a theme's handout prints, strongest first cut to the cap, then put
    back in reading order (document, then position)."""
    settings = selection_of(theme)
    cap = settings.cap if max_sections is None else max_sections
    texts = {s.id: s for _d, s in all_sections(documents)}
    scored = score_sections(documents, theme)
    eligible = [m for m in scored if han_count(texts[m.section_id].text) >= settings.min_chars]
    if not eligible or cap <= 0:
        return ()
    best = max(m.score for m in eligible)
    floor = max(settings.threshold, settings.relative * best)
    order = {m.section_id: i for i, m in enumerate(scored)}
    kept = [m for m in eligible if m.score >= floor and m.score > 0]
    kept.sort(key=lambda m: (-m.score, order[m.section_id]))
    return tuple(sorted(kept[:cap], key=lambda m: order[m.section_id]))


def best_theme(documents: Sequence[Document], themes: Sequence[Theme],
               section_id: str) -> tuple[Theme, ThemeMatch] | None:
    """The theme a section scores highest on (for explicitly chosen sections)."""
    best: tuple[Theme, ThemeMatch] | None = None
    for theme in themes:
        for m in score_sections(documents, theme):
            if m.section_id == section_id and (best is None or m.score > best[1].score):
                best = (theme, m)
    return best


# --- reports for the CLI -------------------------------------------------------------


def theme_summaries(documents: Sequence[Document], themes: Sequence[Theme]) -> list[dict[str, Any]]:
    """Per theme: how many sections it selects and which of its terms matched them."""
    out = []
    for theme in themes:
        chosen = select(documents, theme)
        counts: Counter[str] = Counter()
        for m in chosen:
            counts.update(m.matched)
        ordered = [t for t in theme.terms if counts[t]]
        ordered.sort(key=lambda t: -counts[t])
        out.append({
            "id": theme.id,
            "name": theme.name,
            "description": theme.description,
            "sections": len(chosen),
            "matched_terms": ordered,
            "section_ids": [m.section_id for m in chosen],
        })
    return out


def suggest(documents: Sequence[Document], themes: Sequence[Theme], *,
            limit: int = 6) -> list[dict[str, Any]]:
    """Candidate new themes: clusters of distinctive words that occur together in several
    sections and that no existing theme names, each with the sections that show it best.

    A word is a candidate when it is among a section's keywords, occurs in at least two
    sections but not in most of them, and overlaps no theme term.  Clusters grow
    greedily from the strongest candidate by co-occurrence (Jaccard of the sections
    containing each word); the organiser names and keeps the ones that make sense.
    """
    from handouts.content.keypoints import keywords

    docs = tuple(documents)
    stats = stats_for(docs)
    known = {t for theme in themes for t in theme.terms}
    sections = [s for _d, s in all_sections(docs) if han_count(s.text) >= 100]
    if not sections:
        return []
    present: dict[str, set[str]] = {}
    for s in sections:
        for token in set(stats.tokens[s.id]) | set(stats.title_tokens[s.id]):
            present.setdefault(token, set()).add(s.id)
    weight: Counter[str] = Counter()
    keyed: Counter[str] = Counter()
    for s in sections:
        for rank, word in enumerate(keywords(s, stats, limit=10)):
            if any(k in word or word in k for k in known):
                continue
            weight[word] += 10 - rank
            keyed[word] += 1
    ceiling = max(2, len(sections) // 3)
    # A candidate is a keyword of two sections at least, or a specific word (a domain
    # word, or three characters and more) found in two sections at least.
    candidates = [w for w in weight if 2 <= len(present.get(w, ())) <= ceiling
                  and (keyed[w] >= 2 or len(w) >= 3 or w in domain_words())]
    candidates.sort(key=lambda w: (-weight[w], w))
    used: set[str] = set()
    titles = {s.id: s.title for s in sections}
    out: list[dict[str, Any]] = []
    for seed in candidates:
        if seed in used:
            continue
        cluster = [seed]
        for other in candidates:
            if other in used or other in cluster:
                continue
            a, b = present[seed], present[other]
            if len(a & b) >= 2 and len(a & b) / len(a | b) >= 0.25:
                cluster.append(other)
            if len(cluster) == 5:
                break
        if len(cluster) < 2:
            continue
        used.update(cluster)
        strength: Counter[str] = Counter()
        for sid in set().union(*(present[w] for w in cluster)):
            tokens = stats.tokens[sid]
            strength[sid] = sum(tokens.count(w) * stats.idf(w) for w in cluster)
        examples = sorted(strength, key=lambda sid: (-strength[sid], sid))[:3]
        out.append({
            "name": "、".join(cluster[:2]),
            "terms": cluster,
            "sections": [{"id": sid, "title": titles[sid]} for sid in examples],
        })
        if len(out) == limit:
            break
    return out


def section_index(documents: Sequence[Document]) -> dict[str, tuple[Document, Section]]:
    return {s.id: (d, s) for d, s in all_sections(documents)}


__all__ = [
    "ConfiguredTheme", "CorpusStats", "Selection", "best_theme", "load_themes", "parse_themes",
    "score_sections", "section_index", "select", "suggest", "theme_summaries",
]
