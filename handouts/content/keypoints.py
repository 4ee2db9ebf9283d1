"""Key points and keywords of a section: extractive, so a handout never puts words in an
author's mouth.

Key points are sentences of the section itself, verbatim, printed in their original
order.  They are ranked by TextRank (PageRank over a sentence graph whose edges are
IDF-weighted token overlaps) nudged by what a careful reader looks for in these texts:
the sentence that opens a paragraph, the items of an enumeration (一是……二是……), a
sentence that echoes the heading.  MMR then drops near-repeats.  Keywords are TF-IDF
with the corpus's IDF.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from handouts.content.textstats import (
    CorpusStats,
    cut_cached,
    domain_words,
    han_count,
    han_only,
    is_content,
    not_keywords,
    split_sentences,
    study_text,
)
from handouts.model import Section
from handouts.segment import get_segmenter

# A key point is a claim a reader can take away whole: shorter is a fragment or a bare
# transition (要推动高质量发展。), longer is a paragraph, not a point.
MIN_HAN = 15
MAX_HAN = 120
MAX_POINTS = 5
MIN_POINTS = 2
DAMPING = 0.85
MMR_LAMBDA = 0.7
# TextRank compares every pair of sentences; beyond this many candidates (a pasted book,
# hostile input) the cheapest-to-judge are dropped first so the cost stays bounded.
MAX_CANDIDATES = 150

_NUM = "一二三四五六七八九十"
# Ordinal prefixes a handout drops.  一要／一是 lose only the numeral (要有……, keep 要);
# 第一，／首先，／（一）／1. go whole.
_ORDINAL = re.compile(
    rf"^(?:[{_NUM}]+是|[{_NUM}]+(?=要)|第[{_NUM}]+[，,、：:]?|(?:首先|其次|再次|最后|另外)[，,]"
    rf"|[{_NUM}]+[、，,．.]|[（(][{_NUM}0-9]+[）)]|\d+[、.．)）]\s*)"
)
_ENUM = re.compile(
    rf"^(?:[{_NUM}]+[是要]|第[{_NUM}]+[，,、：:]|(?:首先|其次|再次|最后)[，,]|[（(][{_NUM}0-9]+[）)])"
)


_ENDED = re.compile(r"[。！？!?；;…][”’」』）)]*$")
# A complete statement ends with a full stop or an exclamation; a question without its
# answer, a clause (；), an announcement (如下：) are not points.
_STATEMENT = re.compile(r"[。！!…][”’」』）)]*$")
# Opens with a word that points elsewhere (这, 其) or frames rather than claims.
_DANGLING = re.compile(
    r"^(?:这|那|其|它|此|下面|以下|如下|为此|对此|此外|另外|同时|再比如|比如|例如|如此|随着|根据"
    r"|进入|近期|近年来|当前|目前|从.{1,12}上看"
    # no subject of its own (是……, 由他们……, 目的就是……): it leans on the sentence before
    r"|是|也是|就是|由|目的)")
# Mostly a list of items (形式主义、官僚主义、享乐主义、奢靡之风。; 弄虚作假，不求实效；……)
# with no claim about them.
_CLAIMS = re.compile(r"是|要|必须|应当|应该|就|才|能|会|需要|决定|体现|证明")
# A pointer inside the sentence (上述, 这种) leans on what came before: ranked lower.
_POINTER = re.compile(r"上述|以上|这种|这些|这样")
# A personal pledge or anecdote (我要……, 我认为……), not the passage's claim.
_FIRST_PERSON = re.compile(r"(?<!自)我(?![们党国军省市县区])")


@dataclass(frozen=True)
class Candidate:
    """A sentence that may become a key point."""

    text: str           # verbatim, ordinal prefix trimmed
    index: int          # position among the section's sentences
    paragraph_start: bool
    enumerated: bool


def trim_ordinal(sentence: str) -> str:
    """Drop a leading ordinal (一是、第一，首先，（一）) and the space after it."""
    previous = None
    while previous != sentence:
        previous = sentence
        sentence = _ORDINAL.sub("", sentence, count=1).lstrip()
    return sentence


def candidates(section: Section) -> list[Candidate]:
    """Sentences that state a claim whole: 15 to 120 Han characters, ending as a statement,
    not the heading repeated, not opening with a pointer elsewhere, not a pledge.

    A short enumerated item or paragraph opener (要有“钉钉子”的精神。) is joined with the
    sentence that explains it, still verbatim: alone it is a fragment.
    """
    heading = han_only(trim_ordinal(section.title))
    out: list[Candidate] = []
    fallback: list[Candidate] = []
    index = 0
    for paragraph in study_text(section).split("\n"):
        sentences = split_sentences(paragraph)
        n = 0
        while n < len(sentences):
            sentence = sentences[n]
            text = trim_ordinal(sentence)
            if text.startswith("——"):  # a byline (——摘自……发言) glued to the first sentence
                text = text.split(maxsplit=1)[1] if len(text.split(maxsplit=1)) == 2 else ""
            index += 1
            start, enumerated = n == 0, bool(_ENUM.match(sentence))
            n += 1
            if len(sentences) == 1 and not _ENDED.search(text) and han_count(text) < 30:
                continue  # a short unpunctuated line is a sub-heading or caption
            if (han_count(text) < MIN_HAN and (enumerated or start) and n < len(sentences)
                    and not _ENUM.match(sentences[n]) and _STATEMENT.search(text)):
                joined = text + sentences[n]
                if han_count(joined) <= MAX_HAN and paragraph.find(joined) >= 0:
                    text = joined
                    n += 1
                    index += 1
            core = han_only(text)
            announces = n < len(sentences) and bool(_ENUM.match(sentences[n]))
            listing = text.count("、") >= 3 and not _CLAIMS.search(text)
            if (not MIN_HAN <= han_count(text) <= MAX_HAN or not _STATEMENT.search(text)
                    or _DANGLING.match(text) or _FIRST_PERSON.search(text)
                    or text.count("“") != text.count("”")  # a quotation cut open
                    or (heading and (core == heading or core in heading))):
                continue
            candidate = Candidate(text, index, start, enumerated)
            # An announcement of a list, a bare list, a local matter: printed only when
            # the section has nothing better (a section that is one list of items).
            (fallback if announces or listing or _local(text) else out).append(candidate)
    return out if len(out) >= MIN_POINTS else sorted(out + fallback, key=lambda c: c.index)


def _local(text: str) -> bool:
    """A sentence about one place or one kind of unit (省委的行动, 学校的安排): background
    for a branch elsewhere, not a point to take away (the question checker's rule)."""
    from handouts.content.checks import is_local

    return is_local(text)


def _vector(text: str, stats: CorpusStats) -> dict[str, float]:
    counts = Counter(t for t in cut_cached(text) if is_content(t))
    return {t: c * stats.idf(t) for t, c in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    if not dot:
        return 0.0
    norm_a = math.sqrt(sum(w * w for w in a.values()))
    return dot / (norm_a * math.sqrt(sum(w * w for w in b.values())))


def _pagerank(sim: list[list[float]]) -> list[float]:
    n = len(sim)
    if n == 0:
        return []
    out_weight = [sum(row) for row in sim]
    rank = [1.0 / n] * n
    for _ in range(60):
        new = [
            (1 - DAMPING) / n + DAMPING * sum(
                sim[j][i] / out_weight[j] * rank[j] for j in range(n) if out_weight[j] and sim[j][i]
            )
            for i in range(n)
        ]
        delta = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if delta < 1e-9:
            break
    return rank


def _shortlist(pool: list[Candidate], section: Section, stats: CorpusStats) -> list[Candidate]:
    """The candidates most like the section as a whole (and its topic sentences), in
    reading order: a linear-time cut before the quadratic ranking."""
    centre = _vector(section.text, stats)
    scored = [(_cosine(_vector(c.text, stats), centre) + 0.2 * (c.paragraph_start + c.enumerated),
               i) for i, c in enumerate(pool)]
    keep = sorted(i for _s, i in sorted(scored, key=lambda x: (-x[0], x[1]))[:MAX_CANDIDATES])
    return [pool[i] for i in keep]


def point_count(n_candidates: int) -> int:
    """How many key points a section gets: short sections fewer, never more than five."""
    if n_candidates <= MIN_POINTS:
        return n_candidates
    return max(MIN_POINTS, min(MAX_POINTS, round(n_candidates / 3)))


def key_points(section: Section, stats: CorpusStats, *,
               limit: int | None = None) -> tuple[str, ...]:
    """The section's key sentences, verbatim and in reading order."""
    pool = candidates(section)
    if not pool:
        return ()
    if len(pool) > MAX_CANDIDATES:
        pool = _shortlist(pool, section, stats)
    vectors = [_vector(c.text, stats) for c in pool]
    n = len(pool)
    sim = [[_cosine(vectors[i], vectors[j]) if i != j else 0.0 for j in range(n)] for i in range(n)]
    rank = _pagerank(sim)
    top = max(rank) or 1.0
    heading = _vector(trim_ordinal(section.title), stats)
    relevance = []
    for c, r, v in zip(pool, rank, vectors, strict=True):
        score = r / top
        score += 0.35 * c.paragraph_start + 0.45 * c.enumerated + 0.3 * _cosine(v, heading)
        length = han_count(c.text)
        if length > 90:
            score *= 90 / length
        if _POINTER.search(c.text):
            score *= 0.5
        relevance.append(score)
    k = point_count(n) if limit is None else min(limit, n)
    chosen: list[int] = []
    while len(chosen) < k:
        best, best_value = -1, -math.inf
        for i in range(n):
            if i in chosen:
                continue
            redundancy = max((sim[i][j] for j in chosen), default=0.0)
            value = MMR_LAMBDA * relevance[i] - (1 - MMR_LAMBDA) * redundancy
            if value > best_value + 1e-12:
                best, best_value = i, value
        chosen.append(best)
    return tuple(pool[i].text for i in sorted(chosen))


_NOT_KEYWORD = re.compile(rf"^第[{_NUM}0-9]+|[0-9A-Za-z]")


def is_keyword(token: str) -> bool:
    """A word that names what a passage is about: a domain word, or a dictionary word that
    is not an ordinal label (第二篇), a number, or a verb, adverb or general noun of
    ``not_keywords.txt``.  Words jieba's HMM invented (想民, 必浚 from a classical
    quotation) are left out: they are rarely words at all."""
    if token in domain_words():
        return True
    return (is_content(token) and not _NOT_KEYWORD.search(token) and token not in not_keywords()
            and get_segmenter().known(token))


def keywords(section: Section, stats: CorpusStats, *, limit: int = 8) -> tuple[str, ...]:
    """The section's most distinctive words (TF-IDF, corpus IDF, stop words removed)."""
    tokens = [t for t in stats.tokens.get(section.id, ()) if is_keyword(t)]
    tokens += [t for t in stats.title_tokens.get(section.id, ()) if is_keyword(t)] * 2
    if not tokens:
        tokens = [t for t in cut_cached(section.text) if is_keyword(t)]
    counts = Counter(tokens)
    first = {t: i for i, t in reversed(list(enumerate(tokens)))}
    ranked = sorted(counts, key=lambda t: (-(1 + math.log(counts[t])) * stats.idf(t), first[t]))
    return tuple(ranked[:limit])


def ordinal_items(section: Section) -> list[str]:
    """The items of the section's first enumeration (一是…… 二是……), their first clause."""
    groups: dict[str, list[str]] = {}
    for sentence in split_sentences(section.text):
        m = _ENUM.match(sentence)
        if not m:
            continue
        style = re.sub(rf"[{_NUM}0-9]", "N", m.group(0))
        item = re.split(r"[，,；;。！？：:]", trim_ordinal(sentence), maxsplit=1)[0].strip()
        if 2 <= han_count(item) <= 18:
            groups.setdefault(style, []).append(item)
    for items in groups.values():
        if len(items) >= 2:
            return items
    return []


def summarise(sections: Sequence[Section], stats: CorpusStats) -> dict[str, tuple[str, ...]]:
    return {s.id: key_points(s, stats) for s in sections}
