"""One module per kind of page; the helpers every page needs are here.

A view parses the request, calls the library and renders a template.  Names that come
from a URL (a theme id, a packet name, a document id) are looked up among the names the
library knows, never used as a path: that is what keeps ``../`` out.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from flask import abort, current_app

from handouts import pipeline
from handouts.content.edits import Kind
from handouts.errors import HandoutsError
from handouts.web.app import Settings, settings_of

_cache_lock = threading.Lock()


def settings() -> Settings:
    return settings_of()


def load_corpus() -> pipeline.Corpus:
    """The loaded corpus, reloaded when a file of the corpus folder changes (an upload,
    an edit in a text editor); loading is cheap, outlines reuse jieba's loaded model."""
    root = settings().corpus
    key = _signature(root)
    cache = current_app.extensions.setdefault("handouts.corpus", {})
    with _cache_lock:
        if cache.get("key") != key:
            cache["corpus"] = pipeline.load(root)
            cache["key"] = key
        return cache["corpus"]


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                            for p in Path(root).iterdir() if p.is_file()))
    except OSError:
        return ()


def spec_names() -> list[str]:
    from handouts.build.packets import spec_paths

    return [p.stem for p in spec_paths(settings().packets)]


def known(kind: str, name: str) -> tuple[Kind, str]:
    """``(kind, name)`` of a theme or packet that exists, or 404: a URL names one of
    them, never a file."""
    if kind == "theme" and name in {t.id for t in load_corpus().themes}:
        return "theme", name
    if kind == "packet" and name in spec_names():
        return "packet", name
    abort(404, description=f"没有名为“{name}”的{'专题' if kind == 'theme' else '会议材料包'}。")


def file_title(kind: str, name: str) -> str:
    """A download's file name as an organiser files it: the handout's title (the
    theme's name, the meeting's title), without characters a file system refuses."""
    import re

    from handouts.build.packets import load_spec

    title = name
    if kind == "theme":
        title = next((t.name for t in load_corpus().themes if t.id == name), name)
    else:
        with contextlib.suppress(HandoutsError):  # a broken spec: the file name will do
            title = load_spec(settings().packets / f"{name}.toml").title
    title = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "", title).strip(" .") or name
    return title[:80]
