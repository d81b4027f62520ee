"""One source -> a `Harvest`: discover its new article URLs, fetch them and extract the articles.

This is the I/O half of a run; it runs in worker threads, one source per task, and never writes to
the database (the flow stores each harvest in the main thread, one transaction per source).

A listing (feed, list page, sitemap) is fetched conditionally; when it is unchanged (304, or the same
body hash) nothing is parsed. Only article URLs the `urls` ledger does not know are fetched, plus
failed ones whose backoff has passed, a few at a time per source (the fetcher paces each host).
The listing's new validators travel in the harvest and are saved with its articles; they are left
out whenever some listed link was not dealt with in this run (a host asked to wait, or the per-run
cap was reached), so that the next run reads the listing again instead of seeing it "unchanged".

Identity: an article's `url` is the canonical form of the URL the listing gave (before redirects),
which is also its key in the ledger; redirects are followed but never change identity, so the URL a
listing shows is recognised on every later run. `fetch_errors.url` is that URL as discovered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from newsmon import store
from newsmon.clock import isoformat, parse_iso
from newsmon.config import RESERVED_SOURCE_NAME, Config, Source
from newsmon.errors import FetchError, NewsmonError
from newsmon.fetch import Fetcher, HTTPStatusError, Page, RetryLater
from newsmon.records import Article, FetchFailure, Harvest, Link, Listing, SourceState
from newsmon.robots import RobotsRefused
from parsers.article import SiteRules, extract_article
from parsers.charset import decode_bytes
from parsers.feeds import parse_feed
from parsers.listpage import parse_list_page
from parsers.sitemap import parse_sitemap
from parsers.text import parse_text_article, text_article_url
from parsers.urls import canonical_url, origin_of

SEED_SOURCE = RESERVED_SOURCE_NAME
# Article pages fetched at once per source; the per-host pacer still spaces their start times.
ARTICLE_WORKERS = 4
# New article URLs fetched per source per run; a first run on a large sitemap catches up over runs.
MAX_NEW_LINKS_PER_RUN = 100
# Child sitemaps of a sitemap index read per run (newest first).
MAX_CHILD_SITEMAPS = 10
# Content types an article page may have (a missing type is given the benefit of the doubt).
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


@dataclass(frozen=True)
class RunContext:
    """What every source of one run shares: config, database path, clock, the HTTP fetcher, stored listing state."""

    config: Config
    database: Path
    now: datetime
    fetcher: Fetcher | None = None
    sources: Mapping[str, SourceState] = field(default_factory=dict)

    def urls_to_skip(self, urls: Iterable[str]) -> set[str]:
        # Worker threads cannot share the flow's connection; a short-lived one per question is cheap.
        with closing(Database(self.database)) as db:
            return store.urls_to_skip(db, urls, self.now)

    def due_retries(self, source: str) -> list[str]:
        with closing(Database(self.database)) as db:
            return store.due_retries(db, source, self.now)


def run_sources(config: Config, names: list[str] | None = None) -> list[Source]:
    """The sources of a run: the named ones, or every enabled source and the seed files."""
    sources = config.selected_sources(names)
    if config.seed and not names:
        sources.append(Source(name=SEED_SOURCE, kind="text", url=", ".join(map(str, config.seed))))
    return sources


def collect_source(source: Source, context: RunContext) -> Harvest:
    """Dispatch on the source's kind; a failure of the source itself becomes `Harvest.source_failure`."""
    try:
        if source.name == SEED_SOURCE:
            return collect_text_files(source.name, context.config.seed_paths, context)
        if source.kind == "text":
            return collect_text_files(source.name, text_source_paths(source, context.config), context)
        return collect_web_source(source, context)
    except NewsmonError as exc:
        failure = FetchFailure(url=source.url, error=_one_line(source.url, exc))
        return Harvest(source=source.name, source_failure=failure)


def collect_web_source(source: Source, context: RunContext) -> Harvest:
    """A feed, list page or sitemap source: its listing (conditionally), then its new article pages."""
    if context.fetcher is None:
        raise NewsmonError("no fetcher in the run context")
    state = context.sources.get(source.name, SourceState())
    if state.retry_after and parse_iso(state.retry_after) > context.now:
        note = f"{source.url}: not fetched, the server asked to wait until {state.retry_after}"
        return Harvest(source=source.name, notes=(note,))
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
        return Harvest(source=source.name, skipped=1, notes=(str(exc),))
    except RetryLater as exc:
        if not exc.requested:
            return Harvest(source=source.name, notes=(str(exc),))
        source_failure = FetchFailure(url=source.url, error=str(exc))
        retry_after = isoformat(exc.until)
    except NewsmonError as exc:
        source_failure = FetchFailure(url=source.url, error=_one_line(source.url, exc))
    to_fetch, left_over = select_links(source.name, links, context)
    if left_over:
        notes.append(f"{source.url}: {left_over} new links over the {MAX_NEW_LINKS_PER_RUN} per run, left for later")
        validators = None
    results = fetch_articles(source, to_fetch, context)
    deferred = sum(result.deferred for result in results)
    if deferred:
        notes.append(f"{source.url}: {deferred} links left for a later run, their host asked to wait")
        validators = None
    return Harvest(
        source=source.name,
        articles=tuple(result.article for result in results if result.article),
        failures=tuple(failures + [result.failure for result in results if result.failure]),
        source_failure=source_failure,
        not_modified=not_modified,
        validators=validators,
        pages_fetched=sum(result.fetched for result in results),
        skipped=sum(result.skipped for result in results),
        notes=tuple(notes + [result.note for result in results if result.note]),
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
            listing = replace(listing, notes=(*listing.notes, _guessed_note(page.url, decoded.encoding)))
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
            failures.append(FetchFailure(url=child_url, error=_one_line(child_url, exc)))
            continue
        links.extend(child.links)
        notes.extend(child.notes)
    return Listing(links=tuple(links), notes=tuple(notes)), failures


def select_links(source: str, links: Iterable[Link], context: RunContext) -> tuple[list[Link], int]:
    """The links to fetch now: new ones (capped per run) and failed ones due for a retry; and how many were left."""
    links = list(links)
    skip = context.urls_to_skip(link.canonical_url for link in links)
    new = [link for link in links if link.canonical_url not in skip]
    left_over = max(0, len(new) - MAX_NEW_LINKS_PER_RUN)
    chosen = {link.canonical_url: link for link in new[:MAX_NEW_LINKS_PER_RUN]}
    for url in context.due_retries(source):
        canonical = canonical_url(url)
        chosen.setdefault(canonical, Link(url=url, canonical_url=canonical))
    return list(chosen.values()), left_over


@dataclass(frozen=True, slots=True)
class LinkResult:
    """What became of one article link in this run."""

    article: Article | None = None
    failure: FetchFailure | None = None
    note: str | None = None
    fetched: bool = False  # the page was downloaded
    skipped: bool = False  # robots.txt disallows it: never requested
    deferred: bool = False  # its host asked to wait: not requested, left for a later run


def fetch_articles(source: Source, links: list[Link], context: RunContext) -> list[LinkResult]:
    """Fetch and extract each link's page, a few at a time; every failure is kept with its reason."""
    if not links:
        return []
    rules = SiteRules(**source.article.model_dump()) if source.article else None
    with ThreadPoolExecutor(max_workers=ARTICLE_WORKERS, thread_name_prefix=f"articles-{source.name}") as pool:
        return list(pool.map(lambda link: fetch_article(source, link, rules, context), links))


def fetch_article(source: Source, link: Link, rules: SiteRules | None, context: RunContext) -> LinkResult:
    """One article page: fetched, decoded, extracted, with the listing's title and date as fallbacks."""
    try:
        page = context.fetcher.fetch(link.url)
    except RobotsRefused:
        return LinkResult(skipped=True)
    except RetryLater as exc:
        if not exc.requested:
            return LinkResult(deferred=True)
        return LinkResult(failure=FetchFailure(url=link.url, error=str(exc), canonical_url=link.canonical_url))
    except FetchError as exc:
        permanent = isinstance(exc, HTTPStatusError) and exc.permanent
        failure = FetchFailure(url=link.url, error=str(exc), permanent=permanent, canonical_url=link.canonical_url)
        return LinkResult(failure=failure)
    try:
        article, note = article_from_page(source.name, link, page, rules)
    except NewsmonError as exc:
        failure = FetchFailure(url=link.url, error=_one_line(link.url, exc), canonical_url=link.canonical_url)
        return LinkResult(failure=failure, fetched=True)
    return LinkResult(article=article, note=note, fetched=True)


def article_from_page(source: str, link: Link, page: Page, rules: SiteRules | None) -> tuple[Article, str | None]:
    """The article on a fetched page, stored under the link's canonical URL; and a note if its charset was guessed."""
    media_type = (page.content_type or "").split(";", 1)[0].strip().lower()
    if media_type and media_type not in PAGE_TYPES:
        raise NewsmonError(f"not an article page (Content-Type {media_type})")
    decoded = decode_bytes(page.content, page.content_type)
    article = extract_article(decoded.text, page.final_url, rules)
    article = replace(
        article,
        url=link.canonical_url,
        source=source,
        title=article.title or link.title or "",
        published_at=article.published_at or link.published_at,
    )
    return article, _guessed_note(link.url, decoded.encoding) if decoded.guessed else None


def _guessed_note(url: str, encoding: str) -> str:
    return f"{url}: charset not declared or not matching the bytes; guessed {encoding}"


def _one_line(url: str, exc: Exception) -> str:
    """`url: reason` on one line (a FetchError already starts with its URL)."""
    message = " ".join(str(exc).split())
    return message if message.startswith(url) else f"{url}: {message}"


def text_source_paths(source: Source, config: Config) -> list[Path]:
    """A text source's `url` is a file path or glob, relative to the config's folder."""
    pattern = config.path(source.url)
    matches = sorted(pattern.parent.glob(pattern.name))
    if not matches:
        raise NewsmonError(f"no file matches {source.url!r}")
    return matches


def collect_text_files(source: str, paths: Iterable[Path], context: RunContext) -> Harvest:
    """Articles from text files not stored yet; an unreadable file is a failure of that file only."""
    paths = list(paths)
    skip = context.urls_to_skip(text_article_url(path.name) for path in paths)
    articles: list[Article] = []
    failures: list[FetchFailure] = []
    for path in paths:
        url = text_article_url(path.name)
        if url in skip:
            continue
        try:
            articles.append(parse_text_article(decode_bytes(path.read_bytes()).text, path.name, source))
        except OSError as exc:
            failures.append(FetchFailure(url=url, error=f"{path}: cannot read: {exc.strerror}", canonical_url=url))
        except NewsmonError as exc:
            failures.append(FetchFailure(url=url, error=f"{path}: {exc}", canonical_url=url))
    return Harvest(source=source, articles=tuple(articles), failures=tuple(failures), pages_fetched=len(articles))
