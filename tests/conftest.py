"""Fixtures shared by the whole suite: configs written to tmp_path, databases, the Prefect harness."""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsmon.prefect_env import configure_prefect

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_FILE = REPO / "db" / "seed" / "000_1a11c1f1ca3ccac1.txt"
# The seed article as a news site's page, in the recorded web (one copy, served by the demo too).
SEED_PAGE = FIXTURES / "web" / "www.zbnews.net" / "content" / "2023-02" / "23" / "content_10245.html"

configure_prefect()
# Prefect's console log handler keeps the stderr it finds at import; importing it now binds it to the
# session's stream rather than to one test's capsys stream, which is closed when that test ends.
import prefect  # noqa: E402, F401


def base_config() -> dict[str, Any]:
    """The shipped config.yaml, with no network sources: tests add what they need."""
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    config["sources"] = []
    return config


def write_config_file(folder: Path, changes: dict[str, Any] | None = None, name: str = "config.yaml") -> Path:
    """Write a config.yaml (the shipped one, updated with `changes`) and the seed file into `folder`."""
    seed_dir = folder / "db" / "seed"
    seed_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED_FILE, seed_dir / SEED_FILE.name)
    path = folder / name
    config = base_config() | (changes or {})
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """`write_config_file` into this test's tmp_path."""
    return lambda changes=None, name="config.yaml": write_config_file(tmp_path, changes, name)


@pytest.fixture
def db(tmp_path: Path):
    """A database in tmp_path with the sources of `tests.reposts` configured (a module may define its own)."""
    from tests.reposts import open_store

    database = open_store(tmp_path / "news.db")
    yield database
    database.close()


@pytest.fixture(scope="session")
def tagger():
    """The shipped config's topics and tags (jieba's dictionary loads once for the whole session)."""
    from newsmon.tagging import Tagger

    config = base_config()
    return Tagger.from_config(config["topics"], config["tags"])


def run_cli(*args: str) -> tuple[int, str]:
    """`newsmon ARGS` in this process: the exit code and what it printed."""
    from newsmon.cli import main

    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = main(list(args))
    return code, output.getvalue()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One throwaway Prefect API server for every flow test of the session (~10 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield
