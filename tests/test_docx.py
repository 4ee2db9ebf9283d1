"""The Word output: every theme's .docx read back with python-docx, its XML checked
against the rules Word enforces, and printed to PDF by a real LibreOffice.

The Word files are written once per session (every theme and the two-theme meeting
packet) and converted in one LibreOffice run; the tests then only read.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tomllib
import zipfile
from collections import Counter
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from libreoffice import convert_to_pdf, pdf_font_names, pdf_text
from lxml import etree

from handouts import paths, pipeline
from handouts.build import packets
from handouts.cli import cli
from handouts.model import Handout
from handouts.writers import docx as writer
from handouts.writers.pdf.render import chinese_number, reading_title

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
PACKET = "branch-four-winds"
_READ: dict[Path, docx.document.Document] = {}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclasses.dataclass(frozen=True)
class Built:
    name: str
    handout: Handout
    path: Path

    @property
    def document(self) -> docx.document.Document:
        """The file read back (once: the tests only read it)."""
        if self.path not in _READ:
            _READ[self.path] = docx.Document(str(self.path))
        return _READ[self.path]

    def part(self, name: str) -> etree._Element:
        with zipfile.ZipFile(self.path) as package:
            return etree.fromstring(package.read(name))


@pytest.fixture(scope="session")
def built(seed_corpus: pipeline.Corpus, tmp_path_factory: pytest.TempPathFactory
          ) -> dict[str, Built]:
    """Every theme's Word file, and the meeting packet with two parts, agenda and foreword."""
    out = tmp_path_factory.mktemp("docx")
    handouts = {t.id: pipeline.theme_handout(seed_corpus, t.id) for t in seed_corpus.themes}
    spec = packets.load_spec(paths.PACKETS / f"{PACKET}.toml", themes=seed_corpus.themes)
    handouts[PACKET] = packets.packet_handout(seed_corpus, spec)
    result = {}
    for name, handout in handouts.items():
        path = out / f"{name}.docx"
        path.write_bytes(writer.render_docx(handout))
        result[name] = Built(name, handout, path)
    return result


@pytest.fixture(scope="session")
def converted(built: dict[str, Built], tmp_path_factory: pytest.TempPathFactory
              ) -> dict[str, Path]:
    """Each Word file printed to PDF by LibreOffice (one soffice run for all)."""
    names = sorted(built)
    pdfs = convert_to_pdf([built[n].path for n in names], tmp_path_factory.mktemp("lo"))
    return dict(zip(names, pdfs, strict=True))


def reading_headings(handout: Handout) -> list[str]:
    return [f"{chinese_number(n)}、{reading_title(sec)}"
            for outline in handout.outlines for n, sec in enumerate(outline.sections, 1)]


def all_questions(handout: Handout) -> list[str]:
    return [q for outline in handout.outlines
            for q in (*(q for s in outline.sections for q in s.questions), *outline.questions)]


def by_style(document: docx.document.Document, name: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == name]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- read back with python-docx


def test_every_theme_has_a_word_file_and_each_has_readings(built) -> None:
    assert set(built) == {t.id for t in pipeline.load(paths.CORPUS).themes} | {PACKET}
    for item in built.values():
        assert reading_headings(item.handout), item.name


def test_reading_titles_carry_word_heading_styles(built) -> None:
    for item in built.values():
        document = item.document
        level = 2 if len(item.handout.outlines) > 1 else 1
        titles = by_style(document, f"Heading {level}")
        assert [t for t in titles if "、" in t[:4]] == reading_headings(item.handout), item.name
        for style in ("Heading 1", "Heading 2"):
            # built on Word's own heading styles, which drive the navigation pane
            assert document.styles[style].element.find(f"{{{W}}}aliases") is not None


def test_the_packet_uses_three_heading_levels_parts_readings_and_labels(built) -> None:
    document = built[PACKET].document
    parts = by_style(document, "Heading 1")
    assert [p for p in parts if p.startswith("第")] == [
        f"第{chinese_number(n)}部分　{o.theme.name}"
        for n, o in enumerate(built[PACKET].handout.outlines, 1)]
    assert "讨论题" in by_style(document, "Heading 3")
    assert "学习要点" in by_style(document, "Heading 3")


def test_heading_styles_are_outline_levels_with_chinese_aliases(built) -> None:
    styles = built["four-winds"].part("word/styles.xml")
    for level in (1, 2, 3):
        style = styles.find(f"w:style[@w:styleId='Heading{level}']", NS)
        assert style.find("w:name", NS).get(w("val")) == f"heading {level}"
        assert style.find("w:aliases", NS).get(w("val")) == f"标题 {level}"
        assert style.find("w:pPr/w:outlineLvl", NS).get(w("val")) == str(level - 1)
    normal = styles.find("w:style[@w:styleId='Normal']", NS)
    assert normal.find("w:aliases", NS).get(w("val")) == "正文"


def test_key_points_and_questions_are_all_present_in_their_styles(built) -> None:
    for item in built.values():
        document = item.document
        points = [p for o in item.handout.outlines for s in o.sections for p in s.key_points]
        assert points, item.name
        assert by_style(document, "学习要点") == points, item.name
        assert by_style(document, "讨论题") == all_questions(item.handout), item.name


def test_body_text_is_normal_with_a_two_character_first_line_indent(built) -> None:
    item = built["four-winds"]
    texts = set(by_style(item.document, "Normal"))
    for sec in item.handout.outlines[0].sections:
        assert set(sec.paragraphs) <= texts
    styles = item.part("word/styles.xml")
    ind = styles.find("w:style[@w:styleId='Normal']/w:pPr/w:ind", NS)
    assert ind.get(w("firstLineChars")) == "200"
    assert int(ind.get(w("firstLine"))) > 0


def test_the_key_point_style_is_a_shaded_block_in_the_quote_face(built) -> None:
    styles = built["four-winds"].part("word/styles.xml")
    style = styles.find("w:style[@w:styleId='KeyPoint']", NS)
    assert style.find("w:name", NS).get(w("val")) == "学习要点"
    fill = style.find("w:pPr/w:shd", NS).get(w("fill"))
    assert fill not in (None, "auto", "FFFFFF")
    assert style.find("w:rPr/w:rFonts", NS).get(w("eastAsia")) == writer.families()["quote"]


def test_questions_are_numbered_from_one_per_section_with_lines_to_write_on(built) -> None:
    item = built["four-winds"]
    document = item.document
    numbering = item.part("word/numbering.xml")
    paragraphs = document.paragraphs
    lists: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        if paragraph.style.name != "讨论题":
            continue
        num_id = paragraph._p.find("w:pPr/w:numPr/w:numId", NS).get(w("val"))
        lists.append(num_id)
        num = numbering.find(f"w:num[@w:numId='{num_id}']", NS)
        assert num.find("w:lvlOverride/w:startOverride", NS).get(w("val")) == "1"
        following = paragraphs[i + 1:i + 4]
        assert [p.style.name for p in following] == ["书写线"] * 3
        assert all(p._p.find(".//w:tab", NS) is not None for p in following)
    per_section = [len(s.questions) for s in item.handout.outlines[0].sections if s.questions]
    closing = len(item.handout.outlines[0].questions)
    assert [n for n in Counter(lists).values()] == [*per_section, *([closing] if closing else [])]
    tabs = item.part("word/styles.xml").find(
        "w:style[@w:styleId='WritingLine']/w:pPr/w:tabs/w:tab", NS)
    assert tabs.get(w("leader")) == "underscore"


def test_east_asian_fonts_are_named_everywhere_and_no_theme_font_overrides_them(built) -> None:
    faces = writer.families()
    for item in built.values():
        styles = item.part("word/styles.xml")
        default = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
        assert default.find("w:rFonts", NS).get(w("eastAsia")) == faces["body"]
        assert default.find("w:lang", NS).get(w("eastAsia")) == "zh-CN"
        heading = styles.find("w:style[@w:styleId='Heading1']/w:rPr/w:rFonts", NS)
        assert heading.get(w("eastAsia")) == faces["heading"]
        for part in ("word/styles.xml", "word/document.xml"):
            for rfonts in item.part(part).iter(w("rFonts")):
                assert rfonts.get(w("eastAsiaTheme")) is None, part
                assert rfonts.get(w("eastAsia")) in faces.values(), part


def test_the_font_table_names_the_windows_faces_word_falls_back_to(built) -> None:
    table = built["four-winds"].part("word/fontTable.xml")
    alt = {f.get(w("name")): f.find("w:altName", NS).get(w("val"))
           for f in table.findall("w:font", NS) if f.find("w:altName", NS) is not None}
    faces = writer.families()
    assert alt[faces["body"]] == "宋体"
    assert alt[faces["heading"]] == "黑体"
    assert {"宋体", "黑体"} <= {f.get(w("name")) for f in table.findall("w:font", NS)}
    for font in table.findall("w:font", NS):
        assert font.find("w:charset", NS).get(w("val")) == "86"  # GB2312


def test_a_toc_field_and_page_number_fields_in_the_footer(built) -> None:
    item = built["four-winds"]
    body = item.part("word/document.xml")
    instructions = [squeeze(t.text) for t in body.iter(w("instrText"))]
    assert any(i.startswith("TOC\\o") for i in instructions)
    targets = {b.get(w("name")) for b in body.iter(w("bookmarkStart"))}
    links = [h.get(w("anchor")) for h in body.iter(w("hyperlink"))]
    assert links and set(links) <= targets
    with zipfile.ZipFile(item.path) as package:
        footers = [etree.fromstring(package.read(n)) for n in package.namelist()
                   if n.startswith("word/footer")]
    texts = []
    for footer in footers:
        fields = [squeeze(t.text) for t in footer.iter(w("instrText"))]
        texts.append(("".join(t.text or "" for t in footer.iter(w("t"))), fields))
    numbered = [(text, fields) for text, fields in texts if fields]
    assert len(numbered) == 1  # the cover's own footer is empty
    text, fields = numbered[0]
    assert fields == ["PAGE", "NUMPAGES"]
    assert re.fullmatch(r"第 \d+ 页 共 \d+ 页", text)


def test_the_cover_prints_title_date_place_organiser_audience_agenda_and_foreword(built) -> None:
    item = built[PACKET]
    handout = item.handout
    texts = [p.text for p in item.document.paragraphs]
    cover = texts[:texts.index("目　录")]
    assert handout.title in cover
    joined = "\n".join(cover)
    for value in (handout.place, handout.organiser, handout.audience, "2026年12月8日"):
        assert value and value in joined
    assert "会议议程" in cover and "前　言" in cover
    assert by_style(item.document, "封面列项") == list(handout.agenda)
    foreword = [p for p in (handout.foreword or "").split("\n") if p.strip()]
    assert by_style(item.document, "前言") == foreword


def test_a_roster_rows_word_file_is_headed_by_its_branch_on_cover_and_header(built) -> None:
    """As its PDF: the branch heads the cover and the running header, the organiser stays
    among the facts."""
    base = built[PACKET].handout
    row = dataclasses.replace(base, branch="青溪县城关镇第一社区党支部")
    document = docx.Document(io.BytesIO(writer.render_docx(row)))
    texts = [p.text for p in document.paragraphs]
    cover = texts[:texts.index("目　录")]
    assert cover[0] == row.branch
    assert any(base.organiser in t for t in cover[1:])
    assert any(row.branch in t for t in cover[-2:])  # the foot: branch and date
    header = document.sections[0].header.paragraphs[0].text
    assert header == f"{row.branch}　{row.title}"


def test_notes_and_sources_pages_follow_the_readings(built) -> None:
    item = built[PACKET]
    document = item.document
    headings = by_style(document, "Heading 1")
    assert headings[-2:] == ["学习笔记", "材料来源"]
    # two notes pages: the title repeats on the second without a second contents entry
    assert by_style(document, "页标题") == ["学习笔记"] * (item.handout.notes_pages - 1)
    entries = by_style(document, "来源条目")
    assert len(entries) == len({s.id for o in item.handout.outlines for s in o.sources})
    assert all(re.match(r"\[\d+\]\t《", e) for e in entries)


def test_core_properties_title_subject_keywords_and_language(built) -> None:
    item = built[PACKET]
    props = item.document.core_properties
    assert props.title == item.handout.title
    assert props.subject == "；".join(o.theme.name for o in item.handout.outlines)
    assert props.keywords and item.handout.outlines[0].theme.name in props.keywords
    assert props.language == "zh-CN"
    assert props.created.date().isoformat() == item.handout.date


@pytest.mark.parametrize("paper", ["a4", "a5", "b5"])
def test_paper_size_and_mirrored_margins_come_from_paper_toml(built, tmp_path, paper) -> None:
    spec = tomllib.loads((paths.STYLES / "paper.toml").read_text(encoding="utf-8"))[paper]
    handout = dataclasses.replace(built["four-winds"].handout, paper=paper)
    path = tmp_path / "x.docx"
    path.write_bytes(writer.render_docx(handout))
    section = docx.Document(str(path)).sections[0]

    def mm(length: int) -> float:
        return round(length / 36000, 1)

    assert mm(section.page_width) == float(spec["width"][:-2])
    assert mm(section.page_height) == float(spec["height"][:-2])
    assert mm(section.left_margin) == float(spec["inner"][:-2])
    assert mm(section.right_margin) == float(spec["outer"][:-2])
    assert mm(section.top_margin) == float(spec["top"][:-2])
    with zipfile.ZipFile(path) as package:
        settings = etree.fromstring(package.read("word/settings.xml"))
    assert settings.find("w:mirrorMargins", NS) is not None


def test_the_same_handout_gives_the_same_bytes(built) -> None:
    handout = built["four-winds"].handout
    assert writer.render_docx(handout) == built["four-winds"].path.read_bytes()


def test_passage_notes_sources_organiser_note_and_excerpt_print_when_present(built,
                                                                              tmp_path) -> None:
    handout = built["four-winds"].handout
    outline = handout.outlines[0]
    first = dataclasses.replace(
        outline.sections[0], notes=("见《毛泽东选集》第三卷。",),
        sources=("——摘自在党的群众路线教育实践活动工作会议上的讲话",
                 "这是毛泽东同志在中国共产党第七届中央委员会第三次全体会议上讲话的一部分。"
                 "这部分讲话对书面报告作了说明，解释了报告的战略策略思想。"),
        note="本节请结合支部上半年检查出的问题学习。\n讨论时先谈“四风”的具体表现。",
        excerpt="节选，全文见材料来源［1］。")
    changed = dataclasses.replace(
        handout, outlines=(dataclasses.replace(outline, sections=(first,
                                                                  *outline.sections[1:])),))
    path = tmp_path / "notes.docx"
    path.write_bytes(writer.render_docx(changed))
    document = docx.Document(str(path))
    assert by_style(document, "注释") == ["[1]\t见《毛泽东选集》第三卷。"]
    assert by_style(document, "引文出处") == list(first.sources)
    assert by_style(document, "组织者提示标题") == ["组织者提示"]
    assert by_style(document, "组织者提示") == first.note.split("\n")
    assert by_style(document, "节选说明") == [first.excerpt]
    # A short source line sits flush right (the style's); a long one is an editor's note,
    # set justified as the PDF sets it.
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    aligned = [p.alignment for p in document.paragraphs if p.style.name == "引文出处"]
    assert aligned == [None, WD_ALIGN_PARAGRAPH.JUSTIFY]
    before = built["four-winds"].document
    for style in ("注释", "引文出处", "组织者提示", "节选说明"):
        assert by_style(before, style) == []


# ---------------------------------------------------------------- what Word checks


SETTINGS_ORDER = [
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState",
    "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions",
    "doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride",
    "styleLockTheme", "styleLockQFSet", "defaultTabStop", "autoHyphenation",
    "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps", "showEnvelope",
    "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders",
    "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
    "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
    "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
    "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
    "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"
]
PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap",
    "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId",
    "cnfStyle", "rPr", "sectPr", "pPrChange"
]
RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect",
    "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
    "specVanish", "oMath"
]
STYLE_ORDER = [
    "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
    "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
    "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr"
]


def out_of_order(element: etree._Element, order: list[str]) -> list[str]:
    """Children (in the w: namespace) that come before one they must follow."""
    rank = {name: i for i, name in enumerate(order)}
    seen = [etree.QName(c).localname for c in element if etree.QName(c).namespace == W]
    ranks = [rank.get(name, -1) for name in seen]
    return [f"{seen[i]} after {seen[i - 1]}" for i in range(1, len(seen))
            if ranks[i] < ranks[i - 1]]


def test_elements_are_in_the_order_word_requires(built) -> None:
    for item in built.values():
        problems = out_of_order(item.part("word/settings.xml"), SETTINGS_ORDER)
        for part in ("word/styles.xml", "word/document.xml", "word/numbering.xml"):
            root = item.part(part)
            for tag, order in (("pPr", PPR_ORDER), ("rPr", RPR_ORDER), ("style", STYLE_ORDER)):
                for element in root.iter(w(tag)):
                    problems += [f"{part} {tag}: {p}" for p in out_of_order(element, order)]
        numbering = [etree.QName(c).localname for c in item.part("word/numbering.xml")]
        assert numbering.index("num") > max(i for i, n in enumerate(numbering)
                                            if n == "abstractNum")
        assert problems == [], item.name


def test_ids_are_unique_and_references_resolve(built) -> None:
    for item in built.values():
        body = item.part("word/document.xml")
        styles = item.part("word/styles.xml")
        numbering = item.part("word/numbering.xml")
        starts = [b.get(w("id")) for b in body.iter(w("bookmarkStart"))]
        ends = [b.get(w("id")) for b in body.iter(w("bookmarkEnd"))]
        assert len(starts) == len(set(starts)) and sorted(starts) == sorted(ends)
        names = [b.get(w("name")) for b in body.iter(w("bookmarkStart"))]
        assert len(names) == len(set(names)) and all(len(n) <= 40 for n in names)
        style_ids = [s.get(w("styleId")) for s in styles.iter(w("style"))]
        assert len(style_ids) == len(set(style_ids))
        used = {s.get(w("val")) for s in body.iter(w("pStyle"))}
        assert used <= set(style_ids), used - set(style_ids)
        nums = [n.get(w("numId")) for n in numbering.findall("w:num", NS)]
        abstracts = [a.get(w("abstractNumId")) for a in numbering.findall("w:abstractNum", NS)]
        assert len(nums) == len(set(nums)) and len(abstracts) == len(set(abstracts))
        nsids = [a.find("w:nsid", NS).get(w("val")) for a in numbering.findall("w:abstractNum",
                                                                               NS)]
        assert len(nsids) == len(set(nsids))
        assert {n.get(w("val")) for n in body.iter(w("numId"))} <= set(nums)
        with zipfile.ZipFile(item.path) as package:
            members = package.namelist()
            assert len(members) == len(set(members))
            assert package.testzip() is None
            assert not any("thumbnail" in m for m in members)


def test_linked_styles_link_back(built) -> None:
    styles = built["four-winds"].part("word/styles.xml")
    links = {s.get(w("styleId")): s.find("w:link", NS).get(w("val"))
             for s in styles.iter(w("style")) if s.find("w:link", NS) is not None}
    assert links["Heading1"] == "Heading1Char"
    assert {a: b for a, b in links.items() if links.get(b) != a} == {}
    heading_char = styles.find("w:style[@w:styleId='Heading1Char']/w:rPr/w:rFonts", NS)
    assert heading_char.get(w("eastAsia")) == writer.families()["heading"]


def test_every_field_is_begun_separated_and_ended(built) -> None:
    for item in built.values():
        with zipfile.ZipFile(item.path) as package:
            parts = [n for n in package.namelist() if re.match(r"word/(document|footer)", n)]
            for name in parts:
                stack: list[str] = []
                for mark in etree.fromstring(package.read(name)).iter(w("fldChar")):
                    kind = mark.get(w("fldCharType"))
                    if kind == "begin":
                        stack.append("begin")
                    elif kind == "separate":
                        assert stack and stack[-1] == "begin", name
                        stack[-1] = "separate"
                    else:
                        assert stack and stack.pop() == "separate", name
                assert stack == [], name


# ---------------------------------------------------------------- a real LibreOffice


def test_libreoffice_prints_every_heading_and_question_on_the_right_paper(built,
                                                                        converted) -> None:
    from pypdf import PdfReader

    for name, pdf in converted.items():
        text = squeeze(pdf_text(pdf))
        handout = built[name].handout
        box = PdfReader(pdf).pages[0].mediabox
        assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
            210, 297), name  # every theme and this packet are A4
        for heading in reading_headings(handout):
            assert squeeze(heading) in text, (name, heading)
        for question in all_questions(handout):
            assert squeeze(question) in text, (name, question)
        assert "\ufffd" not in text


def test_libreoffice_draws_everything_with_the_configured_cjk_faces(converted) -> None:
    # A character the configured faces lack would come out in a fallback font (or as
    # tofu); a PDF drawn with these faces only has none missing.
    allowed = re.compile(r"^(NotoSerifCJK|NotoSansCJK|LXGWWenKai)")
    for name, pdf in converted.items():
        fonts = pdf_font_names(pdf)
        assert fonts, name
        assert [f for f in fonts if not allowed.match(f)] == [], name
        assert any(f.startswith("NotoSerifCJK") for f in fonts)
        assert any(f.startswith("NotoSansCJK") for f in fonts)


# ---------------------------------------------------------------- the command line


def test_build_format_docx_writes_a_word_file_that_reads_back(tmp_path: Path) -> None:
    target = tmp_path / "四风.docx"
    result = CliRunner().invoke(cli, ["build", "--theme", "four-winds", "--format", "docx",
                                      "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "四风" in docx.Document(str(target)).core_properties.title


def test_an_output_named_docx_means_word_and_packets_have_it_too(tmp_path: Path) -> None:
    target = tmp_path / "packet.docx"
    result = CliRunner().invoke(cli, ["packet", str(paths.PACKETS / f"{PACKET}.toml"),
                                      "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(target)
    assert "会议议程" in [p.text for p in docx.Document(str(target)).paragraphs]


def test_an_unwritable_word_output_is_a_one_line_error_and_no_file(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "x.docx"
    result = CliRunner().invoke(cli, ["build", "--theme", "four-winds", "--format", "docx",
                                      "-o", str(target)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(target) in lines[0] and "cannot write" in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_a_pdf_variant_for_a_word_file_is_refused() -> None:
    result = CliRunner().invoke(cli, ["build", "--theme", "four-winds", "--format", "docx",
                                      "--pdf-variant", "pdf/a-3b"])
    assert result.exit_code == 2 and "--pdf-variant" in result.output


def test_build_all_names_an_unknown_format_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build-all", "--out", str(tmp_path / "b"),
                                      "--formats", "pdf,odt"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: --formats: unknown format odt (known: pdf, docx)"]
