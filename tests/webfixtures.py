"""The recorded web (newsmon/demo_web + fault routes) on 127.0.0.1, and fetch settings sized for tests.

Import the fixture into a test module to use `web`: `from webfixtures import recorded_web_fixture  # noqa: F401`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsmon.config import FetchSettings
from newsmon.recorded_web import RecordedWeb

TEST_TIMEOUT_S = 2.0


def fetch_settings_for_tests(**changes: object) -> FetchSettings:
    """Small timeouts and no pacing: the loopback web answers at once unless a fault says otherwise."""
    values = {
        "timeout_s": TEST_TIMEOUT_S,
        "max_bytes": 5_000_000,
        "per_host_interval_s": 0.0,
        "allow_private_networks": True,
    }
    return FetchSettings(**(values | changes))


@pytest.fixture(scope="module", name="web")
def recorded_web_fixture() -> Iterator[RecordedWeb]:
    with RecordedWeb() as recorded:
        yield recorded
