"""The outline of a handout: selected sections with keywords, key points and questions.

This is where the content stages meet: themes select, key points and keywords
summarise, questions ask.  The corpus statistics they share are computed once per corpus
(memoised on the documents tuple); a question writer lives for one outline only, so
nothing mutable outlives a call and a worker pool can build outlines side by side.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Sequence

from handouts import limits
from handouts.content.excerpt import excerpt
from handouts.content.keypoints import key_points, keywords, repeats
from handouts.content.questions import QuestionWriter, load_patterns, questions_for
from handouts.content.textstats import domain_words, han_count, stats_for
from handouts.content.themes import assess, best_theme, score_sections, section_index, select
from handouts.corpus.notes import MARKER, strip_markers
from handouts.errors import HandoutsError
from handouts.model import Document, Outline, OutlineSection, Section, SourceRef, Theme, ThemeMatch

CLOSING_QUESTIONS = 3


@functools.lru_cache(maxsize=1024)
def _summary(documents: tuple[Document, ...],
             section: Section) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Keywords and key points of a section: the same in every theme that selects it, so
    computed once per corpus."""
    stats = stats_for(documents)
    return keywords(section, stats), key_points(section, stats)


def _fallback(words: Sequence[str], matched: Sequence[str]) -> tuple[str, ...]:
    """Terms to ask about when a section offers little else: its specific keywords (three
    characters or more, or domain words), then its matched terms however general."""
    specific = [w for w in words if han_count(w) >= 3 or w in domain_words()]
    return tuple(dict.fromkeys([*specific, *matched]))


def _without_notes(section: Section) -> Section:
    """The section as key points and questions see it: its own words, no note markers
    (the notes themselves are never in ``text``)."""
    if not section.notes:
        return section
    return dataclasses.replace(section, text=strip_markers(section.text, len(section.notes)),
                               notes=())


def _outline_section(documents: tuple[Document, ...], doc: Document, printed: Section,
                     match: ThemeMatch, writer: QuestionWriter,
                     questions_per_section: int | None, earlier: list[str]) -> OutlineSection:
    """One section of an outline; ``earlier`` holds the key points printed before it in
    the same handout, and gets this section's."""
    printed, cut = excerpt(printed, doc, limits.current().max_section_chars)
    if cut and printed.notes:  # an excerpt prints the notes its own markers cite
        cited = [int(m.group(1)) for m in MARKER.finditer(printed.text)]
        kept = max((n for n in cited if n <= len(printed.notes)), default=0)
        printed = dataclasses.replace(printed, notes=printed.notes[:kept])
    section = _without_notes(printed)
    words, points = _summary(documents, section)
    if any(repeats(p, earlier) for p in points):
        # The same claim in two passages (an essay quoting a report the handout also
        # prints): the second section takes its next point instead.
        # (When every claim of the section was printed before, its own points stay: a
        # passage with a claim never prints without one.)
        points = key_points(section, stats_for(documents), avoid=earlier) or points
    earlier.extend(points)
    count = questions_per_section
    if count is None:
        count = questions_for(han_count(section.text))
    # Questions name the theme's own (curated) terms; raw keywords only when none matched.
    terms = list(match.matched) or list(words)
    return OutlineSection(
        id=section.id,
        title=section.title,
        doc_id=doc.id,
        doc_title=doc.title,
        score=match.score,
        matched=match.matched,
        keywords=words,
        key_points=points,
        questions=writer.section(section, terms, count, fallback=_fallback(words, match.matched),
                                 keywords=words, points=points),
        text=printed.text,
        notes=printed.notes,
        excerpt=cut,
        sources=section.sources,
    )


def _assemble(documents: Sequence[Document], theme: Theme,
              picked: Sequence[tuple[Document, Section, ThemeMatch]],
              questions_per_section: int | None, terms: Sequence[str] | None = None,
              closing_theme: Theme | None = None,
              writer: QuestionWriter | None = None) -> Outline:
    documents = tuple(documents)
    writer = writer or QuestionWriter(load_patterns())
    earlier: list[str] = []
    sections = tuple(_outline_section(documents, d, s, m, writer, questions_per_section, earlier)
                     for d, s, m in picked)
    counts: Counter[str] = Counter()
    for m in (m for _d, _s, m in picked):
        counts.update(m.matched)
    del terms
    closing_theme = closing_theme or theme
    goal = getattr(closing_theme, "goal", "")
    closing = writer.closing(closing_theme.name, goal, CLOSING_QUESTIONS) if sections else ()
    used = dict.fromkeys(d.id for d, _s, _m in picked)
    docs = {d.id: d for d in documents}
    sources = tuple(SourceRef(id=i, title=docs[i].title, date=docs[i].date,
                              source=docs[i].source, path=docs[i].path) for i in used)
    return Outline(theme=theme, sections=sections, questions=closing, sources=sources)


def build_outline(documents: Sequence[Document], themes: Sequence[Theme], theme: Theme, *,
                  max_sections: int | None = None,
                  questions_per_section: int | None = None,
                  writer: QuestionWriter | None = None) -> Outline:
    """The outline of a theme's handout: its selected sections in reading order.

    ``writer`` lets a caller see what the question checker refused (``explain``)."""
    documents = tuple(documents)
    index = section_index(documents)
    chosen = select(documents, theme, max_sections=max_sections, themes=themes)
    picked = [(*index[m.section_id], m) for m in chosen]
    return _assemble(documents, theme, picked, questions_per_section, writer=writer)


def explain(documents: Sequence[Document], themes: Sequence[Theme], theme: Theme, *,
            max_sections: int | None = None) -> dict[str, object]:
    """Why a theme's handout holds what it holds: every section that scored, with its
    score, the terms and family words that matched and why it was left out; and every
    question the checker refused, with its reasons."""
    documents = tuple(documents)
    index = section_index(documents)
    writer = QuestionWriter(load_patterns())
    result = build_outline(documents, themes, theme, max_sections=max_sections, writer=writer)
    candidates = [
        {"id": m.section_id, "title": index[m.section_id][1].title, "score": m.score,
         "matched": list(m.matched), "variants": list(m.variants),
         "selected": not why, "why_not": why}
        for m, why in assess(documents, theme, max_sections=max_sections, themes=themes)
        if m.score > 0 or m.matched or m.variants
    ]
    rejected = [{"section": where, "question": q, "reasons": list(reasons)}
                for where, q, reasons in writer.rejected]
    return {"theme": {"id": theme.id, "name": theme.name}, "sections": candidates,
            "rejected_questions": rejected,
            "printed_questions": [q for s in result.sections for q in s.questions]
            + list(result.questions)}


def outline_for_sections(documents: Sequence[Document], themes: Sequence[Theme], theme: Theme,
                         section_ids: Sequence[str], *,
                         questions_per_section: int | None = None,
                         writer: QuestionWriter | None = None) -> Outline:
    """The outline of sections a packet names explicitly, in the order given.

    ``theme`` is the packet's pseudo-theme (its title); each section's score and matched
    terms come from the theme it fits best, so the handout still says why it is there.
    """
    documents = tuple(documents)
    index = section_index(documents)
    picked = []
    fits: Counter[str] = Counter()
    by_id = {t.id: t for t in themes}
    for sid in dict.fromkeys(section_ids):
        if sid not in index:
            raise HandoutsError(None, f"unknown section id {sid!r}")
        doc, section = index[sid]
        if theme.terms:
            match = next(m for m in score_sections(documents, theme) if m.section_id == sid)
        else:
            best = best_theme(documents, themes, sid)
            match = best[1] if best else ThemeMatch(sid, theme.id, 0.0, ())
            if best:
                fits[best[0].id] += 1
        picked.append((doc, section, ThemeMatch(sid, theme.id, match.score, match.matched)))
    matched = Counter(t for _d, _s, m in picked for t in m.matched)
    by_count = sorted(matched.items(), key=lambda x: (-x[1], x[0]))
    terms = theme.terms or tuple(t for t, _n in by_count)
    # The closing questions speak of the study theme most of the sections fit: a
    # pseudo-theme's name (重点学习篇目) is a heading, not something to "落实".
    ranked = sorted(fits.items(), key=lambda x: (-x[1], list(by_id).index(x[0])))
    closing_theme = by_id[ranked[0][0]] if ranked else None
    return _assemble(documents, theme, picked, questions_per_section, terms, closing_theme,
                     writer=writer)


build_section_outline = outline_for_sections


def outline_all(documents: Sequence[Document], themes: Sequence[Theme]) -> tuple[Outline, ...]:
    """Every theme's outline (what ``make bench`` times, cold and warm)."""
    return tuple(build_outline(documents, themes, theme) for theme in themes)


def clear_caches() -> None:
    """Forget the memoised corpus statistics and scores (for benchmarks and tests that
    measure or check a first computation; jieba's dictionary stays loaded)."""
    from handouts.content import textstats, themes

    textstats.corpus_stats.cache_clear()
    textstats._all_sections.cache_clear()
    textstats.cut_cached.cache_clear()
    themes._term_tf.cache_clear()
    themes._scores.cache_clear()
    _summary.cache_clear()
