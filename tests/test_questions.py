"""Discussion questions: the rules an organiser's questions follow, over every theme."""

from __future__ import annotations

import re

import pytest

from handouts import paths
from handouts.content.outline import build_outline
from handouts.content.questions import (
    QuestionWriter,
    heading_claim,
    load_patterns,
    material,
    subject_terms,
)
from handouts.content.textstats import domain_words, han_only, not_keywords
from handouts.errors import ConfigError
from handouts.model import Section

APPLICATION = re.compile(r"^结合")
REFLECTION = re.compile(r"^对照|^反思")
QUOTED = re.compile(r"[“‘]([^“”‘’]+)[”’]")


def _stage(question: str) -> int:
    if REFLECTION.search(question):
        return 2
    if APPLICATION.search(question) and "结合文中" not in question:
        return 1
    return 0


def _tied(question: str, section, anchors: set[str]) -> bool:
    """The question names a key term of the section or quotes it."""
    source = han_only(section.title + section.text)
    if any(a in question for a in anchors):
        return True
    return any(han_only(q) and han_only(q) in source for q in QUOTED.findall(question))


def _bigrams(text: str) -> set[str]:
    core = han_only(text)
    return {core[i:i + 2] for i in range(len(core) - 1)}


@pytest.fixture(scope="module")
def outlines(seed_corpus):
    return [build_outline(seed_corpus.documents, seed_corpus.themes, t) for t in seed_corpus.themes]


def test_every_theme_outline_follows_the_question_rules(outlines):
    # The checker refuses repeats and bland term questions (issue 10), so a section whose
    # material was asked about earlier in its handout may have fewer than two questions,
    # even none; over all handouts there is still at least one question per section on
    # average, and at most one section in five goes without.
    short = total = asked = 0
    for outline in outlines:
        everything: list[str] = []
        asked += sum(len(s.questions) for s in outline.sections)
        for section in outline.sections:
            questions = list(section.questions)
            assert len(questions) <= 4, (outline.theme.id, section.id)
            total += 1
            short += not questions
            if not questions:
                continue
            stages = [_stage(q) for q in questions]
            assert stages == sorted(stages), questions  # understanding -> application -> reflection
            assert stages[0] == 0 or len(questions) < 2, questions
            anchors = {a for a in (*section.matched, *section.keywords) if len(a) >= 2}
            # Domain words of its heading or repeated in it are key terms too.
            anchors |= {w for w in domain_words()
                        if w in section.title or section.text.count(w) >= 2}
            claim = heading_claim(section.title)
            if claim:
                anchors.add(claim.replace("“", "‘").replace("”", "’"))
                anchors.add(claim)
            for q in questions:
                assert _tied(q, section, anchors), q
            everything += questions
        assert 2 <= len(outline.questions) <= 3, outline.theme.id
        everything += outline.questions
        for q in everything:
            assert q.endswith("？") and q.count("？") == 1, q  # one question, one idea
            assert "吗" not in q and "是否" not in q, q  # open, not yes/no
            assert not re.search(r"[,;:?!()]", q), q  # full-width punctuation
            assert q.count("“") == q.count("”"), q
        assert len(set(everything)) == len(everything), outline.theme.id
        for i, a in enumerate(everything):
            for b in everything[i + 1:]:
                ga, gb = _bigrams(a), _bigrams(b)
                assert len(ga & gb) / len(ga | gb) < 0.7, (a, b)
    assert short <= total / 5, (short, total)
    assert asked >= total, (asked, total)


def test_questions_use_the_sections_own_material():
    section = Section("x/1", "三、践行群众路线要全心全意为民服务", 1,
                      "要时刻把群众装在心里，“想民之所想、急民之所急”。一要有“钉钉子”的精神。"
                      "二要有“敢啃硬骨头”的魄力。想民之所想、急民之所急，才能赢得群众。")
    writer = QuestionWriter(load_patterns())
    questions = writer.section(section, ["为民服务"], 3)
    assert questions[0] == "为什么说践行群众路线要全心全意为民服务？"
    assert any("“要有‘钉钉子’的精神”" in q for q in questions)
    assert any("想民之所想、急民之所急" in q for q in questions)


def test_material_sorts_heading_quotes_and_enumerations():
    section = Section("x/1", "4.秦川：干部到群众中去该干些什么", 1,
                      "到群众中去，照镜子、正衣冠。要贯彻“照镜子、正衣冠、洗洗澡、治治病”的总要求。"
                      "“门难进、脸难看、事难办”时有发生。“群众利益无小事”。")
    mat = material(section, ["到群众中去", "心得", "正衣冠"], frozenset({"心得"}))
    assert mat.get("how") == ("干部到群众中去该干些什么",)
    assert mat.get("slogan") == ("照镜子、正衣冠、洗洗澡、治治病",)
    assert mat.get("warning") == ("门难进、脸难看、事难办",)
    assert mat.get("phrase") == ("群众利益无小事",)
    # The heading's term first; 正衣冠 recurs in the text; 心得 is too general.
    assert mat.get("term") == ("到群众中去", "正衣冠")
    claim = Section("x/2", "践行群众路线要到群众中去", 1, section.text)
    # A heading asked about as a claim already names its terms.
    assert material(claim, ["到群众中去", "正衣冠"]).get("term") == ("正衣冠",)


# Single words the first version asked about because the text put them in quotes.
_TRIVIAL_QUOTES = ("硬件", "马甲", "考验", "不虚", "三下乡", "镜子", "钥匙", "有血有肉")


def test_a_quoted_single_word_is_never_the_subject_of_a_question():
    section = Section("x/1", "标题", 1,
                      "“硬件”要硬，“软件”也要硬。不能穿上“马甲”就变样，这是“考验”。"
                      "作风要“不虚”，要解决“最后一公里”问题，做到“群众利益无小事”。")
    mat = material(section, [])
    assert mat.get("phrase") == ("最后一公里", "群众利益无小事")
    questions = QuestionWriter(load_patterns()).section(section, [], 3)
    assert not [q for q in questions for w in _TRIVIAL_QUOTES if f"“{w}”" in q]


def test_no_theme_outline_asks_about_a_trivial_quoted_word(outlines):
    asked = [q for o in outlines for s in o.sections for q in s.questions
             for w in _TRIVIAL_QUOTES if f"“{w}”" in q]
    assert not asked


def test_quoted_examples_of_a_list_are_not_asked_about_alone():
    section = Section("x/1", "标题", 1, "这些“非原则化”、“非大而化之”的具体规定很重要。")
    assert material(section, []).get("phrase") == ()


def test_a_term_mentioned_in_passing_is_not_the_subject():
    section = Section("x/1", "（三）积极组织建言献策，促进学校科学发展", 1,
                      "组织学生党员开展调研。围绕学校发展建言献策，汇总建言献策意见。")
    assert subject_terms(section, ["学生党员", "建言献策", "调研"]) == ["建言献策"]
    assert subject_terms(section, ["学生党员", "建言献策"], heading_asked=True) == []


def test_questions_never_ask_about_a_verb_or_general_word(outlines):
    for o in outlines:
        for s in o.sections:
            for q in s.questions:
                m = re.search(r"文中关于(.+?)的论述", q)
                assert not m or m.group(1) not in not_keywords(), q


@pytest.mark.parametrize(("title", "claim"), [
    ("第二篇：深刻理解群众路线是我们党的生命线和根本工作路线",
     "群众路线是我们党的生命线和根本工作路线"),
    ("田局——群众路线是我们党的生命线", "群众路线是我们党的生命线"),
    ("第五篇：党群众路线学习心得", ""),
    ("5034", ""),
    ("一、认清“四风”问题对服务群众最后一公里带来的危害",
     "“四风”问题对服务群众最后一公里带来的危害"),
])
def test_heading_claims_drop_labels_and_bylines(title, claim):
    assert heading_claim(title) == claim


def test_no_two_questions_of_a_handout_repeat_material():
    writer = QuestionWriter(load_patterns())
    section = Section("x/1", "标题", 1, "要解决好“最后一公里”问题。“最后一公里”很关键。")
    first = writer.section(section, ["最后一公里"], 3)
    second = writer.section(section, ["最后一公里"], 3)
    assert not set(first) & set(second)


def test_a_broken_patterns_file_is_one_line(tmp_path):
    text = (paths.TEMPLATES / "questions.toml").read_text(encoding="utf-8")
    broken = tmp_path / "questions.toml"
    broken.write_text(text.replace("为什么说{claim}？", "{claim}是否正确？"), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_patterns(broken)
    assert str(err.value).startswith(str(broken)) and "understanding.patterns[0]" in str(err.value)
    broken.write_text(text.replace("为什么说{claim}？", "为什么说{nothing}？"), encoding="utf-8")
    with pytest.raises(ConfigError):
        load_patterns(broken)


def test_wordings_of_one_kind_take_turns_in_a_handout():
    writer = QuestionWriter(load_patterns())
    first = Section("x/1", "群众路线", 1, "坚持群众路线。群众路线是生命线。")
    second = Section("x/2", "四风", 1, "反对四风。四风问题要整改。")
    a = writer.section(first, ["群众路线"], 2)
    b = writer.section(second, ["四风"], 2)
    assert a[0].replace("群众路线", "X") != b[0].replace("四风", "X"), (a, b)


def test_a_section_short_of_material_is_asked_about_the_word_its_heading_repeats():
    section = Section("x/1", "一是学风引领", 1,
                      "结对帮扶，提高学习成绩。加强学风建设，践行优良学风，营造良好学风。")
    questions = QuestionWriter(load_patterns()).section(
        section, ["学习"], 2, fallback=("学习成绩", "学习"), keywords=("学风", "学习成绩"))
    assert len(questions) == 2
    assert any("学风" in q and "学风引领" not in q for q in questions), questions
    assert not any("学习成绩" in q for q in questions), questions


def test_a_long_key_point_lends_a_duty_from_the_clause_that_names_who_must_act() -> None:
    from handouts.content.questions import point_material

    long_point = ("全心全意为人民服务是党的根本宗旨，各级党员干部要把群众的切身利益放在心上，"
                  "多为群众办实事、解难题，坚决纠正损害群众利益的行为，让群众有实实在在的获得感。")
    claims, duties = point_material([long_point])
    assert duties == ["各级党员干部要把群众的切身利益放在心上"]
    assert claims == []
    # A clause without its own subject (要……, 让……) does not read whole when cut out.
    _, bare = point_material(["发展是第一要务，要把群众的冷暖放在心上，一刻也不能放松，"
                              "坚持不懈抓落实，久久为功见成效。"])
    assert bare == []


def test_a_clause_that_points_back_to_someone_is_not_asked_alone() -> None:
    """为人民服务: ……只要他是做过一些有益的工作的，我们都要给他送葬，开追悼会。  Cut out,
    我们都要给他送葬 names nobody."""
    from handouts.content.questions import point_material

    _, duties = point_material(["今后我们的队伍里，不管死了谁，不管是炊事员，是战士，只要他是"
                                "做过一些有益的工作的，我们都要给他送葬，开追悼会。"])
    assert duties == []
    # 其他 and 他人 are no pronouns.
    _, others = point_material(["各级党员干部要尊重他人的意见，团结其他同志一道工作。"])
    assert others == ["各级党员干部要尊重他人的意见，团结其他同志一道工作"]


def test_a_clause_conceded_before_but_is_not_taken_as_the_demand() -> None:
    """不要四面出击 (1950): 民族资产阶级将来是要消灭的，但是现在要把他们团结在我们身边。
    对照“民族资产阶级将来是要消灭的”的要求 set a branch against the half of the sentence
    the speaker turns away from."""
    from handouts.content.questions import point_material

    _, duties = point_material(["民族资产阶级将来是要消灭的，但是现在要把他们团结在我们身边，"
                                "不要把他们推开。"])
    assert not any("消灭" in d for d in duties), duties
    # Asked whole, the sentence keeps its turn, and is a demand.
    _, whole = point_material(["马克思主义的“本本”是要学习的，但是必须同我国的实际情况相结合。"])
    assert whole == ["马克思主义的‘本本’是要学习的，但是必须同我国的实际情况相结合"]


def test_a_want_or_a_noun_phrase_is_no_duty() -> None:
    """反对本本主义: 有斗争经验的青年人也要 (whom to invite: "want"), and 我们调查所要得到的
    结论，是…… (what the conclusion is) were asked as 要求."""
    from handouts.content.questions import point_material

    _, wanted = point_material(["以年龄说，老年人最好，有斗争经验的青年人也要，"
                                "因为他们有进步的思想，有锐利的观察。"])
    assert wanted == []
    claims, duties = point_material(["我们调查所要得到的结论，"
                                     "是各阶级现在的以及历史的盛衰荣辱的情况。"])
    assert duties == [] and len(claims) == 1


def test_a_sentence_that_gives_its_own_reason_is_not_asked_why() -> None:
    """为什么说“因为我们是为人民服务的，所以……”？ asks the reason the sentence states."""
    from handouts.content.questions import point_material

    claims, duties = point_material(["因为我们是为人民服务的，所以，我们如果有缺点，"
                                     "就不怕别人批评指出。"])
    assert claims == duties == []


def test_a_sentence_quoted_whole_is_asked_about_once_in_a_section() -> None:
    """如何理解“……”的要求？ beside 对照“……”的要求，查找差距？ asks one thing twice."""
    section = Section("x/1", "标题", 1,
                      "我们一定要纠正脱离实际情况的本本主义。这是一个长期的任务，不可以放松。")
    questions = QuestionWriter(load_patterns()).section(
        section, [], 2, points=["我们一定要纠正脱离实际情况的本本主义。"])
    quoting = [q for q in questions if "纠正脱离实际情况的本本主义" in q]
    assert len(quoting) == 1, questions
