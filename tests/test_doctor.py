"""``handouts doctor``: one line per check, the fix named, nothing changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from handouts import paths


def doctor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "handouts", "doctor", *args],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, **(env or {})})


def corpus_copy(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(paths.CORPUS, corpus)
    return corpus


def test_a_ready_machine_passes_every_check(tmp_path):
    proc = doctor("--corpus", str(corpus_copy(tmp_path)), "--out", str(tmp_path / "build"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1] == "everything is ready"
    for name in ("package libharfbuzz-subset0", "python weasyprint", "font for body text",
                 "font coverage", "corpus", "build directory", "build lock", "manifest"):
        assert any(line.startswith(f"ok      {name}") for line in lines), name


def test_a_character_no_font_can_draw_is_named_with_its_document(tmp_path):
    corpus = corpus_copy(tmp_path)
    (corpus / "古文字.txt").write_text(
        "象形文字\n\n这是一段介绍古埃及象形文字的文字，例如𓀀这个符号，我们的字体没有它。\n",
        encoding="utf-8")
    proc = doctor("--corpus", str(corpus), "--out", str(tmp_path / "build"))
    assert proc.returncode == 1
    line = next(x for x in proc.stdout.splitlines() if "font coverage" in x)
    assert line.startswith("PROBLEM") and "U+13000" in line and "古文字" in line
    assert "styles/fonts.toml" in line


def test_a_missing_font_names_the_package_to_install(tmp_path):
    home = tmp_path / "home"
    shutil.copytree(paths.STYLES, home / "styles")
    shutil.copytree(paths.TEMPLATES, home / "templates")
    fonts = home / "styles" / "fonts.toml"
    fonts.write_text(fonts.read_text(encoding="utf-8").replace(
        '"LXGW WenKai"', '"LXGW WenKai Removed"'), encoding="utf-8")
    proc = doctor("--corpus", str(corpus_copy(tmp_path)), "--out", str(tmp_path / "build"),
                  env={"HANDOUTS_HOME": str(home)})
    assert proc.returncode == 1
    line = next(x for x in proc.stdout.splitlines() if x.startswith("PROBLEM fonts"))
    assert "LXGW WenKai Removed" in line and "fonts-lxgw-wenkai" in line


def test_damaged_manifest_and_cache_are_reported_and_left_alone(tmp_path):
    out = tmp_path / "build"
    (out / ".cache").mkdir(parents=True)
    (out / "manifest.json").write_text('{"format": 1, "outp', encoding="utf-8")
    (out / ".cache" / "documents.pickle").write_bytes(b"\x80\x05garbage")
    proc = doctor("--corpus", str(corpus_copy(tmp_path)), "--out", str(out))
    assert proc.returncode == 1
    problems = [x for x in proc.stdout.splitlines() if x.startswith("PROBLEM")]
    assert any("manifest.json: damaged" in x for x in problems)
    assert any("documents.pickle: cache damaged" in x for x in problems)
    assert (out / ".cache" / "documents.pickle").read_bytes() == b"\x80\x05garbage"


def test_a_damaged_corpus_index_or_spacing_memo_is_reported_and_left_alone(tmp_path):
    import sqlite3

    out = tmp_path / "build"
    (out / ".cache").mkdir(parents=True)
    good = out / ".cache" / "typeset.sqlite"
    with sqlite3.connect(good) as db:
        db.execute("CREATE TABLE spacing (key TEXT PRIMARY KEY, spacing REAL)")
    damaged = out / ".cache" / "corpus.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    proc = doctor("--corpus", str(corpus_copy(tmp_path)), "--out", str(out))
    assert proc.returncode == 1
    problems = [x for x in proc.stdout.splitlines() if x.startswith("PROBLEM")]
    assert any("corpus.sqlite: damaged" in x for x in problems), proc.stdout
    assert not any("typeset.sqlite" in x for x in problems)
    assert damaged.read_bytes() == b"SQLite format 3\x00" + b"\xff" * 4000


def test_an_unusable_build_directory_and_a_missing_corpus_are_problems(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    proc = doctor("--corpus", str(tmp_path / "nowhere"), "--out", str(blocker / "build"))
    assert proc.returncode == 1
    problems = [x for x in proc.stdout.splitlines() if x.startswith("PROBLEM")]
    assert any(x.startswith("PROBLEM build directory") and "--out" in x for x in problems)
    assert any(x.startswith("PROBLEM corpus") for x in problems)
    assert "Error: 2 problem(s) found" in proc.stderr
