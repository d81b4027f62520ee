"""A source's harvest -> stored articles, in the order of design.md: relevant? -> dedupe -> tag -> store.

The stages are plain functions, so that each can be tested and timed on its own (bench/dedupe.py):

- `check_relevance`: the topics of title and body; jieba cuts only the text blocks holding a topic word.
- dedupe, in two halves: `fingerprint_body` (pure: exact hash and MinHash of the body) and, at storage,
  `stories.find_story` (the stored story the body repeats, through the LSH band table).
- `tag_text`: tags, TF-IDF keywords and the FTS search words; the one stage that segments the whole
  text with jieba (~55-110 articles/s), so it runs only for articles that are kept.
- `store_analysed`: the story (opened or joined), the article row, its search row, its fingerprint in
  the story index, and the URL ledger.

The pure stages (`analyse_article`) need no database, so a `ParallelAnalyser` can run them in worker
processes on the other cores while this process, the one SQLite writer, stores what they return.
One harvest is written in one transaction, together with its URL ledger rows and the listing's new
validators, so an interrupted run never leaves a source half-stored or a feed marked as read while
its articles are missing.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Protocol

from sqlite_utils import Database

from newsmon import dedupe, store, stories
from newsmon.clock import isoformat, parse_iso
from newsmon.dedupe import Fingerprint
from newsmon.records import Article, Harvest, SourceOutcome
from newsmon.tagging import Tagger, TextAnalysis, Vocabulary

# Queued search words are indexed once this many wait (and at the end of each run).
SEARCH_BATCH = 5_000


class Fate(Enum):
    """What became of one harvested article."""

    OFF_TOPIC = "off_topic"  # not stored; its URL is remembered so it is not fetched again
    NEW_STORY = "new_story"
    JOINED_STORY = "joined_story"  # a repost: stored, in the story of the article it repeats


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What storing one article did."""

    fate: Fate
    article_id: int | None = None
    story_id: int | None = None


@dataclass(frozen=True, slots=True)
class Relevance:
    """The relevance stage's verdict, and the analysis later stages reuse (simplified text, jieba cuts)."""

    analysis: TextAnalysis
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Analysed:
    """An article after the pure stages, ready to store.

    Off topic: `article.topics` is empty and there is no fingerprint. On topic: topics, tags and keywords
    are filled in, with the search words and the body's fingerprint.
    """

    article: Article
    fingerprint: Fingerprint | None = None
    search_words: str = ""

    @property
    def relevant(self) -> bool:
        return bool(self.article.topics)


# No slots: a slotted dataclass pickles through Python-level state functions, a plain one in C.
@dataclass(frozen=True)
class Findings:
    """What the pure stages find in one article's title and body: all a worker process sends back.

    Not the article itself: the caller holds it already, and copying its body back through the pipe cost
    the single writer process more than the findings do.
    """

    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    fingerprint: Fingerprint | None = None
    search_words: str = ""

    def applied_to(self, article: Article) -> Analysed:
        tagged = replace(article, topics=self.topics, tags=self.tags, keywords=self.keywords)
        return Analysed(tagged, self.fingerprint, self.search_words)


def store_harvest(
    db: Database,
    analyser: Analyser,
    harvest: Harvest,
    kind: str,
    run_id: int,
    now: datetime,
    index: stories.StoryIndex | None = None,
) -> SourceOutcome:
    """Keep what is on topic, fold reposts into stories, tag and store; returns the source's counts.

    The pure stages run in the `analyser` (this process, or worker processes). A run passes one `index`
    to all its harvests and calls `flush_bulk_writes` at its end (band keys and search words then go to
    SQLite in bulk); without one, this harvest's are written when it is stored.
    """
    own_index = index is None
    index = index or stories.StoryIndex(db)
    index.flush_if_due()
    store.index_search_queue(db, at_least=SEARCH_BATCH)
    outcome = SourceOutcome(
        source=harvest.source,
        kind=kind,
        fetched=harvest.pages_fetched,
        not_modified=harvest.not_modified,
        skipped=harvest.skipped,
        source_error=harvest.source_failure.error if harvest.source_failure else None,
        errors=[failure.error for failure in harvest.failures],
        notes=list(harvest.notes),
    )
    fetched_at = isoformat(now)
    try:
        with db.atomic():
            if harvest.source_failure:
                store.record_failure(db, run_id, harvest.source, harvest.source_failure, now)
            for failure in harvest.failures:
                store.record_failure(db, run_id, harvest.source, failure, now, canonical_url=failure.canonical_url)
            unique = list({article.url: article for article in harvest.articles}.values())
            known = store.stored_urls(db, [article.url for article in unique])
            outcome.skipped += len(harvest.articles) - len(unique) + len(known)
            new = [replace(a, fetched_at=fetched_at) for a in unique if a.url not in known]
            for item in analyser.analyse(new):
                _count(outcome, store_analysed(db, item, now, index).fate)
            store.update_source(db, outcome, harvest.validators, now, harvest.retry_after)
    except BaseException:
        index.rolled_back()
        raise
    index.committed()
    if own_index:
        flush_bulk_writes(db, index)
    return outcome


def flush_bulk_writes(db: Database, index: stories.StoryIndex) -> None:
    """Write what is held back for bulk writing (band keys, search words): at the end of every run."""
    index.flush()
    store.index_search_queue(db)


def _count(outcome: SourceOutcome, fate: Fate) -> None:
    if fate is Fate.OFF_TOPIC:
        outcome.off_topic += 1
    elif fate is Fate.JOINED_STORY:
        outcome.duplicates += 1
    else:
        outcome.new += 1


def analyse_article(tagger: Tagger, article: Article, *, tag: bool = True) -> Analysed:
    """The pure stages for one fetched article: relevance, then (if kept) fingerprint and tags.

    `tag=False` leaves tags, keywords and search words empty: for timing the other stages on their own.
    """
    return find_in_text(tagger, article.title, article.body, tag=tag).applied_to(article)


def find_in_text(tagger: Tagger, title: str, body: str, *, tag: bool = True) -> Findings:
    """`analyse_article`'s findings, from the two fields the pure stages read."""
    relevance = check_relevance(tagger, title, body)
    if not relevance.topics:
        return Findings()
    fingerprint = fingerprint_body(relevance)
    if not tag:
        return Findings(relevance.topics, fingerprint=fingerprint)
    return replace(tag_text(tagger, relevance), fingerprint=fingerprint)


def check_relevance(tagger: Tagger, title: str, body: str) -> Relevance:
    """The configured topics the title or body mention (as jieba tokens of the simplified text)."""
    analysis = tagger.analyse(title, body)
    return Relevance(analysis, analysis.labels(tagger.topics))


def fingerprint_body(relevance: Relevance) -> Fingerprint:
    """The body's exact hash and MinHash, from the simplified body the relevance stage already made."""
    return dedupe.fingerprint(relevance.analysis.simplified_body, simplified=True)


def tag_text(tagger: Tagger, relevance: Relevance) -> Findings:
    """Topics, tags, keywords and the FTS search words of a kept article: one full jieba segmentation."""
    analysis = relevance.analysis
    tags, keywords = analysis.labels(tagger.tags), tagger.keywords(analysis)
    return Findings(relevance.topics, tags, keywords, search_words=tagger.search_text(analysis))


def store_analysed(db: Database, analysed: Analysed, now: datetime, index: stories.StoryIndex) -> StoredArticle:
    """Remember an off-topic URL; else find the story the body repeats, join or open it, and store the article."""
    article = analysed.article
    if not analysed.relevant:
        store.mark_url(db, article.url, article.source, "off_topic", now)
        return StoredArticle(Fate.OFF_TOPIC)
    match = stories.find_story(db, analysed.fingerprint, index)
    article = replace(article, published_at=_not_after(article.published_at, article.fetched_at))
    story_id = stories.add_to_story(db, article, match)
    article_id = store.insert_article(
        db, replace(article, story_id=story_id), analysed.search_words, content_hash=analysed.fingerprint.content_hash
    )
    stories.index_article(
        db, index, article_id, story_id, analysed.fingerprint, exact=match is not None and match.exact
    )
    store.mark_url(db, article.url, article.source, "stored", now)
    return StoredArticle(Fate.NEW_STORY if match is None else Fate.JOINED_STORY, article_id, story_id)


def _not_after(published_at: str | None, fetched_at: str | None) -> str | None:
    """A publish time later than the fetch time is stored as the fetch time."""
    if published_at and fetched_at and parse_iso(published_at) > parse_iso(fetched_at):
        return fetched_at
    return published_at


class Analyser(Protocol):
    """Runs the pure stages (`analyse_article`) over articles, yielding the results in order."""

    def analyse(self, articles: Sequence[Article], *, tag: bool = True) -> Iterator[Analysed]: ...


class InProcessAnalyser:
    """The pure stages in this process: for tests, and where starting worker processes would cost more."""

    def __init__(self, tagger: Tagger):
        self.tagger = tagger

    def analyse(self, articles: Sequence[Article], *, tag: bool = True) -> Iterator[Analysed]:
        return (analyse_article(self.tagger, article, tag=tag) for article in articles)


class ParallelAnalyser:
    """Runs the pure stages in worker processes, each with its own Tagger (jieba loads once per worker).

    Workers get each article's title and body and send back its `Findings`, not whole articles.

    jieba and OpenCC hold the GIL, so threads would not help; processes use the other cores while the
    caller stores results in order as they come back. Build one per run (workers start in ~1-2 s) and
    close it, or use it as a context manager.
    """

    def __init__(self, topics: Vocabulary, tags: Vocabulary, workers: int | None = None, chunk: int = 8):
        workers = workers or os.cpu_count() or 1
        # spawn, not fork: the caller may run threads (Prefect does), which a forked child cannot inherit safely.
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(topics, tags),
        )
        self._chunk = chunk
        # A spawn pool starts a worker only when no started one is idle; tasks submitted together while the
        # first worker still loads jieba start them all now rather than in the middle of the first harvest.
        for started in [self._pool.submit(_ready) for _ in range(workers)]:
            started.result()

    @classmethod
    def from_config(cls, topics: Mapping[str, Iterable[str]], tags: Mapping[str, Iterable[str]]) -> ParallelAnalyser:
        return cls(Vocabulary.from_config(topics), Vocabulary.from_config(tags))

    def analyse(self, articles: Sequence[Article], *, tag: bool = True) -> Iterator[Analysed]:
        """Submit every article now; yield the results in order, each as soon as its chunk is done."""
        chunks = [articles[start : start + self._chunk] for start in range(0, len(articles), self._chunk)]
        futures = [
            self._pool.submit(_find_in_worker, [(article.title, article.body) for article in chunk], tag)
            for chunk in chunks
        ]
        return (
            findings.applied_to(article)
            for chunk, future in zip(chunks, futures, strict=True)
            for article, findings in zip(chunk, future.result(), strict=True)
        )

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def __enter__(self) -> ParallelAnalyser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# Each worker process's own Tagger, set once by the pool's initializer.
_worker_tagger: Tagger | None = None


def _start_worker(topics: Vocabulary, tags: Vocabulary) -> None:
    global _worker_tagger
    _worker_tagger = Tagger(topics, tags)


def _ready() -> None:
    """A task that only says the worker has started (its initializer has run)."""


def _find_in_worker(texts: Iterable[tuple[str, str]], tag: bool) -> list[Findings]:
    return [find_in_text(_worker_tagger, title, body, tag=tag) for title, body in texts]
