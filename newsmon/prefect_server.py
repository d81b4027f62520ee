"""A local Prefect API server for `newsmon serve`, started only when no server is configured.

Schedules never fire on Prefect's ephemeral server (deployments register, then nothing runs, with no
warning), so serving needs a real one: PREFECT_API_URL when the user has set it, else a
`prefect server start` child process on loopback that lives and dies with `newsmon serve`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx

from newsmon.errors import NewsmonError

HOST = "127.0.0.1"
DEFAULT_PORT = 4200
STARTUP_TIMEOUT_S = 90


class PrefectServerError(NewsmonError):
    """The local Prefect server did not start."""


@contextmanager
def prefect_api(port: int = DEFAULT_PORT) -> Iterator[str]:
    """Yield the API URL to use: the configured one, or a local server started for the duration."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    api_url = f"http://{HOST}:{port}/api"
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finally; the server output quoted on failure
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
        start_new_session=True,  # a Ctrl-C reaches newsmon, which then stops the server itself
    )
    try:
        wait_until_healthy(api_url, server, log)
        os.environ["PREFECT_API_URL"] = api_url
        yield api_url
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not orphan the server
        os.environ.pop("PREFECT_API_URL", None)
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def wait_until_healthy(api_url: str, server: subprocess.Popen, log: IO[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            said = " ".join(log.read().decode("utf-8", errors="replace").split())[-300:] or "no output"
            raise PrefectServerError(f"{api_url}: prefect server exited with code {server.returncode}: {said}")
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise PrefectServerError(f"{api_url}: prefect server not healthy after {STARTUP_TIMEOUT_S} s")
