"""An article page (decoded HTML and its URL) -> `Article`: title, time, author, publisher, body.

Placeholder until the layered extractor lands: <h1> or <title>, and the page's <p> text.
"""

from __future__ import annotations

from dataclasses import dataclass

from bs4 import BeautifulSoup

from newsmon.errors import ExtractError
from newsmon.records import Article


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
    soup = BeautifulSoup(html, "lxml")
    heading = soup.find("h1") or soup.find("title")
    title = heading.get_text(" ", strip=True) if heading else ""
    body = "\n".join(p.get_text(strip=True) for p in soup.find_all("p") if p.get_text(strip=True))
    if not title or not body:
        raise ExtractError(f"{url}: no {'title' if not title else 'body'} found")
    return Article(url=url, title=title, body=body)
