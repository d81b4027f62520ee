"""`newsmon serve` starts a real Prefect server, runs ingest on its schedule, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from sqlite_utils import Database

from tests.conftest import write_config_file

pytestmark = pytest.mark.slow

DEADLINE_S = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def completed_runs(path) -> int:
    if not path.exists():
        return 0
    return Database(path).execute("SELECT count(*) FROM runs WHERE status = 'completed'").fetchone()[0]


def test_scheduled_ingest_runs_and_ctrl_c_stops_everything(tmp_path):
    config = write_config_file(tmp_path, {"schedules": {"ingest": {"interval_s": 5}, "digest": "0 8 * * *"}})
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    serve = subprocess.Popen(
        [sys.executable, "-m", "newsmon.cli", "serve", "--config", str(config), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    database = tmp_path / "db" / "news.db"
    try:
        deadline = time.monotonic() + DEADLINE_S
        while completed_runs(database) < 1 and time.monotonic() < deadline and serve.poll() is None:
            time.sleep(1)
        assert completed_runs(database) >= 1
    finally:
        serve.send_signal(signal.SIGINT)
        output, _ = serve.communicate(timeout=60)
    assert serve.returncode == 0, output
    assert "All deployments have been paused" in output
    assert Database(database)["articles"].count == 1
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass  # the Prefect server that serve started is gone
