"""robots.txt, read once per origin per run with the standard library's parser (RFC 9309 semantics).

A missing robots.txt (any 4xx) allows everything. An unreachable one (network failure, 5xx) is not
taken as permission: the URL fails with a `FetchError` naming robots.txt, so a broken host shows up
as an error rather than as a silent skip. A Crawl-delay lengthens that host's pacing interval.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

from newsmon.errors import FetchError
from parsers.urls import origin_of

# robots.txt files are small; Google reads the first 500 KiB.
ROBOTS_MAX_BYTES = 500 * 1024
# A Crawl-delay beyond this would stall a run for hours; it is honoured up to here.
MAX_CRAWL_DELAY_S = 30.0


class RobotsRefused(FetchError):
    """robots.txt disallows the URL for newsmon: a skip, not an error; the URL is never requested."""

    def __init__(self, url: str):
        super().__init__(url, "disallowed by robots.txt")


@dataclass(frozen=True)
class RobotsFile:
    status: int
    content: bytes


@dataclass
class _Entry:
    lock: threading.Lock
    parser: RobotFileParser | None = None
    failure: FetchError | None = None


class RobotsCache:
    """Answers "may newsmon fetch this URL?", fetching each origin's robots.txt once (thread-safe)."""

    def __init__(
        self,
        user_agent: str,
        fetch: Callable[[str], RobotsFile],
        on_crawl_delay: Callable[[str, float], None],
    ):
        self.user_agent = user_agent
        self._fetch = fetch
        self._on_crawl_delay = on_crawl_delay
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def check(self, url: str) -> None:
        """Return if allowed; raise `RobotsRefused`, or the `FetchError` that robots.txt itself met."""
        origin = origin_of(url)
        with self._lock:
            entry = self._entries.setdefault(origin, _Entry(threading.Lock()))
        with entry.lock:  # one fetch per origin even when several threads ask at once
            if entry.parser is None and entry.failure is None:
                self._load(origin, entry)
        if entry.failure is not None:
            raise FetchError(url, f"robots.txt unavailable ({entry.failure.reason}), not fetching")
        if not entry.parser.can_fetch(self.user_agent, url):
            raise RobotsRefused(url)

    def _load(self, origin: str, entry: _Entry) -> None:
        try:
            robots = self._fetch(f"{origin}/robots.txt")
        except FetchError as exc:
            entry.failure = exc
            return
        if robots.status >= 500:
            entry.failure = FetchError(f"{origin}/robots.txt", f"HTTP {robots.status}")
            return
        parser = RobotFileParser()
        if robots.status >= 400:
            parser.allow_all = True
        else:
            parser.parse(robots.content.decode("utf-8", errors="replace").splitlines())
            delay = parser.crawl_delay(self.user_agent)
            if delay:
                self._on_crawl_delay(origin, min(float(delay), MAX_CRAWL_DELAY_S))
        entry.parser = parser
