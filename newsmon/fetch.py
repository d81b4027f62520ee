"""HTTP for a run: one client, polite and bounded, whose failures are named `FetchError`s.

What httpx alone does not give and newsmon needs:
- a wall-clock deadline on the whole request (httpx's read timeout restarts on every chunk, so a
  server trickling a byte at a time never times out): checked between chunks, and a watchdog shuts
  the socket down if a read blocks past it;
- a cap on the decoded body: the body is read raw and inflated here with `max_length`, so a 200 KB
  gzip bomb stops at `max_bytes` instead of growing to 200 MB in one decode call;
- redirects followed by hand, at most `max_redirects`, http(s) only, each hop checked again;
- retries with exponential backoff and jitter on connect errors, 5xx and 429; a Retry-After longer
  than a few seconds defers the host (`RetryLater`) instead of sleeping;
- robots.txt, per-host pacing, and a guard against links that lead to loopback/private addresses;
- conditional GET (If-None-Match / If-Modified-Since) for listings.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import random
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin

import httpx

from newsmon.clock import CHINA
from newsmon.config import FetchSettings
from newsmon.errors import FetchError
from newsmon.pacing import HostPacer
from newsmon.records import Validators
from newsmon.robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsFile
from parsers.inflate import CappedInflater, TooLarge
from parsers.urls import WEB_SCHEMES, host_of, origin_of

RETRY_ATTEMPTS = 3
RETRY_BASE_S = 0.5
RETRY_JITTER = 0.25  # each backoff is stretched by up to this fraction, so clients do not retry in step
# A Retry-After up to this is waited out; a longer one defers the host to a later run.
RETRY_AFTER_SLEEP_LIMIT_S = 5.0
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 65_536
ACCEPT_ENCODING = "gzip, deflate"  # what CappedInflater can decode; br/zstd are not offered


class HTTPStatusError(FetchError):
    """The server answered with an error status; 410 Gone is permanent (the URL is not tried again)."""

    def __init__(self, url: str, status: int, reason: str = ""):
        phrase = reason or httpx.codes.get_reason_phrase(status)
        super().__init__(url, f"HTTP {status} {phrase}".rstrip())
        self.status = status
        self.permanent = status == 410


class RetryLater(FetchError):
    """The host asked (429/503 with Retry-After) not to be asked again before `until`."""

    def __init__(self, url: str, status: int, until: datetime, requested: bool = True):
        stamp = until.isoformat(timespec="seconds")
        if requested:
            super().__init__(url, f"HTTP {status}, the server asks to retry after {stamp}")
        else:
            super().__init__(url, f"not requested: its host asked to wait until {stamp}")
        self.until = until
        self.requested = requested  # False: refused here because the host had already asked to wait


class ConnectFailed(FetchError):
    """No connection could be made (refused, unreachable, connect timeout): worth another attempt."""


class UnsafeAddress(FetchError):
    """A discovered link (or a redirect) leads to a loopback, private or link-local address."""


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched URL: its body (empty when not modified), where it ended up, and its validators."""

    url: str  # as requested, before redirects
    final_url: str
    status: int
    content: bytes
    content_type: str | None
    validators: Validators

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: httpx.Headers
    content: bytes = b""


def body_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class Fetcher:
    """The one HTTP client of a run, shared by every source's worker thread. Use as a context manager."""

    def __init__(self, settings: FetchSettings):
        self.settings = settings
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(settings.timeout_s),
            follow_redirects=False,
        )
        self.pacer = HostPacer(settings.per_host_interval_s)
        self.robots = RobotsCache(settings.user_agent, self._fetch_robots, self.pacer.set_interval)
        self._lock = threading.Lock()
        self._resolved: dict[str, tuple[str, ...]] = {}
        self._trusted_origins: set[str] = set()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def fetch(self, url: str, validators: Validators | None = None, trusted: bool = False) -> Page:
        """GET `url`, following redirects. `trusted` marks a configured listing URL: the private-address
        guard lets its origin through for the rest of the run (a feed on an intranet host may link to
        its own pages; a public feed may not send newsmon into the intranet).

        Raises `RobotsRefused` (a skip), `RetryLater` (defer), or another `FetchError`.
        """
        if trusted:
            with self._lock:
                self._trusted_origins.add(origin_of(url))
        headers = conditional_headers(validators)
        current = url
        visited = {url}
        for _hop in range(self.settings.max_redirects + 1):
            self.check_address(current, reported_url=url)
            if self.settings.respect_robots:
                self.robots.check(current)
            answer = self._get_with_retries(current, headers, reported_url=url)
            if answer.status in REDIRECT_STATUSES:
                current = self._redirect_target(url, current, answer)
                if current in visited:
                    raise FetchError(url, f"redirect loop at {current}")
                visited.add(current)
                continue
            if answer.status >= 400:
                raise HTTPStatusError(url, answer.status)
            if answer.status >= 300 and answer.status != 304:
                raise FetchError(url, f"unexpected HTTP {answer.status}")
            return Page(
                url=url,
                final_url=current,
                status=answer.status,
                content=answer.content,
                content_type=answer.headers.get("content-type"),
                validators=Validators(
                    etag=answer.headers.get("etag"),
                    last_modified=answer.headers.get("last-modified"),
                    body_hash=body_hash(answer.content) if answer.status != 304 else None,
                ),
            )
        raise FetchError(url, f"more than {self.settings.max_redirects} redirects")

    def _redirect_target(self, url: str, current: str, answer: _Answer) -> str:
        location = answer.headers.get("location")
        if not location:
            raise FetchError(url, f"HTTP {answer.status} redirect without a Location")
        target = urldefrag(urljoin(current, location.strip())).url
        scheme = target.split(":", 1)[0].lower()
        if scheme not in WEB_SCHEMES:
            raise FetchError(url, f"redirect to a {scheme}: URL refused ({target})")
        return target

    def check_address(self, url: str, reported_url: str | None = None) -> None:
        """Refuse URLs whose host resolves to a loopback, private, link-local or reserved address."""
        if self._guard_skips(url):
            return
        host = host_of(url)
        for address in self._addresses(host, reported_url or url):
            if not _is_public(address):
                raise UnsafeAddress(reported_url or url, f"{host} resolves to non-public address {address}, refused")

    def _guard_skips(self, url: str) -> bool:
        if self.settings.allow_private_networks:
            return True
        with self._lock:
            return origin_of(url) in self._trusted_origins

    def _addresses(self, host: str, reported_url: str) -> tuple[str, ...]:
        with self._lock:
            known = self._resolved.get(host)
        if known is None:
            try:
                infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
            except (socket.gaierror, UnicodeError) as exc:
                raise FetchError(reported_url, f"cannot resolve {host}: {exc}") from None
            known = tuple(dict.fromkeys(info[4][0] for info in infos))
            with self._lock:
                self._resolved[host] = known
        return known

    def _get_with_retries(self, url: str, headers: dict[str, str], reported_url: str) -> _Answer:
        origin = origin_of(url)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            deferred = self.pacer.deferred_until(origin)
            if deferred is not None:
                raise RetryLater(reported_url, 429, deferred, requested=False)
            self.pacer.wait(origin)
            try:
                answer = self._get_once(url, headers, reported_url)
            except ConnectFailed as exc:
                failure: FetchError = exc
                wait = _backoff(attempt)
            else:
                if answer.status not in RETRIED_STATUSES:
                    return answer
                failure = HTTPStatusError(reported_url, answer.status)
                retry_after = _retry_after_seconds(answer.headers.get("retry-after"))
                if retry_after is not None and retry_after > RETRY_AFTER_SLEEP_LIMIT_S:
                    until = datetime.now(CHINA) + timedelta(seconds=retry_after)
                    self.pacer.defer(origin, until)
                    raise RetryLater(reported_url, answer.status, until.replace(microsecond=0))
                wait = max(_backoff(attempt), retry_after or 0.0)
            # Retries share the request's time budget: no attempt starts after it is spent.
            if attempt == RETRY_ATTEMPTS or time.monotonic() + wait - started > self.settings.timeout_s:
                if attempt > 1:
                    raise FetchError(reported_url, f"{failure.reason} (after {attempt} attempts)")
                raise failure
            time.sleep(wait)

    def _get_once(self, url: str, headers: dict[str, str], reported_url: str, max_bytes: int | None = None) -> _Answer:
        """One GET: the status and headers, and for a 2xx the decoded body within the deadline and the cap."""
        limit = max_bytes or self.settings.max_bytes
        timeout_s = self.settings.timeout_s
        deadline = time.monotonic() + timeout_s
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                self._check_peer(response, url, reported_url)
                if not 200 <= response.status_code < 300:
                    return _Answer(response.status_code, response.headers)
                watchdog = _Watchdog(response, deadline)
                try:
                    content = _read_capped(response, limit, deadline, reported_url)
                except (httpx.TransportError, _DeadlinePassed):
                    if watchdog.fired or time.monotonic() > deadline:
                        raise FetchError(
                            reported_url, f"deadline of {timeout_s:g} s passed before the body was complete"
                        ) from None
                    raise
                finally:
                    watchdog.cancel()
                return _Answer(response.status_code, response.headers, content)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ConnectFailed(reported_url, f"cannot connect: {_describe(exc)}") from None
        except httpx.TimeoutException:
            raise FetchError(reported_url, f"no answer within {timeout_s:g} s") from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise FetchError(reported_url, f"connection broken while reading: {_describe(exc)}") from None
        except httpx.HTTPError as exc:
            raise FetchError(reported_url, f"{type(exc).__name__}: {_describe(exc)}") from None

    def _check_peer(self, response: httpx.Response, url: str, reported_url: str) -> None:
        """The address actually connected to must be public too (a DNS answer can change between checks)."""
        if self._guard_skips(url):
            return
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if peer and not _is_public(peer[0]):
            raise UnsafeAddress(reported_url, f"connected to non-public address {peer[0]}, refused")

    def _fetch_robots(self, robots_url: str) -> RobotsFile:
        """robots.txt through the same pacing, deadline and redirect rules, without asking robots.txt itself."""
        current = robots_url
        for _hop in range(self.settings.max_redirects + 1):
            self.pacer.wait(origin_of(current))
            answer = self._get_once(current, {}, robots_url, max_bytes=ROBOTS_MAX_BYTES)
            if answer.status not in REDIRECT_STATUSES:
                return RobotsFile(answer.status, answer.content)
            current = self._redirect_target(robots_url, current, answer)
        raise FetchError(robots_url, f"more than {self.settings.max_redirects} redirects")


class _DeadlinePassed(Exception):
    """Internal: the wall-clock deadline passed between two chunks."""


class _Watchdog:
    """Shuts a response's socket down at the deadline, which ends a read that is blocked waiting for data."""

    def __init__(self, response: httpx.Response, deadline: float):
        self.fired = False
        stream = response.extensions.get("network_stream")
        self._socket = stream.get_extra_info("socket") if stream is not None else None
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        if self._socket is not None:
            self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        with contextlib.suppress(OSError):  # already closed: the read has ended anyway
            self._socket.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _read_capped(response: httpx.Response, limit: int, deadline: float, url: str) -> bytes:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        inflater = None
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(url, f"body of {declared} bytes is over max_bytes ({limit})")
    elif encoding in ("gzip", "x-gzip", "deflate"):
        inflater = CappedInflater(encoding, limit)
    else:
        raise FetchError(url, f"unsupported Content-Encoding {encoding!r}")
    body = bytearray()
    try:
        for chunk in response.iter_raw(CHUNK_BYTES):
            if time.monotonic() > deadline:
                raise _DeadlinePassed
            data = inflater.feed(chunk) if inflater else chunk
            if len(body) + len(data) > limit:
                raise TooLarge(limit)
            body += data
    except TooLarge:
        raise FetchError(url, f"body is over max_bytes ({limit}) once decoded, dropped") from None
    except zlib.error as exc:
        raise FetchError(url, f"broken {encoding} body: {exc}") from None
    return bytes(body)


def conditional_headers(validators: Validators | None) -> dict[str, str]:
    headers = {}
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def _backoff(attempt: int) -> float:
    return RETRY_BASE_S * 2 ** (attempt - 1) * (1 + random.uniform(0, RETRY_JITTER))


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - datetime.now(moment.tzinfo)).total_seconds())


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global


def _describe(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
