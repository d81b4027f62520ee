"""End to end: `newsmon run` on N new article pages served on 127.0.0.1, beside the floor on the same pages.

    uv run python bench/pipeline.py --pages 2000 [--pages 20000] [--temporary-server]

The pages are built from the real corpus templates (../shared/corpus/extraction*, read here only): each
template keeps its layout, size and encoding (GBK pages stay GBK) and gets a new on-topic title and body
made of sentences from the other corpus bodies, so every page is a different article. Twenty RSS feeds
list them. newsmon runs as a user runs it (the console script, a fresh process) against a `prefect server
start` this bench starts (its memory not counted), or with `--temporary-server` as a newcomer's first run.

The floor does the least any such pipeline must: GET each page, decode it, parse it with lxml and segment
its text once with jieba; sequentially, and split over two processes. The bench prints both with their
ratio, and the peak memory of all newsmon processes together.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = [ROOT.parent / "shared" / "corpus" / name for name in ("extraction", "extraction-more")]
FEEDS = 20
CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
SENTENCE = re.compile(r"[^。！？]{12,120}[。！？]")
TOPIC_WORDS = ["淄博", "粤港澳大湾区", "张店区", "深圳", "香港", "淄博市"]


def load_templates() -> tuple[list[tuple[str, str, str, list[str]]], list[str]]:
    """(html text, encoding, title, body lines) per usable corpus page, and the sentences of every body."""
    templates, sentences = [], []
    for folder in CORPUS:
        for expected_path in sorted(folder.glob("*.json")):
            expected = json.loads(expected_path.read_text(encoding="utf-8"))
            raw = expected_path.with_suffix(".html").read_bytes()
            declared = CHARSET.search(raw[:4096])
            encoding = (declared.group(1).decode().lower() if declared else "utf-8").replace("gb2312", "gbk")
            encoding = "gb18030" if encoding in ("gbk", "gb18030") else encoding
            try:
                html = raw.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                continue
            body = expected.get("body") or ""
            sentences.extend(SENTENCE.findall(body))
            lines = [line.strip() for line in body.splitlines() if len(line.strip()) >= 20 and line.strip() in html]
            title = expected.get("title") or ""
            if len(lines) >= 3 and title and title in html:
                templates.append((html, encoding, title, lines))
    return templates, sentences


def build_pages(count: int, seed: int = 7) -> list[tuple[bytes, str]]:
    """`count` article pages (bytes, content type), each a corpus template with a new title and body."""
    templates, sentences = load_templates()
    if not templates:
        sys.exit("bench/pipeline.py: ../shared/corpus/extraction* is missing; it builds its pages from there")
    rng = random.Random(seed)
    pages = []
    for number in range(count):
        html, encoding, title, lines = templates[number % len(templates)]
        new_title = f"{rng.choice(TOPIC_WORDS)}第{number}号新闻：{rng.choice(sentences)[:18].rstrip('。！？')}"
        page = html.replace(title, escape(new_title))
        for index, line in enumerate(lines):
            text = "".join(rng.sample(sentences, 3))
            if index == 0:
                text = f"{rng.choice(TOPIC_WORDS)}消息（第{number}号）：{text}"
            page = page.replace(line, escape(text), 1)
        charset = "gbk" if encoding == "gb18030" else encoding
        pages.append((page.encode(encoding, errors="xmlcharrefreplace"), f"text/html; charset={charset}"))
    return pages


def feed_xml(base: str, feed: int, numbers: range) -> bytes:
    items = "".join(
        f"<item><title>第{n}号</title><link>{base}/a/{n}.html</link><guid>{base}/a/{n}.html</guid></item>"
        for n in numbers
    )
    channel = f"<title>bench feed {feed}</title><link>{base}/</link><description>bench</description>"
    rss = f'<rss version="2.0"><channel>{channel}{items}</channel></rss>'
    return f'<?xml version="1.0" encoding="utf-8"?>{rss}'.encode()


class Web:
    """The pages and feeds on a threaded HTTP server on 127.0.0.1 (robots.txt: 404, everything allowed)."""

    def __init__(self, pages: list[tuple[bytes, str]]):
        self.pages = pages
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                body, kind = web.answer(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        per_feed = -(-len(pages) // FEEDS)
        self.feeds = [
            feed_xml(self.base, f, range(f * per_feed, min(len(pages), (f + 1) * per_feed))) for f in range(FEEDS)
        ]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str) -> tuple[bytes | None, str]:
        if match := re.fullmatch(r"/a/(\d+)\.html", path):
            return self.pages[int(match.group(1))]
        if match := re.fullmatch(r"/feed/(\d+)\.xml", path):
            return self.feeds[int(match.group(1))], "application/rss+xml"
        return None, "text/plain"

    def urls(self) -> list[str]:
        return [f"{self.base}/a/{n}.html" for n in range(len(self.pages))]


def floor_pass(urls: list[str]) -> int:
    """GET, decode, lxml parse and one jieba pass per page: the least any pipeline does."""
    import httpx
    import jieba
    import lxml.html

    jieba.setLogLevel(60)
    jieba.initialize()
    tokens = 0
    with httpx.Client() as client:
        for url in urls:
            response = client.get(url)
            charset = response.headers["content-type"].split("charset=")[-1]
            text = response.content.decode("gb18030" if charset == "gbk" else charset, errors="replace")
            tokens += len(jieba.lcut(lxml.html.fromstring(text).text_content()))
    return tokens


def measure_floor(urls: list[str], processes: int) -> float:
    started = time.monotonic()
    if processes == 1:
        floor_pass(urls)
    else:
        with ProcessPoolExecutor(processes) as pool:
            list(pool.map(floor_pass, [urls[i::processes] for i in range(processes)]))
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_prefect_server(home: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = os.environ | {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{port}/api"
    import httpx

    for _ in range(240):
        try:
            if httpx.get(f"{api}/health", timeout=1).status_code == 200:
                return server, api
        except httpx.HTTPError:
            time.sleep(0.5)
    server.kill()
    sys.exit("bench/pipeline.py: prefect server did not start")


def run_newsmon(web: Web, folder: Path, api_url: str | None, workers: int | None) -> dict:
    """One `newsmon run` in a fresh process: wall time, stored articles, peak memory of its process tree."""
    config = {
        "database": "news.db",
        "fetch": {
            "per_host_interval_s": 0,
            "allow_private_networks": True,
            "max_new_per_source": len(web.pages),
            "timeout_s": 60,
        },
        "orchestration": {"workers": workers} if workers else {},
        "digest": {"output_dir": "digests"},
        "topics": {"zibo": ["淄博", "张店"], "greater_bay_area": ["粤港澳大湾区", "深圳", "香港"]},
        "tags": {"新材料": ["新材料"], "人工智能": ["人工智能"]},
        "sources": [{"name": f"feed{f}", "kind": "rss", "url": f"{web.base}/feed/{f}.xml"} for f in range(FEEDS)],
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = os.environ | {"PREFECT_HOME": str(folder / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    command = [str(Path(sys.executable).parent / "newsmon"), "run", "--config", str(path)]
    started = time.monotonic()
    process = psutil.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak_total = peak_largest = 0
    output: list[bytes] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    reader.start()
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            sizes = [p.memory_info().rss for p in tree if p.is_running()]
        except psutil.Error:
            continue
        peak_total, peak_largest = max(peak_total, sum(sizes)), max(peak_largest, max(sizes, default=0))
        time.sleep(0.1)
    wall = time.monotonic() - started
    reader.join()
    if process.returncode != 0:
        sys.stdout.write(b"".join(output)[-3000:].decode("utf-8", "replace"))
        sys.exit(f"bench/pipeline.py: newsmon run exited {process.returncode}")
    import sqlite3

    with sqlite3.connect(folder / "news.db") as db:
        stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        errors = db.execute("SELECT count(*) FROM fetch_errors").fetchone()[0]
    return {"wall": wall, "stored": stored, "errors": errors, "peak_total": peak_total, "peak_largest": peak_largest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, action="append", help="N (repeatable; default 2000)")
    parser.add_argument("--temporary-server", action="store_true", help="also run with no Prefect server")
    parser.add_argument("--workers", type=int, help="orchestration.workers (default: newsmon's)")
    args = parser.parse_args()
    for count in args.pages or [2000]:
        pages = build_pages(count)
        web = Web(pages)
        gbk = sum("gbk" in kind for _, kind in pages) / len(pages)
        sizes = sorted(len(body) for body, _ in pages)
        median = sizes[len(sizes) // 2]
        print(f"\nN = {count}: {len(pages)} pages from corpus templates, {gbk:.0%} GBK, median {median:,} bytes")
        with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
            server, api = start_prefect_server(Path(tmp) / "server")
            try:
                runs = {"against a running Prefect server": run_newsmon(web, Path(tmp) / "a", api, args.workers)}
            finally:
                server.terminate()
                server.wait(30)
            if args.temporary_server:
                runs["with a temporary Prefect server"] = run_newsmon(web, Path(tmp) / "b", None, args.workers)
        floor_1 = measure_floor(web.urls(), 1)
        floor_2 = measure_floor(web.urls(), 2)
        web.server.shutdown()
        columns = ("time s", "pages/s", "/floor", "stored", "errors", "peak MB all", "largest")
        print(f"{'':46}", *(f"{column:>{max(8, len(column))}}" for column in columns))
        for label, run in runs.items():
            print(
                f"{'newsmon run, ' + label:46} {run['wall']:8.1f} {count / run['wall']:8.1f} "
                f"{run['wall'] / floor_1:8.2f} {run['stored']:8d} {run['errors']:8d} "
                f"{run['peak_total'] / 2**20:11.0f} {run['peak_largest'] / 2**20:8.0f}"
            )
        print(f"{'floor, sequential':46} {floor_1:8.1f} {count / floor_1:8.1f} {1:8.2f}")
        print(f"{'floor, 2 processes':46} {floor_2:8.1f} {count / floor_2:8.1f} {floor_2 / floor_1:8.2f}")


if __name__ == "__main__":
    main()
