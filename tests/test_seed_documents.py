"""The five seed documents, cleaned and sectioned: what an organiser would check by eye.

For each page: none of its site furniture is left in any section, the metadata is
right, every heading style it uses is found at the right level, and sentences of the
author's text (first, last, and the awkward ones) all survive.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handouts import paths
from handouts.corpus.load import load_documents
from handouts.model import Document


@pytest.fixture(scope="module")
def seeds() -> dict[str, Document]:
    documents, problems = load_documents(paths.CORPUS)
    assert problems == ()
    return {d.id[:3]: d for d in documents}


def body(doc: Document) -> str:
    return "\n".join(f"{s.title}\n{s.text}" for s in doc.sections)


def squash(text: str) -> str:
    """Han characters, letters and digits only: survival is judged on the words,
    not on punctuation the cleaner is meant to change."""
    return re.sub(r"[^\w]", "", text)


def heading(doc: Document, title_start: str) -> tuple[str, int]:
    for s in doc.sections:
        if s.title.startswith(title_start):
            return s.id, s.level
    raise AssertionError(f"no heading starting {title_start!r} in {doc.id}")


BOILERPLATE = {
    "000": ["book118", "VIP", "下载", "版权申诉", "查看更多", "文档评论", "400-050-0827", "\n2\n"],
    "001": ["上一篇", "下一篇", "本站热搜", "五年级", "2022-08-28"],
    "002": ["PS", "貌似政治书"],
    "003": [
        "新闻中心",
        "正文",
        "2017年03月23日",
        "来源",
        "5034",
        "文章关键词",
        "责编",
        "张释文",
        "相关阅读",
        "换一换",
        "补足基层干部服务",
        "扶贫必须先扶精气神",
        "慢新闻",
        "推荐视频",
        "i新闻",
        "新闻推荐",
        "网站简介",
        "Copyright",
        "hnr.cn",
        "版权所有",
        "杜鹃花",
        "省招办",
    ],
    "004": [
        "您的位置",
        "那一世范文网",
        "常用范文",
        "模版范例",
        "发布时间",
        "整理分享",
        "Copyright",
        "nayishi",
    ],
}

MUST_KEEP = {
    "000": [
        "“求木之长者,必固其根本。欲流之远者,必浚其源泉。”",
        "首先,领导干部要带头集体学习、集体讨论。",
        "要敢当群众“出气筒”。",
        "三要有“从我改起”的勇气。",
        "只有这样,才能把群众路线真正落到实处。",
    ],
    "001": [
        "群众路线是党的生命线",
        "形式主义:知行不一、不求实效、文山会海、花拳绣腿、贪图虚名、弄虚作假等;",
        "中国共产党取得胜利的制胜法宝就是群众路线、群众基础牢固",
        "这就是马克思主义的认识论。",
        '在生活方式上,追求"贵族化",吃喝玩乐,沉湎于花天酒地、声色犬马。',
        "才能真正加快建成幸福美好的新铜梁。(文/闻琼)",
        "大学生党员如何实施群众路线 会展二支部 会展1102 高子茵",
        "实施基层联系“10+10工程”",
        "多次去闸站、社区、休闲农庄了解情况,排忧解难。",
    ],
    "002": [
        "到群众中去,就是到一线去,向群众学习;",
        "形式主义大行其道。",
        "是我国经济社会发展 新阶段的客观要求",
        "这样的干部最该到基层中去,向群众学习。",
        "以强烈的责任感和历史使命感,在教育实践活动中真抓实干。",
    ],
    "003": [
        "工作不是“坐”出来的,而是“做”出来的、“跑”出来的。",
        "凝聚了民心。 (3月21日《人民日报》)",
        "“民为贵,社稷次,君为轻”",
        "党员干部只有真正“身心并入”,才会赢得最大的支持。",
    ],
    "004": [
        "我们党最大的政治优势是密切联系群众,党执政后最大的危险是脱离群众。",
        "一是强化宗旨意识。",
        "使自己的所作所为最大限度的合乎人民群众的意志、利益和需要。",
    ],
}


@pytest.mark.parametrize("key", sorted(BOILERPLATE))
def test_no_site_furniture_remains(seeds: dict[str, Document], key: str) -> None:
    text = "\n" + body(seeds[key]) + "\n"
    for phrase in BOILERPLATE[key]:
        assert phrase not in text, f"{phrase!r} left in {key}"


@pytest.mark.parametrize("key", sorted(MUST_KEEP))
def test_every_listed_sentence_of_the_author_survives(seeds: dict[str, Document], key: str) -> None:
    text = squash(body(seeds[key]))
    for sentence in MUST_KEEP[key]:
        assert squash(sentence) in text, f"lost in {key}: {sentence}"


@pytest.mark.parametrize(
    ("key", "title", "date", "source", "author"),
    [
        ("000", "以求真务实的精神践行群众路线", None, "原创力文档", None),
        ("001", "我们党群众路线内容", "2022-08-28", None, None),
        ("002", "到群众中去简报", None, None, None),
        ("003", "俯下身子深入基层 倾听群众呼声", "2017-03-23", "映象网", "杜鹃花"),
        ("004", "领导干部要坚持发扬密切联系群众的优良作风", "2010-09-07", "那一世范文网", None),
    ],
)
def test_metadata_is_found(
    seeds: dict[str, Document],
    key: str,
    title: str,
    date: str | None,
    source: str | None,
    author: str | None,
) -> None:
    doc = seeds[key]
    assert (doc.title, doc.date, doc.source, doc.author) == (title, date, source, author)


def test_repeated_title_appears_once(seeds: dict[str, Document]) -> None:
    doc = seeds["004"]
    assert (
        body(doc).count("领导干部要坚持发扬密切联系群众的优良作风") == 1
    )  # the intro section's title
    assert doc.sections[0].text.startswith("我们党最大的政治优势")


def test_numbered_points_are_top_level_after_an_untitled_introduction(
    seeds: dict[str, Document],
) -> None:
    for key, first in (
        ("000", "一、践行群众路线首先要深入学习"),
        ("003", "一、俯下身子，放下架子"),
    ):
        doc = seeds[key]
        assert doc.sections[0].title == doc.title and doc.sections[0].level == 1
        assert [s.level for s in doc.sections] == [1, 1, 1, 1]
        assert doc.sections[1].title == first
        assert doc.sections[1].text.startswith("活动要开展" if key == "000" else "到群众中去")


def test_arabic_numbered_heads_open_the_sections_of_002(seeds: dict[str, Document]) -> None:
    doc = seeds["002"]
    assert [s.title for s in doc.sections] == [
        "1.怎样到群众中去",
        "2.如何做好从群众中来到群众去",
        "3.从群众中来到群众中去是什么意思，最好举几个例子",
        "4.秦川：干部到群众中去该干些什么",
    ]
    assert (
        doc.sections[-1]
        .paragraphs[-1]
        .endswith("以强烈的责任感和历史使命感，在教育实践活动中真抓实干。")
    )


def test_compilation_becomes_five_top_level_articles(seeds: dict[str, Document]) -> None:
    doc = seeds["001"]
    top = [s.title for s in doc.sections if s.level == 1]
    assert [t[:3] for t in top] == ["第一篇", "第二篇", "第三篇", "第四篇", "第五篇"]


@pytest.mark.parametrize(
    ("title_start", "level", "parent_start"),
    [
        ("一、党的群众路线的基本内涵", 2, "第二篇"),
        ("新形势下加强党员干部密切联系群众", 2, "第二篇"),
        ("浅谈解决联系服务群众", 2, "第二篇"),
        ("一、认清“四风”问题", 3, "浅谈解决联系服务群众"),
        ("二、在解决服务群众最后有一公里时应注意的问题", 3, "浅谈解决联系服务群众"),
        ("第一，认真排查和发现", 4, "二、在解决服务群众"),
        ("第六，功能齐全、方便快捷的服务平台", 4, "二、在解决服务群众"),
        ("三、怎样做好服务群众", 3, "浅谈解决联系服务群众"),
        # 第三篇 holds one piece, opened by its title and byline on one line (issue 9):
        # its numbered heads are that piece's, one level deeper than before.
        ("大学生党员如何实施群众路线 会展二支部", 2, "第三篇"),
        ("（一）扎实开展学习培训", 3, "大学生党员如何实施群众路线"),
        ("（三）积极组织建言献策，促进学校科学发展", 3, "大学生党员如何实施群众路线"),
        ("一是学风引领", 4, "（四）提高党员能力素养"),
        ("三是依托网络平台", 4, "（五）加强基层组织建设"),
        ("第一，更深刻了解了群众路线的内涵", 2, "第五篇"),
        ("第六，群众路线在自身工作实践中的落实", 2, "第五篇"),
    ],
)
def test_heading_styles_of_the_compilation_nest_at_the_right_level(
    seeds: dict[str, Document], title_start: str, level: int, parent_start: str
) -> None:
    doc = seeds["001"]
    section_id, found_level = heading(doc, title_start)
    parent_id, _ = heading(doc, parent_start)
    section = next(s for s in doc.sections if s.id == section_id)
    assert found_level == level
    assert section.parent == parent_id
    assert section_id.startswith(parent_id + ".")


def test_heading_run_into_its_text_is_split(seeds: dict[str, Document]) -> None:
    doc = seeds["001"]
    sid, _ = heading(doc, "（三）积极组织建言献策")
    section = next(s for s in doc.sections if s.id == sid)
    assert section.title == "（三）积极组织建言献策，促进学校科学发展"
    assert section.text.startswith("根据学校教育实践活动总体安排")
    sid, _ = heading(doc, "二、在解决服务群众")
    assert (
        next(s for s in doc.sections if s.id == sid).text == ""
    )  # its text starts the child 第一，


def test_a_line_broken_before_yi_is_rejoined_not_a_heading(seeds: dict[str, Document]) -> None:
    doc = seeds["001"]
    assert not any(s.title.startswith("一、不求实效") for s in doc.sections)
    assert "形式主义：知行不一、不求实效" in body(doc)


def test_the_authors_citation_stays_and_byline_leaves(seeds: dict[str, Document]) -> None:
    doc = seeds["003"]
    assert "（3月21日《人民日报》）" in doc.sections[0].text
    assert doc.sections[-1].text.endswith("才会赢得最大的支持。")


def test_half_width_punctuation_is_full_width_in_every_seed(seeds: dict[str, Document]) -> None:
    for doc in seeds.values():
        for s in doc.sections:
            for text in (s.title, s.text):
                assert not re.search(r"[\u4e00-\u9fff][,;!?]|[,;!?][\u4e00-\u9fff]", text), text[
                    :40
                ]
                assert '"' not in text


def test_no_section_text_has_leading_indentation_or_blank_paragraphs(
    seeds: dict[str, Document],
) -> None:
    for doc in seeds.values():
        for s in doc.sections:
            for line in s.text.split("\n") if s.text else []:
                assert line and line == line.strip() and not line.startswith("\u3000")


def test_section_ids_are_stable_and_unique(seeds: dict[str, Document]) -> None:
    again, _ = load_documents(paths.CORPUS)
    for doc in again:
        ids = [s.id for s in doc.sections]
        assert ids == [s.id for s in seeds[doc.id[:3]].sections]
        assert len(set(ids)) == len(ids)
        assert [s.position for s in doc.sections] == list(range(len(ids)))
        assert all(i.startswith(doc.id + "/") for i in ids)


def test_seed_files_are_untouched_by_loading() -> None:
    before = {p.name: p.read_bytes() for p in Path(paths.CORPUS).glob("*.txt")}
    load_documents(paths.CORPUS)
    assert before == {p.name: p.read_bytes() for p in Path(paths.CORPUS).glob("*.txt")}


def test_an_attribution_run_into_the_text_becomes_its_own_paragraph(
    seeds: dict[str, Document],
) -> None:
    doc = seeds["001"]
    sid, _ = heading(doc, "第二篇")
    section = next(s for s in doc.sections if s.id == sid)
    # The attribution is the section's source now, printed under it, not a paragraph.
    assert section.sources == (
        "——摘自贺同新同志在集团党组理论中心组群众路线教育实践活动专题学习会议上的发言",
    )
    assert section.paragraphs[0].startswith("总书记在党的群众路线教育实践活动工作会议上指出")


def test_explain_reports_every_heading_style_of_the_compilation_as_json() -> None:
    import json

    from handouts.corpus.load import explain_data

    data = explain_data(paths.CORPUS / "001_01203cdb0f8682c9.txt")
    json.dumps(data, ensure_ascii=False)
    styles = {h["style"] for h in data["headings"]}
    assert styles == {"structural-篇", "cn", "cn-paren", "run-in", "shi", "title"}
    reasons = {d["reason"] for d in data["dropped"]}
    assert "metadata: date 2022-08-28" in reasons
    assert any("continues the line before" in r for r in data["repairs"])
