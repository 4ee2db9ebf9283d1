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

import functools
import math
import re
import tomllib
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
from handouts.paths import DATA
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
    rf"^(?:[{_NUM}]+是|[{_NUM}]+(?=要)|第[{_NUM}]+(?:[，,、：:]|(?![条个次把种项点位件步招]))|(?:首先|其次|再次|最后|另外)[，,]"
    rf"|[{_NUM}]+[、，,．.]|[（(][{_NUM}0-9]+[）)]|\d+[、.．)）]\s*"
    # 二 调查就是解决问题: an essay's chapter numeral set off by a space alone.
    rf"|[{_NUM}]{{1,3}}[ \u3000]+(?=\S))"
)
_ENUM = re.compile(
    rf"^(?:[{_NUM}]+[是要]|第[{_NUM}]+[，,、：:]|(?:首先|其次|再次|最后)[，,]|[（(][{_NUM}0-9]+[）)])"
)


_ENDED = re.compile(r"[。！？!?；;…][”’」』）)]*$")
# A complete statement ends with a full stop or an exclamation, or with the quotation it
# announces (总要求是：“照镜子、正衣冠、洗洗澡、治治病” at a paragraph's end, its 。
# lost); a question without its answer, a clause (；), an announcement (如下：) are not.
_STATEMENT = re.compile(r"[。！!…][”’」』）)]*$|[：:]“[^“”]+”$")
# A personal pledge or anecdote (我要……, 我认为……), not the passage's claim.
_FIRST_PERSON = re.compile(r"(?<!自)我(?![们党国军省市县区])")
_CLAUSE = re.compile(r"[，,；;：:]")
# An ordinal inside a sentence: the sentence is a run of list items (……；（二）……；（三）……).
_INNER_ORDINAL = re.compile(rf"[；;，,][（(][{_NUM}0-9]+[）)]")
# A label and its list (奢靡之风：铺张浪费、挥霍无度……).
_LABEL_LIST = re.compile(r"^[^，。；：:]{2,8}[：:](?!“)[^，。；]*、")
# An aside in brackets, and a phrase quoted inside a sentence (“发展要上、法治要让”,
# “用坚决战斗精神……”): their 要 and 是 are not the sentence's own claim.  A quotation
# after a colon (指出：“……”) is the statement itself.
_ASIDE = re.compile(r"[（(][^）)]*[）)]|(?<![：:])“[^“”]{1,24}”")
_QUOTED = re.compile(r"“[^“”]*”")
RULES_FILE = DATA / "keypoint_rules.toml"
# A point longer than this is judged a paragraph more often than a point: kept only when
# the passage has no better (the hard bound is MAX_HAN).
LONG_HAN = 90
LONG_CLAUSES = 10
# The length a reader takes in at a glance; beyond it a point ranks lower.
PREFERRED_HAN = 70
RUN_ON = 6
# A pointer after its own noun (……发生严重贪污行为这一事实) points inside the clause.
_APPOSITION = re.compile(r"(?<=[\u4e00-\u9fff]{4})这一(?:事实|现象|情况|问题|点|方针|原则|要求|目标"
                         r"|任务|思想|观点|规律|传统|做法)")
# Mostly Latin letters (a command, a file format, a foreign text): not a Chinese point.
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Rules:
    """The key-point rules of ``data/keypoint_rules.toml``, compiled."""

    dangling: tuple[re.Pattern[str], ...]
    address: tuple[re.Pattern[str], ...]
    connectives: re.Pattern[str]
    directive: re.Pattern[str]
    normative: tuple[re.Pattern[str], ...]
    assertive: tuple[re.Pattern[str], ...]
    weak: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    pointer: re.Pattern[str]
    pronoun: re.Pattern[str]
    announces: re.Pattern[str]
    local: re.Pattern[str]
    person: re.Pattern[str]
    told: re.Pattern[str]


@functools.lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The rules file, read once: data an organiser may extend (a new connective, a
    narrative marker of their texts) without touching the ranking."""
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))

    def compiled(patterns: Sequence[str]) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in patterns)

    never, weak = data["never"], data["weak"]
    return Rules(
        dangling=compiled(never["dangling"]),
        address=compiled(never["address"]),
        connectives=re.compile(data["trim"]["connectives"]),
        directive=re.compile(data["claim"]["directive"]),
        normative=compiled(data["claim"]["normative"]),
        assertive=compiled(data["claim"]["assertive"]),
        weak=tuple((kind, compiled(weak[kind]))
                   for kind in ("narrative", "story", "figures", "phenomenon", "reported", "item")),
        pointer=re.compile(weak["pointer"]),
        pronoun=re.compile(weak["pronoun"]),
        announces=re.compile(weak["announces"]),
        local=re.compile(weak["local"]),
        person=re.compile(weak["person"]),
        told=re.compile(weak["told"]),
    )


@dataclass(frozen=True)
class Candidate:
    """A sentence that may become a key point, with what keeps it from being a good one
    (``flaws`` empty: a complete claim the passage puts forward)."""

    text: str           # verbatim, ordinal prefix and conclusive connective trimmed
    index: int          # position among the section's sentences
    paragraph_start: bool
    enumerated: bool
    paragraph: int = 0
    claim: int = 0      # normative and assertive markers found (capped)
    flaws: tuple[str, ...] = ()


def trim_ordinal(sentence: str) -> str:
    """Drop a leading ordinal (一是、第一，首先，（一）) and the space after it."""
    previous = None
    while previous != sentence:
        previous = sentence
        sentence = _ORDINAL.sub("", sentence, count=1).lstrip()
    return sentence


def _trim(sentence: str, rules: Rules) -> str:
    """The sentence as a point prints it: no ordinal, no byline glued in front, no
    conclusive connective (因此，总之，) tying it to the sentence before."""
    text = trim_ordinal(sentence)
    if text.startswith("——"):  # a byline (——摘自……发言) glued to the first sentence
        parts = text.split(maxsplit=1)
        text = parts[1] if len(parts) == 2 else ""
    previous = None
    while previous != text:
        previous = text
        text = trim_ordinal(rules.connectives.sub("", text, count=1))
    return text


def _normative(text: str, rules: Rules) -> bool:
    """Whether a sentence says what must (not) be done, asides and quoted phrases aside."""
    bare = _ASIDE.sub("", text)
    return any(p.search(bare) for p in rules.normative) or bool(rules.directive.search(bare))


def claim_strength(text: str, rules: Rules | None = None) -> int:
    """How many kinds of claim marker a sentence carries: 要/必须 (what must be done),
    是/在于/只有……才 (what holds).  Capped: a run of 要 is no stronger a claim."""
    rules = rules or load_rules()
    text = _ASIDE.sub("", text)  # （其中有些是公路……）: an aside claims nothing
    normative = sum(1 for p in rules.normative if p.search(text))
    normative += bool(rules.directive.search(text))
    assertive = sum(1 for p in rules.assertive if p.search(text))
    return min(normative, 2) + min(assertive, 2)


def never_a_point(text: str, heading: str, rules: Rules | None = None) -> bool:
    """A sentence no handout prints as a point: out of the 15–120 window, not a statement,
    leaning on the sentence before, a pledge, a quotation cut open, words to the reader,
    the heading repeated."""
    rules = rules or load_rules()
    core = han_only(text)
    return (not MIN_HAN <= han_count(text) <= MAX_HAN or not _STATEMENT.search(text)
            or len(_LATIN.findall(text)) * 3 > han_count(text)
            or any(p.search(text) for p in rules.dangling)
            or any(p.search(text) for p in rules.address)
            or bool(_FIRST_PERSON.search(text))
            or text.count("“") != text.count("”")
            or bool(heading and (core == heading or core in heading)))


def flaws(text: str, rules: Rules | None = None, *, announces: bool = False) -> tuple[str, ...]:
    """Why a complete sentence would be a weak key point (JUDGING.md): a list, a story,
    background, the criticised practice told as it is, another's words, a pointer to what
    is not printed, a slogan, an announcement, one unit's affairs, too long."""
    rules = rules or load_rules()
    out = []
    claim = claim_strength(text, rules)
    normative = _normative(text, rules)
    if not claim:
        out.append("no claim")  # a description, a scene, an item: no 要, no 是, no 才
    clauses = [c for c in _CLAUSE.split(text) if han_count(c)]
    if (han_count(text) > LONG_HAN or len(clauses) > LONG_CLAUSES):
        out.append("long")
    if ((text.count("、") >= 3 and not claim) or _INNER_ORDINAL.search(text)
            or _LABEL_LIST.search(text)
            or (len(clauses) >= 4 and han_count(text) / len(clauses) <= 4.5)
            or (len(clauses) >= 6 and han_count(text) / len(clauses) <= 5)):
        out.append("list")
    for kind, patterns in rules.weak:
        if kind in ("narrative", "figures") and normative:
            continue  # ……完成了土地改革，要肯定这个伟大的成绩: still a claim
        if any(p.search(text) for p in patterns):
            out.append(kind)
    if (not normative and claim <= 1 and "narrative" not in out
            and rules.told.search(_ASIDE.sub("", text))):
        out.append("narrative")
    # The first clause, and the second after an interjection or a short time or topic
    # (哎呀，这种说法……; 在革命年代，我党利用这一法宝……).
    lead = [c for c in _CLAUSE.split(_QUOTED.sub("“”", text)) if han_count(c)]
    lead = lead[:2] if lead and han_count(lead[0]) <= 5 else lead[:1]
    if (any(rules.pointer.search(_APPOSITION.sub("", c)) for c in lead)
            or any(rules.pronoun.search(c) for c in lead[:1 + _short(lead)])):
        out.append("pointer")
    if re.search(r"[！!][”’」』）)]*$", text) and not claim:
        out.append("slogan")
    if announces or (rules.announces.search(text) and not normative):
        out.append("announces")
    if rules.local.search(text):
        out.append("local")
    if not normative and _introduces_person(text, rules):
        out.append("person")
    return tuple(dict.fromkeys(out))


def _short(clauses: Sequence[str]) -> bool:
    """Whether the first clause is only a time word or an interjection (今年，他强调……):
    a pronoun in the second clause then still opens the sentence."""
    return bool(clauses) and han_count(clauses[0]) <= 3


def _introduces_person(text: str, rules: Rules) -> bool:
    segmenter = get_segmenter()
    words = cut_cached(text)
    if not words or segmenter.tag(words[0]) != "nr":
        return False
    return bool(rules.person.match(text[len(words[0]):]))


def sentences_of(section: Section) -> list[Candidate]:
    """Every sentence that could be printed as a point, with its flaws: complete, 15 to
    120 Han characters, not leaning on the sentence before, not the heading.

    A short enumerated item or paragraph opener that is itself a claim (要有“钉钉子”的
    精神。) is joined with the sentence that explains it, still verbatim: alone it is a
    fragment.  A label (接接地气，充充电。) or a claim followed by a figure is not joined.
    """
    rules = load_rules()
    heading = han_only(trim_ordinal(section.title))
    out: list[Candidate] = []
    index = 0
    paragraphs = study_text(section).split("\n")
    for p_index, paragraph in enumerate(paragraphs):
        sentences = split_sentences(paragraph)
        # The paragraph after, when it opens with an enumeration, is the list this
        # paragraph's last sentence announces.
        following = split_sentences(paragraphs[p_index + 1])[:1] if p_index + 1 < len(
            paragraphs) else []
        n = 0
        while n < len(sentences):
            sentence = sentences[n]
            text = _trim(sentence, rules)
            index += 1
            start, enumerated = n == 0, bool(_ENUM.match(sentence))
            n += 1
            if len(sentences) == 1 and not _ENDED.search(text) and han_count(text) < 30:
                continue  # a short unpunctuated line is a sub-heading or caption
            if (han_count(text) < MIN_HAN and (enumerated or start) and n < len(sentences)
                    and not _ENUM.match(sentences[n]) and _STATEMENT.search(text)
                    and claim_strength(text, rules)):
                after = sentences[n]
                joined = text + after
                if (han_count(joined) <= MAX_HAN and paragraph.find(joined) >= 0
                        and not any(p.search(after) for p in rules.dangling)
                        and not flaws(after, rules)):
                    text = joined
                    n += 1
                    index += 1
            if never_a_point(text, heading, rules):
                continue
            nxt = sentences[n:n + 1] or following
            announces = bool(nxt) and bool(_ENUM.match(nxt[0])) and (
                bool(rules.announces.search(text)) or han_count(text) <= 30)
            out.append(Candidate(text, index, start, enumerated, p_index,
                                 claim_strength(text, rules),
                                 flaws(text, rules, announces=announces)))
    return out


def candidates(section: Section) -> list[Candidate]:
    """The section's good candidates: sentences that state one of its claims whole
    (15 to 120 Han characters, no flaw).  Key points are chosen among these only; a
    passage with fewer good sentences gets fewer points, not weak ones."""
    return [c for c in sentences_of(section) if not c.flaws]


def _fallback(section: Section) -> list[Candidate]:
    """When a passage has no good candidate, its directives that are only too long: a
    section with a claim sentence never prints without a point, and one with none
    (a story, a list, one school's arrangements) prints none rather than a weak one."""
    rules = load_rules()
    return [c for c in sentences_of(section) if c.flaws == ("long",) and _normative(c.text, rules)]


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


@functools.lru_cache(maxsize=8192)
def _bigrams(text: str) -> frozenset[str]:
    core = han_only(text)
    return frozenset(core[i:i + 2] for i in range(len(core) - 1))


def overlap(a: str, b: str) -> float:
    """Share of the shorter sentence's character bigrams found in the other: two wordings
    of one claim (群众路线是……的重要任务 / ……是……的一项重要任务) overlap most of the way,
    whatever the segmenter makes of them."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


# Two points sharing this much of the shorter one's wording say one thing twice.
REDUNDANT = 0.6
# A second point from a paragraph that already gave one ranks this much lower: a
# passage's sub-points are mostly in distinct paragraphs.
SAME_PARAGRAPH = 0.3
# Beyond the first two, a point ranking below this share of the best is not printed: a
# weak sentence does not fill a slot.
FLOOR = 0.4


def repeats(text: str, printed: Sequence[str]) -> bool:
    """Whether a sentence says again what one of ``printed`` says."""
    return any(overlap(text, p) >= REDUNDANT for p in printed)


def key_points(section: Section, stats: CorpusStats, *, limit: int | None = None,
               avoid: Sequence[str] = ()) -> tuple[str, ...]:
    """The section's key sentences, verbatim and in reading order; none that repeats a
    point of ``avoid`` (printed earlier in the same handout)."""
    pool = [c for c in candidates(section) if not repeats(c.text, avoid)]
    if not pool:
        pool = [c for c in _fallback(section) if not repeats(c.text, avoid)]
        limit = 1 if limit is None else min(limit, 1)
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
    rules = load_rules()
    relevance = []
    for c, r, v in zip(pool, rank, vectors, strict=True):
        score = r / top
        score += 0.35 * c.paragraph_start + 0.45 * c.enumerated + 0.3 * _cosine(v, heading)
        score += 0.15 * c.claim
        length = han_count(c.text)
        if length > PREFERRED_HAN:
            score *= PREFERRED_HAN / length
        clauses = len([x for x in _CLAUSE.split(c.text) if han_count(x)])
        if clauses > RUN_ON:  # a run of clauses buries its point
            score *= RUN_ON / clauses
        if rules.pointer.search(c.text):
            score *= 0.8
        relevance.append(score)
    k = point_count(n) if limit is None else min(limit, n)
    floor = FLOOR * max(relevance)
    paragraphs = len({c.paragraph for c in pool})
    chosen: list[int] = []
    while len(chosen) < k:
        best, best_value = -1, -math.inf
        for i in range(n):
            if i in chosen or (len(chosen) >= MIN_POINTS and relevance[i] < floor):
                continue
            if repeats(pool[i].text, [pool[j].text for j in chosen]):
                continue
            redundancy = max((sim[i][j] for j in chosen), default=0.0)
            value = MMR_LAMBDA * relevance[i] - (1 - MMR_LAMBDA) * redundancy
            if paragraphs > 1 and any(pool[j].paragraph == pool[i].paragraph for j in chosen):
                value -= SAME_PARAGRAPH
            if value > best_value + 1e-12:
                best, best_value = i, value
        if best < 0:
            break
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
