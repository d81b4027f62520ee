"""What a page says about itself in markup: <title>, JSON-LD NewsArticle, OpenGraph and common <meta> names.

These are the structured layer of extraction: cheap and usually right for titles, dates and publishers,
though a <title> carries the site name and a meta author is often the site or its CMS vendor, so
`parsers.article` weighs them against what the page shows. Must run before `remove_invisible`, which
drops the <script> elements JSON-LD lives in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html

from parsers.bylines import ORGANISATION_ENDINGS

# <meta name|property|itemprop> values that hold the headline, the publish time, the author, the publisher.
# Compared lower-case. Chinese government sites (the 国办 CMS template) use ArticleTitle/PubDate/ContentSource.
TITLE_META = ("og:title", "twitter:title", "articletitle", "headline")
PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "og:release_date",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish_date",
    "publish-date",
    "publishtime",
    "publish_time",
    "firstpublishedtime",
    "dc.date.issued",
    "dc.date",
    "dcterms.issued",
    "sailthru.date",
    "parsely-pub-date",
)
AUTHOR_META = ("article:author", "author", "dc.creator", "byl")
SOURCE_META = ("contentsource", "source")  # 来源: who first published it, for reposts another outlet
PUBLISHER_META = ("article:publisher", "dc.publisher", "og:site_name")
NEWS_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting"})
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    page_title: str | None = None  # the <title>, site name and all
    titles: tuple[str, ...] = ()  # headlines from JSON-LD, OpenGraph and <meta>
    published: str | None = None  # the raw date string, to be read by parsers.dates
    author: str | None = None
    source: str | None = None
    publisher: str | None = None


def read_metadata(root: lxml.html.HtmlElement) -> PageMetadata:
    """The page's own statements about its title, time, author and publisher."""
    metas = _meta_values(root)
    article = _json_ld_article(root)
    titles = [_text(article.get("headline"))] + [_strip_tags(metas.get(name)) for name in TITLE_META]
    published = _text(article.get("datePublished")) or _first(metas, PUBLISHED_META) or _time_element(root)
    author = _person(_name_of(article.get("author"))) or _person(_first(metas, AUTHOR_META))
    publisher = _name_of(article.get("publisher")) or _first(metas, PUBLISHER_META)
    source = _first(metas, SOURCE_META)
    return PageMetadata(
        page_title=_page_title(root),
        titles=tuple(dict.fromkeys(title for title in titles if title)),
        published=published,
        author=author,
        source=_organisation(source),
        publisher=_organisation(publisher),
    )


def _page_title(root: lxml.html.HtmlElement) -> str | None:
    """The <title>; for a page stored without one, the title its corpus wrapper records (`<text title=…>`)."""
    for element in root.iter("title"):
        text = " ".join(element.text_content().split())
        if text:
            return text
    wrapper = next(root.iter("text"), None)
    return _text(wrapper.get("title")) if wrapper is not None else None


def _meta_values(root: lxml.html.HtmlElement) -> dict[str, str]:
    """Lower-case key -> content of the <meta> elements; the first of a key wins."""
    values: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = (meta.get("content") or "").strip()
        if key and content:
            values.setdefault(key.strip().lower(), content)
    return values


def _first(metas: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((metas[name] for name in names if metas.get(name)), None)


def _time_element(root: lxml.html.HtmlElement) -> str | None:
    """<time pubdate datetime=...> or any element marked itemprop=datePublished."""
    for element in root.iter("time"):
        if element.get("pubdate") is not None and element.get("datetime"):
            return element.get("datetime")
    for element in root.xpath("//*[@itemprop='datePublished']"):
        value = element.get("datetime") or element.get("content") or element.text_content()
        if value and value.strip():
            return value.strip()
    return None


def _json_ld_article(root: lxml.html.HtmlElement) -> dict:
    """The first NewsArticle-like JSON-LD object; {} when there is none or the JSON is broken."""
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for item in _json_ld_items(data):
            kinds = item.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(kind, str) and kind in NEWS_TYPES for kind in kinds):
                return item
    return {}


def _json_ld_items(data: object) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_items(item)
    elif isinstance(data, dict):
        yield data
        yield from _json_ld_items(data.get("@graph", []))


def _name_of(value: object) -> str | None:
    """A JSON-LD person/organisation (object, list of them, or string) -> names joined by spaces."""
    if isinstance(value, list):
        names = [_name_of(item) for item in value]
        return " ".join(name for name in names if name) or None
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _person(name: str | None) -> str | None:
    if not name or name.startswith("http") or name.endswith(ORGANISATION_ENDINGS):
        return None
    return name


def _organisation(name: str | None) -> str | None:
    return name if name and not name.startswith("http") else None


def _text(value: object) -> str | None:
    """A JSON or attribute value as one line of text; None for anything else or nothing."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _strip_tags(value: str | None) -> str | None:
    return _text(TAG.sub("", value)) if value else None
