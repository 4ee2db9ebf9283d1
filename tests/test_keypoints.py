"""Key points and keywords: extractive, ordered, no fragments, close to a careful reader's."""

from __future__ import annotations

import pytest
from gold import keypoint_gold
from rouge_chinese import Rouge

from handouts.content.keypoints import (
    candidates,
    flaws,
    key_points,
    keywords,
    ordinal_items,
    trim_ordinal,
)
from handouts.content.textstats import han_count, han_only, split_sentences, stats_for, stopwords
from handouts.model import Section


@pytest.fixture(scope="module")
def sections(seed_corpus):
    return {s.id: s for d in seed_corpus.documents for s in d.sections}


@pytest.fixture(scope="module")
def gold_corpus_all(tmp_path_factory):
    from handouts.content import measure

    return measure.gold_corpus(tmp_path_factory.mktemp("all") / "corpus")


@pytest.fixture(scope="module")
def stats(seed_corpus):
    return stats_for(seed_corpus.documents)


def _chars(sentences) -> str:
    return " ".join(han_only("".join(sentences)))


def test_key_points_agree_with_the_gold_set(seed_corpus, sections, stats):
    """ROUGE-1 F on characters, averaged over the gold sections, at least 0.5 (the issue's
    bar); ROUGE-L at least 0.45 so the points also come in the reader's order and wording
    (measured 0.68 and 0.61 when written)."""
    gold = keypoint_gold(seed_corpus.documents)
    assert len(gold) >= 12
    rouge = Rouge()
    r1, rl = [], []
    for section_id, reference in gold.items():
        got = key_points(sections[section_id], stats)
        if not got:  # a passage with no claim a reader elsewhere takes away: nothing shared
            r1.append(0.0)
            rl.append(0.0)
            continue
        score = rouge.get_scores(_chars(got), _chars(reference))[0]
        r1.append(score["rouge-1"]["f"])
        rl.append(score["rouge-l"]["f"])
    assert sum(r1) / len(r1) >= 0.5, f"ROUGE-1 F {sum(r1) / len(r1):.3f}"
    assert sum(rl) / len(rl) >= 0.45, f"ROUGE-L F {sum(rl) / len(rl):.3f}"


def test_key_points_are_verbatim_ordered_and_never_fragments(sections, stats):
    for section in sections.values():
        points = key_points(section, stats)
        if han_count(section.text) >= 200:
            # Two at least, when the section has two sentences of 15 to 120 Han
            # characters that state a claim (issue 10's bounds for a key point).
            assert min(2, len(candidates(section))) <= len(points) <= 5, section.id
        assert len(points) <= 5
        positions = [section.text.find(p) for p in points]
        assert all(p >= 0 for p in positions), section.id  # verbatim
        assert positions == sorted(positions), section.id  # reading order
        for point in points:
            assert 15 <= han_count(point) <= 120, point
            assert han_only(point) != han_only(trim_ordinal(section.title))
            assert trim_ordinal(point) == point  # ordinal prefixes trimmed


# Fifteen distinct claims: a long section (fifteen wordings of one claim are one point).
_CLAIMS = (
    "群众路线是党的生命线和根本工作路线", "领导干部要带头深入基层调查研究",
    "作风建设必须锲而不舍、驰而不息", "干部要把群众满意作为检验工作的标准",
    "基层党组织是党联系群众的桥梁和纽带", "调查研究要坚持问题导向并拿出实招",
    "党员要自觉接受群众监督并改进作风", "为人民服务是共产党人的根本宗旨",
    "解决群众的急难愁盼问题是工作的落脚点", "各级党委要把责任落实到每个支部",
    "形式主义和官僚主义是群众最痛恨的作风", "学习理论必须同本地实际情况相结合",
    "密切联系群众是党的最大政治优势", "干部下基层不能走马观花、浅尝辄止",
    "考核干部要听取基层群众的真实评价",
)


def test_short_sections_get_fewer_points(stats):
    body = "。".join(_CLAIMS) + "。"
    long = Section("x/1", "标题", 1, body)
    short = Section("x/2", "标题", 1,
                    "群众路线是党的生命线和根本工作路线。党员干部要时刻密切联系群众、虚心向群众学习。")
    assert len(key_points(short, stats)) <= len(key_points(long, stats))
    assert len(key_points(short, stats)) == 2


def test_ordinal_prefixes_are_trimmed_but_the_verb_kept():
    assert trim_ordinal("一是强化宗旨意识。") == "强化宗旨意识。"
    assert trim_ordinal("一要有“钉钉子”的精神。") == "要有“钉钉子”的精神。"
    assert trim_ordinal("第一，认真排查问题。") == "认真排查问题。"
    assert trim_ordinal("首先，领导干部要带头学习。") == "领导干部要带头学习。"
    assert trim_ordinal("（二）深入开展实践调研") == "深入开展实践调研"
    assert trim_ordinal("一切为了群众") == "一切为了群众"


def test_the_heading_is_never_a_key_point():
    section = Section("x/1", "一、践行群众路线要虚心听取群众意见", 1,
                      "践行群众路线要虚心听取群众意见。\n群众的眼睛是雪亮的，他们最有发言权。")
    assert all("虚心听取群众意见" not in c.text for c in candidates(section))


def test_sentences_split_verbatim_keeping_closing_quotes():
    text = "他说：“群众利益无小事。”我们要记住。\n第二段？是的！"
    parts = split_sentences(text)
    assert parts == ["他说：“群众利益无小事。”", "我们要记住。", "第二段？", "是的！"]
    assert "".join(parts) == text.replace("\n", "")


def test_enumerations_are_found():
    section = Section("x/1", "t", 1, "要强化三个意识。一是强化宗旨意识。每个干部要牢记。"
                      "二是强化责任意识，权力意味着责任。三是强化大局意识。")
    assert ordinal_items(section) == ["强化宗旨意识", "强化责任意识", "强化大局意识"]


def test_keywords_are_distinctive_and_not_stop_words(sections, stats):
    for section in sections.values():
        words = keywords(section, stats)
        if han_count(section.text) >= 150:
            assert 5 <= len(words) <= 8, section.id
        assert not set(words) & stopwords()
        assert len(set(words)) == len(words)
    four = next(s for s in sections.values() if "认清“四风”问题" in s.title)
    assert "四风" in keywords(four, stats)


def test_sub_headings_and_bylines_are_not_key_points(stats):
    section = Section("x/1", "第五篇：学习心得", 1,
                      "学习党的群众路线教育的几点心得体会\n"
                      "——摘自某同志的发言 群众路线是我们党的生命线和根本工作路线。\n"
                      "通过学习活动，加强了理论水平，提高了实践能力。")
    points = key_points(section, stats)
    assert "学习党的群众路线教育的几点心得体会" not in points
    assert points[0] == "群众路线是我们党的生命线和根本工作路线。"


def test_a_huge_section_is_shortlisted_before_ranking(seed_corpus, stats):
    """Thousands of sentences (a pasted book) are cut to a bounded shortlist in reading
    order before the quadratic TextRank, and still yield verbatim key points."""
    from handouts.content.keypoints import MAX_CANDIDATES, _shortlist

    body = "\n".join(s.text for d in seed_corpus.documents for s in d.sections) * 3
    section = Section("x/1", "大文", 1, body)
    pool = candidates(section)
    assert len(pool) > MAX_CANDIDATES
    short = _shortlist(pool, section, stats)
    assert len(short) == MAX_CANDIDATES
    assert [c.index for c in short] == sorted(c.index for c in short)
    points = key_points(section, stats)
    assert 2 <= len(points) <= 5 and all(p in body for p in points)


# Words the first version showed as keywords: verbs, adverbs, numerals and general nouns
# that say nothing about what a passage is about.
_NOT_KEYWORDS = ("认清", "危害", "一名", "停留", "透过", "地步", "摘自", "身体", "最多", "感受",
                 "这是", "永远", "危及", "浅谈")


def test_keywords_are_never_verbs_adverbs_or_general_words(sections, stats):
    shown = {w for s in sections.values() for w in keywords(s, stats)}
    assert not shown & set(_NOT_KEYWORDS)


def test_keywords_are_dictionary_or_domain_words(sections, stats):
    """Fragments jieba's HMM glues from a classical quotation (想民, 必浚) are not words."""
    shown = {w for s in sections.values() for w in keywords(s, stats)}
    assert not shown & {"想民", "必浚", "急民", "求木", "欲流"}
    assert "末梢堵塞" in shown  # a domain word, though no general dictionary has it


# --- Issue 10: key points state claims -------------------------------------------------

def _points(text: str, stats, title: str = "标题") -> tuple[str, ...]:
    return key_points(Section("x/1", title, 1, text), stats)


def test_transitions_announcements_and_fragments_are_never_points(stats):
    text = ("下面主要围绕大学生党员如何实施群众路线，发挥先进性进行阐述。\n"
            "主要心得体会有如下几个方面：\n"
            "使我党在任何考验和危险面前永远立于不败之地。\n"
            "但是，群众工作的方法还需要在实践中不断地改进和完善。\n"
            "代表们，同志们，朋友们！\n"
            "关于西北战场的作战，参看本卷《关于西北战场的作战方针》一文。\n"
            "参考：https://blog.csdn.net/article/details/53437000对于彩色图像需要采集多种颜色。\n"
            "领导干部要<b>带头</b>深入基层，倾听群众的意见和呼声。\n"
            "群众路线是我们党的生命线和根本工作路线，必须始终坚持。")
    assert _points(text, stats) == ("群众路线是我们党的生命线和根本工作路线，必须始终坚持。",)


@pytest.mark.parametrize(("sentence", "flaw"), [
    ("党在全国范围取得执政地位以后，取得了社会主义改造的胜利和建设的伟大成就。", "narrative"),
    ("去年，党中央处理了祁连山自然保护区生态环境问题，一批党政干部受到处分。", "narrative"),
    ("一些干部遇到难题就推脱，常说“问题总出现在能力之外”，把工作不力归咎于客观条件。",
     "phenomenon"),
    ("现实当中，有的领导干部通过听汇报、翻简报了解情况，靠文件、靠会议抓落实。", "phenomenon"),
    ("红军中显然有一部分同志是安于现状，不求甚解，空洞乐观，提倡所谓的无产阶级精神。",
     "phenomenon"),
    ("胡风又说：“绝大多数读者都在某种组织生活中，那里空气是强迫人的。”", "reported"),
    ("蒋介石采取这些步骤的结果，如本文所说，在政治上完全是自取灭亡。", "pointer"),
    ("我们的斗争策略就是对这许多阶级阶层的策略。", "pointer"),
    ("弄虚作假，不求实效；好大喜功，欺上瞒下；脱离实际，照搬照套。", "list"),
    ("奢靡之风：铺张浪费、挥霍无度、大兴土木、节庆泛滥、生活奢华、骄奢淫逸等。", "list"),
    ("一切行动听指挥；（二）不拿群众一针一线；（三）一切缴获要归公。", "list"),
    ("全国少数民族大约有三千万人，分布在全国各地的广大地区。", "no claim"),
    ("在七年内，将省、地、县、区、乡的各种必要的道路按规格修好（其中有些是公路）。", "no claim"),
    ("纪念伟大的革命先行者孙中山先生在中国民主革命中的丰功伟绩！", "slogan"),
    ("要求3至5名学生党员组成引领团队，结对帮扶学习困难同学，帮助同学提高学习成绩。", "local"),
    ("张思德同志就是我们这个队伍中的一个同志，他是为人民利益而死的。", "person"),
    ("乐东的第一把“钥匙”就是：下基层，“四级联动”机制齐发力。", "item"),
    ("第三步，输入命令选择磁盘，这是磁盘编号，按下回车键，就会显示所选磁盘。", "item"),
    ("党的建设现状对党员干部密切联系群众提出了新课题。", "announces"),
    ("有个老头子名叫智叟的看了发笑，说是你们要挖掉这样两座大山是完全不可能的。", "story"),
    ("现在中国正在开着两个大会，一个是国民党的代表大会，一个是共产党的代表大会。", "narrative"),
    ("代表们对三个报告发表了很好的意见，会议开得很成功。", "narrative"),
])
def test_weak_kinds_of_sentence_are_named(sentence, flaw):
    assert flaw in flaws(sentence)


@pytest.mark.parametrize("sentence", [
    "群众路线是我党保持先进性的根本经验。",
    "领导干部要自觉接受群众监督，畅通群众反映问题的渠道，认真倾听群众呼声。",
    "党的历史反复证明，什么时候背离了群众路线，脱离了群众，党的工作就遭受挫折。",
    "“从群众中来，到群众中去”这是我们党做群众工作的方法。",
    "我们这个队伍完全是为着解放人民的，是彻底地为人民的利益工作的。",
    "毛泽东同志指出：“人民，只有人民才是创造历史的真正动力。”",
    "你对于某个问题没有调查，就停止你对于某个问题的发言权。",
    "不严格要求自己，一点点放纵自己，最终也会毁了自己。",
    "必须严重地注意干部被资产阶级腐蚀发生严重贪污行为这一事实，注意发现、揭露和惩处。",
    "为人民利益而死，就比泰山还重；替法西斯卖力，替剥削人民和压迫人民的人去死，就比鸿毛还轻。",
    "农业农村工作，说一千、道一万，增加农民收入是关键。",
    "深入了解群众需求，进一步强化服务中心的综合服务功能，不断提高服务效率和服务水平。",
])
def test_claims_have_no_flaw(sentence):
    assert flaws(sentence) == ()


def test_a_conclusive_connective_is_trimmed_and_the_rest_kept_verbatim(stats):
    text = ("群众工作千头万绪。\n"
            "因此，开展教育实践活动要始终坚持问题导向，切实解决群众反映强烈的突出问题。")
    points = _points(text, stats)
    assert points == ("开展教育实践活动要始终坚持问题导向，切实解决群众反映强烈的突出问题。",)
    assert all(p in text for p in points)


def test_two_wordings_of_one_claim_give_one_point(stats):
    text = ("群众路线是提高党的建设科学化水平的重要任务。\n"
            "坚持群众路线，是提高党的建设科学化水平的一项重要任务。\n"
            "领导干部要带头深入基层，倾听群众呼声，解决群众的实际困难。")
    points = _points(text, stats)
    assert sum("科学化水平" in p for p in points) == 1
    assert any("深入基层" in p for p in points)


def test_points_cover_distinct_paragraphs(stats):
    first = ("群众路线是党的生命线和根本工作路线。领导干部要把群众路线贯穿到工作的各个环节。"
             "各级党组织要把群众路线落实到决策和执行的全过程。")
    second = "调查研究是谋事之基、成事之道，没有调查就没有发言权。"
    points = _points(f"{first}\n{second}", stats)
    assert len(points) == 2 and points[1] == second


def test_a_passage_with_few_good_sentences_prints_fewer_not_weak_ones(stats):
    text = ("一九五三年十月，中共中央召开了第三次农业互助合作会议。\n"
            "一些地方的调查研究存在走过场的问题，看的是精心准备的“盆景”。\n"
            "代表们对三个报告发表了很好的意见，会议开得很成功。\n"
            "调查研究要坚持问题导向，拿出解决问题的实招硬招。")
    assert _points(text, stats) == ("调查研究要坚持问题导向，拿出解决问题的实招硬招。",)


def test_a_passage_whose_only_claim_is_long_still_gets_it(stats):
    long = ("要加强党建创新和基层党组织建设，尤其要配优配强党组织书记，要加强基层便民办事大厅建设，"
            "让便民利民设施真正为民服务，要从体制机制上着手，建立长效机制，严防“最后一公里”现象"
            "改头换面，披上“马甲”以新面目出现。")
    assert han_count(long) > 90
    story = "一九五三年十月，中共中央召开了第三次农业互助合作会议。\n"
    assert _points(story + long, stats) == (long,)


def test_every_section_of_every_corpus_prints_claims_only(gold_corpus_all):
    """Over the seeds, the issue-10 texts and the real-text benchmark: each point is a
    good candidate (or the one long directive of a passage with none), verbatim, 15 to
    120 Han characters; a section with a good candidate never prints without a point."""
    stats = stats_for(gold_corpus_all.documents)
    checked = 0
    for document in gold_corpus_all.documents:
        for section in document.sections:
            points = key_points(section, stats)
            good = {c.text for c in candidates(section)}
            if good:
                assert points and set(points) <= good, section.id
            else:
                assert len(points) <= 1, section.id
            for point in points:
                assert point in section.text and 15 <= han_count(point) <= 120
                assert set(flaws(point)) <= {"long"}, (section.id, point)
            checked += bool(points)
    assert checked >= 100


def test_no_handout_prints_one_claim_twice(gold_corpus_all):
    """Two passages of one handout may share a sentence (an essay quoting the report the
    handout also prints): the later section prints its next point instead."""
    from handouts import pipeline
    from handouts.content.keypoints import repeats

    for theme in gold_corpus_all.themes:
        printed: list[str] = []
        for section in pipeline.outline(gold_corpus_all, theme.id).sections:
            assert not any(repeats(p, printed) for p in section.key_points), theme.id
            printed.extend(section.key_points)


def test_no_printed_section_with_a_claim_goes_without_a_point(gold_corpus_all):
    from handouts import pipeline

    for theme in gold_corpus_all.themes:
        for s in pipeline.outline(gold_corpus_all, theme.id).sections:
            if not s.key_points:
                assert not candidates(Section(s.id, s.title, 1, s.text)), (theme.id, s.id)


def test_issue10_speech_prints_no_bare_transition_and_no_paragraph(gold_corpus_all):
    """Issue 10's example: 要推动高质量发展。 (a transition) was printed next to a sentence
    of a hundred characters."""
    stats = stats_for(gold_corpus_all.documents)
    section = next(s for d in gold_corpus_all.documents for s in d.sections
                   if "要推动高质量发展。" in s.text)
    points = key_points(section, stats)
    assert points and "要推动高质量发展。" not in points
    assert all(15 <= han_count(p) <= 90 for p in points)


def test_an_essays_chapter_numeral_set_off_by_a_space_is_an_ordinal() -> None:
    """反对本本主义 numbers its chapters 二 调查就是解决问题: a question built on the
    heading must not ask 为什么说二 调查就是解决问题？"""
    assert trim_ordinal("二 调查就是解决问题") == "调查就是解决问题"
    assert trim_ordinal("六\u3000中国革命斗争的胜利") == "中国革命斗争的胜利"
    assert trim_ordinal("三中全会以来") == "三中全会以来"
