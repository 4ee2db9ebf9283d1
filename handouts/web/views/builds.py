"""生成与下载: start a build, poll its progress, page previews and the PDF."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, send_file
from werkzeug.wrappers import Response

from handouts.web import jobs
from handouts.web.app import current_app_jobs
from handouts.web.views import file_title, known, settings

bp = Blueprint("builds", __name__)


@bp.post("/build/<kind>/<name>")
def start(kind: str, name: str) -> tuple[Response, int]:
    kind, name = known(kind, name)
    build = current_app_jobs().start(kind, name)
    return jsonify(build.as_json()), 202


@bp.get("/builds/<int:build_id>")
def progress(build_id: int) -> Response:
    build = current_app_jobs().get(build_id)
    if build is None:
        abort(404, description="没有这次生成的记录（工作台重启过？请重新生成）。")
    return jsonify(build.as_json())


@bp.get("/download/<kind>/<name>.pdf")
def download(kind: str, name: str) -> Response:
    kind, name = known(kind, name)
    path = jobs.output_path(settings().build, kind, name, packets_dir=settings().packets)
    if not path.is_file():
        abort(404, description="还没有生成这份讲义，请先点“生成”。")
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=f"{file_title(kind, name)}.pdf", max_age=0)


@bp.get("/download/<kind>/<name>.docx")
def download_docx(kind: str, name: str) -> Response:
    kind, name = known(kind, name)
    path = jobs.output_path(settings().build, kind, name, "docx", packets_dir=settings().packets)
    if not path.is_file():
        abort(404, description="还没有生成这份讲义的 Word 文件，请先点“生成”。")
    return send_file(path, as_attachment=True, download_name=f"{file_title(kind, name)}.docx",
                     mimetype="application/vnd.openxmlformats-officedocument"
                              ".wordprocessingml.document", max_age=0)


@bp.get("/preview/<kind>/<name>/<int:page>.png")
def preview(kind: str, name: str, page: int) -> Response:
    kind, name = known(kind, name)
    path = jobs.preview_dir(settings().build, kind, name) / f"page-{page}.png"
    if not path.is_file():
        abort(404, description="没有这一页的预览。")
    return send_file(path, mimetype="image/png", max_age=0)
