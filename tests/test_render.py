"""The render stage: the HTML the PDF is made from, the parts of a handout, papers,
the URL fetcher, and real theme handouts from the pipeline."""

from __future__ import annotations

import dataclasses
import re

import pytest
from render_samples import long_handout, long_pdf, short_handout, short_pdf, with_changes

from handouts import paths, pipeline
from handouts.errors import HandoutsError
from handouts.writers.pdf import pdfcheck, render
from handouts.writers.pdf.render import (
    chinese_date,
    chinese_number,
    display_title,
    reading_title,
    render_html,
    render_pdf,
)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- small pure helpers


@pytest.mark.parametrize(("n", "text"), [
    (1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (32, "三十二"),
    (100, "一百"), (105, "一百零五"), (110, "一百一十"), (123, "一百二十三"),
])
def test_chinese_numbers_read_as_an_organiser_writes_them(n: int, text: str) -> None:
    assert chinese_number(n) == text


@pytest.mark.parametrize(("value", "text"), [
    ("2017-03-23", "2017年3月23日"), ("2010/9/7", "2010年9月7日"), ("2022-08", "2022年8月"),
    ("2024", "2024年"), ("2017年3月23日", "2017年3月23日"), ("六月中旬", "六月中旬"),
])
def test_dates_are_printed_the_chinese_way(value: str, text: str) -> None:
    assert chinese_date(value) == text


@pytest.mark.parametrize(("title", "shown"), [
    ("二、现在“四风”方面的突出问题", "现在“四风”方面的突出问题"),
    ("1.怎样到群众中去", "怎样到群众中去"),
    ("（三）俯下身子，心系群众", "俯下身子，心系群众"),
    ("第二篇：深刻理解群众路线", "深刻理解群众路线"),
    ("2013年的群众路线教育", "2013年的群众路线教育"),
    ("一是学风引领", "一是学风引领"),
    ("第一，认真排查和发现“最后一公里”问题", "认真排查和发现“最后一公里”问题"),
    ("第二、群众路线是我们党的根本路线", "群众路线是我们党的根本路线"),
    ("第一次全国代表大会的召开", "第一次全国代表大会的召开"),
    ("二 调查就是解决问题", "调查就是解决问题"),  # an essay's chapter numeral and a space
    ("十一届三中全会以来", "十一届三中全会以来"),
])
def test_section_titles_lose_the_sources_own_numbering(title: str, shown: str) -> None:
    assert display_title(title) == shown


def test_a_title_that_is_only_the_sources_number_is_named_by_its_document() -> None:
    """Directives in a compilation are headed 一, 二, 三: printed as 一、三 they would
    name nothing."""
    sec = short_handout().outlines[0].sections[0]
    bare = dataclasses.replace(sec, title="三", doc_title="关于“三反”、“五反”的斗争")
    assert reading_title(bare) == "关于“三反”、“五反”的斗争（三）"
    fourth = dataclasses.replace(bare, title="（四）")
    assert reading_title(fourth) == "关于“三反”、“五反”的斗争（四）"
    assert reading_title(dataclasses.replace(bare, title="三、调查的技术")) == "调查的技术"


# ---------------------------------------------------------------- HTML


def test_html_escapes_markup_from_the_corpus() -> None:
    handout = short_handout()
    outline = handout.outlines[0]
    hostile = outline.sections[0].__class__(
        **{**outline.sections[0].__dict__,
           "text": '<img src="file:///etc/passwd"><script>alert(1)</script>正文'})
    outline = outline.__class__(**{**outline.__dict__, "sections": (hostile,)})
    html = render_html(with_changes(handout, outlines=(outline,)))
    assert "<script>" not in html and "<img src" not in html
    assert "&lt;script&gt;" in html


def test_html_carries_language_metadata_and_every_part() -> None:
    handout = long_handout()
    html = render_html(handout)
    assert '<html lang="zh-CN">' in html
    assert f"<title>{handout.title}</title>" in html
    labels = ("目　录", "学习要点", "讨论题", "会议议程", "前　言",
              "学习笔记", "材料来源", "综合讨论")
    for label in labels:
        assert label in html, label
    for item in handout.agenda:
        assert item in html


# ---------------------------------------------------------------- the PDF's parts


def test_a4_handout_has_a4_pages_and_a_title_block() -> None:
    pdf = short_pdf()
    assert {(round(w), round(h)) for w, h in pdfcheck.page_sizes(pdf)} == {(595, 842)}
    cover = pdfcheck.page_texts(pdf)[0]
    handout = short_handout()
    assert handout.title in cover
    assert "2017年3月23日" in cover  # the date, in the Chinese form
    for src in handout.sources:  # the source documents are named on the cover
        assert squeeze(src.title) in squeeze(cover)


def test_every_section_prints_heading_source_key_points_text_and_questions() -> None:
    handout = long_handout()
    text = squeeze(pdfcheck.body_text(long_pdf()))
    for outline in handout.outlines:
        for sec in outline.sections:
            assert squeeze(reading_title(sec)) in text, sec.id
            for point in sec.key_points:
                assert squeeze(point) in text
            for paragraph in sec.paragraphs:
                assert squeeze(paragraph) in text, (sec.id, paragraph[:20])
            for question in sec.questions:
                assert squeeze(question) in text
        for question in outline.questions:
            assert squeeze(question) in text
    assert text.count("学习要点") >= sum(len(o.sections) for o in handout.outlines)


def test_footer_numbers_every_page_but_the_cover_out_of_the_total() -> None:
    pages = pdfcheck.page_texts(long_pdf())
    total = len(pages)
    assert total >= 20
    assert "页" not in pages[0].split("\n")[-1]
    for number, text in enumerate(pages[1:], 2):
        assert f"第 {number} 页 / 共 {total} 页" in text


def test_running_header_names_the_handout_on_left_pages_and_the_reading_on_right() -> None:
    pdf = long_pdf()
    handout = long_handout()
    heads = {}
    for line in pdfcheck.lines(pdf):
        if line.size < 8.5 and line.top < 60:
            heads.setdefault(line.page, []).append(line.text)
    left_pages = [p for p in heads if p % 2 == 0]
    assert left_pages and all(squeeze(handout.title) in squeeze("".join(heads[p]))
                              for p in left_pages)
    titles = {squeeze(reading_title(s)) for o in handout.outlines for s in o.sections}
    right = [squeeze("".join(heads[p])) for p in heads if p % 2 == 1]
    assert sum(any(t.startswith(h[:8]) or h.endswith(t) or t in h for t in titles)
               for h in right) >= len(right) // 2


def test_sources_page_lists_every_document_with_title_date_and_origin() -> None:
    pdf = long_pdf()
    pages = pdfcheck.page_texts(pdf)
    sources = squeeze(pages[-1])
    assert sources.startswith("材料来源") or "材料来源" in sources[:40]
    docs = {s.id: s for o in long_handout().outlines for s in o.sources}
    for src in docs.values():
        assert f"《{squeeze(src.title)}》" in sources
        if src.date:
            assert chinese_date(src.date) in sources
        if src.source:
            assert squeeze(src.source) in sources


def test_notes_pages_are_ruled_pages_of_their_own() -> None:
    handout = with_changes(short_handout(), notes_pages=2)
    pdf = render_pdf(handout)
    notes = sorted({ln.page for ln in pdfcheck.lines(pdf)
                    if ln.size > 12 and squeeze(ln.text) == "学习笔记"})
    assert len(notes) == 2 and notes[1] == notes[0] + 1
    assert len(pdfcheck.page_sizes(short_pdf())) == len(pdfcheck.page_sizes(pdf)) - 1


def test_a_meeting_packet_prints_each_outline_as_a_part() -> None:
    text = squeeze("".join(pdfcheck.page_texts(long_pdf())))
    assert "第一部分群众路线的内涵与意义" in text
    assert "第二部分深入基层、调查研究" in text


@pytest.mark.parametrize(("paper", "size"), [("a5", (420, 595)), ("b5", (499, 709))])
def test_other_papers_give_their_page_size(paper: str, size: tuple[int, int]) -> None:
    pdf = render_pdf(with_changes(short_handout(), paper=paper))
    assert {(round(w), round(h)) for w, h in pdfcheck.page_sizes(pdf)} == {size}


def test_unknown_paper_and_variant_are_one_line_errors() -> None:
    with pytest.raises(HandoutsError, match="unknown paper 'letter'"):
        render_pdf(with_changes(short_handout(), paper="letter"))
    with pytest.raises(HandoutsError, match="unknown PDF variant"):
        render_pdf(short_handout(), variant="pdf/x-4")


# ---------------------------------------------------------------- fetching


def test_fetcher_serves_our_stylesheet() -> None:
    body, mime = render.fetch_local((paths.STYLES / "handout.css").as_uri())
    assert b"@page" in body and mime == "text/css"


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.com/tracker.png",
    "https://example.com/x.css",
    "data:text/css,body{}",
    (paths.STYLES / ".." / "pyproject.toml").as_uri(),
])
def test_fetcher_refuses_everything_else(url: str) -> None:
    with pytest.raises(PermissionError, match="refused"):
        render.fetch_local(url)


# ---------------------------------------------------------------- real theme handouts


@pytest.fixture(scope="module")
def four_winds() -> tuple[object, bytes]:
    corpus = pipeline.load(paths.CORPUS)
    handout = pipeline.theme_handout(corpus, "four-winds")
    return handout, render_pdf(handout)


def test_a_theme_handout_from_the_pipeline_prints_its_outline(four_winds) -> None:  # type: ignore[no-untyped-def]
    handout, pdf = four_winds
    text = squeeze("".join(pdfcheck.page_texts(pdf)))
    assert squeeze(handout.title) in text
    for sec in handout.outlines[0].sections:
        assert squeeze(reading_title(sec)) in text
    names = {f.name.split("+", 1)[-1] for f in pdfcheck.fonts(pdf)}
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold"} <= names
    assert all(f.embedded and f.subset for f in pdfcheck.fonts(pdf))


def test_organiser_text_cannot_break_out_of_the_cover_style() -> None:
    hostile = '二支部"}</style><script>alert(1)</script>'
    handout = with_changes(short_handout(), organiser=hostile)
    html = render_html(handout)
    assert "<script>" not in html
    assert html.count("</style>") == 1
    cover = pdfcheck.page_texts(render_pdf(handout))[0]
    assert squeeze(hostile) in squeeze(cover)  # printed verbatim, on the cover's foot


def test_cover_foot_carries_organiser_and_date_on_the_bottom_margin() -> None:
    pdf = short_pdf()
    foot = [ln for ln in pdfcheck.lines(pdf) if ln.page == 1 and ln.top > 760]
    assert [squeeze(ln.text) for ln in foot] == ["机关党委", "2017年3月23日"]


@pytest.mark.parametrize(("title", "shown"), [
    ("三、党的群众路线的基本内涵及其重大意义", "三、党的群众路线的基本内涵及其重大意义"),
    ("五、新世纪新阶段坚持和贯彻党的群众路线，对于我们党应对风险挑战、夯实执政基础",
     "五、新世纪新阶段坚持和贯彻党的群众路线……"),
    ("九、认清“四风”问题对服务群众最后一公里带来的危害和影响",
     "九、认清“四风”问题对服务群众最后一公里带来的……"),
])
def test_running_header_titles_are_shortened_to_one_line(title: str, shown: str) -> None:
    assert render.running_title(title) == shown


def test_prepare_readies_a_worker_and_can_be_called_again() -> None:
    from weasyprint.layout import inline

    render.prepare()
    render.prepare()
    assert inline.count_expandable_spaces.__module__ == "handouts.writers.pdf.justify"


def test_a_long_source_line_is_set_as_an_editors_note() -> None:
    """A Selected Works headnote can run to a paragraph (中共中央关于同国民党进行和平谈判的
    通知's tells the whole negotiation): set flush right, it would be a ragged block."""
    handout = short_handout()
    outline = handout.outlines[0]
    date, note = "（一九四五年八月二十六日）", "这是毛泽东在去重庆同蒋介石进行和平谈判的前两天" \
        "为中共中央起草的对党内的通知。由于中国共产党和中国广大人民坚定地反对蒋介石的内战阴谋。"
    sourced = dataclasses.replace(outline.sections[0], sources=(date, note))
    outline = dataclasses.replace(outline, sections=(sourced, *outline.sections[1:]))
    html = render_html(with_changes(handout, outlines=(outline,)))
    assert f"<p>{date}</p>" in html
    assert f'<p class="editors-note">{note}</p>' in html


def test_a_passages_attributions_print_under_it_and_not_in_its_text() -> None:
    handout = short_handout()
    outline = handout.outlines[0]
    line = "——2018年4月24日至28日，习近平在湖北考察时的讲话"
    sourced = dataclasses.replace(outline.sections[0], sources=(line,))
    outline = dataclasses.replace(outline, sections=(sourced, *outline.sections[1:]))
    html = render_html(with_changes(handout, outlines=(outline,)))
    article = html[html.index(f'data-section="{sourced.id}"') :]
    article = article[: article.index("</article>")]
    text_end = article.index('<div class="reading-attributions">')
    assert line in article[text_end:] and line not in article[:text_end]
    assert article.index(sourced.paragraphs[-1]) < text_end
