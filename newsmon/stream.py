"""The streaming core of an ingest run: pages flow from the fetch threads through the analysis workers to
the one SQLite writer, each stage working while the others do.

- Fetch threads (newsmon.collect) hand each fetched page to `page_fetched`, which gathers pages into small
  batches for the `AnalysisPool`; a bounded number of pages is in flight, so a fast fetcher waits for the
  analysis instead of filling memory.
- The writer (`write_until_done`, in the flow's own thread) stores what comes back in batched
  transactions, whichever source it belongs to: no source waits on another's.
- A source's state (status, validators, Retry-After) is saved in the transaction that commits its last
  link, never before: a run killed at any moment leaves every listing as unread as its missing articles,
  and the next run picks them up.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import datetime

from sqlite_utils import Database

from newsmon import clock, store
from newsmon.errors import NewsmonError
from newsmon.pipeline import Fate, store_batch, tally
from newsmon.records import FetchedPage, FetchFailure, Processed, SourceOutcome, SourceReport

# Pages gathered before a batch goes to a worker process, and how long a short batch may wait.
BATCH_PAGES = 8
BATCH_WAIT_S = 0.05
# Pages fetched but not yet stored, per analysis worker: enough to keep every worker busy.
IN_FLIGHT_PER_WORKER = 32
# The writer commits after this many links, or when the oldest uncommitted one has waited this long.
COMMIT_EVERY = 200
COMMIT_WAIT_S = 1.0
# Queued search words are indexed once this many wait (and at the end of each run).
SEARCH_BATCH = 5_000
# Without a progress bar, a progress line goes to the log this often.
PROGRESS_LOG_S = 10.0


class RunAborted(NewsmonError):
    """The writer stopped (a database fault, an interrupt): fetch threads stop handing over pages."""


class LinkClaims:
    """Which source of a run fetches a URL that several sources list: the first in config order, always.

    A source claims its links once its listing is read, after every source before it has claimed (or
    failed); a later source is told which of its links are taken. Sources are submitted in config order,
    so the ones waiting here are always later than the ones they wait for.
    """

    def __init__(self, order: Sequence[str]):
        self._position = {name: index for index, name in enumerate(order)}
        self._order = list(order)
        self._owner: dict[str, str] = {}
        self._settled: set[str] = set()
        self._changed = threading.Condition()

    def claim(self, source: str, urls: Sequence[str]) -> set[str]:
        """Claim these canonical URLs for `source`; returns those an earlier source has claimed."""
        earlier = self._order[: self._position[source]]
        with self._changed:
            self._changed.wait_for(lambda: self._settled.issuperset(earlier))
            taken = {url for url in urls if self._owner.get(url, source) != source}
            for url in urls:
                self._owner.setdefault(url, source)
            self._settled.add(source)
            self._changed.notify_all()
        return taken

    def settle(self, source: str) -> None:
        """The source claims nothing more (called whatever became of it)."""
        with self._changed:
            self._settled.add(source)
            self._changed.notify_all()


class IngestStream:
    """Carries one run's pages from the fetch threads to the analysis workers and on to the writer."""

    def __init__(
        self,
        db: Database,
        run_id: int,
        sources: Sequence[tuple[str, str]],
        submit: Callable[[list[FetchedPage]], Future[list[Processed]]],
        workers: int,
        logger: logging.Logger | logging.LoggerAdapter,
        progress: Callable[[int, int], None] | None = None,
    ):
        """`sources` are (name, kind) in config order; `submit` runs a batch of pages through the pure stages."""
        self.db = db
        self.run_id = run_id
        self.claims = LinkClaims([name for name, _ in sources])
        self.outcomes = {name: SourceOutcome(source=name, kind=kind) for name, kind in sources}
        self._submit = submit
        self._logger = logger
        self._progress = progress
        self._results: queue.Queue[Processed | SourceReport] = queue.Queue()
        self._in_flight = threading.BoundedSemaphore(IN_FLIGHT_PER_WORKER * workers)
        self._lock = threading.Lock()
        self._batch: list[FetchedPage] = []
        self._batch_since = 0.0
        self._sent: Counter[str] = Counter()
        self._settled: Counter[str] = Counter()
        self._reports: dict[str, SourceReport] = {}
        self._done_sources: set[str] = set()
        self._aborted = threading.Event()

    # --- called from the fetch threads -------------------------------------------------------------

    def fetched_at(self) -> str:
        return clock.isoformat(clock.now())

    def page_fetched(self, page: FetchedPage) -> None:
        """Queue a fetched page for the analysis workers (waits while too many pages are in flight)."""
        self._reserve(page.source)
        with self._lock:
            if not self._batch:
                self._batch_since = time.monotonic()
            self._batch.append(page)
            full = len(self._batch) >= BATCH_PAGES
        if full:
            self._send_batch()

    def link_failed(self, source: str, failure: FetchFailure) -> None:
        """A link that failed before it reached a page (a timeout, an HTTP error): straight to the writer."""
        self._reserve(source)
        self._results.put(Processed(source, failure=failure))

    def source_done(self, report: SourceReport) -> None:
        """Every link of the source has been handed over; the report waits for them at the writer."""
        self._send_batch()
        self._results.put(report)

    def _reserve(self, source: str) -> None:
        while not self._in_flight.acquire(timeout=0.5):
            if self._aborted.is_set():
                raise RunAborted("the run was stopped")
        if self._aborted.is_set():
            self._in_flight.release()
            raise RunAborted("the run was stopped")
        with self._lock:
            self._sent[source] += 1

    def _send_batch(self) -> None:
        with self._lock:
            batch, self._batch = self._batch, []
        if not batch:
            return
        try:
            future = self._submit(batch)
        except Exception as exc:  # no worker could take it: its pages fail now rather than never
            for page in batch:
                self._results.put(_lost(page, exc))
            return
        future.add_done_callback(lambda done: self._batch_done(batch, done))

    def _batch_done(self, batch: list[FetchedPage], future: Future[list[Processed]]) -> None:
        try:
            results = future.result()
        except Exception as exc:  # the worker died (killed, out of memory): its pages fail, to be retried
            results = [_lost(page, exc) for page in batch]
        for item in results:
            self._results.put(item)

    # --- the writer, in the flow's thread ----------------------------------------------------------

    def write_until_done(self, index, now: Callable[[], datetime] = clock.now) -> list[SourceOutcome]:
        """Store every link of every source as it comes back, in batched transactions; returns the
        sources' outcomes in config order once each source's report is stored."""
        pending: list[Processed | SourceReport] = []
        oldest = 0.0
        last_log = time.monotonic()
        try:
            while len(self._done_sources) < len(self.outcomes) or pending:
                try:
                    item = self._results.get(timeout=BATCH_WAIT_S)
                except queue.Empty:
                    item = None
                if item is not None:
                    if not pending:
                        oldest = time.monotonic()
                    pending.append(item)
                with self._lock:
                    stale = self._batch and time.monotonic() - self._batch_since >= BATCH_WAIT_S
                if stale:
                    self._send_batch()
                waited = time.monotonic() - oldest
                if pending and (len(pending) >= COMMIT_EVERY or waited >= COMMIT_WAIT_S or item is None):
                    self._commit(pending, index, now())
                    pending = []
                if time.monotonic() - last_log >= PROGRESS_LOG_S and self._progress is None:
                    last_log = time.monotonic()
                    self._logger.info("%d of %d links stored so far", *self._counts())
        except BaseException:
            self._aborted.set()
            raise
        return list(self.outcomes.values())

    def _commit(self, items: list[Processed | SourceReport], index, now: datetime) -> None:
        links = [item for item in items if isinstance(item, Processed)]
        self._reports.update((item.source, item) for item in items if isinstance(item, SourceReport))
        arriving = Counter(item.source for item in links)
        finished = [
            report
            for source, report in self._reports.items()
            if source not in self._done_sources and self._settled[source] + arriving[source] == self._sent[source]
        ]

        def save_finished_sources() -> None:
            for report in finished:
                self._save_source(report, arriving[report.source], now)

        fates = store_batch(self.db, links, self.run_id, now, index, save_finished_sources)
        for item, fate in zip(links, fates, strict=True):
            self._count(item, fate)
            self._in_flight.release()
        for report in finished:
            self._done_sources.add(report.source)
            self._log_outcome(self.outcomes[report.source])
        index.flush_if_due()
        store.index_search_queue(self.db, at_least=SEARCH_BATCH)
        if self._progress is not None:
            self._progress(*self._counts())

    def _count(self, item: Processed, fate: Fate) -> None:
        self._settled[item.source] += 1
        tally(self.outcomes[item.source], item, fate)
        if item.internal_error:
            self._logger.error("%s\n%s", item.failure.error, item.internal_error)

    def _save_source(self, report: SourceReport, arriving: int, now: datetime) -> None:
        """The source's counts and state, written in the transaction of its last links (`arriving` of them)."""
        outcome = self.outcomes[report.source]
        for failure in report.failures:
            store.record_failure(self.db, self.run_id, report.source, failure, now)
            outcome.errors.append(failure.error)
        if report.source_failure:
            store.record_failure(self.db, self.run_id, report.source, report.source_failure, now)
            outcome.source_error = report.source_failure.error
        outcome.taken += report.taken
        outcome.skipped += report.skipped
        outcome.not_modified = report.not_modified
        outcome.notes.extend(report.notes)
        outcome.fetched = self._settled[report.source] + arriving + report.taken + len(report.failures)
        store.update_source(self.db, outcome, report.validators, now, report.retry_after)

    def _counts(self) -> tuple[int, int]:
        with self._lock:
            return sum(self._settled.values()), sum(self._sent.values())

    def _log_outcome(self, outcome: SourceOutcome) -> None:
        for note in outcome.notes:  # charset guessed, date clamped, links left for later, ...
            self._logger.warning("%s: %s", outcome.source, note)
        if outcome.source_error:
            self._logger.error("%s failed: %s", outcome.source, outcome.source_error)
        for error in outcome.errors:
            self._logger.warning("%s: %s", outcome.source, error)
        self._logger.info(
            "%s: %d fetched, %d new, %d duplicates (stored in their story), %d off topic, %d errors, %d taken by "
            "an earlier source%s",
            outcome.source,
            outcome.fetched,
            outcome.new,
            outcome.duplicates,
            outcome.off_topic,
            outcome.error_count,
            outcome.taken,
            ", not modified" if outcome.not_modified else "",
        )


def flush_bulk_writes(db: Database, index) -> None:
    """Write what is held back for bulk writing (band keys, search words): at the end of every run."""
    index.flush()
    store.index_search_queue(db)


def run_status(outcomes: Iterable[SourceOutcome], ignore: Iterable[str] = ()) -> str:
    """'failed' when every source failed (those in `ignore`, the seed files, aside), else 'completed'."""
    judged = [outcome for outcome in outcomes if outcome.source not in set(ignore)]
    return "failed" if judged and all(not outcome.ok for outcome in judged) else "completed"


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar of links stored out of links found, on a terminal; None (log lines) elsewhere."""
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("stored"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("links", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _lost(page: FetchedPage, exc: Exception) -> Processed:
    reason = f"{page.link.url}: analysis worker lost ({type(exc).__name__}: {exc}); retried by a later run"
    return Processed(page.source, failure=FetchFailure(page.link.url, reason, canonical_url=page.link.canonical_url))
