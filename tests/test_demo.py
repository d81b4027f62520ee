"""`newsmon demo`: the recorded copies of the shipped sources, and the whole pipeline run against them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlite_utils import Database

from newsmon import clock
from newsmon.collect import RunContext, collect_source
from newsmon.config import load_config
from newsmon.demo import DEMO_CONFIG, run_demo, write_demo_config
from newsmon.fetch import Fetcher
from newsmon.recorded_web import RecordedWeb
from newsmon.store import open_database

REPO = Path(__file__).resolve().parent.parent


def shipped_sources() -> list[dict]:
    return yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))["sources"]


def test_every_shipped_source_has_a_recorded_copy_with_the_same_settings() -> None:
    demo_sources = {s["name"]: s for s in yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))["sources"]}
    for source in shipped_sources():
        assert demo_sources.get(source["name"]) == source, source["name"]


def test_every_shipped_source_yields_articles_from_its_recorded_copy(tmp_path: Path) -> None:
    """The shipped URLs and selectors, checked against the recorded copies (the real hosts are not reachable here)."""
    shipped = {source["name"] for source in shipped_sources()}
    with RecordedWeb() as web:
        config = load_config(write_demo_config(web, tmp_path))
        open_database(config.database_path).close()
        with Fetcher(config.fetch) as fetcher:
            context = RunContext(config, config.database_path, clock.now(), fetcher, {})
            for source in config.sources:
                if source.name in shipped:
                    harvest = collect_source(source, context)
                    assert harvest.source_failure is None, harvest.source_failure
                    assert harvest.failures == () and harvest.articles, source.name


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_demo_runs_the_pipeline_offline(tmp_path: Path) -> None:
    config_path, result = run_demo(folder=tmp_path)
    assert result["run"]["status"] == "completed"
    db = Database(tmp_path / "news.db")
    assert db["articles"].count >= 8
    (error,) = db.query("SELECT source, error FROM fetch_errors")
    assert error["source"] == "故障示例·网页冒充订阅源" and "it is an HTML page" in error["error"]
    # The seed, its original on 淄博新闻网 and its repost on 大众网 are one story. The repost is listed
    # both on 大众网's list page and in its sitemap: whichever source stores it first carries it.
    seed_story = db.execute("SELECT story_id FROM articles WHERE source = 'seed'").fetchone()[0]
    sources = set(json.loads(db["stories"].get(seed_story)["sources"]))
    assert {"seed", "淄博新闻网"} <= sources
    assert sources & {"大众网·淄博", "大众网·淄博新闻地图"}
    assert config_path.parent == tmp_path
