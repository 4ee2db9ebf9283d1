"""材料库: the documents and their sections, what cleaning dropped, and uploads."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from handouts.corpus import upload
from handouts.corpus.load import explain_data
from handouts.corpus.upload import READABLE as SUFFIXES
from handouts.errors import HandoutsError
from handouts.web.views import load_corpus, settings

bp = Blueprint("corpus", __name__)


@bp.get("/corpus")
def documents() -> str:
    return render_template("corpus.html", corpus=load_corpus(), suffixes=SUFFIXES)


@bp.get("/corpus/<doc_id>")
def document(doc_id: str) -> str:
    doc = next((d for d in load_corpus().documents if d.id == doc_id), None)
    if doc is None:
        abort(404, description=f"材料库里没有编号为“{doc_id}”的材料。")
    return render_template("document.html", doc=doc, explained=explain_data(doc.path))


@bp.post("/corpus/upload")
def upload_document() -> tuple[str, int] | str:
    sent = request.files.get("document")
    if sent is None or not sent.filename:
        return render_template("corpus.html", corpus=load_corpus(), suffixes=SUFFIXES,
                               error="请先选择要上传的文件。"), 400
    try:
        stored = upload.store(settings().corpus, sent.filename, sent.read())
    except HandoutsError as exc:
        return render_template("corpus.html", corpus=load_corpus(), suffixes=SUFFIXES,
                               error=f"这个文件没有放进材料库：{exc}"), 400
    doc = next((d for d in load_corpus().documents if d.path == str(stored.path)), None)
    return render_template("document.html", doc=doc, explained=stored.explained,
                           uploaded=stored)
