"""Word files: headings from styles, numbering, footnotes as notes, tables as rows,
tracked changes and comments handled as Word shows them; a damaged file is one error."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document as WordDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from handouts.corpus.load import load_document, load_documents
from handouts.errors import InputFileError
from handouts.readers import read_document

BODY_1 = "党员干部要深入基层，倾听群众呼声，把群众的冷暖放在心上，为群众办实事、做好事。"
BODY_2 = "只有这样，才能赢得群众的信任和支持，密切党群干群关系，让群众路线落到实处。"
NOTE_1 = "毛泽东：《关于领导方法的若干问题》，《毛泽东选集》第三卷，人民出版社1991年版。"
COMMENT = "这一段要再斟酌，建议补充事例。"
NOTE_2 = "习近平：《在党的群众路线教育实践活动工作会议上的讲话》，2013年6月18日。"


def _footnotes_part(document: WordDocument, notes: dict[int, str]) -> None:
    """python-docx writes no footnotes: add the part Word would, with these notes."""
    body = "".join(
        f'<w:footnote w:id="{i}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
        f'<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p>'
        "</w:footnote>"
        for i, text in notes.items()
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {nsdecls("w")}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        "<w:continuationSeparator/></w:r></w:p></w:footnote>" + body + "</w:footnotes>"
    )
    package = document.part.package
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml.encode(), package)
    document.part.relate_to(part, RT.FOOTNOTES)


def _reference(paragraph, note_id: int) -> None:
    paragraph._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteReference w:id="{note_id}"/></w:r>'
        )
    )


def make_docx(path: Path, *, chinese_styles: bool = False) -> Path:
    """A study text as an organiser receives it: title, two heading levels, two
    footnotes, a table, a tracked deletion and insertion, a comment."""
    document = WordDocument()
    h1, h2 = ("Heading 1", "Heading 2")
    if chinese_styles:  # WPS and Chinese Word name the styles themselves
        for name, base in (("标题 1", "Normal"), ("标题 2", "Normal")):
            document.styles.add_style(name, 1).base_style = document.styles[base]
        h1, h2 = "标题 1", "标题 2"
    document.add_paragraph("关于践行群众路线的学习材料", style="Title")
    document.add_paragraph(h1 and "一、为什么要走群众路线", style=h1)
    first = document.add_paragraph(BODY_1)
    _reference(first, 1)
    document.add_paragraph("（一）群众是真正的英雄", style=h2)
    second = document.add_paragraph(BODY_2[:10])
    second._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="91" w:author="审稿人"><w:r><w:delText>删去的错字</w:delText>'
        "</w:r></w:del>"
    ))
    second._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="92" w:author="审稿人"><w:r><w:t>{BODY_2[10:]}</w:t>'
        "</w:r></w:ins>"
    ))
    _reference(second, 2)
    document.add_comment(second.runs[0], text=COMMENT, author="审稿人")
    document.add_paragraph("二、怎样走好群众路线", style=h1)
    document.add_paragraph("下表列出本支部的学习安排，请各小组对照落实，按时完成学习任务。")
    table = document.add_table(rows=2, cols=3)
    for row, cells in zip(table.rows, (("时间", "内容", "主讲"), ("六月", "群众路线", "王书记")),
                          strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    _footnotes_part(document, {1: NOTE_1, 2: NOTE_2})
    document.save(path)
    return path


@pytest.mark.parametrize("chinese_styles", [False, True], ids=["Heading N", "标题 N"])
def test_word_heading_styles_become_sections_at_their_levels(
    tmp_path: Path, chinese_styles: bool
) -> None:
    doc = load_document(make_docx(tmp_path / "材料.docx", chinese_styles=chinese_styles))
    assert doc.title == "关于践行群众路线的学习材料"
    assert [(s.title, s.level) for s in doc.sections] == [
        ("一、为什么要走群众路线", 1),
        ("（一）群众是真正的英雄", 2),
        ("二、怎样走好群众路线", 1),
    ]


def test_word_footnotes_travel_with_the_section_that_cites_them(tmp_path: Path) -> None:
    doc = load_document(make_docx(tmp_path / "材料.docx"))
    first, second, third = doc.sections
    assert first.text == BODY_1 + "[1]" and first.notes == (NOTE_1,)
    assert second.notes == (NOTE_2,) and second.text.endswith("[1]")
    assert not third.notes
    everything = "".join(s.text for s in doc.sections)
    assert "毛泽东选集" not in everything and "注释" not in [s.title for s in doc.sections]


def test_tracked_deletions_and_comments_are_not_text_insertions_are(tmp_path: Path) -> None:
    doc = load_document(make_docx(tmp_path / "材料.docx"))
    assert doc.sections[1].text == BODY_2 + "[1]"
    everything = "".join(s.text + "".join(s.notes) for s in doc.sections)
    assert "删去的错字" not in everything and COMMENT not in everything


def test_table_rows_become_lines_of_text(tmp_path: Path) -> None:
    doc = load_document(make_docx(tmp_path / "材料.docx"))
    rows = doc.sections[2].paragraphs[1:]
    assert [r.split() for r in rows] == [["时间", "内容", "主讲"], ["六月", "群众路线", "王书记"]]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_the_word_fixture_is_a_file_libreoffice_opens(tmp_path: Path) -> None:
    """The hand-built fixture is a valid Word file, read by LibreOffice as we read it:
    its footnotes are footnotes, the deletion a tracked deletion, the comment a comment."""
    source = make_docx(tmp_path / "材料.docx")
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "fodt", "--outdir", str(tmp_path / "out"), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    xml = (tmp_path / "out" / "材料.fodt").read_text(encoding="utf-8")
    assert re.search(r"<text:note [^>]*>.*?" + re.escape(NOTE_1), xml, re.S)
    assert re.search(r"<text:deletion>.*?删去的错字", xml, re.S)
    assert re.search(r"<office:annotation[ >].*?" + re.escape(COMMENT), xml, re.S)


def test_word_list_numbering_is_written_out(tmp_path: Path) -> None:
    document = WordDocument()
    document.add_paragraph("学习要求", style="Heading 1")
    for text in ("认真研读原文，逐段做好学习笔记。", "联系思想实际，查找自身存在的差距。"):
        document.add_paragraph(text, style="List Number")
    path = tmp_path / "要求.docx"
    document.save(path)
    raw = read_document(path)
    assert "1. 认真研读原文" in raw.text or "1.认真研读原文" in raw.text
    assert "2. 联系思想实际" in raw.text or "2.联系思想实际" in raw.text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_a_docx_saved_by_libreoffice_with_real_footnotes_reads_the_same(tmp_path: Path) -> None:
    """The fixture above is built by hand; this one is written by a real office suite
    (LibreOffice converts a flat ODT with heading styles and footnotes to .docx)."""
    fodt = tmp_path / "材料.fodt"
    fodt.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">'
        "<office:body><office:text>"
        '<text:h text:outline-level="1">一、为什么要走群众路线</text:h>'
        f'<text:p>{BODY_1}<text:note text:id="n1" text:note-class="footnote">'
        f"<text:note-citation>1</text:note-citation><text:note-body><text:p>{NOTE_1}</text:p>"
        "</text:note-body></text:note></text:p>"
        '<text:h text:outline-level="2">（一）群众是真正的英雄</text:h>'
        f'<text:p>{BODY_2}<text:note text:id="n2" text:note-class="footnote">'
        f"<text:note-citation>2</text:note-citation><text:note-body><text:p>{NOTE_2}</text:p>"
        "</text:note-body></text:note></text:p>"
        "</office:text></office:body></office:document>",
        encoding="utf-8",
    )
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "docx", "--outdir", str(tmp_path), str(fodt)],
        check=True, capture_output=True, timeout=180,
    )
    doc = load_document(tmp_path / "材料.docx")
    assert [(s.title, s.level) for s in doc.sections] == [
        ("一、为什么要走群众路线", 1),
        ("（一）群众是真正的英雄", 2),
    ]
    assert [s.notes for s in doc.sections] == [(NOTE_1,), (NOTE_2,)]
    assert [s.text for s in doc.sections] == [BODY_1 + "[1]", BODY_2 + "[1]"]


def test_a_damaged_docx_is_one_error_naming_it_and_the_corpus_still_loads(
    tmp_path: Path,
) -> None:
    good = make_docx(tmp_path / "good.docx")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(good.read_bytes()[:2000])  # a download cut short
    with pytest.raises(InputFileError) as err:
        read_document(broken)
    message = str(err.value)
    assert message.startswith(f"{broken}: ") and "\n" not in message and "docx" in message
    documents, problems = load_documents(tmp_path)
    assert [d.id for d in documents] == ["good"]
    assert [str(p) for p in problems] == [message]


def test_outline_levels_endnotes_hidden_text_and_contents_are_read_as_word_shows_them(
    tmp_path: Path,
) -> None:
    """No heading style at all: the outline level set on the paragraph makes the
    heading; an endnote is a note like a footnote; hidden text and a table of contents
    are not text."""
    document = WordDocument()
    toc = document.styles.add_style("TOC 1", 1)
    document.add_paragraph("一、总体要求……………1", style=toc)
    heading = document.add_paragraph("一、总体要求")
    heading._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    body = document.add_paragraph(BODY_1)
    body._p.append(parse_xml(
        f'<w:r {nsdecls("w")}><w:endnoteReference w:id="1"/></w:r>'
    ))
    body._p.append(parse_xml(
        f'<w:r {nsdecls("w")}><w:rPr><w:vanish/></w:rPr><w:t>隐藏的批注文字</w:t></w:r>'
    ))
    sub = document.add_paragraph("（一）指导思想")
    sub._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="1"/>'))
    document.add_paragraph(BODY_2)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:endnotes {nsdecls("w")}>'
        '<w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        f'</w:endnote><w:endnote w:id="1"><w:p><w:r><w:endnoteRef/></w:r><w:r><w:t>{NOTE_2}'
        "</w:t></w:r></w:p></w:endnote></w:endnotes>"
    )
    package = document.part.package
    part = Part(PackURI("/word/endnotes.xml"), CT.WML_ENDNOTES, xml.encode(), package)
    document.part.relate_to(part, RT.ENDNOTES)
    path = tmp_path / "方案.docx"
    document.save(path)
    doc = load_document(path)
    headings = [(s.title, s.level) for s in doc.sections]
    assert headings == [("一、总体要求", 1), ("（一）指导思想", 2)]
    assert doc.sections[0].text == BODY_1 + "[1]" and doc.sections[0].notes == (NOTE_2,)
    everything = "".join(s.title + s.text for s in doc.sections)
    assert "隐藏的批注文字" not in everything and "……" not in everything


def test_the_corpus_command_lists_word_files_and_warns_once_per_unreadable_file(
    tmp_path: Path, runner
) -> None:
    from handouts.cli import cli

    make_docx(tmp_path / "材料.docx")
    (tmp_path / "旧文件.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    (tmp_path / "通知.wps").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    result = runner.invoke(cli, ["corpus", "--corpus", str(tmp_path)])
    assert result.exit_code == 0
    assert "材料  关于践行群众路线的学习材料" in result.stdout
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 2
    assert all("另存为 .docx" in w for w in warnings)
    assert {w.split(": ")[1] for w in warnings} == {
        str(tmp_path / "旧文件.doc"), str(tmp_path / "通知.wps")
    }
