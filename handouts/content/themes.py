"""Themes: which sections a theme's handout prints, and why.

A theme is data (``themes.toml``): a name, a description and seed terms.  Every section
is scored against every theme with BM25 over jieba tokens, the corpus statistics
computed once (``textstats``); terms in a section's heading count double, and a term
matches any token that contains it, so 基层 is found in 深入基层 even though the domain
dictionary keeps the latter whole.  A word's IDF counts each document's sections with
diminishing weight (``_spread_df``), so a text about a word does not make it look common.
A section fits a theme that is its main subject, or that leads a substantial part of it
(``_bears_on``); selection keeps the strongest such sections above an absolute and a
relative threshold, capped, and prints them in reading order.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
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
    han_only,
    is_apparatus,
    is_content,
    not_keywords,
    postings,
    split_sentences,
    stats_for,
    study_text,
)
from handouts.errors import ConfigError
from handouts.model import Document, Section, Theme, ThemeMatch
from handouts.segment import get_segmenter

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
    dominance: float = 0.8
    """A theme whose score for a section is at least this share of the section's best
    theme's score is a main subject of it (applied when selection is given all the
    themes)."""
    heading_dominance: float = 0.4
    """A theme named in the section's heading is a main subject at this lower share."""
    part: float = 0.35
    """Any other theme fits only when it leads paragraphs that make up this share of the
    section (JUDGING.md: a substantial part bears on it): a passage on the last mile that
    mentions the masses' interests in every paragraph is not a passage on serving them,
    however the mentions add up."""
    min_sentences: int = 2
    """A section whose theme words all sit in one sentence mentions the theme in passing
    (深入基层一线调查研究 in a passage on the Yangtze's ecology; 执政为民，为人民服务 in a
    member's notes on doing one's job): it needs them in this many sentences, or in its
    heading, or in its only sentence (JUDGING.md: a single sentence does not make a
    section fit)."""
    sentence_clauses: int = 3
    """...unless that one sentence carries the theme through this many of its clauses
    (加强理论学习和实践锻炼，在学习中提高认识，在实践中增长才干 is the passage's point,
    not an aside)."""
    min_clauses: int = 2
    """A paragraph counts as led by a theme (``part``) only when the theme's words are in
    this many of its clauses."""


@dataclass(frozen=True)
class ConfiguredTheme(Theme):
    """A theme as read from themes.toml: a ``Theme`` that also carries its selection
    settings and how its terms are read, so they travel with it through packets and
    worker pools.

    ``only`` gives, for a term that has several senses, the phrases in which it counts
    (监督 only as 群众监督, 接受监督); ``against`` the phrases that count against the theme
    (纪律监督, 执纪监督); ``related`` the words of a term's family the organiser listed,
    each with its weight (调查 0.6 for 调查研究).
    """

    selection: Selection = field(default_factory=Selection)
    goal: str = ""
    only: tuple[tuple[str, tuple[str, ...]], ...] = ()
    against: tuple[str, ...] = ()
    related: tuple[tuple[str, float], ...] = ()
    requires: tuple[str, ...] = ()
    """A theme that joins two subjects (the Party's history *and* the masses) fits only
    a section that names one of these words too."""


DEFAULT_SELECTION = Selection()


def selection_of(theme: Theme) -> Selection:
    return theme.selection if isinstance(theme, ConfiguredTheme) else DEFAULT_SELECTION


# --- loading -------------------------------------------------------------------------

_SELECTION_KEYS: dict[str, type] = {
    "cap": int, "threshold": float, "relative": float, "min_chars": int, "min_clauses": int,
    "min_sentences": int, "sentence_clauses": int, "dominance": float,
    "heading_dominance": float, "part": float,
}
_THEME_KEYS = {"id", "name", "description", "terms", "selection", "goal", "against", "related",
               "requires"}
# A family word is found in more than this share of the corpus's sections is a general
# word (群众 in 群众路线, 主义 in 形式主义), never proposed as a member of a term's family.
FAMILY_MAX_DF = 0.2
# A phrase that counts against a theme takes away this much of what a term would add.
AGAINST_WEIGHT = 1.0


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
        terms, only = _parse_terms(entry.get("terms"), f"{where}.terms", path)
        against = entry.get("against", [])
        if not isinstance(against, list) or not all(isinstance(t, str) and t.strip()
                                                    for t in against):
            raise ConfigError(path, f"key {where}.against: expected a list of strings")
        requires = entry.get("requires", [])
        if not isinstance(requires, list) or not all(isinstance(t, str) and t.strip()
                                                     for t in requires):
            raise ConfigError(path, f"key {where}.requires: expected a list of strings")
        related = entry.get("related", {})
        if not isinstance(related, dict) or not all(
                isinstance(w, (int, float)) and not isinstance(w, bool) and 0 < w <= 1
                for w in related.values()):
            raise ConfigError(path, f"key {where}.related: expected a table of word = weight "
                                    "(0 < weight <= 1)")
        selection = _parse_selection(entry.get("selection", {}), f"{where}.selection", path, base)
        goal = entry.get("goal", "")
        if not isinstance(goal, str):
            raise ConfigError(path, f"key {where}.goal: expected a string")
        themes.append(ConfiguredTheme(
            id=values["id"], name=values["name"], description=values["description"],
            terms=terms, selection=selection, goal=goal.strip(), only=only,
            against=tuple(dict.fromkeys(t.strip() for t in against)),
            related=tuple((k.strip(), float(v)) for k, v in related.items() if k.strip()),
            requires=tuple(t.strip() for t in requires),
        ))
    return tuple(themes)


def _parse_terms(value: Any, where: str, path: Path | str
                 ) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """Terms are words (\"四风\") or tables naming the phrases a word counts in
    (``{term = "监督", only = ["群众监督", "接受监督"]}``)."""
    problem = "expected a non-empty list of strings or {term, only} tables"
    if not isinstance(value, list) or not value:
        raise ConfigError(path, f"key {where}: {problem}")
    terms: list[str] = []
    only: list[tuple[str, tuple[str, ...]]] = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            terms.append(item.strip())
            continue
        if not isinstance(item, dict) or set(item) - {"term", "only", "not_in"}:
            raise ConfigError(path, f"key {where}[{i}]: {problem}")
        term = item.get("term")
        if not isinstance(term, str) or not term.strip():
            raise ConfigError(path, f"key {where}[{i}].term: expected a word")
        term = term.strip()
        for key in ("only", "not_in"):
            phrases = item.get(key, [])
            if not isinstance(phrases, list) or not all(
                    isinstance(p, str) and term in p for p in phrases):
                raise ConfigError(path, f"key {where}[{i}].{key}: expected phrases that "
                                        f"contain {term!r}")
            if phrases:
                # not_in phrases are kept with a leading "!" (a term counts outside them)
                mark = "" if key == "only" else "!"
                only.append((term, tuple(mark + p.strip() for p in phrases)))
        terms.append(term)
    return tuple(dict.fromkeys(terms)), tuple(only)


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
        if value < 0 or (key == "cap" and value < 1) or (
                key in ("relative", "dominance", "heading_dominance", "part") and value > 1):
            raise ConfigError(path, f"key {where}.{key}: out of range ({value})")
        values[key] = kind(value)
    return Selection(**{**base.__dict__, **values})


# --- scoring -------------------------------------------------------------------------


@dataclass(frozen=True)
class TermSpec:
    """How one word counts for a theme: its weight, the phrases it counts in (none: it
    counts anywhere), the theme term it stands for, and the words it must not be part of
    (a family word inside the term itself is the term, counted once)."""

    word: str
    weight: float = 1.0
    only: tuple[str, ...] = ()
    of: str = ""
    exclude: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()
    """Phrases the word does not count in (服务群众 in 联系服务群众“最后一公里”)."""


def term_specs(documents: Sequence[Document], theme: Theme) -> tuple[TermSpec, ...]:
    """The theme's terms, then the words of their families the theme lists (``related``,
    each at its weight below 1), then the phrases that count against it (negative weight).

    A term's longer forms need no listing: a term matches any word containing it with
    at most two more characters (联系群众 in 密切联系群众).  Shorter or looser forms
    (调查 for 调查研究) are listed by the organiser, helped by ``themes --suggest-terms``,
    because the parts of a compound are as often general words (主义 in 形式主义).
    """
    only: dict[str, tuple[str, ...]] = {}
    outside: dict[str, tuple[str, ...]] = {}
    for term, phrases in getattr(theme, "only", ()):
        inside = tuple(p for p in phrases if not p.startswith("!"))
        if inside:
            only[term] = inside
        if len(inside) < len(phrases):
            outside[term] = tuple(p[1:] for p in phrases if p.startswith("!"))
    specs = [TermSpec(t, 1.0, only.get(t, ()), t, (), outside.get(t, ())) for t in theme.terms]
    exact = tuple(theme.terms)
    seen = set(exact)
    for word, weight in getattr(theme, "related", ()):
        if word not in seen:
            seen.add(word)
            specs.append(TermSpec(word, weight, (), word, exact))
    for phrase in getattr(theme, "against", ()):
        specs.append(TermSpec(phrase, -AGAINST_WEIGHT, (), ""))
    return tuple(specs)


@functools.lru_cache(maxsize=4096)
def _term_tf(documents: tuple[Document, ...], spec: TermSpec) -> dict[int, tuple[float, float]]:
    """Per section index (reading order) where the word counts: (body tf, title tf) of
    the word as the spec reads it; sections it does not count in are left out.

    The words containing the term are found once in the corpus's vocabulary and their
    counts read from the postings, so a term costs what its matches cost, not a pass
    over every token of the corpus (a 10,000-document outline scanned 134 terms x
    18 million tokens)."""
    stats = stats_for(documents)
    index = postings(documents)
    views = _views(documents)
    phrase = cut_cached(spec.word)
    # Phrase-only words are counted in the text itself; the others from the postings.
    body_hits = {} if spec.only else _contained(index.body, index.words_with, spec)
    title_hits = {} if spec.only else _contained(index.title, index.words_with, spec)
    if spec.only:
        keys = [k for k in (han_only(p) for p in spec.only) if k]

        def holds(key: str, text: str, title: str) -> bool:
            # A cheap test on the raw text first (the key's first and last characters
            # are there), then the exact one on the Han characters.
            ends = (key[0] in text or key[0] in title) and (key[-1] in text or key[-1] in title)
            return ends and (key in han_only(text) or key in han_only(title))

        candidates: Iterable[int] = (
            i for i, (_id, title, text, scored) in enumerate(views)
            if scored and any(holds(k, text, title) for k in keys))
    elif spec.weight < 0 and len(phrase) >= 2:
        first = spec.word[:1]
        candidates = (i for i, (_id, title, text, _scored) in enumerate(views)
                      if first in text or first in title)
    else:
        found = body_hits.keys() | title_hits.keys()
        if not spec.outside and len(phrase) >= 2:
            # The word as jieba splits it counts only where every one of its pieces occurs.
            for where in (index.body, index.title):
                found |= functools.reduce(
                    frozenset.intersection, (index.sections(where, t) for t in phrase))
        candidates = sorted(found)
    rows: dict[int, tuple[float, float]] = {}
    for i in candidates:
        sid, title, text, scored = views[i]
        if not scored:  # notes, sources, attribution: never scored
            continue
        if spec.only:
            row = (_phrases_tf(text, spec.only), _phrases_tf(title, spec.only))
        else:
            row = (_tf(body_hits.get(i, 0), stats.tokens[sid], spec, text, phrase),
                   _tf(title_hits.get(i, 0), stats.title_tokens[sid], spec, title, phrase))
        if row[0] or row[1]:
            rows[i] = row
    return rows


@functools.lru_cache(maxsize=8)
def _views(documents: tuple[Document, ...]) -> tuple[tuple[str, str, str, bool], ...]:
    """Per section in reading order: id, title, study text and whether it is scored at
    all (apparatus is not), computed once per corpus rather than once per term."""
    out = []
    for _doc, section in all_sections(documents):
        if is_apparatus(section):
            out.append((section.id, section.title, "", False))
        else:
            out.append((section.id, section.title, study_text(section), True))
    return tuple(out)


def _contained(where: Mapping[str, tuple[Any, Any]], words_with: Mapping[str, tuple[str, ...]],
               spec: TermSpec) -> dict[int, int]:
    """Per section index, how many of its tokens contain the spec's word (with at most
    ``MAX_EXTRA`` more characters, none of its excluded words)."""
    term = spec.word
    counts: dict[int, int] = {}
    for token in words_with.get(term[:1], ()) if term else ():
        if (token in where and term in token and len(token) <= len(term) + MAX_EXTRA
                and not any(x in token for x in spec.exclude)):
            at, ns = where[token]
            for i, n in zip(at, ns, strict=True):
                counts[i] = counts.get(i, 0) + n
    return counts


def _containing(tokens: Sequence[str], spec: TermSpec) -> int:
    """How many of the tokens contain the spec's word (``_contained`` for one passage)."""
    term = spec.word
    return sum(1 for t in tokens if term in t and len(t) <= len(term) + MAX_EXTRA
               and not any(x in t for x in spec.exclude))


def _phrases_tf(text: str, phrases: Sequence[str]) -> float:
    """Occurrences of any of the phrases, a longer one never counted twice through a
    shorter one it contains."""
    core = han_only(text)
    count = 0
    for phrase in sorted(phrases, key=len, reverse=True):
        key = han_only(phrase)
        count += core.count(key)
        core = core.replace(key, "|")
    return float(count)


def _tf(contained: int, tokens: Sequence[str], spec: TermSpec, text: str,
        phrase: tuple[str, ...]) -> float:
    """One section's count of the spec's word, ``contained`` of its tokens holding it."""
    term = spec.word
    if spec.exclude:
        # A family word jieba splits (不敢腐 as 不敢 + 腐) is found as a token sequence.
        if not contained and len(phrase) >= 2:
            contained = count_phrase(tokens, phrase)
        if not contained:
            return 0.0
        # A family word inside the term itself (调查 in 调查研究) is the term: counted once.
        core = han_only(text)
        inside = sum(core.count(x) for x in spec.exclude if term in x)
        return float(max(0, min(contained, core.count(term) - inside)))
    if spec.outside:
        if not contained:
            return 0.0
        core = han_only(text)
        inside = sum(core.count(han_only(p)) for p in spec.outside)
        return float(max(0, min(contained, core.count(term) - inside)))
    if contained or len(phrase) < 2:
        return float(contained)
    if spec.weight < 0:
        return float(han_only(text).count(han_only(term)))
    return float(count_phrase(tokens, phrase))


@functools.lru_cache(maxsize=64)
def _scores(documents: tuple[Document, ...],
            specs: tuple[TermSpec, ...]) -> tuple[ThemeMatch, ...]:
    stats = stats_for(documents)
    sections = all_sections(documents)
    n = len(sections)
    totals = [0.0] * n
    matched: list[list[tuple[float, str]]] = [[] for _ in range(n)]
    variants: list[list[tuple[float, str]]] = [[] for _ in range(n)]
    for spec in specs:
        rows = _term_tf(documents, spec)
        idf = _spec_idf(documents, spec)
        if not idf:
            continue
        for i, (body, title) in rows.items():
            length = len(stats.tokens[sections[i][1].id])
            norm = K1 * (1 - B + B * length / PIVOT_LENGTH)
            gain = idf * body * (K1 + 1) / (body + norm) + (TITLE_BONUS * idf if title else 0.0)
            gain *= spec.weight
            totals[i] += gain
            if spec.weight >= 1.0:
                matched[i].append((gain, spec.word))
            elif spec.weight > 0:
                variants[i].append((gain, spec.word))
    return tuple(
        # Two decimals: enough to rank and to show why, not noise.
        ThemeMatch(section_id=s.id, theme_id="", score=max(0.0, round(totals[i], 2)),
                   matched=tuple(t for _g, t in sorted(matched[i], key=lambda x: -x[0])),
                   variants=tuple(t for _g, t in sorted(variants[i], key=lambda x: -x[0])))
        for i, (_d, s) in enumerate(sections)
    )


@functools.lru_cache(maxsize=4096)
def _spec_idf(documents: tuple[Document, ...], spec: TermSpec) -> float:
    """The word's IDF as the spec reads it (0.0 when no section has it)."""
    sections = all_sections(documents)
    df = _spread_df(_term_tf(documents, spec), [d.path for d, _s in sections])
    return _idf(len(sections), df) if df else 0.0


def _spread_df(rows: Mapping[int, tuple[float, float]], owners: Sequence[str]) -> float:
    """How many sections a word occurs in, each document counting the square root of its
    own sections with the word.

    A long text cut into many sections that all use its subject word (调查 in every
    chapter of an essay on investigation) makes that word look common by section count;
    the word is frequent there because the text is about it.  Counting each document's
    sections with diminishing weight keeps a word spread over many documents common and
    a word concentrated in one text specific, whichever way the texts are sectioned."""
    per_doc: Counter[str] = Counter(owners[i] for i, (body, title) in rows.items()
                                    if body or title)
    return sum(math.sqrt(k) for k in per_doc.values())


def _idf(n: int, df: float) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def score_sections(documents: Sequence[Document], theme: Theme) -> tuple[ThemeMatch, ...]:
    """Every section's score for a theme, in reading order."""
    base = _scores(tuple(documents), term_specs(documents, theme))
    return tuple(ThemeMatch(m.section_id, theme.id, m.score, m.matched, m.variants)
                 for m in base)


_CLAUSE = re.compile(r"[，,；;：:。！？!?]")
# A line shorter than this (Han characters) is a caption or a list label, not a part of
# the section that could bear on a theme by itself.
MIN_PART_CHARS = 20


def _paragraphs(section: Section, tokens: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The section's paragraphs (lines of its study text), each with its tokens: the
    section's tokens cut at the line breaks, so nothing is segmented twice."""
    text = study_text(section)
    out: list[tuple[str, list[str]]] = [("", [])]
    pos = 0
    for token in tokens:
        at = text.find(token, pos)
        if at < 0:
            continue
        if "\n" in text[pos:at]:
            out.append(("", []))
        out[-1][1].append(token)
        pos = at + len(token)
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) != len(out):
        return [(line, cut_cached(line)) for line in lines]
    return [(line, tuple(toks)) for line, (_t, toks) in zip(lines, out, strict=True)]


def _unit_score(text: str, tokens: Sequence[str],
                specs: Sequence[tuple[TermSpec, float]]) -> tuple[float, int]:
    """A paragraph's score for a theme (BM25's saturation, no length norm: paragraphs
    are compared with each other within one section) and in how many of its clauses the
    theme's words occur."""
    core = han_only(text)
    total = 0.0
    keys: list[str] = []
    for spec, idf in specs:
        # Most words of most themes are absent from a paragraph: a substring test first.
        if not any(han_only(w) in core for w in (spec.only or (spec.word,))):
            continue
        tf = (_phrases_tf(text, spec.only) if spec.only
              else _tf(_containing(tokens, spec), tokens, spec, text, cut_cached(spec.word)))
        if not tf:
            continue
        total += spec.weight * idf * tf * (K1 + 1) / (tf + K1)
        if spec.weight > 0:
            keys.extend(han_only(p) for p in (spec.only or (spec.word,)))
    if total <= 0:
        return 0.0, 0
    clauses = sum(1 for c in _CLAUSE.split(text) if any(k in han_only(c) for k in keys))
    return total, clauses


class _Parts:
    """Per section, per theme: the share of the section (Han characters) in paragraphs
    the theme leads, its words in ``min_clauses`` clauses of each.  A section that a
    theme does not lead as a whole may still give it a substantial part.

    Worked out only for the sections that ask (those that are no theme's main subject
    by score), once each: a large corpus's sections mostly never do."""

    def __init__(self, documents: tuple[Document, ...], themes: tuple[Theme, ...],
                 min_clauses: int) -> None:
        self.documents = documents
        self.min_clauses = min_clauses
        self.specs = {t.id: [(spec, idf) for spec in term_specs(documents, t)
                             if (idf := _spec_idf(documents, spec))] for t in themes}
        self.sections = {s.id: s for _d, s in all_sections(documents)}
        self.tokens = stats_for(documents).tokens
        # Per section, the themes with any score: no other can lead one of its paragraphs.
        self.scored: dict[str, list[str]] = {}
        for theme in themes:
            for m in score_sections(documents, theme):
                if m.score > 0:
                    self.scored.setdefault(m.section_id, []).append(theme.id)
        self.done: dict[str, dict[str, float]] = {}

    def shares(self, section_id: str) -> dict[str, float]:
        if section_id not in self.done:
            self.done[section_id] = self._work_out(self.sections[section_id])
        return self.done[section_id]

    def _work_out(self, section: Section) -> dict[str, float]:
        if is_apparatus(section):
            return {}
        themes = self.scored.get(section.id, [])
        if len(themes) < 2:
            return dict.fromkeys(themes, 1.0)
        paragraphs = [(text, toks) for text, toks in _paragraphs(section, self.tokens[section.id])
                      if han_count(text) >= MIN_PART_CHARS]
        if len(paragraphs) < 2:
            # One paragraph is the whole section, not a part of it: the section's own
            # scores decide (a paragraph scored without the heading and the length
            # norm would overrule them: 领导干部要带头集体学习 in a passage on studying).
            return {}
        size = sum(han_count(text) for text, _t in paragraphs)
        shares: dict[str, float] = {}
        for text, toks in paragraphs:
            scores = {tid: _unit_score(text, toks, self.specs[tid]) for tid in themes}
            top = max(score for score, _c in scores.values())
            for tid, (score, clauses) in scores.items():
                if score > 0 and score >= top and clauses >= self.min_clauses:
                    shares[tid] = shares.get(tid, 0.0) + han_count(text) / size
        return shares


@functools.lru_cache(maxsize=16)
def _parts(documents: tuple[Document, ...], themes: tuple[Theme, ...],
           min_clauses: int) -> _Parts:
    return _Parts(documents, themes, min_clauses)


def names_in_heading(section: Section, match: ThemeMatch, theme: Theme) -> bool:
    """Whether the section's heading holds one of the theme words that matched it."""
    return _holds(section.title, *_looked_for(match, theme))


def _looked_for(match: ThemeMatch, theme: Theme) -> tuple[list[str], set[str]]:
    """The Han cores of the theme words that matched (a word read in one sense only as
    its phrases), and the phrases they do not count in."""
    only = {t: tuple(p for p in phrases if not p.startswith("!"))
            for t, phrases in getattr(theme, "only", ())}
    only = {t: phrases for t, phrases in only.items() if phrases}
    outside = {han_only(p[1:]) for _t, phrases in getattr(theme, "only", ())
               for p in phrases if p.startswith("!")}
    words = [w for w in (*match.matched, *match.variants) if w not in only]
    phrases = [p for w in match.matched for p in only.get(w, ())]
    return [han_only(w) for w in (*words, *phrases)], outside


def _holds(text: str, keys: Sequence[str], outside: set[str]) -> bool:
    # A word does not count inside the phrases its theme excludes (服务群众 in
    # 服务群众“最后一公里”): they are blanked out before looking.
    core = han_only(text)
    for phrase in outside:
        core = core.replace(phrase, "|")
    return any(k in core for k in keys)


# A sentence ends in punctuation (and perhaps closing quotes); a line that does not is a
# caption, a label or a list.
_CLOSED = re.compile(r"[。！？!?…；;：:，,][”’」』）)\]】》]*\s*$")
# A document's name (《关于加快构建中国特色哲学社会科学的意见》) names a paper, not what
# the sentence says: a theme word inside it (意见) is no mention of the theme.
_DOCUMENT_NAME = re.compile(r"《[^《》]*》")


@functools.lru_cache(maxsize=4096)
def _statements(text: str) -> tuple[str, ...]:
    """The sentences of a study text that end as sentences do, in its own words.  A line
    with no closing punctuation is a caption or a list (四风：形式主义，官僚主义，享乐主义，
    奢靡之风 under a passage on the mass line): JUDGING.md counts a list item as no part
    of the subject.  A text with no closing punctuation anywhere keeps all its lines.
    The documents a sentence names are blanked out.

    Cached: every theme asks it of every section it scores, some twice."""
    sentences = [s for s in split_sentences(text) if han_count(s)]
    closed = [s for s in sentences if _CLOSED.search(s)]
    return tuple(_DOCUMENT_NAME.sub("|", s) for s in closed or sentences)


def runs_through(section: Section, match: ThemeMatch, theme: Theme,
                 settings: Selection = DEFAULT_SELECTION) -> bool:
    """Whether the theme's words run through the section rather than pass through it:
    named in its heading (which says what the whole section is about), in
    ``min_sentences`` of its sentences, in its only sentence, or through
    ``sentence_clauses`` clauses of one sentence.

    Sentences, not clauses, are counted: a list spelled out with commas
    (形式主义，官僚主义，享乐主义) or a pair of slogans (执政为民，为人民服务) is one
    mention however many clauses it spans; a line that is no sentence is not counted."""
    keys, outside = _looked_for(match, theme)
    if _holds(section.title, keys, outside):
        return True
    sentences = _statements(study_text(section))
    holding = [s for s in sentences if _holds(s, keys, outside)]
    if len(holding) >= settings.min_sentences or (holding and len(holding) == len(sentences)):
        return True
    return any(sum(1 for clause in _CLAUSE.split(sentence) if _holds(clause, keys, outside))
               >= settings.sentence_clauses for sentence in holding)


def assess(documents: Sequence[Document], theme: Theme, *,
           max_sections: int | None = None,
           themes: Sequence[Theme] = ()) -> tuple[tuple[ThemeMatch, str], ...]:
    """Every section with its verdict for the theme: "" when selected, else why not
    (what ``outline --explain`` prints), in reading order.  With ``themes`` (all the
    themes of the file), a section must also bear on this theme as much as on its best
    (``dominance``)."""
    settings = selection_of(theme)
    cap = settings.cap if max_sections is None else max_sections
    texts = {s.id: s for _d, s in all_sections(documents)}
    scored = score_sections(documents, theme)
    best = _best_themes(tuple(documents), tuple(themes)) if themes else {}
    parts = _parts(tuple(documents), tuple(themes), settings.min_clauses) if themes else None
    why: dict[str, str] = {}
    for m in scored:
        section = texts[m.section_id]
        if is_apparatus(section):
            why[m.section_id] = "notes, sources or attribution: never a study passage"
        elif han_count(study_text(section)) < settings.min_chars:
            why[m.section_id] = f"fragment: fewer than {settings.min_chars} Han characters"
        elif m.score <= 0:
            why[m.section_id] = "no theme term"
        elif getattr(theme, "requires", ()) and not any(
                w in f"{section.title}{study_text(section)}" for w in theme.requires):
            why[m.section_id] = f"names none of {'、'.join(theme.requires)}, which the theme joins"
        elif not runs_through(section, m, theme, settings):
            why[m.section_id] = (f"theme words in fewer than {settings.min_sentences} "
                                 f"sentences (nor {settings.sentence_clauses} clauses of one) "
                                 "and not in the heading: a passing mention")
        elif parts and m.section_id in best and not _bears_on(
                m, section, theme, best[m.section_id][1], parts, settings):
            other, top = best[m.section_id]
            share = parts.shares(m.section_id).get(theme.id, 0.0)
            why[m.section_id] = (f"mostly about another theme: {m.score} is below "
                                 f"{settings.dominance} of its score for {other} ({top}), "
                                 f"and the paragraphs it leads are {share:.0%} of the section "
                                 f"(less than {settings.part:.0%})")
    eligible = [m for m in scored if m.section_id not in why]
    strongest = max((m.score for m in eligible), default=0.0)
    floor = max(settings.threshold, settings.relative * strongest)
    order = {m.section_id: i for i, m in enumerate(scored)}
    for m in eligible:
        if m.score < floor:
            why[m.section_id] = f"score {m.score} below the floor {round(floor, 2)}"
    kept = [m for m in eligible if m.section_id not in why]
    kept.sort(key=lambda m: (-m.score, order[m.section_id]))
    for m in kept[max(cap, 0):]:
        why[m.section_id] = f"beyond the cap of {cap} sections"
    return tuple((m, why.get(m.section_id, "")) for m in scored)


def _bears_on(match: ThemeMatch, section: Section, theme: Theme, top: float,
              parts: _Parts, settings: Selection) -> bool:
    """A section bears on a theme that is its main subject (near its best theme's score,
    or named in its heading, spoken of in its body and not far below), or that leads a
    substantial part of it."""
    if match.score >= settings.dominance * top:
        return True
    if (match.score >= settings.heading_dominance * top
            and names_in_heading(section, match, theme) and _body_names(section, match, theme)):
        return True
    return parts.shares(section.id).get(theme.id, 0.0) >= settings.part


def _body_names(section: Section, match: ThemeMatch, theme: Theme) -> bool:
    """Whether a sentence of the section's body holds one of the theme's words.  A
    heading may join two subjects (俯下身子深入基层 倾听群众呼声) of which the body takes
    up one: the other is the heading's alone."""
    keys, outside = _looked_for(match, theme)
    return any(_holds(s, keys, outside) for s in _statements(study_text(section)))


def _best_themes(documents: tuple[Document, ...],
                 themes: tuple[Theme, ...]) -> dict[str, tuple[str, float]]:
    """Per section, the theme it scores highest on and that score."""
    best: dict[str, tuple[str, float]] = {}
    for theme in themes:
        for m in score_sections(documents, theme):
            if m.score > best.get(m.section_id, ("", 0.0))[1]:
                best[m.section_id] = (theme.id, m.score)
    return best


def select(documents: Sequence[Document], theme: Theme, *,
           max_sections: int | None = None,
           themes: Sequence[Theme] = ()) -> tuple[ThemeMatch, ...]:
    """The sections a theme's handout prints, strongest first cut to the cap, then put
    back in reading order (document, then position)."""
    return tuple(m for m, why in assess(documents, theme, max_sections=max_sections,
                                        themes=themes) if not why)


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
        chosen = select(documents, theme, themes=themes)
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


# Dictionary tags of words that can name a subject: nouns, verbal nouns, set phrases.
_NAMING = re.compile(r"^(?:n|vn|nz|l|i|j)")


def suggest_terms(documents: Sequence[Document], theme: Theme, *,
                  limit: int = 12) -> list[dict[str, Any]]:
    """Words the organiser may add to a theme, mined from the corpus.

    Two sources: the parts of each term that jieba's search mode finds and that are
    specific in this corpus (调查 in 调查研究: a family word, proposed for ``related``),
    and words that occur with the theme's terms far more often than elsewhere (lift of
    the sections where the theme's terms occur over all sections, at least two of
    them) and that can name a subject (nouns, verbal nouns, set phrases).  General words
    (found in more than a fifth of the sections, verbs and general nouns of
    ``not_keywords.txt``) are never proposed.
    """
    from handouts.content.keypoints import is_keyword

    docs = tuple(documents)
    stats = stats_for(docs)
    n = max(stats.n_sections, 1)
    limit_df = FAMILY_MAX_DF * n
    known = set(theme.terms) | {w for w, _ in getattr(theme, "related", ())}
    segmenter = get_segmenter()
    out: list[dict[str, Any]] = []
    for term in theme.terms:
        for part in segmenter.parts(term):
            df = stats.df.get(part, 0)
            if (part in known or not is_content(part) or part in not_keywords()
                    or not segmenter.known(part) or not df or df > limit_df):
                continue
            known.add(part)
            out.append({"word": part, "kind": "family", "of": term, "weight": 0.5,
                        "sections": df})
    theme_sections = {m.section_id for m, why in assess(docs, theme, max_sections=n)
                      if not why}
    if theme_sections:
        present: Counter[str] = Counter()
        for sid in theme_sections:
            present.update({t for t in stats.tokens[sid] if is_keyword(t)})
        ranked = []
        for word, inside in present.items():
            df = stats.df.get(word, 0)
            if (inside < 2 or word in known or df > limit_df
                    or any(word in k or k in word for k in known)
                    or not (word in domain_words() or _NAMING.match(segmenter.tag(word)))):
                continue
            lift = (inside / len(theme_sections)) / (df / n)
            if lift > 2.0:
                ranked.append((-lift * math.log(1 + inside), word, inside))
        for _key, word, inside in sorted(ranked)[:max(0, limit - len(out))]:
            out.append({"word": word, "kind": "co-occurs", "of": "", "weight": 0.5,
                        "sections": inside})
    return out[:limit]


def section_index(documents: Sequence[Document]) -> dict[str, tuple[Document, Section]]:
    return {s.id: (d, s) for d, s in all_sections(documents)}


__all__ = [
    "ConfiguredTheme", "CorpusStats", "Selection", "assess", "best_theme", "load_themes",
    "parse_themes",
    "score_sections", "section_index", "select", "suggest", "suggest_terms", "theme_summaries",
]
