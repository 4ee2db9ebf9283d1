"""PDF files: the article rebuilt from where characters are drawn; scans, protected and
damaged files are one error each, and the rest of the corpus still loads."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from handouts.corpus.load import load_document, load_documents
from handouts.errors import InputFileError
from handouts.readers import read_document

SENTENCES = [
    f"第{n}条体会是，党员干部要深入基层，倾听群众呼声，把群众的冷暖放在心上，为群众办实事。"
    for n in "一二三四五六七八九十"
]
NOTE = "毛泽东：《论联合政府》，《毛泽东选集》第三卷，人民出版社1991年版。"
QUOTE = "人民，只有人民，才是创造世界历史的动力。"
CSS = """
@page { size: A5; margin: 2cm 1.8cm;
  @top-center { content: "学习参考资料"; font-size: 9pt }
  @bottom-center { content: "- " counter(page) " -"; font-size: 9pt }
  @footnote { border-top: 0.5pt solid black } }
body { font-family: 'Noto Serif CJK SC'; font-size: 11pt; line-height: 1.6 }
h1 { font-size: 18pt; text-align: center } h2 { font-size: 14pt }
p { text-indent: 2em; margin: 0; text-align: justify }
.fn { float: footnote; font-size: 8pt }
::footnote-call { content: "[" counter(footnote) "]"; vertical-align: super; font-size: 7pt }
::footnote-marker { content: "[" counter(footnote) "] " }
"""


_RENDER = """
import sys
import weasyprint
if sys.argv[3] == "justified":
    from handouts.writers.pdf import justify
    justify.install()
weasyprint.HTML(string=open(sys.argv[1], encoding="utf-8").read()).write_pdf(sys.argv[2])
"""


def _pdf(html: str, path: Path, css: str = CSS, layout: str = "plain") -> Path:
    """Render in a fresh interpreter: the layout is WeasyPrint's own, or ``justified``
    with this project's justification installed (which other tests install in-process)."""
    source = path.with_suffix(".html")
    source.write_text(
        f"<html><head><style>{css}</style></head><body>{html}</body></html>", encoding="utf-8"
    )
    subprocess.run([sys.executable, "-c", _RENDER, str(source), str(path), layout],
                   check=True, capture_output=True, timeout=300)
    source.unlink()
    return path


def make_two_page_pdf(path: Path, layout: str = "plain") -> Path:
    """Two A5 pages: a title, two numbered headings, a running header, page numbers,
    a footnote, and a paragraph that runs over the page break."""
    long = "".join(SENTENCES)
    html = (
        "<h1>论群众路线</h1><h2>一、为什么要走群众路线</h2>"
        f"<p>{QUOTE}<span class='fn'>{NOTE}</span>这句话说明了群众的地位。</p>"
        f"<p>{long}</p><p>{long}</p>"
        "<h2>二、怎样走好群众路线</h2>"
        "<p>要俯下身子，到群众中去；要真心倾听，不能走过场；要把群众的意见落实到工作中去。</p>"
    )
    return _pdf(html, path, layout=layout)


def _pages(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


@pytest.mark.parametrize("layout", ["plain", "justified"])
def test_a_two_page_pdf_becomes_its_sections_and_notes(tmp_path: Path, layout: str) -> None:
    path = make_two_page_pdf(tmp_path / "讲话.pdf", layout)
    pages = _pages(path)
    assert len(pages) == 2 and all("学习参考资料" in p for p in pages)  # the fixture is real
    doc = load_document(path)
    assert doc.title == "论群众路线"
    assert [(s.title, s.level) for s in doc.sections] == [
        ("一、为什么要走群众路线", 1),
        ("二、怎样走好群众路线", 1),
    ]
    first, second = doc.sections
    assert first.notes == (NOTE,) and not second.notes
    assert first.paragraphs[0] == f"{QUOTE}[1]这句话说明了群众的地位。"


def test_running_header_and_page_numbers_are_gone(tmp_path: Path) -> None:
    doc = load_document(make_two_page_pdf(tmp_path / "讲话.pdf"))
    text = "\n".join(s.title + "\n" + s.text for s in doc.sections)
    assert "学习参考资料" not in text
    assert not re.search(r"-\s*\d\s*-", text)


@pytest.mark.parametrize("layout", ["plain", "justified"])
def test_lines_rejoin_into_paragraphs_across_line_and_page_breaks(
    tmp_path: Path, layout: str
) -> None:
    path = make_two_page_pdf(tmp_path / "讲话.pdf", layout)
    assert SENTENCES[-1][:8] in _pages(path)[1] or SENTENCES[0][:8] in _pages(path)[1]
    paragraphs = load_document(path).sections[0].paragraphs
    long = "".join(SENTENCES)
    assert paragraphs[1:] == (long, long)  # one paragraph each, no space between Han lines


@pytest.mark.parametrize("layout", ["plain", "justified"])
def test_two_columns_are_read_left_column_first(tmp_path: Path, layout: str) -> None:
    css = CSS + " .cols { columns: 2; column-gap: 2em } "
    left, right = SENTENCES[:5], SENTENCES[5:]
    html = (
        "<h1>学习心得两则</h1><div class='cols'>"
        + "".join(f"<p>{s}</p>" for s in left + right)
        + "</div>"
    )
    path = _pdf(html, tmp_path / "两栏.pdf", css, layout)
    raw = read_document(path)
    found = [raw.text.find(s) for s in SENTENCES]
    assert all(i >= 0 for i in found) and found == sorted(found)


def test_a_scanned_pdf_is_one_error_naming_the_file_and_ocrmypdf(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((50, 50, 550, 120), fill="black")  # a "line of text"
    path = tmp_path / "扫描件.pdf"
    image.save(path, "PDF")
    with pytest.raises(InputFileError) as err:
        read_document(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert "scan" in message and "ocrmypdf" in message


def test_a_password_protected_pdf_is_one_error_naming_the_file(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = make_two_page_pdf(tmp_path / "plain.pdf")
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    path = tmp_path / "加密.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    plain.unlink()
    with pytest.raises(InputFileError) as err:
        read_document(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and "\n" not in message and "password" in message


def test_bad_files_are_one_error_each_and_the_rest_of_the_corpus_loads(tmp_path: Path) -> None:
    """A scan, a protected PDF, an old .doc and a damaged .docx beside good files."""
    from PIL import Image
    from pypdf import PdfReader, PdfWriter

    from tests.test_docx_reader import make_docx

    make_two_page_pdf(tmp_path / "good_pdf.pdf")
    make_docx(tmp_path / "good_docx.docx")
    (tmp_path / "good_txt.txt").write_text("\n".join(SENTENCES), encoding="utf-8")
    Image.new("RGB", (300, 400), "white").save(tmp_path / "scan.pdf", "PDF")
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO((tmp_path / "good_pdf.pdf").read_bytes())))
    writer.encrypt("secret", algorithm="AES-128")
    with open(tmp_path / "locked.pdf", "wb") as fh:
        writer.write(fh)
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    (tmp_path / "broken.docx").write_bytes((tmp_path / "good_docx.docx").read_bytes()[:900])
    documents, problems = load_documents(tmp_path)
    assert sorted(d.id for d in documents) == ["good_docx", "good_pdf", "good_txt"]
    lines = sorted(str(p) for p in problems)
    assert [line.split(": ", 1)[0] for line in lines] == [
        str(tmp_path / name) for name in ("broken.docx", "locked.pdf", "old.doc", "scan.pdf")
    ]
    assert all("\n" not in line for line in lines)
    assert "另存为 .docx" in lines[2] and "ocrmypdf" in lines[3] and "password" in lines[1]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_a_real_old_word_doc_says_to_save_it_as_docx(tmp_path: Path) -> None:
    from tests.test_docx_reader import make_docx

    source = make_docx(tmp_path / "材料.docx")
    out = tmp_path / "old"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "doc", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    doc = out / "材料.doc"
    assert doc.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # a real OLE Word file
    with pytest.raises(InputFileError) as err:
        read_document(doc)
    assert str(err.value).startswith(f"{doc}: ") and "另存为 .docx" in str(err.value)


def test_headings_set_bold_at_body_size_are_headings(tmp_path: Path) -> None:
    """Official documents set headings in 黑体 or bold at the body's size: a line of its
    own in a bold face is a heading under the larger title."""
    css = CSS + " h2 { font-size: 11pt; font-weight: bold; margin: 0.5em 0 } "
    html = (
        "<h1>关于改进工作作风的意见</h1>"
        f"<h2>坚持问题导向</h2><p>{SENTENCES[0]}{SENTENCES[1]}</p>"
        f"<h2>完善制度机制</h2><p>{SENTENCES[2]}{SENTENCES[3]}</p>"
    )
    doc = load_document(_pdf(html, tmp_path / "意见.pdf", css))
    assert doc.title == "关于改进工作作风的意见"
    assert [(s.title, s.level) for s in doc.sections] == [("坚持问题导向", 1), ("完善制度机制", 1)]
    assert doc.sections[1].text == SENTENCES[2] + SENTENCES[3]


def test_a_footnote_longer_than_the_page_body_is_still_a_note(tmp_path: Path) -> None:
    """A one-page order with a long 注释: the note's small type outweighs the body's, yet
    the body stays body (no heading made of its date line) and the note stays a note."""
    long_note = "".join(SENTENCES[:5])
    html = (
        "<h1>关于重行颁布纪律的训令</h1><p>（一九四七年十月十日）</p>"
        f"<p>本军纪律实行多年<span class='fn'>{long_note}</span>，现在统一规定，重行颁布。</p>"
    )
    path = _pdf(html, tmp_path / "训令.pdf")
    page = _pages(path)[0]
    assert len(_pages(path)) == 1 and SENTENCES[4][:10] in page  # the fixture is real
    body = len("（一九四七年十月十日）本军纪律实行多年，现在统一规定，重行颁布。")
    assert len(long_note) > 2 * body
    doc = load_document(path)
    assert doc.title == "关于重行颁布纪律的训令"
    (section,) = doc.sections
    assert section.notes == (long_note,)
    assert section.text == "本军纪律实行多年[1]，现在统一规定，重行颁布。"
    assert section.sources == ("（一九四七年十月十日）",)
