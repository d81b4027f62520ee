"""An HTML list page (a site's news index) -> `Listing` of the article links its CSS selector picks.

The selector comes from the source's `links:` key. Links are resolved against the page's own URL
(or its `<base href>`); links that lead nowhere fetchable (javascript:, mailto:, #) are dropped. A
selector that picks no link at all is an error: the site has most likely changed its layout, and a
silent empty list would look like a quiet news day.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from newsmon.errors import ParseError
from newsmon.records import Link, Listing
from parsers.urls import canonical_url, resolve_link


def parse_list_page(html: str, page_url: str, selector: str) -> Listing:
    """Article links chosen by `selector` (an `<a>` itself, or the `<a href>`s inside what it picks)."""
    soup = BeautifulSoup(html, "lxml")
    base = soup.find("base", href=True)
    base_url = resolve_link(page_url, base["href"]) if isinstance(base, Tag) else None
    base_url = base_url or page_url
    links: list[Link] = []
    seen: set[str] = set()
    for anchor in _anchors(soup.select(selector)):
        url = resolve_link(base_url, anchor.get("href"))
        if url is None:
            continue
        canonical = canonical_url(url)
        if canonical in seen:
            continue
        seen.add(canonical)
        title = anchor.get_text(" ", strip=True) or (anchor.get("title") or "").strip() or None
        links.append(Link(url=url, canonical_url=canonical, title=title))
    if not links:
        raise ParseError(f"{page_url}: the links selector {selector!r} picks no article link on the page")
    return Listing(links=tuple(links))


def _anchors(selected: list[Tag]) -> list[Tag]:
    anchors: list[Tag] = []
    for element in selected:
        if element.has_attr("href"):
            anchors.append(element)
        else:
            anchors.extend(element.select("a[href]"))
    return anchors
