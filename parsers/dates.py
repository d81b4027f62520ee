"""Publish dates and times written the ways Chinese and Hong Kong sites write them -> ISO 8601.

The output keeps exactly the precision the page shows: `2023-02-23T10:30:00+08:00` with a time,
`2023-02-23` with a date only, `1998-03` with a year and month only. A time with no stated zone is the
wall-clock time of `tz` (China time by default; Asia/Hong_Kong has the same offset); a zone the page
states (GMT, 北京时间, +00:00) wins. A month-day without a year is never completed here: the caller
decides with other evidence (`FoundDate.with_year`). Patterns are data: add a format by adding a row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

# Years outside this range in a news page are not publish dates (page counters, phone numbers...).
EARLIEST_YEAR = 1990
LATEST_YEAR = 2099

# Calendar dates, most explicit first (an earlier row wins where two overlap). Groups: y (4 digits), m, d.
DATE_PATTERNS = (
    re.compile(r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
    re.compile(r"(?<![\d.:/-])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d/]|\.\d)"),
    re.compile(r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?![\d\s]*[日号])"),
    # Xinhua's split dateline: <span>2023</span><span>11/17</span><span>20:52:15</span>
    re.compile(r"(?<![\d./:-])(?P<y>\d{4})\s+(?P<m>\d{1,2})\s*/\s*(?P<d>\d{1,2})(?![\d/])"),
)
# Month-days without a year (`2月23日`, `02-23 10:30`): completed only by the caller's evidence.
MONTH_DAY_PATTERNS = (
    re.compile(r"(?<![\d年])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"),
    re.compile(r"(?<![\d./:-])(?P<m>\d{1,2})-(?P<d>\d{1,2})\s+(?=\d{1,2}:\d{2})"),
)

# What may sit between a date and its time: ISO's T, a weekday, a comma, a zone label.
DATE_TIME_GAP = re.compile(
    r"T|[\s,，]*(?:[（(]?(?:星期|周|禮拜|礼拜)[一二三四五六日天][)）]?)?[\s,，]*"
    r"(?:(?P<zone_label>北京时间|北京時間|香港时间|香港時間|格林尼治标准时间|格林尼治標準時間|HKT|GMT|UTC)\s*)?"
)
TIME_PATTERN = re.compile(
    r"(?P<half>上午|下午|中午|晚上|凌晨)?\s*"
    r"(?P<H>\d{1,2})\s*(?::|：|时|時|点|點)\s*(?P<M>\d{2})\s*分?"
    r"(?:\s*(?::|：)\s*(?P<S>\d{2})|(?<=分)\s*(?P<S2>\d{2})\s*秒)?(?:\.\d+)?(?!\d)"
    r"\s*(?P<zone>Z(?![A-Za-z])|[+-]\d{2}:?\d{2}(?!\d)|\(?(?:GMT|UTC)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?\)?)?"
)
# Stated zones, as UTC offsets.
ZONE_LABELS = {
    "北京时间": "+08:00",
    "北京時間": "+08:00",
    "香港时间": "+08:00",
    "香港時間": "+08:00",
    "格林尼治标准时间": "+00:00",
    "格林尼治標準時間": "+00:00",
    "HKT": "+08:00",  # RTHK: `2023-02-23 HKT 20:15`
    "GMT": "+00:00",
    "UTC": "+00:00",
    "Z": "+00:00",
}
AFTERNOON = frozenset({"下午", "晚上"})
# Labels that say a date is the publish date, and labels that say it is some other date.
PUBLISH_LABEL = re.compile(
    r"(发布|发表|更新|刊发|出版|上传|发稿)(时间|日期|于)?|时间|日期|published|updated|posted", re.IGNORECASE
)
OTHER_LABEL = re.compile(r"(成文|印发|施行|实施|生效|截止|有效期|开始|结束|举办|报名|出生|成立)(日期|时间|于)?")
LABEL_REACH = 12  # characters before a date searched for its label


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date (and maybe a time) found in a text, at `start:end`."""

    start: int
    end: int
    year: int | None
    month: int
    day: int | None
    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    zone: str | None = None  # the offset the text states, e.g. "+00:00"

    @property
    def has_time(self) -> bool:
        return self.hour is not None

    def with_year(self, year: int) -> FoundDate | None:
        """This month-day in `year`; None when that day does not exist."""
        if self.day is not None and not _valid_day(year, self.month, self.day):
            return None
        return replace(self, year=year)

    def iso(self, tz: str = "Asia/Shanghai") -> str:
        """ISO 8601 at the precision found; a time gets the stated zone, else the offset of `tz` on that day."""
        if self.year is None:
            raise ValueError("a month-day without a year has no ISO form")
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        if self.hour is None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        moment = datetime(self.year, self.month, self.day, self.hour, self.minute or 0, self.second or 0)
        offset = self.zone or _utc_offset(moment, tz)
        return f"{moment.isoformat()}{offset}"


def parse_date_text(text: str, tz: str = "Asia/Shanghai") -> str | None:
    """The publish date (with its time when written) in a short text, as ISO 8601; None if there is none.

    The first full date labelled as a publish date (`发布日期：`) if any, else the first full date that no
    other label claims (`成文日期：`), else the first full date.
    """
    dated = [found for found in find_dates(text) if found.year is not None]
    labels = [date_label(text, found) for found in dated]
    for wanted in ("publish", None, "other"):
        for found, label in zip(dated, labels, strict=True):
            if label == wanted:
                return found.iso(tz)
    return None


def date_label(text: str, found: FoundDate) -> str | None:
    """ "publish" or "other" after what the text says just before the date; None when it says neither."""
    before = text[max(0, found.start - LABEL_REACH) : found.start]
    if OTHER_LABEL.search(before):
        return "other"
    if PUBLISH_LABEL.search(before):
        return "publish"
    return None


def find_dates(text: str) -> list[FoundDate]:
    """Every date in `text` in reading order, each with the time written right after it."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern in DATE_PATTERNS + MONTH_DAY_PATTERNS:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            date = _date_from_match(match)
            if date is None:
                continue
            date = _with_time(date, text)
            found.append(date)
            taken.append((date.start, date.end))
    return sorted(found, key=lambda date: date.start)


def _date_from_match(match: re.Match[str]) -> FoundDate | None:
    groups = match.groupdict()
    year = int(groups["y"]) if groups.get("y") else None
    month = int(groups["m"])
    day = int(groups["d"]) if groups.get("d") else None
    if year is not None and not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return None
    if not 1 <= month <= 12 or (day is not None and not _valid_day(year or 2000, month, day)):
        return None
    return FoundDate(match.start(), match.end(), year, month, day)


def with_time_from(date: FoundDate, text: str) -> FoundDate:
    """The date with the time of day that starts `text` (`香港時間16時30分` on the line after the date)."""
    if date.has_time:
        return date
    timed = _with_time(replace(date, start=0, end=0), text)
    return replace(timed, start=date.start, end=date.end) if timed.has_time else date


def _with_time(date: FoundDate, text: str) -> FoundDate:
    """The date extended by the time of day written right after it, if any."""
    if date.day is None:
        return date
    gap = DATE_TIME_GAP.match(text, date.end)
    clock = TIME_PATTERN.match(text, gap.end())
    if clock is None:
        return date
    hour, minute = int(clock["H"]), int(clock["M"])
    second = int(clock["S"] or clock["S2"] or 0)
    if clock["half"] in AFTERNOON and hour < 12:
        hour += 12
    if hour > 23 or minute > 59 or second > 59:
        return date
    zone = _offset(clock["zone"]) or _offset(gap["zone_label"])
    return replace(date, end=clock.end(), hour=hour, minute=minute, second=second, zone=zone)


def _offset(label: str | None) -> str | None:
    """'+0800' / 'GMT+8' / '北京时间' -> '+08:00'; None for no label."""
    if not label:
        return None
    label = label.strip("() ")
    if label in ZONE_LABELS:
        return ZONE_LABELS[label]
    match = re.search(r"([+-])\s*(\d{1,2}):?(\d{2})?$", label)
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    return f"{sign}{int(hours):02d}:{minutes or '00'}"


def _valid_day(year: int, month: int, day: int) -> bool:
    try:
        datetime(year, month, day)
    except ValueError:
        return False
    return True


@cache
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _utc_offset(moment: datetime, tz: str) -> str:
    offset = moment.replace(tzinfo=_zone(tz)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
