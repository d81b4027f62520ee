"""Text blocks -> the article's own paragraphs, for pages no site rule describes.

Each block gets a value: positive for prose (its non-link characters, when it has sentence
punctuation), negative for link lists, navigation and labels. The article is the run of sibling
elements with the greatest total value: it takes in every paragraph, caption and subheading between
the first and the last stretch of prose, yet stops where link lists and footers outweigh what follows.
This works on old table layouts (the text sits in one <td> between boxes of links) as well as on
<div>/<p> pages, in one pass over the blocks. Inside that run, link lists, bylines, share/print
widgets and what follows an end marker (相关新闻, 责任编辑, 声明 ...) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import lxml.html

from parsers.bylines import is_signature_line, parse_byline
from parsers.html_blocks import Block

# Sentence punctuation; a colon alone is not prose (当前位置：, 来源：, 国内统一刊号：).
PROSE_PUNCTUATION = re.compile(r"[，。！？；、“”]|[,.!?;](?=\s|$)")
# Copyright and licence lines close a page, never an article.
COPYRIGHT = re.compile(r"©|copyright|版权所有|icp备|icp证|备案号|all rights reserved", re.IGNORECASE)
# Above this share of link text a block is navigation or a list of other articles.
MAX_LINK_DENSITY = 0.5
# A block without sentence punctuation costs up to this much: one label is cheap, a menu is not.
LABEL_COST_CAP = 10
# Widgets around the text: print, share, font size, QR codes, paging (short blocks only).
WIDGET = re.compile(
    r"打印|关闭窗口|关闭本页|分享到|字号|字体[:：]?\s*[大中小]|扫一扫|返回顶部|上一篇|下一篇|上一页|下一页|"
    r"我来说两句|推荐给朋友|发送给朋友|收藏本文|纠错|点击数|浏览次数|阅读次数|"
    r"当前位置|您的位置|现在的位置|所在的?位置|[【\[]\s*(?:[大中小]|推荐|关闭|收藏|评论|返回)"
)
WIDGET_MAX_CHARS = 40
# A line that is only a web address, or has no word in it (a stray `】`, `|`, `>>`).
ADDRESS_ONLY = re.compile(r"^(?:https?://)?[\w.-]+\.(?:com|cn|net|org|gov|edu|hk)(?:\.\w{2})?(?:/\S*)?$", re.IGNORECASE)
WORDLESS = re.compile(r"^[^\w\u4e00-\u9fff]*$")
# `完`, `（完）`, `-END-`: the mark that closes a press release, not a paragraph of it.
END_MARK = re.compile(r"^[\s(（\[【<《-]*(?:完|全文完|end)[\s)）\]】>》-]*$", re.IGNORECASE)
# What comes after one of these headings is no longer the article.
END_MARKERS = re.compile(
    r"相关(?:新闻|报道|阅读|链接|文章|推荐|专题)|延伸阅读|推荐阅读|更多阅读|热点推荐|热门推荐|猜你喜欢|"
    r"网友评论|最新评论|发表评论|反侵权公告|版权(?:与免责)?声明|免责声明"
)
END_MARKER_MAX_CHARS = 20
# A site's disclaimer under the text (`新浪声明：此消息系转载自…`, `特别声明：…`), whatever its length.
DISCLAIMER = re.compile(r"^\S{0,6}声明[:：]")
# Short plain lines beside the article's lines that still belong to it (a notice's heading, its sign-off).
QUIET_MAX_CHARS = 30
EDGE_LINES = 6
# A dateline: a short block holding the date (and often the source) between headline and text.
DATELINE_MAX_CHARS = 60


@dataclass(frozen=True, slots=True)
class Region:
    """A run of blocks, `first` to `last` inclusive: where the article is, or where its text is."""

    first: int
    last: int
    prose_first: int | None = None  # where the prose itself starts, when quiet lines above it were taken in

    @property
    def text_start(self) -> int:
        return self.first if self.prose_first is None else self.prose_first


def block_value(block: Block) -> float:
    """How much a block looks like article prose (> 0) or like page furniture (< 0)."""
    if block.link_density > MAX_LINK_DENSITY or COPYRIGHT.search(block.text):
        return -block.chars
    if PROSE_PUNCTUATION.search(block.text) is None:
        return -min(block.chars, LABEL_COST_CAP) / 2
    return block.chars - 2 * block.link_chars


@dataclass(frozen=True, slots=True)
class _Item:
    """A child of an element as the region search sees it: a child element's blocks, or one block of its own."""

    first: int
    last: int
    value: float
    tag: str
    quiet: bool  # one short line of plain text: a heading or sign-off if it sits beside the article's lines


def find_main_region(blocks: Sequence[Block]) -> Region | None:
    """The run of sibling elements (and text) whose blocks add up to the most prose; None without prose.

    Considering runs of siblings, not only whole elements, matters on table layouts where the article's
    <p>s sit in one <td> together with link lists and boxes above and below them. The run then takes in
    the short plain lines right after it, and, when its items are single lines, right before it, that
    are siblings of the same kind as its own lines: a notice's own heading, its issuer and date.
    """
    totals: dict[lxml.html.HtmlElement, float] = {}
    spans: dict[lxml.html.HtmlElement, list[int]] = {}
    items: dict[lxml.html.HtmlElement, list[_Item]] = {}
    for block in blocks:
        value = block_value(block)
        items.setdefault(block.owner, []).append(_Item(block.index, block.index, value, "", _is_quiet(block)))
        element = block.owner
        while element is not None:
            totals[element] = totals.get(element, 0.0) + value
            span = spans.setdefault(element, [block.index, block.index])
            span[1] = block.index
            element = element.getparent()
    for element, (first, last) in spans.items():
        parent = element.getparent()
        if parent is not None:
            quiet = first == last and _is_quiet(blocks[first])
            items.setdefault(parent, []).append(_Item(first, last, totals[element], element.tag, quiet))
    best: Region | None = None
    best_total = 0.0
    for children in items.values():
        children.sort(key=lambda item: item.first)
        total, start, stop = _best_run(children)
        if total > best_total:
            prose_first = children[start].first
            start, stop = _with_quiet_edges(children, start, stop)
            best, best_total = Region(children[start].first, children[stop].last, prose_first), total
    return best


def _best_run(items: Sequence[_Item]) -> tuple[float, int, int]:
    """(total, first item, last item) of the consecutive items with the greatest total (Kadane)."""
    best = (float("-inf"), 0, 0)
    running, start = 0.0, 0
    for index, item in enumerate(items):
        if running <= 0:
            running, start = 0.0, index
        running += item.value
        if running > best[0]:
            best = (running, start, index)
    return best


def _with_quiet_edges(items: Sequence[_Item], start: int, stop: int) -> tuple[int, int]:
    """The run widened over the quiet lines of its own kind right after it and, when the run is made of
    single lines (paragraph siblings), right before it. A run of bigger items (table rows, boxes) is not
    widened upwards: the quiet rows above a text are its headline, dateline and navigation.
    """
    leading = items[start].first == items[start].last
    for _ in range(EDGE_LINES):
        if leading and start > 0 and items[start - 1].quiet and items[start - 1].tag == items[start].tag:
            start -= 1
    for _ in range(EDGE_LINES):
        if stop + 1 < len(items) and items[stop + 1].quiet and items[stop + 1].tag == items[stop].tag:
            stop += 1
    return start, stop


def _is_quiet(block: Block) -> bool:
    return not block.link_chars and block.chars <= QUIET_MAX_CHARS and not COPYRIGHT.search(block.text)


def body_paragraphs(
    blocks: Sequence[Block],
    region: Region | None,
    is_heading: Callable[[Block], bool],
    is_dateline: Callable[[Block], bool],
) -> list[Block]:
    """The article's paragraphs: the region's blocks without headline, dateline, bylines and widgets."""
    paragraphs: list[Block] = []
    if region is None:
        return paragraphs
    for block in blocks[region.first : region.last + 1]:
        if paragraphs and _ends_article(block):
            break
        if _is_furniture(block) or (not paragraphs and (is_heading(block) or is_dateline(block))):
            continue
        paragraphs.append(block)
    return paragraphs


def _ends_article(block: Block) -> bool:
    """Related links, comments or a disclaimer begin here, or the editor signs off (nothing of the text follows)."""
    if block.chars <= END_MARKER_MAX_CHARS and END_MARKERS.search(block.text):
        return True
    if DISCLAIMER.match(block.text):
        return True
    byline = parse_byline(block.text)
    return byline is not None and byline.editor is not None and byline.author is None and byline.publisher is None


def _is_furniture(block: Block) -> bool:
    if block.link_density > MAX_LINK_DENSITY or WORDLESS.match(block.text) or ADDRESS_ONLY.match(block.text):
        return True
    if END_MARK.match(block.text):
        return True
    if block.chars <= WIDGET_MAX_CHARS and WIDGET.search(block.text):
        return True
    return parse_byline(block.text) is not None or is_signature_line(block.text)
