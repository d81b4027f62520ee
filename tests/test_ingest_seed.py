"""`newsmon run` end to end on the seed, through the real Prefect flow and a real SQLite file."""

from __future__ import annotations

import json

import pytest
from sqlite_utils import Database

from tests.conftest import run_cli, write_config_file

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture(scope="module")
def ran_twice(tmp_path_factory):
    config = write_config_file(tmp_path_factory.mktemp("seed-run"))
    first, first_output = run_cli("run", "--config", str(config))
    second, second_output = run_cli("run", "--config", str(config))
    return config, (first, second), first_output, second_output


def test_exit_codes_and_summary(ran_twice):
    config, codes, output, _ = ran_twice
    assert codes == (0, 0)
    assert "seed" in output and "text" in output
    assert f"database: {config.parent / 'db' / 'news.db'}" in output


def test_seed_article_is_stored_tagged_once(ran_twice):
    config, *_ = ran_twice
    db = Database(config.parent / "db" / "news.db")
    rows = list(db["articles"].rows)
    assert len(rows) == 1
    seed = rows[0]
    assert seed["title"] == "淄博牵手大湾区的想法与干法"
    assert seed["url"] == "text:000_1a11c1f1ca3ccac1.txt"
    assert seed["source"] == "seed"
    assert seed["published_at"] is None
    assert set(json.loads(seed["tags"])) == {"新材料", "人工智能", "城市合伙人"}
    assert set(json.loads(seed["topics"])) == {"zibo", "greater_bay_area"}
    assert "走上前去进行攀谈" in seed["body"] and "ChatGPT带来了人工智能" in seed["body"]
    assert seed["story_id"] is not None


def test_runs_are_recorded(ran_twice):
    config, *_ = ran_twice
    runs = list(Database(config.parent / "db" / "news.db")["runs"].rows)
    assert [(r["status"], r["articles_new"], r["sources_failed"]) for r in runs] == [
        ("completed", 1, 0),
        ("completed", 0, 0),
    ]


def test_seed_is_searchable_by_chinese_words(ran_twice):
    config, *_ = ran_twice
    db = Database(config.parent / "db" / "news.db")
    for word in ("淄博", "城市合伙人", "大湾区"):
        hits = db.execute("SELECT rowid FROM articles_search WHERE articles_search MATCH ?", [f'"{word}"']).fetchall()
        assert hits == [(1,)], word
