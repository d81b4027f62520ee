"""Prefect settings newsmon needs, applied before Prefect is imported.

Defaults only: a user's own PREFECT_* environment (e.g. PREFECT_API_URL of a real server) wins.
"""

from __future__ import annotations

import os

DEFAULTS = {
    # The server would otherwise report usage to an outside host; newsmon runs on closed networks.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # A cold ephemeral server takes 13-19 s to start on a small machine; Prefect's default gives up at 20 s.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def configure_prefect() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
