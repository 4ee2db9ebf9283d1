"""The heading tree: every Chinese numbering style, nested by the order styles open in."""

from __future__ import annotations

import pytest

from handouts.corpus.sections import classify, split_sections

PROSE = "这是正文的一段话，内容比较长，用来确认它不会被当作标题来处理，而是归入上面的小节。"


def tree(paragraphs: list[str], markdown: bool = False) -> list[tuple[str, str, int, str | None]]:
    sections = split_sections("doc", "文档标题", paragraphs, markdown=markdown)
    return [(s.id, s.title, s.level, s.parent) for s in sections]


@pytest.mark.parametrize(
    ("paragraph", "style", "title", "body"),
    [
        ("第一篇：我们党群众路线内容", "structural-篇", "第一篇：我们党群众路线内容", ""),
        ("第二章 工作方法", "structural-章", "第二章 工作方法", ""),
        ("第三部分 总结", "structural-部分", "第三部分 总结", ""),
        (
            "一、践行群众路线首先要深入学习。活动要开展，政策要实行。",
            "cn",
            "一、践行群众路线首先要深入学习",
            "活动要开展，政策要实行。",
        ),
        ("一 标题用空格隔开", "cn", "一 标题用空格隔开", ""),
        (
            "（三）积极组织建言献策，促进学校科学发展 根据学校总体安排，认真组织。",
            "cn-paren",
            "（三）积极组织建言献策，促进学校科学发展",
            "根据学校总体安排，认真组织。",
        ),
        ("(二)深入开展实践调研", "cn-paren", "(二)深入开展实践调研", ""),
        ("1.怎样到群众中去", "arabic", "1.怎样到群众中去", ""),
        (
            "2、一切依靠群众。人民群众是历史的创造者。",
            "arabic",
            "2、一切依靠群众",
            "人民群众是历史的创造者。",
        ),
        ("（1）注重听取群众建议", "arabic-paren", "（1）注重听取群众建议", ""),
        ("第一，更深刻了解了群众路线的内涵", "run-in", "第一，更深刻了解了群众路线的内涵", ""),
        ("■ 多走一步路", "bullet", "多走一步路", ""),
        ("１．全角数字的标题", "arabic", "１．全角数字的标题", ""),
        ("3）只有右括号的小标题", "arabic-close", "3）只有右括号的小标题", ""),
        ("Ⅱ、罗马数字的标题。正文从这里开始。", "roman", "Ⅱ、罗马数字的标题", "正文从这里开始。"),
        ("## 二、怎样走好群众路线", "md2", "二、怎样走好群众路线", ""),
    ],
)
def test_each_heading_style_is_recognised_and_split(
    paragraph: str, style: str, title: str, body: str
) -> None:
    heading = classify(paragraph)
    assert heading is not None
    assert (heading.style, heading.title, heading.body) == (style, title, body)


@pytest.mark.parametrize(
    "paragraph",
    [
        PROSE,
        "1943年6月，毛泽东同志在为中共中央起草的《关于领导方法的若干问题》决定中第一次较为系统地初步阐述了党的群众路线。",
        "（1）进入单位以来，在处领导的关心下和同事们帮助下，努力提高自己的业务水平，自觉学习水政执法文书，下载水政执法案例分析，提高自己理论水平。",
        "3.5亿元的投入让群众受益。",
    ],
)
def test_prose_and_long_list_items_are_not_headings(paragraph: str) -> None:
    assert classify(paragraph) is None


def test_text_before_the_first_heading_is_an_introduction_titled_with_the_document() -> None:
    assert tree([PROSE, "一、第一点", PROSE]) == [
        ("doc/1", "文档标题", 1, None),
        ("doc/2", "一、第一点", 1, None),
    ]


def test_a_document_without_headings_is_one_section() -> None:
    sections = split_sections("doc", "文档标题", [PROSE, PROSE])
    assert [(s.title, s.level, s.text) for s in sections] == [("文档标题", 1, PROSE + "\n" + PROSE)]


def test_styles_nest_in_the_order_they_open() -> None:
    paragraphs = [
        "一、大点",
        "（一）中点",
        "1.小点",
        PROSE,
        "2.小点",
        "（二）中点",
        "二、大点",
        "（一）又一中点",
    ]
    assert tree(paragraphs) == [
        ("doc/1", "一、大点", 1, None),
        ("doc/1.1", "（一）中点", 2, "doc/1"),
        ("doc/1.1.1", "1.小点", 3, "doc/1.1"),
        ("doc/1.1.2", "2.小点", 3, "doc/1.1"),
        ("doc/1.2", "（二）中点", 2, "doc/1"),
        ("doc/2", "二、大点", 1, None),
        ("doc/2.1", "（一）又一中点", 2, "doc/2"),
    ]


def test_the_same_styles_may_nest_the_other_way_round_in_another_text() -> None:
    paragraphs = ["（一）大点", "一、小点", PROSE, "二、小点", "（二）大点"]
    assert [(t, lvl) for _, t, lvl, _ in tree(paragraphs)] == [
        ("（一）大点", 1),
        ("一、小点", 2),
        ("二、小点", 2),
        ("（二）大点", 1),
    ]


def test_articles_of_a_compilation_are_top_level_and_restart_numbering() -> None:
    paragraphs = [
        "第一篇：甲",
        "一、甲一",
        PROSE,
        "二、甲二",
        PROSE,
        "第二篇：乙",
        "一、乙一",
        PROSE,
    ]
    assert [(i, lvl, p) for i, _, lvl, p in tree(paragraphs)] == [
        ("doc/1", 1, None),
        ("doc/1.1", 2, "doc/1"),
        ("doc/1.2", 2, "doc/1"),
        ("doc/2", 1, None),
        ("doc/2.1", 2, "doc/2"),
    ]


def test_a_title_line_between_articles_closes_the_numbered_list() -> None:
    paragraphs = [
        "第一篇：甲",
        "一、甲一",
        PROSE,
        "新形势下加强党员干部密切联系群众",
        PROSE,
        "一、新一",
        PROSE,
    ]
    assert [(t, lvl) for _, t, lvl, _ in tree(paragraphs)] == [
        ("第一篇：甲", 1),
        ("一、甲一", 2),
        ("新形势下加强党员干部密切联系群众", 2),
        ("一、新一", 3),
    ]


def test_a_short_line_right_after_a_heading_is_body_not_a_heading() -> None:
    paragraphs = ["第三篇：党群众路线", "大学生党员如何实施群众路线 会展二支部", PROSE]
    sections = split_sections("doc", "文档标题", paragraphs)
    assert len(sections) == 1 and sections[0].text.startswith("大学生党员如何实施群众路线")


def test_heading_run_into_a_run_in_head_gives_both() -> None:
    paragraphs = [
        "二、应注意的问题 第一，认真排查问题。党的群众路线教育实践活动要求明确。",
        "第二，深入查找瓶颈。基层是最后一个环节。",
    ]
    assert [
        (t, lvl, text)
        for (t, lvl, text) in (
            (s.title, s.level, s.text) for s in split_sections("d", "T", paragraphs)
        )
    ] == [
        ("二、应注意的问题", 1, ""),
        ("第一，认真排查问题", 2, "党的群众路线教育实践活动要求明确。"),
        ("第二，深入查找瓶颈", 2, "基层是最后一个环节。"),
    ]


def test_yi_shi_is_a_head_only_in_a_sequence() -> None:
    alone = split_sections(
        "d", "T", ["一是要学习。学习要深入，不能走过场，更不能流于形式，要真学真懂。"]
    )
    assert len(alone) == 1
    pair = split_sections(
        "d",
        "T",
        ["一是学风引领，要求党员结对帮扶同学。", "二是行为引领。要求党员带头营造良好风气。"],
    )
    assert [s.title for s in pair] == ["一是学风引领", "二是行为引领"]


def test_markdown_levels_come_from_the_hashes() -> None:
    paragraphs = ["## 一、甲", PROSE, "### 小节", PROSE, "## 二、乙", PROSE]
    assert [(t, lvl) for _, t, lvl, _ in tree(paragraphs, markdown=True)] == [
        ("一、甲", 1),
        ("小节", 2),
        ("二、乙", 1),
    ]


def test_positions_follow_reading_order_and_ids_are_unique() -> None:
    paragraphs = [PROSE, "一、甲", "（一）子", PROSE, "二、乙", "（一）子", PROSE]
    sections = split_sections("doc", "T", paragraphs)
    assert [s.position for s in sections] == list(range(len(sections)))
    assert len({s.id for s in sections}) == len(sections)
    assert all(
        s.parent is None or s.parent in {p.id for p in sections[: s.position]} for s in sections
    )


def test_the_title_printed_again_as_a_heading_is_not_a_section() -> None:
    paragraphs = ["（一九三○年五月）", "## 文档 标题", PROSE, "### 一、第一部分", PROSE]
    assert [(t, lv) for _, t, lv, _ in tree(paragraphs, markdown=True)] == [
        ("文档标题", 1),
        ("一、第一部分", 1),
    ]
    # Further down, a heading with the title's words is a part of the text.
    later = ["### 一、第一部分", PROSE, "## 文档标题", PROSE]
    assert [t for _, t, _, _ in tree(later, markdown=True)] == ["一、第一部分", "文档标题"]


def test_numbered_heads_stay_siblings_whether_written_as_markdown_or_plain_lines() -> None:
    paragraphs = [
        "一 没有调查，没有发言权",
        PROSE,
        "##### 二 调查就是解决问题",
        PROSE,
        "四 离开实际调查就要产生唯心的阶级估量",
        PROSE,
        "##### 七 调查的技术",
        "（1）要开调查会作讨论式的调查",
        PROSE,
        "##### 一",
        PROSE,
    ]
    assert [(t, lv) for _, t, lv, _ in tree(paragraphs, markdown=True)] == [
        ("一 没有调查，没有发言权", 1),
        ("二 调查就是解决问题", 1),
        ("四 离开实际调查就要产生唯心的阶级估量", 1),
        ("七 调查的技术", 1),
        ("（1）要开调查会作讨论式的调查", 2),
        ("一", 1),
    ]


@pytest.mark.parametrize(
    "paragraphs",
    [
        # several items inside one paragraph
        [PROSE, "我给青年们讲几句话：", "一、祝贺他们身体好；二、祝贺他们学习好；三、祝贺工作好。"],
        [PROSE, "（一）一切行动听指挥；（二）不拿群众一针一线；（三）一切缴获要归公。"],
        # adjacent one-sentence points
        ["1、农忙时一律停一下，总结经验。", "2、争取今年丰收。", "3、依靠县农民代表会及训练班。"],
        # the first item is a paragraph of text, so its siblings are points too
        [
            "一、本军三大纪律八项注意，实行多年，其内容各地各军略有出入，现在统一规定，重行颁布，"
            "望即以此为准，深入教育，严格执行。",
            "二、三大纪律如下：",
            "（一）一切行动听指挥；（二）不拿群众一针一线。",
            "三、八项注意如下：",
            "（一）说话和气；（二）买卖公平。",
        ],
        # the same with a short first sentence that could pass for a run-in head: the
        # lead-ins before their lists make the whole sequence points
        [
            "一、本军三大纪律八项注意，实行多年[1]，其内容各地各军略有出入。现在统一规定，重行颁布。",
            "二、三大纪律如下：",
            "（一）一切行动听指挥；（二）不拿群众一针一线。",
            "三、八项注意如下：",
            "（一）说话和气；（二）买卖公平。",
        ],
    ],
)
def test_numbered_points_of_a_list_are_text_not_headings(paragraphs: list[str]) -> None:
    sections = split_sections("doc", "文档标题", paragraphs)
    assert [s.title for s in sections] == ["文档标题"]
    assert "".join(s.text for s in sections).replace("\n", "") == "".join(paragraphs)


def test_run_in_heads_with_their_own_text_stay_headings() -> None:
    paragraphs = [
        PROSE,
        "1、一切为了群众。这是党的根本宗旨的体现，要求全心全意为人民服务。",
        "2、一切依靠群众。人民群众是历史的创造者，党的一切工作都要依靠群众。",
    ]
    assert [t for _, t, _, _ in tree(paragraphs)][1:] == ["1、一切为了群众", "2、一切依靠群众"]


def test_attribution_lines_are_the_sources_of_the_passage_above_never_headings() -> None:
    paragraphs = [
        "乡村振兴不是坐享其成，等不来、也送不来，要靠广大农民奋斗。",
        "——2018年4月24日至28日，习近平在湖北考察时的讲话",
        "新时代“三农”工作总抓手",
        "全面建成小康社会，城市和乡村都要发展好。乡村振兴，关键是产业要振兴，要长期坚持。",
        "——2018年4月11日至13日，习近平在海南考察时的讲话",
        "（《毛泽东选集》第五卷，人民出版社1977年4月第1版，第61-64页）",
        "——2013年，参加科协、科技界委员联组会。",
    ]
    sections = split_sections("doc", "文档标题", paragraphs)
    assert [s.title for s in sections] == ["文档标题", "新时代“三农”工作总抓手"]
    assert sections[0].sources == ("——2018年4月24日至28日，习近平在湖北考察时的讲话",)
    assert sections[1].sources == tuple(paragraphs[4:6])
    # A line of the text that merely opens with a dash is text.
    assert sections[1].paragraphs[-1] == "——2013年，参加科协、科技界委员联组会。"


def test_plain_and_quoted_heads_of_a_converted_web_page_open_sections() -> None:
    """HTML arrives as Markdown without a single #: its bold or plain heads are title lines."""
    paragraphs = [
        "这些故事，是对社会主义法治精神的最好昭示，一起来聆听这些动人的故事和典故。",
        "法治兴则国兴，法治强则国强",
        PROSE,
        "——2018年8月24日在中央全面依法治国委员会第一次会议上的讲话",
        "“这就是好样的！”",
        PROSE,
    ]
    titles = [t for _, t, _, _ in tree(paragraphs, markdown=True)]
    assert titles == ["文档标题", "法治兴则国兴，法治强则国强", "“这就是好样的！”"]
    # With the author's own # heads, plain lines are left as text.
    assert [t for _, t, _, _ in tree(["# 一", *paragraphs], markdown=True)] == ["一"]


def test_a_pieces_title_with_its_byline_opens_a_section_even_right_after_a_heading() -> None:
    paragraphs = [
        "第三篇：党群众路线",
        "大学生党员如何实施群众路线 会展二支部 会展1102 高子茵",
        PROSE,
        "（一）扎实开展学习培训，切实提高思想认识",
        PROSE,
    ]
    assert [(t, lv) for _, t, lv, _ in tree(paragraphs)] == [
        ("第三篇：党群众路线", 1),
        ("大学生党员如何实施群众路线 会展二支部 会展1102 高子茵", 2),
        ("（一）扎实开展学习培训，切实提高思想认识", 3),
    ]
    # A sentence with spaces in it is not a title with a byline.
    from handouts.corpus.sections import _bylined_title

    assert not _bylined_title("党员干部要深入基层 倾听群众呼声，了解疾苦 解决问题", PROSE)


def test_an_editors_headnote_is_the_documents_source_not_its_text() -> None:
    """Selected Works texts open with a 题注 (这是毛泽东在……的讲演。).  Read as text, its
    毛泽东 and 讲话 made 不要四面出击 a passage on the Party's history."""
    paragraphs = [
        "（一九四四年九月八日）",
        "* 这是毛泽东在中共中央警备团追悼张思德的会上的讲演。",
        "我们的共产党和共产党所领导的八路军、新四军，是革命的队伍。",
        "这是一次重要的讲话。",
        "人总是要死的，但死的意义有不同。",
    ]
    (section,) = split_sections("d", "为人民服务", paragraphs)
    assert section.id == "d/1"
    assert section.sources == ("（一九四四年九月八日）",
                               "这是毛泽东在中共中央警备团追悼张思德的会上的讲演。")
    # Only the opening paragraph can be the headnote: the same shape later is text.
    assert "这是一次重要的讲话。" in section.text
    assert section.text.startswith("我们的共产党")


def test_a_headnote_before_the_first_heading_keeps_the_sections_as_they_were() -> None:
    """毛泽东的这篇文章是为了……而写的。 stands where 反对本本主义's text begins: the
    document's first section stays the first (its ids are what edit files name)."""
    paragraphs = [
        "毛泽东的这篇文章是为了反对当时红军中的教条主义思想而写的。那时没有用“教条主义”这个名称。",
        "一、没有调查，没有发言权",
        "你对于某个问题没有调查，就停止你对于某个问题的发言权。",
    ]
    first, second = split_sections("b", "反对本本主义", paragraphs)
    assert (first.id, first.text) == ("b/1", "")
    assert first.sources[0].startswith("毛泽东的这篇文章")
    assert second.id == "b/2" and second.title == "一、没有调查，没有发言权"


def test_a_page_that_repeats_its_dateline_gives_one_source_line() -> None:
    (section,) = split_sections("w", "为人民服务", [
        "（一九四四年九月八日）", "（一九四四年九月八日）", "我们的共产党是革命的队伍。"])
    assert section.sources == ("（一九四四年九月八日）",)


def test_a_dateline_of_two_dates_is_a_source() -> None:
    (section,) = split_sections("l", "关于农业互助合作的两次谈话", [
        "（一九五三年十月十五日、十一月四日）", "办好农业生产合作社，即可带动互助组大发展。"])
    assert section.sources == ("（一九五三年十月十五日、十一月四日）",)
