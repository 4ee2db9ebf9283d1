"""``handouts doctor``: is this machine ready to print, and if not, what to do.

An organiser whose weekly build failed, or who sets up a new office machine, gets one
line per check: ``ok``, or the problem and the fix (a package to install, a file to
delete, a directory to make writable).  Every check is independent, so one problem
never hides another, and nothing here changes anything.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from handouts.errors import HandoutsError

#: Debian packages the printing itself needs (the tests need more; the set-up script
#: installs those), with what each is for.
SYSTEM_PACKAGES = {
    "libpango-1.0-0": "text layout for WeasyPrint",
    "libpangoft2-1.0-0": "font access for Pango",
    "libharfbuzz0b": "text shaping",
    "libharfbuzz-subset0": "font subsetting (without it PDFs take ~15 times longer)",
    "fontconfig": "finding the fonts",
    "poppler-utils": "page previews in the workbench (pdftoppm)",
}

PYTHON_MODULES = ("weasyprint", "jinja2", "jieba", "click", "pypdf", "pydantic",
                  "trafilatura", "charset_normalizer", "docx", "flask")
#: Modules whose distribution has another name (for the version shown).
DISTRIBUTIONS = {"docx": "python-docx"}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = "ok     " if self.ok else "PROBLEM"
        text = f"{mark} {self.name}: {self.detail}"
        return text if self.ok or not self.fix else f"{text} -> {self.fix}"


def _package_installed(name: str) -> bool | None:
    """True/False from dpkg; None where there is no dpkg (not a Debian system)."""
    if shutil.which("dpkg-query") is None:
        return None
    proc = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name],
                          capture_output=True, text=True, check=False)
    return proc.returncode == 0 and proc.stdout.strip() == "install ok installed"


def check_system_packages() -> Iterator[Check]:
    for name, purpose in SYSTEM_PACKAGES.items():
        installed = _package_installed(name)
        if installed is None:
            yield Check(f"package {name}", True, "not a Debian system: not checked")
        elif installed:
            yield Check(f"package {name}", True, "installed")
        else:
            yield Check(f"package {name}", False, f"missing ({purpose})",
                        f"apt-get install {name}  (or run `make setup`)")


def check_python() -> Iterator[Check]:
    for module in PYTHON_MODULES:
        try:
            importlib.import_module(module)
        except Exception as exc:  # an ImportError, or a library missing under it
            yield Check(f"python {module}", False, f"cannot import ({exc})",
                        "run `make setup` (installs the Python packages into .venv)")
            continue
        try:
            version = importlib.metadata.version(
                DISTRIBUTIONS.get(module, module.replace("_", "-")))
        except importlib.metadata.PackageNotFoundError:
            version = "?"
        yield Check(f"python {module}", True, version)


def check_fonts(corpus_dir: Path | None) -> Iterator[Check]:
    from handouts.writers.pdf import fonts

    try:
        faces = fonts.faces()
    except HandoutsError as exc:
        yield Check("fonts", False, str(exc), "install the package it names, or `make setup`")
        return
    for role, face in faces.items():
        yield Check(f"font for {role} text", True, f"{face.family} ({face.path})")
    if corpus_dir is None:
        return
    missing = _uncovered(corpus_dir)
    if missing is None:
        return
    if not missing:
        yield Check("font coverage", True, "every character of the corpus has a glyph")
        return
    shown = "，".join(f"{char} U+{ord(char):04X} in {where}" for char, where in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    yield Check("font coverage", False, f"{len(missing)} characters have no glyph: {shown}{more}",
                "replace them in the documents, or configure a font that has them "
                "(styles/fonts.toml)")


def _uncovered(corpus_dir: Path) -> list[tuple[str, str]] | None:
    """Characters of the corpus' sections the body font cannot draw, with a document
    each appears in; None when the corpus cannot be read (its own check says why)."""
    from handouts.corpus.load import load_documents
    from handouts.writers.pdf import fonts

    try:
        documents, _ = load_documents(corpus_dir)
    except HandoutsError:
        return None
    found: dict[str, str] = {}
    for doc in documents:
        for section in doc.sections:
            for char in fonts.missing_characters(section.title + section.text, "body"):
                found.setdefault(char, doc.id)
    return sorted(found.items())


def check_corpus(corpus_dir: Path) -> Iterator[Check]:
    from handouts.corpus.load import load_documents

    try:
        documents, problems = load_documents(corpus_dir)
    except HandoutsError as exc:
        yield Check("corpus", False, str(exc), "put the study texts in corpus/ (or pass --corpus)")
        return
    yield Check("corpus", True, f"{len(documents)} documents in {corpus_dir}")
    for problem in problems:
        yield Check("corpus file", False, str(problem), "fix or remove the file")


def check_build_dir(out: Path) -> Iterator[Check]:
    from handouts.atomic import check_writable
    from handouts.build import build

    probe = out / ".doctor-probe"
    try:
        out.mkdir(parents=True, exist_ok=True)
        check_writable(probe)
        probe.write_bytes(b"")
        probe.unlink()
    except (HandoutsError, OSError) as exc:
        yield Check("build directory", False, f"{out} is not writable ({exc})",
                    "make it writable, or build elsewhere with --out")
        return
    yield Check("build directory", True, f"{out} is writable")
    holder = build.lock_holder(out)
    if holder:
        yield Check("build lock", True, f"held by {holder} (a build is running)")
    else:
        yield Check("build lock", True, "free")
    manifest, damage = build._checked_manifest(out)
    if damage:
        yield Check("manifest", False, damage, "the next build rebuilds it; nothing to do")
    else:
        count = len(manifest.get("outputs", {}))
        yield Check("manifest", True, f"{count} outputs recorded" if manifest else "none yet")
    cache = out / build.CACHE
    for pickle_file in sorted(cache.glob("*.pickle")) if cache.is_dir() else []:
        before = len(build._damaged)
        build._load_pickle(pickle_file, remove=False)
        if len(build._damaged) > before:
            yield Check("cache", False, build._damaged.pop(),
                        "the next build rebuilds it; nothing to do")
    for name in (build.INDEX, build.TYPESET_MEMO):
        database = cache / name
        if database.is_file():
            problem = _sqlite_problem(database)
            if problem:
                yield Check("cache", False, f"{database}: {problem}",
                            "the next build replaces it; nothing to do")
    if cache.is_dir():
        yield Check("cache", True, f"{cache} readable")


def _sqlite_problem(database: Path) -> str | None:
    """What is wrong with a cache database, read only (the doctor changes nothing)."""
    import sqlite3

    try:
        db = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        try:
            found = db.execute("PRAGMA quick_check").fetchone()
        finally:
            db.close()
    except sqlite3.Error as exc:
        return f"damaged ({exc})"
    return None if found and found[0] == "ok" else f"damaged ({found[0] if found else '?'})"


def run_checks(corpus_dir: Path | None, out: Path) -> list[Check]:
    steps: list[Callable[[], Iterator[Check]]] = [check_system_packages, check_python,
                                                  lambda: check_fonts(corpus_dir)]
    if corpus_dir is not None:
        steps.append(lambda: check_corpus(corpus_dir))
    steps.append(lambda: check_build_dir(out))
    checks: list[Check] = []
    for step in steps:
        try:
            checks.extend(step())
        except Exception as exc:  # a check that crashes is itself a finding
            checks.append(Check(getattr(step, "__name__", "check"), False,
                                f"{type(exc).__name__}: {exc}"))
    return checks
