"""Chinese labels for the cleaner's and sectioner's English reasons, for the pages.

The library reports in English (the CLI and JSON contracts); an organiser reads Chinese.
A reason the table does not know is shown as it is.
"""

from __future__ import annotations

REASONS: dict[str, str] = {
    "after end-of-article marker": "正文结束标记之后的内容",
    "repeated line (running page header or footer)": "每页重复的页眉页脚",
    "metadata": "日期、来源等信息（已记下）",
    "site notice": "网站提示",
    "repeated title": "重复的标题",
    "page header before the title": "标题前的页眉",
    "column label": "栏目名",
    "navigation menu": "导航菜单",
    "title": "标题（已记下）",
    "link list": "链接列表",
    "stray number (page number or view count)": "孤立的数字（页码或阅读数）",
    "breadcrumb": "页面位置导航",
    "copyright or registration line": "版权或备案信息",
    "editor or keyword line": "责任编辑或关键词",
    "page widget": "网页小部件",
    "related-article heading": "“相关文章”标题",
    "previous/next link": "上一篇、下一篇链接",
    "chatty remark from a Q&A page": "问答网站的闲聊",
    "site footer (sponsor or contact)": "网站页脚（赞助、联系方式）",
    "view or like counter": "阅读数、点赞数",
}

STYLES: dict[str, str] = {
    "document title": "文章标题",
    "structural": "第×篇／章／部分",
    "cn": "一、二、三、",
    "cn-paren": "（一）（二）",
    "arabic": "1. 2. 3.",
    "arabic-paren": "（1）（2）",
    "arabic-close": "1） 2）",
    "roman": "Ⅰ Ⅱ Ⅲ",
    "run-in": "第一，第二，",
    "shi": "一是、二是",
    "sequence": "首先、其次",
    "bullet": "项目符号",
    "markdown": "Markdown 标题",
}


def reason(text: str) -> str:
    """``清理原因（english）`` for a known reason, the text as it is otherwise."""
    for key in (text, text.split(":", 1)[0], text.split(" (", 1)[0]):
        if key in REASONS:
            return REASONS[key]
    return text


def style(name: str) -> str:
    """How a heading was recognised: ``cn`` -> ``一、二、三、``, ``md2`` -> ``Markdown 标题``."""
    if name.startswith("structural"):
        return STYLES["structural"]
    if name.startswith("md") and name[2:].isdigit():
        return STYLES["markdown"]
    return STYLES.get(name, name)
