"""`newsmon demo`: the recorded copies of the shipped sources, and the whole pipeline run against them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from ingesting import collect
from sqlite_utils import Database

from newsmon.config import load_config
from newsmon.demo import DEMO_CONFIG, run_demo, write_demo_config
from newsmon.recorded_web import RecordedWeb

REPO = Path(__file__).resolve().parent.parent


def shipped_sources() -> list[dict]:
    return yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))["sources"]


def test_every_shipped_source_has_a_recorded_copy_with_the_same_settings() -> None:
    demo_sources = {s["name"]: s for s in yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))["sources"]}
    for source in shipped_sources():
        assert demo_sources.get(source["name"]) == source, source["name"]


def test_every_shipped_source_yields_articles_from_its_recorded_copy(tmp_path: Path, tagger) -> None:
    """The shipped URLs and selectors, checked against the recorded copies (the real hosts are not reachable here).

    Each source runs alone, so that none has its links taken by another that lists them too.
    """
    with RecordedWeb() as web:
        config = load_config(write_demo_config(web, tmp_path))
        for source in shipped_sources():
            outcome = collect(config, tagger, [source["name"]]).outcomes[source["name"]]
            assert outcome.source_error is None, outcome.source_error
            assert outcome.errors == [] and outcome.fetched - outcome.taken > 0, source["name"]


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_demo_runs_the_pipeline_offline(tmp_path: Path) -> None:
    config_path, state = run_demo(folder=tmp_path)
    assert state.is_completed() and state.result()["run"]["status"] == "completed"
    db = Database(tmp_path / "news.db")
    assert db["articles"].count >= 8
    (error,) = db.query("SELECT source, error FROM fetch_errors")
    assert error["source"] == "故障示例·网页冒充订阅源" and "it is an HTML page" in error["error"]
    # The seed, its original on 淄博新闻网 and its repost on 大众网 are one story. The repost is listed
    # both on 大众网's list page and in its sitemap: the list page, first in config order, carries it.
    seed_story = db.execute("SELECT story_id FROM articles WHERE source = 'seed'").fetchone()[0]
    sources = set(json.loads(db["stories"].get(seed_story)["sources"]))
    assert {"seed", "淄博新闻网"} <= sources
    assert "大众网·淄博" in sources and "大众网·淄博新闻地图" not in sources
    assert config_path.parent == tmp_path
