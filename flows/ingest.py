"""The ingest flow: every source collected concurrently, every page analysed and stored as it arrives.

Only wiring lives here: `newsmon.collect` fetches (one task per source, in threads), `newsmon.pipeline`
extracts and analyses (worker processes), and `newsmon.stream` carries pages between them and stores them
(this thread, the one SQLite writer).
"""

from __future__ import annotations

from contextlib import closing

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import wait
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner

from newsmon import clock, store
from newsmon.collect import SEED_SOURCE, RunContext, collect_source, run_sources
from newsmon.config import Source, load_config
from newsmon.fetch import Fetcher
from newsmon.pipeline import AnalysisPool, one_line
from newsmon.records import FetchFailure, SourceReport
from newsmon.runlock import exclusive_run
from newsmon.stories import StoryIndex
from newsmon.stream import IngestStream, flush_bulk_writes, progress_bar, run_status

# Sources collected at once; each fetches a few pages at a time and the pacer spaces requests per host.
SOURCE_THREADS = 16


@task(name="collect-source", task_run_name="collect {source.name}", cache_policy=NO_CACHE)
def collect_source_task(source: Source, context: RunContext, stream: IngestStream):
    """One source's listing and pages; Failed, with its one-line reason, when the source itself failed."""
    report = SourceReport(source.name)
    try:
        report = collect_source(source, context, stream)
    except Exception as exc:  # a bug in one source must not cost the others their articles
        get_run_logger().exception("source %s crashed", source.name)
        report = SourceReport(source.name, source_failure=FetchFailure(source.url, one_line(source.url, repr(exc))))
        raise
    finally:
        stream.source_done(report)
    if report.source_failure:
        get_run_logger().error("%s failed: %s", source.name, report.source_failure.error)
        return Failed(message=report.source_failure.error)
    return None


@flow(name="newsmon-ingest", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=SOURCE_THREADS))
def ingest(config_path: str, source_names: list[str] | None = None, show_progress: bool = False):
    """One ingest run; returns the `runs` row and one outcome per source, in config order.

    The flow run is Failed when every source failed (the seed files aside).
    """
    logger = get_run_logger()
    config = load_config(config_path)
    sources = run_sources(config, source_names)
    workers = config.orchestration.worker_count()
    with exclusive_run(config.database_path), closing(store.open_database(config.database_path)) as db:
        store.sync_sources(db, [(s.name, s.kind, s.url) for s in sources])
        run_started = clock.now()
        run_id = store.start_run(db, run_started)
        outcomes = []
        status = "aborted"
        try:
            with (
                Fetcher(config.fetch) as fetcher,
                closing(AnalysisPool(config.topics, config.tags, workers)) as pool,
                progress_bar(show_progress) as progress,
            ):
                context = RunContext(config, config.database_path, run_started, fetcher, store.source_states(db))
                names = [(source.name, source.kind) for source in sources]
                stream = IngestStream(db, run_id, names, pool.submit, workers, logger, progress)
                index = StoryIndex(db)
                futures = [collect_source_task.submit(source, context, stream) for source in sources]
                outcomes = stream.write_until_done(index)
                wait(futures)
            flush_bulk_writes(db, index)
            status = run_status(outcomes, ignore=(SEED_SOURCE,))
        finally:
            run = store.finish_run(db, run_id, outcomes, clock.now(), status)
    result = {"run": run, "database": str(config.database_path), "sources": [o.as_dict() for o in outcomes]}
    if status == "failed":
        return Failed(message=f"every source failed ({len(outcomes)} sources)", data=result)
    return result
