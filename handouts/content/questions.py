"""Discussion questions built from a section's own material.

An organiser's questions start from what the passage says: the claim of its heading,
the slogans and sayings it quotes, the items it enumerates, its key terms.  Questions
move from understanding (如何理解……) to application (结合本单位实际，谈谈……) to
reflection (对照……，查找差距……).  The wording lives in ``templates/questions.toml`` so
organisers can change it; this module only finds the material and fills the patterns,
never using one piece of material twice in a handout so no two questions repeat.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from handouts import paths
from handouts.content.checks import Candidate, check
from handouts.content.keypoints import ordinal_items, trim_ordinal
from handouts.content.textstats import (
    domain_words,
    han_count,
    han_only,
    is_attribution,
    not_keywords,
    study_text,
)
from handouts.errors import ConfigError
from handouts.model import Section
from handouts.segment import get_segmenter

QUESTIONS_FILE = "questions.toml"
STAGES = ("understanding", "application", "reflection")
KINDS = ("claim", "how", "action", "topic", "label", "slogan", "warning", "saying", "phrase",
         "items", "point", "duty", "term", "theme", "goal")
QUOTES = ("slogan", "warning", "saying", "phrase")
_FORBIDDEN = ("吗", "是否")


@dataclass(frozen=True)
class Patterns:
    """The question wording, by stage."""

    understanding: tuple[str, ...]
    application: tuple[str, ...]
    reflection: tuple[str, ...]
    closing: tuple[str, ...]
    avoid: frozenset[str] = frozenset()

    def stage(self, name: str) -> tuple[str, ...]:
        return getattr(self, name)


def _placeholders(pattern: str) -> list[str]:
    return [name for _lit, name, _spec, _conv in string.Formatter().parse(pattern) if name]


@functools.lru_cache(maxsize=4)
def load_patterns(path: Path | None = None) -> Patterns:
    """Read and check the patterns file (one ``ConfigError`` line per problem)."""
    path = path or paths.TEMPLATES / QUESTIONS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(path, f"cannot read questions patterns: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(path, f"not valid TOML: {err}") from None
    stages: dict[str, tuple[str, ...]] = {}
    for name in (*STAGES, "closing"):
        table = data.get(name)
        items = table.get("patterns") if isinstance(table, dict) else None
        if not isinstance(items, list) or not items or not all(isinstance(p, str) for p in items):
            raise ConfigError(path, f"key {name}.patterns: expected a non-empty list of strings")
        for i, pattern in enumerate(items):
            where = f"key {name}.patterns[{i}]"
            try:
                names = _placeholders(pattern)
            except ValueError as err:
                raise ConfigError(path, f"{where}: {err}") from None
            if len(names) != 1 or names[0] not in KINDS:
                kinds = ", ".join(KINDS)
                raise ConfigError(path, f"{where}: needs exactly one placeholder of {kinds}")
            if not pattern.endswith("？") or any(w in pattern for w in _FORBIDDEN):
                problem = "a question ends with ？ and is open (no 吗, 是否)"
                raise ConfigError(path, f"{where}: {problem}")
        stages[name] = tuple(items)
    avoid = data.get("terms", {}).get("avoid", []) if isinstance(data.get("terms"), dict) else None
    if not isinstance(avoid, list) or not all(isinstance(t, str) for t in avoid):
        raise ConfigError(path, "key terms.avoid: expected a list of strings")
    return Patterns(**stages, avoid=frozenset(avoid))


# --- material ------------------------------------------------------------------------

_QUOTE = re.compile(r"“([^“”\n]{1,40})”")
_HOW = re.compile(r"如何|怎样|怎么|什么|哪些")
_CLAIM = re.compile(r"就是|(?<![但于还或])是(?!否)|(?<![重主需只])要(?![求素点])|必须")
_ACTION = re.compile(
    r"^(?:解决|做好|建设|加强|坚持|推进|提高|深入|认真|严格|扎实|积极|建立|发挥|强化|践行|以|走好"
    r"|打通|密切|俯下身子|倾听|树立|发扬|维护|改进|反对|落实|增强|转变|保持|开展|接受|虚心|全心全意)"
)
_SKIP_HEADING = re.compile(r"心得|体会|简报|授课|内容$|意思|[吗？?]|自身|自己|本人|我的")
# A quoted list naming faults (门难进、脸难看、事难办) is asked about, never "done".
_NEGATIVE = re.compile(r"难|不|没|无|慢|冷|懒|散|假|虚|浮")
# Quoted names of activities or documents are labels, not sayings to discuss.
_LABEL = re.compile(r"(?:活动|论坛|行动|工程|计划|方法|工作法|摘编|选编|读本)$")
_LABEL_AFTER = re.compile(r"^(?:活动|论坛|行动|工程|计划)")
# An enumeration worth asking how to carry out names actions, not observations.
_ITEM_HEAD = re.compile(
    r"^(?:要|有|做到|[^\s]{0,2}(?:强化|加强|坚持|提高|建立|发挥|树立|增强|改进|转变|保持|深入|认真"
    r"|严格|扎实|积极|解决|做好|落实|推进|完善|健全))"
)
_SEPARATORS = re.compile(r"[、，,；;]")


def worth_asking(phrase: str) -> bool:
    """Whether a short quoted phrase carries an idea to discuss.

    Scraped study texts put scare quotes round single words (“硬件”, “马甲”, “考验”,
    “不虚”): asking what they mean starts no discussion.  A domain word (“四风”,
    “最后一公里”) or a phrase of several words (“四进社区”, “群众利益无小事”) does.
    """
    if phrase in domain_words():
        return True
    return han_count(phrase) >= 4 and len(get_segmenter().cut(phrase)) >= 2


def subject_terms(section: Section, terms: Sequence[str], avoid: frozenset[str] = frozenset(),
                  *, heading_asked: bool = False) -> list[str]:
    """The terms a section is really about, most central first.

    A theme term matched once in passing (学生党员 in a passage on 建言献策) is not
    the subject: a term must be in the heading or recur in the text.  Terms of the
    heading come first, unless the heading's own claim is already asked about (then
    they would only repeat it).  Verbs and general words are never a subject.
    """
    heading = trim_ordinal(section.title)
    scored = []
    for i, t in enumerate(dict.fromkeys(terms)):
        if han_count(t) < 2 or t in avoid or (t in not_keywords() and t not in domain_words()):
            continue
        in_heading = t in heading
        count = study_text(section).count(t)
        if in_heading and heading_asked:
            continue
        if not in_heading and count < 2:
            continue
        scored.append((not in_heading, -count, i, t))
    return [t for *_k, t in sorted(scored)]


def _nest(text: str) -> str:
    """Quotes inside a quoted phrase become single quotes, as Chinese nests them."""
    return text.replace("“", "‘").replace("”", "’")


# A heading that opens with how to read (浅谈……, 认清……, 深刻理解……) is asked as its object.
_HEADING_VERB = re.compile(
    r"^(?:浅谈|试论|论|认清|(?:更)?(?:深刻|深入|充分|正确)?(?:理解|认识|了解)了?)")


_PART_TITLE = re.compile(r"^第[一二三四五六七八九十0-9]+[篇章部分]")


def heading_claim(title: str) -> str:
    """The heading without ordinals, bylines and labels, or "" if it says nothing usable."""
    if is_attribution(title):
        return ""
    h = trim_ordinal(title.strip())
    h = re.sub(r"^第[一二三四五六七八九十]+篇\s*[:：]?\s*", "", h)
    h = re.split(r"\s+", h.strip())[0] if h.strip() else ""
    h = re.sub(r"^.{1,6}?(?:——|[:：])", "", h)
    h = _HEADING_VERB.sub("", h)
    h = h.strip("。.，,；;：: ")
    h = h.replace(",", "，")
    if not 4 <= han_count(h) <= 32 or _SKIP_HEADING.search(h):
        return ""
    return h


@dataclass(frozen=True)
class Material:
    """What a section offers to ask about, best first within each kind."""

    values: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, kind: str) -> tuple[str, ...]:
        return self.values.get(kind, ())


# A key point asked about must stand alone: not opened by a connective or a pronoun
# that points elsewhere, not a personal pledge, not a question.
_DEPENDENT = re.compile(
    r"^(?:但是?|然而|因此|所以|因为|由于|而且|并且|同时|另外|此外|这|那|其|它|为此|对此|总之|可见|当前|目前"
    r"|比如|例如|如果|只有|正所谓|也就是|就是|也是|是|即|则|而|又|并)")
# A duty's 要 is a modal before what must be done: not a word's part (重要, 需要, 要求),
# not the 所要 of a noun phrase (调查所要得到的结论), not a verb closing its clause
# (有斗争经验的青年人也要: "want").
_DUTY = re.compile(r"(?<![重主需只想纲所])要(?![求素点]|[，,。；;！!？?、）)]|$)|必须|应当|应该")
# A clause conceded before 但是 (……是要消灭的，但是现在要……) is not what the sentence
# asks: the demand follows the turn.
_TURN = re.compile(r"^(?:但是?|可是|然而|却)")
_IS = re.compile(r"就是|(?<![但于还或])是(?!否)")


def point_material(points: Sequence[str]) -> tuple[list[str], list[str]]:
    """The key points that can be asked about whole: claims (……是……) and duties
    (……要……), 8 to 30 Han characters, standing alone."""
    claims: list[str] = []
    duties: list[str] = []
    for point in points:
        text = point.strip().rstrip("。！；;!")
        # Who said it (总书记强调，……) is attribution, not the claim.
        text = re.sub(r"^[^，。；“”]{1,12}(?:强调|指出|认为|要求|提出)[，：:]", "", text)
        if _standalone(text, 45):
            if _DUTY.search(text):
                duties.append(_nest(text))
            elif _IS.search(text) and han_count(text) <= 32:  # a longer "why" is a paragraph
                claims.append(_nest(text))
    # A point too long to ask whole may hold a duty of its own in one clause (……是党的
    # 根本宗旨，各级党员干部要把群众的切身利益放在心上，……): asked after the whole ones.
    for point in points:
        clauses = re.split(r"[，；;]", point.strip().rstrip("。！；;!"))
        if len(clauses) < 2 or _standalone(point.strip().rstrip("。！；;!"), 45):
            continue
        for clause, after in zip(clauses, [*clauses[1:], ""], strict=True):
            clause = clause.strip()
            if (_standalone(clause, 30) and _DUTY.search(clause) and _subject(clause)
                    and not _TURN.match(after.strip()) and _nest(clause) not in duties):
                duties.append(_nest(clause))
    return claims, duties


# Material that quotes a sentence whole.
_WHOLE = frozenset({"claim", "point", "duty", "saying"})
# A third person (他、她、它，他们) points back to someone named before (我们都要给他送
# 葬): cut out of its sentence it names nobody.  其他 and 他人 are no pronouns.
_PRONOUN = re.compile(r"(?<!其)[他她它](?![人国乡])")


def _standalone(text: str, most: int) -> bool:
    """Askable whole: 8 to ``most`` Han characters, one sentence that does not lean on
    the one before (这, a third person), speak for the writer or hold a list or an aside."""
    n = han_count(text)
    return not (not 8 <= n <= most or re.search(r"[。！？；;]", text)
                or text.endswith(("？", "?")) or bool(_DEPENDENT.match(text))
                or "这" in text or bool(_PRONOUN.search(text))
                or "我" in text.replace("我们", "").replace("我党", "").replace("我国", "")
                or text.count("，") > 3 or bool(re.search(r"[：:（(]", text)))


def _subject(clause: str) -> bool:
    """A clause that names who must act before its 要 (各级党员干部要……), not a bare
    continuation (要……, 让……): cut from a longer sentence it still reads whole."""
    found = _DUTY.search(clause)
    return found is not None and han_count(clause[:found.start()]) >= 2


def material(section: Section, terms: Sequence[str],
             avoid: frozenset[str] = frozenset(), points: Sequence[str] = ()) -> Material:
    values: dict[str, list[str]] = {k: [] for k in KINDS}
    values["point"], values["duty"] = point_material(points)
    h = heading_claim(section.title)
    if not h and not is_attribution(section.title):
        # A heading too long to ask whole may hold claims clause by clause (我们党的历史
        # 就是……的历史，实行群众路线是党从胜利走向胜利的法宝).
        for clause in re.split(r"[，；]", trim_ordinal(section.title.strip())):
            clause = clause.strip("。 ")
            if 8 <= han_count(clause) <= 32 and _IS.search(clause) and not _DEPENDENT.match(clause):
                values["claim"].append(clause)
    if h:
        if _HOW.search(h):
            values["how"].append(h)
        elif _CLAIM.search(h):
            values["claim"].append(h)
        elif _ACTION.match(h):
            values["action"].append(h)
        elif "的" in h and "、" not in h and han_count(h) >= 6:
            values["topic"].append(h if "，" not in h else f"“{_nest(h)}”")
        elif (han_count(h) <= 16 and not _PART_TITLE.match(section.title.strip())
              and "、" not in h):  # 功能齐全、方便快捷的服务平台 describes, it is no task
            # a bare label (学风引领): ask how to act on it; a part's title in a
            # compilation (第四篇：党群众路线教育实践) names a document, not a task
            values["label"].append(_nest(h))
    counts: dict[str, int] = {}
    source = f"{section.title}\n{study_text(section)}"
    for m in _QUOTE.finditer(source):
        q = m.group(1).strip()
        if _LABEL_AFTER.match(source[m.end():m.end() + 2]):
            continue  # “我为学校发展建言献策”活动: the name of an activity
        listed = (source[m.end():m.end() + 2] == "、“"
                  or source[max(0, m.start() - 2):m.start()] == "”、")
        if listed and han_count(q) <= 7 and not _SEPARATORS.search(q):
            continue  # “非原则化”、“非大而化之”: one example of a list, not an idea alone
        counts[q] = counts.get(q, 0) + 1
    for q in sorted(counts, key=lambda q: -counts[q]):  # stable: ties keep first occurrence
        n = han_count(q)
        parts = [p for p in _SEPARATORS.split(q) if p]
        if n < 2 or n * 2 < len(q):  # mostly digits or Latin: not a phrase to discuss
            continue
        if len(parts) >= 2 and all(han_count(p) <= 6 for p in parts) and 4 <= n <= 24:
            values["warning" if _NEGATIVE.search(q) else "slogan"].append(q)
        elif _LABEL.search(q):
            continue
        elif 8 <= n <= 24 and not re.search(r"[。！？]", q):
            values["saying"].append(q)
        elif 2 <= n <= 7 and len(parts) == 1 and worth_asking(q):
            values["phrase"].append(q)
    items = [i for i in ordinal_items(section) if _ITEM_HEAD.match(i)]
    if len(items) >= 2:
        chosen = items[:3]
        if sum(han_count(i) for i in chosen) > 42:
            chosen = items[:2]
        values["items"].append("".join(f"“{_nest(i)}”" for i in chosen))
    # A heading asked about for understanding (为什么说……, 如何理解……) already names
    # its terms; one asked about for application (谈谈怎样……) leaves them to understand.
    asked = bool(values["claim"] or values["topic"])
    values["term"] = subject_terms(section, terms, avoid, heading_asked=asked)
    return Material({k: tuple(v) for k, v in values.items() if v})


# --- assembly ------------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    core = han_only(text)
    return {core[i:i + 2] for i in range(len(core) - 1)}


@dataclass
class QuestionWriter:
    """Writes the questions of one handout, remembering what it has used so far.

    Mutable on purpose and short-lived: one writer per outline, never shared.
    """

    patterns: Patterns
    used_material: set[tuple[str, str]] = field(default_factory=set)
    written: list[str] = field(default_factory=list)
    pattern_uses: dict[str, int] = field(default_factory=dict)
    accepted: list[Candidate] = field(default_factory=list)
    rejected: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    """(section id or "closing", question, reasons) of every question the checker refused."""
    current: Section | None = None

    def snapshot(self) -> dict[str, object]:
        """A copy of what the writer remembers, so a cached outline can bring it back."""
        import copy

        return copy.deepcopy({k: getattr(self, k) for k in (
            "used_material", "written", "pattern_uses", "accepted", "rejected")})

    def restore(self, state: dict[str, object]) -> None:
        """Take back a snapshot (the state after a cached outline was written)."""
        import copy

        for key, value in copy.deepcopy(state).items():
            setattr(self, key, value)
        self.current = None

    def _passes(self, candidate: Candidate) -> bool:
        """Run the checker; a refused question is remembered with its reasons."""
        reasons = check(candidate, self.accepted)
        if reasons:
            where = candidate.section.id if candidate.section else "closing"
            if (where, candidate.text, reasons) not in self.rejected:
                self.rejected.append((where, candidate.text, reasons))
            return False
        self.accepted.append(candidate)
        return True

    def _alike(self, question: str) -> bool:
        grams = _bigrams(question)
        for other in self.written:
            theirs = _bigrams(other)
            if grams and theirs and len(grams & theirs) / len(grams | theirs) >= 0.7:
                return True
        return False

    def _variants(self, stage: str) -> list[tuple[str, list[str]]]:
        """The stage's kinds in pattern order, each with its wordings least used first
        (ties in file order): several wordings of one kind take turns in a handout."""
        kinds: dict[str, list[str]] = {}
        for pattern in self.patterns.stage(stage):
            kinds.setdefault(_placeholders(pattern)[0], []).append(pattern)
        return [(kind, sorted(ps, key=lambda p: self.pattern_uses.get(p, 0)))
                for kind, ps in kinds.items()]

    def _try(self, stage: str, mat: Material, *, reuse: bool = False) -> str | None:
        """The first question of the stage the material allows and the checker passes.

        Material is used once per handout; with ``reuse`` (a section that would otherwise
        have fewer than two questions) once per stage, so its subject, asked about for
        understanding in an earlier section, may still be applied or reflected on here.
        A sentence quoted whole (a claim, a duty, a saying) is never asked twice: 如何理解
        “……”的要求？ beside 对照“……”的要求，查找差距？ is one question (JUDGING.md: weak).
        """
        for kind, variants in self._variants(stage):
            for value, pattern in ((v, p) for v in mat.get(kind) for p in variants):
                key = ("quote" if kind in QUOTES else kind, value)
                if (stage, *key) in self.used_material or (
                        key in self.used_material and kind != "term"
                        and (not reuse or kind in _WHOLE)):
                    continue
                question = pattern.format(**{kind: value})
                if (question in self.written or self._alike(question)
                        or any(w in question for w in _FORBIDDEN)):
                    continue
                if not self._passes(Candidate(question, kind, value, stage, self.current)):
                    continue
                self.used_material.add((stage, *key))
                self.used_material.add(key)
                self.pattern_uses[pattern] = self.pattern_uses.get(pattern, 0) + 1
                self.written.append(question)
                return question
        return None

    def section(self, section: Section, terms: Sequence[str], count: int,
                fallback: Sequence[str] = (), *,
                keywords: Sequence[str] = (), points: Sequence[str] = ()) -> tuple[str, ...]:
        """Up to ``count`` questions for one section, understanding first, reflection last.

        ``terms`` are the key terms to ask about; ``fallback`` (its specific keywords and
        matched terms) and ``keywords`` (all of them) are used only if the section's other
        material runs out before two questions are written.
        """
        if count <= 0:
            return ()
        self.current = section
        everything = material(section, terms, self.patterns.avoid, points)
        # A key term alone makes a bland question (如何理解文中关于领导干部的论述？): its
        # terms are asked about only to give a section its second question.
        mat = Material({k: v for k, v in everything.values.items() if k != "term"})
        plan = {1: ["understanding"], 2: ["understanding", "application"],
                3: list(STAGES), 4: ["understanding", "understanding", "application", "reflection"]}
        stages = plan.get(count, plan[4] + ["application"] * (count - 4))
        got: list[tuple[int, str]] = []
        for stage in stages:
            q = self._try(stage, mat)
            if q:
                got.append((STAGES.index(stage), q))
        for stage in ("understanding", "reflection"):  # nothing to apply: fill the gap
            while len(got) < count:
                q = self._try(stage, mat)
                if not q:
                    break
                got.append((STAGES.index(stage), q))
        # Its keywords, those it is really about first, then any, so a section has a
        # second question.
        # The domain words it repeats (群众路线, 教育实践活动) come before any keyword.
        present = sorted(w for w in domain_words() if w in study_text(section))
        central = tuple(subject_terms(section, [*fallback, *present], self.patterns.avoid))
        # Then the plain words its heading names and its text repeats (学风 in 学风引领),
        # then any specific keyword.
        plain = tuple(t for t in keywords if t not in self.patterns.avoid
                      and t in section.title and study_text(section).count(t) >= 2)
        anyhow = tuple(t for t in fallback if t not in self.patterns.avoid
                       and (han_count(t) >= 3 or t in domain_words()))
        for stage in STAGES:
            q = self._try(stage, mat, reuse=True) if len(got) < min(count, 2) else None
            if q:
                got.append((STAGES.index(stage), q))
        # Only a term its heading names is its subject: 文中是怎样论述学风的？ under 学风引领
        # asks what the passage says of its subject, 如何理解文中关于领导干部的论述？
        # under 总书记的嘱托 asks nothing in particular.
        heading = han_only(trim_ordinal(section.title))
        for spare in (everything.get("term"), central, plain, anyhow):
            spare = Material({"term": tuple(t for t in spare if han_only(t) in heading)})
            for stage in ("understanding", "reflection"):
                q = self._try(stage, spare) if len(got) < min(count, 2) else None
                if q:
                    got.append((STAGES.index(stage), q))
        got.sort(key=lambda x: x[0])
        if len(got) > 1 and got[0][0] != 0:
            # Nothing left to understand here (asked about earlier in the handout): one
            # question to apply it is enough, or the handout would restate its own.
            for _s, dropped in got[1:]:
                self.written.remove(dropped)
                self.accepted = [c for c in self.accepted if c.text != dropped]
            got = got[:1]
        return tuple(q for _s, q in got)

    def closing(self, theme_name: str, goal: str, count: int = 3) -> tuple[str, ...]:
        """Questions on the whole handout: what was learnt, what to do next, what is missing."""
        mat = Material({"theme": (_nest(theme_name),),
                        "goal": (goal or f"落实“{_nest(theme_name)}”的要求",)})
        out = []
        for pattern in self.patterns.closing:
            if len(out) == count:
                break
            kind = _placeholders(pattern)[0]
            for value in mat.get(kind):
                if ("closing", pattern, value) in self.used_material:
                    continue
                question = pattern.format(**{kind: value})
                if question in self.written or self._alike(question):
                    continue
                stage = "closing:" + _closing_stage(pattern)
                if not self._passes(Candidate(question, kind, value, stage)):
                    continue
                self.used_material.add(("closing", pattern, value))
                self.written.append(question)
                out.append(question)
                break
        return tuple(out)


def _closing_stage(pattern: str) -> str:
    """What a closing question does, read from its wording, so it is compared with the
    section questions that do the same."""
    if pattern.startswith("结合"):
        return "application"
    if re.search(r"对照|差距|不足|做法", pattern):
        return "reflection"
    return "understanding"


def questions_for(section_han: int) -> int:
    """The default number of questions: longer passages give more to discuss."""
    if section_han < 300:
        return 2
    if section_han < 1500:
        return 3
    return 4
