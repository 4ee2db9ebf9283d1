"""The compositor's finishing pass: no paragraph ends in a lone character (孤字).

A Chinese typesetter does not let a paragraph end with a line that holds one character
and its stop (``接受群众监`` / ``督。``): the paragraph is set a hair tighter, so the
character comes up, or a hair looser, so a second one goes down.  WeasyPrint knows
nothing of this, and a paragraph's last line is only known once the paragraph has been
broken into lines, so the pass works on a finished layout:

1. ``lone_paragraphs`` walks the laid-out boxes for justified paragraphs (body text,
   key points, questions, the foreword) whose last line holds fewer than
   ``min_last_line`` characters, punctuation not counted;
2. only if there are any, ``choose_spacing`` lays those paragraphs out once more, in a
   small trial document that holds nothing else, each in a row of copies with letter
   spacing from slightly negative to slightly positive, and keeps for each the smallest
   change that ends it on at least ``min_last_line`` characters (line breaking inside a
   paragraph depends on its text and its column only, so the trial breaks it exactly as
   the handout will);
3. the chosen spacing is set on those paragraphs' elements (``--handouts-tracking``,
   which ``justify`` applies to CJK characters when lines are measured and drawn) and
   the document is laid out again.  Justification still spreads each line's slack over
   its characters, on top of that spacing, so every line still ends on the right edge.

The text is never changed: only spacing.  A handout with no lone last line costs one
tree walk; one with some costs a small trial layout and a second layout, the first time
its paragraphs are set: ``memo`` keeps each choice, and a later render applies it before
its only layout.  The limits live in ``styles/typography.toml``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import html
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from handouts import paths
from handouts.errors import ConfigError
from handouts.writers.pdf import justify, memo

CONFIG = "typography.toml"


@dataclass(frozen=True)
class Typography:
    """The settings of ``styles/typography.toml`` (see the comments there)."""

    min_last_line: int = 2
    tighten_limit: float = 0.04
    loosen_limit: float = 0.02
    step: float = 0.01
    mixed_script_space: float = 0.25
    space_numerals: bool = True

    def candidates(self) -> list[float]:
        """Letter spacings to try, in em, smallest change first, tighter before looser."""
        found: list[float] = []
        k = 1
        while k * self.step <= max(self.tighten_limit, self.loosen_limit) + 1e-9:
            value = round(k * self.step, 4)
            if value <= self.tighten_limit + 1e-9:
                found.append(-value)
            if value <= self.loosen_limit + 1e-9:
                found.append(value)
            k += 1
        return found


_DISABLED = False


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Render without the finishing touches (the layout before them, for comparison)."""
    global _DISABLED
    previous, _DISABLED = _DISABLED, True
    try:
        yield
    finally:
        _DISABLED = previous


def is_disabled() -> bool:
    return _DISABLED


def settings() -> Typography:
    return _settings(paths.STYLES / CONFIG)


@functools.cache
def _settings(where: Path) -> Typography:
    try:
        data = tomllib.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Typography()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(where, f"cannot be read: {exc}") from None
    last = data.get("last_line", {})
    mixed = data.get("mixed_script", {})
    try:
        result = Typography(
            min_last_line=int(last.get("min_characters", 2)),
            tighten_limit=abs(float(last.get("tighten_limit_em", 0.04))),
            loosen_limit=abs(float(last.get("loosen_limit_em", 0.02))),
            step=float(last.get("step_em", 0.01)),
            mixed_script_space=float(mixed.get("space_em", 0.25)),
            space_numerals=bool(mixed.get("numerals", True)),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(where, f"a setting has the wrong type: {exc}") from None
    if result.step <= 0 or result.tighten_limit > 0.2 or result.loosen_limit > 0.2:
        raise ConfigError(where, "last_line: step_em must be positive and the limits "
                                 "at most 0.2 em")
    return result


def counted_characters(text: str) -> int:
    """Characters that count towards a line's length: punctuation and spaces do not
    (``督。`` holds one).  The read-back in ``pdfcheck`` counts the same way."""
    return sum(1 for ch in text
               if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


# ---------------------------------------------------------------- the pass


def finish(html: Any, source: str, render: Callable[[Any], Any]) -> Any:
    """``html`` (parsed from ``source``) laid out with no lone last lines where spacing
    within the limits can avoid them; ``render`` lays an HTML object out.

    What ``memo`` knows is applied before the first layout, so a paragraph set before
    costs nothing more; only a paragraph seen for the first time (or whose spacing the
    memo no longer matches) sends the document through the trial and a second layout.
    """
    if _DISABLED:
        return render(html)
    config = settings()
    if config.min_last_line < 2:
        return render(html)
    known = memo.current()
    root = html.etree_element
    context = memo.context(root, repr(config))
    keys: dict[Any, str] = {}
    unfixable: set[Any] = set()
    if len(known):
        # Digests first: a paragraph's own spacing is part of what the next one sees.
        keys = memo.digests(root, memo.candidates(root), context)
        choices = known.lookup(keys.values())
        for element, key in keys.items():
            if key not in choices:
                continue
            if choices[key] is None:
                unfixable.add(element)
            else:
                _add_style(element, _tracking_declaration(choices[key]))
    document = render(html)
    lone = [el for el in lone_paragraphs(document, config.min_last_line)
            if el not in unfixable]
    if not lone:
        return document
    keys.update(memo.digests(root, [el for el in lone if el not in keys], context))
    chosen = choose_spacing(html, source, lone, config, render)
    known.learn({keys[el]: chosen.get(el, memo.UNFIXABLE) for el in lone})
    if not chosen:
        return document
    for element, spacing in chosen.items():
        _add_style(element, _tracking_declaration(spacing))
    return render(html)


def paragraph_lines(document: Any) -> dict[Any, list[str]]:
    """The text of each line of every justified paragraph, keyed by its element, in
    page order (a paragraph broken over pages has its lines from every page)."""
    found: dict[Any, list[str]] = {}
    for page in document.pages:
        _collect(page._page_box, found)
    return found


def lone_paragraphs(document: Any, min_last_line: int) -> list[Any]:
    """Elements of the paragraphs of two lines or more whose last line is too short."""
    return [element for element, texts in paragraph_lines(document).items()
            if len(texts) > 1 and counted_characters(texts[-1]) < min_last_line]


def _collect(box: Any, found: dict[Any, list[str]]) -> None:
    from weasyprint.formatting_structure import boxes

    children = getattr(box, "children", ())
    if children and isinstance(box, boxes.BlockContainerBox) and _justified(box):
        texts = [_line_text(child) for child in children if isinstance(child, boxes.LineBox)]
        if texts and box.element is not None:
            found.setdefault(box.element, []).extend(texts)
    for child in children:
        if not isinstance(child, boxes.LineBox):
            _collect(child, found)


def _justified(box: Any) -> bool:
    style = box.style
    return style["text_align_all"] == "justify" and style["text_align_last"] != "justify"


def _line_text(box: Any) -> str:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        return box.text
    if isinstance(box, boxes.InlineBlockBox):
        return ""  # a list number set in its own box (``1.``)
    return "".join(_line_text(child) for child in getattr(box, "children", ()))


def choose_spacing(html: Any, source: str, lone: list[Any], config: Typography,
                   render: Callable[[Any], Any]) -> dict[Any, float]:
    """For each element of ``lone``, the smallest letter spacing (em) within the limits
    with which its paragraph ends on ``min_last_line`` characters or more."""
    import weasyprint

    trial = weasyprint.HTML(string=source, base_url=html.base_url, url_fetcher=html.url_fetcher)
    paths_of = _element_paths(html.etree_element)
    copies: dict[Any, tuple[Any, float]] = {}
    targets = [(element, _follow(trial.etree_element, paths_of[element])) for element in lone]
    for element, twin in targets:
        parent = _parent_map(trial.etree_element)[twin]
        at = list(parent).index(twin)
        for offset, spacing in enumerate(config.candidates(), 1):
            clone = copy.deepcopy(twin)
            clone.tail = None
            clone.attrib.pop("id", None)
            _add_style(clone, _tracking_declaration(spacing))
            parent.insert(at + offset, clone)
            copies[clone] = (element, spacing)
    _keep_only(trial.etree_element, set(copies))
    laid_out = paragraph_lines(render(trial))
    chosen: dict[Any, float] = {}
    for clone, (element, spacing) in copies.items():
        texts = laid_out.get(clone)
        if not texts or element in chosen:
            continue
        if len(texts) == 1 or counted_characters(texts[-1]) >= config.min_last_line:
            chosen[element] = spacing
    return chosen


def _tracking_declaration(spacing: float) -> str:
    from handouts.writers.pdf.justify import TRACKING_PROPERTY

    return f"{TRACKING_PROPERTY}:{spacing:.4f}"


def _add_style(element: Any, declaration: str) -> None:
    existing = (element.get("style") or "").strip().rstrip(";")
    element.set("style", f"{existing};{declaration}" if existing else declaration)


def _parent_map(root: Any) -> dict[Any, Any]:
    return {child: parent for parent in root.iter() for child in parent}


def _element_paths(root: Any) -> dict[Any, tuple[int, ...]]:
    found: dict[Any, tuple[int, ...]] = {root: ()}
    stack = [root]
    while stack:
        node = stack.pop()
        for index, child in enumerate(node):
            found[child] = found[node] + (index,)
            stack.append(child)
    return found


def _follow(root: Any, path: tuple[int, ...]) -> Any:
    node = root
    for index in path:
        node = node[index]
    return node


def _keep_only(root: Any, kept: set[Any]) -> None:
    """Remove from the body every element that neither holds nor is inside one of
    ``kept``: the trial lays out only the copies, each among the same ancestors (same
    classes, so the same font, indent and column width), and computes no style for the
    rest of the handout."""
    parents = _parent_map(root)
    keep: set[Any] = set()
    for element in kept:
        node = element
        while node is not None and node not in keep:
            keep.add(node)
            node = parents.get(node)
    body = next((el for el in root.iter() if el.tag == "body"), None)
    if body is None:
        return
    stack = [body]
    while stack:
        node = stack.pop()
        for child in list(node):
            if child in kept:
                continue
            if child in keep:
                stack.append(child)
            else:
                node.remove(child)


# ---------------------------------------------------------------- mixed-script spacing

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
# A run of Latin letters and Arabic numerals as it is read: words, numbers with their
# decimal point, separators and percent sign, several words with single spaces.
_WORD = r"[A-Za-z0-9]+(?:[.\-/:+][A-Za-z0-9]+)*%?"
_INLINE = re.compile(f"(?P<quote>[\u2018\u2019\u201c\u201d])|(?P<run>{_WORD}(?: {_WORD})*)")
_LETTER = re.compile(r"[A-Za-z]")
# Classes of the spans that carry the space (styles come from ``css``; ``justify``
# drops the space where a span opens or closes a line, as CLREQ asks).
GAP_BEFORE, GAP_AFTER = justify.GAP_BEFORE, justify.GAP_AFTER


_TAG = re.compile(r"(<[^>]*>)")


def mixed_script_markup(text: str, *, quotes: bool = False) -> Markup:
    """``_mixed_script`` for plain text, and for markup another filter made (the
    superscript note references of ``noterefs``): there only the text between the tags
    is spaced, and nothing across a tag."""
    if not isinstance(text, Markup):
        return _mixed_script(text, quotes=quotes)
    parts = _TAG.split(str(text))
    return Markup("".join(part if i % 2 else str(_mixed_script(html.unescape(part),
                                                              quotes=quotes))
                          for i, part in enumerate(parts)))


def _mixed_script(text: str, *, quotes: bool = False) -> Markup:
    """``text``, escaped, with each run of Latin letters or Arabic numerals that touches
    a Han character wrapped in a span that spaces it from that character (W3C CLREQ
    §3.2.2: a quarter em, none next to punctuation, none at a line's start or end).

    Nothing is inserted into the text: the space is a margin, so copying the line gives
    ``PDF文件`` as written.  With ``quotes``, curly quotes are wrapped as ``cjk_quotes``
    does (for the Kai texts, whose own quotes are narrow).
    """
    config = settings()
    spaced = not _DISABLED and config.mixed_script_space > 0
    out: list[str] = []
    last = 0
    for match in _INLINE.finditer(text):
        run = match.group("run")
        if run is None and not quotes:
            continue
        out.append(str(escape(text[last:match.start()])))
        last = match.end()
        if run is None:
            out.append(f'<span class="cjk-mark">{escape(match.group("quote"))}</span>')
            continue
        classes = []
        if spaced and (config.space_numerals or _LETTER.search(run)):
            if match.start() > 0 and _HAN.match(text[match.start() - 1]):
                classes.append(GAP_BEFORE)
            if match.end() < len(text) and _HAN.match(text[match.end()]):
                classes.append(GAP_AFTER)
        if classes:
            out.append(f'<span class="{" ".join(classes)}">{escape(run)}</span>')
        else:
            out.append(str(escape(run)))
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def css() -> Markup:
    """The style of the spacing spans, from ``styles/typography.toml``."""
    space = settings().mixed_script_space
    return Markup(f".{GAP_BEFORE}{{margin-left:{space:.3f}em}}"
                  f".{GAP_AFTER}{{margin-right:{space:.3f}em}}")
