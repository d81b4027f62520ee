"""An article page (decoded HTML and its URL) -> `Article`: title, publish time, author, publisher, body.

Layered, most specific first, field by field:
1. the source's own CSS selectors from config (`SiteRules`), when they match;
2. what the page states in markup (JSON-LD, OpenGraph, <meta>, <title>), checked against what it shows;
3. the generic reading of the page: the main text region (`main_content`), the headline above it
   (`titles`), the dateline (`datelines`) and the byline lines (`bylines`).
Pure: text in, record out; the page is parsed once with lxml and walked once into text blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import lxml.html
from cssselect import SelectorError

from newsmon.errors import ExtractError
from newsmon.records import Article
from parsers.bylines import Byline, is_signature_line, parse_byline, parse_inline_reporter, parse_signature
from parsers.datelines import choose_published, metadata_found_date, page_zone
from parsers.dates import FoundDate, find_dates
from parsers.html_blocks import Block, parse_html, remove_invisible, text_blocks
from parsers.main_content import DATELINE_MAX_CHARS, PROSE_PUNCTUATION, Region, body_paragraphs, find_main_region
from parsers.metadata import PageMetadata, read_metadata
from parsers.titles import choose_title, heading_element, matching_key, site_name

# Blocks after the article text still read for bylines (`编辑：… 来源：… 作者：…` in a table below it).
BYLINE_BLOCKS_AFTER = 5
# Blocks before the text read for bylines when the headline was not found among the blocks.
BYLINE_BLOCKS_BEFORE = 6
# Paragraphs at each end of the text searched for a closing signature or an opening `（记者 …）`.
SIGNATURE_BLOCKS = 3
# A block counts as (part of) the headline when it is at least this long and inside it.
HEADLINE_PART_MIN_CHARS = 5


@dataclass(frozen=True, slots=True)
class SiteRules:
    """Per-site CSS selectors (config `article:`) that win over the generic rules."""

    title: str | None = None
    body: str | None = None
    published: str | None = None
    author: str | None = None
    publisher: str | None = None


def extract_article(html: str, url: str, rules: SiteRules | None = None) -> Article:
    """The article on a page; raises `ExtractError` when the page has no title or no body."""
    rules = rules or SiteRules()
    root = parse_html(html, url)
    metadata = read_metadata(root)
    remove_invisible(root)
    blocks = text_blocks(root.body if root.body is not None else root)  # a frameset page has no <body>
    region = find_main_region(blocks)

    text_start = region.text_start if region else None
    title = _selected_text(root, rules.title, url) or choose_title(
        metadata.page_title, metadata.titles, blocks, text_start
    )
    if not title:
        raise ExtractError(f"{url}: no title found")
    headline = _headline_index(blocks, title, text_start)
    paragraphs = body_paragraphs(blocks, region, lambda block: _is_headline_line(block, title), _is_dateline)
    text_span = Region(paragraphs[0].index, paragraphs[-1].index) if paragraphs else None
    body = "\n".join(block.text for block in _ruled_body(root, rules.body, url) or paragraphs)
    if not body:
        raise ExtractError(f"{url}: no article text found")

    zone = page_zone(url)
    published = _ruled_date(root, rules.published, url) or choose_published(
        metadata_found_date(_first_date(metadata.published)), blocks, headline, text_span, url
    )
    byline = _page_byline(blocks, headline, text_span, paragraphs)
    author, publisher = _people(root, rules, url, byline, metadata)
    return Article(
        url=url,
        title=title,
        body=body,
        published_at=published.iso(zone) if published else None,
        author=author,
        publisher=publisher or site_name(metadata.page_title, title) or metadata.publisher,
    )


def _headline_index(blocks: Sequence[Block], title: str, body_start: int | None) -> int | None:
    """The block showing the headline (the last one before the text when it is shown twice), not a link to it."""
    shown = [block.index for block in blocks if not block.link_chars and _is_headline_part(block, title)]
    before_text = [index for index in shown if body_start is None or index <= body_start]
    if before_text:
        return before_text[-1]
    return shown[0] if shown else None


def _is_headline_line(block: Block, title: str) -> bool:
    """The headline itself, or a line of a heading element that holds it, to be kept out of the body.

    Plain lines that merely spell the title out again (a notice's own centred heading, broken over
    several lines inside the text) stay: they are part of the document.
    """
    key = matching_key(block.text)
    if key == matching_key(title):
        return True
    return heading_element(block.owner) is not None and _is_headline_part(block, title)


def _is_headline_part(block: Block, title: str) -> bool:
    key, title_key = matching_key(block.text), matching_key(title)
    return key == title_key or (len(key) >= HEADLINE_PART_MIN_CHARS and key in title_key)


def _is_dateline(block: Block) -> bool:
    """A short line with a date and no sentence in it (a sentence may start with a date: `1月20日，…`)."""
    if block.chars > DATELINE_MAX_CHARS or PROSE_PUNCTUATION.search(block.text):
        return False
    return bool(find_dates(block.text))


def _page_byline(
    blocks: Sequence[Block], headline: int | None, text_span: Region | None, body: Sequence[Block]
) -> Byline:
    """Author/editor/publisher from the labelled lines around the text, those near the headline first."""
    if text_span is None:
        return Byline()
    if headline is not None and headline < text_span.first:
        start = headline + 1
    else:
        start = max(0, text_span.first - BYLINE_BLOCKS_BEFORE)
    byline = Byline()
    for block in blocks[start : text_span.last + 1 + BYLINE_BLOCKS_AFTER]:
        found = parse_byline(block.text)
        if found is None and is_signature_line(block.text):
            found = Byline(author=parse_signature(block.text))
        if found is not None:
            byline = byline.merged(found)
    signed = next(filter(None, (parse_signature(block.text) for block in body[-SIGNATURE_BLOCKS:])), None)
    reporter = next(filter(None, (parse_inline_reporter(block.text) for block in body[:SIGNATURE_BLOCKS])), None)
    return byline.merged(Byline(author=signed or reporter))


def _people(
    root: lxml.html.HtmlElement,
    rules: SiteRules,
    url: str,
    byline: Byline,
    metadata: PageMetadata,
) -> tuple[str | None, str | None]:
    """(author, publisher): site rules, then the page's bylines, then metadata; an editor only as last resort."""
    ruled_author = _selected_text(root, rules.author, url)
    ruled_publisher = _selected_text(root, rules.publisher, url)
    if ruled_author:  # `记者：王凯` -> 王凯; a bare name stays as it is
        ruled_author = getattr(parse_byline(ruled_author), "author", None) or ruled_author
    if ruled_publisher:
        ruled_publisher = getattr(parse_byline(ruled_publisher), "publisher", None) or ruled_publisher
    author = ruled_author or byline.author or metadata.author or byline.editor
    publisher = ruled_publisher or byline.publisher or metadata.source
    return author, publisher


def _first_date(text: str | None) -> FoundDate | None:
    found = [date for date in find_dates(text or "") if date.year is not None and date.day is not None]
    return found[0] if found else None


def _select(root: lxml.html.HtmlElement, selector: str | None, url: str) -> list[lxml.html.HtmlElement]:
    if not selector:
        return []
    try:
        return root.cssselect(selector)
    except SelectorError as exc:
        raise ExtractError(f"{url}: bad CSS selector {selector!r} in the source's article rules: {exc}") from exc


def _selected_text(root: lxml.html.HtmlElement, selector: str | None, url: str) -> str | None:
    for element in _select(root, selector, url):
        text = " ".join(element.text_content().split())
        if text:
            return text
    return None


def _ruled_body(root: lxml.html.HtmlElement, selector: str | None, url: str) -> list[Block]:
    """The paragraphs of the elements the body rule selects; [] when there is no rule or it matches nothing."""
    blocks = [block for element in _select(root, selector, url) for block in text_blocks(element)]
    if not blocks:
        return []
    whole = Region(0, len(blocks) - 1)
    renumbered = [Block(i, b.text, b.chars, b.link_chars, b.owner) for i, b in enumerate(blocks)]
    return body_paragraphs(renumbered, whole, lambda block: False, lambda block: False)


def _ruled_date(root: lxml.html.HtmlElement, selector: str | None, url: str) -> FoundDate | None:
    for element in _select(root, selector, url):
        for text in (element.text_content(), element.get("datetime"), element.get("content")):
            found = _first_date(text)
            if found:
                return found
    return None
