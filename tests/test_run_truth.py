"""`newsmon run` tells the truth: failed sources are Failed task runs, a run where every source failed is a
Failed flow run with exit 1, and the per-source counts add up the same way on every identical run."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from sqlite_utils import Database
from webfixtures import (
    CHINANEWS,
    CHINANEWS_ATOM,
    DZWWW,
    DZWWW_SITEMAP,
    GIA,
    fetch_settings_for_tests,
    recorded_sources,
    recorded_web_fixture,  # noqa: F401
)

from newsmon.recorded_web import RecordedWeb
from tests.conftest import run_cli, write_config_file

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def run(folder: Path, sources: list[dict], seed: bool = True) -> tuple[int, str, Database]:
    changes = {"sources": sources, "fetch": fetch_settings_for_tests().model_dump()}
    if not seed:
        changes["seed"] = []
    config = write_config_file(folder, changes)
    code, output = run_cli("run", "--config", str(config))
    return code, output, Database(folder / "db" / "news.db")


def latest_flow_run_states() -> tuple[str, dict[str, str]]:
    """The newest ingest flow run's state, and its task runs' states by name."""
    with get_client(sync_client=True) as client:
        (flow_run,) = client.read_flow_runs(limit=1, sort="EXPECTED_START_TIME_DESC")
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id])))
    return flow_run.state.type.value, {task.name: task.state.type.value for task in tasks}


def test_a_run_where_every_source_failed_is_failed_and_exits_1(web: RecordedWeb, tmp_path: Path) -> None:
    sources = [
        {"name": "gone", "kind": "rss", "url": web.fault_url("/status/404")},
        {"name": "not a feed", "kind": "rss", "url": web.fault_url("/html-as-feed")},
    ]
    code, output, db = run(tmp_path, sources, seed=False)
    assert code == 1
    assert "failed sources: gone, not a feed" in output
    assert db["runs"].get(1)["status"] == "failed"
    flow_state, task_states = latest_flow_run_states()
    assert flow_state == "FAILED"
    assert task_states == {"collect gone": "FAILED", "collect not a feed": "FAILED"}


def test_one_failed_source_is_a_failed_task_run_and_the_run_completes(web: RecordedWeb, tmp_path: Path) -> None:
    sources = [*recorded_sources(web, GIA), {"name": "gone", "kind": "rss", "url": web.fault_url("/status/404")}]
    code, output, db = run(tmp_path, sources)
    assert code == 0
    assert "failed sources: gone" in output
    assert db["runs"].get(1)["status"] == "completed" and db["runs"].get(1)["sources_failed"] == 1
    assert db.execute("SELECT count(*) FROM articles WHERE source = ?", [GIA[0]]).fetchone()[0] == 1
    flow_state, task_states = latest_flow_run_states()
    assert flow_state == "COMPLETED"
    assert task_states == {f"collect {GIA[0]}": "COMPLETED", "collect gone": "FAILED", "collect seed": "COMPLETED"}


def test_counts_add_up_and_shared_urls_go_to_the_first_source_on_every_run(web: RecordedWeb, tmp_path: Path) -> None:
    # The Atom feed repeats the RSS feed's links; the sitemap repeats the list page's.
    sources = recorded_sources(web, CHINANEWS, CHINANEWS_ATOM, DZWWW, DZWWW_SITEMAP)
    carriers = []
    for attempt in ("first", "second"):  # two fresh databases: identical runs
        code, output, db = run(tmp_path / attempt, sources, seed=False)
        assert code == 0
        carriers.append(sorted(db.execute("SELECT url, source FROM articles").fetchall()))
        rows = [line for line in output.splitlines() if line.startswith("│")]
        assert [row.split("│")[1].strip() for row in rows] == [
            name for name, *_ in (CHINANEWS, CHINANEWS_ATOM, DZWWW, DZWWW_SITEMAP)
        ]
        for row in rows:
            fetched, new, duplicates, off_topic, errors, taken = (int(cell) for cell in row.split("│")[4:10])
            assert fetched == new + duplicates + off_topic + errors + taken, row
        taken = {row.split("│")[1].strip(): int(row.split("│")[9]) for row in rows}
        assert taken[CHINANEWS_ATOM[0]] > 0 and taken[DZWWW_SITEMAP[0]] > 0
    assert carriers[0] == carriers[1]
    assert {source for _, source in carriers[0]} == {CHINANEWS[0], DZWWW[0]}
