"""Properties of cleaning and sectioning, checked on generated pages.

The article bodies are built from words of the study-text domain, so the checks speak
about text like the corpus's, wrapped in page furniture of the kinds the cleaner
must remove.  Characters that make up the site vocabulary (本站, 下载, 相关阅读 …)
are left out of the body alphabet: a body line made of two site words is exactly
what the cleaner is meant to drop, and is no counter-example.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from handouts.corpus.clean import clean_text, repair, vocabulary
from handouts.corpus.sections import split_sections

_VOCAB = vocabulary()
_SITE_CHARS = set("".join(_VOCAB.site_terms + _VOCAB.end_markers + _VOCAB.widgets + _VOCAB.chatty))
HAN = "".join(
    sorted(
        set(
            "群众路线党的干部基层服务人民工作实践学习教育活动深入联系作风建设问题解决意见制度改革"
            "发展社会思想政治组织领导坚持加强提高推进落实心中实事求真务清廉为民利益感情困难方法"
        )
        - _SITE_CHARS
        - set("一二三四五六七八九十是首其再最第")  # no accidental heading markers
    )
)

words = st.text(alphabet=HAN, min_size=2, max_size=8)
clause = st.lists(words, min_size=2, max_size=4).map("".join)


@st.composite
def sentence(draw: st.DrawFn) -> str:
    """A long Han sentence: clauses joined by commas, closed by a full stop."""
    parts = draw(st.lists(clause, min_size=3, max_size=6))
    text = "，".join(parts)
    return text + draw(st.sampled_from(["。", "！", "？", "。"]))


HEADER = st.lists(
    st.sampled_from(
        [
            "首页",
            "新闻",
            "时政",
            "评论",
            "登录 | 注册 | 手机版",
            "当前位置：首页 > 时政 > 正文",
            "查看更多",
            "本站文档均由网友上传，下载前请仔细阅读版权声明。",
            "5034",
            "字号：大 中 小",
        ]
    ),
    max_size=12,
)
FOOTER = st.lists(
    st.sampled_from(
        [
            "责任编辑：王芳",
            "相关阅读",
            "· 各地扎实推进教育实践活动",
            "上一篇：甲 下一篇：乙",
            "本站热搜",
            "网站简介 | 联系我们 | 广告服务",
            "Copyright © 2014 某某网 版权所有",
            "京ICP备05012345号",
            "文档评论(0)",
            "2",
        ]
    ),
    max_size=12,
)


def squash(text: str) -> str:
    return re.sub(r"[^\w]", "", text)


# A scraped page: site header, an essay title, body sentences, site footer.
PAGE = (
    HEADER,
    words.map(lambda w: w + "的几点体会"),
    st.lists(sentence(), min_size=1, max_size=8),
    FOOTER,
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=HAN + "，。,.;:!?\"'()（）“”…  \u3000abc123-/:", max_size=80))
def test_repair_is_idempotent(text: str) -> None:
    once = repair(text)
    assert repair(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=HAN + ",.;:!?()\"' 0123456789abc", max_size=80))
def test_repair_keeps_every_letter_digit_and_han_character(text: str) -> None:
    assert squash(repair(text)) == squash(text)


@settings(max_examples=150, deadline=None)
@given(*PAGE)
def test_cleaning_never_drops_a_long_sentence_of_the_body(
    header: list[str], title: str, body: list[str], footer: list[str]
) -> None:
    page = "\n".join([*header, title, *("\u3000\u3000" + s for s in body), *footer])
    cleaned = clean_text(page)
    kept = squash("".join(cleaned.paragraphs))
    for line in body:
        assert squash(line) in kept
    assert cleaned.title == title


@settings(max_examples=150, deadline=None)
@given(*PAGE)
def test_cleaning_is_idempotent(
    header: list[str], title: str, body: list[str], footer: list[str]
) -> None:
    once = clean_text("\n".join([*header, title, "", *body, "", *footer]))
    twice = clean_text(once.as_text())
    assert (twice.title, twice.paragraphs) == (once.title, once.paragraphs)
    assert not twice.dropped or [d.reason for d in twice.dropped] == ["title"]


MARKERS = [
    "第一篇：",
    "第二章 ",
    "一、",
    "二、",
    "（一）",
    "(二)",
    "1.",
    "2、",
    "（1）",
    "第一，",
    "一是",
    "二是",
    "首先，",
    "其次，",
    "● ",
    "■ ",
    "",
]


@st.composite
def paragraph(draw: st.DrawFn) -> str:
    marker = draw(st.sampled_from(MARKERS))
    head = draw(clause)
    kind = draw(st.sampled_from(["heading", "inline", "space", "prose"]))
    if kind == "heading":
        return marker + head
    if kind == "inline":
        return marker + head + "。" + draw(sentence())
    if kind == "space":
        return marker + head + " " + draw(sentence())
    return draw(sentence())


@settings(max_examples=300, deadline=None)
@given(st.lists(paragraph(), min_size=1, max_size=25), st.booleans())
def test_section_splitting_loses_no_character_and_keeps_order(
    paragraphs: list[str], markdown: bool
) -> None:
    # "◇" as the document title squashes to nothing, so only the body is compared.
    sections = split_sections("doc", "◇", paragraphs, markdown=markdown)
    rebuilt = "".join(s.title + s.text for s in sections)
    assert squash(rebuilt) == squash("".join(paragraphs))
    assert [s.position for s in sections] == list(range(len(sections)))
    ids = [s.id for s in sections]
    assert len(set(ids)) == len(ids)
    for s in sections:
        if s.parent is not None:
            parent = next(p for p in sections if p.id == s.parent)
            assert parent.position < s.position and parent.level == s.level - 1
        else:
            assert s.level == 1


MARKUP = st.sampled_from(
    [
        ">",
        " > ",
        "＞",
        "<",
        "<style>p{color:red}</style>",
        "<img src=“a.png”>",
        "&lt;img src=a.png&gt;",
        "{{",
        "}}",
        "{{< video >}}",
        "https://example.com/a?b=1",
        "www.example.cn",
        "|",
        " | ",
        "»",
        "→",
        "©",
        "[1]",
        "#",
        "*",
    ]
)


@st.composite
def marked_paragraph(draw: st.DrawFn) -> str:
    """A paragraph of 30+ Han characters with markup-like pieces put anywhere in it."""
    text = "".join(draw(st.lists(sentence(), min_size=1, max_size=3)))
    while len(re.findall(f"[{HAN}]", text)) < 30:
        text += draw(sentence())
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:at] + draw(MARKUP) + text[at:]
    return text


def _han(text: str) -> str:
    return "".join(re.findall(f"[{HAN}]", text))


@settings(max_examples=150, deadline=None)
@given(before=sentence(), paragraph=marked_paragraph(), after=sentence())
def test_no_paragraph_of_30_han_characters_is_ever_dropped(
    before: str, paragraph: str, after: str
) -> None:
    """Whatever markup-like characters a long paragraph holds, none of its words go."""
    page = f"文章标题\n\n{before}\n\n{paragraph}\n\n{after}\n"
    cleaned = clean_text(page)
    kept = _han("".join(cleaned.paragraphs))
    assert _han(paragraph) in kept, [d.reason for d in cleaned.dropped]
