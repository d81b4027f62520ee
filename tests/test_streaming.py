"""The streaming ingest: the writer stores one source's articles while another is still being fetched, and
a run killed in the middle of a large ingest leaves a sound database from which the next run ends exactly
where an uninterrupted run ends."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from article_farm import article_farm
from ingesting import collect
from webfixtures import fetch_settings_for_tests

from newsmon.config import load_config
from tests.conftest import write_config_file

pytestmark = pytest.mark.slow


def count(database: Path, sql: str, *parameters: object) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as db:
        try:
            return db.execute(sql, parameters).fetchone()[0]
        except sqlite3.OperationalError:  # the schema is not there yet
            return 0


def test_a_slow_source_does_not_hold_back_storing_the_others(tmp_path: Path, tagger) -> None:
    with article_farm(feeds=2, pages_per_feed=8, slow={0}, delay_s=1.5) as farm:
        changes = {"sources": farm.sources(), "seed": [], "fetch": fetch_settings_for_tests(timeout_s=20).model_dump()}
        config = load_config(write_config_file(tmp_path, changes))
        outcomes = {}
        run = threading.Thread(target=lambda: outcomes.update(collect(config, tagger).outcomes))
        run.start()
        database = config.database_path
        deadline = time.monotonic() + 60
        while count(database, "SELECT count(*) FROM articles WHERE source = 'feed1'") < 8:
            assert time.monotonic() < deadline and run.is_alive(), "feed1's articles were never stored"
            time.sleep(0.05)
        slow_pages_answered = sum(path.startswith("/0/") for path in farm.answered)
        run.join()
    assert slow_pages_answered < 8  # feed1 was stored while feed0, first in config order, was still fetching
    assert outcomes["feed0"].new + outcomes["feed0"].duplicates == 8


def content(database: Path) -> tuple:
    """What a run leaves: each article's URL, source, topics and tags, and the stories as sets of URLs."""
    with sqlite3.connect(database) as db:
        articles = sorted(db.execute("SELECT url, source, topics, tags FROM articles").fetchall())
        stories: dict[int, set[str]] = {}
        for url, story_id in db.execute("SELECT url, story_id FROM articles"):
            stories.setdefault(story_id, set()).add(url)
        counts = sorted(db.execute("SELECT article_count FROM stories").fetchall())
    return articles, sorted(sorted(urls) for urls in stories.values()), counts


def newsmon_run(config: Path, api_url: str, home: Path) -> subprocess.Popen:
    env = os.environ | {"PREFECT_API_URL": api_url, "PREFECT_HOME": str(home)}
    command = [sys.executable, "-m", "newsmon.cli", "run", "--config", str(config)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_killed_mid_ingest_leaves_a_sound_database_and_the_next_ends_as_an_uninterrupted_one(
    tmp_path: Path,
) -> None:
    from prefect.settings import PREFECT_API_URL

    api_url = PREFECT_API_URL.value()
    with article_farm(feeds=3, pages_per_feed=60, slow={0, 1, 2}, delay_s=0.05) as farm:
        changes = {"sources": farm.sources(), "seed": [], "fetch": fetch_settings_for_tests(timeout_s=20).model_dump()}
        killed_config = write_config_file(tmp_path / "killed", changes)
        whole_config = write_config_file(tmp_path / "whole", changes)
        killed_db, whole_db = (path.parent / "db" / "news.db" for path in (killed_config, whole_config))

        run = newsmon_run(killed_config, api_url, tmp_path / "home")
        deadline = time.monotonic() + 180
        while count(killed_db, "SELECT count(*) FROM articles") < 20:
            assert time.monotonic() < deadline and run.poll() is None, run.stdout.read().decode()[-2000:]
            time.sleep(0.02)
        os.killpg(run.pid, signal.SIGKILL)  # the main process and every child it started, as the OOM killer does
        run.wait()
        stored_when_killed = count(killed_db, "SELECT count(*) FROM articles")
        with sqlite3.connect(killed_db) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert stored_when_killed < 180, "the run ended before it could be killed: make the web slower"

        for config in (killed_config, whole_config):
            again = newsmon_run(config, api_url, tmp_path / "home")
            output, _ = again.communicate(timeout=300)
            assert again.returncode == 0, output.decode()[-3000:]
    killed, whole = content(killed_db), content(whole_db)
    assert len(killed[0]) == 180
    assert killed == whole
