"""Meeting packets: a TOML spec in ``packets/`` becomes one printed handout.

An organiser writes what the meeting needs (title, date, agenda, a foreword, the themes
or the exact sections to read) and the packet is assembled from the same outlines a
theme export prints.  The spec is checked by a typed schema so a typo names the file,
the key and the problem on one line instead of surfacing as a traceback halfway through
a build; references into the corpus (theme ids, section ids) are checked against the
loaded corpus, because only the corpus knows them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from handouts import tomlfile
from handouts.errors import ConfigError
from handouts.model import Document, Handout, Outline, SourceRef, Theme

if TYPE_CHECKING:
    from handouts.pipeline import Corpus

NonEmpty = Annotated[str, Field(min_length=1)]


class PacketSpec(BaseModel):
    """What one meeting's packet contains and how it is printed.

    ``name`` is the spec's file stem (the output is ``build/packets/<name>.pdf``) and
    ``path`` the file itself, kept for error messages; neither is written in the TOML.
    """

    # strict: TOML has real types, so ``booklet = "no"`` is a mistake to report, not a
    # string to guess at (lax mode would read it as False).
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True)

    name: str = Field(default="", exclude=True)
    path: str = Field(default="", exclude=True)

    title: NonEmpty
    date: str | None = None
    organiser: str | None = None
    place: str | None = None
    audience: str | None = None
    agenda: tuple[NonEmpty, ...] = ()
    foreword: str | None = None
    themes: tuple[NonEmpty, ...] = ()
    sections: tuple[NonEmpty, ...] = ()
    # The part heading of the hand-picked sections when a packet has several parts.
    sections_heading: NonEmpty = "重点学习篇目"
    max_sections: Annotated[int, Field(ge=1, le=50)] | None = None
    questions_per_section: Annotated[int, Field(ge=0, le=10)] | None = None
    paper: Literal["a4", "a5", "b5"] = "a4"
    booklet: bool = False
    notes_pages: Annotated[int, Field(ge=0, le=10)] = 1
    # One packet per branch: "rosters/<name>.csv", beside packets/ (see handouts.build.roster).
    roster: NonEmpty | None = None

    @field_validator("roster")
    @classmethod
    def _roster_inside_rosters(cls, value: str | None) -> str | None:
        # The build fingerprints rosters/ only, so a roster elsewhere would go stale.
        if value is None:
            return None
        parts = Path(value).parts
        if (len(parts) != 2 or parts[0] != "rosters" or not value.endswith(".csv")
                or parts[1].startswith(".")):
            raise ValueError(f"must name a file rosters/<name>.csv (got {value!r})")
        return value

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_iso(cls, value: Any) -> Any:
        # TOML has a date type (date = 2026-12-05); organisers may also quote it.
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    @field_validator("paper", mode="before")
    @classmethod
    def _paper_any_case(cls, value: Any) -> Any:
        # "A4" is how paper sizes are written on every box of paper.
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("foreword")
    @classmethod
    def _foreword_paragraphs(cls, value: str | None) -> str | None:
        # TOML multi-line strings keep the author's line wrapping; a blank line is the
        # only paragraph break an organiser means, so single newlines are joined.
        if value is None:
            return None
        paragraphs = ["".join(line.strip() for line in block.splitlines())
                      for block in value.split("\n\n")]
        return "\n".join(p for p in paragraphs if p) or None

    @model_validator(mode="after")
    def _something_to_read(self) -> PacketSpec:
        if not self.themes and not self.sections:
            raise ValueError("a packet needs at least one of 'themes' or 'sections'")
        return self


def load_spec(
    path: Path,
    *,
    themes: Collection[str | Theme] | None = None,
    section_ids: Collection[str] | None = None,
) -> PacketSpec:
    """Read and validate one spec; with ``themes``/``section_ids``, check references too.

    ``themes`` may be theme ids or ``Theme`` objects (``corpus.themes``).

    Every problem is a ``ConfigError`` reading ``<file>: key <key>: <problem>``.
    """
    path = Path(path)
    raw = tomlfile.load(path, "packet spec")
    for reserved in ("name", "path"):
        if reserved in raw:
            raise ConfigError(path, f"key {reserved}: unknown key (the file name names the packet)")
    try:
        # Strict mode takes tuples only; TOML arrays arrive as lists.
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
        spec = PacketSpec.model_validate({**values, "name": path.stem, "path": str(path)})
    except ValidationError as exc:
        raise _config_error(path, exc) from None
    check_references(spec, themes=themes, section_ids=section_ids)
    return spec


def roster_path(spec: PacketSpec) -> Path | None:
    """The spec's roster file: ``rosters/`` sits beside ``packets/``."""
    if spec.roster is None:
        return None
    return Path(spec.path).resolve().parent.parent / spec.roster


def check_references(
    spec: PacketSpec,
    *,
    themes: Collection[str | Theme] | None = None,
    section_ids: Collection[str] | None = None,
) -> None:
    """Fail on a theme or section id the corpus does not have (``None`` skips a check)."""
    if themes is not None:
        themes = {t.id if isinstance(t, Theme) else t for t in themes}
        for i, theme_id in enumerate(spec.themes):
            if theme_id not in themes:
                known = ", ".join(sorted(themes))
                raise ConfigError(spec.path, f"key themes[{i}]: unknown theme {theme_id!r} "
                                             f"(known: {known})")
    if section_ids is not None:
        for i, section_id in enumerate(spec.sections):
            if section_id not in section_ids:
                raise ConfigError(spec.path, f"key sections[{i}]: unknown section id "
                                             f"{section_id!r} (see `handouts corpus`)")
    seen: set[str] = set()
    for key, values in (("themes", spec.themes), ("sections", spec.sections)):
        for i, value in enumerate(values):
            if (key, value) in seen:
                raise ConfigError(spec.path, f"key {key}[{i}]: {value!r} is listed twice")
            seen.add((key, value))


def _config_error(path: Path, exc: ValidationError) -> ConfigError:
    """The first validation problem, as ``key <dotted.key>: <message>``."""
    error = exc.errors(include_url=False)[0]
    key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
    key = key.lstrip(".")
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(n for n in PacketSpec.model_fields if n not in ("name", "path"))
        problem = f"unknown key (allowed: {allowed})"
    elif kind == "missing":
        problem = "required key is missing"
    else:
        problem = error["msg"].removeprefix("Value error, ")
        if "input" in error and kind != "value_error":
            problem += f" (got {error['input']!r})"
    return ConfigError(path, f"key {key}: {problem}" if key else problem)


@dataclass(frozen=True)
class SpecEntry:
    """One line of ``handouts packet --list``: a spec and whether it validates."""

    name: str
    path: Path
    title: str | None
    date: str | None
    themes: tuple[str, ...]
    sections: int
    error: str | None = None


def spec_paths(directory: Path) -> list[Path]:
    """The spec files of a packets directory, in name order (hidden files skipped)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.toml") if p.is_file() and not p.name.startswith("."))


def list_specs(
    directory: Path,
    *,
    themes: Collection[str | Theme] | None = None,
    section_ids: Collection[str] | None = None,
) -> list[SpecEntry]:
    """Every spec of ``directory`` with its title, or the one-line error that breaks it."""
    entries = []
    for path in spec_paths(directory):
        try:
            spec = load_spec(path, themes=themes, section_ids=section_ids)
        except ConfigError as exc:
            entries.append(SpecEntry(path.stem, path, None, None, (), 0, str(exc)))
            continue
        entries.append(SpecEntry(spec.name, path, spec.title, spec.date, spec.themes,
                                 len(spec.sections)))
    return entries


def format_entry(entry: SpecEntry) -> str:
    """``name  date  title  [themes]`` or ``name  ERROR <problem>``, for ``--list``."""
    if entry.error:
        return f"{entry.name}\tERROR {entry.error}"
    what = ", ".join(entry.themes)
    if entry.sections:
        what = f"{what}, {entry.sections} sections" if what else f"{entry.sections} sections"
    return f"{entry.name}\t{entry.date or '-'}\t{entry.title}\t[{what}]"


def describe_specs(directory: Path) -> list[str]:
    """The lines ``handouts packet --list`` prints (schema checks only: no corpus load)."""
    return [format_entry(entry) for entry in list_specs(directory)]


# How an outline is made, injectable so packets can be tested without jieba; the defaults
# are the content stage's own functions.
ThemeOutliner = Callable[..., Outline]
SectionOutliner = Callable[..., Outline]


def _theme_outline(documents: Sequence[Document], themes: Sequence[Theme], theme: Theme, *,
                   max_sections: int | None, questions_per_section: int | None,
                   writer: Any = None) -> Outline:
    from handouts.content.outline import build_outline

    return build_outline(documents, themes, theme, max_sections=max_sections,
                         questions_per_section=questions_per_section, writer=writer)


def _sections_outline(documents: Sequence[Document], themes: Sequence[Theme], theme: Theme,
                      section_ids: Sequence[str], *,
                      questions_per_section: int | None, writer: Any = None) -> Outline:
    from handouts.content import outline

    return outline.outline_for_sections(documents, themes, theme, section_ids,
                                        questions_per_section=questions_per_section,
                                        writer=writer)


def _question_writer() -> Any:
    """One question writer for the whole packet: its outlines are one handout, so no
    question may repeat another across them (the checker sees them all)."""
    from handouts.content.questions import QuestionWriter, load_patterns

    return QuestionWriter(load_patterns())


def packet_handout(
    corpus: Corpus,
    spec: PacketSpec,
    *,
    paper: str | None = None,
    booklet: bool | None = None,
    theme_outline: ThemeOutliner = _theme_outline,
    sections_outline: SectionOutliner = _sections_outline,
    question_writer: Callable[[], Any] | None = _question_writer,
) -> Handout:
    """The handout a packet prints: the chosen sections, then one outline per theme.

    Explicit sections come first (the organiser picked them on purpose); a section a
    theme would select again is dropped from that theme's outline so nothing is printed
    twice.  ``max_sections`` limits each theme's outline.  ``paper``/``booklet`` override
    the spec (command-line options); ``None`` keeps the spec's choice.  All outlines share
    one question writer (``question_writer()``), so the checker refuses a question that
    repeats one of another part of the packet; ``None`` lets each outliner write its own.
    """
    known_sections = {s.id for d in corpus.documents for s in d.sections}
    check_references(spec, themes={t.id for t in corpus.themes}, section_ids=known_sections)
    outlines: list[Outline] = []
    writer = question_writer() if question_writer else None
    if spec.sections:
        # Nothing of the spec's cover text goes into this theme: editing the title or
        # agenda must not change (and recompute) the outline of the chosen sections.
        theme = Theme(id=f"packet-{spec.name}", name=spec.sections_heading,
                      description="会议组织者选定的学习篇目")
        outlines.append(sections_outline(corpus.documents, corpus.themes, theme,
                                         list(spec.sections),
                                         questions_per_section=spec.questions_per_section,
                                         writer=writer))
    printed = {s.id for o in outlines for s in o.sections}
    for theme_id in spec.themes:
        result = theme_outline(corpus.documents, corpus.themes, corpus.theme(theme_id),
                               max_sections=spec.max_sections,
                               questions_per_section=spec.questions_per_section,
                               writer=writer)
        result = _without(result, printed)
        printed |= {s.id for s in result.sections}
        if result.sections:
            outlines.append(result)
    if not outlines:
        raise ConfigError(spec.path, "key themes: the themes select no section of the corpus")
    return Handout(
        title=spec.title,
        outlines=tuple(outlines),
        date=spec.date,
        organiser=spec.organiser,
        place=spec.place,
        audience=spec.audience,
        agenda=spec.agenda,
        foreword=spec.foreword,
        notes_pages=spec.notes_pages,
        paper=paper or spec.paper,
        booklet=spec.booklet if booklet is None else booklet,
        sources=_merged_sources(outlines),
    )


def _without(outline: Outline, section_ids: Collection[str]) -> Outline:
    if not any(s.id in section_ids for s in outline.sections):
        return outline
    sections = tuple(s for s in outline.sections if s.id not in section_ids)
    doc_ids = {s.doc_id for s in sections}
    sources = tuple(ref for ref in outline.sources if ref.id in doc_ids)
    return dataclasses.replace(outline, sections=sections, sources=sources)


def _merged_sources(outlines: Sequence[Outline]) -> tuple[SourceRef, ...]:
    seen: dict[str, SourceRef] = {}
    for result in outlines:
        for ref in result.sources:
            seen.setdefault(ref.id, ref)
    return tuple(seen.values())


# ------------------------------------------------------------------ writing a spec

SPEC_NAME = r"[a-z0-9][a-z0-9-]{0,59}"
"""A packet's file name (its output is ``build/packets/<name>.pdf``): a web form may
propose any text, so the name is checked, never used as given."""

_SPEC_KEYS = tuple(n for n in PacketSpec.model_fields if n not in ("name", "path"))


def spec_text(values: dict[str, Any]) -> str:
    """A spec's TOML in the order and style of the shipped specs (keys with no value
    left out), for a spec written by a form rather than a text editor."""
    import json

    def string(value: str) -> str:
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")

    lines = [f"# {values.get('title') or ''}".rstrip()]
    for key in _SPEC_KEYS:
        value = values.get(key)
        if value is None or value == "" or value == () or value == []:
            continue
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int):
            lines.append(f"{key} = {value}")
        elif isinstance(value, (list, tuple)):
            lines += [f"{key} = [", *(f"  {string(str(v))}," for v in value), "]"]
        elif key == "foreword" and "'''" not in str(value) and "\n" in str(value):
            lines.append(f"{key} = '''\n{value}\n'''")
        else:
            lines.append(f"{key} = {string(str(value))}")
    return "\n".join(lines) + "\n"


def write_spec(directory: Path, name: str, values: dict[str, Any], *,
               themes: Collection[str | Theme], section_ids: Collection[str],
               replace: bool = False) -> PacketSpec:
    """Write ``packets/<name>.toml`` from ``values`` after validating it exactly as a
    build will read it (schema and references); nothing is written when it does not
    validate, and an existing spec is replaced only with ``replace``.

    Every problem is a ``ConfigError`` naming the spec file and key."""
    import re
    import tempfile

    from handouts.atomic import write_atomic

    target = Path(directory) / f"{name}.toml"
    if not re.fullmatch(SPEC_NAME, name or ""):
        raise ConfigError(target, "the name must be lower-case letters, digits and '-' "
                                  "(e.g. branch-2026-12)")
    if target.exists() and not replace:
        raise ConfigError(target, "a packet of this name already exists; choose another name "
                                  "or open that packet to change it")
    text = spec_text(values)
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / target.name
        trial.write_text(text, encoding="utf-8")
        try:
            spec = load_spec(trial, themes=themes, section_ids=section_ids)
        except ConfigError as exc:
            raise ConfigError(target, exc.problem) from None
    Path(directory).mkdir(parents=True, exist_ok=True)
    write_atomic(target, text)
    return spec.model_copy(update={"path": str(target)})


def spec_values(path: Path) -> dict[str, Any]:
    """The keys of an existing spec as written (for a form to change some and keep the
    rest, such as ``max_sections`` or ``paper``)."""
    try:
        raw = tomllib.loads(Path(path).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        load_spec(path)  # raises the one-line error a build would give
        raise
    if isinstance(raw.get("date"), (dt.date, dt.datetime)):
        raw["date"] = raw["date"].isoformat()[:10]
    return raw
