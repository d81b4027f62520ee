"""One article link, from fetched page to stored row: extract -> relevant? -> dedupe -> tag -> store.

Follow one article through a run:

1. a source's listing yields a `Link` (newsmon.collect), which is fetched into a `FetchedPage`;
2. a worker process turns the page into a `Processed` (`process_pages`): the article extracted from it
   (`extract_page`), its topics (`check_relevance`), and for an article on topic its fingerprint for
   dedupe (`fingerprint_body`) and its tags, keywords and search words (`tag_text`);
3. the run's one SQLite writer stores it (`store_processed`): an off-topic URL is remembered, otherwise the
   article opens or joins a story (`stories.find_story`) and is stored with its search words and its URL in
   the ledger.

Steps 1-2 need no database, so they run wherever there is a free core (`AnalysisPool`); step 3 happens in
the writer's batches (newsmon.stream), which commit a link's ledger row together with its article.
"""

from __future__ import annotations

import logging
import multiprocessing
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

from sqlite_utils import Database

from newsmon import store
from newsmon.clock import parse_iso
from newsmon.errors import NewsmonError
from newsmon.records import Article, FetchedPage, FetchFailure, Processed, SourceOutcome

if TYPE_CHECKING:  # these load jieba and OpenCC, which only the worker processes need
    from newsmon.dedupe import Fingerprint
    from newsmon.stories import StoryIndex
    from newsmon.tagging import Tagger, TextAnalysis

# Content types an article page may have (a missing type is given the benefit of the doubt).
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")

logger = logging.getLogger(__name__)


class Fate(Enum):
    """What storing one processed link did."""

    FAILED = "failed"  # a fetch_errors row; the URL is retried with backoff (or given up when gone)
    OFF_TOPIC = "off_topic"  # not stored; its URL is remembered so it is not fetched again
    NEW_STORY = "new_story"
    JOINED_STORY = "joined_story"  # a repost: stored, in the story of the article it repeats
    ALREADY_STORED = "already_stored"  # another run stored the URL meanwhile: nothing written


@dataclass(frozen=True, slots=True)
class Relevance:
    """The relevance stage's verdict, and the analysis later stages reuse (simplified text, jieba cuts)."""

    analysis: TextAnalysis
    topics: tuple[str, ...]


# No slots: a slotted dataclass pickles through Python-level state functions, a plain one in C.
@dataclass(frozen=True)
class Findings:
    """What the pure stages find in one article's title and body."""

    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    fingerprint: Fingerprint | None = None
    search_words: str = ""


def process_pages(tagger: Tagger, pages: Iterable[FetchedPage]) -> list[Processed]:
    """The pure stages for a batch of fetched pages; what one page raises costs that page only."""
    return [process_page(tagger, page) for page in pages]


def process_page(tagger: Tagger, page: FetchedPage) -> Processed:
    """Extract the page's article and analyse it; a failure becomes the link's `FetchFailure`."""
    link = page.link
    try:
        article, note = extract_page(page)
        findings = find_in_text(tagger, article.title, article.body)
    except NewsmonError as exc:
        failure = FetchFailure(url=link.url, error=one_line(link.url, exc), canonical_url=link.canonical_url)
        return Processed(page.source, failure=failure)
    except Exception as exc:  # a bug: this page fails loudly, its traceback goes to the run's log
        error = one_line(link.url, f"internal error: {exc!r}")
        failure = FetchFailure(url=link.url, error=error, canonical_url=link.canonical_url)
        return Processed(page.source, failure=failure, internal_error=traceback.format_exc())
    tagged = replace(article, topics=findings.topics, tags=findings.tags, keywords=findings.keywords)
    return Processed(page.source, tagged, findings.fingerprint, findings.search_words, note=note)


def extract_page(page: FetchedPage) -> tuple[Article, str | None]:
    """The article on a fetched page (or in a text file), under the link's canonical URL; and a note if
    its charset had to be guessed. The listing's title and date fill in what the page lacks."""
    from parsers.article import extract_article
    from parsers.charset import decode_bytes
    from parsers.text import parse_text_article

    link = page.link
    if page.text_file:
        article = parse_text_article(decode_bytes(page.content).text, link.url.split(":", 1)[1], page.source)
        return replace(article, fetched_at=page.fetched_at), None
    media_type = (page.content_type or "").split(";", 1)[0].strip().lower()
    if media_type and media_type not in PAGE_TYPES:
        raise NewsmonError(f"not an article page (Content-Type {media_type})")
    decoded = decode_bytes(page.content, page.content_type)
    article = extract_article(decoded.text, page.final_url, page.rules)
    article = replace(
        article,
        url=link.canonical_url,
        source=page.source,
        title=article.title or link.title or "",
        published_at=article.published_at or link.published_at,
        fetched_at=page.fetched_at,
    )
    return article, guessed_charset_note(link.url, decoded.encoding) if decoded.guessed else None


def guessed_charset_note(url: str, encoding: str) -> str:
    return f"{url}: charset not declared or not matching the bytes; guessed {encoding}"


def one_line(url: str, reason: object) -> str:
    """`url: reason` on one line (a FetchError already starts with its URL)."""
    message = " ".join(str(reason).split())
    return message if message.startswith(url) else f"{url}: {message}"


def analyse_article(tagger: Tagger, article: Article) -> Processed:
    """The pure stages for an article already extracted (`newsmon retag`, and tests of the later stages)."""
    findings = find_in_text(tagger, article.title, article.body)
    tagged = replace(article, topics=findings.topics, tags=findings.tags, keywords=findings.keywords)
    return Processed(article.source, tagged, findings.fingerprint, findings.search_words)


def find_in_text(tagger: Tagger, title: str, body: str) -> Findings:
    """Topics; then, for an article on topic, its fingerprint, tags, keywords and search words."""
    relevance = check_relevance(tagger, title, body)
    if not relevance.topics:
        return Findings()
    return replace(tag_text(tagger, relevance), fingerprint=fingerprint_body(relevance))


def check_relevance(tagger: Tagger, title: str, body: str) -> Relevance:
    """The configured topics the title or body mention (as jieba tokens of the simplified text)."""
    analysis = tagger.analyse(title, body)
    return Relevance(analysis, analysis.labels(tagger.topics))


def fingerprint_body(relevance: Relevance) -> Fingerprint:
    """The body's exact hash and MinHash, from the simplified body the relevance stage already made."""
    from newsmon import dedupe

    return dedupe.fingerprint(relevance.analysis.simplified_body, simplified=True)


def tag_text(tagger: Tagger, relevance: Relevance) -> Findings:
    """Topics, tags, keywords and the FTS search words of a kept article: one full jieba segmentation."""
    analysis = relevance.analysis
    tags, keywords = analysis.labels(tagger.tags), tagger.keywords(analysis)
    return Findings(relevance.topics, tags, keywords, search_words=tagger.search_text(analysis))


def store_batch(
    db: Database,
    items: Sequence[Processed],
    run_id: int,
    now: datetime,
    index: StoryIndex,
    finish: Callable[[], None] | None = None,
) -> list[Fate]:
    """Store processed links in one transaction, with whatever `finish` writes (the sources they complete);
    the story index learns of the batch's articles only once it is committed."""
    try:
        with db.atomic():
            fates = [store_processed(db, item, run_id, now, index) for item in items]
            if finish is not None:
                finish()
    except BaseException:
        index.rolled_back()
        raise
    index.committed()
    return fates


def store_processed(db: Database, item: Processed, run_id: int, now: datetime, index: StoryIndex) -> Fate:
    """Write what became of one link, inside the caller's transaction: its failure, its off-topic mark, or
    its article in a story (opened or joined), with its search words and its URL in the ledger."""
    from newsmon import stories

    if item.failure is not None:
        store.record_failure(db, run_id, item.source, item.failure, now, canonical_url=item.failure.canonical_url)
        return Fate.FAILED
    article = item.article
    if not article.topics:
        store.mark_url(db, article.url, article.source, "off_topic", now)
        return Fate.OFF_TOPIC
    if store.stored_urls(db, [article.url]):
        return Fate.ALREADY_STORED
    match = stories.find_story(db, item.fingerprint, index)
    article = replace(article, published_at=_not_after(article.published_at, article.fetched_at))
    story_id = stories.add_to_story(db, article, match)
    article_id = store.insert_article(
        db, replace(article, story_id=story_id), item.search_words, content_hash=item.fingerprint.content_hash
    )
    stories.index_article(db, index, article_id, story_id, item.fingerprint, exact=match is not None and match.exact)
    store.mark_url(db, article.url, article.source, "stored", now)
    return Fate.NEW_STORY if match is None else Fate.JOINED_STORY


def tally(outcome: SourceOutcome, item: Processed, fate: Fate) -> None:
    """Count one stored link in its source's outcome."""
    if item.note:
        outcome.notes.append(item.note)
    if fate is Fate.FAILED:
        outcome.errors.append(item.failure.error)
        outcome.internal_errors += item.internal_error is not None
    elif fate is Fate.OFF_TOPIC:
        outcome.off_topic += 1
    elif fate is Fate.JOINED_STORY:
        outcome.duplicates += 1
    elif fate is Fate.NEW_STORY:
        outcome.new += 1
    else:
        outcome.taken += 1


def _not_after(published_at: str | None, fetched_at: str | None) -> str | None:
    """A publish time later than the fetch time is stored as the fetch time."""
    if published_at and fetched_at and parse_iso(published_at) > parse_iso(fetched_at):
        return fetched_at
    return published_at


class AnalysisPool:
    """Worker processes running `process_pages` on batches, each worker with its own Tagger (jieba loads once).

    jieba, OpenCC and lxml hold the GIL, so threads would not help. spawn, not fork: the caller runs threads
    (Prefect, the fetchers), which a forked child cannot inherit safely. A pool broken by a killed worker is
    replaced, and the batches it lost come back as failures of their links (retried by a later run).
    """

    def __init__(self, topics: Mapping[str, Iterable[str]], tags: Mapping[str, Iterable[str]], workers: int):
        self._vocabularies = (dict(topics), dict(tags))
        self._workers = workers
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=self._vocabularies,
        )

    def submit(self, pages: Sequence[FetchedPage]) -> Future[list[Processed]]:
        try:
            return self._pool.submit(_process_in_worker, list(pages))
        except BrokenProcessPool:
            logger.warning("an analysis worker process died; starting new ones")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(_process_in_worker, list(pages))

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


# Each worker process's own Tagger, set once by the pool's initializer.
_worker_tagger: Tagger | None = None


def _start_worker(topics: Mapping[str, Iterable[str]], tags: Mapping[str, Iterable[str]]) -> None:
    global _worker_tagger
    from newsmon.tagging import Tagger

    _worker_tagger = Tagger.from_config(topics, tags)


def _process_in_worker(pages: list[FetchedPage]) -> list[Processed]:
    return process_pages(_worker_tagger, pages)
