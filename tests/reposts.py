"""Articles and databases for the dedupe, story, relevance and search tests: the seed, the fixtures,
reposts made with the edits portals make when they carry an article (转载), and a database file whose
sources are the portals these articles come from."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from newsmon import pipeline, store, stories
from newsmon.clock import CHINA, isoformat
from newsmon.records import Article, SourceOutcome
from newsmon.stream import flush_bulk_writes
from parsers.text import parse_text_article
from tests.conftest import FIXTURES, SEED_FILE

EDITS = ("boilerplate", "drop10", "reorder", "first60")
NOW = datetime(2023, 2, 24, 9, 0, tzinfo=CHINA)
SOURCES = ("seed", "大众网", "齐鲁网", "新浪新闻", "fixture")


def open_store(path: Path) -> Database:
    """A newsmon database at `path` with every source these articles come from configured."""
    db = store.open_database(path)
    store.sync_sources(db, [(name, "rss", f"https://{index}.example/") for index, name in enumerate(SOURCES)])
    return db


def store_articles(
    db: Database,
    tagger,
    articles: list[Article],
    *,
    now: datetime = NOW,
    run_id: int | None = None,
    index: stories.StoryIndex | None = None,
) -> SourceOutcome:
    """Analyse articles and store them as one batch of the run's writer, counted as one source's outcome.

    Without an `index`, one is made for the batch and flushed after it, as a run does at its end.
    """
    run_id = run_id or store.start_run(db, now)
    own_index = index is None
    index = index or stories.StoryIndex(db)
    items = [pipeline.analyse_article(tagger, replace(a, fetched_at=a.fetched_at or isoformat(now))) for a in articles]
    outcome = SourceOutcome(source=articles[0].source if articles else "", kind="rss")
    for item, fate in zip(items, pipeline.store_batch(db, items, run_id, now, index), strict=True):
        pipeline.tally(outcome, item, fate)
    if own_index:
        flush_bulk_writes(db, index)
    return outcome


def seed_article() -> Article:
    return parse_text_article(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name, "seed")


def fixture_article(name: str, source: str = "fixture") -> Article:
    """tests/fixtures/dedupe/NAME.txt: the first line is the title, the rest the body."""
    title, body = (FIXTURES / "dedupe" / f"{name}.txt").read_text(encoding="utf-8").split("\n", 1)
    return Article(url=f"https://{source}.example/{name}.html", title=title, body=body.strip(), source=source)


def repost_body(edit: str, body: str) -> str:
    """The body as another portal reposts it, with one edit."""
    paragraphs = body.split("\n")
    if edit == "boilerplate":
        return "\n".join(["来源：大众网", "原标题：淄博牵手大湾区", *paragraphs, "（完）", "责任编辑：张三"])
    if edit == "drop10":
        return "\n".join(p for index, p in enumerate(paragraphs) if index % 10 != 3)
    if edit == "reorder":
        shuffled = paragraphs[:]
        random.Random(5).shuffle(shuffled)
        return "\n".join(shuffled)
    if edit == "first60":
        cut = body.rfind("\n", 0, int(len(body) * 0.6))
        return body[:cut]
    raise ValueError(edit)


def repost(article: Article, edit: str, source: str) -> Article:
    """The article as `source` carries it: its own URL and title, the body edited."""
    return replace(
        article,
        url=f"https://{source}.example/{edit}.html",
        source=source,
        title=f"转载｜{article.title}",
        body=repost_body(edit, article.body),
    )
