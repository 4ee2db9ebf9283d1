"""A passage too long to print whole becomes an excerpt (节选), said so on the page.

A section of a whole book, or one heading over fifty pages of a report, would make a
handout of a hundred pages nobody reads at a meeting.  The printed passage is its
opening up to the length limit, cut at a sentence end (never mid-sentence), and the
handout says it is an excerpt and where the whole text is.  Nothing is rewritten: every
printed sentence is the author's, verbatim.
"""

from __future__ import annotations

import dataclasses
import re

from handouts.model import Document, Section

# A sentence ends at a full stop, question or exclamation mark (with any closing quote or
# bracket after it), or at the end of its paragraph.
_SENTENCE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」』）)]*|$)")


def excerpt(section: Section, doc: Document, limit: int) -> tuple[Section, str | None]:
    """``section`` cut to at most ``limit`` characters at a sentence end, and the note to
    print with it; the section itself and ``None`` when it fits."""
    total = sum(len(p) for p in section.paragraphs)
    if total <= limit:
        return section, None
    kept: list[str] = []
    used = 0
    for paragraph in section.paragraphs:
        if used + len(paragraph) <= limit:
            kept.append(paragraph)
            used += len(paragraph)
            continue
        part = ""
        for sentence in _SENTENCE.findall(paragraph):
            if not sentence or used + len(part) + len(sentence) > limit:
                break
            part += sentence
        if part.strip():
            kept.append(part)
        break
    if not kept:  # one sentence longer than the limit: print it whole rather than cut it
        first = _SENTENCE.findall(section.paragraphs[0])[0] if section.paragraphs else ""
        kept = [first or section.paragraphs[0]]
    printed = sum(len(p) for p in kept)
    where = f"《{doc.title}》" + (f"（{_file_name(doc.path)}）" if doc.path else "")
    note = f"节选：以上为原文前{printed}字，全文约{total}字，见{where}。"
    return dataclasses.replace(section, text="\n".join(kept)), note


def _file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]
