"""Per-host politeness within one run: request start times spaced by an interval, and hosts that asked to wait.

Each origin (scheme://host:port) gets start slots at least `interval_s` apart; a thread reserves the
next slot under a lock and sleeps outside it, so different hosts proceed concurrently while one host
never sees two requests within the interval. A host that answered 429/503 with a long Retry-After is
deferred: further requests to it in this run are refused at once instead of sleeping for minutes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime


class HostPacer:
    def __init__(
        self,
        interval_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.interval_s = interval_s
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._intervals: dict[str, float] = {}
        self._deferred: dict[str, datetime] = {}

    def set_interval(self, origin: str, seconds: float) -> None:
        """A longer interval for one origin (robots.txt Crawl-delay); never shorter than the configured one."""
        with self._lock:
            self._intervals[origin] = max(self.interval_s, seconds)

    def wait(self, origin: str) -> None:
        """Block until this origin's next start slot, and reserve it."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(origin, now))
            self._next_slot[origin] = slot + self._intervals.get(origin, self.interval_s)
        if slot > now:
            self._sleep(slot - now)

    def defer(self, origin: str, until: datetime) -> None:
        with self._lock:
            self._deferred[origin] = max(until, self._deferred.get(origin, until))

    def deferred_until(self, origin: str) -> datetime | None:
        with self._lock:
            return self._deferred.get(origin)
