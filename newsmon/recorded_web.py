"""A recorded web on 127.0.0.1: copies of the monitored sites, and a site of faults, on real HTTP servers.

`newsmon demo` runs the pipeline against it offline, and the tests use it as the internet. Each
recorded host gets its own server on a free port (so robots.txt and pacing are per site, as on the
real web); URLs of recorded hosts inside served text are rewritten to those local origins. Files and
their headers are listed in `demo_web/sites.yaml`; what sites send validators (ETag, Last-Modified)
or gzip is recorded there too. Every request is logged, so a test can see what was asked and answered.
The fault site answers the ways real servers misbehave: trickling, gzip bombs, redirect loops,
redirects to file://, 30 MB bodies, 5xx/4xx/429, connections reset mid-body, HTML served as a feed.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import yaml

DEMO_WEB = Path(__file__).resolve().parent / "demo_web"
FAULTS_HOST = "faults.example"
# A second fault host for 429 Retry-After: a host that asks to wait is deferred for the whole run.
BUSY_HOST = "busy.example"
TRICKLE_INTERVAL_S = 0.2
TRICKLE_MAX_S = 60.0
BOMB_INFLATED_BYTES = 200 * 1024 * 1024
HUGE_BODY_BYTES = 30 * 1024 * 1024
SHUTDOWN_POLL_S = 0.05  # how often an idle server looks for `stop()`; ten servers stop in well under a second


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    host: str  # the recorded host name the request went to
    path: str
    status: int
    if_none_match: str | None
    if_modified_since: str | None


@dataclass(frozen=True, slots=True)
class RecordedFile:
    path: Path | None
    content_type: str = ""
    redirect: str | None = None


@dataclass
class RecordedSite:
    host: str
    files: dict[str, RecordedFile]
    etag: bool = False
    last_modified: str | None = None
    gzip: bool = False


@dataclass
class _Server:
    site: RecordedSite | None  # None: a fault site
    httpd: ThreadingHTTPServer
    thread: threading.Thread
    origin: str = ""


@dataclass
class RecordedWeb:
    """Start with `with RecordedWeb() as web:`; `web.url("https://www.zbnews.net/")` is the local address."""

    root: Path = DEMO_WEB
    requests: list[RecordedRequest] = field(default_factory=list)
    _servers: dict[str, _Server] = field(default_factory=dict)
    _rewrites: list[tuple[bytes, bytes]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _hits: dict[str, int] = field(default_factory=dict)

    def __enter__(self) -> RecordedWeb:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        hosts: list[tuple[str, RecordedSite | None]] = [(site.host, site) for site in load_sites(self.root)]
        for host, site in [*hosts, (FAULTS_HOST, None), (BUSY_HOST, None)]:
            httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self, host, site))
            thread = threading.Thread(
                target=httpd.serve_forever, args=(SHUTDOWN_POLL_S,), name=f"recorded-web {host}", daemon=True
            )
            self._servers[host] = _Server(site, httpd, thread, origin=f"http://127.0.0.1:{httpd.server_address[1]}")
            thread.start()
        # Longest host first, so that www.x.cn is not rewritten by a rule for x.cn.
        for host in sorted(self._servers, key=len, reverse=True):
            local = self._servers[host].origin.encode()
            for scheme in (b"https://", b"http://"):
                self._rewrites.append((scheme + host.encode(), local))

    def stop(self) -> None:
        for server in self._servers.values():
            server.httpd.shutdown()
            server.httpd.server_close()

    @property
    def hosts(self) -> list[str]:
        return list(self._servers)

    def origin(self, host: str) -> str:
        return self._servers[host].origin

    def url(self, recorded_url: str) -> str:
        """The local address of a recorded URL (`https://www.zbnews.net/x` -> `http://127.0.0.1:PORT/x`)."""
        return self.rewrite(recorded_url.encode()).decode()

    def fault_url(self, path: str, host: str = FAULTS_HOST) -> str:
        return self.origin(host) + path

    def rewrite(self, content: bytes) -> bytes:
        for recorded, local in self._rewrites:
            content = content.replace(recorded, local)
        return content

    def requests_to(self, host: str) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.host == host]

    def log(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def count_hit(self, key: str) -> int:
        with self._lock:
            self._hits[key] = self._hits.get(key, 0) + 1
            return self._hits[key]


def load_sites(root: Path) -> list[RecordedSite]:
    """The recorded sites of `root/sites.yaml`."""
    manifest = yaml.safe_load((root / "sites.yaml").read_text(encoding="utf-8"))
    return [
        RecordedSite(
            host=host,
            files={path: _recorded_file(root / host, path, entry) for path, entry in spec["files"].items()},
            etag=spec.get("etag", False),
            last_modified=spec.get("last_modified"),
            gzip=spec.get("gzip", False),
        )
        for host, spec in manifest["sites"].items()
    ]


def _recorded_file(folder: Path, path: str, entry: str | dict[str, str]) -> RecordedFile:
    if isinstance(entry, str):
        relative = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
        return RecordedFile(folder / relative, entry)
    if "redirect" in entry:
        return RecordedFile(None, redirect=entry["redirect"])
    return RecordedFile(folder / entry["file"], entry["type"])


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up (as newsmon does on a trickle or a bomb) are expected here, not errors."""


def _handler_for(web: RecordedWeb, host: str, site: RecordedSite | None) -> type[BaseHTTPRequestHandler]:
    class Handler(_RecordedHandler if site else _FaultHandler):
        pass

    Handler.web = web
    Handler.host = host
    Handler.site = site
    return Handler


class _BaseHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    web: RecordedWeb
    host: str
    site: RecordedSite | None

    def log_message(self, format: str, *args: object) -> None:
        """Requests go to `RecordedWeb.requests`, not to stderr."""

    def record(self, status: int) -> None:
        self.web.log(
            RecordedRequest(
                host=self.host,
                path=self.path,
                status=status,
                if_none_match=self.headers.get("If-None-Match"),
                if_modified_since=self.headers.get("If-Modified-Since"),
            )
        )

    def send_body(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.record(status)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        raise NotImplementedError


class _RecordedHandler(_BaseHandler):
    def do_GET(self) -> None:
        site = self.site
        recorded = site.files.get(self.path) or site.files.get(urlsplit(self.path).path)
        if recorded is None:
            self.send_body(404, b"<html><body><h1>404 Not Found</h1></body></html>", {"Content-Type": "text/html"})
            return
        if recorded.redirect:
            self.send_body(302, b"", {"Location": self.web.url(recorded.redirect)})
            return
        body = recorded.path.read_bytes()
        if body.startswith(b"\x1f\x8b"):  # a .gz file: its links are rewritten too
            body = gzip.compress(self.web.rewrite(gzip.decompress(body)), mtime=0)
        else:
            body = self.web.rewrite(body)
        headers = {"Content-Type": recorded.content_type}
        etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
        if site.etag:
            headers["ETag"] = etag
        if site.last_modified:
            headers["Last-Modified"] = site.last_modified
        if self._not_modified(etag if site.etag else None, site.last_modified):
            self.send_body(304, b"", headers)
            return
        if site.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self.send_body(200, body, headers)

    def _not_modified(self, etag: str | None, last_modified: str | None) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag is not None and etag in [tag.strip() for tag in if_none_match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since and last_modified:
            try:
                return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False


FAULT_ARTICLE = """<html><head><meta charset="utf-8"><title>淄博新材料企业赴大湾区对接 - 故障测试站</title></head>
<body><h1>淄博新材料企业赴大湾区对接</h1><div class="time">2023-02-23 10:30</div>
<p>淄博市组织新材料企业赴粤港澳大湾区开展产业对接，这是一篇正常的文章，与故障页面同在一个订阅源中。</p>
<p>本页用于证明一个站点的故障不会影响同一次运行中的其他文章。</p></body></html>"""


class _FaultHandler(_BaseHandler):
    """Routes that misbehave on purpose; see the module docstring."""

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        route = FAULT_ROUTES.get(path)
        if route is None and path.startswith("/status/") and path.removeprefix("/status/").isdigit():
            route = _FaultHandler.status
        if route is None:
            self.send_body(404, b"no such fault", {"Content-Type": "text/plain"})
            return
        route(self)

    def fault_feed(self) -> None:
        items = "".join(
            f"<item><title>{name}</title><link>{self.web.fault_url(path)}</link><guid>{path}</guid></item>"
            for name, path in FAULT_ARTICLE_LINKS
        )
        body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>'
        self.send_body(200, body.encode(), {"Content-Type": "application/rss+xml; charset=utf-8"})

    def article(self) -> None:
        self.send_body(200, FAULT_ARTICLE.encode(), {"Content-Type": "text/html; charset=utf-8"})

    def status(self) -> None:
        status = int(urlsplit(self.path).path.removeprefix("/status/"))
        headers = {"Content-Type": "text/html"}
        if status in (429, 503):
            headers["Retry-After"] = "120"
        self.send_body(status, f"<html><body>HTTP {status}</body></html>".encode(), headers)

    def flaky(self) -> None:
        """503 twice, then the article: retries with backoff get it."""
        if self.web.count_hit(self.path) <= 2:
            self.send_body(503, b"busy", {"Content-Type": "text/plain"})
        else:
            self.article()

    def trickle(self) -> None:
        self.record(200)
        self._start_streaming({"Content-Type": "text/html; charset=utf-8"})
        started = time.monotonic()
        try:
            while time.monotonic() - started < TRICKLE_MAX_S:
                self.wfile.write(b"<")
                time.sleep(TRICKLE_INTERVAL_S)
        except OSError:
            pass  # the client gave up, as it should

    def gzip_bomb(self) -> None:
        self.send_body(200, gzip_bomb(), {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})

    def huge(self) -> None:
        """30 MB with no Content-Length: only counting the bytes as they come can stop it."""
        self.record(200)
        self._start_streaming({"Content-Type": "text/html; charset=utf-8"})
        chunk = b"<p>" + b"x" * 65_530 + b"</p>"
        try:
            for _ in range(HUGE_BODY_BYTES // len(chunk)):
                self.wfile.write(chunk)
        except OSError:
            pass

    def reset(self) -> None:
        """Promises 100 000 bytes, sends 1 000, then resets the connection (RST, not FIN)."""
        self.record(200)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"<html><body>" + b"x" * 988)
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def redirect_loop(self) -> None:
        target = "/redirect-loop-b" if urlsplit(self.path).path == "/redirect-loop" else "/redirect-loop"
        self.send_body(302, b"", {"Location": target})

    def redirect_chain(self) -> None:
        """An endless chain of distinct URLs: only max_redirects stops it."""
        step = self.web.count_hit("/redirect-chain")
        self.send_body(302, b"", {"Location": f"/redirect-chain?step={step}"})

    def redirect_file(self) -> None:
        self.send_body(302, b"", {"Location": "file:///etc/passwd"})

    def redirect_ok(self) -> None:
        self.send_body(301, b"", {"Location": "/article.html"})

    def html_as_feed(self) -> None:
        page = "<!DOCTYPE html><html><head><title>淄博新闻</title></head><body><p>维护中</p></body></html>"
        self.send_body(200, page.encode(), {"Content-Type": "application/rss+xml; charset=utf-8"})

    def empty_feed(self) -> None:
        self.send_body(200, b"", {"Content-Type": "application/rss+xml; charset=utf-8"})

    def _start_streaming(self, headers: dict[str, str]) -> None:
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True


FAULT_ROUTES: dict[str, Callable[[_FaultHandler], None]] = {
    "/feed.xml": _FaultHandler.fault_feed,
    "/article.html": _FaultHandler.article,
    "/flaky": _FaultHandler.flaky,
    "/trickle": _FaultHandler.trickle,
    "/gzip-bomb": _FaultHandler.gzip_bomb,
    "/huge": _FaultHandler.huge,
    "/reset": _FaultHandler.reset,
    "/redirect-loop": _FaultHandler.redirect_loop,
    "/redirect-loop-b": _FaultHandler.redirect_loop,
    "/redirect-chain": _FaultHandler.redirect_chain,
    "/redirect-file": _FaultHandler.redirect_file,
    "/redirect-ok": _FaultHandler.redirect_ok,
    "/html-as-feed": _FaultHandler.html_as_feed,
    "/empty-feed": _FaultHandler.empty_feed,
}
# The article links of /feed.xml: one good page, one that needs retries, one behind a redirect, and
# every fault an article page can have.
FAULT_ARTICLE_LINKS = (
    ("good", "/article.html"),
    ("flaky", "/flaky"),
    ("redirect ok", "/redirect-ok"),
    ("trickle", "/trickle"),
    ("gzip bomb", "/gzip-bomb"),
    ("30 MB", "/huge"),
    ("reset", "/reset"),
    ("redirect loop", "/redirect-loop"),
    ("redirect chain", "/redirect-chain"),
    ("redirect to file", "/redirect-file"),
    ("500", "/status/500"),
    ("404", "/status/404"),
    ("410", "/status/410"),
)


@cache
def gzip_bomb() -> bytes:
    """~200 KB of gzip that inflates to 200 MB of zeros, compressed piece by piece to stay small here too."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    return b"".join(_compressed(compressor, block, BOMB_INFLATED_BYTES // len(block)))


def _compressed(compressor: zlib._Compress, block: bytes, count: int) -> Iterator[bytes]:
    for _ in range(count):
        yield compressor.compress(block)
    yield compressor.flush()
