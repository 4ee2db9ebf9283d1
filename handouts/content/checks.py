"""The question checker: every candidate question is read against its passage before it
is printed.

A question is built from a piece of the passage (its object: a heading, a quoted
phrase, a term) set in a frame (如何理解……的提法, 结合本单位实际，谈谈怎样做到……,
文中批评的……).  The frame assumes something of the object: that it is to be done, that
it is a formulation, that it is a fault.  The checker reads how the passage stands
towards the object (the marker nearest before it in its clause: 防止, 克服, 常说; 树立,
要有, 做到) and rejects a question whose frame contradicts the passage, one about an
attribution, a date, a source or a person's title, one about a phrase the passage only
quotes in passing, one that names nothing of its passage, and one that repeats an
earlier question of the handout.  The rules are data (``handouts/data/question_rules.toml``);
this module only applies them.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from handouts.content.textstats import domain_words, han_only, study_text
from handouts.errors import ConfigError
from handouts.model import Section
from handouts.paths import DATA

RULES_FILE = DATA / "question_rules.toml"
QUOTED = ("slogan", "warning", "saying", "phrase")
HEADING = ("claim", "how", "action", "topic", "label")
_CLAUSE_END = re.compile(r"[，,。！？!?；;：:\n]")


@dataclass(frozen=True)
class Rules:
    """The checker's rules, read from the rules file."""

    warn_before: tuple[str, ...]
    warn_after: tuple[str, ...]
    endorse_before: tuple[str, ...]
    verbs: tuple[str, ...]
    endorsing: tuple[str, ...]
    criticising: tuple[str, ...]
    formulation: tuple[str, ...]
    never: tuple[re.Pattern[str], ...]
    titles: tuple[str, ...]
    not_formulation_tags: frozenset[str]
    interjections: tuple[str, ...]
    local_words: tuple[str, ...]
    local_tags: frozenset[str]
    not_local: frozenset[str]
    person_tags: frozenset[str]
    object_overlap: float
    contained_min: int
    contained_share: float


@functools.lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> Rules:
    """Read the rules file; a problem is one ``ConfigError`` line naming it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        stance, frames, objects = data["stance"], data["frames"], data["objects"]
        repeat = data["repeat"]
        return Rules(
            warn_before=tuple(stance["warn_before"]), warn_after=tuple(stance["warn_after"]),
            endorse_before=tuple(stance["endorse_before"]), verbs=tuple(stance["verbs"]),
            endorsing=tuple(frames["endorsing"]), criticising=tuple(frames["criticising"]),
            formulation=tuple(frames["formulation"]),
            never=tuple(re.compile(p) for p in objects["never"]),
            titles=tuple(objects["titles"]),
            not_formulation_tags=frozenset(objects["not_formulation_tags"]),
            interjections=tuple(objects["interjections"]),
            local_words=tuple(objects["local_words"]),
            local_tags=frozenset(objects["local_tags"]),
            not_local=frozenset(objects["not_local"]),
            person_tags=frozenset(objects["person_tags"]),
            object_overlap=float(repeat["object_overlap"]),
            contained_min=int(repeat["contained_min"]),
            contained_share=float(repeat["contained_share"]),
        )
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(path, f"cannot read question rules: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(path, f"not valid TOML: {err}") from None
    except (KeyError, TypeError, re.error) as err:
        raise ConfigError(path, f"bad question rules: {err}") from None


@dataclass(frozen=True)
class Candidate:
    """A question before it is printed: its text, the material it is built from and the
    stage it belongs to (closing questions have no section)."""

    text: str
    kind: str
    value: str
    stage: str
    section: Section | None = None


# --- how the passage stands towards a phrase ------------------------------------------


def stance(section: Section, phrase: str, rules: Rules | None = None) -> str:
    """"warned" when the passage warns against the phrase (or mocks it), "endorsed" when
    it puts it forward, "" when it does neither where the phrase occurs.

    A phrase that opens with its own verb (防止调查研究走过场) carries its stance: "".
    """
    rules = rules or load_rules()
    core = phrase.strip("“”‘’")
    if core.startswith(rules.verbs):
        return ""
    text = f"{section.title}\n{study_text(section)}"
    verdicts = []
    for m in re.finditer(re.escape(core), text):
        before = _CLAUSE_END.split(text[:m.start()])[-1]
        # What follows in the same clause (“四风”方面的突出问题, “门难进”等现象).
        after = _CLAUSE_END.split(text[m.end():m.end() + 10])[0]
        nearest = _nearest(before, rules)
        if nearest:
            verdicts.append(nearest)
        elif any(w in after for w in rules.warn_after):
            verdicts.append("warned")
    if "warned" in verdicts:
        return "warned"
    return "endorsed" if verdicts else ""


def _nearest(before: str, rules: Rules) -> str:
    best, verdict = -1, ""
    for marker in rules.warn_before:
        i = before.rfind(marker)
        if i >= 0 and i + len(marker) > best:
            best, verdict = i + len(marker), "warned"
    for marker in rules.endorse_before:
        i = before.rfind(marker)
        if i >= 0 and i + len(marker) > best:
            best, verdict = i + len(marker), "endorsed"
    return verdict


# --- the checks -----------------------------------------------------------------------


def near_miss(section: Section) -> str:
    """A phrase of the passage its heading misquotes by one missing character (从群众中来
    到群众去 over a body that says 从群众中来到群众中去), or "": a typo'd heading is never
    copied into a question.  A shortening that makes a word at the gap (为民 in
    全心全意为民服务) is a phrasing of its own, not a typo."""
    from handouts.segment import get_segmenter

    known = get_segmenter().known
    heading = han_only(section.title)
    body = han_only(study_text(section))
    for word in domain_words():
        if len(word) < 4 or word in heading or word not in body:
            continue
        for i in range(1, len(word) - 1):
            short = word[:i] + word[i + 1:]
            if short not in heading or short in body:
                continue
            spans = {short[a:b] for a in range(max(0, i - 3), i)
                     for b in range(i + 1, min(len(short), i + 3) + 1)}
            if not any(known(x) or x in domain_words() for x in spans if len(x) >= 2):
                return word
    return ""


def check(candidate: Candidate, earlier: Sequence[Candidate] = (),
          rules: Rules | None = None) -> tuple[str, ...]:
    """Why the question may not be printed (empty: it may)."""
    rules = rules or load_rules()
    reasons: list[str] = []
    value, kind, section = candidate.value, candidate.kind, candidate.section
    frame = candidate.text.replace(value, "")
    objects = _objects(candidate)
    if any(p.search(o) for o in objects for p in rules.never):
        reasons.append("asks about an attribution, date, source or document title")
    if kind in ("term", "phrase", "topic", "label") and any(
            value.strip("“”").startswith(t) or value.endswith(t) for t in rules.titles):
        reasons.append("asks about a person's title")
    if kind in ("term", "phrase", "label") and _person(value.strip("“”"), rules):
        reasons.append("asks about a person's name")
    if section is not None:
        text = han_only(f"{section.title}{study_text(section)}")
        if not all(han_only(o) in text for o in objects):
            reasons.append("names nothing of its passage")
        if kind in (*QUOTED, "term") and not _subject(section, value):
            reasons.append("named once in passing, not the section's subject")
        if kind in HEADING and near_miss(section):
            reasons.append(f"a misquoted heading (for {near_miss(section)})")
        if kind == "term" and "要求" in frame and not _requires(section, value, rules):
            reasons.append("asks for requirements the passage does not state")
        if kind == "term" and not _noun(value):
            reasons.append("not a noun: a verb phrase or set phrase asked about as a subject")
        if kind in ("point", "duty") and _garbled(value):
            reasons.append("holds a word no dictionary knows: a typo or a garble")
        reasons.extend(_stance_reasons(candidate, frame, rules))
    if kind not in ("theme", "goal") and is_local(value, rules):
        reasons.append("answerable by one place or one kind of unit only")
    if any(f in frame for f in rules.formulation) and not _formulation(value, rules):
        reasons.append("an idiom or interjection asked about as a formulation")
    reasons.extend(_repeats(candidate, earlier, rules))
    return tuple(reasons)


def _objects(candidate: Candidate) -> list[str]:
    if candidate.kind == "items":
        return re.findall(r"“([^”]+)”", candidate.value) or [candidate.value]
    return [candidate.value.strip("“”")]


# Next to one of these a word is an item of a list (形式主义、官僚主义、享乐主义和奢靡之风)
# or half of a pair (从群众中来、到群众中去), not a subject of its own.
_LISTED = "、和与及"


def _subject(section: Section, phrase: str) -> bool:
    """A phrase is the section's subject when its heading names it or it recurs, each
    time standing alone rather than as an item of a list."""
    core = han_only(phrase)
    if core in han_only(section.title):
        return True
    text = study_text(section)
    alone = 0
    for m in re.finditer(re.escape(phrase.strip("“”")), text):
        before = text[m.start() - 1:m.start()] if m.start() else ""
        after = text[m.end():m.end() + 1]
        if (before and before in _LISTED) or (after and after in _LISTED):
            continue
        if after and after in "，," and _pair_follows(text[m.end() + 1:m.end() + 8]):
            continue
        if _pair_follows(text[m.end():m.end() + 8]) or _pair_precedes(text[:m.start()]):
            continue  # 从群众中来到群众中去: half of a pair written without a comma
        alone += 1
    return alone >= 2


def _pair_follows(rest: str) -> bool:
    """Whether a domain phrase opens the text right after a comma (从群众中来，到群众中去)."""
    return any(rest.startswith(w) for w in domain_words() if len(w) >= 4)


_DUTY = re.compile(r"(?<![重主需只想纲])要(?![求素点])|必须|应当|应该")


def _requires(section: Section, term: str, rules: Rules) -> bool:
    """Whether the passage says what to do about the term: a sentence that says 要/必须/
    应当 or opens with a verb of action (加强学风建设……), naming the term, or anywhere in
    a passage whose heading names it (its whole body is about it)."""
    from handouts.content.textstats import split_sentences

    whole = han_only(term) in han_only(section.title)
    for sentence in split_sentences(study_text(section)):
        if (whole or term in sentence) and (_DUTY.search(sentence)
                                            or sentence.startswith(rules.verbs)):
            return True
    return False


def _pair_precedes(before: str) -> bool:
    return any(before.rstrip("，,").endswith(w) for w in domain_words() if len(w) >= 4)


def _garbled(value: str) -> bool:
    """Whether a phrase holds a word no dictionary knows (遵重 for 尊重): a typo or a
    garble, never copied into a question."""
    from handouts.segment import get_segmenter

    segmenter = get_segmenter()
    for token in segmenter.cut(han_only(value)):
        if (len(token) == 2 and not segmenter.known(token) and token not in domain_words()
                and not any(token in w for w in domain_words())):
            return True
    return False


def _stance_reasons(candidate: Candidate, frame: str, rules: Rules) -> list[str]:
    assert candidate.section is not None
    if candidate.kind not in (*QUOTED, "label", "action", "items"):
        return []
    reasons = []
    for obj in _objects(candidate):
        view = stance(candidate.section, obj, rules)
        if not view and candidate.kind == "warning":
            view = "warned"  # a quoted list of faults (门难进、脸难看、事难办)
        if view == "warned" and any(f in frame for f in rules.endorsing):
            reasons.append(f"asks how to do or hold up what the passage warns against ({obj})")
        if view == "endorsed" and any(f in frame for f in rules.criticising):
            reasons.append(f"calls criticised what the passage puts forward ({obj})")
        if view != "warned" and candidate.kind == "warning" and any(
                f in frame for f in rules.criticising):
            reasons.append(f"calls criticised what the passage does not criticise ({obj})")
    return reasons


def _noun(word: str) -> bool:
    """Whether a word names a thing (政绩观, 长效机制): asked what the passage demands of
    a verb or set phrase (虚心听取, 放下架子), a question reads as nothing.  The last
    word decides when the whole has no tag (a compound's head comes last)."""
    from handouts.segment import get_segmenter

    segmenter = get_segmenter()
    tag = segmenter.tag(word) or next(
        (segmenter.tag(t) for t in reversed(segmenter.cut(word)) if segmenter.tag(t)), "")
    return tag.startswith(("n", "vn", "j"))


def _person(value: str, rules: Rules) -> bool:
    """Whether a word is a person's name (习近平, 焦裕禄): the dictionary tags it so, and
    it is a name's length (邓小平理论, tagged nr too, is a body of thought)."""
    from handouts.segment import get_segmenter

    return 2 <= len(value) <= 4 and get_segmenter().tag(value) in rules.person_tags


def is_local(value: str, rules: Rules | None = None) -> bool:
    """Whether a phrase is about one place or one kind of unit (学校, 省委, place names)."""
    from handouts.segment import get_segmenter

    rules = rules or load_rules()
    segmenter = get_segmenter()
    if any(w in value for w in rules.local_words):
        return True
    return any(len(t) >= 2 and t not in rules.not_local and segmenter.tag(t) in rules.local_tags
               for t in segmenter.cut(han_only(value)))


def _formulation(value: str, rules: Rules) -> bool:
    from handouts.segment import get_segmenter

    core = value.strip("“”")
    if any(i in core for i in rules.interjections):
        return False
    return get_segmenter().tag(core) not in rules.not_formulation_tags


def _bigrams(text: str) -> set[str]:
    core = han_only(text)
    return {core[i:i + 2] for i in range(len(core) - 1)}


def _repeats(candidate: Candidate, earlier: Sequence[Candidate], rules: Rules) -> list[str]:
    """Two questions ask the same when their objects are alike and their frames do the
    same thing (both ask to understand, both to apply, both to reflect, or a closing
    question next to a section's)."""
    mine = han_only(candidate.value)
    for other in earlier:
        if _stage_class(other.stage) != _stage_class(candidate.stage):
            continue
        theirs = han_only(other.value)
        a, b = _bigrams(mine), _bigrams(theirs)
        overlap = len(a & b) / len(a | b) if a and b else 0.0
        short, long = sorted((len(mine), len(theirs)))
        if overlap >= rules.object_overlap or (
                short >= rules.contained_min and short >= rules.contained_share * long
                and (mine in theirs or theirs in mine)):
            return [f"repeats an earlier question ({other.text})"]
    return []


def _stage_class(stage: str) -> str:
    """A closing question that applies or reflects does what a section question of the
    same kind does (谈谈下一步如何打通…“最后一公里” next to 谈谈怎样做好…“最后一公里”
    问题 repeats it); one that asks what the whole study taught is of its own kind."""
    return {"closing:application": "application",
            "closing:reflection": "reflection"}.get(stage, stage)
