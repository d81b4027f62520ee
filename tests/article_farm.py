"""Many distinct article pages and the feeds listing them, on 127.0.0.1, for tests of large ingests.

Each page's body is a random run of words drawn from the fixture texts (seeded by the page number), so
no two pages share enough text to be taken for reposts, except the planted ones: every `REPOST_EVERY`-th
page carries the previous page's body with a repost's boilerplate. A feed's pages may answer slowly.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from time import sleep

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPOST_EVERY = 10


def _vocabulary() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted((FIXTURES / "dedupe").glob("*.txt"))]
    runs = re.findall(r"[\u4e00-\u9fff]+", "".join(texts))
    return sorted({run[start : start + 2] for run in runs for start in range(0, len(run) - 1, 2)})


WORDS = _vocabulary()


def body_of(number: int) -> list[str]:
    rng = random.Random(number)
    paragraphs = []
    for index in range(6):
        sentences = ["".join(rng.choices(WORDS, k=rng.randint(8, 14))) + "。" for _ in range(rng.randint(3, 5))]
        if index == 0:
            sentences.insert(0, f"淄博市与粤港澳大湾区合作项目第{number}号签约。")
        paragraphs.append("".join(sentences))
    return paragraphs


def page_of(number: int) -> str:
    paragraphs = body_of(number - 1 if number % REPOST_EVERY == REPOST_EVERY - 1 else number)
    if number % REPOST_EVERY == REPOST_EVERY - 1:
        paragraphs = ["来源：大众网", *paragraphs, "（完）", "责任编辑：张三"]
    text = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f'<html><head><meta charset="utf-8"><title>淄博第{number}号新闻 - 测试新闻网</title></head><body>'
        '<div class="nav"><a href="/">首页</a> <a href="/zb/">淄博</a></div>'
        f"<h1>淄博第{number}号新闻：新材料项目落地</h1>"
        f'<div class="info">2026-12-01 10:{number % 60:02d} 来源：淄博日报</div>'
        f'<div class="content">{text}</div><div class="footer">版权所有 测试新闻网</div></body></html>'
    )


class ArticleFarm:
    """Feeds `/feed/<f>.xml`, each listing its pages `/<f>/<n>.html`; pages of the feeds in `slow` take
    `delay_s` each to answer."""

    def __init__(self, feeds: int, pages_per_feed: int, slow: set[int] = frozenset(), delay_s: float = 0.0):
        self.feeds, self.pages_per_feed, self.slow, self.delay_s = feeds, pages_per_feed, slow, delay_s
        self.answered: list[str] = []
        farm = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body, kind = farm.answer(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                farm.answered.append(self.path)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str) -> tuple[bytes, str]:
        if match := re.fullmatch(r"/feed/(\d+)\.xml", path):
            feed = int(match.group(1))
            items = "".join(
                f"<item><title>第{n}号</title><link>{self.base}/{feed}/{n}.html</link></item>"
                for n in range(feed * self.pages_per_feed, (feed + 1) * self.pages_per_feed)
            )
            rss = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>f{feed}</title>{items}'
            return f"{rss}</channel></rss>".encode(), "application/rss+xml"
        if match := re.fullmatch(r"/(\d+)/(\d+)\.html", path):
            if int(match.group(1)) in self.slow:
                sleep(self.delay_s)
            return page_of(int(match.group(2))).encode(), "text/html; charset=utf-8"
        return b"", "text/plain"

    def sources(self) -> list[dict]:
        return [{"name": f"feed{f}", "kind": "rss", "url": f"{self.base}/feed/{f}.xml"} for f in range(self.feeds)]


@contextmanager
def article_farm(feeds: int, pages_per_feed: int, **options: object) -> Iterator[ArticleFarm]:
    farm = ArticleFarm(feeds, pages_per_feed, **options)
    thread = threading.Thread(target=farm.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield farm
    finally:
        farm.server.shutdown()
        farm.server.server_close()
