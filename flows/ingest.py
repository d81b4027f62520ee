"""The ingest flow: collect every source concurrently, then store each harvest as it arrives.

Only wiring lives here; the work is in `newsmon.collect` (I/O, worker threads) and
`newsmon.pipeline` (relevance, dedupe, tags, storage; main thread, the one SQLite writer).
"""

from __future__ import annotations

import logging
from contextlib import closing

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed

from newsmon import clock, store
from newsmon.collect import RunContext, collect_source, run_sources
from newsmon.config import Source, load_config
from newsmon.fetch import Fetcher
from newsmon.pipeline import ParallelAnalyser, flush_bulk_writes, store_harvest
from newsmon.records import FetchFailure, Harvest, SourceOutcome
from newsmon.runlock import exclusive_run
from newsmon.stories import StoryIndex


@task(name="collect-source", task_run_name="collect {source.name}", cache_policy=NO_CACHE)
def collect_source_task(source: Source, context: RunContext) -> Harvest:
    return collect_source(source, context)


@flow(name="newsmon-ingest", log_prints=True)
def ingest(config_path: str, source_names: list[str] | None = None) -> dict:
    """One ingest run; returns the `runs` row and one outcome per source."""
    logger = get_run_logger()
    config = load_config(config_path)
    sources = run_sources(config, source_names)
    with exclusive_run(config.database_path), closing(store.open_database(config.database_path)) as db:
        store.sync_sources(db, [(s.name, s.kind, s.url) for s in sources])
        run_started = clock.now()
        run_id = store.start_run(db, run_started)
        outcomes: list[SourceOutcome] = []
        status = "failed"
        try:
            with Fetcher(config.fetch) as fetcher:  # the one HTTP client of the run
                context = RunContext(config, config.database_path, run_started, fetcher, store.source_states(db))
                futures = {collect_source_task.submit(source, context): source for source in sources}
                # While the sources are fetched: worker processes load jieba (relevance, fingerprints and the
                # tag stage run there), and the story index comes up (band keys and search words of the whole
                # run go to SQLite in bulk).
                with ParallelAnalyser.from_config(config.topics, config.tags) as analyser:
                    index = StoryIndex(db)
                    for future in as_completed(list(futures)):
                        harvest = _harvest_of(future, futures[future], logger)
                        kind = futures[future].kind
                        outcomes.append(store_harvest(db, analyser, harvest, kind, run_id, clock.now(), index=index))
                        _log_outcome(logger, outcomes[-1], f"{len(outcomes)}/{len(futures)}")
            flush_bulk_writes(db, index)
            status = "completed"
        finally:
            run = store.finish_run(db, run_id, outcomes, clock.now(), status)
    return {"run": run, "database": str(config.database_path), "sources": [o.as_dict() for o in outcomes]}


def _log_outcome(logger: logging.Logger | logging.LoggerAdapter, outcome: SourceOutcome, progress: str) -> None:
    for note in outcome.notes:  # charset guessed, date clamped, links left for later, ...
        logger.warning("%s: %s", outcome.source, note)
    logger.info(
        "%s: %d fetched, %d new, %d duplicates, %d off topic, %d errors%s (%s sources done)",
        outcome.source,
        outcome.fetched,
        outcome.new,
        outcome.duplicates,
        outcome.off_topic,
        outcome.error_count,
        ", not modified" if outcome.not_modified else "",
        progress,
    )


def _harvest_of(future: PrefectFuture, source: Source, logger: logging.Logger | logging.LoggerAdapter) -> Harvest:
    try:
        return future.result()
    except Exception as exc:  # a bug in one source's task must not cost the others their articles
        logger.exception("source %s crashed", source.name)
        return Harvest(
            source=source.name, source_failure=FetchFailure(source.url, f"{source.url}: internal error: {exc!r}")
        )
