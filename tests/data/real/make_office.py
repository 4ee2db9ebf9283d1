"""Produce the benchmark's .docx and .pdf files from retrieved public texts.

Study material mostly arrives as Word files and PDFs, so the benchmark needs some; the
public repositories hold these texts only as Markdown.  This script turns a retrieved
Markdown file of the 《毛泽东选集》 family (see SOURCES.md) into a flat ODF text document
with real heading styles (标题 = Heading 1/2), real footnotes, a running header and page
numbers, then lets LibreOffice convert it:

    python tests/data/real/make_office.py            # rebuild every file in OUTPUTS

The produced files are committed; rerun only on purpose and review the diff in text.
"""

# ruff: noqa: E501  (the ODF template below is XML, kept one element per line)

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).parent

# produced file -> the retrieved text it is made from
OUTPUTS = {
    "essay_fandui_benben.docx": "essay_fandui_benben.md",
    "essay_wei_renmin_fuwu.docx": "essay_wei_renmin_fuwu.md",
    "compilation_yanan_liangge_wenjian.docx": "compilation_yanan_liangge_wenjian.md",
    "compilation_liangci_tanhua.docx": "compilation_liangci_tanhua.md",
    "speech_yugong_yishan.pdf": "speech_yugong_yishan.md",
    "policy_heping_tanpan.pdf": "policy_heping_tanpan.md",
    "policy_sanda_jilv.pdf": "policy_sanda_jilv.md",
}

_MARKER = re.compile(r"\[\[\[(\d+)\]\]\]\(#_ftn\d+\)|\[(\d+)\](?!\()")
_NOTE = re.compile(r"^\[\[\[?(\d+)\]\]\]?\(#_ftnref\d+\)\s*(.*)$")
_PLAIN_HEAD = re.compile(r"^[一二三四五六七八九十]　\S")
_SUB_HEAD = re.compile(r"^（\d）\S{2,20}$")


def parse(text: str) -> tuple[str, list[tuple[str, str]], dict[str, str]]:
    """(title, blocks, notes): blocks are ("title"|"h1"|"h2"|"p", text with ⟦n⟧ markers)."""
    lines = text.split("\n")
    title = next(line[2:].strip() for line in lines if line.startswith("# "))
    second = [i for i, line in enumerate(lines) if line.startswith("## ")]
    body = lines[second[0] + 1 :] if second else lines[1:]
    blocks: list[tuple[str, str]] = [("title", title)]
    notes: dict[str, str] = {}
    in_notes = False
    for raw in body:
        line = raw.strip().strip("　").strip()
        if not line or line in ("---", "->"):
            continue
        if line.strip("*") == "注释":
            in_notes = True
            continue
        if in_notes:
            m = _NOTE.match(line)
            if m:
                notes[m.group(1)] = m.group(2).strip()
            continue
        line = re.sub(r"^>\s*", "", line).strip().strip("　")
        line = re.sub(r"^\*\s*", "", line).strip("*").strip()
        marked = _MARKER.sub(lambda m: f"⟦{m.group(1) or m.group(2)}⟧", line)
        if raw.startswith("#"):
            blocks.append(("h1", re.sub(r"^#+\s*", "", marked)))
        elif _PLAIN_HEAD.match(raw):
            blocks.append(("h1", marked))
        elif _SUB_HEAD.match(line):
            blocks.append(("h2", marked))
        elif blocks[-1][0] == "h1" and blocks[-1][1].endswith("，"):
            blocks[-1] = ("h1", blocks[-1][1] + marked)  # a head broken over two lines
        else:
            blocks.append(("p", marked))
    return title, blocks, notes


def _inline(text: str, notes: dict[str, str]) -> str:
    def note(m: re.Match[str]) -> str:
        n = m.group(1)
        body = escape(notes.get(n, ""))
        return (
            f'<text:note text:id="ftn{n}" text:note-class="footnote">'
            f"<text:note-citation>{n}</text:note-citation><text:note-body>"
            f'<text:p text:style-name="Footnote">{body}</text:p>'
            "</text:note-body></text:note>"
        )

    return re.sub(r"⟦(\d+)⟧", note, escape(text))


def fodt(title: str, blocks: list[tuple[str, str]], notes: dict[str, str]) -> str:
    parts = []
    for kind, text in blocks:
        inner = _inline(text, notes)
        if kind == "title":
            parts.append(f'<text:p text:style-name="Title">{inner}</text:p>')
        elif kind == "h1":
            parts.append(
                f'<text:h text:style-name="Heading_20_1" text:outline-level="1">{inner}</text:h>'
            )
        elif kind == "h2":
            parts.append(
                f'<text:h text:style-name="Heading_20_2" text:outline-level="2">{inner}</text:h>'
            )
        else:
            parts.append(f'<text:p text:style-name="Text_20_body">{inner}</text:p>')
    body = "\n".join(parts)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>{escape(title)}</dc:title><dc:language>zh-CN</dc:language></office:meta>
<office:font-face-decls>
 <style:font-face style:name="Noto Serif CJK SC" svg:font-family="'Noto Serif CJK SC'"/>
 <style:font-face style:name="Noto Sans CJK SC" svg:font-family="'Noto Sans CJK SC'"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:text-properties style:font-name="Noto Serif CJK SC" style:font-name-asian="Noto Serif CJK SC"
   fo:font-size="11pt" style:font-size-asian="11pt" fo:language="zh" fo:country="CN"
   style:language-asian="zh" style:country-asian="CN"/>
 </style:default-style>
 <style:style style:name="Standard" style:family="paragraph" style:class="text"/>
 <style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph"
  style:parent-style-name="Standard" style:class="text">
  <style:paragraph-properties fo:margin-bottom="0.2cm" fo:text-indent="0.78cm" fo:text-align="justify"/>
 </style:style>
 <style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard" style:class="chapter">
  <style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.4cm"/>
  <style:text-properties style:font-name-asian="Noto Sans CJK SC" fo:font-size="18pt" style:font-size-asian="18pt" fo:font-weight="bold" style:font-weight-asian="bold"/>
 </style:style>
 <style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard" style:class="text">
  <style:paragraph-properties fo:margin-top="0.4cm" fo:margin-bottom="0.2cm" fo:keep-with-next="always"/>
  <style:text-properties style:font-name-asian="Noto Sans CJK SC" fo:font-weight="bold" style:font-weight-asian="bold"/>
 </style:style>
 <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph"
  style:parent-style-name="Heading" style:default-outline-level="1" style:class="text">
  <style:text-properties fo:font-size="14pt" style:font-size-asian="14pt"/>
 </style:style>
 <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph"
  style:parent-style-name="Heading" style:default-outline-level="2" style:class="text">
  <style:text-properties fo:font-size="12pt" style:font-size-asian="12pt"/>
 </style:style>
 <style:style style:name="Footnote" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
  <style:text-properties fo:font-size="9pt" style:font-size-asian="9pt"/>
 </style:style>
 <style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="9pt" style:font-size-asian="9pt"/>
 </style:style>
 <style:style style:name="Footer" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="9pt" style:font-size-asian="9pt"/>
 </style:style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1">
  <style:page-layout-properties fo:page-width="14.8cm" fo:page-height="21cm"
   fo:margin-top="1.5cm" fo:margin-bottom="1.5cm" fo:margin-left="1.8cm" fo:margin-right="1.8cm"/>
  <style:header-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-bottom="0.3cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-top="0.3cm"/></style:footer-style>
 </style:page-layout>
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Standard" style:page-layout-name="pm1">
  <style:header><text:p text:style-name="Header">毛泽东选集 · {escape(title)}</text:p></style:header>
  <style:footer><text:p text:style-name="Footer">- <text:page-number text:select-page="current">1</text:page-number> -</text:p></style:footer>
 </style:master-page>
</office:master-styles>
<office:body><office:text>
{body}
</office:text></office:body>
</office:document>
"""


def build(target: str, source: str) -> None:
    text = (HERE / source).read_text(encoding="utf-8")
    title, blocks, notes = parse(text)
    fmt = Path(target).suffix.lstrip(".")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / (Path(target).stem + ".fodt")
        src.write_text(fodt(title, blocks, notes), encoding="utf-8")
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile",
             "--convert-to", fmt, "--outdir", tmp, str(src)],
            check=True, capture_output=True, timeout=180,
        )
        shutil.copyfile(Path(tmp) / target, HERE / target)


def main(argv: list[str]) -> int:
    for target, source in OUTPUTS.items():
        if argv and target not in argv:
            continue
        build(target, source)
        print(f"{target} <- {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
