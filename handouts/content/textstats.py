"""Corpus statistics every content stage shares: tokens, sentences, document frequencies.

Theme scores, keywords and key points all weigh a word by how rare it is in the corpus,
so the statistics depend on every document.  They are computed once per corpus per
process: ``corpus_stats`` is memoised on the documents tuple (documents are frozen and
hashable), and the result is a frozen, picklable value a worker pool can ship around
instead of recomputing.  Nothing here is mutated after it is built.
"""

from __future__ import annotations

import functools
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

# One count of Han characters for the whole pipeline (the cleaner's: compatibility
# ideographs included), so a length limit means the same at every stage.
from handouts.corpus.clean import han_count as han_count
from handouts.model import Document, Section
from handouts.paths import DATA

STOPWORDS_FILE = DATA / "stopwords.txt"

HAN = re.compile(r"[\u3400-\u9fff]")
# A sentence ends at 。！？ (or their ASCII forms, which scraped text keeps) or at a
# line break; closing quotes and brackets right after the stop belong to the sentence.
_SENTENCE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+[”’」』）)]*)?|[。！？!?]+")


def _word_list(path: Path) -> frozenset[str]:
    """One word a line, ``#`` comments; a missing file is an empty list."""
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@functools.lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The stop-word list, read once (it is data organisers may extend)."""
    return _word_list(STOPWORDS_FILE)


@functools.lru_cache(maxsize=1)
def not_keywords() -> frozenset[str]:
    """Words never shown as keywords (verbs, adverbs, numerals, general nouns): data, so an
    organiser can add the word that annoys them."""
    return _word_list(DATA / "not_keywords.txt")


@functools.lru_cache(maxsize=1)
def domain_words() -> frozenset[str]:
    """The words of the domain dictionary (群众路线, 四风, ……): curated, so always worth
    naming in a keyword list or a question."""
    path = DATA / "userdict.txt"
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.split()[0] for line in lines if line.strip() and not line.startswith("#"))


@functools.lru_cache(maxsize=1)
def _apparatus() -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
    import tomllib

    data = tomllib.loads((DATA / "apparatus.toml").read_text(encoding="utf-8"))
    return (tuple(re.compile(p) for p in data.get("headings", ())),
            tuple(re.compile(p) for p in data.get("attribution", ())))


def is_attribution(line: str) -> bool:
    """Whether a line says who said the passage, when or where it was taken from
    (``——2018年4月…讲话``, ``（来源：新华网）``): it is never study text."""
    line = line.strip()
    return bool(line) and any(p.search(line) for p in _apparatus()[1])


# Scoring asks these of every section for every theme term: on a corpus of 10,000
# documents that was most of an outline.  Sections are frozen, so the answers keep.
@functools.lru_cache(maxsize=1 << 18)
def is_apparatus(section: Section) -> bool:
    """Whether a section is a document's apparatus (its 注释 block, its sources, an
    attribution line the section splitter took for a heading), never a study passage."""
    title = re.sub(r"\s+", "", section.title)
    return any(p.search(title) for p in _apparatus()[0]) or is_attribution(title)


@functools.lru_cache(maxsize=1 << 18)
def study_text(section: Section) -> str:
    """The section's body without attribution lines: what is scored, summarised and asked
    about.  ``Section.notes`` and ``Section.sources`` are never part of it."""
    if is_apparatus(section):
        return ""
    kept = []
    changed = False
    for line in section.text.split("\n"):
        if line and is_attribution(line):
            # A byline glued to the first sentence (——摘自某同志的发言 群众路线是……。)
            parts = line.split(maxsplit=1)
            line = parts[1] if len(parts) == 2 and re.search(r"[。！？]$", parts[1]) else ""
            changed = True
        if line:
            kept.append(line)
        else:
            changed = True
    # The section's own string when nothing went: a corpus's worth of copies otherwise.
    return "\n".join(kept) if changed else section.text


@functools.lru_cache(maxsize=1 << 12)
def han_only(text: str) -> str:
    """The Han characters (and digits) of a text, for comparisons that must not depend on
    how punctuation was cleaned."""
    return "".join(re.findall(r"[\u3400-\u9fff0-9A-Za-z]", text))


def is_content(token: str) -> bool:
    """A token worth counting: two or more characters, at least one Han, not a stop word."""
    return len(token) >= 2 and bool(HAN.search(token)) and token not in stopwords()


def split_sentences(text: str) -> list[str]:
    """Sentences of a section body, verbatim (no character added or changed)."""
    out = []
    for paragraph in text.split("\n"):
        for m in _SENTENCE.finditer(paragraph):
            s = m.group(0).strip()
            if s:
                out.append(s)
    return out


@dataclass(frozen=True)
class CorpusStats:
    """Tokens of every section and the document frequencies over sections.

    The unit of "document" for IDF is the section: themes, keywords and key points are
    all chosen per section, and the corpus has only a handful of files.
    """

    tokens: MappingProxyType[str, tuple[str, ...]]
    title_tokens: MappingProxyType[str, tuple[str, ...]]
    df: MappingProxyType[str, int]
    n_sections: int
    avg_len: float

    def idf(self, term: str) -> float:
        """BM25's IDF, always positive so a very common term still counts a little."""
        df = self.df.get(term, 0)
        return math.log(1.0 + (self.n_sections - df + 0.5) / (df + 0.5))

    def content_tokens(self, section_id: str) -> tuple[str, ...]:
        return tuple(t for t in self.tokens.get(section_id, ()) if is_content(t))

    def __reduce__(self) -> tuple[Any, ...]:
        # MappingProxyType does not pickle; rebuild from plain dicts.
        return (
            _rebuild,
            (dict(self.tokens), dict(self.title_tokens), dict(self.df),
             self.n_sections, self.avg_len),
        )


def _rebuild(tokens: dict[str, tuple[str, ...]], title_tokens: dict[str, tuple[str, ...]],
             df: dict[str, int], n_sections: int, avg_len: float) -> CorpusStats:
    return CorpusStats(MappingProxyType(tokens), MappingProxyType(title_tokens),
                       MappingProxyType(df), n_sections, avg_len)


def all_sections(documents: Iterable[Document]) -> list[tuple[Document, Section]]:
    """Every section in reading order (document, then position), with its document."""
    if isinstance(documents, tuple):
        return list(_all_sections(documents))
    return [(d, s) for d in documents for s in d.sections]


@functools.lru_cache(maxsize=8)
def _all_sections(documents: tuple[Document, ...]) -> tuple[tuple[Document, Section], ...]:
    # Asked for once per theme term and stage; a corpus of 100,000 sections made the
    # pairs again each time.
    return tuple((d, s) for d in documents for s in d.sections)


@functools.lru_cache(maxsize=8)
def corpus_stats(documents: tuple[Document, ...]) -> CorpusStats:
    """Tokenise every section once and count document frequencies."""
    from handouts.segment import cut_many

    sections = [s for _doc, s in all_sections(documents)]
    texts: list[str] = []
    for section in sections:
        texts.append(study_text(section))
        texts.append(section.title if section.title and not is_apparatus(section) else "")
    cut = cut_many(texts)
    tokens: dict[str, tuple[str, ...]] = {}
    title_tokens: dict[str, tuple[str, ...]] = {}
    df: Counter[str] = Counter()
    for i, section in enumerate(sections):
        body, title = cut[2 * i], cut[2 * i + 1]
        tokens[section.id] = body
        title_tokens[section.id] = title
        df.update(set(body) | set(title))
    n = max(len(tokens), 1)
    avg = sum(len(t) for t in tokens.values()) / n
    return _rebuild(tokens, title_tokens, dict(df), n, avg or 1.0)


@dataclass(frozen=True)
class Postings:
    """Where each token occurs, in bodies and in titles: token -> (section indices in
    reading order, counts), as two flat arrays (a dict per token took 2 GB on 10,000
    documents); and which tokens hold a given character.  A theme term finds the words
    containing it without a pass over every token of the corpus."""

    body: Mapping[str, tuple[array, array]]
    title: Mapping[str, tuple[array, array]]
    words_with: Mapping[str, tuple[str, ...]]

    @staticmethod
    def sections(where: Mapping[str, tuple[array, array]], token: str) -> frozenset[int]:
        found = where.get(token)
        return frozenset(found[0]) if found else frozenset()


@functools.lru_cache(maxsize=8)
def postings(documents: tuple[Document, ...]) -> Postings:
    stats = stats_for(documents)
    body: dict[str, tuple[array, array]] = {}
    title: dict[str, tuple[array, array]] = {}
    for i, (_doc, section) in enumerate(all_sections(documents)):
        for where, tokens in ((body, stats.tokens[section.id]),
                              (title, stats.title_tokens[section.id])):
            for token, n in Counter(tokens).items():
                found = where.get(token)
                if found is None:
                    found = where[token] = (array("I"), array("I"))
                found[0].append(i)
                found[1].append(n)
    words_with: dict[str, list[str]] = {}
    for token in body.keys() | title.keys():
        for ch in set(token):
            words_with.setdefault(ch, []).append(token)
    return Postings(body, title, {ch: tuple(sorted(ws)) for ch, ws in words_with.items()})


def stats_for(documents: Sequence[Document]) -> CorpusStats:
    """``corpus_stats`` for any sequence (lists are turned into the hashable tuple key)."""
    return corpus_stats(tuple(documents))


def count_phrase(tokens: Sequence[str], phrase: Sequence[str]) -> int:
    """Occurrences of a token sequence in a token list (a term jieba splits still matches
    as a whole)."""
    n = len(phrase)
    if n == 0:
        return 0
    if n == 1:
        return sum(1 for t in tokens if t == phrase[0])
    first = phrase[0]
    target = tuple(phrase)
    return sum(1 for i, t in enumerate(tokens) if t == first and tuple(tokens[i:i + n]) == target)


@functools.lru_cache(maxsize=4096)
def cut_cached(text: str) -> tuple[str, ...]:
    """Segment a short string (a theme term, a sentence) once per process."""
    from handouts.segment import get_segmenter

    return tuple(get_segmenter().cut(text))
