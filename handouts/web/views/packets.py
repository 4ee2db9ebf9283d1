"""会议材料包: the packet specs, and a form that writes a validated ``packets/*.toml``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handouts.build import packets
from handouts.errors import ConfigError
from handouts.web.views import known, load_corpus, settings

bp = Blueprint("packets", __name__)

FORM_KEYS = ("title", "date", "organiser", "place", "audience", "foreword")


@bp.get("/packets")
def index() -> str:
    loaded = load_corpus()
    section_ids = {s.id for d in loaded.documents for s in d.sections}
    return render_template("packets.html", specs=packets.list_specs(
        settings().packets, themes=loaded.themes, section_ids=section_ids))


@bp.get("/packets/new")
def new() -> str:
    return _form(None, {})


@bp.get("/packets/<name>/change")
def change(name: str) -> str:
    _, name = known("packet", name)
    return _form(name, packets.spec_values(settings().packets / f"{name}.toml"))


@bp.post("/packets/new")
def create() -> Response | tuple[str, int]:
    return _save(None)


@bp.post("/packets/<name>/change")
def update(name: str) -> Response | tuple[str, int]:
    _, name = known("packet", name)
    return _save(name)


def _save(existing: str | None) -> Response | tuple[str, int]:
    form = request.form
    values: dict[str, Any] = (packets.spec_values(settings().packets / f"{existing}.toml")
                              if existing else {})
    for key in FORM_KEYS:
        values[key] = form.get(key, "").replace("\r\n", "\n").strip() or None
    values["agenda"] = [line.strip() for line in form.get("agenda", "").splitlines()
                        if line.strip()]
    values["themes"] = form.getlist("themes")
    values["sections"] = form.getlist("sections")
    name = existing or form.get("name", "").strip()
    loaded = load_corpus()
    try:
        packets.write_spec(settings().packets, name, values, themes=loaded.themes,
                           section_ids={s.id for d in loaded.documents for s in d.sections},
                           replace=existing is not None)
    except ConfigError as exc:
        return _form(existing, {**values, "name": name}, error=str(exc)), 400
    return redirect(url_for("outline.edit", kind="packet", name=name, saved="spec"), code=303)


def _form(name: str | None, values: dict[str, Any], *, error: str | None = None) -> str:
    loaded = load_corpus()
    return render_template("packet_form.html", name=name, values=values, error=error,
                           themes=loaded.themes, documents=loaded.documents,
                           pattern=packets.SPEC_NAME)
