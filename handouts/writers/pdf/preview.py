"""A PNG of each page of a PDF, for a person to look at before printing.

poppler's ``pdftoppm`` (already needed to read PDFs back) draws the pages; the images
go to a fresh folder that replaces the old one only when every page is drawn.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from handouts.errors import HandoutsError


def page_images(pdf: Path, out_dir: Path, *, dpi: int = 60) -> list[Path]:
    """Draw every page of ``pdf`` as ``out_dir/page-N.png`` (N from 1); returns them."""
    pdf, out_dir = Path(pdf), Path(out_dir)
    if shutil.which("pdftoppm") is None:
        raise HandoutsError(pdf, "cannot draw page previews: pdftoppm (poppler-utils) is "
                                 "not installed")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(fresh / "p")],
                       check=True, capture_output=True, timeout=300)
        pages = sorted(fresh.glob("p-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        for n, page in enumerate(pages, 1):
            page.rename(fresh / f"page-{n}.png")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        fresh.rename(out_dir)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise HandoutsError(pdf, f"cannot draw page previews: {exc.stderr.decode()[:200]}") \
            from None
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return sorted(out_dir.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))
