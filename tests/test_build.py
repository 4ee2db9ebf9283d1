"""build_all: incremental by content, failures isolated, removals, atomic outputs.

Most tests drive ``build_all`` with a small ``compute`` (one output per corpus file,
real packet-spec validation) and a renderer that makes a real, tiny PDF with pypdf:
they pin the build's own decisions in milliseconds.  The tests marked ``pipeline`` at
the end run the real pipeline on a two-document corpus, in fresh interpreters where
the question is what gets imported or what a kill leaves behind.
"""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from handouts import paths
from handouts.build import build
from handouts.build.build import Planned, build_all
from handouts.build.packets import load_spec, spec_paths
from handouts.errors import ConfigError, HandoutsError
from handouts.model import Handout, Outline, OutlineSection, Theme

RENDERED: list[str] = []


def tiny_pdf(handout: Handout) -> bytes:
    """One page per section plus a cover; the title in the metadata so content shows."""
    RENDERED.append(handout.title)
    writer = PdfWriter()
    for _ in range(1 + sum(len(o.sections) for o in handout.outlines)):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": handout.title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def broken_pdf(handout: Handout) -> bytes:
    if "坏" in handout.title:
        raise RuntimeError("renderer crashed")
    return tiny_pdf(handout)


def _handout(title: str, text: str) -> Handout:
    theme = Theme("t", title, "")
    sections = tuple(
        OutlineSection(f"{title}/{i}", line, title, title, 1.0, (), (), (), (), line)
        for i, line in enumerate(text.splitlines(), 1) if line.strip()
    )
    return Handout(title=title, outlines=(Outline(theme, sections, ()),))


def fake_compute(corpus_dir: Path, packets_dir: Path, cache: Path):
    """One "theme" per corpus file (its content is the file), one packet per spec;
    an empty corpus file is skipped with a warning, as the real corpus loader does."""
    files = sorted(corpus_dir.glob("*.txt"))
    planned = [Planned(f"themes/{p.stem}.pdf", "theme", p.stem,
                       _handout(p.stem, p.read_text(encoding="utf-8")))
               for p in files if p.stat().st_size]
    warnings = [f"{p}: empty file" for p in files if not p.stat().st_size]
    for path in spec_paths(packets_dir):
        try:
            spec = load_spec(path)
        except ConfigError as exc:
            planned.append(Planned(f"packets/{path.stem}.pdf", "packet", path.stem, None,
                                   str(exc)))
            continue
        planned.append(Planned(f"packets/{path.stem}.pdf", "packet", path.stem,
                               _handout(spec.title, "\n".join(spec.agenda))))
    return planned, warnings


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    corpus = tmp_path / "corpus"
    packets = tmp_path / "packets"
    corpus.mkdir()
    packets.mkdir()
    for name, text in {"a": "甲一\n甲二", "b": "乙一", "c": "丙一\n丙二\n丙三"}.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    (packets / "meeting.toml").write_text(
        'title = "支部会议"\nagenda = ["学习", "讨论"]\nthemes = ["x"]\n', encoding="utf-8")
    return {"corpus": corpus, "packets": packets, "out": tmp_path / "build"}


def run(tree: dict[str, Path], *, jobs: int = 1, force: bool = False, render=tiny_pdf,
        lines: list[str] | None = None, **options) -> build.BuildReport:
    RENDERED.clear()
    return build_all(tree["out"], corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                     jobs=jobs, force=force, progress=(lines.append if lines is not None else None),
                     render=render, compute=fake_compute, describe=build.handout_json, **options)


def statuses(report: build.BuildReport) -> dict[str, str]:
    return {r.key: r.status for r in report.results}


def test_a_first_build_writes_every_output_and_a_manifest(tree) -> None:
    lines: list[str] = []
    report = run(tree, lines=lines)
    assert set(statuses(report).values()) == {"built"}
    assert report.failures == ()
    out = tree["out"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["outputs"]) == ["packets/meeting.pdf", "themes/a.pdf",
                                            "themes/b.pdf", "themes/c.pdf"]
    entry = manifest["outputs"]["themes/c.pdf"]
    data = (out / "themes/c.pdf").read_bytes()
    assert entry["pages"] == len(PdfReader(io.BytesIO(data)).pages) == 4
    assert entry["bytes"] == len(data)
    assert entry["sha256"] == build.hashlib.sha256(data).hexdigest()
    assert len(entry["inputs"]) == 64
    # a progress line per output names it, its pages and its time
    assert any("themes/c.pdf" in line and "4 pages" in line and " s" in line for line in lines)


def test_a_second_run_rebuilds_nothing_and_says_so(tree) -> None:
    run(tree)
    lines: list[str] = []
    report = run(tree, lines=lines)
    assert report.nothing_changed
    assert RENDERED == []
    assert set(statuses(report).values()) == {"unchanged"}
    assert lines == [report.summary()] and lines[0].startswith("nothing changed: 4 outputs")


def test_changing_one_document_renders_only_its_output(tree) -> None:
    run(tree)
    (tree["corpus"] / "b.txt").write_text("乙一\n乙二（新增）", encoding="utf-8")
    report = run(tree)
    assert not report.nothing_changed
    assert RENDERED == ["b"]
    assert statuses(report) == {"themes/a.pdf": "unchanged", "themes/b.pdf": "built",
                                "themes/c.pdf": "unchanged", "packets/meeting.pdf": "unchanged"}
    assert len(PdfReader(tree["out"] / "themes/b.pdf").pages) == 3


def test_a_change_that_leaves_the_content_equal_renders_nothing(tree) -> None:
    # A trailing blank line changes the file's bytes but not the computed handout.
    run(tree)
    (tree["corpus"] / "a.txt").write_text("甲一\n甲二\n\n", encoding="utf-8")
    report = run(tree)
    assert not report.nothing_changed and RENDERED == []
    assert set(statuses(report).values()) == {"unchanged"}
    assert run(tree).nothing_changed  # and the new fingerprint is recorded


def test_a_skipped_document_is_reported_on_every_run_even_the_fast_one(tree) -> None:
    (tree["corpus"] / "empty.txt").write_text("", encoding="utf-8")
    for _ in range(2):
        lines: list[str] = []
        report = run(tree, lines=lines)
        assert report.warnings == (f"{tree['corpus'] / 'empty.txt'}: empty file",)
        assert f"warning: {report.warnings[0]}" in lines
    assert report.nothing_changed


def test_a_missing_packets_directory_is_a_warning_and_no_packets(tree) -> None:
    run(tree)
    shutil.rmtree(tree["packets"])
    lines: list[str] = []
    report = run(tree, lines=lines)
    assert statuses(report)["packets/meeting.pdf"] == "removed"
    assert any("no packets directory" in line for line in lines)


def test_force_rebuilds_everything(tree) -> None:
    run(tree)
    report = run(tree, force=True)
    assert sorted(RENDERED) == ["a", "b", "c", "支部会议"]
    assert set(statuses(report).values()) == {"built"}


def test_a_damaged_or_missing_output_is_rebuilt(tree) -> None:
    run(tree)
    (tree["out"] / "themes/a.pdf").write_bytes(b"%PDF-1.7 truncated")
    (tree["out"] / "themes/b.pdf").unlink()
    report = run(tree)
    assert sorted(RENDERED) == ["a", "b"]
    assert statuses(report)["themes/c.pdf"] == "unchanged"


def test_outputs_of_removed_themes_and_specs_are_removed(tree) -> None:
    run(tree)
    (tree["corpus"] / "c.txt").unlink()
    (tree["packets"] / "meeting.toml").unlink()
    lines: list[str] = []
    report = run(tree, lines=lines)
    assert statuses(report)["themes/c.pdf"] == "removed"
    assert statuses(report)["packets/meeting.pdf"] == "removed"
    assert sorted(p.name for p in tree["out"].rglob("*.pdf")) == ["a.pdf", "b.pdf"]
    manifest = json.loads((tree["out"] / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["outputs"]) == ["themes/a.pdf", "themes/b.pdf"]
    assert "removed themes/c.pdf" in lines


def test_a_broken_spec_fails_alone_and_is_named(tree) -> None:
    (tree["packets"] / "broken.toml").write_text(
        'title = "坏的"\nthemes = ["x"]\nbooklet = "no"\n', encoding="utf-8")
    lines: list[str] = []
    report = run(tree, lines=lines)
    assert statuses(report)["packets/broken.pdf"] == "failed"
    assert [s for k, s in statuses(report).items() if k != "packets/broken.pdf"] == ["built"] * 4
    assert report.failures == (str(tree["out"] / "packets/broken.pdf"),)
    failed = next(line for line in lines if "broken" in line)
    assert "broken.toml: key booklet:" in failed
    assert not (tree["out"] / "packets/broken.pdf").exists()
    # The failure is not forgotten on the next run, which must not take the fast path.
    again = run(tree)
    assert not again.nothing_changed and again.failures and RENDERED == []


def test_a_renderer_crash_fails_one_output_and_the_others_are_built(tree) -> None:
    (tree["corpus"] / "坏.txt").write_text("内容", encoding="utf-8")
    lines: list[str] = []
    report = run(tree, render=broken_pdf, lines=lines)
    assert statuses(report)["themes/坏.pdf"] == "failed"
    assert "RuntimeError: renderer crashed" in next(line for line in lines if "坏" in line)
    assert sum(s == "built" for s in statuses(report).values()) == 4
    assert not (tree["out"] / "themes/坏.pdf").exists()


def test_a_pool_of_workers_builds_the_same_outputs(tree) -> None:
    report = run(tree, jobs=2)
    assert set(statuses(report).values()) == {"built"}
    one = {p.name: PdfReader(p).metadata.title for p in tree["out"].rglob("*.pdf")}
    assert one == {"a.pdf": "a", "b.pdf": "b", "c.pdf": "c", "meeting.pdf": "支部会议"}
    assert run(tree, jobs=2).nothing_changed


def test_word_files_are_built_in_docx_beside_the_pdfs_and_in_the_manifest(tree) -> None:
    import docx

    lines: list[str] = []
    report = run(tree, formats=("pdf", "docx"), jobs=2, lines=lines)
    assert report.failures == ()
    assert statuses(report) == {
        **{f"themes/{n}.pdf": "built" for n in "abc"}, "packets/meeting.pdf": "built",
        **{f"docx/themes/{n}.docx": "built" for n in "abc"},
        "docx/packets/meeting.docx": "built"}
    manifest = json.loads((tree["out"] / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["outputs"]["docx/themes/c.docx"]
    assert entry["format"] == "docx" and "pages" not in entry
    assert entry["bytes"] == (tree["out"] / "docx/themes/c.docx").stat().st_size
    document = docx.Document(str(tree["out"] / "docx/themes/c.docx"))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"][:3] == [
        "一、丙一", "二、丙二", "三、丙三"]
    assert any("docx/packets/meeting.docx" in line and "docx" in line for line in lines)
    assert run(tree, formats=("pdf", "docx")).nothing_changed


def test_a_pdf_only_run_keeps_the_word_files_and_a_later_run_with_both_renders_nothing(
    tree,
) -> None:
    run(tree, formats=("pdf", "docx"))
    pdf_only = run(tree)
    assert pdf_only.nothing_changed
    assert all(k.endswith(".pdf") for k in statuses(pdf_only))
    assert set(statuses(pdf_only).values()) == {"unchanged"}
    assert len(list((tree["out"] / "docx").rglob("*.docx"))) == 4
    manifest = json.loads((tree["out"] / "manifest.json").read_text(encoding="utf-8"))
    assert "docx/themes/a.docx" in manifest["outputs"]
    both = run(tree, formats=("pdf", "docx"))
    assert both.nothing_changed
    assert set(statuses(both).values()) == {"unchanged"} and len(statuses(both)) == 8
    # A change while only PDFs are built: the Word files catch up on the next run for them.
    (tree["corpus"] / "a.txt").write_text("甲一\n甲三", encoding="utf-8")
    assert statuses(run(tree))["themes/a.pdf"] == "built"
    caught_up = run(tree, formats=("pdf", "docx"))
    assert {k for k, v in statuses(caught_up).items() if v == "built"} == {"docx/themes/a.docx"}


def test_a_word_writer_change_renders_the_word_files_and_no_pdf(tree, monkeypatch) -> None:
    run(tree, formats=("pdf", "docx"))
    monkeypatch.setattr(build, "docx_drawing_fingerprint", lambda: "a new docx writer")
    report = run(tree, formats=("pdf", "docx"))
    assert {k for k, v in statuses(report).items() if v == "built"} == {
        "docx/themes/a.docx", "docx/themes/b.docx", "docx/themes/c.docx",
        "docx/packets/meeting.docx"}
    assert RENDERED == []  # no PDF renderer call


def test_word_files_of_removed_themes_are_removed(tree) -> None:
    run(tree, formats=("pdf", "docx"))
    (tree["corpus"] / "c.txt").unlink()
    report = run(tree, formats=("pdf", "docx"))
    assert statuses(report)["docx/themes/c.docx"] == "removed"
    assert not (tree["out"] / "docx/themes/c.docx").exists()


def test_an_unknown_format_is_one_error_for_the_whole_run(tree) -> None:
    with pytest.raises(HandoutsError, match=r"--formats: unknown format odt"):
        run(tree, formats=("pdf", "odt"))


def test_leftovers_of_a_killed_write_are_swept(tree) -> None:
    run(tree)
    leftover = tree["out"] / "themes" / ".a.pdf.x1y2.tmp"
    leftover.write_bytes(b"%PDF-1.7 half")
    (tree["corpus"] / "a.txt").write_text("甲一", encoding="utf-8")
    run(tree)
    assert not leftover.exists()


def test_a_missing_corpus_is_one_error_for_the_whole_run(tree) -> None:
    shutil.rmtree(tree["corpus"])
    with pytest.raises(HandoutsError, match="corpus directory does not exist"):
        run(tree)


def test_a_build_directory_that_cannot_be_made_or_written_is_one_error(tree) -> None:
    # Permissions would not stop root; a file in the way stops everyone.
    blocker = tree["out"].parent / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(HandoutsError, match="cannot create build directory"):
        build_all(blocker / "build", corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                  jobs=1, render=tiny_pdf, compute=fake_compute)
    (tree["out"] / ".lock").mkdir(parents=True)
    with pytest.raises(HandoutsError, match=r"build: cannot write"):
        run(tree)


def test_a_second_build_in_the_same_directory_is_refused(tree) -> None:
    tree["out"].mkdir()
    import fcntl

    with open(tree["out"] / ".lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(HandoutsError, match="another build is running"):
            run(tree)


def test_templates_and_styles_change_the_drawing_fingerprint(monkeypatch, tmp_path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "handout.html.j2").write_text("<h1>{{ title }}</h1>", encoding="utf-8")
    monkeypatch.setattr(paths, "TEMPLATES", templates)
    before = build.drawing_fingerprint()
    (templates / "handout.html.j2").write_text("<h2>{{ title }}</h2>", encoding="utf-8")
    assert build.drawing_fingerprint() != before


def test_the_renderer_and_what_it_imports_are_drawing_code_the_content_stages_are_not() -> None:
    names = {p.stem for p in build.drawing_modules()}
    assert {"render", "fonts", "model", "booklet", "justify"} <= names
    assert not names & {"outline", "keypoints", "questions", "themes", "corpus", "build"}


def test_drawing_modules_follows_imports_inside_functions(monkeypatch, tmp_path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "render.py").write_text("from pkg import a\ndef f():\n    from pkg.b import x\n")
    (package / "a.py").write_text("")
    (package / "b.py").write_text("from pkg.c import y\n")
    (package / "c.py").write_text("")
    (package / "content.py").write_text("")
    monkeypatch.setattr(paths, "PACKAGE", package)
    names = [p.name for p in build.drawing_modules("pkg.render")]
    assert names == ["a.py", "b.py", "c.py", "render.py"]


def test_the_cjk_fonts_are_part_of_the_drawing_fingerprint() -> None:
    names = " ".join(p.name for p in build.font_files())
    assert "NotoSerifCJK" in names and "NotoSansCJK" in names and "WenKai" in names


def test_fingerprinting_imports_no_heavy_library() -> None:
    # Guard against the fast path accidentally doing real work: it must not import
    # pydantic, jieba or weasyprint (checked in a fresh interpreter).
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from handouts.build import build\n"
        "t = time.perf_counter(); build.code_fingerprint(); "
        "build.drawing_fingerprint()\n"
        "print(sorted(m for m in ('jieba', 'weasyprint', 'pydantic') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert proc.stdout.strip() == "[]"



# --- the real pipeline -----------------------------------------------------------------
# A three-document corpus with three themes and one packet keeps these to a few seconds.

SEED_DOCS = ("002_d5aa391c53465f5e.txt", "003_9d11f11799cd5b51.txt", "004_bed1a99424a147a3.txt")
REAL_THEMES = ("four-winds", "grassroots", "listening")


def _real_tree(root: Path) -> dict[str, Path]:
    corpus, packets = root / "corpus", root / "packets"
    corpus.mkdir(parents=True)
    packets.mkdir()
    for name in SEED_DOCS:
        shutil.copy(paths.CORPUS / name, corpus / name)
    head, *blocks = (paths.CORPUS / "themes.toml").read_text(encoding="utf-8").split(
        "\n[[themes]]\n")
    kept = [b for b in blocks if any(f'id = "{t}"' in b for t in REAL_THEMES)]
    assert len(kept) == len(REAL_THEMES)
    (corpus / "themes.toml").write_text("\n[[themes]]\n".join([head, *kept]), encoding="utf-8")
    (packets / "grassroots-day.toml").write_text(
        'title = "深入基层专题学习"\ndate = 2026-12-01\norganiser = "机关党支部"\n'
        'agenda = ["集体学习", "交流发言"]\nthemes = ["grassroots"]\nmax_sections = 2\n',
        encoding="utf-8")
    return {"corpus": corpus, "packets": packets, "out": root / "build"}


def _in_fresh_interpreter(tree: dict[str, Path], *, jobs: int = 1) -> dict:
    """build_all in a new process: what it reports and which heavy modules it imported."""
    script = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from handouts.build.build import build_all\n"
        "t = time.perf_counter()\n"
        f"r = build_all(Path({str(tree['out'])!r}), corpus_dir=Path({str(tree['corpus'])!r}),"
        f" packets_dir=Path({str(tree['packets'])!r}), jobs={jobs})\n"
        "print(json.dumps({'seconds': time.perf_counter() - t,"
        " 'nothing_changed': r.nothing_changed, 'failures': list(r.failures),"
        " 'status': {x.key: x.status for x in r.results},"
        " 'imported': sorted(m for m in ('jieba', 'weasyprint', 'pydantic') if m in sys.modules)"
        "}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def built_tree(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The small real corpus, built once (two workers) for the tests that follow."""
    tree = _real_tree(tmp_path_factory.mktemp("real"))
    first = _in_fresh_interpreter(tree, jobs=2)
    assert first["failures"] == [] and set(first["status"].values()) == {"built"}
    return tree


def test_a_real_build_writes_every_theme_and_packet(built_tree) -> None:
    out = built_tree["out"]
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf"))
    assert names == ["packets/grassroots-day.pdf",
                     *(f"themes/{t}.pdf" for t in REAL_THEMES)]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name in names:
        reader = PdfReader(out / name)
        assert len(reader.pages) == manifest["outputs"][name]["pages"] >= 1
    assert "深入基层" in PdfReader(out / "packets/grassroots-day.pdf").pages[0].extract_text()


def test_a_real_second_run_loads_neither_jieba_nor_weasyprint(built_tree) -> None:
    again = _in_fresh_interpreter(built_tree)
    assert again["nothing_changed"] and again["failures"] == []
    assert again["imported"] == []
    assert set(again["status"].values()) == {"unchanged"}


def test_a_real_packet_text_edit_renders_only_that_packet_without_jieba(built_tree) -> None:
    spec = built_tree["packets"] / "grassroots-day.toml"
    original = spec.read_text(encoding="utf-8")
    try:
        spec.write_text(original.replace('"交流发言"', '"交流发言", "支部书记总结"'),
                        encoding="utf-8")
        edited = _in_fresh_interpreter(built_tree)
        assert edited["failures"] == [] and not edited["nothing_changed"]
        assert "jieba" not in edited["imported"]
        assert {k for k, v in edited["status"].items() if v == "built"} == {
            "packets/grassroots-day.pdf"}
        assert "支部书记总结" in PdfReader(
            built_tree["out"] / "packets/grassroots-day.pdf").pages[0].extract_text()
    finally:
        spec.write_text(original, encoding="utf-8")
        _in_fresh_interpreter(built_tree)  # back to the state the other tests copy


def test_the_workflows_pdf_check_passes_a_real_build_and_fails_a_broken_pdf(
    built_tree, tmp_path: Path
) -> None:
    workflow = (paths.HOME / ".github/workflows/handouts.yml").read_text(encoding="utf-8")
    command = next(line.split("run:", 1)[1].split() for line in workflow.splitlines()
                   if "run:" in line and "pdfcheck" in line)
    assert command[0] == ".venv/bin/python" and command[-1] == "build"

    def check(directory: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *command[1:-1], str(directory)],
                              capture_output=True, text=True, timeout=300, check=False)

    good = check(built_tree["out"])
    assert good.returncode == 0, good.stdout[-2000:] + good.stderr[-2000:]
    broken = tmp_path / "build"
    shutil.copytree(built_tree["out"], broken)
    pdf = broken / "themes/four-winds.pdf"
    pdf.write_bytes(pdf.read_bytes()[: pdf.stat().st_size // 2])
    assert check(broken).returncode != 0, "the check must fail on a truncated PDF"


def test_a_real_document_edit_renders_exactly_the_outputs_whose_content_changed(
    built_tree, tmp_path: Path
) -> None:
    from handouts.build.build import compute_plan, printed_html

    tree = _real_tree(tmp_path / "copy")
    shutil.copytree(built_tree["out"], tree["out"])
    before = {p.key: printed_html(p.handout) for p in
              compute_plan(tree["corpus"], tree["packets"], tmp_path / "c1")[0]}
    doc = tree["corpus"] / "003_9d11f11799cd5b51.txt"
    doc.write_text(doc.read_text(encoding="utf-8").replace("放下架子", "放下身段", 1),
                   encoding="utf-8")
    after = {p.key: printed_html(p.handout) for p in
             compute_plan(tree["corpus"], tree["packets"], tmp_path / "c2")[0]}
    changed = {key for key in after if after[key] != before[key]}
    assert changed and changed != set(after), "the edit should touch some outputs, not all"

    report = build_all(tree["out"], corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                       jobs=1)
    assert {r.key for r in report.results if r.status == "built"} == changed
    assert {r.key for r in report.results if r.status == "unchanged"} == set(after) - changed


def test_a_broken_spec_in_a_real_build_is_named_and_the_rest_still_built(
    built_tree, tmp_path: Path
) -> None:
    tree = _real_tree(tmp_path / "copy")
    shutil.copytree(built_tree["out"], tree["out"])
    (tree["packets"] / "typo.toml").write_text(
        'title = "错的"\nthemes = ["four-wind"]\n', encoding="utf-8")
    (tree["out"] / "themes/listening.pdf").unlink()
    lines: list[str] = []
    report = build_all(tree["out"], corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                       jobs=1, progress=lines.append)
    assert report.failures == (str(tree["out"] / "packets/typo.pdf"),)
    message = next(line for line in lines if "typo" in line)
    assert "typo.toml: key themes[0]: unknown theme 'four-wind'" in message
    assert {r.key: r.status for r in report.results}["themes/listening.pdf"] == "built"


@pytest.mark.parametrize(("how", "jobs"), [("kill", 1), ("interrupt", 2)])
def test_a_build_stopped_while_rendering_leaves_no_partial_pdf_and_the_next_run_completes(
    tmp_path: Path, how: str, jobs: int
) -> None:
    """SIGKILL of a one-process build, and Ctrl-C (SIGINT) of a build with workers."""
    tree = _real_tree(tmp_path)
    script = (
        # A run started in the background of a non-interactive shell (as CI may start the
        # suite) inherits SIGINT ignored; a person's Ctrl-C reaches a build that has
        # Python's default handler, so the test restores it.
        "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from pathlib import Path\n"
        "from handouts.build.build import build_all\n"
        f"build_all(Path({str(tree['out'])!r}), corpus_dir=Path({str(tree['corpus'])!r}),"
        f" packets_dir=Path({str(tree['packets'])!r}), jobs={jobs},"
        " progress=lambda line: print(line, flush=True))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if " built " in line:  # the first output is done, others are being rendered
            break
    if how == "kill":
        proc.kill()
    else:
        proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0
    if how == "interrupt":
        assert "KeyboardInterrupt" in stderr
    written = list(tree["out"].rglob("*.pdf"))
    assert 1 <= len(written) <= 1 + len(REAL_THEMES)
    for pdf in written:
        assert len(PdfReader(pdf, strict=True).pages) >= 1
    recorded = json.loads((tree["out"] / "manifest.json").read_text(encoding="utf-8"))[
        "outputs"] if how == "interrupt" else {}
    if how == "interrupt":
        assert recorded, "what finished before Ctrl-C is recorded"

    report = build_all(tree["out"], corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                       jobs=1)
    assert report.failures == ()
    assert {r.key for r in report.results if r.status == "unchanged"} >= set(recorded)
    assert len(list(tree["out"].rglob("*.pdf"))) == 1 + len(REAL_THEMES)
    assert not [p for p in tree["out"].rglob("*.tmp")]
    third = build_all(tree["out"], corpus_dir=tree["corpus"], packets_dir=tree["packets"],
                      jobs=1)
    assert {r.status for r in third.results} == {"unchanged"}
