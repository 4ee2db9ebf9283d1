"""Scraped page text -> the article: metadata out, boilerplate dropped, text repaired.

The seed pages come from document-sharing sites, news portals and essay collections;
new pages will come from sites nobody has seen.  So the cleaner leans on what every
such page has in common rather than on one site's strings:

* **position**: the article is a block of prose; what precedes its title (banners,
  disclaimers, menus, breadcrumbs) and what follows an end-of-article marker (相关阅读,
  上一篇, 责编, copyright) is page furniture;
* **shape**: prose lines are long, Han-dense and punctuated; furniture lines are short,
  link-like, digit-only, ``|``-separated, or come in runs;
* **vocabulary of the site itself** (本站, 下载, 版权, VIP ...): two or more such words in
  one line outside the article body mark a site notice.  The word lists complement the
  signals above and live in ``handouts/data/boilerplate.toml``.

Each decision is recorded (``Dropped``) so ``handouts corpus --explain`` can show it.
Text repair (``repair``) is a pure, idempotent function: half-width punctuation inside
Chinese text to full-width, straight quotes to curly ones, whitespace normalised.
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field

from handouts.paths import DATA

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{HAN}]")
_HAN_RUN = re.compile(f"[{HAN}]+")
# Punctuation that may close a sentence (a paragraph ending elsewhere is unfinished).
TERMINAL = "。！？!?…；;」』”’）)】》〉"
_CJK_PUNCT = "，。、：；？！（）“”‘’《》〈〉「」『』【】—…·"
_SENTENCE_END = re.compile(r"[。！？!?…]")


@dataclass(frozen=True)
class Dropped:
    """A line the cleaner left out, with the reason an organiser can check."""

    line: int  # 1-based line number in the decoded file
    text: str
    reason: str


@dataclass(frozen=True)
class Cleaned:
    """The article of one page: its metadata and its paragraphs, in order."""

    title: str | None
    date: str | None
    source: str | None
    author: str | None
    paragraphs: tuple[str, ...]
    dropped: tuple[Dropped, ...] = ()
    notes: tuple[str, ...] = field(default=())  # joins and other repairs, for --explain

    def as_text(self) -> str:
        """Title and paragraphs as a plain text file: cleaning it again changes nothing."""
        head = [self.title] if self.title else []
        return "\n\n".join([*head, *self.paragraphs]) + "\n"


# ---------------------------------------------------------------------------
# Vocabulary (data, not code)


@dataclass(frozen=True, eq=False)
class Vocabulary:
    site_terms: tuple[str, ...]
    end_markers: tuple[str, ...]
    widgets: tuple[str, ...]
    chatty: tuple[str, ...]
    appeals: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    toolbar: tuple[str, ...] = ()

    # One alternation per list: a line is scanned once, not once per phrase.
    @functools.cached_property
    def site_re(self) -> re.Pattern[str]:
        return _alternation(self.site_terms)

    @functools.cached_property
    def widget_re(self) -> re.Pattern[str]:
        return re.compile(f"^(?:{_alternation(self.widgets).pattern})[^。！？；，,.!?;]{{0,10}}$")

    @functools.cached_property
    def end_re(self) -> re.Pattern[str]:
        return re.compile(f"^({_alternation(self.end_markers).pattern}).{{0,8}}$")

    @functools.cached_property
    def chatty_re(self) -> re.Pattern[str]:
        return _alternation(self.chatty)

    @functools.cached_property
    def appeal_re(self) -> re.Pattern[str]:
        return _alternation(self.appeals)

    @functools.cached_property
    def toolbar_re(self) -> re.Pattern[str]:
        return _alternation(self.toolbar)


def _alternation(phrases: Sequence[str]) -> re.Pattern[str]:
    ordered = sorted(set(phrases), key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in ordered))


@functools.cache
def vocabulary() -> Vocabulary:
    with open(DATA / "boilerplate.toml", "rb") as fh:
        data = tomllib.load(fh)
    return Vocabulary(
        tuple(data["site_terms"]),
        tuple(data["end_markers"]),
        tuple(data["widgets"]),
        tuple(data["chatty"]),
        tuple(data.get("appeals", ())),
        tuple(data.get("columns", ())),
        tuple(data.get("toolbar", ())),
    )


# ---------------------------------------------------------------------------
# Text repair


_WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
# Spaces next to Chinese punctuation go, except before a list marker such as ``（1）``
# that a scraper ran into the previous heading: that space is the only separator.
_NO_SPACE_NEAR = re.compile(
    f"(?<=[{_CJK_PUNCT}]) | (?=[{_CJK_PUNCT}])"
    "(?![（(](?:\\d{1,2}|[一二三四五六七八九十]{1,3})[）)])"
)
_ELLIPSIS = re.compile(r"(?:„+|\.{3,6}|。{3,6}|(?<!…)…(?!…))")
_URL = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef" + HAN + r"]+")


def _is_han(ch: str) -> bool:
    return bool(ch) and bool(_HAN_RE.match(ch))


def _chinese_context(ch: str) -> bool:
    return _is_han(ch) or (bool(ch) and ch in _CJK_PUNCT)


_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", ".": "。"}
_CLOSERS = "”’）》」』】"


def repair(text: str) -> str:
    """Normalise one paragraph (or line).  Idempotent: ``repair(repair(t)) == repair(t)``.

    Half-width punctuation becomes full-width only where a Han character or Chinese
    punctuation is next to it, so ``1,000``, ``11:03``, ``9:00-18:30``, URLs and Latin
    sentences keep theirs.  Single spaces between Han characters are kept: on scraped
    pages they often separate a heading from its text or a byline from a title.
    """
    text = _WS.sub(" ", text).strip()
    if not text:
        return ""
    heading = re.match(r"#{1,6} (?=\S)", text)
    if heading:  # ``## 【原】…``: the space after the hashes is Markdown's, not a gap
        return heading.group(0) + repair(text[heading.end() :])
    text = _ELLIPSIS.sub("……", text).replace("…………", "……")
    urls: list[str] = []

    def hide(m: re.Match[str]) -> str:
        urls.append(m.group(0))
        return f"\x00{len(urls) - 1}\x00"

    if "http" in text or "www." in text:
        text = _URL.sub(hide, text)
    # Each conversion can give the next one Chinese context (a quote turned curly
    # makes the colon beside it Chinese), so run them to a fixed point.  Most lines of
    # Chinese prose have nothing to convert: they skip the loop.
    for _ in range(4 if _CONVERTIBLE.search(text) else 0):
        before = text
        text = _NO_SPACE_NEAR.sub("", _quotes(_parentheses(_punctuation(text))))
        if text == before or not _CONVERTIBLE.search(text):
            break
    if urls:
        text = re.sub(r"\x00(\d+)\x00", lambda m: urls[int(m.group(1))], text)
    return text


_HALF = re.compile(r"[,:;?!.]")
_CONVERTIBLE = re.compile(r"[,:;?!.()\"' ]")


def _punctuation(text: str) -> str:
    positions = [m.start() for m in _HALF.finditer(text)]
    if not positions:
        return text
    chars = list(text)
    n = len(chars)
    for i in positions:
        ch = chars[i]
        full = _HALF_TO_FULL[ch]
        j = i - 1
        while j >= 0 and chars[j] == " ":
            j -= 1
        k = i + 1
        while k < n and chars[k] == " ":
            k += 1
        before = chars[j] if j >= 0 else ""
        after = chars[k] if k < n else ""
        if ch in ",:" and before.isdigit() and after.isdigit():
            continue  # 1,000 and 11:03
        if ch == ".":
            # A full stop only after Chinese text and before Chinese text or the end:
            # 1.5, 1.怎样, v2.0 and abbreviations keep theirs.
            if (_is_han(before) or (before in _CLOSERS and before)) and (
                not after or _chinese_context(after)
            ):
                chars[i] = full
            continue
        if (
            _chinese_context(before)
            or (ch in ",:;" and _is_han(after))
            or (ch in "?!" and _is_han(before))
        ):
            chars[i] = full
    return "".join(chars)


_PAREN = re.compile(r"\(([^()]*)\)")


def _parentheses(text: str) -> str:
    def swap(m: re.Match[str]) -> str:
        inner = m.group(1)
        start = m.start()
        before = text[start - 1] if start else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if (
            _HAN_RE.search(inner)
            or _chinese_context(before)
            or _chinese_context(after)
            or (not before and not inner.isascii())
        ):
            return f"（{inner}）"
        if (
            not before
            and re.fullmatch(r"\d{1,2}|[一二三四五六七八九十]+", inner)
            and _chinese_context(after)
        ):
            return f"（{inner}）"
        return m.group(0)

    return _PAREN.sub(swap, text)


def _quotes(text: str) -> str:
    """Straight quotes to curly ones, alternating open/close, only in Chinese text."""
    if '"' not in text and "'" not in text:
        return text
    out: list[str] = []
    open_double = open_single = False
    for i, ch in enumerate(text):
        if ch == '"' and _HAN_RE.search(text[max(0, i - 12) : i + 12]):
            out.append("”" if open_double else "“")
            open_double = not open_double
        elif ch == "'" and _quote_context(text, i):
            out.append("’" if open_single else "‘")
            open_single = not open_single
        else:
            out.append(ch)
    return "".join(out)


def _quote_context(text: str, i: int) -> bool:
    before = text[i - 1] if i else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    # An apostrophe between Latin letters (don't) stays as it is.
    if before.isascii() and before.isalpha() and after.isascii() and after.isalpha():
        return False
    return _chinese_context(before) or _chinese_context(after)


# ---------------------------------------------------------------------------
# Line classification


def han_count(text: str) -> int:
    # Runs, not characters: one match per run is three times faster on prose, and
    # cleaning counts Han characters of every line several times.
    return sum(map(len, _HAN_RUN.findall(text)))


def is_prose(line: str) -> bool:
    """A line of running text: mostly Han, and either long and punctuated or a
    finished sentence of some length."""
    han = han_count(line)
    if han / max(1, len(line)) < 0.5:
        return False
    if han >= 20 and re.search(r"[，。；！？,;!?]", line):
        return True
    # A full stop ends a sentence; a question or exclamation with a comma in it is
    # a sentence too (a bare 什么是群众路线？ may still be a title).
    end = line.rstrip("”’）」』")[-1:]
    return han >= 8 and (end == "。" or (end in "！？!?" and bool(re.search(r"[，,]", line))))


_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?(?!\d)"
)
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
_SOURCE = re.compile(
    r"(?:信息来源|来源|来自|出处|稿源|转载自|转自|來源|來自|出處)\s*[:：]\s*([^\s|/()（）:：]{2,20})"
)
_AUTHOR = re.compile(r"(?:作者|撰稿|文)\s*[:：/]\s*([^\s|/()（）:：,，]{2,12})")
_META_KEY = re.compile(
    r"发布时间|发表时间|发布日期|更新时间|时间\s*[:：]|日期\s*[:：]|来源\s*[:：]|作者\s*[:：]|编辑\s*[:：]"
    r"|浏览|阅读\s*[:：(（]|点击|提问者|發佈|發表|時間|日期|來源|作者|編輯|閱讀|點擊|瀏覽"
)
# A static-site generator's embed ({{< video src="…" >}}, {% include … %}) alone on a
# line: what the site draws there is not text.  Tags a page shows as text stay.
_SHORTCODE = re.compile(r"^(?:\{\{[<%].*?[>%]\}\}|\{%.*?%\})$")
_WORDS = re.compile(rf"[0-9A-Za-z{HAN}\u3040-\u30ff\uac00-\ud7af]")
_DIGITS_ONLY = re.compile(r"^[\s\d.,，/|·()（）-]+$")
_BREADCRUMB = re.compile(
    r"^(?:您的位置|当前位置|你的位置|你现在的位置|您现在的位置|位置)\s*[:：]|^\S.{0,40}?\s*(?:>|＞|»|›|→)\s*.+(?:>|＞|»|›|→)"
)
_COPYRIGHT = re.compile(
    r"copyright|©|\(c\)\s*\d{4}|all rights reserved|版权所有|ICP\s*[备证]"
    r"|公网安备|网安备|增值电信|违法和不良信息",
    re.I,
)
_EDITOR = re.compile(
    r"^(?:[\[【(（]?\s*)?(?:责任编辑|责编|编辑|审核|校对|文章关键词|关键词|关键字|标签|tags?)\s*[:：]",
    re.I,
)
# Tokens between pipes may hold spaces; no separate \s* around the pipe, so the
# pattern cannot backtrack exponentially on a long line of pipes.
_PIPE_MENU = re.compile(r"^[^|｜]{1,12}(?:[|｜][^|｜]{1,12}){2,}$")
_BULLET_LINK = re.compile(r"^\s*[•·▪►▸»]\s*")
_LIST_NOTICE = re.compile(r"^[-*]\s*\d+\s*[、.．]")
_QA_PS = re.compile(r"^(?:PS|P\.S\.|ps)\s*[:：]", re.I)
# Contact and sponsor lines of a site footer (主办：…  地址：…  邮编 …).
_FOOTER = re.compile(
    r"^(?:主办|承办|协办|主辦|承辦|技术支持|技術支持|网站标识码|地址|通讯地址|邮编|郵編|联系电话|电话|"
    r"傳真|传真|邮箱|E-?mail)\s*[:：]",
    re.I,
)
# Rows of bracketed controls: 【字体：大 中 小】【打印】【关闭】, and share bars.
_BRACKET_WIDGETS = re.compile(r"^(?:[【\[［]\s*[^】\]］]{1,12}\s*[】\]］]\s*)+$")
_SHARE = re.compile(r"^(?:分享到|分享至|转发到)\s*[:：]?.{0,30}$")
# Counters: 阅读 1万+  在看 56, 浏览次数：356, 点赞(12).
_COUNTER = re.compile(
    r"^(?:(?:阅读|在看|点赞|浏览|浏览次数|评论|收藏|转发|分享|閱讀|瀏覽)[\s:：(（]*[\d.]+[万千wk+]*[)）\s次]*)+$",
    re.I,
)


_AUTHORED = 30
# The page speaking of itself: a disclaimer under the article says 本站/本网 and
# disowns or guards what it shows (不代表本站观点, 如有侵权).
_SELF = re.compile(r"本站|本网|本網|本平台")
_DISCLAIMS = re.compile(r"侵权|侵權|版权|版權|免责|免責|不代表|立场|立場")


def _site_hits(line: str) -> int:
    return len(set(vocabulary().site_re.findall(line)))


def toolbar(line: str) -> bool:
    """A row of the page's buttons run together (转藏全屏朗读打印, QQ空间 QQ好友 新浪微博
    微信, 献花（0）+1): two button words or more and nothing else but counts."""
    stripped = line.strip()
    if len(stripped) > 40 or re.search(r"[，。；！？,;!?]", stripped):
        return False
    words = vocabulary().toolbar_re.findall(stripped)
    rest = vocabulary().toolbar_re.sub("", stripped)
    return len(words) >= 2 and not re.sub(r"[\s\d+×|｜/（）()\[\]【】:：.·-]", "", rest)


def site_disclaimer(line: str) -> bool:
    """The site's own disclaimer (本站……所有内容均由用户发布，不代表本站观点……侵权……
    举报): the page speaking of itself in three or more of its words and disowning or
    guarding what it shows.  Under an article it closes the article.  A text that says
    本站 of a railway station, with 下载 and 分享 in it, disowns nothing and goes on."""
    return bool(_SELF.search(line) and _DISCLAIMS.search(line)) and _site_hits(line) >= 3


def strong_boilerplate(line: str) -> str | None:
    """A reason if the line is page furniture wherever it appears, else None."""
    stripped = line.strip()
    if _DIGITS_ONLY.match(stripped):
        return "stray number (page number or view count)"
    if not _WORDS.search(stripped):
        return "no words (navigation arrow, rule or ornament)"
    if _SHORTCODE.match(stripped):
        return "site-generator shortcode (an embedded video or widget)"
    if (
        len(stripped) <= 10
        and stripped.endswith(vocabulary().columns)
        and not re.search(r"[，。！？；：,.!?;:“”\"]", stripped)
        and not has_heading_marker(stripped)
    ):
        return "column name of the site"
    # A paragraph of 30 Han characters or more is the author's, whatever markup-like
    # characters it holds (>, <style>…</style>, {{, a URL): no rule of shape drops it.
    authored = han_count(stripped) >= _AUTHORED
    if _BREADCRUMB.search(stripped) and not is_prose(stripped) and not authored:
        return "breadcrumb"
    if _COPYRIGHT.search(stripped) and han_count(stripped) < 60 and not authored:
        return "copyright or registration line"
    if _EDITOR.match(stripped):
        return "editor or keyword line"
    if vocabulary().widget_re.match(stripped):
        return "page widget"
    if vocabulary().end_re.match(stripped):
        return "related-article heading"
    if re.match(r"^上一篇\s*[:：]|^下一篇\s*[:：]", stripped):
        return "previous/next link"
    if _QA_PS.match(stripped) or (
        len(stripped) <= 40
        and vocabulary().chatty_re.search(stripped)
        and re.search(r"[吧吗呢啊?？！!]", stripped)
    ):
        return "chatty remark from a Q&A page"
    if _PIPE_MENU.match(stripped) and not authored:
        return "navigation menu"
    if _FOOTER.match(stripped) and han_count(stripped) < 40:
        return "site footer (sponsor or contact)"
    if _COUNTER.match(stripped):
        return "view or like counter"
    if (_BRACKET_WIDGETS.match(stripped) or _SHARE.match(stripped)) and not authored:
        return "page widget"
    if toolbar(stripped):
        return "row of page buttons"
    if re.match(
        r"^第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?$|^page \d+( of \d+)?$", stripped, re.I
    ):
        return "stray number (page number or view count)"
    return None


def end_marker(line: str) -> str | None:
    """Markers after which nothing more of the article follows on a page."""
    stripped = line.strip()
    match = vocabulary().end_re.match(stripped)
    if match:
        return match.group(1)
    if re.match(r"^(上一篇|下一篇)\s*[:：]", stripped):
        return "上一篇/下一篇"
    if _EDITOR.match(stripped):
        return "编辑/关键词"
    if _COPYRIGHT.search(stripped) and han_count(stripped) < _AUTHORED:
        return "copyright"
    if len(set(vocabulary().appeal_re.findall(stripped))) >= 2:
        return "appeal to the reader (subscribe, follow, support)"
    if site_disclaimer(stripped):
        return "the site's disclaimer"
    return None


def site_notice(line: str) -> bool:
    """Two or more words that speak about the site rather than the subject."""
    return _site_hits(line) >= 2 or bool(_LIST_NOTICE.match(line.strip()) and _site_hits(line) >= 1)


def meta_line(line: str) -> dict[str, str] | None:
    """A dateline such as ``2017年03月23日11:03  来源:映象网`` -> its fields, or None."""
    stripped = line.strip()
    if len(stripped) > 80 or re.search(r"[。！？]", stripped):
        return None
    date = _DATE.search(stripped)
    source = _SOURCE.search(stripped)
    author = _AUTHOR.search(stripped) if re.search(r"作者|撰稿|文\s*/", stripped) else None
    has_key = bool(_META_KEY.search(stripped))
    if not (date or source or author):
        return None
    rest = _DATE.sub("", stripped)
    rest = _TIME.sub("", rest)
    rest = _SOURCE.sub("", rest)
    rest = _AUTHOR.sub("", rest) if author else rest
    # A date inside a sentence is content; a dateline is mostly its fields, or a row
    # of short tokens (原创 周明 基层党建之声 2014-05-10).
    tokens = rest.split()
    short_tokens = bool(tokens) and all(len(t) <= 8 for t in tokens) and len(stripped) <= 40
    if not has_key and han_count(rest) > 6 and not (date and short_tokens):
        return None
    fields: dict[str, str] = {}
    if date and parse_date(date.group(0)):
        fields["date"] = iso_date(date)
    if source:
        fields["source"] = source.group(1)
    if author:
        fields["author"] = author.group(1)
    return fields


def iso_date(match: re.Match[str]) -> str:
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date(text: str | None) -> str | None:
    """Any date the page states (``2010/9/7``, ``2017年03月23日``) as ``YYYY-MM-DD``."""
    if not text:
        return None
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


_MARKER = re.compile(
    r"^(?:#{1,6}\s|第[一二三四五六七八九十百零〇\d]+[篇章节部分]|[一二三四五六七八九十]+[、．.]|"
    r"[一二三四五六七八九十]+\u3000|[一二三四五六七八九十]{1,3} (?=\S)|"
    r"[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．](?!\d)|"
    r"第[一二三四五六七八九十]+[，,、]|[一二三四五六七八九十]是|[●■◆▲★]\s*|"
    r"[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+[、．.\s]|\d{1,2}[)）])"
)


# An attribution under a quoted passage: ——2018年4月24日至28日，习近平在湖北考察时的讲话,
# ——摘自《……》, ——来源：…… .  It names who, when, where or from which work; a line of the
# text that merely opens with a dash (——2013年，参加科协……联组会。) ends a sentence.
_ATTRIBUTION = re.compile(r"^(?:——|—|－－|--)\s*(?!—)(?P<rest>.{2,100})$")
_ATTRIBUTION_CUE = re.compile(
    r"讲话|报告|谈话|致辞|贺信|指示|批示|发言|演讲|答问|采访|座谈|会议|会上|考察|调研|视察|"
    r"摘自|选自|引自|出自|来源|转自|原载|《[^》]+》|[年月日]"
)
# A source line in brackets: （《毛泽东选集》第五卷，人民出版社1977年4月第1版，第61-64页）,
# （摘自……）, or a dateline of the passage alone: （一九五一年十一月三十日）.
_BRACKET_SOURCE = re.compile(
    r"^[（(]\s*(?:(?:摘自|选自|引自|转自|原载|来源)[:：]?\s*.{2,80}"
    r"|《[^》]{1,40}》.{0,60}(?:出版社|第\s*[\d一二三四五六七八九十〇零]+\s*(?:-+|—+)?\s*\d*\s*页|版)"
    r"[^）)]{0,30}"
    r"|[〇○零一二三四五六七八九十\d]{2,4}年[〇○零一二三四五六七八九十\d]{1,3}月"
    r"(?:[〇○零一二三四五六七八九十\d]{1,3}日)?"
    # ……and a dateline of two (（一九五三年十月十五日、十一月四日）, （……——一九五二年三月）).
    r"(?:\s*(?:、|——|—|－|至)\s*[〇○零一二三四五六七八九十\d年月日]{2,14})?)\s*[)）]$"
)


def is_attribution(line: str) -> bool:
    """A line that names the source of the passage above it (who said it, when, where,
    from which work): it belongs to that passage as its source, never to its text and
    never as a heading."""
    s = line.strip()
    m = _ATTRIBUTION.match(s)
    if m:
        rest = m.group("rest")
        return not re.search(r"[。！？!?]$", rest) and bool(_ATTRIBUTION_CUE.search(rest))
    return bool(_BRACKET_SOURCE.match(s))


# An editor's headnote (题注) opening a document: 这是毛泽东同志在……上讲话的一部分。, 这是……
# 为中共中央起草的党内指示。  It says what the document is, as its source line does.
_GENRE = (r"(?:讲话|讲演|演说|演讲|报告|发言|谈话|指示|通知|通报|电报|复电|批语|批评|书信|文章|"
          r"碑文|祝词|贺词|闭幕词|开幕词|命令|决议|决定|结论|总结|题词|社论|声明|按语|提纲)")
_HEADNOTE = re.compile(
    rf"(?:^|[。；])这是[^。！？；]{{2,90}}?{_GENRE}(?:的(?:一部分|节录|摘要|要点|节选))?(?:。|$)"
    # 毛泽东的这篇文章是为了反对当时红军中的教条主义思想而写的。
    rf"|^[^。！？；]{{0,12}}这篇{_GENRE}是[^。！？；]{{2,90}}?而(?:写|作)的。"
)


def headnote(paragraph: str) -> str | None:
    """A document's first paragraph as its editor's headnote (题注: what the document
    is, who wrote it for whom), without the bullet a page set it with (*这是……); None
    when it is text.  It travels with the text as its source, never as study text (its
    毛泽东 and 讲话 say nothing of the passage's subject)."""
    text = re.sub(r"^[*＊•·]+\s*", "", paragraph.strip())
    return text if _HEADNOTE.search(text) else None


def has_heading_marker(line: str) -> bool:
    return bool(_MARKER.match(line.strip()))


def title_like(line: str) -> bool:
    """A short line that could be a title: no sentence ends in it, mostly Han."""
    s = line.strip()
    if not s or len(s) > 60 or han_count(s) < 2:
        return False
    # A question may be a title (什么是群众路线？基本内容是什么？), a statement may not.
    if re.search(r"[。；]", s) or s[-1] in "，、：；,;:" or len(_SENTENCE_END.findall(s)) > 2:
        return False
    return han_count(s) / len(s) >= 0.4


# ---------------------------------------------------------------------------
# The cleaner


_CN_NUM = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_CN_ITEM = re.compile(r"^([一二三四五六七八九十])[、．.]")
_BYLINE = re.compile(
    rf"(?<=[。！？!?”」』…])\s*[（(]\s*((?:文\s*/\s*|作者\s*[:：]\s*)?[{HAN}·]{{2,5}})\s*[)）]\s*$"
)
# A back-link run into the article's last line: （整理/田宏）返回搜狐，查看更多.
_TRAILING_WIDGET = re.compile(
    r"\s*(?:返回[^，。！？\s]{1,8}[，,、]?\s*)?(?:查看更多|阅读全文|展开全文|点击查看|阅读原文)\s*$"
)
_SOURCE_NOTE = re.compile(r"[（(]\s*(?:来源|来自|稿源)\s*[:：]\s*([^()（）]{2,20}?)\s*[)）]\s*$")


def clean_text(
    text: str,
    *,
    markdown: bool = False,
    title: str | None = None,
    date: str | None = None,
    source: str | None = None,
    author: str | None = None,
) -> Cleaned:
    """Clean a whole decoded page.  Keyword arguments are hints the format itself
    gave (HTML meta tags, front matter); the page text may confirm or add to them."""
    lines = text.split("\n")
    numbered = [(i + 1, repair(line)) for i, line in enumerate(lines)]
    # An indented line starts a paragraph (text copied from a PDF or Word file wraps
    # lines but indents paragraphs); it is never joined to the line above.
    indented = frozenset(
        i + 1 for i, line in enumerate(lines) if re.match(r"^(?:\u3000|[ \t\u00a0]{2,})", line)
    )
    return _clean(
        numbered,
        indented=indented,
        markdown=markdown,
        hint_title=page_title(title) if title else None,
        hints={"date": parse_date(date) if date else None, "source": source, "author": author},
    )


def _clean(
    numbered: list[tuple[int, str]],
    *,
    markdown: bool,
    hint_title: str | None,
    hints: dict[str, str | None],
    indented: frozenset[int] = frozenset(),
) -> Cleaned:
    dropped: list[Dropped] = []
    notes: list[str] = []
    meta: dict[str, str] = {k: v for k, v in hints.items() if v}
    items = [(n, s) for n, s in numbered if s]

    # 1. Where does the article start?  The first prose line (or heading) that is not
    #    a site notice; everything before is the page head.
    body_start = len(items)
    for idx, (_, s) in enumerate(items):
        if strong_boilerplate(s) or meta_line(s) is not None or site_notice(s):
            continue
        if is_prose(s) or (has_heading_marker(s) and not (markdown and idx == _first_h1(items))):
            if not is_prose(s) and _dated(items, idx):
                continue  # the article's title with its dateline under it: still the head
            body_start = idx
            break
    else:
        # No line reads as prose (a page of short exclamations): the first finished
        # sentence after the title-like lines starts the article.
        for idx, (_, s) in enumerate(items):
            if strong_boilerplate(s) or meta_line(s) is not None or site_notice(s):
                continue
            ends = s.rstrip("”’）」』")[-1:]
            if idx > 0 and han_count(s) >= 8 and ends in ("。", "！", "？", "!", "?"):
                body_start = idx
                break

    # 2. Where does it end?  The first end-of-article marker after some prose.
    body_end = len(items)
    prose_seen = 0
    for idx in range(body_start, len(items)):
        s = items[idx][1]
        marker = end_marker(s)
        if marker and prose_seen:
            body_end = idx
            for n, t in items[idx:]:
                dropped.append(Dropped(n, t, f"after end-of-article marker ({marker})"))
            break
        if is_prose(s):
            prose_seen += 1

    # 3. The head: metadata lines, the title, and anything else before the title.
    head = items[:body_start]
    running = _running_lines(items)
    title, title_idx = _pick_title(head, markdown=markdown, hint=hint_title, running=running)
    if title is not None and title_idx is not None:
        # A saved page names the article twice: the page's title at the top and the
        # article's own heading over the text.  What lies between is the site's header.
        title_idx = max(
            (i for i, (_, s) in enumerate(head) if i >= title_idx and _same_title(s, title)),
            default=title_idx,
        )
    kept_head: list[tuple[int, str]] = []
    menu_runs = _menu_runs(head)
    for idx, (n, s) in enumerate(head):
        fields = meta_line(s)
        reason = strong_boilerplate(s)
        if idx == title_idx:
            continue
        if s in running:
            dropped.append(Dropped(n, s, "repeated line (running page header or footer)"))
        elif fields is not None:
            for key, value in fields.items():
                meta.setdefault(key, value)
            dropped.append(
                Dropped(n, s, "metadata: " + ", ".join(f"{k} {v}" for k, v in fields.items()))
            )
        elif reason:
            dropped.append(Dropped(n, s, reason))
        elif site_notice(s):
            dropped.append(Dropped(n, s, "site notice"))
        elif title is not None and _same_title(s, title):
            dropped.append(Dropped(n, s, "repeated title"))
        elif title_idx is not None and idx < title_idx:
            dropped.append(Dropped(n, s, "page header before the title"))
        elif is_label(s):
            dropped.append(Dropped(n, s, "column label"))
        elif menu_runs[idx]:
            dropped.append(Dropped(n, s, "navigation menu"))
        else:
            kept_head.append((n, s))
    if title_idx is not None:
        n, s = head[title_idx]
        dropped.append(Dropped(n, s, "title"))
    if title is None and hint_title:
        title = repair(hint_title)

    # 4. The body: drop furniture anywhere, site notices and menus at its edges.
    body = kept_head + items[body_start:body_end]
    kept: list[tuple[int, str]] = []
    for n, s in body:
        reason = strong_boilerplate(s)
        if reason:
            dropped.append(Dropped(n, s, reason))
            continue
        if s in running:
            dropped.append(Dropped(n, s, "repeated line (running page header or footer)"))
            continue
        if is_label(s):
            dropped.append(Dropped(n, s, "column label"))
            continue
        if title is not None and _same_title(s, title) and not kept:
            dropped.append(Dropped(n, s, "repeated title"))
            continue
        kept.append((n, s))
    kept = _trim_tail(kept, dropped)
    if not kept:
        # Nothing looked like an article: keep every line that is not furniture rather
        # than return an empty document.
        kept = [(n, s) for n, s in body if not strong_boilerplate(s)]

    # 5. Paragraphs: rejoin lines broken mid-sentence.
    paragraphs = _paragraphs(kept, numbered, markdown=markdown, notes=notes, indented=indented)
    paragraphs = _join_broken_heads(paragraphs, notes)
    paragraphs = _split_attributions(paragraphs, notes)

    # 6. Trailing byline and source note at the end of the article.
    if paragraphs:
        last = paragraphs[-1]
        widget = _TRAILING_WIDGET.search(last)
        if widget and widget.start() > 0:
            notes.append(f"page widget cut from the last line: {widget.group(0).strip()}")
            last = last[: widget.start()].rstrip()
        source_note = _SOURCE_NOTE.search(last)
        if source_note:
            meta.setdefault("source", source_note.group(1))
            last = last[: source_note.start()].rstrip()
            notes.append(f"source note moved to metadata: {source_note.group(0)}")
        byline = _BYLINE.search(last)
        if byline:
            name = re.sub(r"^(?:文\s*/\s*|作者\s*[:：]\s*)", "", byline.group(1))
            meta.setdefault("author", name)
            notes.append(f"byline moved to metadata: {byline.group(0).strip()}")
            last = last[: byline.start()].rstrip()
        paragraphs[-1:] = [last] if last else []

    if not meta.get("source"):
        site = _site_name([d.text for d in dropped])
        if site:
            meta["source"] = site
    dropped.sort(key=lambda d: d.line)
    return Cleaned(
        title=title,
        date=meta.get("date"),
        source=meta.get("source"),
        author=meta.get("author"),
        paragraphs=tuple(paragraphs),
        dropped=tuple(dropped),
        notes=tuple(notes),
    )


def _first_h1(items: Sequence[tuple[int, str]]) -> int | None:
    for idx, (_, s) in enumerate(items):
        if s.startswith("# "):
            return idx
        if is_prose(s) or s.startswith("#"):
            return None
    return None


_LABEL = re.compile(r"[·•|｜_]|\s[/-]\s")


def is_label(s: str) -> bool:
    """A short unpunctuated line of tokens joined by ``·`` or ``|``: a column or
    issue label of the site (学习园地 · 第5期), not a line of the text."""
    return len(s) <= 24 and bool(_LABEL.search(s)) and not re.search(r"[，。！？；：,;!?]", s)


def page_title(title: str) -> str:
    """An HTML ``<title>`` without the site's suffix: ``标题_党建频道_某某网`` and
    ``标题 - 某某网`` name the article first."""
    parts = [
        p.strip() for p in re.split(r"\s*(?:_|\||｜|\s-\s|\s–\s|\s—\s)\s*", title) if p.strip()
    ]
    return parts[0] if parts and han_count(parts[0]) >= 4 else title.strip()


def _pick_title(
    head: Sequence[tuple[int, str]],
    *,
    markdown: bool,
    hint: str | None,
    running: frozenset[str] | set[str] = frozenset(),
) -> tuple[str | None, int | None]:
    """The title is the title-like line nearest before the dateline (pages put the
    date under the title), else nearest before the body; a ``#`` heading wins in
    Markdown, and a title the format stated wins when a line repeats it."""
    # A subtitle (——记某某同志) is not the title; it stays as text under it.
    candidates = [
        idx
        for idx, (_, s) in enumerate(head)
        if meta_line(s) is None
        and not strong_boilerplate(s)
        and not site_notice(s)
        and (title_like(s) or (markdown and s.startswith("# ")))
        and not s.startswith(("—", "－", "--"))
        and s not in running
    ]
    if not candidates:
        return None, None
    # Labels such as ``第5号文档 · 学习园地`` or ``党建 | 理论`` name a column, not the
    # article; they lose to any other candidate.
    plain = [i for i in candidates if not _LABEL.search(head[i][1])]
    candidates = plain or candidates
    if hint:
        for idx in candidates:
            if _same_title(_strip_hash(head[idx][1]), repair(hint)):
                return _strip_hash(head[idx][1]), idx
    if markdown:
        for idx in candidates:
            if head[idx][1].startswith("# "):
                return _strip_hash(head[idx][1]), idx
    first_meta = next((i for i, (_, s) in enumerate(head) if meta_line(s) is not None), None)
    before_meta = [i for i in candidates if first_meta is not None and i < first_meta]
    idx = before_meta[-1] if before_meta else candidates[-1]
    # A run of repeated titles: take the first of them.
    candidate_set = set(candidates)
    while idx > 0 and idx - 1 in candidate_set and _same_title(head[idx - 1][1], head[idx][1]):
        idx -= 1
    return _strip_hash(head[idx][1]), idx


_TITLE_MARK = re.compile(
    r"^[【\[［(（]\s*(?:原|原创|原創|转|转载|轉|轉載|荐|推荐|置顶|置頂|精|精华|精華|顶)\s*[】\]］)）]\s*"
)


def _strip_hash(s: str) -> str:
    """The title's own words: no Markdown hashes, no ``标题：`` label, no blog mark
    such as 【原】 or [转载] before it."""
    s = re.sub(r"^(?:#{1,6}\s+|(?:原标题|原標題|标题|題目|题目|主题)\s*[:：]\s*)", "", s).strip()
    return _TITLE_MARK.sub("", s).strip()


def _dated(items: Sequence[tuple[int, str]], idx: int) -> bool:
    """Whether the line after ``idx`` is a dateline: pages put the date under the title."""
    return idx + 1 < len(items) and meta_line(items[idx + 1][1]) is not None


def _same_title(a: str, b: str) -> bool:
    def norm(x: str) -> str:
        return re.sub(rf"[^{HAN}\w]", "", _strip_hash(x))

    na, nb = norm(a), norm(b)
    return bool(na) and na == nb


def _running_lines(lines: Sequence[tuple[int, str]]) -> set[str]:
    """Short unpunctuated lines that recur three times or more with text between
    them: the running header or footer of each page of a document copied out of a
    PDF or a paged viewer.  (A title repeated at the top of a page is not one.)"""
    seen: dict[str, list[int]] = {}
    prose_before: list[int] = []
    count = 0
    for idx, (_, s) in enumerate(lines):
        prose_before.append(count)
        if is_prose(s):
            count += 1
        if len(s) <= 30 and not re.search(r"[，。！？；：,.!?;:]", s) and not has_heading_marker(s):
            seen.setdefault(s, []).append(idx)
    running = set()
    for s, where in seen.items():
        spread = sum(1 for a, b in itertools.pairwise(where) if prose_before[b] > prose_before[a])
        if len(where) >= 3 and spread >= 2:
            running.add(s)
    return running


def _menu_runs(lines: Sequence[tuple[int, str]]) -> list[bool]:
    """For each line, whether it is one of three or more menu-like lines in a row
    (a menu, not a short line of the text).  One pass, so a 10,000-item menu is cheap."""
    flags = [False] * len(lines)
    start = 0
    while start < len(lines):
        if not _menu_item(lines[start][1]):
            start += 1
            continue
        end = start
        while end + 1 < len(lines) and _menu_item(lines[end + 1][1]):
            end += 1
        if end - start + 1 >= 3:
            flags[start : end + 1] = [True] * (end - start + 1)
        start = end + 1
    return flags


def _menu_item(s: str) -> bool:
    return len(s) <= 8 and not re.search(r"[，。；！？：,.;:!?]", s) and not has_heading_marker(s)


def _trim_tail(kept: list[tuple[int, str]], dropped: list[Dropped]) -> list[tuple[int, str]]:
    """After the last prose line, drop site notices, link bullets and runs of short
    menu-like lines; a single short closing line of the author stays."""
    last_prose = max(
        (i for i, (_, s) in enumerate(kept) if is_prose(s) and not site_notice(s)), default=-1
    )
    article = sum(han_count(s) for _, s in kept[: last_prose + 1])  # once: tails are long
    tail = kept[last_prose + 1 :]
    menu_run = sum(1 for _, s in tail if _menu_item(s) or _BULLET_LINK.match(s)) >= 3
    result = kept[: last_prose + 1]
    for n, s in tail:
        if site_notice(s):
            dropped.append(Dropped(n, s, "site notice"))
        elif _BULLET_LINK.match(s):
            dropped.append(Dropped(n, s, "link list"))
        elif _foreign_notice(s, article):
            dropped.append(Dropped(n, s, "page notice in another language"))
        elif menu_run and _menu_item(s):
            dropped.append(Dropped(n, s, "navigation menu"))
        else:
            result.append((n, s))
    # Site notices just before the tail (e.g. 《…》由…网整理分享, 版权归原作者所有).
    while result and site_notice(result[-1][1]):
        n, s = result.pop()
        dropped.append(Dropped(n, s, "site notice"))
    return result


def _foreign_notice(line: str, article: int) -> bool:
    """A line mostly in another script after the end of a Chinese article of ``article``
    Han characters (This page is synchronized from the post: …): the platform's notice,
    not the author's words."""
    letters = len(re.findall(r"[A-Za-z]", line))
    return article >= 200 and letters >= 12 and han_count(line) * 3 < letters


def _paragraphs(
    kept: list[tuple[int, str]],
    numbered: list[tuple[int, str]],
    *,
    markdown: bool,
    notes: list[str],
    indented: frozenset[int] = frozenset(),
) -> list[str]:
    """Lines -> paragraphs.  A line that does not end a sentence is joined with the
    next line when that one continues it (no blank line between, no heading marker);
    a ``一、`` that restarts a list right after an unfinished line is a continuation
    too (``知行不`` / ``一、不求实效``)."""
    # Blank lines seen up to each line: two kept lines are adjacent when no blank line
    # separates them, even if a dropped page number (- 2 -) stood between them.
    blanks_upto: dict[int, int] = {}
    blanks = 0
    for n, s in numbered:
        if not s:
            blanks += 1
        blanks_upto[n] = blanks

    paragraphs: list[str] = []
    last_line = -1
    last_item = 0
    for n, s in kept:
        item = _CN_ITEM.match(s)
        if paragraphs and not markdown:
            prev = paragraphs[-1]
            adjacent = (
                last_line > 0 and blanks_upto[n] == blanks_upto[last_line] and n not in indented
            )
            unfinished = prev[-1] in "，,、" or (prev[-1] not in TERMINAL and _is_han(prev[-1]))
            if (
                adjacent
                and unfinished
                and not has_heading_marker(s)
                and _wrapped(prev)
                and not _heading_line(prev)
            ):
                paragraphs[-1] = prev + s
                notes.append(f"line {n} joined to the line before (broken paragraph)")
                last_line = n
                continue
            if (
                item
                and unfinished
                and _CN_NUM[item.group(1)] != last_item + 1
                and ("：" in prev or not title_like(prev))
            ):
                paragraphs[-1] = prev + s
                notes.append(
                    f"line {n} joined: {item.group(0)} continues the line before, not a heading"
                )
                last_line = n
                continue
        if item:
            last_item = _CN_NUM[item.group(1)]
        paragraphs.append(s)
        last_line = n
    return paragraphs


def _join_broken_heads(paragraphs: list[str], notes: list[str]) -> list[str]:
    """``四　离开实际调查就要产生唯心的阶级估量和唯心的工作指导，`` / ``那末，它的结果，不是
    机会主义，便是盲动主义``: a numbered head that stops mid-clause goes on in the next
    short line, even across a blank line (pages set long heads on two lines).  The join
    keeps the head whole, so it keeps its level."""
    out: list[str] = []
    for p in paragraphs:
        if out:
            head = out[-1]
            bare = re.sub(r"^#{1,6}\s+", "", head)
            if (
                has_heading_marker(head)
                and len(bare) <= 60
                and bare[-1:] in ("，", "、", ",")
                and len(p) <= 40
                and not has_heading_marker(p)
                and not _SENTENCE_END.search(p[-1:])
                and p[-1:] not in "：:；;"
            ):
                out[-1] = head + p
                notes.append(f"a head broken over two lines joined: {bare}{p}")
                continue
        out.append(p)
    return out


def _split_attributions(paragraphs: list[str], notes: list[str]) -> list[str]:
    """``——摘自某某同志的发言 总书记指出，……``: a scraper ran the attribution line
    into the text; the space between them is where the two paragraphs part."""
    out: list[str] = []
    for p in paragraphs:
        space = p.find(" ", 0, 80)
        if p.startswith(("——", "—")) and space > 2:
            head, rest = p[:space], p[space + 1 :].strip()
            if not _SENTENCE_END.search(head) and is_prose(rest):
                out += [head, rest]
                notes.append(f"attribution split from its text: {head}")
                continue
        out.append(p)
    return out


def _wrapped(prev: str) -> bool:
    return bool(re.search(r"[，、,]", prev)) or len(prev) >= 28


def _heading_line(prev: str) -> bool:
    """A heading line is not continued by the next line, unless it ends mid-clause."""
    return has_heading_marker(prev) and len(prev) <= 60 and prev[-1] not in "，、,"


_SITE_NAME = re.compile(rf"([{HAN}]{{2,8}}网)(?![站友络址页上])")


_SITE_WITH_DOMAIN = re.compile(rf"([{HAN}]{{2,8}})[（(][A-Za-z0-9.-]+[)）]\s*网站")


def _site_name(texts: Sequence[str]) -> str | None:
    """The site's own name, from its breadcrumb, copyright line or notice (…网,
    ``原创力文档(book118)网站``)."""
    for text in texts:
        named = _SITE_WITH_DOMAIN.search(text)
        if named:
            return named.group(1)
        if _BREADCRUMB.search(text) or _COPYRIGHT.search(text) or "整理" in text:
            m = _SITE_NAME.search(re.sub(r"^(?:您的位置|当前位置|你的位置)\s*[:：]\s*", "", text))
            if m:
                return m.group(1)
    return None
