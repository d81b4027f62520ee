"""Fixtures shared by the whole suite: configs written to tmp_path, databases, the Prefect harness."""

from __future__ import annotations

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

configure_prefect()


def base_config() -> dict[str, Any]:
    """The shipped config.yaml, with no network sources: tests add what they need."""
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    config["sources"] = []
    return config


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a config.yaml (the shipped one, updated with `changes`) and the seed file into tmp_path."""

    def write(changes: dict[str, Any] | None = None, name: str = "config.yaml") -> Path:
        seed_dir = tmp_path / "db" / "seed"
        seed_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(SEED_FILE, seed_dir / SEED_FILE.name)
        config = base_config() | (changes or {})
        path = tmp_path / name
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One throwaway Prefect API server for every flow test of the session (~10 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield
