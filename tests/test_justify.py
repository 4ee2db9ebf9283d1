"""Justified Chinese: the WeasyPrint extension, measured on the printed page."""

from __future__ import annotations

import pytest
from render_samples import long_handout, long_pdf

from handouts.writers.pdf import justify, pdfcheck
from handouts.writers.pdf.render import text_column


def test_weasyprint_internals_are_the_ones_the_extension_was_written_for() -> None:
    # Fails loudly on a WeasyPrint upgrade: re-read layout/inline.py and
    # text/line_break.py, adapt handouts/justify.py, then update EXPECTED_SOURCES.
    assert justify.changed_internals() == []
    assert justify.install() is True


def test_patched_functions_are_in_place_after_install() -> None:
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    justify.install()
    assert inline.count_expandable_spaces.__module__ == "handouts.writers.pdf.justify"
    assert line_break.Layout.set_text.__module__ == "handouts.writers.pdf.justify"


@pytest.mark.parametrize(("text", "count"), [
    ("群众路线", 3.0),          # four characters, three gaps
    ("群", 0.0),
    ("abc", 0.0),              # Latin words are not spread letter by letter
    ("2013年", 0.5),           # half a unit between the digit and 年
    ("年2013年", 1.0),
    ("他说——好", 2.0),        # 他|说 one, half on each outer side of ——, none inside
    ("等等……", 1.5),
    ("", 0.0),
])
def test_expansion_opportunities_match_what_pango_adds(text: str, count: float) -> None:
    assert justify.cjk_opportunities(text) == count


def test_doubled_marks_take_no_spacing_inside() -> None:
    flags = justify.spaced_characters("说——好……")
    assert flags == [True, False, False, True, False, False]


@pytest.mark.parametrize(("text", "positions"), [
    ("坚持。”大家", [2]),
    ("说：“好！”（见", [2, 4, 6]),
    ("问题，《人民日报》", [3]),
    ("（（注", [1]),
    ("群众“路线”", []),
])
def test_halt_goes_on_the_mark_whose_blank_meets_another(text: str, positions: list[int]) -> None:
    assert justify.halt_positions(text) == positions


def reading_pages(pdf: bytes) -> set[int]:
    marks = pdfcheck.bookmarks(pdf)
    first = min(b.page for b in marks)
    last = max(b.page for b in marks if "综合讨论" in b.title)
    return set(range(first, last + 1))


def test_body_lines_end_on_the_right_edge_of_the_column() -> None:
    pdf = long_pdf()
    share, counted = pdfcheck.justified_share(
        pdf, lambda page: text_column("a4", page)[1],
        body_font="Noto-Serif-CJK-SC", body_size=10.5, pages=reading_pages(pdf))
    assert counted > 400  # the long handout: hundreds of full lines measured
    assert share >= 0.98, share


def test_justification_leaves_the_text_unchanged_for_copy_and_paste() -> None:
    text = pdfcheck.body_text(long_pdf()).replace("\n", "")
    for outline in long_handout().outlines:
        for sec in outline.sections:
            for paragraph in sec.paragraphs:
                if " " in paragraph:
                    continue  # spaces of the source may be collapsed; checked elsewhere
                # Verbatim, newlines aside: no space crept in between spread characters.
                assert paragraph in text, paragraph[:30]
