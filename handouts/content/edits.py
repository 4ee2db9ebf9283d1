"""The organiser's edit files: the last word on what a handout prints.

``handouts edit`` writes a theme's or a packet's outline to ``edits/themes/<id>.toml`` or
``edits/packets/<name>.toml``, a commented TOML file an organiser can read and change:
the sections in order (reorder, drop, add by id), each section's title, key points and
questions, an excerpt (start and end sentences) and a note printed under the passage.
From then on every build of that handout goes through the file.

Two things make the edits survive the corpus changing under them:

* each section carries ``source_hash``, the hash of the passage text the organiser
  read; a build whose corpus differs still prints the organiser's text and warns, and
  ``handouts status`` shows a diff of the source text;
* beside each file, ``edits/.base/<kind>/<name>.json`` keeps what the pipeline proposed
  when the file was written (texts, titles, key points, questions).  That is the common
  ancestor of a three-way merge: ``--refresh`` takes the pipeline's new proposal for
  every field the organiser left as proposed and keeps every field they changed, and it
  tells a section the organiser dropped from one the pipeline newly selects.  It also
  holds the text of a section that has since left the corpus, so it still prints.

This module is the library; the CLI (and the workbench) are thin clients of
``load_edits``, ``apply_edits``, ``write_edits``/``refresh`` and ``stale_edits``.
Nothing here imports WeasyPrint.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from handouts import paths, tomlfile
from handouts.errors import ConfigError
from handouts.model import Document, Handout, Outline, OutlineSection, SourceRef, Theme

Kind = Literal["theme", "packet"]
FOLDERS: dict[str, str] = {"theme": "themes", "packet": "packets"}
BASE_DIR = paths.EDITS_BASE
BASE_FORMAT = 1
HAND_PICKED = "sections"
"""The part name of a packet's hand-picked sections (its other parts are theme ids)."""

NonEmpty = Annotated[str, Field(min_length=1)]

# Makes an outline of sections named by id (added by the organiser) for one part's theme.
SectionsOutliner = Callable[[Theme, Sequence[str]], Outline]


def source_hash(text: str) -> str:
    """The fingerprint of a passage's source text (16 hex digits: a typo-proof handle,
    not a security measure)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- schema


class _Strict(BaseModel):
    # strict: TOML has real types, so ``questions = "…"`` is a mistake to report.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True)


def _paragraphs(value: str | None) -> str | None:
    """Blank lines separate paragraphs; single newlines are the author's line wrapping
    (Chinese has no spaces to restore), as in a packet's foreword."""
    if value is None:
        return None
    blocks = ("".join(line.strip() for line in block.splitlines())
              for block in re.split(r"\n\s*\n", value))
    return "\n".join(b for b in blocks if b) or None


class SectionEdit(_Strict):
    """One ``[[sections]]`` table: a passage and what is printed around it.

    A key left out takes the pipeline's proposal (how a section added by hand gets key
    points and questions); a key written is the organiser's word, even an empty list.
    ``note`` is kept as written (line breaks and all) so that writing the file back
    changes nothing; its paragraphs are found when it is printed.
    """

    id: NonEmpty
    source_hash: str | None = None
    title: NonEmpty | None = None
    key_points: tuple[NonEmpty, ...] | None = None
    questions: tuple[NonEmpty, ...] | None = None
    note: str | None = None
    excerpt_start: str | None = None
    excerpt_end: str | None = None

    @field_validator("note", "source_hash", "excerpt_start", "excerpt_end")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class PartEdit(_Strict):
    """The sections of one outline and its closing questions (总讨论题)."""

    part: NonEmpty
    questions: tuple[NonEmpty, ...] | None = None
    sections: tuple[SectionEdit, ...]


class _ThemeFile(_Strict):
    questions: tuple[NonEmpty, ...] | None = None
    sections: tuple[SectionEdit, ...]


class _PacketFile(_Strict):
    parts: tuple[PartEdit, ...]


@dataclass(frozen=True)
class EditFile:
    """A loaded, schema-checked edit file.  References into the corpus (section ids,
    excerpt sentences) are checked when the edits are applied: only the corpus knows."""

    kind: Kind
    name: str
    path: Path
    parts: tuple[PartEdit, ...]

    def part(self, name: str) -> PartEdit | None:
        return next((p for p in self.parts if p.part == name), None)


def edit_path(edits_dir: Path, kind: Kind, name: str) -> Path:
    """``edits/themes/<id>.toml`` or ``edits/packets/<name>.toml``."""
    return Path(edits_dir) / FOLDERS[kind] / f"{name}.toml"


def base_path(path: Path) -> Path:
    """Where the proposal an edit file was written from is kept (see the module doc)."""
    path = Path(path)
    return path.parent.parent / BASE_DIR / path.parent.name / f"{path.stem}.json"


def edit_paths(edits_dir: Path) -> list[tuple[Kind, Path]]:
    """Every edit file under ``edits_dir``, themes first, in name order."""
    found: list[tuple[Kind, Path]] = []
    for kind in ("theme", "packet"):
        folder = Path(edits_dir) / FOLDERS[kind]
        if folder.is_dir():
            found.extend((kind, p) for p in sorted(folder.glob("*.toml"))  # type: ignore[misc]
                         if p.is_file() and not p.name.startswith("."))
    return found


def load_edits(path: Path, kind: Kind) -> EditFile:
    """Read and schema-check one edit file; every problem is one ``ConfigError`` line
    ``<file>: key <key>: <problem>``."""
    path = Path(path)
    raw = tomlfile.load(path, "edit file")
    model: type[_Strict] = _ThemeFile if kind == "theme" else _PacketFile
    try:
        parsed = model.model_validate(_tuples(raw))
    except ValidationError as exc:
        raise _config_error(path, exc, raw, model) from None
    if isinstance(parsed, _ThemeFile):
        parts: tuple[PartEdit, ...] = (
            PartEdit(part=path.stem, questions=parsed.questions, sections=parsed.sections),)
    else:
        parts = parsed.parts  # type: ignore[attr-defined]
    _check_unique(path, kind, parts)
    return EditFile(kind, path.stem, path, parts)


def _tuples(value: Any) -> Any:
    """TOML arrays arrive as lists; the strict schema takes tuples."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def _check_unique(path: Path, kind: Kind, parts: Sequence[PartEdit]) -> None:
    seen_parts: set[str] = set()
    seen: dict[str, str] = {}
    for p, part in enumerate(parts):
        prefix = "" if kind == "theme" else f"parts[{p}]."
        if part.part in seen_parts:
            raise ConfigError(path, f"key parts[{p}].part: part {part.part!r} is listed twice")
        seen_parts.add(part.part)
        if not part.sections:
            raise ConfigError(path, f"key {prefix}sections: no section left to print "
                                    "(delete the file to go back to the generated handout)")
        for i, section in enumerate(part.sections):
            if section.id in seen:
                raise ConfigError(path, f"key {prefix}sections[{i}].id: section {section.id!r} "
                                        "is listed twice")
            seen[section.id] = part.part


_PROBLEMS = {
    "missing": "required key is missing",
    "string_too_short": "is empty (delete the line instead)",
    "string_type": "expected text in quotes",
    "tuple_type": "expected a list in square brackets [ … ]",
}


def _config_error(path: Path, exc: ValidationError, raw: Mapping[str, Any],
                  model: type[_Strict]) -> ConfigError:
    """The first validation problem as ``key <dotted.key> (section <id>): <problem>``."""
    error = exc.errors(include_url=False)[0]
    loc = tuple(error["loc"])
    key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    key = key.lstrip(".")
    kind = error["type"]
    if kind == "extra_forbidden":
        owner = (SectionEdit if "sections" in loc[:-1] else PartEdit if "parts" in loc[:-1]
                 else model)
        allowed = ", ".join(owner.model_fields)
        problem = f"unknown key (allowed: {allowed})"
    elif kind in _PROBLEMS:
        problem = _PROBLEMS[kind]
    else:
        problem = error["msg"].removeprefix("Value error, ")
        if "input" in error:
            problem += f" (got {error['input']!r})"
    section = _section_at(raw, loc)
    where = f"key {key}" + (f" (section {section})" if section and not key.endswith(".id") else "")
    return ConfigError(path, f"{where}: {problem}")


def _section_at(raw: Any, loc: Sequence[Any]) -> str | None:
    """The id of the section a validation error is in, so a message names it."""
    node = raw
    found = None
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            found = node["id"]
    return found


# ------------------------------------------------------------------ the proposal kept


@dataclass(frozen=True)
class BaseSection:
    """What the pipeline proposed for one section when the file was last written."""

    title: str
    doc_id: str
    doc_title: str
    text: str
    key_points: tuple[str, ...]
    questions: tuple[str, ...]


@dataclass(frozen=True)
class BasePart:
    part: str
    order: tuple[str, ...]
    questions: tuple[str, ...]
    sections: Mapping[str, BaseSection]


def load_base(path: Path) -> dict[str, BasePart]:
    """The kept proposal of an edit file, by part; empty when missing or unreadable (the
    merge then treats every value in the file as the organiser's)."""
    try:
        data = json.loads(base_path(path).read_text(encoding="utf-8"))
        if data.get("format") != BASE_FORMAT:
            return {}
        return {
            p["part"]: BasePart(
                p["part"], tuple(p["order"]), tuple(p["questions"]),
                {sid: BaseSection(s["title"], s["doc_id"], s["doc_title"], s["text"],
                                  tuple(s["key_points"]), tuple(s["questions"]))
                 for sid, s in p["sections"].items()})
            for p in data["parts"]
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _base_json(parts: Mapping[str, BasePart]) -> str:
    return json.dumps({
        "format": BASE_FORMAT,
        "parts": [{"part": p.part, "order": list(p.order), "questions": list(p.questions),
                   "sections": {sid: dataclasses.asdict(s) for sid, s in p.sections.items()}}
                  for p in parts.values()],
    }, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def part_name(outline: Outline, kind: Kind, name: str) -> str:
    """How an edit file names an outline: a packet's hand-picked sections are
    ``sections``, every other part is its theme id."""
    if kind == "packet" and outline.theme.id == f"packet-{name}":
        return HAND_PICKED
    return outline.theme.id


def proposal(outline: Outline, part: str) -> BasePart:
    """An outline as the pipeline proposes it, in the form kept beside an edit file."""
    return BasePart(part, tuple(s.id for s in outline.sections), outline.questions,
                    {s.id: BaseSection(s.title, s.doc_id, s.doc_title, s.text, s.key_points,
                                       s.questions) for s in outline.sections})


# ----------------------------------------------------------------------- applying


@dataclass(frozen=True)
class StaleEdit:
    """A section of an edit file whose source text is no longer what the organiser read."""

    path: Path
    part: str
    section_id: str
    title: str
    state: Literal["changed", "gone"]
    old_text: str | None
    new_text: str | None

    def warning(self) -> str:
        what = ("its source text changed since the edit was written" if self.state == "changed"
                else "it is no longer in the corpus")
        return (f"{self.path}: section {self.section_id} ({self.title}): {what}; printing the "
                "organiser's text (see `handouts status`)")

    def diff(self, limit: int = 12) -> list[str]:
        """A short diff of the source text, one sentence a line (a paragraph of Chinese is
        one long line: a line diff would show the whole paragraph for one changed word)."""
        if self.old_text is None:
            return ["  (the text the edit was written against is not kept: no diff)"]
        old = _sentences(self.old_text)
        new = _sentences(self.new_text or "")
        lines = [line for line in difflib.unified_diff(old, new, lineterm="", n=0)
                 if line[:1] in "+-" and not line.startswith(("+++", "---"))]
        if len(lines) > limit:
            lines = [*lines[:limit], f"  … {len(lines) - limit} more lines"]
        return [f"  {line[0]} {line[1:]}" if line[:1] in "+-" else line for line in lines]


_SENTENCE_END = re.compile(r"(?<=[。！？；])(?![”’」』）])")


def _sentences(text: str) -> list[str]:
    return [s.strip() for para in text.split("\n") for s in _SENTENCE_END.split(para)
            if s.strip()]


def stale_edits(edits: EditFile, documents: Sequence[Document]) -> list[StaleEdit]:
    """Every section of ``edits`` whose ``source_hash`` no longer matches the corpus."""
    texts = {s.id: s.text for d in documents for s in d.sections}
    base = load_base(edits.path)
    found = []
    for part in edits.parts:
        kept = base.get(part.part)
        for section in part.sections:
            if section.source_hash is None:
                continue  # added by hand and never refreshed: nothing to compare with
            old = kept.sections.get(section.id) if kept else None
            title = section.title or (old.title if old else section.id)
            current = texts.get(section.id)
            if current is None:
                found.append(StaleEdit(edits.path, part.part, section.id, title, "gone",
                                       old.text if old else None, None))
            elif source_hash(current) != section.source_hash:
                old_text = old.text if old and source_hash(old.text) == section.source_hash \
                    else None
                found.append(StaleEdit(edits.path, part.part, section.id, title, "changed",
                                       old_text, current))
    return found


def apply_edits(handout: Handout, edits: EditFile, documents: Sequence[Document],
                sections_outline: SectionsOutliner) -> tuple[Handout, list[str]]:
    """The handout as the organiser edited it, and the warnings to print.

    ``sections_outline(theme, ids)`` proposes key points and questions for sections the
    organiser added.  A problem (an unknown section id, an excerpt sentence not in the
    passage, a section printed twice) is a ``ConfigError`` naming the file and key.
    """
    stale = stale_edits(edits, documents)
    warnings = [s.warning() for s in stale]
    base = load_base(edits.path)
    outlines = []
    used: set[str] = set()
    for outline in handout.outlines:
        name = part_name(outline, edits.kind, edits.name)
        part = edits.part(name)
        if part is None:
            outlines.append(outline)
            continue
        prefix = "" if edits.kind == "theme" else f"parts[{edits.parts.index(part)}]."
        edited, notes = _apply_part(outline, part, edits.path, prefix, documents,
                                    sections_outline, base.get(name))
        warnings.extend(notes)
        outlines.append(edited)
        used.add(name)
    for p, part in enumerate(edits.parts):
        if part.part not in used:
            warnings.append(f"{edits.path}: key parts[{p}].part: {part.part!r} is not a part of "
                            "this packet any more; its edits are not printed")
    printed: dict[str, str] = {}
    for outline in outlines:
        for section in outline.sections:
            if section.id in printed:
                raise ConfigError(edits.path, f"section {section.id} is printed twice (in "
                                              f"{printed[section.id]} and {outline.theme.id})")
            printed[section.id] = outline.theme.id
    sources: dict[str, SourceRef] = {}
    for outline in outlines:
        for ref in outline.sources:
            sources.setdefault(ref.id, ref)
    return dataclasses.replace(handout, outlines=tuple(outlines),
                               sources=tuple(sources.values())), warnings


def _apply_part(outline: Outline, part: PartEdit, path: Path, prefix: str,
                documents: Sequence[Document], sections_outline: SectionsOutliner,
                kept: BasePart | None) -> tuple[Outline, list[str]]:
    proposed = {s.id: s for s in outline.sections}
    in_corpus = {s.id: (d, s) for d in documents for s in d.sections}
    added = [s.id for s in part.sections if s.id not in proposed and s.id in in_corpus]
    if added:
        proposed.update((s.id, s) for s in sections_outline(outline.theme, added).sections)
    warnings: list[str] = []
    sections = []
    for i, edit in enumerate(part.sections):
        key = f"{prefix}sections[{i}]"
        base = proposed.get(edit.id)
        old = kept.sections.get(edit.id) if kept else None
        if base is None:
            if old is None or edit.source_hash is None:
                raise ConfigError(path, f"key {key}.id: unknown section id {edit.id!r} "
                                        "(see `handouts corpus`)")
            base = OutlineSection(id=edit.id, title=old.title, doc_id=old.doc_id,
                                  doc_title=old.doc_title, score=0.0, matched=(), keywords=(),
                                  key_points=old.key_points, questions=old.questions,
                                  text=old.text)
        text, excerpt, note = _excerpt(edit, base, old, path, key)
        if note:
            warnings.append(note)
        sections.append(dataclasses.replace(
            base,
            title=edit.title if edit.title is not None else base.title,
            key_points=edit.key_points if edit.key_points is not None else base.key_points,
            questions=edit.questions if edit.questions is not None else base.questions,
            note=_paragraphs(edit.note),
            text=text,
            excerpt=excerpt,
        ))
    questions = part.questions if part.questions is not None else outline.questions
    return dataclasses.replace(outline, sections=tuple(sections), questions=questions,
                               sources=_sources(sections, outline, documents)), warnings


def _excerpt(edit: SectionEdit, section: OutlineSection, old: BaseSection | None, path: Path,
             key: str) -> tuple[str, str | None, str | None]:
    """The text to print, the excerpt line (节选) and a warning, or a ``ConfigError``
    when a sentence is in neither the current passage nor the one the edit was made on."""
    if edit.excerpt_start is None and edit.excerpt_end is None:
        return section.text, None, None
    line = _excerpt_line(section.doc_title)
    cut = cut_excerpt(section.text, edit.excerpt_start, edit.excerpt_end)
    if isinstance(cut, str):
        return cut, line, None
    missing = cut[1]
    if old is not None:
        older = cut_excerpt(old.text, edit.excerpt_start, edit.excerpt_end)
        if isinstance(older, str):
            return older, line, (f"{path}: key {key}.{missing} (section {edit.id}): the "
                                 "sentence is no longer in the passage; printing the excerpt "
                                 "from the text the edit was made on")
    sentence = getattr(edit, missing)
    problem = "sentence not found in the passage"
    if missing == "excerpt_end" and cut_excerpt(section.text, None, sentence) != (None, missing):
        problem = "sentence comes before excerpt_start in the passage"
    raise ConfigError(path, f"key {key}.{missing} (section {edit.id}): {problem}: "
                            f"{_clip(sentence)!r}")


def cut_excerpt(text: str, start: str | None, end: str | None) -> str | tuple[None, str]:
    """The passage from the first character of ``start`` to the last of ``end`` (either
    may be ``None``: from the beginning, to the end), or ``(None, key)`` naming the
    sentence that is not in it.  Whitespace is ignored inside the sentences: an organiser
    copies them from a PDF or a web page, where lines break anywhere."""
    compact = re.sub(r"\s+", "", start) if start else None
    begin = 0
    if compact:
        found = _find(text, compact, 0)
        if found is None:
            return (None, "excerpt_start")
        begin = found[0]
    stop = len(text)
    if end:
        found = _find(text, re.sub(r"\s+", "", end), begin)
        if found is None:
            return (None, "excerpt_end")
        stop = found[1]
    return text[begin:stop].strip("\n")


def _find(text: str, needle: str, offset: int) -> tuple[int, int] | None:
    """``needle`` in ``text`` from ``offset`` with any whitespace between its characters."""
    pattern = r"\s*".join(re.escape(ch) for ch in needle)
    match = re.compile(pattern).search(text, offset)
    return (match.start(), match.end()) if match else None


def _excerpt_line(doc_title: str) -> str:
    return f"（以上为节选，全文见《{doc_title.strip().strip('《》')}》）"


def _clip(text: str | None, limit: int = 30) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit] + "…"


def _sources(sections: Sequence[OutlineSection], outline: Outline,
             documents: Sequence[Document]) -> tuple[SourceRef, ...]:
    """The documents the edited sections cite, in order of first use."""
    known = {ref.id: ref for ref in outline.sources}
    docs = {d.id: d for d in documents}
    refs: dict[str, SourceRef] = {}
    for section in sections:
        if section.doc_id in refs:
            continue
        doc = docs.get(section.doc_id)
        refs[section.doc_id] = known.get(section.doc_id) or (
            SourceRef(doc.id, doc.title, doc.date, doc.source, doc.path) if doc
            else SourceRef(section.doc_id, section.doc_title, None, None, ""))
    return tuple(refs.values())


# ------------------------------------------------------------------ writing, merging


@dataclass(frozen=True)
class MergeReport:
    """What ``refresh`` did, for the command line to say."""

    kept: int = 0        # fields and lists the organiser changed, kept as they are
    updated: int = 0     # fields the organiser left as proposed, now the new proposal
    added: tuple[str, ...] = ()     # sections the pipeline newly selects, added
    not_added: tuple[str, ...] = ()  # newly selected, left out: no record of what was dropped
    stale: tuple[str, ...] = ()     # sections gone from the corpus, kept as written


_MISSING = object()


def merge(existing: EditFile | None, kept: Mapping[str, BasePart],
          fresh: Sequence[BasePart]) -> tuple[tuple[PartEdit, ...], MergeReport]:
    """Three-way merge of an edit file with a new proposal (see the module doc).

    ``fresh`` is the pipeline's new proposal, part by part, including every section the
    file names that is still in the corpus; ``kept`` the proposal the file was written from.
    """
    counts = {"kept": 0, "updated": 0}
    added: list[str] = []
    not_added: list[str] = []
    gone: list[str] = []
    parts: list[PartEdit] = []

    def pick(mine: Any, base: Any, new: Any) -> Any:
        if mine is None or mine == base:
            counts["updated"] += mine is not None and mine != new
            return new
        counts["kept"] += 1
        return mine

    for new in fresh:
        mine = existing.part(new.part) if existing else None
        if mine is None:
            parts.append(PartEdit(part=new.part, questions=new.questions, sections=tuple(
                _edit_of(new, sid) for sid in new.order)))
            continue
        base = kept.get(new.part)
        merged: list[SectionEdit] = []
        for edit in mine.sections:
            now = new.sections.get(edit.id)
            if now is None:
                merged.append(edit)
                gone.append(edit.id)
                continue
            was = base.sections.get(edit.id) if base else None
            merged.append(edit.model_copy(update={
                "source_hash": source_hash(now.text),
                "title": pick(edit.title, was.title if was else _MISSING, now.title),
                "key_points": pick(edit.key_points, was.key_points if was else _MISSING,
                                   now.key_points),
                "questions": pick(edit.questions, was.questions if was else _MISSING,
                                  now.questions),
            }))
        listed = {e.id for e in merged}
        for position, sid in enumerate(new.order):
            if sid in listed:
                continue
            if base is None or sid in base.order:
                # Without the old proposal a missing section may be one the organiser
                # dropped; with it, a missing one that was proposed was dropped on purpose.
                if base is None:
                    not_added.append(sid)
                continue
            before = [s for s in new.order[:position] if s in listed]
            at = max((i for i, e in enumerate(merged) if before and e.id == before[-1]),
                     default=-1) + 1
            merged.insert(at, _edit_of(new, sid))
            listed.add(sid)
            added.append(sid)
        questions = pick(mine.questions, base.questions if base else _MISSING, new.questions)
        parts.append(mine.model_copy(update={"sections": tuple(merged), "questions": questions}))
    names = {p.part for p in parts}
    parts.extend(p for p in (existing.parts if existing else ()) if p.part not in names)
    return tuple(parts), MergeReport(counts["kept"], counts["updated"], tuple(added),
                                     tuple(not_added), tuple(gone))


def _edit_of(part: BasePart, sid: str) -> SectionEdit:
    s = part.sections[sid]
    return SectionEdit(id=sid, source_hash=source_hash(s.text), title=s.title,
                       key_points=s.key_points, questions=s.questions)


def fresh_proposal(handout: Handout, kind: Kind, name: str, existing: EditFile | None,
                   documents: Sequence[Document],
                   sections_outline: SectionsOutliner) -> list[BasePart]:
    """The pipeline's proposal for every part of ``handout``, plus the sections the
    organiser added to a part that are still in the corpus (so they have a proposal too)."""
    in_corpus = {s.id for d in documents for s in d.sections}
    parts = []
    for outline in handout.outlines:
        part = part_name(outline, kind, name)
        base = proposal(outline, part)
        mine = existing.part(part) if existing else None
        extra = [e.id for e in (mine.sections if mine else ())
                 if e.id not in base.sections and e.id in in_corpus]
        if extra:
            more = proposal(sections_outline(outline.theme, extra), part)
            base = dataclasses.replace(base, sections={**base.sections, **more.sections})
        parts.append(base)
    return parts


def write_edits(edits_dir: Path, kind: Kind, name: str, handout: Handout,
                documents: Sequence[Document], sections_outline: SectionsOutliner, *,
                refresh: bool = False) -> tuple[Path, MergeReport]:
    """Write (or with ``refresh``, merge into) the edit file of a theme or packet.

    ``handout`` is what the pipeline proposes, without edits.  An existing file is never
    overwritten without ``refresh``; with it, every organiser change is kept.
    """
    from handouts.atomic import write_atomic

    path = edit_path(edits_dir, kind, name)
    existing = None
    if path.exists():
        if not refresh:
            raise ConfigError(path, "already exists and may hold an organiser's edits; run "
                                    "`handouts edit` with --refresh to merge the current "
                                    "outline into it")
        existing = load_edits(path, kind)
    kept = load_base(path) if existing else {}
    fresh = fresh_proposal(handout, kind, name, existing, documents, sections_outline)
    parts, report = merge(existing, kept, fresh)
    # The old proposal of sections gone from the corpus stays: it is what still prints.
    new_base = {p.part: p for p in fresh}
    for name_, old in kept.items():
        now = new_base.get(name_)
        if now is None:
            new_base[name_] = old
            continue
        gone = {sid: s for sid, s in old.sections.items()
                if sid in report.stale and sid not in now.sections}
        new_base[name_] = dataclasses.replace(now, sections={**gone, **now.sections})
    doc_titles = {sid: s.doc_title for p in new_base.values() for sid, s in p.sections.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    base_file = base_path(path)
    base_file.parent.mkdir(parents=True, exist_ok=True)
    text = edit_file_text(kind, name, handout, parts, doc_titles)
    write_atomic(base_file, _base_json(new_base))
    write_atomic(path, text)
    return path, report


def file_version(path: Path) -> str | None:
    """The version of an edit file as a save sees it (the hash of its bytes), or ``None``
    when there is no file: a client that read version X saves "over X" or not at all."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def save_edits(path: Path, kind: Kind, name: str, parts: Sequence[PartEdit],
               handout: Handout, *, expected_version: str | None = None) -> Path:
    """Write ``parts`` as the edit file at ``path`` (a save from an editor other than a
    text editor, such as the workbench), keeping the proposal beside it as it is.

    With ``expected_version`` (from ``file_version``), a file changed since is never
    overwritten: a ``ConfigError`` says so and nothing is written.
    """
    from handouts.atomic import write_atomic

    path = Path(path)
    if expected_version is not None and file_version(path) != expected_version:
        raise ConfigError(path, "changed since it was opened; reload it and make the change "
                                "again")
    parts = tuple(PartEdit.model_validate(p.model_dump()) for p in parts)
    _check_unique(path, kind, parts)
    doc_titles = {sid: s.doc_title for p in load_base(path).values()
                  for sid, s in p.sections.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, edit_file_text(kind, name, handout, parts, doc_titles))


# ------------------------------------------------------------------ the file's text


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, but for DEL, which TOML escapes)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _multiline(value: str) -> str:
    """A note as written: a multi-line literal string when it has several lines."""
    if "\n" not in value or "'''" in value or any(ord(c) < 32 and c != "\n" for c in value):
        return toml_string(value)
    return "'''\n" + value + "\n'''"


def _array(key: str, values: Iterable[str], comment: str) -> list[str]:
    values = list(values)
    if not values:
        return [f"{key} = []  # {comment}"]
    return [f"{key} = [  # {comment}", *(f"  {toml_string(v)}," for v in values), "]"]


_HEADER = """\
# {what}：《{title}》
# 组织者修改文件。`make handouts`、`handouts {command}` 都按这份文件印：
#   {output}
#
# 可以这样改（改完保存，重新 `make handouts` 即可）：
#   · 调整篇目顺序：把整段 [[{table}]] 剪切到新的位置；
#   · 删去一篇：删掉它的整段 [[{table}]]；
#   · 增加一篇：新写一段 [[{table}]]，只填 id（用 `handouts corpus` 查），
#     学习要点和讨论题不填就由程序拟定；
#   · 改标题（title）、学习要点（key_points）、讨论题（questions）：直接改引号里的字，
#     删一行就少一条，照样子加一行就多一条；
#   · 只印长文的一部分：填 excerpt_start（从哪一句起）和 excerpt_end（到哪一句止），
#     照原文抄一句即可；
#   · 组织者提示：写在 note 里，印在这篇材料的正文之下。
#
# id 和 source_hash 由程序填写，请勿改动：source_hash 记下的是写出本文件时原文的指纹。
# 原文后来有改动，照样按这里的文字印，并提示核对（`handouts status` 列出改了什么）。
# 语料更新后要并入程序的新拟稿：`handouts edit {option} {name} --refresh`，
# 这里的每一处修改都会保留。
"""


def edit_file_text(kind: Kind, name: str, handout: Handout, parts: Sequence[PartEdit],
                   doc_titles: Mapping[str, str]) -> str:
    """The commented TOML of an edit file (parses back to ``parts``)."""
    command = f"build --theme {name}" if kind == "theme" else f"packet packets/{name}.toml"
    lines = _HEADER.format(
        what="专题学习材料" if kind == "theme" else "会议学习材料", title=handout.title,
        command=command, output=f"build/{FOLDERS[kind]}/{name}.pdf",
        table="sections" if kind == "theme" else "parts.sections",
        option="--theme" if kind == "theme" else "--packet", name=name,
    ).splitlines()
    titles = {part_name(o, kind, name): o.theme.name for o in handout.outlines}
    for number, part in enumerate(parts, 1):
        lines.append("")
        table = "sections"
        if kind == "packet":
            lines += [f"# ════ 第{_chinese(number)}部分：{titles.get(part.part, part.part)} ════",
                      "[[parts]]",
                      f"part = {toml_string(part.part)}  # 这一部分是什么，勿改"]
            table = "parts.sections"
        if part.questions is not None:
            after = "全部材料" if kind == "theme" else "这一部分的全部材料"
            lines += _array("questions", part.questions, f"综合讨论题：印在{after}之后")
        for n, section in enumerate(part.sections, 1):
            lines.append("")
            lines += _section_lines(section, n, table, doc_titles.get(section.id))
    return "\n".join(lines) + "\n"


def _section_lines(section: SectionEdit, number: int, table: str,
                   doc_title: str | None) -> list[str]:
    lines = [f"# ──────── 第{_chinese(number)}篇 ────────", f"[[{table}]]",
             f"id = {toml_string(section.id)}"]
    if section.source_hash:
        lines.append(f"source_hash = {toml_string(section.source_hash)}  # 原文指纹，勿改")
    if doc_title:
        lines.append(f"# 出处：《{doc_title.strip().strip('《》')}》")
    if section.title is not None:
        lines.append(f"title = {toml_string(section.title)}")
    if section.key_points is not None:
        lines += _array("key_points", section.key_points, "学习要点")
    if section.questions is not None:
        lines += _array("questions", section.questions, "讨论题")
    note = _multiline(section.note) if section.note else '""'
    lines.append(f"note = {note}  # 组织者提示：印在正文之下，空着就不印")
    for key, label in (("excerpt_start", "节选：从这一句起（照原文抄）"),
                       ("excerpt_end", "节选：到这一句止")):
        value = getattr(section, key)
        lines.append(f"{key} = {toml_string(value)}  # {label}" if value
                     else f"# {key} = \"\"  # {label}")
    return lines


_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    return _DIGITS[n // 10 % 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")


# ----------------------------------------------------------------------- plumbing


def edited_handout(handout: Handout, edits_dir: Path | None, kind: Kind, name: str,
                   documents: Sequence[Document],
                   sections_outline: SectionsOutliner) -> tuple[Handout, list[str]]:
    """``handout`` with its edit file applied, if it has one; the warnings to print."""
    if edits_dir is None:
        return handout, []
    path = edit_path(edits_dir, kind, name)
    if not path.exists():
        return handout, []
    return apply_edits(handout, load_edits(path, kind), documents, sections_outline)


def orphans(edits_dir: Path | None, themes: Iterable[str], packets: Iterable[str]) -> list[str]:
    """Warnings for edit files no theme or packet spec uses: never silently ignored."""
    if edits_dir is None:
        return []
    known = {"theme": set(themes), "packet": set(packets)}
    return [f"{path}: no {kind} named {path.stem!r}; this edit file is not used"
            for kind, path in edit_paths(edits_dir) if path.stem not in known[kind]]


@dataclass(frozen=True)
class FileStatus:
    """One edit file as ``handouts status`` reports it."""

    kind: Kind
    path: Path
    sections: int = 0
    stale: tuple[StaleEdit, ...] = ()
    error: str | None = None
    unused: str | None = None


def status(edits_dir: Path, documents: Sequence[Document], themes: Iterable[str],
           packets: Iterable[str]) -> list[FileStatus]:
    """Every edit file: how many sections it prints, which of them the corpus changed
    under it, or the one-line error that stops it from building."""
    known = {"theme": set(themes), "packet": set(packets)}
    in_corpus = {s.id for d in documents for s in d.sections}
    found = []
    for kind, path in edit_paths(edits_dir):
        unused = None if path.stem in known[kind] else f"no {kind} named {path.stem!r}: not used"
        try:
            edits = load_edits(path, kind)
            _check_ids(edits, in_corpus)
        except ConfigError as exc:
            found.append(FileStatus(kind, path, error=str(exc), unused=unused))
            continue
        found.append(FileStatus(kind, path, sum(len(p.sections) for p in edits.parts),
                                tuple(stale_edits(edits, documents)), unused=unused))
    return found


def _check_ids(edits: EditFile, in_corpus: set[str]) -> None:
    """An id neither in the corpus nor kept from the proposal is a typo (a section gone
    from the corpus whose text is kept still prints: that is a stale edit, not an error)."""
    base = load_base(edits.path)
    for p, part in enumerate(edits.parts):
        kept = base.get(part.part)
        prefix = "" if edits.kind == "theme" else f"parts[{p}]."
        for i, section in enumerate(part.sections):
            if section.id in in_corpus:
                continue
            if kept and section.id in kept.sections and section.source_hash:
                continue
            raise ConfigError(edits.path, f"key {prefix}sections[{i}].id: unknown section id "
                                          f"{section.id!r} (see `handouts corpus`)")
