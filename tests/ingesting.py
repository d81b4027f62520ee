"""Sources run through the real collect -> stream -> writer path without Prefect, for tests of fetching.

The flow wires the same pieces with Prefect tasks and worker processes; here the source threads are a
plain thread pool and the pure stages run on one thread with the session's tagger.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime

from newsmon import clock, store
from newsmon.collect import RunContext, collect_source, run_sources
from newsmon.config import Config
from newsmon.fetch import Fetcher
from newsmon.pipeline import process_pages
from newsmon.records import SourceOutcome, SourceReport
from newsmon.stories import StoryIndex
from newsmon.stream import IngestStream, flush_bulk_writes, run_status

logger = logging.getLogger("tests.ingesting")


@dataclass
class Collected:
    outcomes: dict[str, SourceOutcome]
    articles: list[dict]  # the rows stored by this run
    errors: list[dict]  # its fetch_errors rows

    def titles(self, source: str) -> set[str]:
        return {row["title"] for row in self.articles if row["source"] == source}


def collect(config: Config, tagger, names: list[str] | None = None, now: datetime | None = None) -> Collected:
    """One run of these sources (default: all of the config's, and the seed) into the config's database."""
    now = now or clock.now()
    sources = run_sources(config, names)
    with closing(store.open_database(config.database_path)) as db:
        store.sync_sources(db, [(s.name, s.kind, s.url) for s in sources])
        run_id = store.start_run(db, now)
        first_new = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
        with Fetcher(config.fetch) as fetcher, ThreadPoolExecutor(1) as analysis:
            context = RunContext(config, config.database_path, now, fetcher, store.source_states(db))
            stream = IngestStream(
                db,
                run_id,
                [(s.name, s.kind) for s in sources],
                lambda pages: analysis.submit(process_pages, tagger, pages),
                workers=1,
                logger=logger,
            )

            def one_source(source) -> None:
                report = SourceReport(source.name)
                try:
                    report = collect_source(source, context, stream)
                finally:
                    stream.source_done(report)

            index = StoryIndex(db)
            with ThreadPoolExecutor(max_workers=len(sources) or 1) as threads:
                futures = [threads.submit(one_source, source) for source in sources]
                outcomes = stream.write_until_done(index, now=lambda: now)
                for future in futures:
                    future.result()
            flush_bulk_writes(db, index)
        store.finish_run(db, run_id, outcomes, now, run_status(outcomes))
        articles = list(db.query("SELECT * FROM articles WHERE id > ? ORDER BY id", [first_new]))
        errors = list(db.query("SELECT * FROM fetch_errors WHERE run_id = ? ORDER BY rowid", [run_id]))
    return Collected({outcome.source: outcome for outcome in outcomes}, articles, errors)
