"""RSS and Atom feeds -> links, with dates parsed by newsmon rather than feedparser."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from newsmon.errors import ParseError
from parsers.feeds import parse_feed, parse_listing_date, timezone_for_host

NOW = datetime(2024, 5, 20, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FEED_URL = "http://www.chinanews.com.cn/rss/scroll-news.xml"


def rss(items: str, encoding: str = "utf-8", version: str = "2.0") -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="{version}"><channel><title>滚动新闻</title>'
        f"<link>http://www.chinanews.com.cn/</link>{items}</channel></rss>"
    ).encode(encoding)


def item(link: str, title: str = "淄博新闻", guid: str | None = None, date: str | None = None) -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link>"
        + (f"<guid>{guid}</guid>" if guid else "")
        + (f"<pubDate>{date}</pubDate>" if date else "")
        + "</item>"
    )


def test_rss2_entries_become_links_in_feed_order() -> None:
    content = rss(
        item("http://www.chinanews.com.cn/gn/2024/05-01/1.shtml?utm_source=rss", "淄博烧烤", "g1")
        + item("/gn/2024/05-01/2.shtml", "大湾区", "g2")
    )
    listing = parse_feed(content, FEED_URL, NOW)
    assert [link.url for link in listing.links] == [
        "http://www.chinanews.com.cn/gn/2024/05-01/1.shtml?utm_source=rss",
        "http://www.chinanews.com.cn/gn/2024/05-01/2.shtml",
    ]
    assert listing.links[0].canonical_url == "http://www.chinanews.com.cn/gn/2024/05-01/1.shtml"
    assert [link.title for link in listing.links] == ["淄博烧烤", "大湾区"]
    assert [link.guid for link in listing.links] == ["g1", "g2"]


def test_atom_entries_use_the_alternate_link() -> None:
    content = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>淄博</title><id>urn:x</id><updated>2024-05-01T10:00:00+08:00</updated>
<entry><title>淄博新材料</title><id>tag:zibo,2024:1</id>
<link rel="alternate" href="http://www.zibo.gov.cn/a/1.html"/><link rel="enclosure" href="http://x/1.jpg"/>
<published>2024-05-01T10:30:00+08:00</published><updated>2024-05-02T10:30:00+08:00</updated></entry>
</feed>""".encode()
    (link,) = parse_feed(content, "http://www.zibo.gov.cn/atom.xml", NOW).links
    assert link.url == "http://www.zibo.gov.cn/a/1.html"
    assert link.guid == "tag:zibo,2024:1"
    assert link.published_at == "2024-05-01T10:30:00+08:00"
    assert link.published_raw == "2024-05-01T10:30:00+08:00"


def test_rss1_rdf_feed() -> None:
    content = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://x.cn/"><title>x</title><link>http://x.cn/</link><description>x</description></channel>
<item rdf:about="http://x.cn/1.html"><title>one</title><link>http://x.cn/1.html</link><dc:date>2024-05-01T08:00:00Z</dc:date></item>
</rdf:RDF>"""
    (link,) = parse_feed(content, "http://x.cn/rss", NOW).links
    assert link.url == "http://x.cn/1.html"
    assert link.published_at == "2024-05-01T16:00:00+08:00"


def test_rss091_feed() -> None:
    content = rss(item("http://x.cn/1.html"), version="0.91")
    assert [link.url for link in parse_feed(content, "http://x.cn/rss", NOW).links] == ["http://x.cn/1.html"]


def test_gb2312_declared_feed_with_gbk_characters() -> None:
    content = rss(item("http://x.cn/1.html", "朱镕基与王堃在淄博"), encoding="gbk").replace(b"gbk", b"gb2312", 1)
    (link,) = parse_feed(content, "http://x.cn/rss", NOW).links
    assert link.title == "朱镕基与王堃在淄博"


def test_duplicate_guids_are_told_apart_by_link() -> None:
    content = rss(item("http://x.cn/1.html", "一", "same") + item("http://x.cn/2.html", "二", "same"))
    links = parse_feed(content, "http://x.cn/rss", NOW).links
    assert [link.url for link in links] == ["http://x.cn/1.html", "http://x.cn/2.html"]
    assert links[0].guid == "same" and links[1].guid == "same http://x.cn/2.html"


def test_the_same_article_twice_is_listed_once() -> None:
    content = rss(item("http://x.cn/1.html?utm_medium=a", "一", "a") + item("http://X.cn/1.html#c", "一", "b"))
    assert len(parse_feed(content, "http://x.cn/rss", NOW).links) == 1


def test_entry_without_link_uses_permalink_guid_or_is_noted() -> None:
    content = rss(
        "<item><title>a</title><guid isPermaLink='true'>http://x.cn/3.html</guid></item>"
        "<item><title>b</title><guid isPermaLink='false'>abc</guid></item>"
    )
    listing = parse_feed(content, "http://x.cn/rss", NOW)
    assert [link.url for link in listing.links] == ["http://x.cn/3.html"]
    assert listing.notes == ("http://x.cn/rss: entry 2 has no http(s) link, left out",)


def test_chinese_feed_dates_are_parsed_in_china_time() -> None:
    content = rss(
        item("http://x.cn/1.html", date="2024年05月01日")
        + item("http://x.cn/2.html", date="2024/5/1 10:30:00")
        + item("http://x.cn/3.html", date="Wed, 01 May 2024 10:30:00")
    )
    links = parse_feed(content, "http://x.cn/rss", NOW).links
    assert [link.published_at for link in links] == [
        "2024-05-01",
        "2024-05-01T10:30:00+08:00",
        "2024-05-01T10:30:00+08:00",
    ]
    assert links[0].published_raw == "2024年05月01日"


def test_html_page_served_as_feed_is_a_parse_error() -> None:
    page = "<!DOCTYPE html><html><head><title>淄博</title></head><body><p>新闻</p></body></html>".encode()
    with pytest.raises(ParseError, match="not an RSS or Atom feed \\(it is an HTML page\\)"):
        parse_feed(page, "http://x.cn/rss", NOW)


def test_empty_body_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="empty response"):
        parse_feed(b"  \n", "http://x.cn/rss", NOW)


def test_feed_with_no_items_is_empty_not_an_error() -> None:
    assert parse_feed(rss(""), "http://x.cn/rss", NOW).links == ()


def test_truncated_feed_keeps_entries_before_the_break() -> None:
    content = rss(item("http://x.cn/1.html") + item("http://x.cn/2.html"))[:-18]
    listing = parse_feed(content, "http://x.cn/rss", NOW)
    assert [link.url for link in listing.links] == ["http://x.cn/1.html", "http://x.cn/2.html"]
    assert "malformed" in listing.notes[-1]


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Wed, 01 May 2024 10:30:00 +0800", "2024-05-01T10:30:00+08:00"),
        ("Wed, 01 May 2024 02:30:00 GMT", "2024-05-01T10:30:00+08:00"),
        ("Wed, 01 May 2024 10:30:00 GMT+8", "2024-05-01T10:30:00+08:00"),
        ("Wed, 01 May 2024 10:30:00 GMT+08:00", "2024-05-01T10:30:00+08:00"),
        ("Wed, 01 May 2024 10:30:00 CST", "2024-05-01T10:30:00+08:00"),
        ("01 May 2024 10:30 +0800", "2024-05-01T10:30:00+08:00"),
        ("Wed, 01 May 2024 10:30:00", "2024-05-01T10:30:00+08:00"),
        ("2024-05-01T02:30:00Z", "2024-05-01T10:30:00+08:00"),
        ("2024-05-01 10:30:00", "2024-05-01T10:30:00+08:00"),
        ("2024-05-01", "2024-05-01"),
        ("2024年5月1日 10:30", "2024-05-01T10:30:00+08:00"),
        ("2024年05月01日", "2024-05-01"),
        ("", None),
        (None, None),
        ("soon", None),
    ],
)
def test_parse_listing_date(raw: str | None, iso: str | None) -> None:
    assert parse_listing_date(raw, "Asia/Shanghai", NOW).iso == iso


def test_dates_far_in_the_future_are_clamped_and_flagged() -> None:
    date = parse_listing_date("Thu, 01 Jan 2099 00:00:00 +0800", "Asia/Shanghai", NOW)
    assert date.iso == "2024-05-20T12:00:00+08:00" and date.clamped
    assert not parse_listing_date("2024-05-20T20:00:00+08:00", "Asia/Shanghai", NOW).clamped
    content = rss(item("http://x.cn/1.html", date="2099年1月1日"))
    listing = parse_feed(content, "http://x.cn/rss", NOW)
    assert listing.links[0].published_clamped and listing.links[0].published_at == "2024-05-20T12:00:00+08:00"
    assert "in the future" in listing.notes[0]


def test_hong_kong_hosts_use_hong_kong_time() -> None:
    assert timezone_for_host("www.info.gov.hk") == "Asia/Hong_Kong"
    assert timezone_for_host("www.zibo.gov.cn") == "Asia/Shanghai"
    content = rss(item("https://news.rthk.hk/1.htm", date="Wed, 01 May 2024 10:30:00"))
    (link,) = parse_feed(content, "https://rthk.hk/rthk/news/rss/c_expressnews_clocal.xml", NOW).links
    assert link.published_at == "2024-05-01T10:30:00+08:00"
