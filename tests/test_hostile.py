"""Corpus text is untrusted: markup in it is text, never markup, and building a handout
from it opens nothing outside the project and connects to nothing.

The build runs under ``strace`` (installed by the set-up script), which sees every
``open`` and ``connect`` of the process and its workers, C libraries included (Pango
and fontconfig open files without Python knowing).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

from handouts import paths

HOSTILE = Path(__file__).parent / "data" / "hostile"

SPEC = """title = "调查研究专题学习"
sections = ["hostile-html/1", "hostile-md/1"]
"""


def _allowed_roots(*extra: Path) -> tuple[str, ...]:
    home = Path.home()
    roots = [
        paths.HOME, Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).parent.parent,
        Path("/usr/lib"), Path("/lib"), Path("/lib64"), Path("/usr/lib64"),
        Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path("/usr/share/fontconfig"),
        Path("/etc/fonts"), Path("/var/cache/fontconfig"), home / ".cache/fontconfig",
        home / ".fontconfig", home / ".fonts", home / ".local/share/fonts",
        Path("/usr/share/locale"), Path("/usr/lib/locale"), Path("/usr/share/zoneinfo"),
        Path("/proc/self"), Path("/sys/devices/system/cpu"),
        *extra,
    ]
    files = ["/etc/ld.so.cache", "/etc/localtime", "/etc/mime.types", "/dev/null",
             "/dev/urandom", "/proc/filesystems", "/tmp/jieba.cache"]
    # Both spellings: /lib is a link to /usr/lib on a merged-/usr system.
    return tuple({str(r) for r in roots} | {str(r.resolve()) for r in roots}) + tuple(files)


def _opened_outside(trace: str, allowed: tuple[str, ...], cwd: Path) -> list[str]:
    """Files the build (not the linker tools cffi runs to find libraries) tried to open
    outside ``allowed``; a new private temporary file (O_EXCL) reads nothing."""
    foreign = {m.group(1) for m in re.finditer(r"^(\d+)\s+execve\(\"([^\"]+)\"", trace, re.M)
               if "python" not in Path(m.group(2)).name}
    outside = []
    for line in trace.splitlines():
        pid = line.split(None, 1)[0] if line.strip() else ""
        match = re.search(r"open(?:at2?)?\((?:AT_FDCWD, |\d+, )?\"([^\"]*)\"", line)
        if pid in foreign or not match or "O_EXCL" in line:
            continue
        path = match.group(1)
        if not path.startswith("/"):
            path = str(cwd / path)
        if not any(path == root or path.startswith(root.rstrip("/") + "/") for root in allowed):
            outside.append(path)
    return outside


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    if shutil.which("strace") is None:
        pytest.fail("strace is not installed: run `make test`, whose set-up installs it")
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    corpus.mkdir()
    for page in HOSTILE.iterdir():
        shutil.copy(page, corpus / page.name)
    shutil.copy(paths.CORPUS / "themes.toml", corpus / "themes.toml")
    spec = root / "hostile.toml"
    spec.write_text(SPEC, encoding="utf-8")
    out = root / "out.pdf"
    trace = root / "trace"
    proc = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=open,openat,openat2,connect,execve", "-o", str(trace),
         sys.executable, "-m", "handouts", "packet", str(spec), "--corpus", str(corpus),
         "-o", str(out)],
        capture_output=True, text=True, timeout=300, check=False, cwd=root)
    assert proc.returncode == 0, proc.stderr
    with pdfplumber.open(out) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    return {"root": root, "trace": trace.read_text(encoding="utf-8", errors="replace"),
            "text": re.sub(r"\s+", "", text)}


def test_building_from_hostile_markup_opens_no_file_outside_the_project(hostile_build):
    root = Path(str(hostile_build["root"]))
    outside = _opened_outside(str(hostile_build["trace"]), _allowed_roots(root), root)
    assert outside == []
    assert "/etc/passwd" not in str(hostile_build["trace"])
    assert "/etc/shadow" not in str(hostile_build["trace"])


def test_building_from_hostile_markup_connects_to_nothing(hostile_build):
    assert "connect(" not in str(hostile_build["trace"])


def test_template_syntax_and_css_in_the_text_print_as_themselves(hostile_build):
    text = str(hostile_build["text"])
    assert "调查研究必须坚持实事求是" in text
    for literal in ("{{config}}", "{%include'/etc/passwd'%}", "url(file:///etc/passwd)"):
        assert literal in text
    assert "url(file:///etc/hosts)" in text and "http://198.51.100.7/track.png" in text


def test_two_files_of_one_name_get_distinct_section_ids(hostile_build):
    text = str(hostile_build["text"])
    assert "没有调查就没有发言权" in text  # hostile.html's section
    assert "调查研究是我们党的传家宝" in text  # hostile.md's section
