"""``make bench``: figures, never assertions.

Each measurement runs in a fresh interpreter (``python -m handouts.bench --phase X``) so
that "cold" really means cold (no jieba dictionary, no WeasyPrint import yet) and the
peak resident memory reported is that phase's own.  The parent prints one table and
writes the headline figures (the snake_case keys a phase returns) to
``build/bench.json``.

``--size N`` (``make bench SIZE=N``, or ``HANDOUTS_BENCH_SIZE``) sets how many generated
documents the corpus-scale phase loads and outlines (default 10,000).
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from handouts import paths

PHASES: dict[str, Callable[[Path], dict[str, Any]]] = {}
DEFAULT_SIZE = 10_000
BENCH_JSON = paths.HOME / "build" / "bench.json"


def phase(
    name: str,
) -> Callable[[Callable[[Path], dict[str, Any]]], Callable[[Path], dict[str, Any]]]:
    def register(func: Callable[[Path], dict[str, Any]]) -> Callable[[Path], dict[str, Any]]:
        PHASES[name] = func
        return func

    return register


def _timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (pools, commands)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _measured(func: Callable[[], Any]) -> tuple[float, float, Any]:
    """``(wall, cpu, result)``: on a shared machine the wall clock says how long a
    user waited, CPU time what the work itself cost; the bench reports both."""
    cpu = _cpu()
    wall, result = _timed(func)
    return wall, _cpu() - cpu, result


def replicate_corpus(target: Path, copies: int, *, seed: int = 7) -> int:
    """Fill ``target`` with ``copies`` variants of the seed documents; return total bytes.

    Variants differ (shuffled paragraphs, a changed title line, extra noise lines) so
    that no cache or dictionary lookup can short-cut the work of cleaning them.
    """
    rng = random.Random(seed)
    seeds = sorted(p for p in paths.CORPUS.iterdir() if p.suffix in {".txt", ".md"})
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    total = 0
    for n in range(copies):
        lines = texts[n % len(texts)].splitlines()
        body = lines[3:]
        if len(body) > 4:
            i, j = sorted(rng.sample(range(len(body)), 2))
            body[i], body[j] = body[j], body[i]
        noise = [f"浏览次数:{rng.randint(100, 99999)}", f"第{n}号文档 · 学习园地"]
        text = "\n".join([*lines[:3], *noise, *body, "Copyright © 2024 example.cn"])
        path = target / f"bench_{n:04d}.txt"
        path.write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


@phase("hostile-inputs")
def _hostile_inputs(work: Path) -> dict[str, Any]:
    """Inputs that must be handled within seconds (issue: faults and hostile input)."""
    from handouts.corpus.load import load_documents

    tiny = work / "tiny"
    tiny.mkdir()
    for n in range(100_000):
        (tiny / f"{n:06d}.txt").write_text(f"第{n}篇\n\n坚持人民至上。", encoding="utf-8")
    seconds, (documents, problems) = _timed(lambda: load_documents(tiny))
    book = work / "book"
    book.mkdir()
    seed = sorted(paths.CORPUS.glob("*.txt"))[1].read_bytes()
    (book / "全书.txt").write_bytes(seed * (28_000_000 // len(seed) + 1))
    (book / "ok.txt").write_bytes(seed)
    refused, (kept, _) = _timed(lambda: load_documents(book))
    return {
        "load 100,000 tiny files": f"{seconds:.1f} s ({len(documents)} documents, "
                                   f"{len(problems)} problems)",
        "a 28 MB file refused by name (corpus load)": f"{refused:.2f} s ({len(kept)} kept)",
    }


@phase("outline-all")
def _outline_all(work: Path) -> dict[str, Any]:
    from handouts import pipeline

    corpus = pipeline.load(paths.CORPUS)
    ids = [t.id for t in corpus.themes]
    cold, _ = _timed(lambda: [pipeline.outline(corpus, i) for i in ids])
    warm, _ = _timed(lambda: [pipeline.outline(corpus, i) for i in ids])
    return {
        f"outline, all {len(ids)} themes, cold (incl. jieba load)": f"{cold:.2f} s",
        f"outline, all {len(ids)} themes, warm": f"{warm:.3f} s",
    }


def _bench_handout(paper: str = "a4", booklet: bool = False) -> Any:
    """Four themes' outlines, twenty sections each: a thick compilation, as printed."""
    from handouts import pipeline
    from handouts.model import Handout

    corpus = pipeline.load(paths.CORPUS)
    outlines = tuple(pipeline.outline(corpus, t.id, max_sections=20) for t in corpus.themes[:4])
    sources = tuple({s.id: s for o in outlines for s in o.sources}.values())
    return Handout(
        title="群众路线学习资料汇编",
        outlines=outlines,
        date=pipeline.latest_date(corpus.documents),
        paper=paper,
        booklet=booklet,
        sources=sources,
    )


def plain_weasyprint(html: str) -> bytes:
    """The same final HTML through WeasyPrint as shipped: no justification extension,
    no glyph check, one layout pass; the yardstick the renderer is measured against."""
    import weasyprint

    from handouts.writers.pdf import justify, render

    with justify.suspended():
        document = weasyprint.HTML(
            string=html, base_url=paths.STYLES.as_uri() + "/",
            url_fetcher=render._fetcher_class()(),
        ).render(font_config=render._font_config())
        return document.write_pdf()


@phase("render")
def _render(work: Path) -> dict[str, Any]:
    from handouts import pipeline
    from handouts.writers.pdf import memo, render

    handout = _bench_handout()
    first, data = _timed(lambda: pipeline.pdf(handout))
    html = render.render_html(handout)
    plain_pages = render.page_count(plain_weasyprint(html))
    pages = render.page_count(data)
    # Interleaved and the best of each kept: on a shared machine, load comes and goes;
    # the fastest run of each is the one least disturbed.
    # ``ours``: the paragraphs' spacing known (``memo``), as in every rebuild and every
    # handout that prints a passage set before; ``fresh``: the memo emptied first, as
    # for text never set before (a trial layout and a second layout).
    ours, plain, fresh = [], [], []
    for _ in range(3):
        ours.append(_measured(lambda: pipeline.pdf(handout))[:2])
        plain.append(_measured(lambda: plain_weasyprint(html))[:2])
        memo.keep_in(None)
        memo._current = memo.Memo()
        fresh.append(_measured(lambda: pipeline.pdf(handout))[:2])
    fresh_ms = 1000 * min(w for w, _ in fresh) / pages
    ms = 1000 * min(w for w, _ in ours) / pages
    plain_ms = 1000 * min(w for w, _ in plain) / plain_pages
    cpu_ms = 1000 * min(c for _, c in ours) / pages
    plain_cpu_ms = 1000 * min(c for _, c in plain) / plain_pages
    booklet = _bench_handout("a5", booklet=True)
    seconds, imposed = _timed(lambda: pipeline.pdf(booklet))
    sides = render.page_count(imposed)
    return {
        "render A4, first in the process": f"{first:.2f} s, {pages} pages, "
                                           f"{len(data) / 1024:.0f} KiB",
        "render A4, best of 3": f"{ms:.1f} ms/page ({cpu_ms:.1f} ms/page of CPU)",
        "plain WeasyPrint, same HTML, best of 3": f"{plain_ms:.1f} ms/page ({plain_cpu_ms:.1f} "
                                                  f"ms/page of CPU), {plain_pages} pages",
        "renderer / plain WeasyPrint": f"{ms / plain_ms:.2f} ({cpu_ms / plain_cpu_ms:.2f} in CPU)",
        "render A4, text never set before, best of 3": (
            f"{fresh_ms:.1f} ms/page, {fresh_ms / plain_ms:.2f} x plain WeasyPrint "
            "(lone last lines found: trial layout and a second layout)"),
        "render A5 booklet on A4": f"{seconds:.2f} s, {sides} A4 sides ({2 * sides} A5 slots)",
        "render_ms_per_page": round(ms, 1),
        "plain_weasyprint_ms_per_page": round(plain_ms, 1),
        "render_ratio": round(ms / plain_ms, 3),
        "render_cpu_ratio": round(cpu_ms / plain_cpu_ms, 3),
        "render_first_setting_ms_per_page": round(fresh_ms, 1),
        "render_first_setting_ratio": round(fresh_ms / plain_ms, 3),
    }


@phase("docx")
def _docx(work: Path) -> dict[str, Any]:
    """Word files: every theme written once cold (python-docx import, font maps for the
    glyph check) and again warm; the 20-section compilation the render phase prints."""
    from handouts import pipeline
    from handouts.model import Handout
    from handouts.writers.docx import render_docx

    corpus = pipeline.load(paths.CORPUS)
    handouts = [pipeline.theme_handout(corpus, t.id) for t in corpus.themes]
    cold, first = _timed(lambda: render_docx(handouts[0]))
    warm, files = _timed(lambda: [render_docx(h) for h in handouts])
    outlines = tuple(pipeline.outline(corpus, t.id, max_sections=20) for t in corpus.themes[:4])
    big = Handout(title="群众路线学习资料汇编", outlines=outlines,
                  sources=tuple({s.id: s for o in outlines for s in o.sources}.values()))
    seconds, data = _timed(lambda: render_docx(big))
    (work / "bench.docx").write_bytes(data)
    sections = sum(len(o.sections) for o in outlines)
    return {
        "docx, first theme, cold": f"{cold:.2f} s, {len(first) / 1024:.0f} KiB",
        f"docx, all {len(handouts)} themes, warm": (
            f"{warm:.2f} s ({1000 * warm / len(handouts):.0f} ms each, "
            f"{sum(map(len, files)) / 1024:.0f} KiB)"),
        f"docx, {sections}-section compilation": f"{seconds:.2f} s, {len(data) / 1024:.0f} KiB",
    }


@phase("read-docx-pdf")
def _read_docx_pdf(work: Path) -> dict[str, Any]:
    """The seed texts as a Word file and as a plain PDF each (made here: python-docx and
    WeasyPrint), read back by the .docx and .pdf readers."""
    import html

    import weasyprint
    from docx import Document as WordDocument
    from pypdf import PdfReader

    from handouts.corpus.load import document_paths, load_document

    docs = [load_document(p) for p in document_paths(paths.CORPUS)]
    made: dict[str, list[Path]] = {".docx": [], ".pdf": []}
    for doc in docs:
        word = WordDocument()
        word.add_paragraph(doc.title, style="Title")
        body = [f"<h1>{html.escape(doc.title)}</h1>"]
        for section in doc.sections:
            word.add_paragraph(section.title, style=f"Heading {min(section.level, 3)}")
            tag = f"h{min(section.level + 1, 4)}"
            body.append(f"<{tag}>{html.escape(section.title)}</{tag}>")
            for para in section.paragraphs:
                word.add_paragraph(para)
                body.append(f"<p>{html.escape(para)}</p>")
        word.save(work / f"{doc.id}.docx")
        made[".docx"].append(work / f"{doc.id}.docx")
        css = ("@page { size: A4; margin: 2cm; @bottom-center { content: counter(page) } } "
               "body { font-family: 'Noto Serif CJK SC'; font-size: 11pt } p { text-indent: 2em }")
        weasyprint.HTML(string=f"<style>{css}</style>{''.join(body)}").write_pdf(
            work / f"{doc.id}.pdf"
        )
        made[".pdf"].append(work / f"{doc.id}.pdf")
    figures: dict[str, Any] = {}
    for suffix, files in made.items():
        seconds, loaded = _timed(lambda files=files: [load_document(f) for f in files])
        chars = sum(len(s.text) for d in loaded for s in d.sections)
        pages = sum(len(PdfReader(f).pages) for f in files) if suffix == ".pdf" else 0
        per = f", {1000 * seconds / pages:.0f} ms/page" if pages else ""
        figures[f"read {suffix}"] = (
            f"{len(files)} files, {chars} characters in {seconds:.2f} s{per}"
        )
        # Round trip: the seed's paragraphs found whole, its headings found as headings.
        paras = heads = found_paras = found_heads = 0
        for doc, back in zip(docs, loaded, strict=True):
            text = "\n".join(s.text for s in back.sections)
            titles = {s.title for s in back.sections}
            for section in doc.sections:
                if section.title != doc.title:
                    heads += 1
                    found_heads += section.title in titles
                for para in section.paragraphs:
                    paras += 1
                    found_paras += para in text
        figures[f"round trip {suffix}"] = (
            f"paragraphs kept whole {found_paras}/{paras}, headings {found_heads}/{heads}"
        )
    return figures


@phase("build")
def _build(work: Path) -> dict[str, Any]:
    from handouts.build.build import build_all

    corpus = work / "corpus"
    shutil.copytree(paths.CORPUS, corpus)
    out = work / "build"
    jobs = 2

    def run() -> Any:
        return build_all(
            out, corpus_dir=corpus, packets_dir=paths.PACKETS, jobs=jobs, progress=lambda _: None
        )

    # The figure is for the twelve outputs of themes and packets; the shipped
    # roster adds thirty branch copies.  Both are measured, each from an empty build.
    plain_packets = work / "packets-no-roster"
    plain_packets.mkdir()
    for spec in sorted(paths.PACKETS.glob("*.toml")):
        if "roster" not in spec.read_text(encoding="utf-8"):
            shutil.copy(spec, plain_packets)
    twelve, twelve_cpu, twelve_report = _measured(lambda: build_all(
        work / "build-no-roster", corpus_dir=corpus, packets_dir=plain_packets, jobs=jobs,
        progress=lambda _: None))
    cold, cold_cpu, _ = _measured(run)
    same, _ = _timed(run)
    cli = [sys.executable, "-m", "handouts", "build-all", "--out", str(out),
           "--corpus", str(corpus), "--jobs", str(jobs)]
    # Best of three: the command's own cost, not a neighbour's burst.
    runs = [_measured(lambda: subprocess.run(cli, capture_output=True, check=True))[:2]
            for _ in range(3)]
    same_cli, same_cli_cpu = min(w for w, _ in runs), min(c for _, c in runs)
    doc = sorted(corpus.glob("003_*.txt"))[0]
    doc.write_text(
        doc.read_text(encoding="utf-8").replace("俯下身子", "弯下腰来", 1), encoding="utf-8"
    )
    one, one_cpu, report = _measured(run)
    pdfs = sorted(out.rglob("*.pdf"))
    return {
        f"build-all cold, themes and packets ({len(twelve_report.results)} PDFs, {jobs} jobs)": (
            f"{twelve:.2f} s ({twelve_cpu:.2f} s CPU)"),
        f"build-all cold, with the roster ({len(pdfs)} PDFs, {jobs} jobs)": (
            f"{cold:.2f} s ({cold_cpu:.2f} s CPU)"),
        "build-all, nothing changed": f"{same:.3f} s in-process, {same_cli:.3f} s as a command "
                                      f"({same_cli_cpu:.3f} s CPU)",
        "build-all, one document changed": f"{one:.2f} s ({one_cpu:.2f} s CPU, "
                                           f"{report.count('built')} rebuilt)",
        "build output": f"{sum(p.stat().st_size for p in pdfs) / 1024:.0f} KiB",
        "build_cold_s": round(twelve, 2),
        "build_cold_with_roster_s": round(cold, 2),
        "build_one_changed_s": round(one, 2),
        "build_nochange_cmd_s": round(same_cli, 3),
    }


@phase("edits")
def _edits(work: Path) -> dict[str, Any]:
    """What an edit file adds to a build: writing one per theme, applying them all,
    ``handouts status``, and ``--refresh`` (outlines warm: only the edits are timed)."""
    from handouts import pipeline
    from handouts.content import edits

    corpus = pipeline.load(paths.CORPUS)
    ids = [t.id for t in corpus.themes]
    handouts = {i: pipeline.theme_handout(corpus, i) for i in ids}
    target = work / "edits"

    def write(refresh: bool) -> None:
        for i in ids:
            edits.write_edits(target, "theme", i, handouts[i], corpus.documents,
                              pipeline.sections_outliner(corpus), refresh=refresh)

    written, _ = _timed(lambda: write(False))
    applied, _ = _timed(lambda: [pipeline.edited(corpus, handouts[i], "theme", i, target)
                                 for i in ids])
    status, _ = _timed(lambda: edits.status(target, corpus.documents, ids, ()))
    refreshed, _ = _timed(lambda: write(True))
    size = sum(p.stat().st_size for p in target.rglob("*.toml"))
    return {
        f"edit files, write all {len(ids)}": f"{written:.3f} s ({size / 1024:.0f} KiB of TOML)",
        f"edit files, apply all {len(ids)}": f"{applied:.3f} s",
        "handouts status": f"{status:.3f} s",
        f"edit --refresh, all {len(ids)}": f"{refreshed:.3f} s",
    }


@phase("workbench")
def _workbench(work: Path) -> dict[str, Any]:
    """The workbench's pages as an organiser waits for them (in process, through Flask's
    test client, on a copy of the corpus): the first page (corpus and jieba cold), each
    page warm, a save of an outline, and an upload of a seed page."""
    import re

    from handouts.web.app import Settings, create_app

    shutil.copytree(paths.CORPUS, work / "corpus")
    shutil.copytree(paths.PACKETS, work / "packets")
    app = create_app(Settings(corpus=work / "corpus", packets=work / "packets",
                              edits=work / "edits", build=work / "build"))
    client = app.test_client()
    first, page = _timed(lambda: client.get("/"))
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
    figures: dict[str, Any] = {"工作台, first request (cold)": f"{first:.2f} s"}
    for label, url in (("工作台", "/"), ("材料库", "/corpus"), ("专题", "/themes"),
                       ("编辑讲义 (theme)", "/edit/theme/four-winds"),
                       ("编辑讲义 (packet)", "/edit/packet/branch-four-winds")):
        took, response = _timed(lambda url=url: client.get(url))
        assert response.status_code == 200, url
        figures[f"{label}, warm"] = f"{took * 1000:.0f} ms"
    import lxml.html
    from werkzeug.datastructures import MultiDict

    form = lxml.html.fromstring(client.get("/edit/theme/four-winds").data)
    fields = MultiDict(form.get_element_by_id("outline-form").form_values())
    took, response = _timed(lambda: client.post("/edit/theme/four-winds", data=fields))
    assert response.status_code == 303
    figures["save an outline (first: writes the edit file)"] = f"{took * 1000:.0f} ms"
    seed = sorted(p for p in paths.CORPUS.iterdir() if p.suffix == ".txt")[0]
    took, response = _timed(lambda: client.post(
        "/corpus/upload", content_type="multipart/form-data",
        data={"csrf_token": token.group(1) if token else "",
              "document": (seed.open("rb"), "upload.txt")}))
    assert response.status_code == 200
    figures["upload and explain one seed page"] = f"{took * 1000:.0f} ms"
    return figures


@phase("content")
def _content(work: Path) -> dict[str, Any]:
    """Issue 10's figures: selection against the gold sections, the question checker over
    every theme and packet, the hand-judged samples (data in tests/data)."""
    from handouts.content import measure

    corpora = ("seeds", "issue10", "real")
    corpus = measure.gold_corpus(work / "corpus", corpora)
    gold = measure.load_gold()
    figures: dict[str, Any] = {}
    for label, only in (("all gold", None), ("seeds", ["seeds"]), ("issue 10", ["issue10"]),
                        ("real texts", ["real"])):
        f = measure.selection_figures(corpus, gold, only)
        figures[f"selection, {label} ({f['sections']} sections)"] = (
            f"precision {f['precision']:.2f}, recall {f['recall']:.2f}, "
            f"off-theme {100 * f['off_theme']:.0f}% of {f['printed']} printed")
    second = measure.load_gold(measure.SECOND_READING)
    both = measure.agreement(gold, second, [t.id for t in corpus.themes])
    figures["gold, a second blind reading"] = (
        f"kappa {both['kappa']:.2f}, {100 * both['alike']:.0f}% of {both['sections']} "
        "sections read alike")
    for label, only in (("all gold", None), ("seeds", "seeds"), ("real texts", "real")):
        mine = [e for e in gold if only is None or e.corpus == only]
        theirs = [e for e in second if only is None or e.corpus == only]
        read = measure.agreement(mine, theirs, [t.id for t in corpus.themes])
        figures[f"the second reading scored as a selector, {label}"] = (
            f"precision {read['precision']:.2f}, recall {read['recall']:.2f}")
    for label, entries in (("second reading", second), ("both readings agree", both["agreed"])):
        f = measure.selection_figures(corpus, entries)
        figures[f"selection, {label} ({f['sections']} sections)"] = (
            f"precision {f['precision']:.2f}, recall {f['recall']:.2f}, "
            f"off-theme {100 * f['off_theme']:.0f}% of {f['printed']} printed")
    q = measure.question_figures(corpus)
    figures["questions, every theme and packet"] = (
        f"{q['questions']} printed, {q['defects']} checker defects, {q['refused']} refused")
    for alone in ("seeds", "real"):
        # Each corpus standing alone, as an organiser's own collection would: its term
        # statistics are its own, and passages beyond the joint corpus's cap are printed.
        own = measure.gold_corpus(work / f"{alone}-alone", (alone,))
        f = measure.selection_figures(own, gold, [alone])
        figures[f"selection, {alone} alone ({f['sections']} sections)"] = (
            f"precision {f['precision']:.2f}, recall {f['recall']:.2f}, "
            f"off-theme {100 * f['off_theme']:.0f}% of {f['printed']} printed")
        q = measure.question_figures(own)
        figures[f"questions, {alone} alone"] = (
            f"{q['questions']} printed, {q['defects']} checker defects, {q['refused']} refused")
    judged = measure.judged_figures(corpus)
    jq, jk = judged["questions"], judged["keypoints"]
    figures["judged questions"] = (
        f"{100 * jq['usable']:.0f}% usable, {jq['weak']} weak, {jq['bad']} defective "
        f"of {jq['judged']}; {len(jq['missing'])} no longer printed")
    figures["judged key points"] = (
        f"{100 * jk['good']:.0f}% good, {jk['weak']} weak, {jk['bad']} bad "
        f"of {jk['judged']}; {len(jk['missing'])} no longer printed")
    return figures


def synthetic_roster(rows: int) -> str:
    """A roster of ``rows`` distinct branches in the shipped roster's columns: its 30
    branches, then villages and communities of made-up townships."""
    source = (paths.HOME / "rosters" / "qingxi-study-month.csv").read_text(encoding="utf-8")
    header, *lines = source.strip().splitlines()
    towns = ["城关镇", "石桥乡", "白沙镇", "龙潭镇", "新集乡", "马坪镇", "柳河乡", "三里镇"]
    kinds = ["村党支部", "社区党支部", "村第二党支部", "中心小学党支部", "卫生院党支部"]
    out = list(lines[:rows])
    n = 0
    while len(out) < rows:
        town, kind = towns[n % len(towns)], kinds[(n // len(towns)) % len(kinds)]
        place = f"第{n // (len(towns) * len(kinds)) + 1}片区"
        day = 1 + n % 28
        out.append(f"{town}{place}{kind},中共青溪县{town}委员会,2026-12-{day:02d},"
                   f"{town}党群服务中心,支部全体党员,张{'建国立平文华海燕'[n % 8]}")
        n += 1
    return "\n".join([header, *out]) + "\n"


@phase("roster-500")
def _roster_500(work: Path) -> dict[str, Any]:
    """A 500-row roster packet after the themes are built: only the rows render."""
    from pypdf import PdfReader

    from handouts.build.build import build_all

    corpus, packets, rosters = work / "corpus", work / "packets", work / "rosters"
    shutil.copytree(paths.CORPUS, corpus)
    packets.mkdir()
    rosters.mkdir()
    shutil.copy(paths.PACKETS / "qingxi-study-month.toml", packets)
    csv = rosters / "qingxi-study-month.csv"
    out = work / "build"
    jobs = os.cpu_count() or 2

    def run() -> Any:
        return build_all(out, corpus_dir=corpus, packets_dir=packets, jobs=jobs,
                         progress=lambda _: None)

    csv.write_text(synthetic_roster(1), encoding="utf-8")
    run()  # the themes and the one-row roster: what a 500-row run would not redo
    csv.write_text(synthetic_roster(500), encoding="utf-8")
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    seconds, report = _timed(run)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = sum(getattr(after, f) - getattr(before, f)
              for after, before in ((cpu_after, cpu_before), (own_after, own_before))
              for f in ("ru_utime", "ru_stime"))
    built = [r for r in report.results if r.status == "built"]
    pdfs = sorted((out / "packets" / "qingxi-study-month").glob("*.pdf"))
    size = sum(p.stat().st_size for p in pdfs) / max(1, len(pdfs)) / 1024
    return {
        f"roster packet, {len(built)} rows, {jobs} jobs": (
            f"{seconds:.1f} s, {seconds / max(1, len(built)):.3f} s per row"),
        # On a shared machine the wall time says more about the neighbours: CPU time
        # over the jobs is what the rows take on that many free cores.
        "roster packet, CPU": (
            f"{cpu / max(1, len(built)):.3f} CPU s per row, "
            f"{cpu / max(1, len(built)) / jobs:.3f} s per row on {jobs} free cores"),
        "roster packet, each": f"{len(PdfReader(pdfs[0]).pages)} pages, {size:.0f} KiB",
        "roster failures": str(len(report.failures)),
        "one row rendered alone (no reuse)": _one_full_render(out),
    }


def _one_full_render(out: Path) -> str:
    """A row rendered from scratch, warm: what each row would cost without the shared
    body layout."""
    import pickle

    from handouts.writers.pdf import render

    cached = sorted((out / ".cache").glob("handouts-*.pickle"))
    planned, _ = pickle.loads(cached[-1].read_bytes())
    handout = next(p.handout for p in planned if p.kind == "roster")
    render.render_pdf(handout)  # warm: WeasyPrint, the fonts' maps
    cpu = time.process_time()
    seconds, _ = _timed(lambda: render.render_pdf(handout))
    return f"{seconds:.2f} s ({time.process_time() - cpu:.3f} CPU s)"
def bench_size() -> int:
    value = os.environ.get("HANDOUTS_BENCH_SIZE", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_SIZE


@phase("corpus")
def _corpus(work: Path) -> dict[str, Any]:
    """Load and outline a generated corpus of ``bench_size()`` documents through the
    corpus index: cold (empty index) here, warm in a fresh interpreter, as a second
    ``handouts`` command would."""
    from handouts import pipeline

    size = bench_size()
    corpus = work / "corpus"
    corpus.mkdir()
    generated, total = _timed(lambda: replicate_corpus(corpus, size))
    index = work / "index.sqlite"
    cold, cold_cpu, loaded = _measured(lambda: pipeline.load(corpus, index=index))
    sections = sum(len(d.sections) for d in loaded.documents)
    theme = loaded.themes[0].id
    first, first_cpu, _ = _measured(lambda c=loaded: pipeline.outline(c, theme))
    warm = json.loads(subprocess.run(
        [sys.executable, "-m", "handouts.bench", "--warm", str(corpus), str(index), theme],
        capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    return {
        "generated corpus": f"{size} documents, {total / 1e6:.0f} MB, {sections} sections "
                            f"(written in {generated:.1f} s)",
        f"load {size}, cold (empty index)": f"{cold:.2f} s ({cold_cpu:.2f} s CPU over the "
                                            f"pool, {1000 * cold / size:.2f} ms/doc)",
        f"outline {theme}, first (segments the corpus)": f"{first:.2f} s ({first_cpu:.2f} s CPU)",
        f"load {size}, warm (new process)": f"{warm['load']:.2f} s ({warm['load_cpu']:.2f} s CPU)",
        f"outline {theme}, warm (new process)": f"{warm['outline']:.2f} s "
                                                f"({warm['outline_cpu']:.2f} s CPU)",
        "corpus index on disk": f"{index.stat().st_size / 1e6:.0f} MB",
        "peak memory, warm process": f"{warm['peak_mib']:.0f} MiB",
        f"load_{size}_cold_s": round(cold, 2),
        f"load_{size}_warm_s": round(warm["load"], 2),
        f"outline_{size}_warm_s": round(warm["outline"], 2),
        "peak_rss_mib": round(max(_peak_mib(), warm["peak_mib"])),
    }


def _warm(corpus: str, index: str, theme: str) -> dict[str, Any]:
    from handouts import pipeline

    load, load_cpu, loaded = _measured(lambda: pipeline.load(Path(corpus), index=Path(index)))
    outline, outline_cpu, _ = _measured(lambda: pipeline.outline(loaded, theme))
    return {"load": load, "load_cpu": load_cpu, "outline": outline, "outline_cpu": outline_cpu,
            "peak_mib": _peak_mib()}


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _render_plain(handout: Any) -> bytes:
    """The layout before the finishing pass, for the page-count comparison."""
    from handouts.writers.pdf import typeset
    from handouts.writers.pdf.render import render_pdf

    with typeset.disabled():
        return render_pdf(handout)


def _paper_of(pdf: Path) -> str:
    """``a4``/``b5``/``a5`` from the first page's size; a booklet's sides are A4 landscape
    and carry A5 pages."""
    import tomllib

    from pypdf import PdfReader

    box = PdfReader(pdf).pages[0].mediabox
    width, height = float(box.width), float(box.height)
    if width > height:
        return "a5"
    spec = tomllib.loads((paths.STYLES / "paper.toml").read_text(encoding="utf-8"))
    return min(spec, key=lambda name: abs(float(spec[name]["width"][:-2]) * 72 / 25.4 - width))


def _corpora() -> list[tuple[str, Path]]:
    """The seed corpus, and the real-text benchmark corpus when it is in the tree."""
    found = [("seed", paths.CORPUS)]
    real = paths.HOME / "tests" / "data" / "real"
    if real.is_dir():  # read with the shipped themes when it has no themes.toml
        found.append(("real", real))
    return found


@phase("typography")
def _typography(work: Path) -> dict[str, Any]:
    """Every theme and packet built as ``make handouts`` builds them, read back from the
    PDFs: lone last lines (孤字), widows, orphans, stranded headings, justified lines,
    and the page count against the same handouts laid out without the finishing pass."""
    from handouts.build.build import build_all
    from handouts.writers.pdf import pdfcheck

    jobs = os.cpu_count() or 2
    figures: dict[str, Any] = {}
    for label, corpus in _corpora():
        totals: dict[str, int] = {}
        for kind, render in (("plain", _render_plain), ("finished", None)):
            out = work / f"{label}-{kind}"
            seconds, report = _timed(lambda o=out, r=render, c=corpus: build_all(
                o, corpus_dir=c, packets_dir=paths.PACKETS, jobs=jobs, force=True,
                progress=lambda _: None, render=r))
            figures[f"{label}: build-all, {kind} layout"] = (
                f"{seconds:.2f} s ({len(report.failures)} failed)")
            for pdf in sorted(out.rglob("*.pdf")):
                found = pdfcheck.typesetting(pdf.read_bytes(), _paper_of(pdf))
                for key, value in (("pages", found.pages), ("lone", found.lone_last_lines),
                                   ("widows", found.widows), ("orphans", found.orphans),
                                   ("stranded", found.stranded_headings),
                                   ("justified", found.justified),
                                   ("justifiable", found.justifiable), ("pdfs", 1)):
                    totals[f"{kind} {key}"] = totals.get(f"{kind} {key}", 0) + value
        for kind in ("plain", "finished"):
            share = totals[f"{kind} justified"] / max(1, totals[f"{kind} justifiable"])
            figures[f"{label}: {kind}, {totals[f'{kind} pdfs']} PDFs"] = (
                f"lone last lines {totals[f'{kind} lone']}, widows {totals[f'{kind} widows']}, "
                f"orphans {totals[f'{kind} orphans']}, "
                f"stranded headings {totals[f'{kind} stranded']}, "
                f"justified {100 * share:.1f}% of {totals[f'{kind} justifiable']} lines")
        before, after = totals["plain pages"], totals["finished pages"]
        figures[f"{label}: pages, finished against plain"] = (
            f"{after} against {before} ({100 * (after - before) / max(1, before):+.1f}%)")
    return figures


@phase("structure")
def _structure(work: Path) -> dict[str, Any]:
    """The real-text benchmark (tests/data/real): quality figures, and how long loading
    the whole set takes."""
    from handouts.quality.structure import measure

    seconds, figures = _timed(measure)
    return {**figures.summary(), "load and score the set": f"{seconds:.2f} s"}


def run_phase(name: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="handouts-bench-") as tmp:
        figures = PHASES[name](Path(tmp))
    figures["peak memory"] = f"{_peak_mib():.0f} MiB"
    figures.setdefault("peak_rss_mib", round(_peak_mib()))
    return figures


def _is_figure(key: str) -> bool:
    return key.isascii() and key == key.lower() and " " not in key


def main(argv: list[str]) -> int:
    if argv[:1] == ["--phase"]:
        print(json.dumps(run_phase(argv[1]), ensure_ascii=False))
        return 0
    if argv[:1] == ["--warm"]:
        print(json.dumps(_warm(*argv[1:4])))
        return 0
    if argv[:1] == ["--size"]:
        os.environ["HANDOUTS_BENCH_SIZE"] = argv[1]
        argv = argv[2:]
    wanted = argv or list(PHASES)
    print(f"handouts bench · {os.cpu_count()} cores · Python {sys.version.split()[0]}"
          f" · corpus phase: {bench_size()} documents")
    status = 0
    figures: dict[str, Any] = {}
    for name in wanted:
        proc = subprocess.run(
            [sys.executable, "-m", "handouts.bench", "--phase", name],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            status = 1
            last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
            print(f"\n[{name}] FAILED: {last}")
            continue
        print(f"\n[{name}]")
        for key, value in json.loads(proc.stdout.strip().splitlines()[-1]).items():
            if not _is_figure(key):
                print(f"  {key:<48} {value}")
            elif key == "peak_rss_mib":
                figures[key] = max(figures.get(key, 0), value)
            else:
                figures[key] = value
    print("\n[figures] (also in build/bench.json)")
    for key, value in figures.items():
        print(f"  {key:<48} {value}")
    BENCH_JSON.parent.mkdir(parents=True, exist_ok=True)
    BENCH_JSON.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
