"""What `make handouts` produces, read back: every theme and every packet PDF.

The build runs once for the module (real corpus, real packets, two workers); each test
then opens the PDFs with pypdf/pdfplumber and compares them with the outlines the
pipeline computes independently.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from handouts import paths, pipeline
from handouts.build import packets, roster
from handouts.model import Handout
from handouts.writers.pdf import pdfcheck
from handouts.writers.pdf.booklet import saddle_stitch_order
from handouts.writers.pdf.render import reading_title

HAN = re.compile(r"[\u3400-\u9fff]")


def han(text: str) -> str:
    """Only the Han characters: line breaks, hyphenation and spacing cannot interfere."""
    return "".join(HAN.findall(text))


def reading_text(data: bytes) -> str:
    """The text in reading order; a booklet's sides are cut in halves and put back in
    page order, so a sentence running over a page turn reads as one."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = pdf.pages
        if pages[0].width <= pages[0].height:
            # The same extraction as page by page, shared with the other checks.
            return "".join(pdfcheck.page_texts(data))
        halves: dict[int, str] = {}
        for page, slots in zip(pages, saddle_stitch_order(2 * len(pages)), strict=True):
            middle = page.width / 2
            for slot, box in zip(slots, ((0, middle), (middle, page.width)), strict=True):
                assert slot is not None
                crop = page.crop((box[0], 0, box[1], page.height))
                halves[slot] = crop.extract_text() or ""
        return "".join(halves[i] for i in sorted(halves))


@pytest.fixture(scope="module")
def built(shipped_build: Path) -> Path:
    return shipped_build  # built once per session (conftest.py): test_roster reads it too


@pytest.fixture(scope="module")
def expected(seed_corpus: pipeline.Corpus) -> dict[str, Handout]:
    handouts = {
        f"themes/{t.id}.pdf": pipeline.theme_handout(seed_corpus, t.id) for t in seed_corpus.themes
    }
    for spec_path in sorted(paths.PACKETS.glob("*.toml")):
        spec = packets.load_spec(spec_path, themes=seed_corpus.themes)
        handout = packets.packet_handout(seed_corpus, spec)
        if spec.roster is None:
            handouts[f"packets/{spec_path.stem}.pdf"] = handout
            continue
        # A roster spec prints one packet per branch, in a folder of its own.
        found = roster.read_roster(packets.roster_path(spec), foreword=spec.foreword)
        for row in found.rows:
            handouts[f"packets/{spec_path.stem}/{row.slug}.pdf"] = roster.row_handout(
                handout, row, spec.foreword)
    return handouts


def packet_outputs() -> int:
    """One PDF per spec, or per row of its roster (data rows of the CSV)."""
    count = 0
    for spec_path in paths.PACKETS.glob("*.toml"):
        spec = packets.load_spec(spec_path)
        where = packets.roster_path(spec)
        lines = [] if where is None else where.read_text(encoding="utf-8").splitlines()
        count += 1 if where is None else len([line for line in lines if line.strip()]) - 1
    return count


def test_one_pdf_per_theme_and_per_packet(built: Path, expected: dict[str, Handout]) -> None:
    produced = sorted(str(p.relative_to(built)) for p in built.rglob("*.pdf"))
    assert produced == sorted(expected)
    assert len([p for p in produced if p.startswith("packets/")]) == packet_outputs()


def one_per_roster(names: list[str]) -> list[str]:
    """Every output, but of a roster's rows (``packets/<spec>/<slug>.pdf``) only the first:
    rows share their body, laid out once and equal byte for byte to a full render
    (test_roster.py), and test_roster.py reads every row's cover and header back."""
    kept: dict[str, str] = {}
    for name in sorted(names):
        folder = name.rsplit("/", 1)[0]
        kept.setdefault(folder if folder.count("/") == 1 else name, name)
    return sorted(kept.values())


def test_every_pdf_prints_its_outline_in_extractable_chinese(
    built_pdfs: dict[str, bytes], expected: dict[str, Handout]
) -> None:
    for name in one_per_roster(list(expected)):
        handout = expected[name]
        text = han(reading_text(built_pdfs[name]))
        assert han(handout.title) in text, name
        for outline in handout.outlines:
            for section in outline.sections:
                # The renderer numbers readings itself, dropping the source's 一、 第四篇：
                assert han(reading_title(section)) in text, (name, section.id)
                for point in section.key_points:
                    assert han(point) in text, (name, section.id, point)
                for question in section.questions:
                    assert han(question) in text, (name, section.id, question)
            for question in outline.questions:
                assert han(question) in text, (name, question)


def test_every_pdf_embeds_subset_fonts_of_the_three_faces_only(built: Path) -> None:
    for name in one_per_roster([p.relative_to(built).as_posix() for p in built.rglob("*.pdf")]):
        pdf_path = built / name
        data = pdf_path.read_bytes()
        found = pdfcheck.fonts(data)
        assert found, pdf_path
        assert all(f.embedded and f.subset for f in found), (pdf_path, found)
        assert pdfcheck.problems(data, families=pdfcheck.configured_families()) == [], pdf_path


def test_the_manifest_describes_the_files_on_disk(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    outputs = manifest["outputs"]
    assert sorted(outputs) == sorted(str(p.relative_to(built)) for p in built.rglob("*.pdf"))
    for name, entry in outputs.items():
        data = (built / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert entry["bytes"] == len(data), name
        assert entry["pages"] == len(PdfReader(built / name).pages), name


def test_every_pdf_is_set_as_a_chinese_typesetter_would_sign_it_off(
    built: Path, expected: dict[str, Handout]
) -> None:
    """No paragraph ends in a lone character, no widow, orphan or heading left at the
    foot of a page, and every line of the readings justified within half a point."""
    for name, handout in expected.items():
        paper = "a5" if handout.booklet else handout.paper
        found = pdfcheck.typesetting((built / name).read_bytes(), paper)
        assert found.paragraphs > 20, name
        assert (found.lone_last_lines, found.widows, found.orphans,
                found.stranded_headings) == (0, 0, 0, 0), (name, found)
        assert found.justifiable > 5 and found.justified_share == 1.0, (name, found)


def test_booklet_packets_keep_their_bookmarks(built: Path, expected: dict[str, Handout]) -> None:
    booklets = [name for name, handout in expected.items() if handout.booklet]
    assert booklets
    for name in booklets:
        marks = pdfcheck.bookmarks((built / name).read_bytes())
        assert len(marks) >= 3, name
        sides = len(PdfReader(built / name).pages)
        assert all(1 <= b.page <= sides for b in marks), name
