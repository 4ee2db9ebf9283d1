"""The typesetter's finishing pass, read back from the PDF: no paragraph ends in a lone
character (孤字), lines stay justified, the text is unchanged; widows, orphans and
stranded headings are caught by the read-back and do not occur."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from pathlib import Path

import pytest
from render_samples import corpus, short_handout, with_changes

from handouts.model import Handout
from handouts.writers.pdf import pdfcheck, typeset
from handouts.writers.pdf.render import render_pdf, text_column


def _seed_sentences() -> str:
    """Running Chinese text from the seed documents, without punctuation, to cut
    paragraphs of any length from."""
    text = "".join(sec.text for doc in corpus().documents for sec in doc.sections)
    return "".join(re.findall(r"[\u4e00-\u9fff]", text))


@functools.cache
def constructed_handout() -> Handout:
    """Paragraphs, key points and questions of every length over a range, so that some
    of each, laid out naturally, end with one character and its stop."""
    source = _seed_sentences()
    paragraphs = [source[i * 97: i * 97 + n] + "。" for i, n in enumerate(range(80, 100))]
    points = tuple(source[5000 + i * 61: 5000 + i * 61 + n] + "。"
                   for i, n in enumerate(range(38, 50)))
    questions = tuple("结合本单位实际，谈谈" + source[9000 + i * 53: 9000 + i * 53 + n] + "？"
                      for i, n in enumerate(range(30, 42)))
    base = short_handout()
    outline = base.outlines[0]
    sec = dataclasses.replace(outline.sections[0], text="\n".join(paragraphs),
                              key_points=points, questions=questions)
    return with_changes(base, outlines=(dataclasses.replace(outline, sections=(sec,)),))


@functools.cache
def plain_pdf() -> bytes:
    with typeset.disabled():
        return render_pdf(constructed_handout())


@functools.cache
def finished_pdf() -> bytes:
    return render_pdf(constructed_handout())


def _faces(lines: tuple[pdfcheck.Line, ...]) -> set[str]:
    return {ln.font.split("+", 1)[-1] for ln in lines}


def test_the_constructed_paragraphs_do_end_in_one_character_when_laid_out_naturally() -> None:
    lone = pdfcheck.page_flaws(plain_pdf()).lone_last_lines
    # Body text (Song), key points (Kai) and questions: each kind has some.
    assert len(lone) >= 3, [ln.text for ln in lone]
    assert {"Noto-Serif-CJK-SC", "LXGW-WenKai"} <= _faces(lone)
    assert all(typeset.counted_characters(ln.text) == 1 for ln in lone)


def test_every_paragraph_ends_with_at_least_two_characters() -> None:
    flaws = pdfcheck.page_flaws(finished_pdf())
    assert flaws.lone_last_lines == ()
    assert flaws.paragraphs >= 40


def test_the_finishing_pass_changes_no_character() -> None:
    def squeezed(pdf: bytes) -> str:
        return re.sub(r"\s+", "", pdfcheck.body_text(pdf))

    assert squeezed(finished_pdf()) == squeezed(plain_pdf())
    handout = constructed_handout()
    text = squeezed(finished_pdf())
    for paragraph in handout.outlines[0].sections[0].paragraphs:
        assert paragraph in text


def test_no_line_of_the_finished_paragraphs_starts_with_closing_punctuation() -> None:
    assert pdfcheck.lines_starting_with_closing_punctuation(finished_pdf()) == []
    assert pdfcheck.lines_ending_with_opening_punctuation(finished_pdf()) == []


def test_lines_of_the_finished_paragraphs_stay_justified_within_half_a_point() -> None:
    ragged: list[pdfcheck.Line] = []
    share, counted = pdfcheck.justified_share(
        finished_pdf(), lambda page: text_column("a4", page)[1], body_font="Serif",
        body_size=10.5, pages=range(2, pdfcheck.typesetting(finished_pdf(), "a4").pages),
        ragged=ragged)
    assert counted > 25
    assert ragged == [] and share == 1.0


def test_the_typesetting_figures_of_the_constructed_handout() -> None:
    before = pdfcheck.typesetting(plain_pdf(), "a4")
    after = pdfcheck.typesetting(finished_pdf(), "a4")
    assert before.lone_last_lines > 0 and after.lone_last_lines == 0
    assert after.widows == after.orphans == after.stranded_headings == 0
    assert after.justified_share == 1.0
    assert after.pages <= before.pages + 1


def test_a_paragraph_that_ends_in_one_character_is_set_a_little_tighter_or_looser() -> None:
    """The pass touches only the offending paragraphs, within the configured limits."""
    import weasyprint

    from handouts.writers.pdf import render

    html = render.render_html(constructed_handout())
    render.prepare()
    source = weasyprint.HTML(string=html, base_url=render.paths.STYLES.as_uri() + "/",
                             url_fetcher=render._fetcher_class()())

    def lay_out(h: object) -> object:
        return h.render(font_config=render._font_config())  # type: ignore[attr-defined]

    document = lay_out(source)
    config = typeset.settings()
    lone = typeset.lone_paragraphs(document, config.min_last_line)
    chosen = typeset.choose_spacing(source, html, lone, config, lay_out)
    assert lone and set(chosen) <= set(lone)
    assert all(-config.tighten_limit - 1e-9 <= v <= config.loosen_limit + 1e-9 and v != 0
               for v in chosen.values())


# ---------------------------------------------------------------- widows, orphans, headings


def _flow_html(css: str) -> str:
    """Paragraphs and headings that run over several pages, with ``css`` in force."""
    source = _seed_sentences()
    blocks = []
    for i in range(14):
        blocks.append(f'<h2 style="font-family:\'Noto Sans CJK SC\';font-size:14pt;'
                      f'margin:0.8em 0 0.3em 0">第{i + 1}节　{source[i * 7: i * 7 + 8]}</h2>')
        for j in range(2 + i % 3):
            start = (i * 5 + j) * 131
            blocks.append(f"<p>{source[start: start + 60 + (i * 37 + j * 53) % 160]}。</p>")
    return (
        "<html lang='zh-CN'><head><style>@page{size:a5;margin:15mm}"
        "p{font-family:'Noto Serif CJK SC';font-size:10pt;line-height:1.75;"
        f"text-indent:2em;text-align:justify;margin:0}}{css}</style></head>"
        f"<body>{''.join(blocks)}</body></html>")


@functools.cache
def flow_pdf(css: str) -> bytes:
    import weasyprint

    from handouts.writers.pdf import justify

    justify.install()
    return weasyprint.HTML(string=_flow_html(css)).write_pdf()


CARELESS = "p{widows:1;orphans:1} h2{break-after:auto}"
CAREFUL = "p{widows:2;orphans:2} h2{break-after:avoid}"


def test_the_read_back_finds_widows_orphans_and_stranded_headings_when_they_occur() -> None:
    """With widows, orphans and heading breaks allowed, some occur over 14 sections of
    text: the read-back finds them (so its zero elsewhere means something)."""
    flaws = pdfcheck.page_flaws(flow_pdf(CARELESS), heading_font="Sans")
    assert len(flaws.widows) + len(flaws.orphans) > 0
    assert flaws.stranded_headings or len(flaws.widows) + len(flaws.orphans) > 1


def _ending_pdf(last: str) -> bytes:
    """Four pages of text; the second ends with ``last`` before a page break."""
    import weasyprint

    source = _seed_sentences()
    para = "<p>{}。</p>"
    pages = [para.format(source[i * 300: i * 300 + 160]) for i in range(4)]
    pages[1] += last
    body = "".join(f'<div style="break-before:page">{p}</div>' if i else p
                   for i, p in enumerate(pages))
    return weasyprint.HTML(string=(
        "<html lang='zh-CN'><head><style>@page{size:a5;margin:15mm}"
        "p{font-family:'Noto Serif CJK SC';font-size:10pt;line-height:1.75;"
        "text-indent:2em;text-align:justify;margin:0}"
        ".date{font-family:'Noto Sans CJK SC';font-size:8.5pt;text-align:right;text-indent:0}"
        ".note{font-family:'Noto Sans CJK SC';font-size:8.5pt;text-align:justify}"
        "h2{font-family:'Noto Sans CJK SC';font-size:14pt}"
        f"</style></head><body>{body}</body></html>")).write_pdf()


def test_a_passages_closing_date_line_is_no_stranded_heading() -> None:
    """（一九五一年十二月八日） set small and flush right after a directive closes it: a
    page may end there.  A heading in the same place is stranded."""
    dated = pdfcheck.page_flaws(_ending_pdf('<p class="date">（一九五一年十二月八日）</p>'),
                                heading_font="Sans")
    assert dated.stranded_headings == ()
    # An editor's note set after the date (a long headnote, justified) closes it too.
    note = ("这是毛泽东同志在中国共产党第七届中央委员会第三次全体会议上讲话的一部分。这部分讲话对"
            "《为争取国家财政经济状况的基本好转而斗争》这个书面报告作了说明，解释了报告的战略策略思想。")
    closing = f'<p class="date">（一九五〇年六月六日）</p><p class="note">{note}</p>'
    noted = pdfcheck.page_flaws(_ending_pdf(closing), heading_font="Sans")
    assert noted.stranded_headings == ()
    headed = pdfcheck.page_flaws(_ending_pdf("<h2>第二节　调查的技术</h2>"), heading_font="Sans")
    stranded = [ln.text.replace("\u3000", "") for ln in headed.stranded_headings]
    assert stranded == ["第二节调查的技术"]


def test_note_references_are_read_back_as_part_of_their_line() -> None:
    """A superscript [1] comes back from the PDF as a line of its own at its line's
    height; read as a break, the line after it opened a paragraph (an orphan at a page's
    foot in 反对本本主义)."""
    import weasyprint

    from handouts.writers.pdf import justify

    justify.install()
    source = _seed_sentences()
    text = "".join(f"{source[i * 40: i * 40 + 40]}<sup>[{i + 1}]</sup>" for i in range(60))
    pdf = weasyprint.HTML(string=(
        "<html lang='zh-CN'><head><style>@page{size:a5;margin:15mm}"
        "p{font-family:'Noto Serif CJK SC';font-size:10pt;line-height:1.75;"
        "text-indent:2em;text-align:justify;margin:0;widows:2;orphans:2}"
        "sup{font-size:6pt}"
        f"</style></head><body><p>前言。</p><p>{text}。</p><p>结语。</p></body></html>")).write_pdf()
    flaws = pdfcheck.page_flaws(pdf, heading_font="Sans")
    assert flaws.paragraphs == 3
    assert flaws.orphans == flaws.widows == ()


@pytest.mark.parametrize("css", [CAREFUL, ""], ids=["as-set", "weasyprint-defaults"])
def test_weasyprint_honours_widows_orphans_and_break_after_avoid(css: str) -> None:
    flaws = pdfcheck.page_flaws(flow_pdf(css + "h2{break-after:avoid}"), heading_font="Sans")
    assert flaws.widows == flaws.orphans == flaws.stranded_headings == ()


def test_the_stylesheet_keeps_headings_with_their_text_and_paragraphs_whole() -> None:
    from handouts import paths

    css = (paths.STYLES / "handout.css").read_text(encoding="utf-8")
    assert re.search(r"h1, h2, h3[^{]*\{[^}]*break-after: avoid", css)
    assert re.search(r"\.key-points \{[^}]*break-inside: avoid", css)
    assert re.search(r"\bp \{[^}]*orphans: 2; widows: 2", css)


# ---------------------------------------------------------------- mixed-script spacing

MIXED = ("会议印发了PDF文件和2024年工作要点（PDF版），要求各支部使用Python语言统计G20峰会"
         "以来的数据，完成率达95.5%以上。")


@functools.cache
def mixed_pdf() -> bytes:
    base = short_handout()
    outline = base.outlines[0]
    sec = dataclasses.replace(outline.sections[0], text=MIXED * 4,
                              key_points=("要点：PDF文件共3份。",),
                              questions=("如何用好PDF文件？",))
    return render_pdf(with_changes(base, outlines=(dataclasses.replace(
        outline, sections=(sec,)),)))


def _gaps(pdf: bytes) -> dict[str, list[float]]:
    """Blank between each pair of neighbouring characters on a line, by pair."""
    import io

    import pdfplumber

    found: dict[str, list[float]] = {}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            chars = page.chars
            for a, b in itertools.pairwise(chars):
                if abs(a["top"] - b["top"]) < 1 and b["x0"] > a["x0"]:
                    found.setdefault(a["text"] + b["text"], []).append(b["x0"] - a["x1"])
    return found


def test_latin_letters_and_numerals_stand_a_quarter_em_from_han_characters() -> None:
    gaps = _gaps(mixed_pdf())
    em = 10.5
    for pair in ("了P", "F文", "用P", "n语", "4年", "0峰", "达9", "%以"):
        assert pair in gaps, pair
        # A quarter em, plus at most a little of the line's justification.
        assert all(0.25 * em - 0.05 <= g <= 0.25 * em + 0.6 for g in gaps[pair]), (pair, gaps[pair])
    # None inside a word or number, none next to full-width punctuation.
    for pair in ("PD", "20", "（P", "：P"):
        assert all(g < 0.1 * em for g in gaps.get(pair, [])), (pair, gaps.get(pair))
    assert all(0.25 * em - 0.05 <= g for g in gaps["F版"])  # 版 is Han: spaced


def test_the_spacing_inserts_no_character_into_the_extracted_text() -> None:
    texts = pdfcheck.page_texts(mixed_pdf())[2:3]  # the reading
    joined = "".join(ln.text for ln in pdfcheck.lines(mixed_pdf()))
    assert MIXED * 4 in re.sub(r"\s", "", joined)
    # pdfplumber's own extraction (what copy and paste gives) has no space either.
    assert any("会议印发了PDF文件和2024年工作要点（PDF版）" in t for t in texts)
    reading = [line for t in texts for line in t.splitlines() if "数据" in line or "PDF" in line]
    assert len(reading) >= 6
    assert not any(" " in line.removeprefix("1. ") for line in reading), reading


def test_a_spaced_run_that_opens_or_closes_a_line_has_no_space_at_the_edge() -> None:
    body = [ln for ln in pdfcheck.lines(mixed_pdf())
            if "Serif" in ln.font and abs(ln.size - 10.5) < 0.05 and ln.page == 3
            and ln.text[:1] not in "1"]
    left = min(ln.x0 for ln in body)
    opening = [ln for ln in body if re.match(r"[A-Za-z0-9]", ln.text)]
    assert opening, [ln.text for ln in body]  # the text is long enough for one
    assert all(abs(ln.x0 - left) < 0.1 for ln in opening)
    share, counted = pdfcheck.justified_share(
        mixed_pdf(), lambda page: text_column("a4", page)[1], body_font="Serif",
        body_size=10.5, pages={3})
    assert counted >= 4 and share == 1.0


def test_whether_numerals_are_spaced_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "共2024份PDF文件"
    spaced = str(typeset.mixed_script_markup(text))
    assert 'class="gap-before gap-after">2024<' in spaced
    assert 'class="gap-before gap-after">PDF<' in spaced
    monkeypatch.setattr(typeset, "settings",
                        lambda: typeset.Typography(space_numerals=False))
    plain_numbers = str(typeset.mixed_script_markup(text))
    assert ">2024<" not in plain_numbers and "共2024份" in plain_numbers
    assert 'class="gap-before gap-after">PDF<' in plain_numbers


def test_the_spaced_markup_escapes_corpus_text() -> None:
    markup = str(typeset.mixed_script_markup('文<script>alert("x")</script>中&amp'))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "&amp;amp" in markup


def test_a_broken_typography_file_is_an_error_naming_it(tmp_path: Path) -> None:
    from handouts.errors import ConfigError

    where = tmp_path / "typography.toml"
    where.write_text('[last_line]\nmin_characters = "two"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"typography\.toml.*wrong type"):
        typeset._settings(where)
    where.write_text("[last_line]\ntighten_limit_em = 0.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"typography\.toml.*at most 0\.2 em"):
        typeset._settings(where)


def test_the_configured_typography_is_the_default() -> None:
    assert typeset.settings() == typeset.Typography()
    assert typeset.settings().candidates()[:2] == [-0.01, 0.01]


def test_spacing_works_on_the_markup_of_note_references() -> None:
    from handouts.writers.pdf.render import noterefs

    markup = str(typeset.mixed_script_markup(noterefs("印发了PDF文件[1]和<b>", 1)))
    assert '<sup class="noteref">[1]</sup>' in markup
    assert 'class="gap-before gap-after">PDF<' in markup
    assert "&lt;b&gt;" in markup and "<b>" not in markup
