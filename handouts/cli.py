"""The command line: a thin shell over ``handouts.pipeline`` and friends.

Each command parses options, calls one library function and prints its result, as
text for a person or as JSON (``--json``) for the regeneration job, the tests and other
tools.  Input problems arrive as ``HandoutsError`` and leave as a one-line
``Error: <file>: <problem>`` with exit status 1; nothing here catches anything else.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from handouts import __version__, paths
from handouts.atomic import check_writable
from handouts.errors import HandoutsError
from handouts.model import to_jsonable

F = TypeVar("F", bound=Callable[..., Any])

PAPERS = ("a4", "a5", "b5")
VARIANTS = ("pdf/ua-1", "pdf/a-3b")
FORMATS = ("pdf", "docx")


def _one_line_errors(func: F) -> F:
    """Turn library errors into Click's one-line error and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HandoutsError as err:
            raise click.ClickException(str(err)) from None

    return wrapper  # type: ignore[return-value]


def _corpus_option(func: F) -> F:
    return click.option(
        "--corpus",
        "corpus_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=paths.CORPUS,
        show_default="corpus/",
        help="Directory of .txt, .md, .html, .docx and .pdf documents (and themes.toml).",
    )(func)


def _edits_option(func: F) -> F:
    return click.option(
        "--edits",
        "edits_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=paths.EDITS,
        show_default="edits/",
        help="Directory of the organiser's edit files (see `handouts edit`).",
    )(func)


def _packets_option(func: F) -> F:
    return click.option(
        "--packets",
        "packets_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=paths.PACKETS,
        show_default="packets/",
        help="Directory of meeting packet specs.",
    )(func)


def _warn(lines: list[str]) -> None:
    for line in lines:
        click.echo(f"warning: {line}", err=True)


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2))


def _load(corpus_dir: Path, strict: bool = False) -> Any:
    from handouts import pipeline

    corpus = pipeline.load(corpus_dir, strict=strict)
    for problem in corpus.problems:
        click.echo(f"warning: {problem} (skipped)", err=True)
    return corpus


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handouts")
def cli() -> None:
    """Turn a corpus of Chinese study texts into printed study handouts.

    Example:

    \b
        handouts outline --theme four-winds
        handouts build --theme four-winds -o 四风.pdf
    """


@cli.command()
@_corpus_option
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--strict", is_flag=True, help="Fail on the first document that cannot be read.")
@click.option(
    "--explain",
    "explain_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Show, for one file, each dropped line with its reason and each heading found.",
)
@_one_line_errors
def corpus(corpus_dir: Path, as_json: bool, strict: bool, explain_file: Path | None) -> None:
    """Show the cleaned documents and their sections.

    Example:

    \b
        handouts corpus --json | jq '.documents[].title'
        handouts corpus --explain corpus/003_9d11f11799cd5b51.txt
    """
    if explain_file is not None:
        from handouts.corpus.load import explain, explain_data

        if as_json:
            _emit_json(explain_data(explain_file))
        else:
            click.echo(explain(explain_file))
        return
    loaded = _load(corpus_dir, strict)
    if as_json:
        _emit_json({"documents": list(loaded.documents)})
        return
    for doc in loaded.documents:
        meta = " · ".join(x for x in (doc.date, doc.source, doc.author) if x)
        click.echo(f"{doc.id}  {doc.title}" + (f"  ({meta})" if meta else ""))
        for section in doc.sections:
            indent = "  " * section.level
            click.echo(f"{indent}{section.id}  {section.title}  [{len(section.text)} 字]")


@cli.command()
@_corpus_option
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--suggest", is_flag=True, help="Propose candidate new themes from the corpus.")
@click.option("--suggest-terms", "suggest_terms", metavar="THEME",
              help="Propose words to add to a theme (its terms' families, words found with them).")
@_one_line_errors
def themes(corpus_dir: Path, as_json: bool, suggest: bool, suggest_terms: str | None) -> None:
    """List the themes and how many sections each selects.

    Example:

    \b
        handouts themes
        handouts themes --suggest
        handouts themes --suggest-terms grassroots
    """
    from handouts.content import themes as themes_stage

    loaded = _load(corpus_dir)
    if suggest_terms:
        words = themes_stage.suggest_terms(loaded.documents, loaded.theme(suggest_terms))
        if as_json:
            _emit_json({"theme": suggest_terms, "suggestions": words})
            return
        click.echo(f"# words to consider for {suggest_terms} (add to terms, or to related "
                   "with a weight below 1)")
        for w in words:
            why = f"part of {w['of']}" if w["kind"] == "family" else "found with its terms"
            click.echo(f"{w['word']:<10} {why}; in {w['sections']} sections")
        return
    if suggest:
        suggestions = themes_stage.suggest(loaded.documents, loaded.themes)
        if as_json:
            _emit_json({"suggestions": suggestions})
        else:
            for s in suggestions:
                click.echo(json.dumps(s, ensure_ascii=False))
        return
    summaries = themes_stage.theme_summaries(loaded.documents, loaded.themes)
    if as_json:
        _emit_json({"themes": summaries})
        return
    for s in summaries:
        terms = "、".join(s.get("matched_terms", [])[:8])
        click.echo(f"{s['id']:<15} {s['sections']:>2} 节  {s['name']}  {terms}")


@cli.command()
@click.option("--theme", "theme_id", required=True, help="Theme id from themes.toml.")
@_corpus_option
@click.option("--max-sections", type=click.IntRange(1, 100), help="Cap on sections selected.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--explain", is_flag=True,
              help="Show every scored section (score, matched terms and family words, why left "
                   "out) and every question the checker refused, with its reasons.")
@_one_line_errors
def outline(corpus_dir: Path, theme_id: str, max_sections: int | None, as_json: bool,
            explain: bool) -> None:
    """Show what the handout for a theme contains, and why each section was picked.

    Example:

    \b
        handouts outline --theme four-winds --json
        handouts outline --theme grassroots --explain
    """
    from handouts import pipeline

    if explain:
        from handouts.content.outline import explain as explain_outline

        loaded = _load(corpus_dir)
        report = explain_outline(loaded.documents, loaded.themes, loaded.theme(theme_id),
                                 max_sections=max_sections)
        if as_json:
            _emit_json(report)
        else:
            click.echo(explain_text(report))
        return
    result = pipeline.outline(_load(corpus_dir), theme_id, max_sections=max_sections)
    if as_json:
        _emit_json(outline_json(result))
        return
    click.echo(f"{result.theme.name}（{result.theme.id}）")
    for n, s in enumerate(result.sections, 1):
        click.echo(f"\n{n}. {s.title}  — {s.doc_title}")
        click.echo(f"   得分 {s.score:.2f}；匹配：{'、'.join(s.matched)}")
        click.echo(f"   关键词：{'、'.join(s.keywords)}")
        for point in s.key_points:
            click.echo(f"   · {point}")
        for q in s.questions:
            click.echo(f"   ？ {q}")
    if result.questions:
        click.echo("\n总讨论题：")
        for q in result.questions:
            click.echo(f"   ？ {q}")


def explain_text(report: dict[str, Any]) -> str:
    """``outline --explain`` for a reader: sections by score, then refused questions."""
    theme = report["theme"]
    lines = [f"{theme['name']}（{theme['id']}）", "", "候选篇目（得分、匹配词、同族词、结果）："]
    for s in sorted(report["sections"], key=lambda s: -s["score"]):
        mark = "选入" if s["selected"] else f"未选：{s['why_not']}"
        variants = f"；同族：{'、'.join(s['variants'])}" if s["variants"] else ""
        lines.append(f"  {s['score']:>6.2f}  {s['id']}  {s['title']}")
        lines.append(f"          匹配：{'、'.join(s['matched']) or '—'}{variants}  [{mark}]")
    lines += ["", "未采用的讨论题："]
    for r in report["rejected_questions"]:
        lines.append(f"  × {r['question']}  ({r['section']})")
        lines.extend(f"      - {reason}" for reason in r["reasons"])
    if not report["rejected_questions"]:
        lines.append("  （无）")
    return "\n".join(lines)


def outline_json(result: Any) -> dict[str, Any]:
    """The ``outline --json`` contract: stable keys that the regeneration job relies on."""
    return {
        "theme": {"id": result.theme.id, "name": result.theme.name},
        "sections": [
            {
                "id": s.id,
                "title": s.title,
                "doc_id": s.doc_id,
                "doc_title": s.doc_title,
                "score": s.score,
                "matched_terms": list(s.matched),
                "keywords": list(s.keywords),
                "key_points": list(s.key_points),
                "questions": list(s.questions),
                "text": s.text,
                "notes": list(s.notes),
            }
            for s in result.sections
        ],
        "questions": list(result.questions),
        "sources": to_jsonable(result.sources),
    }


def _render_options(func: F) -> F:
    func = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=None,
        help="pdf, or docx for Word/WPS [default: from -o's suffix, else pdf].",
    )(func)
    func = click.option(
        "--html", "as_html", is_flag=True, help="Write the HTML preview instead of the PDF."
    )(func)
    func = click.option(
        "--pdf-variant", type=click.Choice(VARIANTS), help="Tagged PDF/UA-1 or archival PDF/A-3b."
    )(func)
    func = click.option("--booklet", is_flag=True, help="A5 pages imposed two-up on A4.")(func)
    return click.option(
        "--paper", type=click.Choice(PAPERS), default=None, help="Paper size [default: a4]."
    )(func)


def _output_format(fmt: str | None, output: Path | None, as_html: bool,
                   variant: str | None) -> str:
    """``pdf``, ``html`` or ``docx``: ``--format``, else ``--html``, else the suffix of
    ``-o`` (``-o 四风.docx`` means Word), else PDF."""
    if fmt is None:
        suffix = output.suffix.lower() if output else ""
        fmt = "html" if as_html else "docx" if suffix == ".docx" else "pdf"
    elif as_html:
        raise click.UsageError("--html writes the HTML preview: drop --format")
    if fmt == "docx" and variant:
        raise click.UsageError("--pdf-variant is for PDF output, not docx")
    return fmt


def _write_output(handout: Any, output: Path, fmt: str, variant: str | None) -> None:
    from handouts.atomic import write_atomic

    data: bytes | str
    if fmt == "docx":
        from handouts.writers.docx import render_docx

        data = render_docx(handout)
    else:
        from handouts.writers.pdf.render import render_html, render_pdf

        data = render_html(handout) if fmt == "html" else render_pdf(handout, variant=variant)
    write_atomic(output, data)
    click.echo(f"wrote {output}", err=True)


def _default_output(kind: str, name: str, fmt: str) -> Path:
    # Word files sit where build-all puts them, apart from the PDFs (build/docx/...).
    folder = Path("build") / ("docx" if fmt == "docx" else "") / kind
    out = folder / f"{name}.{fmt}"
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


@cli.command()
@click.option("--theme", "theme_id", required=True, help="Theme id from themes.toml.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output file."
)
@_corpus_option
@_edits_option
@_render_options
@_one_line_errors
def build(
    theme_id: str,
    output: Path | None,
    corpus_dir: Path,
    edits_dir: Path,
    paper: str | None,
    booklet: bool,
    pdf_variant: str | None,
    as_html: bool,
    fmt: str | None,
) -> None:
    """Write the handout for one theme as a PDF (default: build/themes/<id>.pdf) or a
    Word file (--format docx; default: build/docx/themes/<id>.docx), through its edit
    file edits/themes/<id>.toml when there is one.

    Example:

    \b
        handouts build --theme last-mile --paper a5 --booklet -o 最后一公里.pdf
        handouts build --theme four-winds --format docx -o 四风.docx
    """
    from handouts import pipeline

    fmt = _output_format(fmt, output, as_html, pdf_variant)
    output = check_writable(output or _default_output("themes", theme_id, fmt))
    loaded = _load(corpus_dir)
    handout = pipeline.theme_handout(loaded, theme_id, paper=paper or "a4", booklet=booklet)
    handout, warnings = pipeline.edited(loaded, handout, "theme", theme_id, edits_dir)
    _warn(warnings)
    _write_output(handout, output, fmt, pdf_variant)


@cli.command()
@click.argument("spec", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output file."
)
@click.option("--list", "list_specs", is_flag=True, help="List the packet specs in packets/.")
@click.option("--branch", help="A roster spec: the branch (name or file slug) to print.")
@_corpus_option
@_edits_option
@_render_options
@_one_line_errors
def packet(
    spec: Path | None,
    output: Path | None,
    list_specs: bool,
    branch: str | None,
    corpus_dir: Path,
    edits_dir: Path,
    paper: str | None,
    booklet: bool,
    pdf_variant: str | None,
    as_html: bool,
    fmt: str | None,
) -> None:
    """Write a meeting packet from a TOML spec (default: build/packets/<name>.pdf, or
    build/docx/packets/<name>.docx with --format docx), through its edit file
    edits/packets/<name>.toml when there is one.

    Example:

    \b
        handouts packet packets/branch-four-winds.toml
        handouts packet packets/branch-four-winds.toml --format docx
        handouts packet --list
        handouts packet packets/qingxi-study-month.toml --branch 城关镇机关党支部
    """
    from handouts import pipeline
    from handouts.build import packets

    if list_specs:
        for line in packets.describe_specs(paths.PACKETS):
            click.echo(line)
        return
    if spec is None:
        raise click.UsageError("give a packet spec (a .toml file in packets/) or --list")
    parsed = packets.load_spec(spec)
    if parsed.roster is None and branch is not None:
        raise click.UsageError(f"{spec} has no roster: --branch does not apply")
    if parsed.roster is not None and branch is None:
        raise click.UsageError(f"{spec} has a roster ({parsed.roster}): give --branch NAME, "
                               "or build every branch with `handouts build-all`")
    name = spec.stem
    row = None
    if parsed.roster is not None:
        from handouts.build import roster

        found = roster.spec_roster(parsed)
        row = next((r for r in found.rows if branch in (r.branch, r.slug)), None)
        if row is None:
            raise click.ClickException(f"{parsed.roster}: no valid row for branch {branch!r}")
        name = f"{spec.stem}/{row.slug}"
    fmt = _output_format(fmt, output, as_html, pdf_variant)
    output = check_writable(output or _default_output("packets", name, fmt))
    loaded = _load(corpus_dir)
    parsed = packets.load_spec(spec, themes=loaded.themes)
    handout = packets.packet_handout(loaded, parsed, paper=paper, booklet=booklet or None)
    handout, warnings = pipeline.edited(loaded, handout, "packet", spec.stem, edits_dir)
    _warn(warnings)
    if row is not None:
        handout = roster.row_handout(handout, row, parsed.foreword)
    _write_output(handout, output, fmt, pdf_variant)


@cli.command("build-all")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("build"))
@click.option("--jobs", type=click.IntRange(1, 64), default=2, show_default=True)
@click.option("--force", is_flag=True, help="Rebuild every output, changed or not.")
@click.option("--wait", is_flag=True,
              help="If another build is running in OUT, wait for it instead of failing.")
@_corpus_option
@_packets_option
@_edits_option
@click.option(
    "--formats",
    default="pdf",
    show_default=True,
    help="Comma-separated: pdf, docx (Word files go to OUT/docx/).",
)
@click.option("--shard", "shard_text", metavar="K/N",
              help="Build only the K-th of N shares (CI matrix jobs); see merge-manifests.")
@_one_line_errors
def build_all(out: Path, jobs: int, force: bool, wait: bool, corpus_dir: Path,
              packets_dir: Path, edits_dir: Path, formats: str, shard_text: str | None) -> None:
    """Build every theme export and every meeting packet into OUT, incrementally, each
    through its edit file in edits/ when it has one.

    Example:

    \b
        handouts build-all --out build --jobs 2
        handouts build-all --formats pdf,docx
        handouts build-all --out build --shard 2/4
    """
    from handouts.build.build import build_all as run_build
    from handouts.build.shards import Shard

    shard = Shard.parse(shard_text) if shard_text else None

    report = run_build(
        out,
        corpus_dir=corpus_dir,
        packets_dir=packets_dir,
        edits_dir=edits_dir,
        jobs=jobs,
        force=force,
        wait=wait,
        progress=lambda line: click.echo(line, err=True),
        formats=formats.split(","),
        shard=shard,
    )
    if report.failures:
        names = ", ".join(str(f) for f in report.failures)
        raise click.ClickException(f"{len(report.failures)} output(s) failed: {names}")


@cli.command()
@click.option("--theme", "theme_id", help="Theme id from themes.toml.")
@click.option("--packet", "packet_name", help="Packet spec name (packets/<name>.toml).")
@click.option("--refresh", is_flag=True,
              help="Merge the current outline into an existing edit file, keeping every change.")
@_corpus_option
@_packets_option
@_edits_option
@_one_line_errors
def edit(theme_id: str | None, packet_name: str | None, refresh: bool, corpus_dir: Path,
         packets_dir: Path, edits_dir: Path) -> None:
    """Write a handout's outline to an edit file an organiser corrects before printing
    (edits/themes/<id>.toml or edits/packets/<name>.toml); every build then uses it.

    Example:

    \b
        handouts edit --theme four-winds
        handouts edit --packet branch-four-winds
        handouts edit --theme four-winds --refresh
    """
    from handouts import pipeline

    if (theme_id is None) == (packet_name is None):
        raise click.UsageError("give one of --theme ID or --packet NAME")
    kind, name = ("theme", theme_id) if theme_id else ("packet", packet_name)
    path, report = pipeline.write_edits(_load(corpus_dir), kind, name or "",
                                        edits_dir=edits_dir, packets_dir=packets_dir,
                                        refresh=refresh)
    click.echo(f"wrote {path}", err=True)
    if refresh:
        click.echo(f"kept {report.kept} of your changes, updated {report.updated} proposals, "
                   f"added {len(report.added)} newly selected sections", err=True)
        for sid in report.not_added:
            click.echo(f"  not added (no record of what you dropped): {sid}", err=True)
        for sid in report.stale:
            click.echo(f"  no longer in the corpus, kept as written: {sid}", err=True)


@cli.command()
@_corpus_option
@_packets_option
@_edits_option
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@_one_line_errors
def status(corpus_dir: Path, packets_dir: Path, edits_dir: Path, as_json: bool) -> None:
    """List the edit files, and every edit whose source text has changed since it was
    written, with a short diff of that text.

    Example:

    \b
        handouts status
        handouts status --json
    """
    from handouts.build.packets import spec_paths
    from handouts.content import edits

    loaded = _load(corpus_dir)
    found = edits.status(edits_dir, loaded.documents, (t.id for t in loaded.themes),
                         (p.stem for p in spec_paths(packets_dir)))
    if as_json:
        _emit_json({"edits": [{
            "kind": item.kind, "path": str(item.path), "sections": item.sections,
            "error": item.error, "unused": item.unused,
            "stale": [{"part": s.part, "id": s.section_id, "title": s.title, "state": s.state,
                       "diff": [line.strip() for line in s.diff()]} for s in item.stale],
        } for item in found]})
        return
    if not found:
        click.echo(f"no edit files in {edits_dir} (write one with `handouts edit`)")
    for item in found:
        if item.error:
            click.echo(f"{item.path}\tERROR {item.error}")
            continue
        state = f"{len(item.stale)} stale" if item.stale else "up to date"
        click.echo(f"{item.path}\t{item.sections} sections, {state}"
                   + (f" ({item.unused})" if item.unused else ""))
        for stale in item.stale:
            what = "changed" if stale.state == "changed" else "gone from the corpus"
            click.echo(f"  {what}: {stale.section_id}  {stale.title}")
            for line in stale.diff():
                click.echo(f"  {line}")


@cli.command()
@_corpus_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("build"),
              show_default=True, help="The build directory to check.")
def doctor(corpus_dir: Path, out: Path) -> None:
    """Check that this machine can build handouts, and say what to fix.

    Checks the system packages, the Python packages, the fonts (and that they have a
    glyph for every character of the corpus), the corpus, write access to the build
    directory, its lock, manifest and cache.  Changes nothing; exits 1 on any problem.

    Example:

    \b
        handouts doctor
        handouts doctor --corpus 学习资料 --out /tmp/build
    """
    from handouts.doctor import run_checks

    checks = run_checks(corpus_dir, out)
    for check in checks:
        click.echo(check.line())
    problems = sum(not c.ok for c in checks)
    if problems:
        raise click.ClickException(f"{problems} problem(s) found; see the lines above")
    click.echo("everything is ready")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback lets other computers in.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@_corpus_option
@_packets_option
@_edits_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              default=paths.HOME / "build", show_default="build/",
              help="Where built handouts and page previews go.")
def serve(host: str, port: int, corpus_dir: Path, packets_dir: Path, edits_dir: Path,
          out: Path) -> None:
    """Open the workbench: a page in the browser that does what these commands do
    (choose sections, edit key points and questions, packets, upload, build, download).

    Example:

    \b
        handouts serve
        handouts serve --port 8080
    """
    from handouts.web.app import Settings
    from handouts.web.app import serve as run

    run(Settings(corpus=corpus_dir, packets=packets_dir, edits=edits_dir, build=out,
                 host=host), port)


@cli.command("merge-manifests")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False, exists=True),
                default=Path("build"))
@_one_line_errors
def merge_manifests(out: Path) -> None:
    """Join the shards' manifest.shard-K.json in OUT into OUT/manifest.json.

    Fails on a missing shard or output (a gap), an output built by two shards (an
    overlap) or shards built from different inputs; fails too when an output failed.

    Example:

    \b
        handouts merge-manifests build
    """
    from handouts.build.manifest import merge

    report = merge(out)
    click.echo(report.summary(), err=True)
    if report.failures:
        for key, error in report.failures.items():
            click.echo(f"FAILED  {key}: {error}", err=True)
        raise click.ClickException(f"{len(report.failures)} output(s) failed")


def main() -> None:
    cli(prog_name="handouts")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
