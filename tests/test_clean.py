"""Cleaning, line by line: what is furniture, what is metadata, how text is repaired."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.corpus.clean import clean_text, meta_line, parse_date, repair
from handouts.corpus.load import load_document
from handouts.errors import InputFileError


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("群众路线,是生命线;要坚持!对吗?", "群众路线，是生命线；要坚持！对吗？"),
        ("毛泽东同志指出:人民是动力.", "毛泽东同志指出：人民是动力。"),
        ("时间:9:00-18:30,电话:400-050-0827", "时间：9:00-18:30，电话：400-050-0827"),
        ("共1,000人参加,增长3.5%。", "共1,000人参加，增长3.5%。"),
        ("网址 http://www.hnr.cn/a,b 见", "网址 http://www.hnr.cn/a,b 见"),
        ("He said: hello, world.", "He said: hello, world."),
        ('追求"贵族化",吃喝玩乐', "追求“贵族化”，吃喝玩乐"),
        ("他说'好'。", "他说‘好’。"),
        ("don't 改", "don't 改"),
        ("凝聚了民心。 (3月21日《人民日报》)", "凝聚了民心。（3月21日《人民日报》）"),
        ("原创力文档(book118)网站", "原创力文档（book118）网站"),
        ("f(x) = (a + b)", "f(x) = (a + b)"),
        ("治“三害”„„在他身上", "治“三害”……在他身上"),
        ("\u3000\u3000正文开始，  中间　　空格。  ", "正文开始，中间 空格。"),
        ("经济社会发展 新阶段", "经济社会发展 新阶段"),
        ("的落实 (1)进入单位", "的落实 （1）进入单位"),
        ("1.怎样到群众中去", "1.怎样到群众中去"),
    ],
)
def test_repair_makes_chinese_punctuation_full_width_and_leaves_the_rest(
    raw: str, clean: str
) -> None:
    assert repair(raw) == clean
    assert repair(clean) == clean


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("2017年03月23日11:03  来源:映象网", {"date": "2017-03-23", "source": "映象网"}),
        ("模版范例范文 发布时间:2010/9/7", {"date": "2010-09-07"}),
        ("2022-08-28", {"date": "2022-08-28"}),
        (
            "2014-06-12 08:30:15  来源：人民网  作者：李明",
            {"date": "2014-06-12", "source": "人民网", "author": "李明"},
        ),
        (
            "发布日期：2014-03-05　信息来源：县委组织部　浏览次数：356",
            {"date": "2014-03-05", "source": "县委组织部"},
        ),
        ("（2014年2月18日）", {"date": "2014-02-18"}),
    ],
)
def test_datelines_give_their_fields(line: str, fields: dict[str, str]) -> None:
    assert meta_line(repair(line)) == fields


@pytest.mark.parametrize(
    "line",
    [
        "1943年6月，毛泽东同志在为中共中央起草的决定中第一次较为系统地阐述了党的群众路线。",
        "刘云山在1月21日召开的会议上指出",
        "群众路线是我们党的生命线",
    ],
)
def test_a_sentence_with_a_date_is_not_a_dateline(line: str) -> None:
    assert meta_line(line) is None


def test_parse_date_rejects_impossible_dates() -> None:
    assert parse_date("2014-13-40") is None
    assert parse_date("发布于 2014/5/6") == "2014-05-06"


ARTICLE = """\
首页
新闻
评论
您的位置：某某网 > 评论 > 正文
干部要俯下身子
2015年06月01日 10:00　来源：某某日报
12345
　　基层是干部成长的沃土，干部要到基层去，到群众中去，在实践中增长才干。
　　一、要有真感情。对群众要有真感情，把群众当亲人，群众才会把干部当自家人。
　　二、要办真实事。群众的事再小也是大事，要一件一件办好，让群众得到实惠。
　　只有这样，才能赢得群众的信任和支持。（王力）
责任编辑：张三
相关阅读
· 干部下基层要沉得下去
· 为群众办实事要落到实处
关于我们 | 联系我们 | 网站地图
Copyright © 2015 某某网 版权所有
"""


def test_a_portal_page_keeps_exactly_its_article() -> None:
    cleaned = clean_text(ARTICLE)
    assert cleaned.title == "干部要俯下身子"
    assert (cleaned.date, cleaned.source, cleaned.author) == ("2015-06-01", "某某日报", "王力")
    assert cleaned.paragraphs == (
        "基层是干部成长的沃土，干部要到基层去，到群众中去，在实践中增长才干。",
        "一、要有真感情。对群众要有真感情，把群众当亲人，群众才会把干部当自家人。",
        "二、要办真实事。群众的事再小也是大事，要一件一件办好，让群众得到实惠。",
        "只有这样，才能赢得群众的信任和支持。",
    )
    reasons = {d.text: d.reason for d in cleaned.dropped}
    assert reasons["12345"].startswith("stray number")
    assert reasons["您的位置：某某网 > 评论 > 正文"] == "breadcrumb"
    assert reasons["首页"] == "page header before the title"
    assert all(line.strip() in reasons or line.strip() in ARTICLE for line in reasons)


def test_cleaning_its_own_output_changes_nothing() -> None:
    once = clean_text(ARTICLE)
    twice = clean_text(once.as_text())
    assert (twice.title, twice.paragraphs) == (once.title, once.paragraphs)


def test_a_line_broken_mid_sentence_is_rejoined() -> None:
    cleaned = clean_text(
        "标题\n\n对于每名党员干部来说,都有义务自我审视,主动加压,以强烈的责任感和历史\n使命感,在教育实践活动中真抓实干。\n"
    )
    assert cleaned.paragraphs == (
        "对于每名党员干部来说，都有义务自我审视，主动加压，以强烈的责任感和历史使命感，在教育实践活动中真抓实干。",
    )


def test_a_short_line_after_a_finished_sentence_is_not_joined() -> None:
    cleaned = clean_text(
        "标题\n\n群众路线是我们党的生命线和根本工作路线，必须始终坚持。\n1.怎样到群众中去\n到群众中去，就是到一线去。\n"
    )
    assert cleaned.paragraphs[1:] == ("1.怎样到群众中去", "到群众中去，就是到一线去。")


def test_a_restarted_yi_after_an_unfinished_line_is_a_continuation() -> None:
    cleaned = clean_text(
        "标题\n\n一、四风问题要解决，群众才会满意。\n\n二、有几个方面要注意。\n\n"
        "形式主义:知行不\n\n一、不求实效、文山会海等;\n"
    )
    assert "形式主义：知行不一、不求实效、文山会海等；" in cleaned.paragraphs
    assert any("continues the line before" in note for note in cleaned.notes)


def test_a_trailing_source_note_goes_to_metadata() -> None:
    cleaned = clean_text(
        "标题\n\n群众路线是我们党的生命线和根本工作路线，必须始终坚持下去。（来源：人民日报）\n"
    )
    assert cleaned.source == "人民日报"
    assert cleaned.paragraphs == ("群众路线是我们党的生命线和根本工作路线，必须始终坚持下去。",)


def test_a_citation_in_parentheses_is_not_a_byline() -> None:
    cleaned = clean_text(
        "标题\n\n乐东推动党员干部下基层大服务，解决了一大批矛盾和难题，凝聚了民心。"
        " (3月21日《人民日报》)\n"
    )
    assert cleaned.author is None
    assert cleaned.paragraphs[0].endswith("（3月21日《人民日报》）")


def test_chatty_remarks_are_dropped_but_a_question_of_the_text_stays() -> None:
    cleaned = clean_text(
        "标题\n\n干部为什么要到群众中去？因为群众是真正的英雄，离开群众我们将一事无成。\n"
        "PS:这个貌似政治书上都有吧?\n谢谢楼主，望采纳！\n怎能赢得群众的好感？\n"
    )
    assert cleaned.paragraphs == (
        "干部为什么要到群众中去？因为群众是真正的英雄，离开群众我们将一事无成。",
        "怎能赢得群众的好感？",
    )


def test_a_page_with_a_title_and_no_text_is_reported_not_loaded(tmp_path: Path) -> None:
    cleaned = clean_text("首页\n新闻\n短短一行字\n")
    assert (cleaned.title, cleaned.paragraphs) == ("短短一行字", ())
    path = tmp_path / "menu.txt"
    path.write_text("首页\n新闻\n短短一行字\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no article text left after cleaning"):
        load_document(path)


def test_an_unseen_party_site_layout_is_cleaned_by_the_same_signals() -> None:
    page = (
        "某某市机关党建网\n扎根基层的好干部\n——记某某镇党委书记王强\n"
        "发布时间：2014-05-06 作者：刘青 来源：市委组织部\n【字体：大 中 小】【打印】【关闭】\n"
        "分享到：微信 微博 QQ空间\n扫一扫在手机打开当前页\n"
        "　　王强同志扎根基层二十年，始终把群众的冷暖放在心上，带领群众修路架桥，发展产业。\n"
        "　　他常说：“干部就要为群众办事，不办事要干部干什么？”\n"
        "声明：本文仅代表作者观点，不代表本站立场。\n（责任编辑：张三）\n"
    )
    cleaned = clean_text(page)
    assert (cleaned.title, cleaned.date, cleaned.source, cleaned.author) == (
        "扎根基层的好干部",
        "2014-05-06",
        "市委组织部",
        "刘青",
    )
    assert cleaned.paragraphs == (
        "——记某某镇党委书记王强",
        "王强同志扎根基层二十年，始终把群众的冷暖放在心上，带领群众修路架桥，发展产业。",
        "他常说：“干部就要为群众办事，不办事要干部干什么？”",
    )


def test_a_forum_thread_keeps_the_first_post_and_drops_the_replies() -> None:
    page = (
        "某某论坛 » 党建园地 » 学习心得\n标题：谈谈我对群众路线的认识\n"
        "楼主  发表于 2014-5-6 10:20  只看该作者\n"
        "　　群众路线是我们党的生命线，这句话我以前只是背过，这次学习以后才真正有了体会。\n"
        "　　在基层工作，群众的事情都是具体的事情，只有一件一件办好，群众才会相信你。\n"
        "回复 引用 举报\n沙发\n写得好，支持一下！\n板凳\n顶一下\n"
    )
    cleaned = clean_text(page)
    assert (cleaned.title, cleaned.date) == ("谈谈我对群众路线的认识", "2014-05-06")
    assert cleaned.paragraphs == (
        "群众路线是我们党的生命线，这句话我以前只是背过，这次学习以后才真正有了体会。",
        "在基层工作，群众的事情都是具体的事情，只有一件一件办好，群众才会相信你。",
    )


def test_running_page_headers_of_a_paged_document_are_dropped() -> None:
    sentence = "党员干部要深入基层，倾听群众呼声，把群众的冷暖放在心上，为群众办实事。"
    pages = [f"党的群众路线学习材料\n　　{sentence}\n- {n} -" for n in range(1, 5)]
    cleaned = clean_text("学习材料汇编\n" + "\n".join(pages))
    assert cleaned.paragraphs == (sentence,) * 4
    assert [d.reason for d in cleaned.dropped].count(
        "repeated line (running page header or footer)"
    ) == 4


def test_a_short_line_the_author_repeats_twice_stays() -> None:
    text = "标题\n\n党员干部要深入基层，倾听群众呼声。\n同志们\n要把群众的冷暖放在心上。\n同志们\n"
    assert clean_text(text).paragraphs.count("同志们") == 2


def test_a_column_label_between_title_and_dateline_is_not_the_title() -> None:
    page = (
        "理论频道\n坚持群众路线 密切联系群众\n学习园地 · 第5期\n2014-05-06 来源：某某日报\n"
        "　　密切联系群众是我们党的优良作风，也是我们党的最大政治优势，必须始终坚持。\n"
    )
    cleaned = clean_text(page)
    assert cleaned.title == "坚持群众路线 密切联系群众"
    assert cleaned.paragraphs == (
        "密切联系群众是我们党的优良作风，也是我们党的最大政治优势，必须始终坚持。",
    )


def test_a_column_label_inside_the_text_is_dropped_and_never_a_heading() -> None:
    from handouts.corpus.sections import split_sections

    text = (
        "标题\n\n党员干部要深入基层，倾听群众呼声，把群众的冷暖放在心上。\n第2号文档 · 学习园地\n"
        "只有这样，才能赢得群众的信任和支持，让群众路线落到实处。\n"
    )
    cleaned = clean_text(text)
    assert len(cleaned.paragraphs) == 2
    assert len(split_sections("d", "标题", cleaned.paragraphs)) == 1


@pytest.mark.parametrize(
    ("html_title", "title"),
    [
        ("倾听群众呼声 解决群众难题_党建频道_某某新闻网", "倾听群众呼声 解决群众难题"),
        ("坚持群众路线 - 某某网", "坚持群众路线"),
        ("群众路线｜学习园地", "群众路线"),
        ("走好新时代群众路线", "走好新时代群众路线"),
    ],
)
def test_a_page_title_hint_loses_the_site_suffix(html_title: str, title: str) -> None:
    body = "党员干部要深入基层，倾听群众呼声，把群众的冷暖放在心上，为群众办实事。\n"
    assert clean_text(body, title=html_title).title == title


@pytest.mark.parametrize("markdown", [False, True])
def test_a_numbered_head_broken_over_two_lines_is_joined_and_stays_a_head(markdown: bool) -> None:
    from handouts.corpus.sections import split_sections

    text = (
        "反对本本主义\n\n三　反对本本主义\n\n怎样纠正这种本本主义？只有向实际情况作调查，"
        "这是大家都明白的道理，不必多说。\n\n"
        "四　离开实际调查就要产生唯心的阶级估量和唯心的工作指导，\n\n"
        "那末，它的结果，不是机会主义，便是盲动主义\n\n"
        "　　你不相信这个结论吗？事实要强迫你信。你试试离开实际调查去估量政治形势，"
        "去指导斗争工作，是不是空洞的唯心的呢？\n"
    )
    cleaned = clean_text(text, markdown=markdown)
    head = (
        "四 离开实际调查就要产生唯心的阶级估量和唯心的工作指导，"
        "那末，它的结果，不是机会主义，便是盲动主义"
    )
    assert head in cleaned.paragraphs
    sections = split_sections("d", "反对本本主义", cleaned.paragraphs, markdown=markdown)
    assert [(s.title, s.level) for s in sections][-2:] == [("三 反对本本主义", 1), (head, 1)]


@pytest.mark.parametrize("line", ["->", "<-", "* * *", "——", "……", "→ →", "◆◆◆"])
def test_a_line_without_a_single_word_is_not_text(line: str) -> None:
    body = "这是正文的第一段话，内容比较长，足以被当作正文来处理，不会被删掉。"
    cleaned = clean_text(f"标题\n\n{line}\n\n{body}\n\n{line}\n\n{body}\n")
    assert line.strip() not in cleaned.paragraphs
    assert cleaned.paragraphs == (body, body)


def test_an_appeal_to_subscribe_ends_the_article() -> None:
    body = "名列世界遺產的日本岐阜縣合掌村，說它是世外桃源並不為過，山明水秀，五色紛陳。"
    page = (
        f"合掌村秋色\n\n{body}\n\n"
        "請加入成為眾新聞的月費訂戶，長期支持我們的工作。所有訂戶都可以收到我們的通訊。\n\n"
        "【博客】在紙媒混跡數十年，重拾揸機樂趣，自始樂此不疲，作品上載於多個網站。\n"
    )
    cleaned = clean_text(page)
    assert cleaned.paragraphs == (body,)
    assert any("appeal" in d.reason or "after end-of-article" in d.reason for d in cleaned.dropped)


def test_a_shortcode_line_goes_but_markup_shown_as_text_stays() -> None:
    body = "名列世界遺產的日本岐阜縣合掌村，說它是世外桃源並不為過，山明水秀，五色紛陳。"
    shown = '<img src="a.png"> 这一行是网页上显示出来的标记，读者看得见，它是正文。'
    page = f'标题\n\n{body}\n\n{{{{< video src="https://x.org/embed/1" >}}}}\n\n{shown}\n'
    cleaned = clean_text(page)
    assert cleaned.paragraphs == (body, repair(shown))


def test_a_back_link_run_into_the_last_line_is_cut_from_it() -> None:
    body = "加强农村基层基础工作，健全自治、法治、德治相结合的乡村治理体系，这是长期任务。"
    cleaned = clean_text(f"标题\n\n{body}\n\n（整理/田宏）返回搜狐，查看更多\n")
    assert cleaned.paragraphs == (body, "（整理/田宏）")


def test_a_notice_in_another_language_after_a_chinese_article_is_dropped() -> None:
    body = "对党忠诚是纯粹的、无条件的，只有对党的事业无限忠诚，才会有浩然正气。" * 8
    page = (
        f"读后感\n\n{body}\n\n注：图片来自网络。\n\n"
        "This page is synchronized from the post: '学习读后感 My Thoughts after Reading'\n"
    )
    cleaned = clean_text(page)
    assert cleaned.paragraphs == (body, "注：图片来自网络。")


@pytest.mark.parametrize(
    "page",
    [
        "学习专栏\n\n{P}\n\n{P}\n",
        "领导干部要坚持密切联系群众\n\n2017-03-23 来源：人民网\n\n学习专栏\n\n{P}\n\n{P}\n",
        "领导干部要坚持密切联系群众\n\n{P}\n\n党建动态\n\n{P}\n\n{P}\n",
    ],
)
def test_a_sites_column_name_is_neither_title_nor_text(page: str) -> None:
    para = "党员干部要深入基层，倾听群众呼声，了解群众疾苦，解决群众最关心的利益问题。"
    cleaned = clean_text(page.replace("{P}", para))
    assert cleaned.title in (None, "领导干部要坚持密切联系群众")
    assert set(cleaned.paragraphs) == {para}


def test_a_reposted_pages_original_title_label_is_not_part_of_the_title() -> None:
    para = "央视网消息：9月23日，中华大地亿万农民迎来首个“中国农民丰收节”，各地举办了庆祝活动。"
    cleaned = clean_text(f"原标题：丰收节，看习近平如何谋划这篇大文章\n\n{para}\n")
    assert cleaned.title == "丰收节，看习近平如何谋划这篇大文章"


def test_a_saved_sharing_site_page_keeps_its_article_under_its_dated_heading() -> None:
    """A page saved with its site around it: the saver's title line, the site's menus and
    tool bars, the article's heading (with a 【原】 mark) over its dateline, the article,
    then the site's disclaimer and its buttons.  The heading over the dateline is the
    title; everything above it is the site's header, everything from the disclaimer on
    its footer."""
    para = "在电脑上创建还原点后，在磁盘管理器中就会出现一个恢复分区，那就需要我们进行手动删除。"
    page = (
        "# 删除电脑磁盘恢复分区\n\n我的图书馆\n\n有11人和你对话，查看 忽略\n\n"
        "生成长图 转Word 打印 朗读 全屏 修改 转藏+1\n\n微信扫一扫关注查看更多精彩文章\n\n"
        "## 【原】删除电脑磁盘恢复分区\n\n晨花夕月 2021-05-09 | 20244阅读 | 40转藏\n\n大 中 小\n\n"
        "转藏全屏朗读打印转Word生成长图分享\n\nQQ空间QQ好友新浪微博微信\n\n"
        f"{para}\n\n## 输入指令删除分区\n\n{para}\n\n"
        "本站是提供个人知识管理的网络存储空间，所有内容均由用户发布，不代表本站观点。"
        "如发现有害或侵权内容，请点击这里举报。\n\n转藏到我的图书馆献花（0）分享：微信\n\n"
        "推荐：发原创得奖金，“原创奖励计划”来了！|品味北京的文化之美，有奖征文一起去记录！\n"
    )
    cleaned = clean_text(page, markdown=True)
    assert (cleaned.title, cleaned.date) == ("删除电脑磁盘恢复分区", "2021-05-09")
    assert cleaned.paragraphs == (para, "## 输入指令删除分区", para)


@pytest.mark.parametrize(
    "line",
    ["QQ空间 QQ好友 新浪微博 微信", "转藏全屏朗读打印转Word生成长图分享", "献花（0）分享 举报"],
)
def test_a_row_of_page_buttons_is_not_text(line: str) -> None:
    body = "这是正文的第一段话，内容比较长，足以被当作正文来处理，不会被删掉。"
    cleaned = clean_text(f"标题\n\n{body}\n\n{line}\n\n{body}\n")
    assert cleaned.paragraphs == (body, body)


def test_an_authors_paragraph_naming_the_site_words_is_not_a_disclaimer() -> None:
    """Only the site speaking of itself and disowning what it shows (本站, 不代表,
    侵权 …) closes the article; a station's paragraph about downloading and sharing
    study files goes on."""
    first = "会上，支部书记传达了上级关于开展主题教育的通知精神，对学习作出安排。"
    second = "本站党支部要求党员及时下载学习材料，在学习群里分享心得体会，做到学深悟透。"
    third = "会后大家纷纷表示，要把学习成果转化为推动工作的强大动力，切实为群众办实事。"
    cleaned = clean_text(f"标题\n\n{first}\n\n{second}\n\n{third}\n")
    assert cleaned.paragraphs == (first, second, third)


def test_repair_keeps_the_space_after_markdown_heading_hashes() -> None:
    assert repair("## 【原】删除分区") == "## 【原】删除分区"
    assert repair(repair("### （一）说明 ，好")) == "### （一）说明，好"
