"""The workbench: a local web app over the same library the command line uses.

``create_app(Settings(...))`` builds a Flask app; ``serve`` runs it (``handouts serve``).
Each kind of page is a blueprint in ``views/``; they parse a request, call the library
(``pipeline``, ``edits``, ``packets``, ``corpus.upload``) and render a Jinja2 template,
nothing more.  What the app itself adds is the safety a web page needs and a command
line does not:

* it answers only on loopback unless told otherwise (``serve`` warns then), and only to
  requests whose Host names the address it serves (a page on another site cannot reach
  it through DNS rebinding);
* every request that changes something carries a per-session token, sent back in a
  form field or an ``X-CSRF-Token`` header and compared in constant time with the
  cookie (a page on another site can make the browser post, but cannot read the token);
* request bodies are capped (``MAX_UPLOAD_BYTES``) before they are read.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, g, render_template, request
from werkzeug.exceptions import HTTPException

from handouts import paths
from handouts.errors import HandoutsError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
CSRF_COOKIE = "handouts_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Settings:
    """The folders the workbench reads and writes (the CLI's defaults unless given)."""

    corpus: Path = paths.CORPUS
    packets: Path = paths.PACKETS
    edits: Path = paths.EDITS
    build: Path = field(default_factory=lambda: paths.HOME / "build")
    host: str = "127.0.0.1"


def create_app(settings: Settings | None = None) -> Flask:
    """The workbench app for ``settings``' folders."""
    from handouts.web import jobs, labels
    from handouts.web.views import builds, corpus, home, outline, packets, themes

    settings = settings or Settings()
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES, MAX_FORM_MEMORY_SIZE=MAX_UPLOAD_BYTES,
                      TEMPLATES_AUTO_RELOAD=False)
    app.jinja_env.autoescape = True  # corpus text is untrusted, always
    app.jinja_env.filters.update(reason_zh=labels.reason, style_zh=labels.style)
    app.extensions["handouts"] = settings
    app.extensions["handouts.jobs"] = jobs.Builds(settings)
    for module in (home, corpus, themes, outline, packets, builds):
        app.register_blueprint(module.bp)
    app.before_request(_check_host)
    app.before_request(_check_csrf)
    app.after_request(_set_csrf_cookie)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(HandoutsError, _input_error)
    app.context_processor(lambda: {"csrf_token": g.get("csrf", ""), "nav": request.endpoint})
    return app


def settings_of(app: Flask | None = None) -> Settings:
    from flask import current_app

    return (app or current_app).extensions["handouts"]


def current_app_jobs() -> Any:
    from flask import current_app

    return current_app.extensions["handouts.jobs"]


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_host() -> None:
    """On loopback, answer only requests addressed to loopback (DNS rebinding)."""
    if not is_loopback(settings_of().host):
        return
    hostname = request.host.rsplit(":", 1)[0] if not request.host.startswith("[") \
        else request.host.split("]")[0] + "]"
    if not is_loopback(hostname):
        abort(403, description="这个地址不对：工作台只接受本机（127.0.0.1）的访问。")


def _check_csrf() -> None:
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) < 32:
        token = ""
    g.csrf = token or secrets.token_urlsafe(32)
    g.new_csrf = not token
    if request.method in _SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    if not token or not hmac.compare_digest(token.encode(), sent.encode()):
        abort(403, description="请求缺少有效的安全令牌（CSRF），没有做任何修改。"
                               "请刷新页面后再操作一次。")


def _set_csrf_cookie(response: Response) -> Response:
    if g.get("new_csrf"):
        response.set_cookie(CSRF_COOKIE, g.csrf, httponly=True, samesite="Strict", path="/")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
    return response


_MESSAGES = {
    403: "不允许这样操作",
    404: "没有找到这个页面或文件",
    405: "不支持这种请求",
    413: "上传的文件太大",
}


def _http_error(exc: HTTPException) -> tuple[str, int]:
    code = exc.code or 500
    detail = exc.description if code != 413 else (
        f"上传的文件太大：每个文件不能超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB。"
        "一篇学习材料通常只有几十 KB，请检查是不是选错了文件。")
    return render_template("error.html", code=code, title=_MESSAGES.get(code, "出错了"),
                           detail=detail), code


def _input_error(exc: HandoutsError) -> tuple[str, int]:
    return render_template("error.html", code=400, title="输入有问题",
                           detail=str(exc)), 400


def serve(settings: Settings, port: int, *, out: Any = None) -> None:
    """Run the workbench until interrupted (``handouts serve``)."""
    from werkzeug.serving import make_server

    out = out or sys.stderr
    app = create_app(settings)
    server = make_server(settings.host, port, app, threaded=True)
    host = settings.host if ":" not in settings.host else f"[{settings.host}]"
    print(f"工作台已启动：请用浏览器打开 http://{host}:{server.server_port}/"
          "  （按 Ctrl+C 停止）", file=out, flush=True)
    if not is_loopback(settings.host):
        print(f"warning: serving on {settings.host}, not only this computer: anyone who can "
              "reach this address can read the corpus and change the handouts", file=out,
              flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
