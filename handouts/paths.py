"""Where the project's data lives.

Templates, styles, the default corpus and packet specs are top-level folders of the
repository (organisers edit them), not package data; the package finds them beside
itself.  ``HANDOUTS_HOME`` points elsewhere for an installed copy.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
HOME = Path(os.environ.get("HANDOUTS_HOME", PACKAGE.parent)).resolve()
TEMPLATES = HOME / "templates"
STYLES = HOME / "styles"
CORPUS = HOME / "corpus"
PACKETS = HOME / "packets"
EDITS = HOME / "edits"
EDITS_BASE = ".base"
"""The folder of ``EDITS`` that keeps the proposal each edit file was written from."""
DATA = PACKAGE / "data"
