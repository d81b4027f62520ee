"""Byline lines (来源/作者/记者/责任编辑/编辑 ...) -> author, editor and publisher.

Chinese news pages state who wrote and who published an article in short labelled lines near the
title or at the end of the text: `来源：新华网  编辑：苏亮`, `作者：宋怡 杨志华`, `光明日报记者 王建宏 张文攀`,
`[ 黄宇 ] 来源：[ 国际金融报 ]`, or a signature such as `（常书香 马丹阳）` closing the text. Such lines are
read here so that the article can name its author and publisher and its body can leave them out.
Labels and shapes are data tables: a new site convention is a new row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Label -> role. Longer labels first so that 责任编辑 is not read as 编辑.
LABEL_ROLES = (
    ("责任编辑", "editor"),
    ("值班编辑", "editor"),
    ("本文编辑", "editor"),
    ("编辑", "editor"),
    ("责编", "editor"),
    ("作者", "author"),
    ("撰稿", "author"),
    ("撰文", "author"),
    ("记者", "author"),
    ("通讯员", "author"),
    ("文/图", "author"),
    ("图/文", "author"),
    ("来源", "publisher"),
    ("稿源", "publisher"),
    ("出处", "publisher"),
)
ROLE_OF = dict(LABEL_ROLES)
LABEL = re.compile("(?P<label>" + "|".join(re.escape(label) for label, _ in LABEL_ROLES) + r")\s*[:：]")
_NAMES = r"[\u4e00-\u9fff·]{2,4}(?:[\s、][\u4e00-\u9fff·]{2,4})*"
# A reporter named without a colon: `光明日报记者 王建宏 张文攀`, `本报记者罗科苏盈发自北京`.
REPORTER_PATTERNS = (
    re.compile(rf"(?:记者|通讯员)\s+(?P<names>{_NAMES})"),
    re.compile(r"(?:记者|通讯员)(?P<names>[\u4e00-\u9fff·]{2,4}?)\s*(?:发自|报道|采写|摄|/文|/图)"),
)
# `[ 黄宇 ]` beside a date or source: a bracketed personal name.
BRACKETED_NAME = re.compile(rf"[\[【]\s*(?P<names>{_NAMES})\s*[\]】]")
# `…的新春佳节。（常书香 马丹阳）`, `（记者 格桑边觉）`: a signature closing the text.
SIGNATURE = re.compile(
    r"(?:^|[。！？”\s])[(（]\s*(?:[\u4e00-\u9fff]{0,10}?(?:记者|通讯员|作者)[:：\s]*)?"
    rf"(?P<names>{_NAMES})\s*[)）]$"
)
# Bracketed words that close texts but are no names.
NOT_NAMES = frozenset(
    {"完", "全文完", "待续", "未完待续", "续", "图", "组图", "资料图", "上", "中", "下", "摘编", "综合"}
)
# A "name" ending like this is an organisation (新华社, 松花江网), a company or a CMS vendor (大汉网络).
ORGANISATION_ENDINGS = (
    *("网", "网络", "网站", "公司", "集团", "中心", "报", "报社", "社"),
    *("台", "站", "频道", "部", "局", "财经", "新闻", "日报", "晚报", "传媒", "客户端"),
)
# `新华社拉萨电（记者 格桑边觉）记者近日…`: the reporter named in the opening of the text.
INLINE_REPORTER = re.compile(rf"[(（]\s*(?:[\u4e00-\u9fff]{{0,8}}?)(?:记者|通讯员)\s*(?P<names>{_NAMES})\s*[)）]")
INLINE_REPORTER_REACH = 60  # characters from the start of the text searched
# Roles written in front of names: `记者王敬照`, `评论员 罗博`.
ROLE_PREFIX = re.compile(r"^(?:本报|本刊|本台|本网|新华社|特约|见习|实习)*(?:记者|通讯员|评论员|实习生|编辑)?")
NAME_TOKEN = re.compile(r"[\u4e00-\u9fff·]{2,5}|[A-Za-z][A-Za-z.'\-]*")
BRACKETS = str.maketrans("", "", "[]【】()（）「」")
# A line is a byline only while short and without sentences; longer text that mentions 记者 is prose.
BYLINE_MAX_CHARS = 80
PROSE = re.compile(r"[。！？]|[，,].*[，,]")
# Sources that say nothing about who published.
VAGUE_PUBLISHERS = frozenset({"本报", "本网", "本站", "网络", "互联网", "转载文章", "转载", "原创", "未知", "综合"})


@dataclass(frozen=True, slots=True)
class Byline:
    """What a byline line says; any field may be None."""

    author: str | None = None
    editor: str | None = None
    publisher: str | None = None

    def merged(self, other: Byline) -> Byline:
        """This byline, its gaps filled from `other`."""
        return Byline(self.author or other.author, self.editor or other.editor, self.publisher or other.publisher)


def parse_byline(line: str) -> Byline | None:
    """The author/editor/publisher a short labelled line states; None when the line is not a byline."""
    if len(line) > BYLINE_MAX_CHARS or PROSE.search(line):
        return None
    found: dict[str, str] = {}
    labels = list(LABEL.finditer(line))
    ends = [label.start() for label in labels[1:]] + [len(line)] * bool(labels)
    for label, end in zip(labels, ends, strict=True):
        role = ROLE_OF[label["label"]]
        value = line[label.end() : end].translate(BRACKETS)
        value = _organisation(value) if role == "publisher" else _names(value)
        if value and role not in found:
            found[role] = value
    if "author" not in found:
        match = next(filter(None, (pattern.search(line) for pattern in REPORTER_PATTERNS)), None)
        if match is None and "publisher" in found:
            match = BRACKETED_NAME.search(line)
        if match:
            found["author"] = _names(match["names"])
    if not found:
        return None
    return Byline(found.get("author"), found.get("editor"), found.get("publisher"))


def parse_signature(line: str) -> str | None:
    """The names in a signature closing a text, such as `…。（常书香 马丹阳）`; None without one."""
    match = SIGNATURE.search(line.strip())
    return _names(match["names"]) if match else None


def is_signature_line(line: str) -> bool:
    """A line that is nothing but a signature: `（袁源）`."""
    match = SIGNATURE.search(line.strip())
    return match is not None and match.start() == 0 and _names(match["names"]) is not None


def parse_inline_reporter(paragraph: str) -> str | None:
    """The reporter an opening paragraph names in brackets (`…电（记者 格桑边觉）…`); None if it names none."""
    match = INLINE_REPORTER.search(paragraph[:INLINE_REPORTER_REACH])
    return _names(match["names"]) if match else None


def _names(value: str) -> str | None:
    """The leading run of personal names in a value: `宋怡 杨志华 网友评论` -> `宋怡 杨志华`."""
    names = []
    for word in value.replace("、", " ").split():
        token = ROLE_PREFIX.sub("", word)
        if not token:
            continue
        if not NAME_TOKEN.fullmatch(token) or token in NOT_NAMES or token.endswith(ORGANISATION_ENDINGS):
            break
        names.append(token)
    return " ".join(names) or None


def _organisation(value: str) -> str | None:
    """The first word of a source value, unless it names no one (本报, 转载)."""
    words = value.split()
    if not words or words[0] in VAGUE_PUBLISHERS:
        return None
    return words[0].strip(",，;；。")
