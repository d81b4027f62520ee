"""Timestamps as newsmon stores them: ISO 8601 with an offset, in China's time zone by default."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(CHINA).replace(microsecond=0)


def isoformat(moment: datetime) -> str:
    """`2023-02-23T10:30:00+08:00`; a naive time is taken as China time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA)
    return moment.isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    """An ISO 8601 timestamp; a naive one is taken as China time."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)
