"""讲义大纲: a theme's or packet's outline, edited in place and saved to its edit file.

The form lists every section (``sec`` = ``<part>|<id>``, in the order the organiser left
them) with its fields; the save turns them into the edit file's parts and hands them
to ``pipeline.save_outline`` (the same file ``handouts edit`` writes).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from handouts import pipeline
from handouts.content import editor, edits
from handouts.errors import ConfigError
from handouts.web import jobs
from handouts.web.views import known, load_corpus, settings

bp = Blueprint("outline", __name__)


@bp.get("/edit/<kind>/<name>")
def edit(kind: str, name: str) -> str:
    kind, name = known(kind, name)
    return _page(kind, name)


def _page(kind: edits.Kind, name: str, *, error: str | None = None,
          form: MultiDict[str, str] | None = None) -> str:
    s = settings()
    loaded = load_corpus()
    proposed, handout, warnings = pipeline.handout_for(loaded, kind, name,
                                                       edits_dir=s.edits, packets_dir=s.packets)
    path = edits.edit_path(s.edits, kind, name)
    edit_file = edits.load_edits(path, kind) if path.exists() else None
    parts = editor.editor_parts(proposed, handout, edit_file, kind, name,
                                loaded.documents)
    version = edits.file_version(path) or ""
    if form is not None:  # a refused save: show what was sent, on the version it was made on
        parts = _as_sent(parts, form)
        version = form.get("version", "")
    out = jobs.output_path(s.build, kind, name, packets_dir=s.packets)
    word = jobs.output_path(s.build, kind, name, "docx", packets_dir=s.packets)
    return render_template("outline.html", kind=kind, name=name, handout=handout, parts=parts,
                           version=version,
                           edit_shown=f"{s.edits.name}/{path.parent.name}/{path.name}",
                           has_file=edit_file is not None, warnings=warnings, error=error,
                           documents=loaded.documents,
                           saved=request.args.get("saved"), built=out.exists(),
                           built_docx=word.exists(),
                           report=request.args)


@bp.post("/edit/<kind>/<name>")
def save(kind: str, name: str) -> Response | tuple[str, int]:
    kind, name = known(kind, name)
    s = settings()
    form = request.form
    try:
        pipeline.save_outline(load_corpus(), kind, name, parts_from_form(form),
                              expected_version=form.get("version") or None,
                              edits_dir=s.edits, packets_dir=s.packets)
    except editor.EditConflict as exc:
        return render_template("conflict.html", kind=kind, name=name, diff=exc.diff,
                               fields=[(k, v) for k, v in form.items(multi=True)
                                       if k not in ("version", "csrf_token")],
                               version=exc.version or ""), 409
    except ConfigError as exc:
        return _page(kind, name, error=str(exc), form=form), 400
    return redirect(url_for("outline.edit", kind=kind, name=name, saved=1), code=303)


@bp.post("/edit/<kind>/<name>/refresh")
def refresh(kind: str, name: str) -> Response | tuple[str, int]:
    """``handouts edit --refresh``: the pipeline's new proposal merged into the file."""
    kind, name = known(kind, name)
    s = settings()
    try:
        report = pipeline.refresh_outline(load_corpus(), kind, name,
                                          expected_version=request.form.get("version") or None,
                                          edits_dir=s.edits, packets_dir=s.packets)
    except editor.EditConflict:
        return _page(kind, name, error="这份讲义在您打开之后被改动过，没有合并。请看下面最新的"
                                       "内容，再点一次“并入程序的新拟稿”。"), 409
    return redirect(url_for("outline.edit", kind=kind, name=name, saved="refresh",
                            kept=report.kept, updated=report.updated,
                            added=len(report.added)), code=303)


def parts_from_form(form: MultiDict[str, str]) -> list[edits.PartEdit]:
    """The edit file's parts from the form: ticked sections in the order sent."""
    order = form.getlist("part")
    chosen: dict[str, list[edits.SectionEdit]] = {p: [] for p in order}
    for key in form.getlist("sec"):
        part, _, section_id = key.partition("|")
        if part not in chosen:
            raise ConfigError(None, f"unknown part {part!r} in the form")
        if not form.get(f"keep:{key}"):
            continue
        chosen[part].append(edits.SectionEdit(
            id=section_id,
            source_hash=form.get(f"hash:{key}") or None,
            title=form.get(f"title:{key}", "").strip() or None,
            key_points=editor.lines(form.get(f"kp:{key}")),
            questions=editor.lines(form.get(f"q:{key}")),
            note=form.get(f"note:{key}", "").replace("\r\n", "\n").strip() or None,
            excerpt_start=form.get(f"xs:{key}", "").strip() or None,
            excerpt_end=form.get(f"xe:{key}", "").strip() or None,
        ))
    for part in order:
        added = form.get(f"add:{part}", "").strip()
        if added and added not in {s.id for s in chosen[part]}:
            # Only the id: the pipeline proposes its key points and questions.
            chosen[part].append(edits.SectionEdit(id=added))
    return [edits.PartEdit(part=p, questions=editor.lines(form.get(f"pq:{p}")),
                           sections=tuple(chosen[p])) for p in order]


def _as_sent(parts: list[editor.EditorPart], form: MultiDict[str, str]) -> list[editor.EditorPart]:
    """The form's parts as the organiser left them (order, ticks, texts), so a refused
    save loses nothing they typed."""
    import dataclasses

    shown = []
    for part in parts:
        known = {s.id: s for s in part.sections}
        sections = []
        for key in form.getlist("sec"):
            part_name, _, section_id = key.partition("|")
            if part_name != part.part or section_id not in known:
                continue
            sections.append(dataclasses.replace(
                known.pop(section_id), printed=bool(form.get(f"keep:{key}")),
                title=form.get(f"title:{key}", ""),
                key_points=editor.lines(form.get(f"kp:{key}")),
                questions=editor.lines(form.get(f"q:{key}")),
                note=form.get(f"note:{key}", ""), excerpt_start=form.get(f"xs:{key}", ""),
                excerpt_end=form.get(f"xe:{key}", "")))
        sections += known.values()
        shown.append(dataclasses.replace(part, sections=tuple(sections),
                                         questions=editor.lines(form.get(f"pq:{part.part}"))))
    return shown
