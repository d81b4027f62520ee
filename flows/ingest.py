"""The ingest flow: collect every source concurrently, then store each harvest as it arrives.

Only wiring lives here; the work is in `newsmon.collect` (I/O, worker threads) and
`newsmon.pipeline` (relevance, dedupe, tags, storage; main thread, the one SQLite writer).
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed

from newsmon import clock, store
from newsmon.collect import RunContext, collect_source, run_sources
from newsmon.config import Source, load_config
from newsmon.pipeline import store_harvest
from newsmon.records import FetchFailure, Harvest, SourceOutcome
from newsmon.tagging import Tagger


@task(name="collect-source", task_run_name="collect {source.name}", cache_policy=NO_CACHE)
def collect_source_task(source: Source, context: RunContext) -> Harvest:
    return collect_source(source, context)


@flow(name="newsmon-ingest", log_prints=True)
def ingest(config_path: str, source_names: list[str] | None = None) -> dict:
    """One ingest run; returns the `runs` row and one outcome per source."""
    logger = get_run_logger()
    config = load_config(config_path)
    sources = run_sources(config, source_names)
    db = store.open_database(config.database_path)
    store.sync_sources(db, [(s.name, s.kind, s.url) for s in sources])
    context = RunContext(config=config, database=config.database_path, now=clock.now())
    run_id = store.start_run(db, context.now)
    futures = {collect_source_task.submit(source, context): source for source in sources}
    tagger = Tagger.from_config(config.topics, config.tags)  # loads jieba while the sources are fetched
    outcomes: list[SourceOutcome] = []
    status = "failed"
    try:
        for future in as_completed(list(futures)):
            source = futures[future]
            try:
                harvest = future.result()
            except Exception as exc:  # a bug in one source's task must not cost the others their articles
                logger.exception("source %s crashed", source.name)
                failure = FetchFailure(url=source.url, error=f"{source.url}: internal error: {exc!r}")
                harvest = Harvest(source=source.name, source_failure=failure)
            outcome = store_harvest(db, tagger, harvest, source.kind, run_id, clock.now())
            outcomes.append(outcome)
            logger.info(
                "%s: %d new, %d duplicates, %d off topic, %d errors (%d/%d sources done)",
                source.name,
                outcome.new,
                outcome.duplicates,
                outcome.off_topic,
                outcome.error_count,
                len(outcomes),
                len(futures),
            )
        status = "completed"
    finally:
        run = store.finish_run(db, run_id, outcomes, clock.now(), status)
        db.close()
    return {"run": run, "database": str(config.database_path), "sources": [o.as_dict() for o in outcomes]}
