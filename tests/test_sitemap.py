"""Sitemaps, Google news sitemaps and sitemap indexes (gzip included) -> links."""

from __future__ import annotations

import gzip
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from newsmon.errors import ParseError
from parsers.inflate import CappedInflater, TooLarge
from parsers.sitemap import parse_sitemap

NOW = datetime(2023, 2, 24, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
URL = "http://zb.dzwww.com/sitemap_news.xml"
NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://zb.dzwww.com/xw/202302/t20230223_1.htm</loc>
  <news:news><news:publication><news:name>大众网</news:name><news:language>zh</news:language></news:publication>
  <news:publication_date>2023-02-23T10:30:00+08:00</news:publication_date><news:title>淄博牵手大湾区的想法与干法</news:title></news:news>
</url>
<url><loc>http://zb.dzwww.com/xw/202302/t20230222_2.htm</loc><lastmod>2023-02-22</lastmod></url>
<url><loc>http://zb.dzwww.com/xw/202302/t20230222_2.htm</loc></url>
</urlset>""".encode()


def test_news_sitemap_links_with_publication_date_and_title() -> None:
    links = parse_sitemap(NEWS_SITEMAP, URL, NOW, 1_000_000).links
    assert [link.url for link in links] == [
        "http://zb.dzwww.com/xw/202302/t20230223_1.htm",
        "http://zb.dzwww.com/xw/202302/t20230222_2.htm",
    ]
    assert links[0].title == "淄博牵手大湾区的想法与干法"
    assert links[0].published_at == "2023-02-23T10:30:00+08:00"
    assert links[1].published_at == "2023-02-22" and links[1].title is None


def test_gzipped_sitemap_is_inflated() -> None:
    links = parse_sitemap(gzip.compress(NEWS_SITEMAP), URL + ".gz", NOW, 1_000_000).links
    assert len(links) == 2


def test_gzipped_sitemap_past_the_cap_is_an_error() -> None:
    bomb = gzip.compress(NEWS_SITEMAP + b" " * 5_000_000)
    with pytest.raises(ParseError, match="larger than 1000000 bytes"):
        parse_sitemap(bomb, URL + ".gz", NOW, 1_000_000)


def test_sitemap_index_lists_children_newest_first() -> None:
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>/sitemap-1.xml</loc><lastmod>2023-01-01</lastmod></sitemap>
<sitemap><loc>/sitemap-2.xml.gz</loc><lastmod>2023-02-23T08:00:00+08:00</lastmod></sitemap></sitemapindex>"""
    listing = parse_sitemap(index, URL, NOW, 1_000_000)
    assert listing.links == ()
    assert listing.sitemaps == ("http://zb.dzwww.com/sitemap-2.xml.gz", "http://zb.dzwww.com/sitemap-1.xml")


def test_entities_are_not_expanded() -> None:
    evil = b"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://x.cn/&x;</loc></url></urlset>"""
    links = parse_sitemap(evil, URL, NOW, 1_000_000).links
    assert all("root:" not in link.url for link in links)


@pytest.mark.parametrize("content", [b"<html><body>not a sitemap</body></html>", b"", b"\x00\x01garbage"])
def test_not_a_sitemap_is_an_error(content: bytes) -> None:
    with pytest.raises(ParseError):
        parse_sitemap(content, URL, NOW, 1_000_000)


def test_capped_inflater_stops_a_bomb_at_the_cap() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join(compressor.compress(bytes(1 << 20)) for _ in range(50)) + compressor.flush()
    assert len(bomb) < 100_000
    inflater = CappedInflater("gzip", 2_000_000)
    with pytest.raises(TooLarge):
        for start in range(0, len(bomb), 16_384):
            inflater.feed(bomb[start : start + 16_384])
    assert inflater.produced <= 2_000_001


def test_capped_inflater_reads_raw_deflate_and_zlib() -> None:
    data = "淄博".encode() * 1000
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert CappedInflater("deflate", 10**6).feed(raw.compress(data) + raw.flush()) == data
    assert CappedInflater("deflate", 10**6).feed(zlib.compress(data)) == data
