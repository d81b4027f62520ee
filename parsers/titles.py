"""The headline of an article page: a heading on the page confirmed by <title>, without the site name.

A <title> is usually `headline + separator + site name` (`…-新华网`, `…_巴彦淖尔市人民政府网`,
`… --雅虎新闻`), while headlines themselves contain `|`, `——` and spaces (`书记市长这一周 | 奋马扬鞭…`).
So a heading element or a metadata headline that the <title> contains wins as written; only when
nothing confirms a heading is a site suffix cut off the <title>, and then only a segment that reads as
a site name. Pages without a useful <title> fall back to the heading just above the article text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import lxml.html

from parsers.bylines import parse_byline
from parsers.dates import find_dates
from parsers.html_blocks import Block

# Separators between a headline and the site name in a <title>, longest first.
SUFFIX_SEPARATORS = re.compile(r"\s*(?:-{1,2}|——|—|–|_+|\||｜|·)\s*|\s+")
# A trailing <title> segment reads as a site name when it names a site, a paper or a channel ...
SITE_WORDS = re.compile(
    r"(网|網|网站|網站|报|報|日报|晚报|时报|新闻|新聞|频道|頻道|在线|在線|中文|门户|政府|电视台|电台|传媒|资讯|客户端|官方|平台"
    r"|\.com|\.cn|\.net|\.org|news|online|times|daily)$",
    re.IGNORECASE,
)
# ... or is a short label without sentence punctuation after an explicit separator (`- 两岸三地`).
SITE_LABEL_MAX_CHARS = 8
SENTENCE_PUNCTUATION = re.compile(r"[，。！？、；：“”‘’《》,!?;]")
# Elements whose class or id says they hold the headline.
TITLE_CLASS = re.compile(r"title|headline|heading|biaoti|^bt|_bt|tit\d*$|^tit|arti?_?tit", re.IGNORECASE)
HEADING_TAGS = {"h1": 3, "h2": 2, "h3": 1}
HEADING_REACH = 3  # a block's element, its parent and its grandparent may make it part of a heading
SITE_NAME_MAX_CHARS = 20
GENERIC_TITLE_MAX_CHARS = 4  # a <title> word this short (首页, 正文, 新闻) names no article
CHANNEL_MAX_CHARS = 4  # `千龙网--汽车--…`: a channel name after a site name at the start of a <title>
PLAIN_LINE_REACH = 6  # blocks above the text searched for a headline without markup
PLAIN_LINE_MAX_CHARS = 60
TITLE_MIN_CHARS = 4
TITLE_MAX_CHARS = 120


@dataclass(frozen=True, slots=True)
class HeadingCandidate:
    text: str
    block_index: int
    rank: int  # h1 3, title-classed element 2 (like h2), h3 1


def heading_candidates(blocks: Sequence[Block]) -> list[HeadingCandidate]:
    """Headline-like elements: h1-h3 or elements classed as titles, of headline length, mostly not links.

    A heading's lines (`…纾困<div>预计4年…</div>` inside one <h1>) are joined with a space, as a reader sees them.
    """
    groups: dict[lxml.html.HtmlElement, list[Block]] = {}
    for block in blocks:
        heading = heading_element(block.owner)
        if heading is not None:
            groups.setdefault(heading, []).append(block)
    candidates = []
    for heading, lines in groups.items():
        chars = sum(line.chars for line in lines)
        links = sum(line.link_chars for line in lines)
        if TITLE_MIN_CHARS <= chars <= TITLE_MAX_CHARS and links * 2 < chars:
            text = " ".join(line.text for line in lines)
            candidates.append(HeadingCandidate(text, lines[0].index, _heading_rank(heading)))
    return candidates


def choose_title(
    page_title: str | None, metadata_titles: Sequence[str], blocks: Sequence[Block], body_start: int | None
) -> str | None:
    """The article's headline as written on the page; None when the page offers none.

    In order: a heading or metadata headline that the <title> confirms; a metadata headline; the
    <title> without its site name, unless all it names is the site (`北医新闻网_(新闻)`); the heading
    just above the text; the short plain line just above the text.
    """
    headings = heading_candidates(blocks)
    stripped = strip_site_name(page_title) if page_title else None
    if page_title and stripped:
        reference, stripped_key = matching_key(page_title), matching_key(stripped)
        confirmed = [
            text
            for text in [*(h.text for h in headings), *(strip_site_name(t) for t in metadata_titles)]
            if _confirmed_by(matching_key(text), reference, stripped_key)
        ]
        if confirmed:
            return max(confirmed, key=len)
    if metadata_titles:
        return strip_site_name(metadata_titles[0])
    if stripped and not _names_a_site(stripped):
        return stripped
    heading = _heading_above(headings, body_start)
    if heading:
        return heading.text
    return _plain_line_above(blocks, body_start) or stripped


def strip_site_name(title: str) -> str:
    """`headline-site`, `site--channel--headline` -> `headline`, cutting only segments that read as site names."""
    title = " ".join(title.split())
    while (cut := _site_suffix_start(title)) is not None:
        title = title[:cut]
    after_site = False
    while (separator := _explicit_separator(title)) is not None:
        head = title[: separator.start()]
        rest = title[separator.end() :]
        is_site = SITE_WORDS.search(head) and not SENTENCE_PUNCTUATION.search(head)
        is_channel = after_site and len(head) <= CHANNEL_MAX_CHARS
        if not (is_site or is_channel) or len(matching_key(rest)) < TITLE_MIN_CHARS:
            break
        title, after_site = rest, True
    return title


def site_name(page_title: str | None, headline: str) -> str | None:
    """The site the <title> names beside the headline (`headline - BBC中文网 - 两岸三地` -> BBC中文网)."""
    if not page_title:
        return None
    page_title = " ".join(page_title.split())
    if page_title.startswith(headline):
        rest = page_title[len(headline) :]
    elif page_title.endswith(headline):
        rest = page_title[: -len(headline)]
    else:
        return None
    segments = [s for s in SUFFIX_SEPARATORS.split(rest) if s.strip()]
    plausible = [s for s in segments if len(s) <= SITE_NAME_MAX_CHARS and not SENTENCE_PUNCTUATION.search(s)]
    if len(plausible) == 1:
        return plausible[0]
    return next((s for s in plausible if SITE_WORDS.search(s)), None)


def matching_key(text: str) -> str:
    """Text as compared: NFKC, no whitespace (pages differ in spaces and full-width forms)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _site_suffix_start(title: str) -> int | None:
    """Where a trailing site-name segment (with its separator) begins, or None."""
    separators = list(SUFFIX_SEPARATORS.finditer(title))
    if not separators:
        return None
    last = separators[-1]
    segment = title[last.end() :]
    head = title[: last.start()]
    if not segment or len(matching_key(head)) < TITLE_MIN_CHARS or SENTENCE_PUNCTUATION.search(segment):
        return None
    explicit = bool(last.group().strip())
    if SITE_WORDS.search(segment) or (explicit and len(segment) <= SITE_LABEL_MAX_CHARS and len(segment) < len(head)):
        return last.start()
    return None


def _explicit_separator(title: str) -> re.Match[str] | None:
    """The first separator in a <title> that is more than a space."""
    return next((match for match in SUFFIX_SEPARATORS.finditer(title) if match.group().strip()), None)


def _plain_line_above(blocks: Sequence[Block], body_start: int | None) -> str | None:
    """The nearest short line above the text without links, dates, labels or byline: a headline no markup names."""
    if body_start is None:
        return None
    for block in reversed(blocks[max(0, body_start - PLAIN_LINE_REACH) : body_start]):
        if block.link_chars or not TITLE_MIN_CHARS <= block.chars <= PLAIN_LINE_MAX_CHARS:
            continue
        if find_dates(block.text) or "：" in block.text or block.text.endswith(("。", ":")):
            continue
        if parse_byline(block.text) is not None:
            continue
        return block.text
    return None


def _names_a_site(text: str) -> bool:
    """A <title> that is only a site or channel name: `北医新闻网`, `新闻中心`, `首页`."""
    words = [word for word in SUFFIX_SEPARATORS.split(text) if word.strip("()（） ")]
    return all(SITE_WORDS.search(word.strip("()（） ")) or len(word) <= GENERIC_TITLE_MAX_CHARS for word in words)


def _confirmed_by(candidate: str, reference: str, stripped: str) -> bool:
    """The <title> contains the candidate, and the candidate is its headline part, not the site name."""
    if len(candidate) < TITLE_MIN_CHARS or candidate not in reference:
        return False
    if candidate not in stripped and stripped not in candidate:
        return False
    return reference.startswith(candidate) or len(candidate) * 2 >= len(stripped)


def heading_element(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The nearest of the element, its parent and grandparent that is a heading; None if none is."""
    for _ in range(HEADING_REACH):
        if element is None:
            return None
        if _heading_rank(element):
            return element
        element = element.getparent()
    return None


def _heading_rank(element: lxml.html.HtmlElement) -> int:
    rank = HEADING_TAGS.get(element.tag, 0)
    if rank < 2 and TITLE_CLASS.search(f"{element.get('class', '')} {element.get('id', '')}"):
        return 2
    return rank


def _heading_above(headings: Sequence[HeadingCandidate], body_start: int | None) -> HeadingCandidate | None:
    """The best-ranked heading before the article text, the nearest one among equals."""
    above = [h for h in headings if body_start is None or h.block_index < body_start]
    if not above:
        return None
    return max(above, key=lambda h: (h.rank, h.block_index))
