"""`newsmon serve`: the ingest and digest flows as deployments on the config's schedules (Prefect serve)."""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron, Interval, Schedule

from flows.digest import digest
from flows.ingest import ingest
from newsmon.config import SCHEDULE_TIMEZONE, Config, IntervalSchedule


def schedule_for(setting: str | IntervalSchedule) -> Schedule:
    if isinstance(setting, IntervalSchedule):
        return Interval(setting.interval_s, timezone=SCHEDULE_TIMEZONE)
    return Cron(setting, timezone=SCHEDULE_TIMEZONE)


def serve_schedules(config: Config, config_path: str) -> None:
    """Block, running each flow on its schedule, until SIGINT/SIGTERM (then the deployments are paused)."""
    parameters = {"config_path": config_path}
    serve(
        # concurrency 1: a run still going when the next one is due makes the new one wait, never overlap.
        ingest.to_deployment(
            name="scheduled-ingest",
            schedules=[schedule_for(config.schedules.ingest)],
            parameters=parameters,
            concurrency_limit=1,
        ),
        digest.to_deployment(
            name="scheduled-digest",
            schedules=[schedule_for(config.schedules.digest)],
            parameters=parameters,
            concurrency_limit=1,
        ),
    )
