"""HTML list pages -> the article links the source's CSS selector picks."""

from __future__ import annotations

import pytest

from newsmon.errors import ParseError
from parsers.listpage import parse_list_page

PAGE_URL = "http://www.zbnews.net/news/node_2.htm"
PAGE = """<html><head><title>淄博新闻网</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/content/about.htm" class="nav">关于</a></div>
<ul class="list">
  <li><a href="/content/2023-02/23/content_1.htm">淄博牵手大湾区</a></li>
  <li><a href="content/2023-02/23/content_2.htm?utm_source=home">新材料论坛开幕</a></li>
  <li><a href="http://www.zbnews.net/content/2023-02/23/content_1.htm#comments">淄博牵手大湾区（评论）</a></li>
  <li><a href="javascript:void(0)">更多</a></li>
  <li><a href="/content/2023-02/22/content_3.htm" title="标题在属性里"><img src="x.jpg"></a></li>
</ul></body></html>"""


def test_selector_picks_article_links_resolved_against_the_page() -> None:
    listing = parse_list_page(PAGE, PAGE_URL, "ul.list a[href*='content']")
    assert [link.url for link in listing.links] == [
        "http://www.zbnews.net/content/2023-02/23/content_1.htm",
        "http://www.zbnews.net/news/content/2023-02/23/content_2.htm?utm_source=home",
        "http://www.zbnews.net/content/2023-02/22/content_3.htm",
    ]
    assert listing.links[1].canonical_url == "http://www.zbnews.net/news/content/2023-02/23/content_2.htm"
    assert [link.title for link in listing.links] == ["淄博牵手大湾区", "新材料论坛开幕", "标题在属性里"]


def test_selector_on_containers_takes_their_links() -> None:
    listing = parse_list_page(PAGE, PAGE_URL, "ul.list li")
    assert len(listing.links) == 3


def test_base_href_is_honoured() -> None:
    page = '<html><head><base href="http://cdn.zbnews.net/x/"></head><body><a href="a.htm">淄博</a></body></html>'
    (link,) = parse_list_page(page, PAGE_URL, "a").links
    assert link.url == "http://cdn.zbnews.net/x/a.htm"


def test_selector_that_picks_nothing_is_an_error_naming_it() -> None:
    with pytest.raises(ParseError, match=r"the links selector 'div.article a' picks no article link"):
        parse_list_page(PAGE, PAGE_URL, "div.article a")
