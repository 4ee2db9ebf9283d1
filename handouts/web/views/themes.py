"""专题: the themes, the sections each selects and why (score, matched terms)."""

from __future__ import annotations

from flask import Blueprint, render_template

from handouts import pipeline
from handouts.content.themes import theme_summaries
from handouts.web.views import known, load_corpus

bp = Blueprint("themes", __name__)


@bp.get("/themes")
def index() -> str:
    loaded = load_corpus()
    return render_template("themes.html", themes=theme_summaries(loaded.documents,
                                                                 loaded.themes))


@bp.get("/themes/<theme_id>")
def theme(theme_id: str) -> str:
    known("theme", theme_id)
    return render_template("theme.html", outline=pipeline.outline(load_corpus(), theme_id))
