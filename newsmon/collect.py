"""One source's listing -> its article links, each fetched and handed to the run's stream as it arrives.

This is the I/O half of a run; it runs in worker threads, one source per task, and never writes to the
database: pages go to the analysis workers and the one writer through `newsmon.stream.IngestStream`.

A listing (feed, list page, sitemap) is fetched conditionally; when it is unchanged (304, or the same
body hash) nothing is parsed. Only article URLs the `urls` ledger does not know are fetched, plus failed
ones whose backoff has passed, up to `fetch.max_new_per_source` per source and run (the fetcher paces each
host). The listing's new validators are saved only once every link it sent is committed, and are left out
whenever some listed link was not dealt with in this run (a host asked to wait, or the cap was reached),
so that the next run reads the listing again instead of seeing it "unchanged".

Identity: an article's `url` is the canonical form of the URL the listing gave (before redirects), which
is also its key in the ledger; redirects are followed but never change identity. When two sources of a
run list the same URL, the one earlier in config order takes it, on every run alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from newsmon import store
from newsmon.clock import isoformat, parse_iso
from newsmon.config import RESERVED_SOURCE_NAME, Config, Source
from newsmon.errors import FetchError, NewsmonError
from newsmon.fetch import Fetcher, HTTPStatusError, Page, RetryLater
from newsmon.pipeline import guessed_charset_note, one_line
from newsmon.records import FetchedPage, FetchFailure, Link, Listing, SourceReport, SourceState
from newsmon.robots import RobotsRefused
from parsers.article import SiteRules
from parsers.charset import decode_bytes
from parsers.feeds import parse_feed
from parsers.listpage import parse_list_page
from parsers.sitemap import parse_sitemap
from parsers.text import text_article_url
from parsers.urls import canonical_url, origin_of

if TYPE_CHECKING:
    from newsmon.stream import IngestStream

SEED_SOURCE = RESERVED_SOURCE_NAME
# Article pages fetched at once per source; the per-host pacer still spaces their start times.
ARTICLE_WORKERS = 4
# Child sitemaps of a sitemap index read per run (newest first).
MAX_CHILD_SITEMAPS = 10


@dataclass(frozen=True)
class RunContext:
    """What every source of one run shares: config, database path, clock, the HTTP fetcher, stored listing state."""

    config: Config
    database: Path
    now: datetime
    fetcher: Fetcher | None = None
    sources: Mapping[str, SourceState] = field(default_factory=dict)

    def urls_to_skip(self, urls: Iterable[str]) -> set[str]:
        # Worker threads cannot share the writer's connection; a short-lived one per question is cheap.
        with closing(Database(self.database)) as db:
            return store.urls_to_skip(db, urls, self.now)

    def due_retries(self, source: str) -> list[str]:
        with closing(Database(self.database)) as db:
            return store.due_retries(db, source, self.now)


def run_sources(config: Config, names: list[str] | None = None) -> list[Source]:
    """The sources of a run, in config order: the named ones, or every enabled source, then the seed files."""
    sources = config.selected_sources(names)
    if config.seed and (not names or SEED_SOURCE in names):
        sources.append(Source(name=SEED_SOURCE, kind="text", url=", ".join(map(str, config.seed))))
    return sources


def collect_source(source: Source, context: RunContext, stream: IngestStream) -> SourceReport:
    """Dispatch on the source's kind; a failure of the source itself becomes `SourceReport.source_failure`.

    Whatever happens, the source's claim on its links is settled, so later sources never wait on it.
    """
    try:
        if source.name == SEED_SOURCE:
            return collect_text_files(source.name, context.config.seed_paths, context, stream)
        if source.kind == "text":
            return collect_text_files(source.name, text_source_paths(source, context.config), context, stream)
        return collect_web_source(source, context, stream)
    except NewsmonError as exc:
        return SourceReport(source.name, source_failure=FetchFailure(source.url, one_line(source.url, exc)))
    finally:
        stream.claims.settle(source.name)


def collect_web_source(source: Source, context: RunContext, stream: IngestStream) -> SourceReport:
    """A feed, list page or sitemap source: its listing (conditionally), then its new article pages."""
    state = context.sources.get(source.name, SourceState())
    if state.retry_after and parse_iso(state.retry_after) > context.now:
        note = f"{source.url}: not fetched, the server asked to wait until {state.retry_after}"
        return SourceReport(source.name, notes=(note,))
    notes: list[str] = []
    failures: list[FetchFailure] = []
    source_failure = None
    retry_after = None
    validators = None
    not_modified = False
    links: tuple[Link, ...] = ()
    try:
        page = context.fetcher.fetch(source.url, validators=state.validators, trusted=True)
        stored_hash = state.validators.body_hash if state.validators else None
        not_modified = page.not_modified or (stored_hash is not None and stored_hash == page.validators.body_hash)
        if not not_modified:
            listing, child_failures = read_listing(source, page, context)
            links, validators = listing.links, page.validators
            notes.extend(listing.notes)
            failures.extend(child_failures)
    except RobotsRefused as exc:
        return SourceReport(source.name, skipped=1, notes=(str(exc),))
    except RetryLater as exc:
        if not exc.requested:
            return SourceReport(source.name, notes=(str(exc),))
        source_failure = FetchFailure(url=source.url, error=str(exc))
        retry_after = isoformat(exc.until)
    except NewsmonError as exc:
        source_failure = FetchFailure(url=source.url, error=one_line(source.url, exc))
    to_fetch, left_over = select_links(source.name, links, context)
    taken = stream.claims.claim(source.name, [link.canonical_url for link in to_fetch])
    to_fetch = [link for link in to_fetch if link.canonical_url not in taken]
    cap = context.config.fetch.max_new_per_source
    if left_over:
        notes.append(f"{source.url}: {left_over} new links over the {cap} per run, left for later")
        validators = None
    skipped, deferred = fetch_articles(source, to_fetch, context, stream)
    if deferred:
        notes.append(f"{source.url}: {deferred} links left for a later run, their host asked to wait")
        validators = None
    return SourceReport(
        source=source.name,
        taken=len(taken),
        skipped=skipped,
        not_modified=not_modified,
        validators=validators,
        source_failure=source_failure,
        failures=tuple(failures),
        notes=tuple(notes),
        retry_after=retry_after,
    )


def read_listing(source: Source, page: Page, context: RunContext) -> tuple[Listing, list[FetchFailure]]:
    """Parse a fetched listing by the source's kind; a sitemap index's children are fetched here."""
    if source.kind == "rss":
        return parse_feed(page.content, page.final_url, context.now, page.content_type), []
    if source.kind == "html":
        decoded = decode_bytes(page.content, page.content_type)
        listing = parse_list_page(decoded.text, page.final_url, source.links or "a")
        if decoded.guessed:
            listing = replace(listing, notes=(*listing.notes, guessed_charset_note(page.url, decoded.encoding)))
        return listing, []
    if source.kind == "sitemap":
        return read_sitemap(page, context)
    raise NewsmonError(f"source kind {source.kind!r} has no listing")


def read_sitemap(page: Page, context: RunContext) -> tuple[Listing, list[FetchFailure]]:
    """A sitemap's links; for a sitemap index, the links of its newest children (one level deep)."""
    max_bytes = context.config.fetch.max_bytes
    listing = parse_sitemap(page.content, page.final_url, context.now, max_bytes)
    if not listing.sitemaps:
        return listing, []
    links: list[Link] = []
    notes: list[str] = []
    failures: list[FetchFailure] = []
    for child_url in listing.sitemaps[:MAX_CHILD_SITEMAPS]:
        try:
            child_page = context.fetcher.fetch(child_url, trusted=origin_of(child_url) == origin_of(page.final_url))
            child = parse_sitemap(child_page.content, child_page.final_url, context.now, max_bytes)
        except NewsmonError as exc:
            failures.append(FetchFailure(url=child_url, error=one_line(child_url, exc)))
            continue
        links.extend(child.links)
        notes.extend(child.notes)
    return Listing(links=tuple(links), notes=tuple(notes)), failures


def select_links(source: str, links: Iterable[Link], context: RunContext) -> tuple[list[Link], int]:
    """The links to fetch now: new ones (capped per run) and failed ones due for a retry; and how many were left."""
    links = list(links)
    cap = context.config.fetch.max_new_per_source
    skip = context.urls_to_skip(link.canonical_url for link in links)
    new = list({link.canonical_url: link for link in links if link.canonical_url not in skip}.values())
    chosen = {link.canonical_url: link for link in new[:cap]}
    for url in context.due_retries(source):
        canonical = canonical_url(url)
        chosen.setdefault(canonical, Link(url=url, canonical_url=canonical))
    return list(chosen.values()), max(0, len(new) - cap)


def fetch_articles(source: Source, links: list[Link], context: RunContext, stream: IngestStream) -> tuple[int, int]:
    """Fetch each link's page, a few at a time, and hand it (or its failure) to the stream as it arrives.

    Returns how many links robots.txt disallows and how many wait because their host asked to.
    """
    if not links:
        return 0, 0
    rules = SiteRules(**source.article.model_dump()) if source.article else None
    with ThreadPoolExecutor(max_workers=ARTICLE_WORKERS, thread_name_prefix=f"articles-{source.name}") as pool:
        verdicts = list(pool.map(lambda link: fetch_article(source.name, link, rules, context, stream), links))
    return verdicts.count("skipped"), verdicts.count("deferred")


def fetch_article(source: str, link: Link, rules: SiteRules | None, context: RunContext, stream: IngestStream) -> str:
    """One article page, handed to the stream: 'sent', or 'skipped' (robots.txt) or 'deferred' (its host
    asked to wait), which send nothing."""
    try:
        page = context.fetcher.fetch(link.url)
    except RobotsRefused:
        return "skipped"
    except RetryLater as exc:
        if not exc.requested:
            return "deferred"
        stream.link_failed(source, FetchFailure(url=link.url, error=str(exc), canonical_url=link.canonical_url))
        return "sent"
    except FetchError as exc:
        permanent = isinstance(exc, HTTPStatusError) and exc.permanent
        failure = FetchFailure(url=link.url, error=str(exc), permanent=permanent, canonical_url=link.canonical_url)
        stream.link_failed(source, failure)
        return "sent"
    stream.page_fetched(
        FetchedPage(source, link, page.content, page.content_type, page.final_url, stream.fetched_at(), rules)
    )
    return "sent"


def text_source_paths(source: Source, config: Config) -> list[Path]:
    """A text source's `url` is a file path or glob, relative to the config's folder."""
    pattern = config.path(source.url)
    matches = sorted(pattern.parent.glob(pattern.name))
    if not matches:
        raise NewsmonError(f"no file matches {source.url!r}")
    return matches


def collect_text_files(source: str, paths: Iterable[Path], context: RunContext, stream: IngestStream) -> SourceReport:
    """Articles from text files not stored yet; an unreadable file is a failure of that file only."""
    paths = list(paths)
    urls = [text_article_url(path.name) for path in paths]
    skip = context.urls_to_skip(urls)
    taken = stream.claims.claim(source, [url for url in urls if url not in skip])
    for path, url in zip(paths, urls, strict=True):
        if url in skip or url in taken:
            continue
        link = Link(url=url, canonical_url=url)
        try:
            content = path.read_bytes()
        except OSError as exc:
            stream.link_failed(source, FetchFailure(url, f"{path}: cannot read: {exc.strerror}", canonical_url=url))
            continue
        stream.page_fetched(FetchedPage(source, link, content, "text/plain", url, stream.fetched_at(), text_file=True))
    return SourceReport(source, taken=len(taken))
