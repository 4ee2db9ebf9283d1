"""The whole flow on one screen.

raw document -> clean -> sections -> themes -> selection -> key points + questions
-> outline -> HTML -> PDF.  Each step is a function of its inputs; this module only
wires them, so the CLI, the regeneration job, the benchmarks and the tests all drive
the same code.  Heavy imports (jieba, WeasyPrint) stay inside the stages that need them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from handouts.errors import HandoutsError
from handouts.model import Document, Handout, Outline, Theme

if TYPE_CHECKING:
    from handouts.content.edits import MergeReport, PartEdit
    from handouts.corpus.index import CorpusIndex


@dataclass(frozen=True)
class Corpus:
    """The loaded documents, the files that could not be loaded, and the themes."""

    root: Path
    documents: tuple[Document, ...]
    themes: tuple[Theme, ...]
    problems: tuple[HandoutsError, ...] = ()

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        known = ", ".join(t.id for t in self.themes)
        raise HandoutsError(
            self.root / "themes.toml", f"unknown theme {theme_id!r} (known: {known})"
        )


def load(root: str | Path, *, strict: bool = False, index: Path | CorpusIndex | None = None
         ) -> Corpus:
    """Read every document of a corpus directory and its themes file (through the
    persistent corpus index at ``index``, when given: unchanged files are not read)."""
    from handouts.content.themes import load_themes
    from handouts.corpus.load import load_documents

    root = Path(root)
    documents, problems = load_documents(root, strict=strict, index=index)
    return Corpus(root, documents, load_themes(root), problems)


def outline(
    corpus: Corpus,
    theme_id: str,
    *,
    max_sections: int | None = None,
    questions_per_section: int | None = None,
) -> Outline:
    """Select a theme's sections and assemble key points and questions around them."""
    from handouts.content.outline import build_outline

    return build_outline(
        corpus.documents,
        corpus.themes,
        corpus.theme(theme_id),
        max_sections=max_sections,
        questions_per_section=questions_per_section,
    )


def theme_handout(
    corpus: Corpus, theme_id: str, *, paper: str = "a4", booklet: bool = False
) -> Handout:
    """The handout a theme export prints: one outline, the theme's name as title."""
    result = outline(corpus, theme_id)
    return Handout(
        title=result.theme.name,
        outlines=(result,),
        date=latest_date(corpus.documents),
        paper=paper,
        booklet=booklet,
        sources=result.sources,
    )


def edited(corpus: Corpus, handout: Handout, kind: Literal["theme", "packet"], name: str,
           edits_dir: Path | None) -> tuple[Handout, list[str]]:
    """The handout as the organiser's edit file (``edits/<kind>s/<name>.toml``) has it,
    with the warnings to print (stale sections); unchanged when there is no such file."""
    from handouts.content import edits

    return edits.edited_handout(handout, edits_dir, kind, name, corpus.documents,
                                sections_outliner(corpus))


def proposed_handout(corpus: Corpus, kind: Literal["theme", "packet"], name: str,
                     packets_dir: Path) -> Handout:
    """What the pipeline proposes for a theme or a packet, before any organiser's edit."""
    if kind == "theme":
        return theme_handout(corpus, name)
    from handouts.build import packets

    spec = packets.load_spec(packets_dir / f"{name}.toml", themes=corpus.themes)
    return packets.packet_handout(corpus, spec)


def write_edits(corpus: Corpus, kind: Literal["theme", "packet"], name: str, *,
                edits_dir: Path, packets_dir: Path,
                refresh: bool = False) -> tuple[Path, MergeReport]:
    """Write the edit file of a theme or packet (``handouts edit``); with ``refresh``,
    merge the current proposal into the existing file.  Returns ``(path, MergeReport)``."""
    from handouts.content import edits

    handout = proposed_handout(corpus, kind, name, packets_dir)
    return edits.write_edits(edits_dir, kind, name, handout, corpus.documents,
                             sections_outliner(corpus), refresh=refresh)


def sections_outliner(corpus: Corpus) -> Callable[[Theme, Sequence[str]], Outline]:
    """Proposes key points and questions for sections an organiser adds by id."""
    from handouts.content.outline import outline_for_sections

    def outline_of(theme: Theme, section_ids: Sequence[str]) -> Outline:
        return outline_for_sections(corpus.documents, corpus.themes, theme, section_ids)

    return outline_of


def pdf(handout: Handout, **options: object) -> bytes:
    """Lay a handout out and return the PDF bytes (nothing is written here)."""
    from handouts.writers.pdf.render import render_pdf

    return render_pdf(handout, **options)


def latest_date(documents: Sequence[Document]) -> str | None:
    """The newest source date: a theme export is dated by its corpus, not the clock,
    so a rebuild of unchanged inputs gives the same bytes."""
    dates = sorted(d.date for d in documents if d.date)
    return dates[-1] if dates else None


def handout_for(corpus: Corpus, kind: Literal["theme", "packet"], name: str, *,
                edits_dir: Path | None, packets_dir: Path) -> tuple[Handout, Handout, list[str]]:
    """What a build of a theme or packet prints: ``(proposed, edited, warnings)``, the
    pipeline's proposal and the handout through the organiser's edit file."""
    proposed = proposed_handout(corpus, kind, name, packets_dir)
    result, warnings = edited(corpus, proposed, kind, name, edits_dir)
    return proposed, result, warnings


def save_outline(corpus: Corpus, kind: Literal["theme", "packet"], name: str,
                 parts: Sequence[PartEdit], *, expected_version: str | None, edits_dir: Path,
                 packets_dir: Path) -> Path:
    """Save an outline edited outside a text editor (the workbench) to the same edit
    file ``handouts edit`` writes, refusing a save over a file changed since."""
    from handouts.content import editor, edits
    from handouts.errors import ConfigError

    proposed = proposed_handout(corpus, kind, name, packets_dir)
    path = edits.edit_path(edits_dir, kind, name)
    # What a build would refuse (an excerpt sentence not in the passage, an unknown id)
    # is refused now, before the file is written, with the same message.
    known = {edits.part_name(o, kind, name) for o in proposed.outlines}
    for part in parts:
        if part.part not in known:
            raise ConfigError(path, f"{part.part!r} is not a part of this handout "
                                    f"(its parts: {', '.join(sorted(known))})")
    trial = edits.EditFile(kind, name, path, tuple(parts))
    edits.apply_edits(proposed, trial, corpus.documents, sections_outliner(corpus))

    def create() -> None:
        edits.write_edits(edits_dir, kind, name, proposed, corpus.documents,
                          sections_outliner(corpus))

    return editor.save(path, kind, name, parts, proposed, expected_version, create)


def refresh_outline(corpus: Corpus, kind: Literal["theme", "packet"], name: str, *,
                    expected_version: str | None, edits_dir: Path,
                    packets_dir: Path) -> MergeReport:
    """``handouts edit --refresh`` from the workbench: merge the current proposal into
    the edit file, keeping every organiser change, unless the file changed since."""
    from handouts.content import editor, edits

    path = edits.edit_path(edits_dir, kind, name)
    _, report = editor.refresh(path, expected_version, lambda: write_edits(
        corpus, kind, name, edits_dir=edits_dir, packets_dir=packets_dir, refresh=True))
    return report
