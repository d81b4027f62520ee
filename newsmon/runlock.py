"""One ingest run per database at a time, across processes (`newsmon run` beside `newsmon serve`).

The lock is an flock on a file beside the database: the kernel drops it when the process dies, so a
killed run never leaves a stale lock behind, and the next run may safely mark its row 'aborted'.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsmon.errors import NewsmonError


class RunInProgress(NewsmonError):
    """Another ingest run holds the database."""


@contextmanager
def exclusive_run(database: Path) -> Iterator[None]:
    lock_path = database.with_name(database.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgress(f"{database}: another ingest run is in progress; try again when it ends") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
