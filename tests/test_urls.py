"""Canonical URLs (article identity) and link resolution."""

from __future__ import annotations

import pytest

from parsers.urls import canonical_url, host_of, origin_of, resolve_link


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://WWW.Zbnews.NET/content/1.htm", "http://www.zbnews.net/content/1.htm"),
        ("http://www.zbnews.net:80/a.htm#comments", "http://www.zbnews.net/a.htm"),
        ("https://example.com:443", "https://example.com/"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("http://x.cn/a?utm_source=rss&utm_medium=feed&id=7", "http://x.cn/a?id=7"),
        ("http://x.cn/a?spm=a2c4g.1&b=2&a=1", "http://x.cn/a?a=1&b=2"),
        ("http://x.cn/a?UTM_Campaign=x", "http://x.cn/a"),
        ("http://x.cn/a?page=2&empty=", "http://x.cn/a?empty=&page=2"),
        ("http://[::1]:8000/a", "http://[::1]:8000/a"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_canonical_url_keeps_path_case_and_is_idempotent() -> None:
    url = canonical_url("http://WWW.X.cn/News/Content_1.HTM?b=1&a=2#x")
    assert url == "http://www.x.cn/News/Content_1.HTM?a=2&b=1"
    assert canonical_url(url) == url


@pytest.mark.parametrize(
    ("href", "resolved"),
    [
        ("/content/2.htm", "http://www.zbnews.net/content/2.htm"),
        ("3.htm#top", "http://www.zbnews.net/list/3.htm"),
        ("//cdn.zbnews.net/a.htm", "http://cdn.zbnews.net/a.htm"),
        ("  https://other.cn/x  ", "https://other.cn/x"),
        ("javascript:void(0)", None),
        ("mailto:news@zbnews.net", None),
        ("file:///etc/passwd", None),
        ("#", None),
        ("", None),
        (None, None),
    ],
)
def test_resolve_link(href: str | None, resolved: str | None) -> None:
    assert resolve_link("http://www.zbnews.net/list/index.htm", href) == resolved


def test_host_and_origin() -> None:
    assert host_of("https://News.RTHK.hk/a") == "news.rthk.hk"
    assert origin_of("https://News.RTHK.hk:443/a") == "https://news.rthk.hk"
    assert origin_of("http://127.0.0.1:8123/a") == "http://127.0.0.1:8123"
