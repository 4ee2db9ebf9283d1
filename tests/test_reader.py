"""Reading bytes: encodings, line ends, and files that are not text at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.corpus.load import load_document
from handouts.errors import InputFileError
from handouts.readers import read_document
from handouts.readers.decode import decode
from handouts.readers.md import markdown_to_text, split_front_matter

TEXT = "群众路线是我们党的生命线和根本工作路线。\n一切为了群众，一切依靠群众。\n"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("gb18030", b""),
        ("gbk", b""),
        ("big5", b""),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
    ],
)
def test_chinese_text_decodes_from_every_common_encoding(encoding: str, prefix: bytes) -> None:
    text = (
        TEXT
        if encoding != "big5"
        else "群眾路線是我們黨的生命線和根本工作路線。\n一切為了群眾，一切依靠群眾。\n"
    )
    decoded, _ = decode(prefix + text.encode(encoding), "x.txt")
    assert decoded == text


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_line_ending_reads_as_newline(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(TEXT.replace("\n", newline).encode("utf-8"))
    assert read_document(path).text == TEXT


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty file"),
        (b"  \r\n\t\n", "empty file"),
        (b"\xef\xbb\xbf", "empty file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01\x02", "binary file, not text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not text"),
        (bytes(range(256)) * 4, "binary file, not text"),
    ],
)
def test_empty_and_binary_files_raise_an_error_naming_the_file(
    tmp_path: Path, data: bytes, problem: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(InputFileError) as err:
        read_document(path)
    assert str(err.value) == f"{path}: {problem}"


def test_unknown_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "doc.xyz"  # was .docx, which is now read (tests/test_docx_reader.py)
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputFileError, match="unsupported file type"):
        read_document(path)


def test_markdown_emphasis_links_and_footnotes_become_plain_text() -> None:
    text = markdown_to_text(
        "# 标题\n\n这是**重点**和*强调*，见[原文](http://a.b/c)与![图](x.png)[^1]。\n"
        "第二行接着写。\n\n- 条目一\n- 条目二\n\n[^1]: 注释内容。\n"
    )
    assert text.split("\n\n") == [
        "# 标题",
        "这是重点和强调，见原文与。第二行接着写。",
        "条目一",
        "条目二",
        "注1：注释内容。\n",
    ]


def test_underscores_inside_words_and_urls_are_not_emphasis() -> None:
    assert markdown_to_text("文件名 my_file_name 不变。") == "文件名 my_file_name 不变。\n"


def test_front_matter_gives_title_date_and_author() -> None:
    meta, body = split_front_matter("---\ntitle: 札记\ndate: 2014-07-20\n作者: 青山\n---\n正文。\n")
    assert meta["title"] == "札记" and meta["date"] == "2014-07-20" and meta["author"] == "青山"
    assert body == "正文。\n"


def test_html_page_yields_main_text_and_meta_title(tmp_path: Path) -> None:
    html = (
        "<html><head><title>站点</title><meta charset='utf-8'></head><body>"
        "<nav><a href='/'>首页</a><a href='/x'>新闻</a></nav><article><h1>走好群众路线</h1>"
        "<p>党员干部要深入基层，倾听群众呼声，把群众的冷暖放在心上，为群众办实事、做好事。</p>"
        "<p>只有这样，才能赢得群众的信任和支持，密切党群干群关系，让群众路线落到实处。</p>"
        "</article><footer>Copyright 2014</footer></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    raw = read_document(path)
    assert raw.format == "markdown" and raw.title == "走好群众路线" and raw.date is None
    assert "倾听群众呼声" in raw.text and "Copyright" not in raw.text
    doc = load_document(path)
    assert doc.title == "走好群众路线"
    assert doc.sections[0].paragraphs == (
        "党员干部要深入基层，倾听群众呼声，把群众的冷暖放在心上，为群众办实事、做好事。",
        "只有这样，才能赢得群众的信任和支持，密切党群干群关系，让群众路线落到实处。",
    )


def test_html_page_without_article_text_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav><a href='/'>首页</a></nav></body></html>", encoding="utf-8")
    with pytest.raises(InputFileError, match="no article text") as err:
        load_document(path)
    assert str(path) in str(err.value)


def test_ascii_utf16_without_bom_reads_in_either_byte_order() -> None:
    for encoding in ("utf-16-le", "utf-16-be"):
        assert decode("Plain notes.\n".encode(encoding), "x.txt") == ("Plain notes.\n", encoding)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("群众路线", "gbk"),
        ("坚持从群众中来，到群众中去，是党的根本工作路线。", "gb18030"),
        ("群眾路線", "big5"),
        ("堅持從群眾中來，到群眾中去，是黨的根本工作路線。", "big5"),
    ],
)
def test_short_legacy_texts_are_not_mistaken_for_the_other_code_page(
    text: str, encoding: str
) -> None:
    assert decode(text.encode(encoding), "x.txt")[0] == text


def test_bytes_no_chinese_code_page_can_read_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "garbled.txt"
    path.write_bytes(b"\x80\xff" * 50)
    with pytest.raises(InputFileError) as err:
        read_document(path)
    assert str(err.value) == f"{path}: cannot decode: not UTF-8, UTF-16, GB18030 or Big5 text"


def test_an_unclosed_markdown_link_is_left_alone_without_backtracking() -> None:
    # With nested repetition in the link pattern this input took minutes per extra
    # character; it must come back at once and unchanged.
    text = "见[原文](" + "a" * 60 + " 未闭合"
    assert markdown_to_text(text) == text + "\n"


def test_markdown_backslash_escapes_stand_for_the_character() -> None:
    text = markdown_to_text(r"见\[1\]，\*号不是强调\*，路径 a\\b。")
    assert text == "见[1]，*号不是强调*，路径 a\\b。\n"


def test_front_matter_after_a_leading_blank_line_is_still_front_matter() -> None:
    meta, body = split_front_matter("\n---\ntitle: '学习读后感'\ntags:\n- cn\n---\n\n正文。\n")
    assert meta["title"] == "学习读后感"
    assert body.strip() == "正文。"


def test_an_html_fragment_trafilatura_gives_up_on_is_read_block_by_block(tmp_path: Path) -> None:
    page = tmp_path / "fragment.html"
    page.write_text(
        '<div class="bui-left"><div class="article-box">\n'
        '      <p style="text-align: center;"><span>每年两会，习近平总书记参加团组审议讨论，'
        "总是备受关注。</span></p>\n"
        '      <p style="text-align: center;">&nbsp;</p>\n'
        '      <p style="text-align: center;">&mdash;&mdash;2013年，'
        "参加科协、科技界委员联组会。</p>\n"
        "      </div></div>",
        encoding="utf-8",
    )
    text = read_document(page).text
    assert "每年两会，习近平总书记参加团组审议讨论，总是备受关注。" in text
    assert "——2013年，参加科协、科技界委员联组会。" in text


def test_markup_a_page_shows_as_text_stays_text(tmp_path: Path) -> None:
    page = tmp_path / "escaped.html"
    page.write_text(
        "<html><head><title>测试页面</title></head><body><article><h1>测试页面</h1>"
        "<p>第一段正文，内容比较长，用来确认正文会被完整保留下来，没有任何问题，这是很普通的话。</p>"
        '<p>网页上显示的标记&lt;img src="a.png"&gt;是读者看得见的文字，它应当作为正文保留。</p>'
        "<p>第三段正文，内容也比较长，用来确认前后的正文都还在，文章结构没有被破坏，可以阅读。</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    assert '网页上显示的标记<img src="a.png">是读者看得见的文字' in read_document(page).text
    assert markdown_to_text(r"写法 \*不是强调\* 和 \<b\>") == "写法 *不是强调* 和 <b>\n"


def test_setext_headings_are_headings() -> None:
    text = markdown_to_text(
        "学习体会\n=====\n\n第一段正文。\n\n一、提高认识\n------\n\n第二段正文。\n\n---\n\n第三段。\n"
    )
    assert text.split("\n\n") == [
        "# 学习体会", "第一段正文。", "## 一、提高认识", "第二段正文。", "第三段。\n"
    ]


def test_link_syntax_a_page_converter_left_is_not_text() -> None:
    """A link wrapped around a block spans blank lines, so Markdown shows its brackets and
    destination as text; a linked image without its image is an empty link."""
    text = markdown_to_text(
        "[![logo](a.png)\n](http://site.example/index.html)\n\n[\n\n撰写\n\n](/edit/write.aspx)[\n\n"
        "文档\n\n](/edit/upload.aspx)\n\n转藏分享[](javascript:void(0);)\n\n"
        "正文见[第1条](#_ftn1)和[[1]](#_ftnref1)。\n"
    )
    # An in-page footnote marker stays for the notes stage to resolve.
    assert text.split("\n\n") == ["撰写", "文档", "转藏分享", "正文见第1条和[[1]](#_ftnref1)。\n"]


def test_a_page_body_without_a_head_is_titled_by_its_pictures_shared_alt_text(
        tmp_path: Path) -> None:
    """A news portal's article body saved without <head> names the article only in the
    alt text of its pictures (tests/data/real/news_lianghui_jiebie.html)."""
    title = "今年两会，总书记首次到这两个界别，都说了啥？"
    body = "".join(f"<p>第{n}段：每年两会，总书记参加团组审议讨论，总是备受关注。</p>"
                   f'<img src="x{n}.jpg" alt="{title}" />' for n in range(3))
    page = tmp_path / "news.html"
    page.write_text(f"<div>{body}<img src='y.jpg' alt='图片' /></div>", encoding="utf-8")
    assert read_document(page).title == title
    single = tmp_path / "single.html"
    single.write_text(f'<div><p>{"正文内容很长。" * 20}</p><img src="x.jpg" alt="{title}" /></div>',
                      encoding="utf-8")
    assert read_document(single).title is None  # one picture's caption names nothing
