"""Print Word files to PDF with a real LibreOffice, as an organiser's office would open them.

One ``soffice`` run converts many files (its start-up is most of the cost).  Each run
gets its own user profile directory: two LibreOffice processes sharing the default
profile wait on each other's lock or fail, and parallel test runs are common here.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

TIMEOUT = 300


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise RuntimeError("LibreOffice not found: install libreoffice-writer-nogui "
                           "(make setup does)")
    return found


def convert_to_pdf(files: Sequence[Path], outdir: Path, *, timeout: int = TIMEOUT) -> list[Path]:
    """Convert ``files`` to PDF in ``outdir``; the PDFs, in order.  Raises when
    LibreOffice fails, times out or leaves one out (it does not say so itself)."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="handouts-lo-") as profile:
        proc = subprocess.run(
            [soffice(), f"-env:UserInstallation=file://{profile}", "--headless",
             "--norestore", "--convert-to", "pdf", "--outdir", str(outdir),
             *(str(f) for f in files)],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    pdfs = [outdir / f"{Path(f).stem}.pdf" for f in files]
    missing = [p.name for p in pdfs if not p.is_file() or not p.stat().st_size]
    if proc.returncode != 0 or missing:
        raise RuntimeError(f"soffice exit {proc.returncode}, missing {missing}: "
                           f"{proc.stderr.strip()[-500:]}")
    return pdfs


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout


def pdf_font_names(pdf: Path) -> list[str]:
    """The base names of the fonts in ``pdf`` (``pdffonts``), subset prefixes dropped."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    names = [line.split()[0] for line in out.splitlines()[2:] if line.strip()]
    return [n.split("+", 1)[1] if "+" in n[:7] else n for n in names]
