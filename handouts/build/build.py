"""``make handouts``: every theme export and every meeting packet, rebuilt only when needed.

"Did anything change?" is asked cheapest first:

1. A top-level fingerprint over the bytes of every input (corpus, packet specs,
   templates, styles), the identity of the font files and the package's code.  When
   it matches the last complete build and every output is still there, the run stops
   before importing jieba, WeasyPrint or even pydantic: a few milliseconds.
2. Otherwise the handouts are computed: what each output would contain.  Corpus-wide
   statistics make every outline depend on every document, so file hashes cannot say
   which outputs a changed document touches; the computed handout can.  Each output's
   input hash covers what it prints (the renderer's HTML) and how it is drawn
   (templates, styles, fonts, the renderer's own code, the package version); only
   outputs whose hash moved are rendered.
3. What is costly and stable is cached in ``<out>/.cache/`` by content: cleaned
   documents per file, outlines per corpus state (a packet's text edit needs no
   jieba), the computed handouts per input state (a stylesheet edit needs no outline).
4. Rendering is spread over a process pool started before step 2, so the workers
   import WeasyPrint while the handouts are computed; each renders many outputs and
   writes each one atomically itself.

Every output exists in each format asked for (``formats``): ``pdf`` (the default) at
``themes/<id>.pdf`` and ``packets/<name>.pdf``, ``docx`` at ``docx/themes/<id>.docx`` and
``docx/packets/<name>.docx``.  Each format has its own drawing fingerprint, so a change
to the Word writer re-renders no PDF; outputs of a format not asked for this run are
left as they are, neither rebuilt nor removed.

Nothing here trusts file times: CI checkouts reset them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import signal
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handouts import __version__, limits, paths
from handouts.atomic import write_atomic
from handouts.errors import HandoutsError

if TYPE_CHECKING:
    from handouts.build.shards import Shard
    from handouts.model import Handout
    from handouts.pipeline import Corpus

MANIFEST = "manifest.json"
CACHE = ".cache"
INDEX = "corpus.sqlite"
TYPESET_MEMO = "typeset.sqlite"
FORMAT = 1
FORMATS = ("pdf", "docx")
DOCX_DIR = "docx"
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
             Path.home() / ".local/share/fonts", Path.home() / ".fonts")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2", ".pfb")

Renderer = Callable[["Handout"], bytes]
#: Per format: its renderer (None: the real one), what of a handout is hashed, and how
#: that format is drawn (its drawing fingerprint).
Renderers = dict[str, tuple["Renderer | None", "Describe", str]]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class OutputResult:
    """What happened to one output in this run."""

    key: str  # path relative to the build directory: "themes/four-winds.pdf"
    status: str  # "built", "unchanged", "failed" or "removed"
    pages: int = 0
    bytes: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass(frozen=True)
class BuildReport:
    """The outcome of ``build_all``; ``failures`` names the outputs that could not be built."""

    out: Path
    results: tuple[OutputResult, ...]
    seconds: float
    nothing_changed: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def failures(self) -> tuple[str, ...]:
        return tuple(str(self.out / r.key) for r in self.results if r.status == "failed")

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def summary(self) -> str:
        if self.nothing_changed:
            return (f"nothing changed: {self.count('unchanged')} outputs up to date "
                    f"in {self.out} ({self.seconds:.2f} s)")
        parts = [f"{self.count(s)} {s}" for s in ("built", "unchanged", "removed", "failed")
                 if self.count(s) or s in ("built", "unchanged")]
        return f"{', '.join(parts)} in {self.seconds:.2f} s -> {self.out / MANIFEST}"


@dataclass(frozen=True)
class Planned:
    """An output this run should have: where it goes and what it contains (or why not)."""

    key: str  # where its PDF goes, relative to the build directory: "themes/x.pdf"
    kind: str  # "theme", "packet" or "roster" (one branch's packet)
    name: str
    handout: Handout | None
    error: str | None = None
    format: str = "pdf"

    @property
    def series(self) -> str | None:
        """PDFs of one series differ only in their cover: rendered together, the body is
        laid out once (``handouts.writers.pdf.series``)."""
        if self.kind != "roster" or self.format != "pdf":
            return None
        return self.key.rsplit("/", 1)[0]


def output_key(key: str, fmt: str) -> str:
    """Where the ``fmt`` version of the output planned at ``key`` (its PDF) goes."""
    if fmt == "pdf":
        return key
    return f"{DOCX_DIR}/{Path(key).with_suffix('.' + fmt).as_posix()}"


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The formats asked for, in a fixed order, each known (a one-line error if not)."""
    asked = {f.strip().lower() for f in formats if f.strip()}
    unknown = sorted(asked - set(FORMATS))
    if unknown or not asked:
        raise HandoutsError("--formats", f"unknown format {', '.join(unknown) or '(none)'} "
                            f"(known: {', '.join(FORMATS)})")
    return tuple(f for f in FORMATS if f in asked)


# --- fingerprints ------------------------------------------------------------------


def _update_tree(digest: Any, label: str, root: Path, suffixes: tuple[str, ...] = ()) -> None:
    """Feed every (non-hidden) file under ``root``, name and bytes, into ``digest``."""
    digest.update(f"\0tree {label}\0".encode())
    if not root.is_dir():
        digest.update(b"missing")
        return
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        if not path.is_file() or (suffixes and path.suffix not in suffixes):
            continue
        data = path.read_bytes()
        digest.update(f"{rel.as_posix()}\0{len(data)}\0".encode())
        digest.update(data)


def font_files() -> list[Path]:
    """Every font file fontconfig can find, and any beside the styles.

    All of them, not only the configured CJK faces: Pango falls back to other fonts for
    characters the configured ones lack (Latin digits, symbols), so an update to any
    font may change a page.  A few dozen ``stat`` calls.
    """
    found = []
    for directory in (*FONT_DIRS, paths.HOME / "fonts", paths.STYLES):
        if directory.is_dir():
            found.extend(p for p in directory.rglob("*")
                         if p.suffix.lower() in FONT_SUFFIXES and p.is_file())
    return sorted(set(found))


def code_fingerprint() -> str:
    """The package version and its source: a code change may change any output."""
    digest = hashlib.sha256(f"handouts {__version__}".encode())
    _update_tree(digest, "code", paths.PACKAGE, (".py", ".txt", ".toml", ".json", ".dict"))
    return digest.hexdigest()


def drawing_modules(entry: str = "handouts.writers.pdf.render") -> list[Path]:
    """The package's source files the renderer can execute: ``entry`` and, transitively,
    every package module it imports (at the top or inside a function).

    What the content stages compute reaches a PDF only through the handout, whose JSON
    is hashed anyway; so a change to, say, the question generator re-renders only the
    outputs whose questions changed, while a change here re-renders everything.
    """
    root_name = paths.PACKAGE.name

    def module_file(dotted: str) -> Path | None:
        parts = dotted.split(".")
        if parts[0] != root_name:
            return None
        base = paths.PACKAGE.joinpath(*parts[1:])
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    seen: dict[str, Path] = {}
    todo = [entry]
    while todo:
        name = todo.pop()
        path = module_file(name)
        if name in seen or path is None:
            continue
        seen[name] = path
        todo.extend(imported_names(path.read_text(encoding="utf-8")))
    return sorted(set(seen.values()))


# Import statements found by pattern rather than by parsing: this runs on every
# `make handouts`, and parsing and walking the renderer's modules was most of a
# nothing-changed run.  A match inside a string or comment only adds a module to hash.
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#;]+)", re.M)
_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\w[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)",
                          re.M)


def imported_names(source: str) -> list[str]:
    """Absolute module names a source file imports, at the top or inside a function;
    ``from pkg import name`` gives ``pkg`` and ``pkg.name`` (``name`` may be a module)."""
    names: list[str] = []
    for match in _IMPORT.finditer(source):
        names.extend(part.split()[0] for part in match.group(1).split(",") if part.strip())
    for match in _FROM_IMPORT.finditer(source):
        module = match.group(1)
        names.append(module)
        listed = re.sub(r"#[^\n]*", "", match.group(2)).strip("()")
        names.extend(f"{module}.{part.split()[0]}" for part in listed.split(",")
                     if part.strip())
    return names


def drawing_fingerprint() -> str:
    """How outputs are drawn: templates, styles, font files (identity, not bytes), the
    renderer's code and the package version."""
    digest = hashlib.sha256(f"handouts {__version__}".encode())
    for path in drawing_modules():
        digest.update(f"\0{path.name}\0".encode())
        digest.update(path.read_bytes())
    _update_tree(digest, "templates", paths.TEMPLATES)
    _update_tree(digest, "styles", paths.STYLES)
    digest.update(b"\0fonts\0")
    for path in font_files():
        # Font files are large and installed by packages: path, size and mtime identify
        # a version well enough without reading 100 MB on every run.
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def docx_drawing_fingerprint() -> str:
    """How Word files are drawn: the writer's code (and what it imports), the paper
    and font configuration, python-docx's version and the package version.  Font files
    are not part of it: a Word file names its fonts, it does not embed them."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        library = version("python-docx")
    except PackageNotFoundError:
        library = "missing"
    digest = hashlib.sha256(f"handouts {__version__}\0python-docx {library}".encode())
    for path in drawing_modules("handouts.writers.docx"):
        digest.update(f"\0{path.name}\0".encode())
        digest.update(path.read_bytes())
    _update_tree(digest, "styles", paths.STYLES, (".toml",))
    return digest.hexdigest()


def content_fingerprint(code: str, corpus_dir: Path, packets_dir: Path,
                        edits_dir: Path | None = None) -> str:
    """What the handouts contain: the corpus, the packet specs, the organiser's edit
    files (and the proposals kept beside them, which print sections gone from the
    corpus) and the code."""
    # The corpus's location too: documents carry their path into the handouts.
    digest = hashlib.sha256(f"{code}\0{corpus_dir.resolve()}".encode())
    _update_tree(digest, "corpus", corpus_dir)
    _update_tree(digest, "packets", packets_dir, (".toml",))
    if edits_dir is not None:
        _update_tree(digest, "edits", edits_dir, (".toml",))
        _update_tree(digest, "edits-base", edits_dir / paths.EDITS_BASE, (".json",))
    _update_tree(digest, "rosters", packets_dir.parent / "rosters", (".csv",))
    return digest.hexdigest()


def printed_html(handout: Handout) -> str:
    """What a handout prints, as the renderer's HTML plus the one choice made after it
    (booklet imposition).  Fields the page never shows (a section's score, the theme
    terms it matched) shift with every corpus edit through corpus-wide statistics;
    hashing them would re-render every output for any edit.  Costs Jinja2, not WeasyPrint.
    """
    from handouts.writers.pdf.render import render_html

    return f"booklet={handout.booklet}\0{render_html(handout)}"


def handout_json(handout: Handout) -> str:
    """The whole handout as canonical JSON: a stricter ``describe`` (and one that needs
    no templates), for tests and for renderers that are not HTML-based."""
    from handouts.model import to_jsonable

    return json.dumps(to_jsonable(handout), sort_keys=True, ensure_ascii=False)


def printed_content(handout: Handout) -> str:
    """What a Word file prints: the whole handout less the figures it never shows (a
    section's score and matched terms), for the same reason as ``printed_html``."""
    from handouts.model import to_jsonable

    outlines = tuple(dataclasses.replace(o, sections=tuple(
        dataclasses.replace(s, score=0.0, matched=()) for s in o.sections))
        for o in handout.outlines)
    data = to_jsonable(dataclasses.replace(handout, outlines=outlines))
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


Describe = Callable[["Handout"], str]


def input_hash(handout: Handout, drawing: str, describe: Describe = printed_html) -> str:
    """An output's input hash: what it prints and how it is drawn."""
    return hashlib.sha256(f"{drawing}\0{describe(handout)}".encode()).hexdigest()


def _sha256_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


# --- manifest ------------------------------------------------------------------------


def read_manifest(out: Path, name: str = MANIFEST) -> dict[str, Any]:
    """The last run's manifest, or an empty one when it is missing or unreadable."""
    return _checked_manifest(out, name)[0]


def _checked_manifest(out: Path, name: str = MANIFEST) -> tuple[dict[str, Any], str | None]:
    """The manifest (or a shard's, ``name``) and, when it exists but cannot be used, why
    (said to the user once: every output is then checked against its file, and rebuilt
    if it differs)."""
    path = out / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not valid JSON"
        return {}, f"{path}: damaged ({reason}); rebuilding what it recorded"
    if not isinstance(data, dict) or not isinstance(data.get("outputs", {}), dict):
        return {}, f"{path}: damaged (not a manifest); rebuilding what it recorded"
    if data.get("format") != FORMAT:
        return {}, None  # an older format: rebuilt without alarm
    return data, None


#: Caches found damaged during this run, said once by ``build_all`` (never stored:
#: the rebuilt cache is sound, so the next run has nothing to say).
_damaged: list[str] = []


def _load_pickle(path: Path, *, remove: bool = True) -> Any | None:
    """A cache file's content; ``None`` when missing, and when damaged (truncated by a
    full disk, garbled) it is noted and (``remove``) deleted so the run rebuilds it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _damaged.append(f"{path}: cache unreadable ({exc.strerror}); rebuilding it")
        return None
    try:
        return pickle.loads(data)
    except Exception as exc:  # any garbage: UnpicklingError, EOFError, ValueError, ...
        _damaged.append(f"{path}: cache damaged ({type(exc).__name__}); rebuilding it")
        if remove:
            with contextlib.suppress(OSError):
                path.unlink()
        return None


def _outputs_intact(out: Path, manifest: dict[str, Any]) -> bool:
    outputs = manifest.get("outputs", {})
    for key, entry in outputs.items():
        try:
            if (out / key).stat().st_size != entry.get("bytes"):
                return False
        except OSError:
            return False
    return True


# --- the build -----------------------------------------------------------------------


def build_all(
    out: Path,
    *,
    corpus_dir: Path,
    packets_dir: Path,
    jobs: int,
    edits_dir: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
    render: Renderer | None = None,
    compute: Callable[[Path, Path, Path], tuple[list[Planned], list[str]]] | None = None,
    describe: Describe = printed_html,
    wait: bool = False,
    formats: Iterable[str] = ("pdf",),
    render_docx: Renderer | None = None,
    describe_docx: Describe = printed_content,
    shard: Shard | None = None,
) -> BuildReport:
    """Bring ``out`` up to date with the corpus, the packet specs, the organiser's edit
    files in ``edits_dir`` (``None``: none) and the templates.

    ``render`` (Handout -> PDF bytes, a module-level function so worker processes can
    receive it), ``compute`` (what to build) and ``describe`` (what of a handout is
    hashed) default to the real pipeline; tests pass their own.  Problems with single
    outputs are reported, not raised: check ``report.failures``.  Only a problem with
    the whole run (no corpus directory, another build running in ``out`` and ``wait``
    false) raises ``HandoutsError``.  ``formats`` are the formats to bring up to date
    (``pdf``, ``docx``); ``render_docx`` and ``describe_docx`` are the Word writer's
    counterparts of ``render`` and ``describe``.

    With ``shard`` (K of N) only the K-th share of the outputs is built and recorded in
    ``manifest.shard-K.json``; ``handouts.build.manifest.merge`` joins the shares.
    """
    start = time.perf_counter()
    say = progress or (lambda _line: None)
    out = Path(out)
    corpus_dir = Path(corpus_dir)
    packets_dir = Path(packets_dir)
    formats = check_formats(formats)
    if not corpus_dir.is_dir():
        raise HandoutsError(corpus_dir, "corpus directory does not exist")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HandoutsError(out, f"cannot create build directory: {exc.strerror}") from None

    with _exclusive(out, wait=wait, say=say):
        code = code_fingerprint()
        drawings = {"pdf": drawing_fingerprint()}
        if "docx" in formats:
            drawings["docx"] = docx_drawing_fingerprint()
        content = content_fingerprint(code, corpus_dir, packets_dir, edits_dir)
        # One per format, so a PDF-only run after one that also wrote Word files (or the
        # other way round) still takes the fast path when nothing changed.
        fingerprints = {f: hashlib.sha256(
            f"{content}\0{limits.current()}\0{f}={drawings[f]}".encode()).hexdigest()
            for f in formats}
        name = shard.manifest_name if shard else MANIFEST
        manifest, damage = _checked_manifest(out, name)
        label = str(shard) if shard else None
        known = manifest.get("fingerprints") or {}
        _damaged.clear()
        if damage:
            _damaged.append(damage)

        if (not force and all(known.get(f) == fingerprints[f] for f in formats)
                and manifest.get("shard") == label and _outputs_intact(out, manifest)):
            results = tuple(OutputResult(key, "unchanged", e.get("pages", 0), e.get("bytes", 0))
                            for key, e in sorted(manifest.get("outputs", {}).items())
                            if e.get("format", "pdf") in formats)
            warnings = tuple(manifest.get("warnings", ()))
            for warning in warnings:  # a skipped document is still skipped: keep saying so
                say(f"warning: {warning}")
            report = BuildReport(out, results, time.perf_counter() - start, nothing_changed=True,
                                 warnings=warnings)
            say(report.summary())
            return report

        if force:  # from scratch: a suspected stale cache is a reason to force
            shutil.rmtree(out / CACHE, ignore_errors=True)
        # Started first, so the workers import WeasyPrint while this process computes
        # the handouts (and before it loads jieba: the forked workers stay small).
        memo = out / CACHE / TYPESET_MEMO
        with _pool(jobs, warm_pdf=render is None and "pdf" in formats, memo=memo) as pool:
            planned, warnings = _planned(out, content, corpus_dir, packets_dir, edits_dir,
                                         compute)
            for damage in _damaged:
                say(f"warning: {damage}")
            _damaged.clear()
            if not packets_dir.is_dir():
                warnings = [*warnings, f"{packets_dir}: no packets directory, no packets built"]
            for warning in warnings:
                say(f"warning: {warning}")
            renderers: Renderers = {"pdf": (render, describe, drawings["pdf"])}
            if "docx" in formats:
                renderers["docx"] = (render_docx, describe_docx, drawings["docx"])
            planned = _in_formats(planned, formats)
            expected = {p.key for p in planned}
            extra: dict[str, Any] = {}
            if shard is not None:
                from handouts.build import shards

                planned, extra = shards.share(planned, shard)
                expected = shards.kept_outputs(out, expected, planned, shard)
                # A share's manifest records this run's formats only: the merge checks
                # every output it records against what the share was assigned.
                manifest = {**manifest, "outputs": {
                    k: e for k, e in manifest.get("outputs", {}).items()
                    if e.get("format", "pdf") in formats}}
            report = _bring_up_to_date(out, planned, manifest, renderers, fingerprints,
                                       force=force, pool=pool, warnings=warnings, say=say,
                                       start=start, expected=expected, name=name,
                                       extra=extra, jobs=jobs)
        report = dataclasses.replace(report, warnings=tuple(warnings),
                                     seconds=time.perf_counter() - start)
        say(report.summary())
        return report


LOCK = ".lock"


@contextlib.contextmanager
def _exclusive(out: Path, *, wait: bool = False, say: Progress | None = None) -> Iterator[None]:
    """One build per directory at a time: two would sweep each other's temporary files.

    The lock is the kernel's (``flock``), so it dies with its holder: after a crash or
    ``kill -9`` the next build simply takes it.  The holder writes who it is into the
    file, so a second build can say whom it is waiting for.
    """
    lock = out / LOCK
    try:
        handle = open(lock, "a+")  # noqa: SIM115 - held for the whole build
    except OSError as exc:
        raise HandoutsError(out, f"cannot write: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = lock_holder(out) or "another build"
            if not wait:
                raise HandoutsError(out, f"{holder} is running in this directory; "
                                         "wait for it or use --wait") from None
            if say:
                say(f"waiting for {holder} to finish…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate()
            handle.write(f"build pid {os.getpid()} started {time.strftime('%H:%M:%S')}\n")
            handle.flush()
        yield
    finally:
        handle.close()


def lock_holder(out: Path) -> str | None:
    """Who holds the build lock of ``out`` (``None`` if nobody does)."""
    lock = out / LOCK
    try:
        with open(lock) as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return probe.read().strip() or "another build"
            fcntl.flock(probe, fcntl.LOCK_UN)
            return None
    except OSError:
        return None


def _planned(out: Path, content: str, corpus_dir: Path, packets_dir: Path,
             edits_dir: Path | None,
             compute: Callable[[Path, Path, Path], tuple[list[Planned], list[str]]] | None,
             ) -> tuple[list[Planned], list[str]]:
    """The outputs and their handouts, from the content cache when the inputs are known."""
    cache = out / CACHE
    if compute is not None:
        return compute(corpus_dir, packets_dir, cache)
    cached = cache / f"handouts-{content[:32]}.pickle"
    known = _load_pickle(cached)
    if isinstance(known, tuple) and len(known) == 2:
        return known
    result = compute_plan(corpus_dir, packets_dir, cache, edits_dir=edits_dir)
    cache.mkdir(exist_ok=True)
    _sweep(cache, "handouts-*.pickle", keep=cached.name)
    write_atomic(cached, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result


def _in_formats(planned: list[Planned], formats: tuple[str, ...]) -> list[Planned]:
    """Each planned output once per format, the PDF under its own key."""
    return [dataclasses.replace(item, key=output_key(item.key, fmt), format=fmt)
            for fmt in formats for item in planned]


def _sweep(directory: Path, pattern: str, *, keep: str) -> None:
    for stale in directory.glob(pattern):
        if stale.name != keep:
            stale.unlink(missing_ok=True)


def compute_plan(corpus_dir: Path, packets_dir: Path, cache: Path,
                 edits_dir: Path | None = None) -> tuple[list[Planned], list[str]]:
    """Every theme export and every packet of the real pipeline, with per-output errors,
    each through the organiser's edit file in ``edits_dir`` when it has one.

    Outlines are remembered per corpus state (``_Memo``): editing a packet's title,
    agenda or foreword, the usual last-minute change before a meeting, reuses them and
    never loads jieba.
    """
    from handouts import pipeline
    from handouts.build import packets

    corpus = load_corpus(corpus_dir, cache)
    memo = _Memo(cache, corpus_dir)
    warnings = [str(p) for p in corpus.problems]
    planned: list[Planned] = []

    def edited(handout: Handout, kind: Any, name: str) -> Handout:
        # Warnings (a stale edit) are kept with the run's, so the fast path repeats them.
        result, notes = pipeline.edited(corpus, handout, kind, name, edits_dir)
        warnings.extend(notes)
        return result

    for theme in corpus.themes:
        key = f"themes/{theme.id}.pdf"
        planned.append(_attempt(key, "theme", theme.id, lambda t=theme.id: edited(memo.get(
            ("theme-handout", t), lambda: pipeline.theme_handout(corpus, t)), "theme", t)))

    # A packet's outlines share one question writer (no question repeats another part
    # of the packet), so an outline depends on the questions written before it: that
    # context is part of the key, and the writer's state after it is cached with it.
    def shared(key: Any, writer: Any, make: Callable[[], Any]) -> Any:
        context = tuple(writer.written) if writer is not None else ()

        def compute() -> Any:
            outline = make()
            return outline, writer.snapshot() if writer is not None else None

        outline, state = memo.get((*key, context), compute)
        if writer is not None:
            writer.restore(state)
        return outline

    def theme_outline(documents: Any, themes: Any, theme: Any, *, writer: Any = None,
                      **options: Any) -> Any:
        return shared(("theme", theme, options), writer, lambda: packets._theme_outline(
            documents, themes, theme, writer=writer, **options))

    def sections_outline(documents: Any, themes: Any, theme: Any, ids: Any, *,
                         writer: Any = None, **options: Any) -> Any:
        return shared(("sections", theme, ids, options), writer,
                      lambda: packets._sections_outline(documents, themes, theme, ids,
                                                        writer=writer, **options))

    section_ids = {s.id for d in corpus.documents for s in d.sections}
    for path in packets.spec_paths(packets_dir):
        specs: list[packets.PacketSpec] = []

        def packet(path: Path = path, specs: list[packets.PacketSpec] = specs) -> Handout:
            specs.append(packets.load_spec(path, themes=corpus.themes, section_ids=section_ids))
            handout = packets.packet_handout(corpus, specs[0], theme_outline=theme_outline,
                                             sections_outline=sections_outline)
            return edited(handout, "packet", path.stem)

        item = _attempt(f"packets/{path.stem}.pdf", "packet", path.stem, packet)
        if item.handout is not None and specs[0].roster is not None:
            planned.extend(_roster_rows(item, specs[0]))
        else:
            planned.append(item)
    memo.save()
    from handouts.content.edits import orphans

    warnings.extend(orphans(edits_dir, (t.id for t in corpus.themes),
                            (p.stem for p in packets.spec_paths(packets_dir))))
    return planned, warnings


def _roster_rows(packet: Planned, spec: Any) -> list[Planned]:
    """A roster spec's outputs: one packet per row, from the one computed outline."""
    from handouts.build import roster

    return [Planned(o.key, "roster" if o.key != packet.key else "packet", o.name, o.handout,
                    o.error) for o in roster.expand(spec, packet.handout)]  # type: ignore[arg-type]


class _Memo:
    """Outlines and theme handouts computed for one state of the corpus and the code,
    kept in ``cache`` across runs (one file; other states' files are swept)."""

    def __init__(self, cache: Path, corpus_dir: Path) -> None:
        digest = hashlib.sha256(f"{code_fingerprint()}\0{corpus_dir.resolve()}".encode())
        _update_tree(digest, "corpus", corpus_dir)
        self.path = cache / f"outlines-{digest.hexdigest()[:32]}.pickle"
        known = _load_pickle(self.path)
        self.known: dict[str, Any] = known if isinstance(known, dict) else {}
        self.dirty = False

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        from handouts.model import to_jsonable

        text = json.dumps(to_jsonable(key), sort_keys=True, ensure_ascii=False, default=repr)
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest not in self.known:
            self.known[digest] = make()
            self.dirty = True
        return self.known[digest]

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _sweep(self.path.parent, "outlines-*.pickle", keep=self.path.name)
            write_atomic(self.path, pickle.dumps(self.known, protocol=pickle.HIGHEST_PROTOCOL))


def _attempt(key: str, kind: str, name: str, make: Callable[[], Handout]) -> Planned:
    try:
        return Planned(key, kind, name, make())
    except Exception as exc:  # a bug in one output must not stop the others
        return Planned(key, kind, name, None, _one_line(exc))


def _one_line(exc: BaseException) -> str:
    """An input problem as its own message; a bug with its type and the last line of our
    code it passed through (a Jinja2 or WeasyPrint frame alone says little)."""
    if isinstance(exc, HandoutsError):
        return str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if Path(f.filename).is_relative_to(paths.PACKAGE)] or frames
    where = f" ({Path(ours[-1].filename).name}:{ours[-1].lineno})" if ours else ""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}{where}"


def load_corpus(corpus_dir: Path, cache: Path) -> Corpus:
    """The cleaned corpus through the corpus index in ``cache`` (``corpus/index.py``):
    an unchanged file is neither read nor cleaned nor segmented again, so one edited
    file in a large corpus is the only one cleaned.

    Problems are kept as text (exceptions with custom constructors do not survive
    pickling).
    """
    from handouts import pipeline
    from handouts.corpus.index import CorpusIndex

    index = CorpusIndex(cache / INDEX)
    corpus = pipeline.load(corpus_dir, index=index)
    if index.damage:
        _damaged.append(f"{index.path}: cache damaged ({index.damage}); rebuilding it")
    problems = tuple(HandoutsError(None, str(p)) for p in corpus.problems)
    return dataclasses.replace(corpus, problems=problems)


def _bring_up_to_date(out: Path, planned: list[Planned], manifest: dict[str, Any],
                      renderers: Renderers, fingerprints: dict[str, str], *, force: bool,
                      pool: Any,
                      warnings: list[str], say: Progress, start: float,
                      expected: set[str] | None = None, name: str = MANIFEST,
                      extra: dict[str, Any] | None = None, jobs: int = 1) -> BuildReport:
    old = manifest.get("outputs", {})
    # Outputs of a format this run does not build stay as they are, and in the manifest.
    entries: dict[str, dict[str, Any]] = {
        key: entry for key, entry in old.items()
        if entry.get("format", "pdf") not in renderers}
    results: list[OutputResult] = []
    work: list[tuple[Planned, str]] = []

    for item in planned:
        if item.handout is None:
            results.append(OutputResult(item.key, "failed", error=item.error))
            say(f"FAILED  {item.key}: {item.error}")
            if item.key in old:  # the last good build stays until the spec is fixed
                entries[item.key] = old[item.key]
            continue
        _render, describe, drawing = renderers[item.format]
        try:
            inputs = input_hash(item.handout, drawing, describe)
        except Exception as exc:  # e.g. a template error: this output only
            results.append(OutputResult(item.key, "failed", error=_one_line(exc)))
            say(f"FAILED  {item.key}: {results[-1].error}")
            continue
        previous = old.get(item.key, {})
        if (not force and previous.get("inputs") == inputs
                and _sha256_file(out / item.key) == previous.get("sha256")):
            entries[item.key] = previous
            results.append(OutputResult(item.key, "unchanged", previous.get("pages", 0),
                                        previous.get("bytes", 0)))
            continue
        work.append((item, inputs))

    for item in _removed(out, expected if expected is not None else {p.key for p in planned},
                         tuple(renderers)):
        results.append(OutputResult(item, "removed"))
        say(f"removed {item}")

    total = len(work)
    width = max((len(item.key) for item, _ in work), default=0)
    # Biggest first, so the pool does not wait on one long packet at the end.
    work.sort(key=lambda w: -sum(len(o.sections) for o in w[0].handout.outlines))  # type: ignore[union-attr]
    try:
        for n, (item, inputs, outcome) in enumerate(
                _render_all(out, work, pool, renderers, jobs), 1):
            if isinstance(outcome, str):
                results.append(OutputResult(item.key, "failed", error=outcome))
                say(f"[{n:>{len(str(total))}}/{total}] FAILED  {item.key}: {outcome}")
                entries.pop(item.key, None)
                continue
            pages, size, sha, seconds = outcome
            entries[item.key] = {"kind": item.kind, "name": item.name, "inputs": inputs,
                                 "pages": pages, "bytes": size, "sha256": sha}
            if item.format != "pdf":  # a Word file's pages are counted by Word
                entries[item.key].pop("pages")
                entries[item.key]["format"] = item.format
            results.append(OutputResult(item.key, "built", pages, size, seconds))
            count = f"{pages:>3} pages" if item.format == "pdf" else f"{item.format:>9}"
            say(f"[{n:>{len(str(total))}}/{total}] built   {item.key:<{width}}  {count}"
                f"  {size / 1024:>5.0f} KiB  {seconds:5.2f} s")
    finally:
        # Written even when interrupted: what was finished is recorded, and a run that
        # did not finish (or failed somewhere) never claims the fast path.
        complete = len(results) == len(planned) + sum(r.status == "removed" for r in results)
        ok = complete and not any(r.status == "failed" for r in results)
        # Formats not built this run keep theirs: their outputs were left as they were.
        kept = {f: v for f, v in (manifest.get("fingerprints") or {}).items()
                if f not in renderers}
        write_atomic(out / name, json.dumps({
            "format": FORMAT,
            "version": __version__,
            "fingerprints": {**kept, **(fingerprints if ok else {})},
            "outputs": dict(sorted(entries.items())),
            "failures": {r.key: r.error for r in results if r.status == "failed"},
            "warnings": list(warnings),
            **(extra or {}),
        }, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    order = {p.key: i for i, p in enumerate(planned)}
    results.sort(key=lambda r: (order.get(r.key, len(order)), r.key))
    return BuildReport(out, tuple(results), time.perf_counter() - start)


def _removed(out: Path, expected: set[str], formats: tuple[str, ...] = ("pdf",)) -> list[str]:
    """Delete outputs (of ``formats``) no theme or spec asks for any more, and leftovers
    of killed writes."""
    removed = []
    folders = [(f"{base}{folder}", fmt) for fmt, base in (("pdf", ""), ("docx", f"{DOCX_DIR}/"))
               if fmt in formats for folder in ("themes", "packets")]
    # A roster spec's outputs: one folder per spec under packets/.
    rosters = [(f"{folder}/{sub.name}", fmt) for folder, fmt in folders
               if folder.endswith("packets") and (out / folder).is_dir()
               for sub in sorted((out / folder).iterdir())
               if sub.is_dir() and not sub.name.startswith(".")]
    for folder, fmt in folders + rosters:
        directory = out / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            key = f"{folder}/{path.name}"
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)
            elif path.suffix == f".{fmt}" and key not in expected:
                path.unlink(missing_ok=True)
                removed.append(key)
        if (folder, fmt) in rosters and not any(directory.iterdir()):
            directory.rmdir()  # a roster spec removed or renamed
    return removed


Outcome = tuple[int, int, str, float] | str


@contextlib.contextmanager
def _pool(jobs: int, *, warm_pdf: bool, memo: Path | None = None) -> Iterator[Any]:
    """A process pool of ``jobs`` workers, already starting; ``None`` for one job.
    ``memo``: where the renderers keep the finishing pass's choices."""
    from handouts.writers.pdf import memo as typeset_memo

    typeset_memo.keep_in(memo)
    if jobs <= 1:
        yield None
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: nothing to re-import, and no re-run of ``__main__`` (``python -m handouts``
    # has no main guard for spawn to respect).  With fork every worker is launched at
    # the first submit, so a no-op starts them all now, each warming up in parallel.
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_warm_worker, initargs=(warm_pdf, memo))
    pool.submit(int)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _render_all(out: Path, work: list[tuple[Planned, str]], pool: Any,
                renderers: Renderers, jobs: int = 1
                ) -> Iterable[tuple[Planned, str, Outcome]]:
    """Render ``work``, yielding each output as it finishes (in this process without a pool)."""
    for folder in {(out / item.key).parent for item, _ in work}:
        folder.mkdir(parents=True, exist_ok=True)

    def task(batch: list[tuple[Planned, str]]) -> tuple[Any, ...]:
        first = batch[0][0]
        return ([i.handout for i, _ in batch], [out / i.key for i, _ in batch],
                renderers[first.format][0], first.format)

    batches = _batches(work, jobs)
    if pool is None:
        for batch in batches:
            for (item, inputs), outcome in zip(batch, render_batch(*task(batch)), strict=True):
                yield item, inputs, outcome
        return

    from concurrent.futures import as_completed

    futures = {pool.submit(render_batch, *task(batch)): batch for batch in batches}
    for future in as_completed(futures):
        batch = futures[future]
        try:
            outcomes = future.result()
        except Exception as exc:  # a worker died (out of memory, killed)
            outcomes = [_one_line(exc)] * len(batch)
        for (item, inputs), outcome in zip(batch, outcomes, strict=True):
            yield item, inputs, outcome


ROSTER_BATCH = 40
"""Rows rendered by one task: each task lays the body out once (about as long as two
rows take), and smaller tasks keep every worker busy and the progress moving."""


def _batches(work: list[tuple[Planned, str]], jobs: int) -> list[list[tuple[Planned, str]]]:
    """One task per output, except a series (a roster's PDFs), which is cut into
    ``jobs`` or more tasks of at most ``ROSTER_BATCH`` rows, in the order given."""
    singles: list[list[tuple[Planned, str]]] = []
    series: dict[str, list[tuple[Planned, str]]] = {}
    for entry in work:
        if entry[0].series is None:
            singles.append([entry])
        else:
            series.setdefault(entry[0].series, []).append(entry)
    batches = []
    for rows in series.values():
        size = max(1, min(ROSTER_BATCH, -(-len(rows) // max(1, jobs))))
        batches.extend(rows[i:i + size] for i in range(0, len(rows), size))
    return batches + singles


def render_batch(handouts: list[Handout], targets: list[Path], render: Renderer | None = None,
                 fmt: str = "pdf") -> list[Outcome]:
    """``render_one`` for each handout; the real PDF renderer lays out a body shared by
    several (a roster's rows) only once."""
    if render is not None or fmt != "pdf" or len(handouts) == 1:
        return [render_one(h, t, render, fmt) for h, t in zip(handouts, targets, strict=True)]
    from handouts.writers.pdf.series import Series

    series = Series()
    return [render_one(h, t, series.render, fmt)
            for h, t in zip(handouts, targets, strict=True)]


def _warm_worker(real_renderer: bool, memo: Path | None = None) -> None:
    """Import and extend WeasyPrint and read the fonts' maps once per worker, before the
    first output is timed.

    Ctrl-C reaches the whole process group; the parent handles it (cancels what has not
    started, records what finished), so workers ignore it rather than each printing a
    traceback.  An output being rendered still completes or is never written.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if real_renderer:
        from handouts.writers.pdf.render import prepare

        # A problem here (a missing font) must not break the pool: the same error
        # comes back, named, from the first render of each output.
        with contextlib.suppress(Exception):
            prepare()


def render_one(handout: Handout, target: Path, render: Renderer | None = None,
               fmt: str = "pdf", seconds: float | None = None) -> Outcome:
    """Render one output (``fmt``: pdf or docx) and write it atomically; a one-line
    error instead of raising.

    ``seconds`` bounds the rendering (default: ``render_seconds`` of the limits): an
    output that runs longer is stopped and reported, and nothing is written for it.
    """
    start = time.perf_counter()
    budget = limits.current().render_seconds if seconds is None else seconds
    try:
        with _time_limit(budget):
            if render is None and fmt == "docx":
                from handouts.writers.docx import render_docx

                render = render_docx
            if render is None:
                from handouts.writers.pdf.render import render_pdf

                data = render_pdf(handout)
            else:
                data = render(handout)
            pages = count_pages(data) if fmt == "pdf" else 0
        write_atomic(target, data)
    except Exception as exc:
        return _one_line(exc)
    return pages, len(data), hashlib.sha256(data).hexdigest(), time.perf_counter() - start


class RenderTimeout(HandoutsError):
    """An output that took longer than the render time limit."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise ``RenderTimeout`` in this thread once ``seconds`` have passed.

    A timer signal interrupts the layout wherever it is (WeasyPrint is Python between
    its calls into Pango), in a pool worker as in a one-job build; only the main
    thread receives signals, so elsewhere the limit is not enforced.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: Any) -> None:
        raise RenderTimeout(None, f"stopped after {seconds:g} s, over the render time limit "
                                  "(raise HANDOUTS_RENDER_SECONDS if it is expected)")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def count_pages(data: bytes) -> int:
    """Pages of a PDF; a renderer that returned something else is caught here."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)
