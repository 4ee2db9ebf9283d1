"""工作台: the start page, what there is and what needs attention (stale edits)."""

from __future__ import annotations

from flask import Blueprint, render_template

from handouts.build.packets import list_specs
from handouts.content import edits
from handouts.content.themes import theme_summaries
from handouts.web import jobs
from handouts.web.views import load_corpus, settings, spec_names

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    s = settings()
    loaded = load_corpus()
    summaries = theme_summaries(loaded.documents, loaded.themes)
    statuses = edits.status(s.edits, loaded.documents, (t.id for t in loaded.themes),
                            spec_names())
    specs = list_specs(s.packets)
    built = {(kind, name): jobs.output_path(s.build, kind, name, packets_dir=s.packets).exists()
             for kind, name in [("theme", t["id"]) for t in summaries]
             + [("packet", e.name) for e in specs]}
    return render_template("home.html", corpus=loaded, themes=summaries, specs=specs,
                           statuses=statuses, built=built)
