"""The publish time of an article page: its metadata date weighed against the dateline the page shows.

A news page shows many dates: the dateline beside the headline, dates in related links and lists,
dates inside the text, the copyright year, a document's 成文日期. The publish date is the one in a
short line just under the headline (or just above the text), often labelled 发布时间/来源; dates in
link lists, prose, footers or under other labels score low. The metadata date (JSON-LD, <meta>) is
trusted on the day, but the page's own dateline gives the wall-clock time when both agree, because
metadata often carries a date only, a placeholder midnight, or UTC.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from parsers.dates import FoundDate, date_label, find_dates, with_time_from
from parsers.html_blocks import Block
from parsers.main_content import COPYRIGHT, DATELINE_MAX_CHARS, MAX_LINK_DENSITY, Region

LABEL_CELL_MAX_CHARS = 8  # a block this short before a date may be its label (`发布日期：` in a table cell)
# Dates in a URL path (/2005-07/16/, /20041021/, /2005/07/18/): evidence for the year of a month-day.
URL_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-/_]?(?:0[1-9]|1[0-2])(?:[-/_]?(?:0[1-9]|[12]\d|3[01]))?(?!\d)")
HONG_KONG_HOSTS = (".hk",)
# What a date's place, shape and label say about it being the publish date; it needs MIN_SCORE.
SCORES = {
    "below_headline": 4,  # within NEAR_HEADLINE_BLOCKS under the headline, before the text
    "above_headline": 2,  # within NEAR_HEADLINE_BLOCKS_ABOVE over it: some pages put the date first
    "far_above_headline": -1,  # page header (今天是…)
    "before_text": 2,
    "in_text": -1,  # dates in the text are events, or the print edition
    "closing_line": 1,  # press releases and notices close with their date
    "after_text": -3,  # related links, comments, footers
    "in_link_list": -4,
    "in_long_block": -3,  # prose
    "among_many_dates": -2,  # a list
    "with_time": 1,
}
LABEL_SCORES = {"publish": 3, None: 0, "other": -5}
MIN_SCORE = 1
NEAR_HEADLINE_BLOCKS = 4
NEAR_HEADLINE_BLOCKS_ABOVE = 2
MANY_DATES = 3
CLOSING_DATELINE_REACH = 2  # blocks after the text where a closing date line may stand
CLOSING_DATELINE_MAX_CHARS = 20
# After a date, only a weekday before the line ends: its time may be on the next line.
LINE_END_AFTER_DATE = re.compile(r"^[\s(（]*(?:(?:星期|周|禮拜|礼拜)[一二三四五六日天])?[)）\s]*$")
SECONDS_PER_MINUTE = 60


@dataclass(frozen=True, slots=True)
class Candidate:
    date: FoundDate
    block_index: int
    score: float


def page_zone(url: str) -> str:
    """The zone of times written without one: Hong Kong for .hk hosts, China otherwise (both +08:00)."""
    host = urlsplit(url).hostname or ""
    return "Asia/Hong_Kong" if host.endswith(HONG_KONG_HOSTS) else "Asia/Shanghai"


def choose_published(
    metadata_date: FoundDate | None,
    blocks: Sequence[Block],
    headline_index: int | None,
    text_span: Region | None,
    url: str,
) -> FoundDate | None:
    """The publish date: the page's dateline when it agrees with the metadata (or there is none), else metadata."""
    shown = best_dateline(blocks, headline_index, text_span, _year_evidence(url, metadata_date))
    if metadata_date is None:
        return shown
    if shown is not None and _agree(shown, metadata_date, page_zone(url)):
        return shown
    return metadata_date


def metadata_found_date(found: FoundDate | None) -> FoundDate | None:
    """A metadata date whose time is exactly midnight carries a date only: CMSs write 00:00:00 for "no time"."""
    if found is not None and found.has_time and (found.hour, found.minute, found.second) == (0, 0, 0):
        return FoundDate(found.start, found.end, found.year, found.month, found.day)
    return found


def best_dateline(
    blocks: Sequence[Block], headline_index: int | None, text_span: Region | None, years: Sequence[int]
) -> FoundDate | None:
    """The best-scoring date shown on the page, if any scores as a publish date."""
    candidates = [
        candidate
        for index, block in enumerate(blocks)
        if not COPYRIGHT.search(block.text)
        for candidate in _candidates(blocks, index, headline_index, text_span, years)
    ]
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (c.score, -c.block_index))
    return best.date if best.score >= MIN_SCORE else None


def _candidates(
    blocks: Sequence[Block],
    index: int,
    headline_index: int | None,
    text_span: Region | None,
    years: Sequence[int],
) -> list[Candidate]:
    """The dates of one block, scored. A label may sit in the cell before (`发布日期：` | `2022年01月28日`),
    and the time on the line after (`2024年5月1日（星期三）` / `香港時間16時30分`)."""
    block = blocks[index]
    found = [_with_year(date, years) for date in find_dates(block.text)]
    found = [date for date in found if date is not None and date.day is not None]
    if not found:
        return []
    shared = _block_score(block, headline_index, text_span)
    if len(found) >= MANY_DATES:
        shared += SCORES["among_many_dates"]
    previous = blocks[index - 1].text if index > 0 and blocks[index - 1].chars <= LABEL_CELL_MAX_CHARS else ""
    following = blocks[index + 1].text if index + 1 < len(blocks) else ""
    candidates = []
    for date in found:
        if LINE_END_AFTER_DATE.match(block.text[date.end :]):
            date = with_time_from(date, following)
        label = date_label(previous + " " + block.text, replace(date, start=len(previous) + 1 + date.start))
        score = shared + LABEL_SCORES[label] + (SCORES["with_time"] if date.has_time else 0)
        candidates.append(Candidate(date, block.index, score))
    return candidates


def _block_score(block: Block, headline_index: int | None, text_span: Region | None) -> float:
    """How much the block's place and shape say "dateline"."""
    says = []
    if block.link_density > MAX_LINK_DENSITY:
        says.append("in_link_list")
    if block.chars > DATELINE_MAX_CHARS:
        says.append("in_long_block")
    before_text = text_span is None or block.index < text_span.first
    if headline_index is not None:
        distance = block.index - headline_index
        if 0 < distance <= NEAR_HEADLINE_BLOCKS and before_text:
            says.append("below_headline")
        elif -NEAR_HEADLINE_BLOCKS_ABOVE <= distance < 0:
            says.append("above_headline")
        elif distance < 0:
            says.append("far_above_headline")
    if text_span is not None:
        if before_text and (headline_index is None or block.index > headline_index):
            says.append("before_text")
        elif block.index <= text_span.last:
            says.append("in_text")
        elif block.index - text_span.last <= CLOSING_DATELINE_REACH and _dateline_shaped(block):
            says.append("closing_line")
        else:
            says.append("after_text")
    return sum(SCORES[what] for what in says)


def _dateline_shaped(block: Block) -> bool:
    return not block.link_chars and block.chars <= CLOSING_DATELINE_MAX_CHARS


def _with_year(date: FoundDate, years: Sequence[int]) -> FoundDate | None:
    """A month-day gets a year only from evidence (URL, metadata); without any it is dropped."""
    if date.year is not None:
        return date
    for year in years:
        dated = date.with_year(year)
        if dated is not None:
            return dated
    return None


def _year_evidence(url: str, metadata_date: FoundDate | None) -> list[int]:
    years = [metadata_date.year] if metadata_date and metadata_date.year else []
    path = urlsplit(url).path
    years += [int(match["y"]) for match in URL_DATE.finditer(path)]
    return list(dict.fromkeys(years))


def _agree(shown: FoundDate, metadata: FoundDate, zone: str) -> bool:
    """The dateline states the metadata's moment (`09:41` on the page, `01:41Z` in <meta>) or, lacking
    a time there, its day."""
    if shown.has_time and metadata.has_time:  # to the minute: pages rarely show seconds that metadata has
        moments = (datetime.fromisoformat(shown.iso(zone)), datetime.fromisoformat(metadata.iso(zone)))
        return abs((moments[0] - moments[1]).total_seconds()) < SECONDS_PER_MINUTE
    same_day = (shown.year, shown.month, shown.day) == (metadata.year, metadata.month, metadata.day)
    return same_day and (shown.has_time or not metadata.has_time)
