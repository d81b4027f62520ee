"""A sitemap, Google news sitemap or sitemap index (gzip included) -> `Listing`.

Article links come from `<url><loc>` with the news extension's `<news:publication_date>` and
`<news:title>` when present (else `<lastmod>` as the date); a sitemap index lists further sitemaps,
newest first. Parsing never resolves entities or fetches anything (lxml with entities and network
off), and a gzipped sitemap is inflated only up to the size cap.
"""

from __future__ import annotations

import zlib
from datetime import datetime

from lxml import etree

from newsmon.errors import ParseError
from newsmon.records import Link, Listing
from parsers.feeds import dated_link, timezone_for_host
from parsers.inflate import GZIP_MAGIC, TooLarge, gunzip_capped
from parsers.urls import canonical_url, host_of, resolve_link


def parse_sitemap(content: bytes, sitemap_url: str, now: datetime, max_bytes: int) -> Listing:
    """The links (urlset) or child sitemaps (sitemapindex) of a sitemap document."""
    if content.startswith(GZIP_MAGIC):
        try:
            content = gunzip_capped(content, max_bytes)
        except TooLarge as exc:
            raise ParseError(f"{sitemap_url}: gzipped sitemap {exc}") from None
        except zlib.error as exc:
            raise ParseError(f"{sitemap_url}: broken gzip: {exc}") from None
    root = _parse_xml(content, sitemap_url)
    kind = etree.QName(root).localname
    if kind == "sitemapindex":
        return Listing(sitemaps=_child_sitemaps(root, sitemap_url))
    if kind != "urlset":
        raise ParseError(f"{sitemap_url}: not a sitemap (root element <{kind}>)")
    zone = timezone_for_host(host_of(sitemap_url))
    links: list[Link] = []
    notes: list[str] = []
    seen: set[str] = set()
    for entry in _children(root, "url"):
        url = resolve_link(sitemap_url, _text(entry, "loc"))
        if url is None or canonical_url(url) in seen:
            continue
        seen.add(canonical_url(url))
        news = next(iter(_children(entry, "news")), None)
        raw_date = (_text(news, "publication_date") if news is not None else None) or _text(entry, "lastmod")
        title = _text(news, "title") if news is not None else None
        links.append(dated_link(url, raw_date, zone, now, notes, title=title, listing="sitemap"))
    return Listing(links=tuple(links), notes=tuple(notes))


def _parse_xml(content: bytes, sitemap_url: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"{sitemap_url}: not XML: {exc}") from None
    if root is None:
        raise ParseError(f"{sitemap_url}: empty or not XML")
    return root


def _child_sitemaps(root: etree._Element, sitemap_url: str) -> tuple[str, ...]:
    dated = []
    for entry in _children(root, "sitemap"):
        url = resolve_link(sitemap_url, _text(entry, "loc"))
        if url:
            dated.append((_text(entry, "lastmod") or "", url))
    # Newest first: when only some children can be read in a run, the fresh ones matter.
    return tuple(url for _, url in sorted(dated, key=lambda pair: pair[0], reverse=True))


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and etree.QName(child).localname == name]


def _text(element: etree._Element | None, name: str) -> str | None:
    if element is None:
        return None
    for child in _children(element, name):
        text = (child.text or "").strip()
        if text:
            return text
    return None
