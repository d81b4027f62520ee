"""Only one ingest run writes to a database at a time; a dead run leaves no lock behind."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsmon.runlock import RunInProgress, exclusive_run


def test_a_second_run_is_refused_while_the_first_holds_the_database(tmp_path):
    database = tmp_path / "db" / "news.db"
    with (
        exclusive_run(database),
        pytest.raises(RunInProgress, match="another ingest run is in progress"),
        exclusive_run(database),
    ):
        pass
    with exclusive_run(database):  # released when the first run ended
        pass


def test_a_killed_run_leaves_no_stale_lock(tmp_path):
    database = tmp_path / "news.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from newsmon.runlock import exclusive_run\n"
            f"with exclusive_run(Path({str(database)!r})):\n    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(RunInProgress), exclusive_run(database):
        pass
    holder.kill()
    holder.wait()
    with exclusive_run(database):
        pass
