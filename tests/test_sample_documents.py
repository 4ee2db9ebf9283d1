"""Pages written for the tests (tests/data/docs, made by tests/data/make_docs.py),
each imitating a kind of site the seeds do not cover, in the encodings such pages
come in.  The same checks as for the seeds: furniture gone, metadata right, headings
at the right level, the author's sentences all there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from handouts.corpus.load import explain, explain_data, load_document, load_documents
from handouts.corpus.notes import strip_markers
from handouts.errors import HandoutsError, InputFileError
from handouts.model import Document

DOCS = Path(__file__).parent / "data" / "docs"


@dataclass(frozen=True)
class Expected:
    encoding: str
    title: str
    date: str | None
    source: str | None
    author: str | None
    headings: tuple[tuple[str, int], ...]
    furniture: tuple[str, ...]
    keep: tuple[str, ...]
    extra: dict[str, str] = field(default_factory=dict)


EXPECTED = {
    "portal_menu.txt": Expected(
        "gb18030",
        "践行群众路线要在“实”字上下功夫",
        "2014-06-12",
        "人民网",
        "李明",
        (("一、学习要实", 1), ("二、查摆要实", 1), ("三、整改要实", 1)),
        (
            "首页",
            "时政",
            "登录",
            "当前位置",
            "08:30",
            "责任编辑",
            "分享到",
            "相关新闻",
            "各地扎实推进",
            "网站简介",
            "ICP",
            "公网安备",
        ),
        (
            "党的群众路线教育实践活动开展以来，各地坚持边学边查边改，一批群众反映强烈的问题得到解决。",
            "对群众反映的“门难进、脸难看、事难办”问题",
            "只有在“实”字上下功夫，才能让群众满意，让活动取得经得起检验的成效。",
        ),
    ),
    "docshare_utf16.txt": Expected(
        "utf-16",
        "基层党组织服务群众工作手册",
        None,
        None,
        None,
        (
            ("第一章 总体要求", 1),
            ("一、坚持以人为本", 2),
            ("（一）尊重群众主体地位", 3),
            ("（二）维护群众切身利益", 3),
            ("二、坚持问题导向", 2),
            ("第二章 工作方法", 1),
            ("一、建立联系群众制度", 2),
            ("二、畅通诉求表达渠道", 2),
        ),
        ("下载", "积分", "收藏", "举报", "- 2 -", "1/3", "文档评论"),
        ("做到公开透明，接受群众监督，不能搞暗箱操作。", "做到件件有回音、事事有着落。"),
    ),
    "essay_big5.txt": Expected(
        "big5",
        "學習群眾路線心得體會",
        "2014-05-06",
        None,
        None,
        (
            ("（一）提高思想認識", 1),
            ("第一，要認識到群眾路線是黨的優良傳統", 2),
            ("第二，要認識到脫離群眾是最大的危險", 2),
            ("（二）落實到具體行動", 1),
        ),
        ("首頁", "發佈時間", "閱讀", "1234", "範文網", "轉載", "上一篇", "教師個人工作總結"),
        (
            "通過近段時間的學習，我對黨的群眾路線有了更加深刻的認識。",
            "總之，我們要以這次活動為契機，真正做到為民、務實、清廉。",
        ),
    ),
    "blog_post.md": Expected(
        "utf-8",
        "读《论群众路线》札记",
        "2014-07-20",
        None,
        "青山",
        (("一、为什么要走群众路线", 1), ("二、怎样走好群众路线", 1)),
        (
            "**",
            "*",
            "](",
            "http",
            "[^1]",
            "本文首发",
            "转载",
            "相关文章",
            "读书笔记",
            "焦裕禄",
            "---",
        ),
        (
            "读的时候最大的感受是，群众路线不是一句口号，而是实实在在的工作方法。",
            "人民，只有人民，才是创造世界历史的动力。",
            "这句话毛泽东同志早在1945年就说过。",
            "要俯下身子，到群众中去；",
            "注1：见《论联合政府》，1945年4月。",
        ),
    ),
    "saved_page.html": Expected(
        "gb18030",
        "倾听群众呼声 解决群众难题",
        "2014-04-18",
        "某某日报",
        None,
        (("一、到群众中去听", 1), ("二、带着问题去改", 1)),
        (
            "首页",
            "党建频道",
            "您的位置",
            "热门文章",
            "深入基层接地气",
            "Copyright",
            "ICP",
            "<",
            "09:12",
        ),
        (
            "开展党的群众路线教育实践活动，必须把倾听群众呼声作为第一步。",
            "不能坐在办公室里听汇报。",
            "也是密切党群干群关系的有效途径。",
        ),
    ),
    "qa_answer.txt": Expected(
        "utf-8-sig",
        "什么是群众路线？群众路线的基本内容是什么？",
        "2013-11-20",
        None,
        None,
        (("1、一切为了群众", 1), ("2、一切依靠群众", 1), ("3、从群众中来，到群众中去", 1)),
        ("百度知道", "提问者", "最佳答案", "望采纳", "楼主", "为您推荐", "什么时候提出"),
        (
            "群众路线是我们党的根本工作路线，就是一切为了群众，一切依靠群众，从群众中来，到群众中去。",
            "要把群众的意见集中起来，再到群众中去贯彻执行。",
        ),
    ),
    "speech_pdf.txt": Expected(
        "utf-8",
        "在全县党的群众路线教育实践活动动员大会上的讲话",
        "2014-02-18",
        None,
        None,
        (
            ("第一部分 充分认识开展教育实践活动的重大意义", 1),
            ("一是保持党的先进性和纯洁性的需要", 2),
            ("二是解决群众反映强烈的突出问题的需要", 2),
            ("第二部分 准确把握教育实践活动的目标要求", 1),
            ("把握总要求", 2),
            ("突出重点", 2),
            ("首先，要聚焦“四风”问题", 3),
            ("其次，要解决群众身边的问题", 3),
        ),
        ("- 2 -", "●", "\u3000"),
        (
            "同志们：",
            "主要任务是深入学习贯彻中央和省委、市委的部署要求，对全县开展教育实践活动进行动员部署。",
            "我们党来自人民、植根人民、服务人民，一旦脱离群众，就会失去生命力。",
            "向全县人民交出满意的答卷！",
        ),
    ),
    "gov_notice.txt": Expected(
        "gb18030",
        "关于深入开展“走基层、访民情、办实事”活动的通知",
        "2014-03-05",
        "县委组织部",
        None,
        (
            ("一、活动内容", 1),
            ("（一）走基层", 2),
            ("（二）访民情", 2),
            ("（三）办实事", 2),
            ("二、工作要求", 1),
        ),
        (
            "门户网站",
            "字号",
            "打印本页",
            "关闭窗口",
            "浏览次数",
            "主办",
            "邮编",
            "网站标识码",
            "ICP",
        ),
        (
            "各乡镇党委，县直各单位党组织：",
            "每名党员干部联系不少于五户群众，逐户走访，建立民情台账，详细记录群众的困难和诉求。",
            "活动情况将纳入年度考核内容。",
            "中共某某县委组织部",
            "2014年3月5日",
        ),
    ),
    "wechat_article.txt": Expected(
        "utf-16-le",
        "做群众的贴心人",
        "2014-05-10",
        None,
        None,
        (("多走一步路", 1), ("多说一句话", 1), ("多办一件事", 1)),
        ("原创", "蓝字", "二维码", "阅读原文", "在看", "1万+", "喜欢此内容", "■"),
        (
            "在基层工作多年，我最大的体会是：只有把群众当亲人，群众才会把你当自家人。",
            "说一千道一万，不如实实在在办一件事。",
        ),
    ),
}


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    return {name: load_document(DOCS / name) for name in EXPECTED}


def full_text(doc: Document) -> str:
    """The words of a document: titles, texts without their note markers, and the notes
    (which now travel apart from the text) as ``注n：…`` lines."""
    return "\n".join(
        "\n".join(
            [s.title, strip_markers(s.text, len(s.notes))]
            + [f"注{n}：{note}" for n, note in enumerate(s.notes, 1)]
        )
        for s in doc.sections
    )


def test_there_are_at_least_eight_sample_pages_in_several_encodings() -> None:
    assert len(EXPECTED) >= 8
    assert {e.encoding for e in EXPECTED.values()} >= {
        "utf-8",
        "utf-8-sig",
        "gb18030",
        "big5",
        "utf-16",
    }
    assert {Path(n).suffix for n in EXPECTED} == {".txt", ".md", ".html"}
    raw = {name: (DOCS / name).read_bytes() for name in EXPECTED}
    assert any(b"\r\n" in data for data in raw.values())
    assert any(b"\r" in data and b"\n" not in data for data in raw.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_encoding_is_detected(name: str) -> None:
    assert explain_data(DOCS / name)["encoding"] == EXPECTED[name].encoding


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata_is_found(documents: dict[str, Document], name: str) -> None:
    doc, want = documents[name], EXPECTED[name]
    assert (doc.title, doc.date, doc.source, doc.author) == (
        want.title,
        want.date,
        want.source,
        want.author,
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_site_furniture_is_gone(documents: dict[str, Document], name: str) -> None:
    text = full_text(documents[name])
    for phrase in EXPECTED[name].furniture:
        assert phrase not in text, f"{phrase!r} left in {name}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_authors_sentences_survive_in_full_width_form(
    documents: dict[str, Document], name: str
) -> None:
    text = full_text(documents[name]).replace("\n", "")
    for sentence in EXPECTED[name].keep:
        assert sentence in text, f"lost in {name}: {sentence}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_headings_are_found_at_their_level(documents: dict[str, Document], name: str) -> None:
    doc = documents[name]
    found = tuple((s.title, s.level) for s in doc.sections if s.title != doc.title)
    assert found == EXPECTED[name].headings


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_text_before_the_first_heading_is_titled_with_the_document(
    documents: dict[str, Document], name: str
) -> None:
    doc = documents[name]
    first = doc.sections[0]
    if first.title == doc.title:
        assert first.level == 1 and first.parent is None and first.text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_half_width_punctuation_beside_han(documents: dict[str, Document], name: str) -> None:
    for s in documents[name].sections:
        for text in (s.title, s.text):
            assert not re.search(r"[\u4e00-\u9fff][,.;:!?]|[,;:!?][\u4e00-\u9fff]", text), text


def test_a_page_broken_by_a_page_number_is_one_paragraph(documents: dict[str, Document]) -> None:
    section = next(
        s for s in documents["docshare_utf16.txt"].sections if s.title == "（二）维护群众切身利益"
    )
    assert section.paragraphs == (
        "凡是涉及群众切身利益的事情，都要认真听取群众意见，做到公开透明，接受群众监督，不能搞暗箱操作。",
    )


def test_indented_lines_start_paragraphs_in_wrapped_text(documents: dict[str, Document]) -> None:
    intro = documents["speech_pdf.txt"].sections[0]
    assert intro.paragraphs[0] == "同志们："
    assert intro.paragraphs[1].startswith("今天召开") and intro.paragraphs[1].endswith(
        "我讲三点意见。"
    )


def test_the_sample_folder_loads_as_a_corpus(tmp_path: Path) -> None:
    for name in EXPECTED:
        (tmp_path / name).write_bytes((DOCS / name).read_bytes())
    (tmp_path / "themes.toml").write_text("[[theme]]\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    documents, problems = load_documents(tmp_path)
    assert [d.id for d in documents] == sorted(Path(n).stem for n in EXPECTED)
    assert [str(p) for p in problems] == [f"{tmp_path / 'empty.txt'}: empty file"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_explain_names_every_dropped_line_and_heading(
    documents: dict[str, Document], name: str
) -> None:
    report = explain(DOCS / name)
    data = explain_data(DOCS / name)
    assert data["dropped"], name
    for dropped in data["dropped"]:
        assert dropped["reason"] in report
    for section in documents[name].sections:
        assert f"[level {section.level}] {section.title}" in report


def test_a_missing_corpus_folder_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HandoutsError) as err:
        load_documents(tmp_path / "nowhere")
    assert str(err.value) == f"{tmp_path / 'nowhere'}: corpus directory not found"


def test_a_folder_without_documents_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "themes.toml").write_text("", encoding="utf-8")
    (tmp_path / "notes.key").write_bytes(b"PK")
    with pytest.raises(HandoutsError) as err:
        load_documents(tmp_path)
    assert str(err.value) == f"{tmp_path}: no .txt, .md, .html, .docx or .pdf documents"


def test_strict_loading_raises_the_first_bad_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes((DOCS / "portal_menu.txt").read_bytes())
    (tmp_path / "b.txt").write_bytes(b"\x00\x01\x02\x03binary\x00\xff")
    (tmp_path / "c.md").write_bytes(b"")
    documents, problems = load_documents(tmp_path)
    assert [d.id for d in documents] == ["a"]
    assert [type(p) for p in problems] == [InputFileError, InputFileError]
    with pytest.raises(InputFileError) as err:
        load_documents(tmp_path, strict=True)
    assert str(err.value).startswith(str(tmp_path / "b.txt"))
