"""A source's harvest -> stored articles: relevance, dedupe, tagging and storage, as plain functions.

One harvest is written in one transaction, together with its URL ledger rows and the listing's new
validators, so an interrupted run never leaves a source half-stored or a feed marked as read while
its articles are missing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlite_utils import Database

from newsmon import store, stories
from newsmon.clock import isoformat, parse_iso
from newsmon.records import Article, Harvest, SourceOutcome
from newsmon.tagging import Tagger


def store_harvest(
    db: Database, tagger: Tagger, harvest: Harvest, kind: str, run_id: int, now: datetime
) -> SourceOutcome:
    """Keep what is on topic, fold reposts into stories, tag and store; returns the source's counts."""
    outcome = SourceOutcome(
        source=harvest.source,
        kind=kind,
        fetched=harvest.pages_fetched,
        not_modified=harvest.not_modified,
        skipped=harvest.skipped,
        source_error=harvest.source_failure.error if harvest.source_failure else None,
        errors=[failure.error for failure in harvest.failures],
    )
    with db.atomic():
        if harvest.source_failure:
            store.record_failure(db, run_id, harvest.source, harvest.source_failure, now)
        for failure in harvest.failures:
            store.record_failure(db, run_id, harvest.source, failure, now, canonical_url=failure.canonical_url)
        for article in harvest.articles:
            stored = store_article(db, tagger, replace(article, fetched_at=isoformat(now)), now)
            if stored is None:
                outcome.off_topic += 1
            elif stored.story_joined:
                outcome.duplicates += 1
            else:
                outcome.new += 1
        store.update_source(db, outcome, harvest.validators, now)
    return outcome


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What storing one article did: its row id, and whether it joined an existing story."""

    article_id: int
    story_joined: bool


def store_article(db: Database, tagger: Tagger, article: Article, now: datetime) -> StoredArticle | None:
    """Store one fetched article unless it is off topic (then only its URL is remembered, as off_topic)."""
    analysis = tagger.analyse(article.title, article.body)
    topics = analysis.labels(tagger.topics)
    if not topics:
        store.mark_url(db, article.url, article.source, "off_topic", now)
        return None
    story_id, joined = stories.place_in_story(db, article, now)
    tagged = replace(
        article,
        published_at=_not_after(article.published_at, article.fetched_at),
        topics=topics,
        tags=analysis.labels(tagger.tags),
        keywords=tagger.keywords(analysis),
        story_id=story_id,
    )
    article_id = store.insert_article(db, tagged, tagger.search_text(analysis))
    store.mark_url(db, article.url, article.source, "stored", now)
    return StoredArticle(article_id, joined)


def _not_after(published_at: str | None, fetched_at: str | None) -> str | None:
    """A publish time later than the fetch time is stored as the fetch time."""
    if published_at and fetched_at and parse_iso(published_at) > parse_iso(fetched_at):
        return fetched_at
    return published_at
