"""The recorded web (newsmon/demo_web + fault routes) on 127.0.0.1, and fetch settings sized for tests.

Import the fixture into a test module to use `web`: `from webfixtures import recorded_web_fixture  # noqa: F401`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsmon.config import FetchSettings
from newsmon.recorded_web import RecordedWeb

TEST_TIMEOUT_S = 2.0


def fetch_settings_for_tests(**changes: object) -> FetchSettings:
    """Small timeouts and no pacing: the loopback web answers at once unless a fault says otherwise."""
    values = {
        "timeout_s": TEST_TIMEOUT_S,
        "max_bytes": 5_000_000,
        "per_host_interval_s": 0.0,
        "allow_private_networks": True,
    }
    return FetchSettings(**(values | changes))


@pytest.fixture(scope="module", name="web")
def recorded_web_fixture() -> Iterator[RecordedWeb]:
    with RecordedWeb() as recorded:
        yield recorded


def recorded_sources(web: RecordedWeb, *specs: tuple[str, str, str, str | None]) -> list[dict]:
    """Config `sources:` entries (name, kind, recorded URL, links selector) pointing at the local web."""
    return [
        {"name": name, "kind": kind, "url": web.url(url), **({"links": links} if links else {})}
        for name, kind, url, links in specs
    ]


GIA = ("香港政府新闻公报", "rss", "https://www.info.gov.hk/gia/rss/general_zh.xml", None)
RTHK = ("香港电台本地新闻", "rss", "https://rthk.hk/rthk/news/rss/c_expressnews_clocal.xml", None)
CHINANEWS = ("中国新闻网滚动新闻", "rss", "https://www.chinanews.com.cn/rss/scroll-news.xml", None)
CHINANEWS_ATOM = ("中国新闻网港澳", "rss", "https://www.chinanews.com.cn/rss/gangao.atom", None)
GOOGLE_ZIBO = (
    "谷歌新闻·淄博",
    "rss",
    "https://news.google.com/rss/search?q=%E6%B7%84%E5%8D%9A&hl=zh-CN&gl=CN&ceid=CN:zh-Hans",
    None,
)
ZBNEWS = ("淄博新闻网", "html", "https://www.zbnews.net/", "a[href*='/content/']")
ZIBO_GOV = ("淄博市人民政府·淄博要闻", "html", "https://www.zibo.gov.cn/col/col1234/index.html", "ul.news-list a")
DZWWW = ("大众网·淄博", "html", "https://zb.dzwww.com/zbxw/", "ul.list-ul a")
DZWWW_SITEMAP = ("大众网·淄博新闻地图", "sitemap", "https://zb.dzwww.com/sitemap_news.xml.gz", None)
