"""The typed records that flow between stages. Dicts appear only at the sqlite-utils call."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, slots=True)
class Article:
    """One article, from extraction to storage; later stages fill in the later fields with `replace`."""

    url: str
    title: str
    body: str
    source: str = ""
    published_at: str | None = None
    fetched_at: str | None = None
    author: str | None = None
    publisher: str | None = None
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    story_id: int | None = None

    def extracted_fields(self) -> dict[str, str | None]:
        """The fields `newsmon extract` prints (the contract in design.md)."""
        return {
            "title": self.title,
            "published_at": self.published_at,
            "author": self.author,
            "publisher": self.publisher,
            "body": self.body,
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class Link:
    """An article URL discovered in a feed, list page or sitemap, with what the listing said of it."""

    url: str
    canonical_url: str
    guid: str | None = None
    title: str | None = None
    published_at: str | None = None
    published_raw: str | None = None
    published_clamped: bool = False  # the listing's date lay far in the future and was set to the fetch time


@dataclass(frozen=True, slots=True)
class Listing:
    """What a feed, list page or sitemap lists: article links, sitemaps to read next, and remarks for the log."""

    links: tuple[Link, ...] = ()
    sitemaps: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Validators:
    """What tells a listing (feed, list page, sitemap) unchanged since the last run."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass(frozen=True, slots=True)
class FetchFailure:
    """A URL that failed in this run, with a one-line reason; it becomes a `fetch_errors` row."""

    url: str
    error: str
    permanent: bool = False
    # The article URL's identity in the `urls` ledger (retried with backoff, or 'gone' when permanent);
    # None for what is no article (a listing, a child sitemap): only the `fetch_errors` row is written.
    canonical_url: str | None = None


@dataclass(frozen=True, slots=True)
class Harvest:
    """What one source yielded in one run, before relevance, dedupe, tagging and storage."""

    source: str
    articles: tuple[Article, ...] = ()
    failures: tuple[FetchFailure, ...] = ()
    source_failure: FetchFailure | None = None  # the listing itself (feed, list page, folder) failed
    not_modified: bool = False
    validators: Validators | None = None
    pages_fetched: int = 0
    skipped: int = 0
    notes: tuple[str, ...] = ()  # remarks for the log and the summary (charset guessed, date clamped, ...)
    retry_after: str | None = None  # the listing's server asked not to be asked again before this time


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the `sources` table remembers of a listing between runs."""

    validators: Validators | None = None
    retry_after: str | None = None


@dataclass(slots=True)
class SourceOutcome:
    """Counts for one source in one run, shown in the summary table and summed into `runs`."""

    source: str
    kind: str
    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    off_topic: int = 0
    not_modified: bool = False
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    source_error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.source_error is None

    @property
    def error_count(self) -> int:
        return len(self.errors) + (self.source_error is not None)

    def as_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok, "error_count": self.error_count}
