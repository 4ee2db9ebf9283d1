"""Key points and keywords: extractive, ordered, no fragments, close to a careful reader's."""

from __future__ import annotations

import pytest
from gold import keypoint_gold
from rouge_chinese import Rouge

from handouts.content.keypoints import candidates, key_points, keywords, ordinal_items, trim_ordinal
from handouts.content.textstats import han_count, han_only, split_sentences, stats_for, stopwords
from handouts.model import Section


@pytest.fixture(scope="module")
def sections(seed_corpus):
    return {s.id: s for d in seed_corpus.documents for s in d.sections}


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
