"""Builds started from the workbench, run in a background thread and polled.

A build is what ``handouts build --theme`` / ``handouts packet`` do (the same pipeline
calls, through the edit file), as PDF and as a Word file, plus a PNG of each page; its
state is a small record the page polls (``/builds/<id>``).  One build runs at a time:
the machine is an office PC, and two WeasyPrint renders at once only make both slower.
"""

from __future__ import annotations

import itertools
import threading
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from handouts.errors import HandoutsError

if TYPE_CHECKING:
    from handouts.model import Handout
    from handouts.web.app import Settings

Kind = Literal["theme", "packet"]
FOLDERS = {"theme": "themes", "packet": "packets"}
STEPS = ("排队等候", "读取材料", "应用组织者的修改", "排版生成 PDF", "生成 Word 文件",
         "生成页面预览", "完成")


@dataclass(frozen=True)
class Build:
    id: int
    kind: Kind
    name: str
    step: int = 0
    state: Literal["running", "done", "failed"] = "running"
    error: str | None = None
    warnings: tuple[str, ...] = ()
    pages: int = 0
    previews: int = 0
    pdf: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "name": self.name, "state": self.state,
                "step": self.step, "steps": len(STEPS) - 1, "label": STEPS[self.step],
                "error": self.error, "warnings": list(self.warnings), "pages": self.pages,
                "previews": self.previews}


@dataclass
class Builds:
    settings: Settings
    _builds: dict[int, Build] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _one_at_a_time: threading.Lock = field(default_factory=threading.Lock)

    def start(self, kind: Kind, name: str) -> Build:
        with self._guard:
            build = Build(next(self._ids), kind, name)
            self._builds[build.id] = build
        threading.Thread(target=self._run, args=(build.id,), daemon=True,
                         name=f"build-{build.id}").start()
        return build

    def get(self, build_id: int) -> Build | None:
        with self._guard:
            return self._builds.get(build_id)

    def _update(self, build_id: int, **changes: object) -> None:
        with self._guard:
            self._builds[build_id] = replace(self._builds[build_id], **changes)  # type: ignore[arg-type]

    def _run(self, build_id: int) -> None:
        build = self._builds[build_id]
        with self._one_at_a_time:
            try:
                self._build(build)
            except HandoutsError as exc:
                self._update(build_id, state="failed", error=str(exc))
            except Exception as exc:  # a bug: keep the page answering, say what broke
                traceback.print_exc()
                self._update(build_id, state="failed", error=f"内部错误：{exc!r}")

    def _build(self, build: Build) -> None:
        from handouts import pipeline
        from handouts.atomic import write_atomic
        from handouts.writers.pdf.preview import page_images

        s = self.settings
        self._update(build.id, step=1)
        corpus = pipeline.load(s.corpus)
        self._update(build.id, step=2)
        _, handout, warnings = pipeline.handout_for(corpus, build.kind, build.name,
                                                    edits_dir=s.edits, packets_dir=s.packets)
        name = build.name
        if build.kind == "packet":
            handout, name, warnings = _roster_sample(s.packets, build.name, handout, warnings)
        self._update(build.id, step=3, warnings=tuple(warnings))
        out = output_path(s.build, build.kind, name)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, pipeline.pdf(handout))
        self._update(build.id, step=4)
        from handouts.writers.docx import render_docx

        word = output_path(s.build, build.kind, name, "docx")
        word.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(word, render_docx(handout))
        self._update(build.id, step=5)
        try:
            previews = len(page_images(out, preview_dir(s.build, build.kind, build.name)))
        except HandoutsError as exc:  # the PDF is there: a missing preview is no failure
            warnings = [*warnings, str(exc)]
            previews = 0
        self._update(build.id, step=6, state="done", pages=_pages(out), previews=previews,
                     pdf=str(out), warnings=tuple(warnings))


def _roster_sample(packets_dir: Path, name: str, handout: Handout, warnings: list[str]
                   ) -> tuple[Handout, str, list[str]]:
    """A roster spec prints one packet per branch (``build-all``): the workbench prints
    the first branch's, where ``build-all`` puts it, and says so; other specs pass."""
    from handouts.build import packets, roster

    found = _roster_of(packets_dir, name)
    if found is None:
        return handout, name, warnings
    spec, rows = found
    if not rows.rows:
        raise HandoutsError(packets.roster_path(spec), "no valid row: nothing to print")
    row = rows.rows[0]
    note = (f"这份材料按名单为 {len(rows.rows)} 个支部各印一份；这里印出第一个支部"
            f"（{row.branch}）的，全部支部的材料请运行 make handouts 生成")
    return (roster.row_handout(handout, row, spec.foreword), f"{name}/{row.slug}",
            [*warnings, note, *(str(p) for p in rows.problems)])


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def output_path(build_dir: Path, kind: Kind, name: str, fmt: str = "pdf",
                packets_dir: Path | None = None) -> Path:
    """Where the CLI writes it too: ``build/themes/<id>.pdf``, ``build/packets/<name>.pdf``,
    and Word files apart, ``build/docx/themes/<id>.docx``.  With ``packets_dir``, a
    roster spec's is its first branch's: ``build/packets/<name>/<branch>.pdf``."""
    if kind == "packet" and packets_dir is not None:
        name = printed_name(packets_dir, name)
    folder = Path(build_dir) / ("docx" if fmt == "docx" else "") / FOLDERS[kind]
    return folder / f"{name}.{fmt}"


def printed_name(packets_dir: Path, name: str) -> str:
    """The packet the workbench prints for spec ``name``: itself, or for a roster spec
    its first branch's (``<name>/<slug>``); a spec that cannot be read is itself (the
    build says what is wrong with it)."""
    try:
        found = _roster_of(packets_dir, name)
    except HandoutsError:
        return name
    return f"{name}/{found[1].rows[0].slug}" if found and found[1].rows else name


def _roster_of(packets_dir: Path, name: str) -> tuple[Any, Any] | None:
    from handouts.build import packets, roster

    spec = packets.load_spec(Path(packets_dir) / f"{name}.toml")
    if spec.roster is None:
        return None
    return spec, roster.spec_roster(spec)


def preview_dir(build_dir: Path, kind: Kind, name: str) -> Path:
    return Path(build_dir) / "previews" / FOLDERS[kind] / name
