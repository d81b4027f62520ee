"""Meeting a gzip bomb and a 30 MB body raises a run's peak RSS by less than 50 MB (bench/fetch_memory.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "fetch_memory.py"


@pytest.mark.slow
def test_bomb_and_huge_body_add_less_than_50_mb_to_peak_rss() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--json", "--no-baseline"], capture_output=True, text=True, check=True
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"peak RSS without: {figures['without_faults_mb']} MB, with the bomb and 30 MB body: "
        f"{figures['with_faults_mb']} MB, difference {figures['difference_mb']} MB"
    )
    assert figures["difference_mb"] < 50
    for error in figures["fault_errors"].values():
        assert "over max_bytes" in error
