"""`newsmon serve` starts a real Prefect server, runs ingest on its schedule, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest
from sqlite_utils import Database

from tests.conftest import write_config_file

pytestmark = pytest.mark.slow

DEADLINE_S = 120
# Ctrl-C lets a flow run in progress finish before serve exits; on a loaded machine that can take a while.
STOP_TIMEOUT_S = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def completed_runs(path) -> int:
    if not path.exists():
        return 0
    return Database(path).execute("SELECT count(*) FROM runs WHERE status = 'completed'").fetchone()[0]


def test_scheduled_ingest_runs_and_ctrl_c_stops_everything(tmp_path):
    # Runs 30 s apart: Ctrl-C after the first run usually meets no run in progress.
    config = write_config_file(tmp_path, {"schedules": {"ingest": {"interval_s": 30}, "digest": "0 8 * * *"}})
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
        try:
            output, _ = serve.communicate(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            for child in psutil.Process(serve.pid).children(recursive=True):
                child.kill()  # the Prefect server runs in a session of its own: it would outlive serve
            serve.kill()
            output, _ = serve.communicate()
            pytest.fail(f"serve still running {STOP_TIMEOUT_S} s after Ctrl-C:\n{output[-3000:]}")
    assert serve.returncode == 0, output
    assert "All deployments have been paused" in output
    assert Database(database)["articles"].count == 1
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass  # the Prefect server that serve started is gone
