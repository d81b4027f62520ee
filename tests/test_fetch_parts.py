"""The fetcher's parts on their own: host pacing, robots.txt rules, connection failures, and how a
fetched page becomes an article (charset guesses noted, listing title and date as fallbacks)."""

from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path

import pytest
from webfixtures import fetch_settings_for_tests

from newsmon.collect import RunContext, select_links
from newsmon.config import parse_config
from newsmon.errors import FetchError, NewsmonError
from newsmon.fetch import Fetcher
from newsmon.pacing import HostPacer
from newsmon.pipeline import PAGE_TYPES, extract_page
from newsmon.records import FetchedPage, Link
from newsmon.robots import RobotsCache, RobotsFile, RobotsRefused
from newsmon.store import mark_url, open_database
from parsers.urls import canonical_url


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_pacer_spaces_one_origin_and_leaves_others_alone() -> None:
    clock = FakeClock()
    pacer = HostPacer(2.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        pacer.wait("https://www.zbnews.net")
    pacer.wait("https://www.info.gov.hk")
    assert clock.slept == [2.0, 2.0]


def test_crawl_delay_lengthens_the_interval_but_never_shortens_it() -> None:
    clock = FakeClock()
    pacer = HostPacer(2.0, clock=clock, sleep=clock.sleep)
    pacer.set_interval("https://a.cn", 5.0)
    pacer.set_interval("https://b.cn", 0.5)
    for origin in ("https://a.cn", "https://a.cn", "https://b.cn", "https://b.cn"):
        pacer.wait(origin)
    assert clock.slept == [5.0, 2.0]


def robots_cache(status: int, text: str = "", delays: list | None = None) -> RobotsCache:
    fetched: list[str] = []
    delays = delays if delays is not None else []

    def fetch(url: str) -> RobotsFile:
        fetched.append(url)
        return RobotsFile(status, text.encode())

    cache = RobotsCache("newsmon/0.1 (+https://example.invalid)", fetch, lambda o, d: delays.append((o, d)))
    cache.fetched = fetched
    return cache


def test_robots_rules_for_newsmon_and_for_everyone() -> None:
    delays: list = []
    cache = robots_cache(
        200,
        "User-agent: newsmon\nDisallow: /private/\nCrawl-delay: 7\n\nUser-agent: *\nDisallow: /\n",
        delays,
    )
    cache.check("https://x.cn/news/1.html")
    with pytest.raises(RobotsRefused, match=r"disallowed by robots\.txt"):
        cache.check("https://x.cn/private/1.html")
    assert cache.fetched == ["https://x.cn/robots.txt"]
    assert delays == [("https://x.cn", 7.0)]


def test_missing_robots_txt_allows_everything() -> None:
    cache = robots_cache(404)
    cache.check("https://x.cn/anything")


def test_robots_txt_server_error_is_an_error_not_permission() -> None:
    cache = robots_cache(503)
    with pytest.raises(FetchError, match=r"robots.txt unavailable \(HTTP 503\), not fetching"):
        cache.check("https://x.cn/a")
    with pytest.raises(FetchError):
        cache.check("https://x.cn/b")
    assert cache.fetched == ["https://x.cn/robots.txt"]


def test_refused_connection_is_retried_then_reported() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with (
        Fetcher(fetch_settings_for_tests(respect_robots=False)) as fetcher,
        pytest.raises(FetchError, match=r"cannot connect: .* \(after 3 attempts\)") as failed,
    ):
        fetcher.fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert failed.value.url == f"http://127.0.0.1:{port}/feed.xml"


def page(content: bytes, content_type: str | None, url: str = "http://x.cn/a.html") -> FetchedPage:
    return FetchedPage("src", LINK, content, content_type, url, "2023-02-24T09:00:00+08:00")


LINK = Link(
    url="http://x.cn/a.html?utm_source=rss",
    canonical_url="http://x.cn/a.html",
    title="来自订阅源的标题",
    published_at="2023-02-23T10:30:00+08:00",
)
GBK_ARTICLE = (
    "<html><head><title>淄博新闻</title></head><body><h1>淄博新材料产业发展大会召开</h1>"
    + "<p>淄博市举行新材料产业发展大会，与粤港澳大湾区企业签约，朱镕基、王堃等出席。</p>" * 6
    + "</body></html>"
)


def test_undeclared_charset_is_guessed_and_noted() -> None:
    article, note = extract_page(page(GBK_ARTICLE.encode("gbk"), "text/html"))
    assert "朱镕基、王堃" in article.body
    assert note == "http://x.cn/a.html?utm_source=rss: charset not declared or not matching the bytes; guessed gb18030"


def test_article_takes_the_canonical_url_and_the_listing_date_as_fallback() -> None:
    html = GBK_ARTICLE.replace("<head>", '<head><meta charset="gbk">').encode("gbk")
    article, note = extract_page(page(html, "text/html"))
    assert note is None
    assert article.url == "http://x.cn/a.html" and article.source == "src"
    assert article.published_at == "2023-02-23T10:30:00+08:00"
    assert article.fetched_at == "2023-02-24T09:00:00+08:00"


def test_non_html_pages_are_refused() -> None:
    assert "text/html" in PAGE_TYPES
    with pytest.raises(NewsmonError, match=r"not an article page \(Content-Type application/pdf\)"):
        extract_page(page(b"%PDF-1.4", "application/pdf"))


def test_new_links_are_capped_per_run_and_known_ones_skipped(tmp_path: Path) -> None:
    raw = {"database": str(tmp_path / "news.db"), "topics": {"zibo": ["淄博"]}}
    config = parse_config(raw, tmp_path / "config.yaml")
    now = datetime.fromisoformat("2024-05-01T10:00:00+08:00")
    with open_database(config.database_path) as db:
        mark_url(db, "http://x.cn/0.html", "src", "stored", now)
    links = [Link(f"http://x.cn/{n}.html", canonical_url(f"http://x.cn/{n}.html")) for n in range(150)]
    chosen, left_over = select_links("src", links, RunContext(config, config.database_path, now))
    assert len(chosen) == 100 and left_over == 49
    assert "http://x.cn/0.html" not in {link.canonical_url for link in chosen}
