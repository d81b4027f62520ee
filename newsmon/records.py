"""The typed records that flow between stages. Dicts appear only at the sqlite-utils call."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsmon.dedupe import Fingerprint
    from parsers.article import SiteRules


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


# No slots on the records that cross into worker processes: a plain dataclass pickles in C.
@dataclass(frozen=True)
class FetchedPage:
    """An article page as fetched (or a text file as read), on its way to extraction and analysis.

    `link.canonical_url` is the article's identity (a text file's is `text:<file name>`).
    """

    source: str
    link: Link
    content: bytes
    content_type: str | None
    final_url: str
    fetched_at: str
    rules: SiteRules | None = None
    text_file: bool = False  # a text file in the seed's format, not a web page


@dataclass(frozen=True)
class Processed:
    """What became of one article link: an analysed article ready to store, or the failure that stopped it.

    An article whose `topics` are empty is off topic: only its URL is remembered. `internal_error` holds the
    traceback of a bug that stopped this one page (its `failure` says so in one line).
    """

    source: str
    article: Article | None = None
    fingerprint: Fingerprint | None = None
    search_words: str = ""
    failure: FetchFailure | None = None
    note: str | None = None
    internal_error: str | None = None


@dataclass(frozen=True, slots=True)
class SourceReport:
    """What a source's listing said and how its links were dealt out, sent to the writer once all its links are.

    `links` counts the `Processed` items the source sent; the writer saves the source's state (validators,
    status) only once it has committed that many, so a listing is never marked read before its articles.
    """

    source: str
    links: int = 0
    taken: int = 0  # links another source of the run, earlier in config order, also listed and handles
    skipped: int = 0  # robots.txt disallows them: never requested
    not_modified: bool = False
    validators: Validators | None = None
    source_failure: FetchFailure | None = None
    failures: tuple[FetchFailure, ...] = ()  # of what is no article link (a child sitemap)
    notes: tuple[str, ...] = ()
    retry_after: str | None = None  # the listing's server asked not to be asked again before this time


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the `sources` table remembers of a listing between runs."""

    validators: Validators | None = None
    retry_after: str | None = None


@dataclass(slots=True)
class SourceOutcome:
    """Counts for one source in one run, shown in the summary table and summed into `runs`.

    `fetched` counts the article links the source dealt with: new + duplicates + off_topic + link errors
    + taken. A duplicate is stored, folded into the story it repeats.
    """

    source: str
    kind: str
    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    off_topic: int = 0
    taken: int = 0
    not_modified: bool = False
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    source_error: str | None = None
    notes: list[str] = field(default_factory=list)
    internal_errors: int = 0  # pages a bug stopped (each also an error, its traceback in the run's log)

    @property
    def ok(self) -> bool:
        return self.source_error is None

    @property
    def error_count(self) -> int:
        return len(self.errors) + (self.source_error is not None)

    def as_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok, "error_count": self.error_count}
