"""An HTML list page (a site's news index) -> `Listing` of the article links its CSS selector picks.

The selector comes from the source's `links:` key and is run by lxml's cssselect, the same engine as
the `article:` rules, so one CSS dialect serves every selector in the config. Links are resolved
against the page's own URL (or its `<base href>`); links that lead nowhere fetchable (javascript:,
mailto:, #) are dropped. A selector that picks no link at all is an error: the site has most likely
changed its layout, and a silent empty list would look like a quiet news day.
"""

from __future__ import annotations

import lxml.html

from newsmon.errors import ParseError
from newsmon.records import Link, Listing
from parsers.html_blocks import parse_html
from parsers.urls import canonical_url, resolve_link


def parse_list_page(html: str, page_url: str, selector: str) -> Listing:
    """Article links chosen by `selector` (an `<a>` itself, or the `<a href>`s inside what it picks)."""
    root = parse_html(html, page_url)
    base = root.find(".//base[@href]")
    base_url = (resolve_link(page_url, base.get("href")) if base is not None else None) or page_url
    links: list[Link] = []
    seen: set[str] = set()
    for anchor in _anchors(root.cssselect(selector)):
        url = resolve_link(base_url, anchor.get("href"))
        if url is None:
            continue
        canonical = canonical_url(url)
        if canonical in seen:
            continue
        seen.add(canonical)
        title = " ".join(anchor.text_content().split()) or (anchor.get("title") or "").strip() or None
        links.append(Link(url=url, canonical_url=canonical, title=title))
    if not links:
        raise ParseError(f"{page_url}: the links selector {selector!r} picks no article link on the page")
    return Listing(links=tuple(links))


def _anchors(selected: list[lxml.html.HtmlElement]) -> list[lxml.html.HtmlElement]:
    anchors: list[lxml.html.HtmlElement] = []
    for element in selected:
        if element.get("href") is not None:
            anchors.append(element)
        else:
            anchors.extend(element.cssselect("a[href]"))
    return anchors
