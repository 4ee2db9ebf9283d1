"""Handouts for the rendering tests, and their PDFs, built once per test session.

The texts are the real seed documents (cleaned by the corpus stage), so the layout is
tested on the sentences organisers will print; the key points and questions around them
are set here by hand, so these tests do not move when the content stages are tuned.
Rendering costs about a second per handout: every PDF here is made once per process
(``functools.cache``) and shared by all render test modules.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from handouts import paths, pipeline
from handouts.model import Handout, Outline, OutlineSection, SourceRef, Theme
from handouts.writers.pdf.render import render_pdf

QUESTIONS = (
    "结合本单位实际，谈谈怎样把群众路线落实到日常工作中？",
    "对照文中指出的问题，查找自身在作风方面还存在哪些差距？",
    "文中提出的要求，在你的岗位上可以转化为哪些具体做法？",
)
CLOSING = (
    "通过本次学习，你对“党的生命线”有了哪些新的认识？",
    "支部在密切联系群众方面还有哪些需要改进的地方？请提出一至两条建议。",
)


@functools.cache
def corpus() -> pipeline.Corpus:
    return pipeline.load(paths.CORPUS)


def _sentences(text: str) -> list[str]:
    return [s for s in re.findall(r"[^。！？]+[。！？]", text.replace("\n", "")) if len(s) > 8]


def _outline(theme: Theme, doc_ids: tuple[str, ...], max_sections: int | None = None) -> Outline:
    docs = [d for d in corpus().documents if d.id in doc_ids]
    sections = []
    for doc in docs:
        for sec in doc.sections:
            if len(sec.text) < 80:
                continue
            points = tuple(_sentences(sec.text)[:2]) or (sec.paragraphs[0],)
            sections.append(OutlineSection(
                id=sec.id, title=sec.title, doc_id=doc.id, doc_title=doc.title,
                score=1.0, matched=(), keywords=("群众路线", "作风建设"),
                key_points=points, questions=QUESTIONS[: 1 + len(sections) % 3],
                text=sec.text,
            ))
    if max_sections is not None:
        sections = sections[:max_sections]
    sources = tuple(
        SourceRef(id=d.id, title=d.title, date=d.date, source=d.source, path=d.path)
        for d in docs
    )
    return Outline(theme=theme, sections=tuple(sections), questions=CLOSING, sources=sources)


MASS_LINE = Theme("mass-line", "群众路线的内涵与意义", "群众路线是党的生命线和根本工作路线")
GRASSROOTS = Theme("grassroots", "深入基层、调查研究", "到群众中去，向实践学习")


@functools.cache
def long_handout() -> Handout:
    """A two-part meeting packet of 20+ A4 pages with every part of a handout."""
    part_one = _outline(MASS_LINE, ("001_01203cdb0f8682c9",))
    part_two = _outline(GRASSROOTS, ("000_e0a386988a37b56b", "002_d5aa391c53465f5e",
                                     "003_9d11f11799cd5b51", "004_bed1a99424a147a3"))
    return Handout(
        title="坚持群众路线　密切联系群众",
        outlines=(part_one, part_two),
        date="2024-06-18",
        organiser="市机关工委第三党支部",
        place="机关大楼三楼会议室",
        audience="支部全体党员",
        agenda=("传达上级有关文件精神", "集中学习选编篇目", "分组讨论并交流发言", "支部书记作小结"),
        foreword="为深入学习党的群众路线，支部选编了这份学习材料。\n请各位党员会前通读，结合工作实际准备发言。",
        notes_pages=1,
    )


@functools.cache
def short_handout() -> Handout:
    """A theme export: one outline, a few sections, no meeting facts."""
    outline = _outline(GRASSROOTS, ("002_d5aa391c53465f5e", "003_9d11f11799cd5b51"))
    return Handout(title=GRASSROOTS.name, outlines=(outline,), date="2017-03-23",
                   organiser="机关党委", sources=outline.sources)


@functools.cache
def long_pdf() -> bytes:
    return render_pdf(long_handout())


@functools.cache
def short_pdf() -> bytes:
    return render_pdf(short_handout())


def with_changes(handout: Handout, **changes: object) -> Handout:
    return dataclasses.replace(handout, **changes)
