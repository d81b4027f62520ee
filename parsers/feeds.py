"""RSS (0.9x, 1.0, 2.0) and Atom feeds -> `Listing` of article `Link`s, and the dates listings give.

feedparser reads the raw bytes (it knows the XML declaration and maps gb2312 to gb18030 itself), but
its dates are not used: it reads `2024年05月01日` as the current month, takes zone-less times as UTC
(eight hours off for China) and accepts the year 2099. Each entry keeps its raw date string and
newsmon parses it here: RFC 822 and ISO 8601 with the standard library, Chinese formats with
`parsers.dates`. A time without a zone is the publisher's wall clock (China, or Hong Kong for .hk
hosts); a date far in the future is clamped to the fetch time and flagged.
"""

from __future__ import annotations

import email.utils
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import feedparser

from newsmon.errors import ParseError
from newsmon.records import Link, Listing
from parsers.dates import parse_date_text
from parsers.urls import canonical_url, host_of, resolve_link

DEFAULT_TIMEZONE = "Asia/Shanghai"
# Host suffix -> the time zone a publisher there writes zone-less times in.
HOST_TIMEZONES = {".hk": "Asia/Hong_Kong", ".mo": "Asia/Macau", ".tw": "Asia/Taipei"}
# Further ahead than this is a wrong date, not clock skew or a zone mix-up.
FUTURE_TOLERANCE = timedelta(days=1)
# Zone names in RFC 822 dates; Chinese feeds mean China Standard Time by "CST", never US Central.
ZONE_OFFSETS = {"GMT": 0, "UTC": 0, "UT": 0, "Z": 0, "CST": 8, "HKT": 8, "BJT": 8}
_TRAILING_ZONE = re.compile(
    r"\s*(?:(?P<name>[A-Za-z]{1,4})?\s*(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?|(?P<alone>[A-Za-z]{1,4}))$"
)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def timezone_for_host(host: str) -> str:
    """The zone a site's zone-less times are written in."""
    for suffix, zone in HOST_TIMEZONES.items():
        if host.endswith(suffix):
            return zone
    return DEFAULT_TIMEZONE


@dataclass(frozen=True, slots=True)
class ListingDate:
    """A publish date read from a listing: ISO 8601 (date only when that is all it says), maybe clamped."""

    iso: str | None
    clamped: bool = False


def parse_listing_date(raw: str | None, zone: str, now: datetime) -> ListingDate:
    """RFC 822, ISO 8601 or a Chinese date -> ISO 8601 in `zone`; a date past `now` + a day becomes `now`."""
    raw = (raw or "").strip()
    if not raw:
        return ListingDate(None)
    tz = ZoneInfo(zone)
    if _DATE_ONLY.match(raw):
        moment, iso = datetime.fromisoformat(raw).replace(tzinfo=tz), raw
    else:
        moment = _rfc822(raw, tz) or _iso8601(raw, tz)
        if moment is None:
            iso = parse_date_text(raw, zone)
            if iso is None:
                return ListingDate(None)
            moment = datetime.fromisoformat(iso) if "T" in iso else datetime.fromisoformat(iso[:10])
            moment = moment if moment.tzinfo else moment.replace(tzinfo=tz)
        else:
            iso = moment.astimezone(tz).isoformat(timespec="seconds")
    if moment > now + FUTURE_TOLERANCE:
        return ListingDate(now.astimezone(tz).isoformat(timespec="seconds"), clamped=True)
    return ListingDate(iso)


def dated_link(
    url: str,
    raw_date: str | None,
    zone: str,
    now: datetime,
    notes: list[str],
    title: str | None = None,
    guid: str | None = None,
    listing: str = "feed",
) -> Link:
    """A listed link with its date parsed; a clamped date adds a note naming the URL."""
    date = parse_listing_date(raw_date, zone, now)
    if date.clamped:
        notes.append(f"{url}: {listing} date {raw_date!r} is in the future, clamped to the fetch time")
    return Link(
        url=url,
        canonical_url=canonical_url(url),
        guid=guid,
        title=title,
        published_at=date.iso,
        published_raw=raw_date,
        published_clamped=date.clamped,
    )


def _rfc822(raw: str, tz: ZoneInfo) -> datetime | None:
    zone = _TRAILING_ZONE.search(raw)
    offset = None
    text = raw
    if zone:
        name = (zone["name"] or zone["alone"] or "").upper()
        if zone["sign"]:
            minutes = int(zone["hours"]) * 60 + int(zone["minutes"] or 0)
            offset = timedelta(minutes=minutes if zone["sign"] == "+" else -minutes)
            if name and name not in ZONE_OFFSETS:
                return None
            if name:
                offset += timedelta(hours=ZONE_OFFSETS[name])
        elif name in ZONE_OFFSETS:
            offset = timedelta(hours=ZONE_OFFSETS[name])
        else:
            return None
        text = raw[: zone.start()]
    parts = email.utils.parsedate_tz(text)
    if parts is None or parts[0] < 1000:
        return None
    try:
        moment = datetime(*parts[:6])
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone(offset)) if offset is not None else moment.replace(tzinfo=tz)


def _iso8601(raw: str, tz: ZoneInfo) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def parse_feed(content: bytes, feed_url: str, now: datetime, content_type: str | None = None) -> Listing:
    """The entries of an RSS or Atom document as links, newest first as the feed lists them.

    Raises `ParseError` for an empty body, a document that is no feed (an HTML page served at the
    feed's address parses without error but has no version), or a broken feed with no entries.
    A truncated feed keeps the entries before the break.
    """
    if not content.strip():
        raise ParseError(f"{feed_url}: empty response, not a feed")
    parsed = feedparser.parse(
        io.BytesIO(content),  # bytes are never taken for a file name or a URL to fetch this way
        response_headers={"content-type": content_type or "application/xml"},
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    problem = parsed.get("bozo_exception")
    if not parsed.get("version") and not parsed.entries:
        looks_like = " (it is an HTML page)" if b"<html" in content[:4096].lower() else ""
        raise ParseError(f"{feed_url}: not an RSS or Atom feed{looks_like}")
    if problem and not parsed.entries:
        raise ParseError(f"{feed_url}: broken feed: {_one_line(problem)}")
    zone = timezone_for_host(host_of(feed_url))
    links: list[Link] = []
    notes: list[str] = []
    seen_urls: set[str] = set()
    seen_guids: set[str] = set()
    for position, entry in enumerate(parsed.entries, start=1):
        url = resolve_link(feed_url, entry.get("link") or _permalink_guid(entry))
        if url is None:
            notes.append(f"{feed_url}: entry {position} has no http(s) link, left out")
            continue
        canonical = canonical_url(url)
        if canonical in seen_urls:
            continue
        seen_urls.add(canonical)
        guid = entry.get("id") or None
        if guid in seen_guids:
            # Feeds that repeat one GUID for different articles would otherwise lose all but the first.
            guid = f"{guid} {canonical}"
        if guid:
            seen_guids.add(guid)
        raw_date = entry.get("published") or entry.get("updated") or None
        title = (entry.get("title") or "").strip() or None
        links.append(dated_link(url, raw_date, zone, now, notes, title=title, guid=guid, listing="feed"))
    if problem:
        notes.append(f"{feed_url}: feed is malformed ({_one_line(problem)}); kept the {len(links)} entries before")
    return Listing(links=tuple(links), notes=tuple(notes))


def _permalink_guid(entry: feedparser.FeedParserDict) -> str | None:
    guid = entry.get("id") or ""
    return guid if guid.startswith(("http://", "https://")) else None


def _one_line(problem: object) -> str:
    return " ".join(str(problem).split())[:200]
