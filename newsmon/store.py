"""SQLite storage: open (WAL, migrations), and the row-level reads and writes of a run.

Callers group writes in `db.atomic()` so that a source's articles, its URL ledger rows and its new
validators (ETag, Last-Modified) land together or not at all: a run killed half way leaves nothing
half-stored, and the next run sees the listing as changed and picks the articles up again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from db.migrations import apply_migrations
from newsmon.clock import isoformat
from newsmon.records import Article, FetchFailure, SourceOutcome, SourceState, Validators

BUSY_TIMEOUT_MS = 30_000
# The writer's page cache: the upper levels of every index stay in memory as the database grows to
# gigabytes (SQLite's default is 2 MB).
CACHE_KIB = 65_536
# A failed article URL is retried after 30 min, 1 h, 2 h, ... up to a day, then given up.
RETRY_BASE = timedelta(minutes=30)
RETRY_MAX = timedelta(days=1)
MAX_ATTEMPTS = 8
# Statuses of the `urls` ledger that mean "do not fetch again".
SETTLED = ("stored", "off_topic", "gone")


def open_database(path: Path) -> Database:
    """Open (creating folders and file as needed) in WAL mode and bring the schema up to date."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    db.execute("PRAGMA foreign_keys = ON")
    apply_migrations(db)
    return db


def sync_sources(db: Database, sources: Iterable[tuple[str, str, str]]) -> None:
    """Make the `sources` table list every configured (name, kind, url), keeping its history columns."""
    with db.atomic():
        for name, kind, url in sources:
            db["sources"].upsert({"name": name, "kind": kind, "url": url}, pk="name")


def start_run(db: Database, now: datetime) -> int:
    """A new `runs` row; runs left 'running' by a process that died are marked 'aborted' first."""
    with db.atomic():
        db.execute("UPDATE runs SET status = 'aborted' WHERE status = 'running'")
        return db["runs"].insert({"started_at": isoformat(now), "status": "running"}).last_pk


def finish_run(db: Database, run_id: int, outcomes: Iterable[SourceOutcome], now: datetime, status: str) -> dict:
    """Sum the per-source outcomes into the run's row and return that row."""
    outcomes = list(outcomes)
    row = {
        "finished_at": isoformat(now),
        "status": status,
        "sources_ok": sum(o.ok for o in outcomes),
        "sources_failed": sum(not o.ok for o in outcomes),
        "articles_new": sum(o.new for o in outcomes),
        "duplicates": sum(o.duplicates for o in outcomes),
        "off_topic": sum(o.off_topic for o in outcomes),
    }
    with db.atomic():
        db["runs"].update(run_id, row)
    return db["runs"].get(run_id)


def urls_to_skip(db: Database, urls: Iterable[str], now: datetime) -> set[str]:
    """Of these canonical URLs, the ones not to fetch now: settled, or failed and not yet due again."""
    urls = list(dict.fromkeys(urls))
    skip: set[str] = set()
    for start in range(0, len(urls), 500):
        chunk = urls[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(
            f"SELECT url FROM urls WHERE url IN ({marks}) AND (status IN {SETTLED} "
            "OR (status = 'failed' AND (attempts >= ? OR next_attempt_at > ?)))",
            [*chunk, MAX_ATTEMPTS, isoformat(now)],
        ).fetchall()
        skip.update(row[0] for row in rows)
    return skip


def due_retries(db: Database, source: str, now: datetime) -> list[str]:
    """Discovered URLs of a source whose earlier fetch failed and whose backoff has passed."""
    rows = db.execute(
        "SELECT discovered_url FROM urls WHERE source = ? AND status = 'failed' "
        "AND attempts < ? AND next_attempt_at <= ? ORDER BY next_attempt_at",
        [source, MAX_ATTEMPTS, isoformat(now)],
    ).fetchall()
    return [row[0] for row in rows]


def mark_url(
    db: Database, url: str, source: str, status: str, now: datetime, discovered_url: str | None = None
) -> None:
    """Record what became of an article URL (stored, off_topic, gone)."""
    stamp = isoformat(now)
    db.execute(
        "INSERT INTO urls (url, source, discovered_url, status, attempts, first_seen_at, updated_at) "
        "VALUES (?, ?, ?, ?, 0, ?, ?) ON CONFLICT(url) DO UPDATE SET status = excluded.status, "
        "updated_at = excluded.updated_at, last_error = NULL, next_attempt_at = NULL",
        [url, source, discovered_url or url, status, stamp, stamp],
    )


def record_failure(
    db: Database, run_id: int, source: str, failure: FetchFailure, now: datetime, canonical_url: str | None = None
) -> None:
    """A `fetch_errors` row, and for an article URL a ledger entry with its next retry time."""
    stamp = isoformat(now)
    db["fetch_errors"].insert(
        {"run_id": run_id, "source": source, "url": failure.url, "error": failure.error, "at": stamp}
    )
    if canonical_url is None:
        return
    row = db.execute("SELECT attempts FROM urls WHERE url = ?", [canonical_url]).fetchone()
    attempts = (row[0] if row else 0) + 1
    delay = min(RETRY_BASE * 2 ** (attempts - 1), RETRY_MAX)
    db.execute(
        "INSERT INTO urls (url, source, discovered_url, status, attempts, next_attempt_at, last_error, "
        "first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
        "status = excluded.status, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at, "
        "last_error = excluded.last_error, updated_at = excluded.updated_at",
        [
            canonical_url,
            source,
            failure.url,
            "gone" if failure.permanent else "failed",
            attempts,
            isoformat(now + delay),
            failure.error,
            stamp,
            stamp,
        ],
    )


def stored_urls(db: Database, urls: Iterable[str]) -> set[str]:
    """Of these canonical URLs, the ones an article is stored under."""
    urls = list(dict.fromkeys(urls))
    stored: set[str] = set()
    for start in range(0, len(urls), 500):
        chunk = urls[start : start + 500]
        rows = db.execute(f"SELECT url FROM articles WHERE url IN ({','.join('?' * len(chunk))})", chunk)
        stored.update(row[0] for row in rows)
    return stored


def insert_article(db: Database, article: Article, search_words: str, content_hash: str | None = None) -> int:
    """Store one article, and queue its search words for the FTS index (`index_search_queue`); returns its id.

    `content_hash` is the dedupe hash of the comparable body (newsmon.dedupe), for exact-repost lookups.
    """
    row = {
        "url": article.url,
        "source": article.source,
        "title": article.title,
        "published_at": article.published_at,
        "fetched_at": article.fetched_at,
        "author": article.author,
        "publisher": article.publisher,
        "body": article.body,
        "topics": json.dumps(list(article.topics), ensure_ascii=False),
        "tags": json.dumps(list(article.tags), ensure_ascii=False),
        "keywords": json.dumps(list(article.keywords), ensure_ascii=False),
        "story_id": article.story_id,
        "content_hash": content_hash,
    }
    # A plain INSERT, not sqlite-utils' insert(): that one wraps each row in a savepoint, at which FTS5
    # writes out its pending terms; the plain one halved the store stage in bench/dedupe.py.
    marks = ", ".join("?" * len(row))
    article_id = db.execute(f"INSERT INTO articles ({', '.join(row)}) VALUES ({marks})", list(row.values())).lastrowid
    db.execute("INSERT INTO search_queue (article_id, words) VALUES (?, ?)", [article_id, search_words])
    return article_id


def index_search_queue(db: Database, at_least: int = 1) -> int:
    """Move the queued search words into the FTS index, in one transaction, when `at_least` wait; returns how many."""
    waiting = db.execute("SELECT count(*) FROM search_queue").fetchone()[0]
    if waiting < at_least or waiting == 0:
        return 0
    with db.atomic():
        db.execute("INSERT INTO articles_search (rowid, words) SELECT article_id, words FROM search_queue ORDER BY 1")
        db.execute("DELETE FROM search_queue")
    return waiting


def update_source(
    db: Database, outcome: SourceOutcome, validators: Validators | None, now: datetime, retry_after: str | None = None
) -> None:
    """A source's last check, status and failure streak; new validators only when the listing was read.

    `retry_after` is when the listing's server (429/503 Retry-After) allows the next request; the next runs
    skip the source until then. A harvest without one leaves an earlier deferral as it is: a run that
    skipped the source because of it must not erase it.
    """
    previous = db.execute("SELECT consecutive_failures FROM sources WHERE name = ?", [outcome.source]).fetchone()
    failures = (previous[0] if previous else 0) + 1 if outcome.source_error else 0
    row = {
        "last_checked_at": isoformat(now),
        "last_status": "error" if outcome.source_error else ("not_modified" if outcome.not_modified else "ok"),
        "last_error": outcome.source_error,
        "consecutive_failures": failures,
    }
    if validators is not None:
        row |= {"etag": validators.etag, "last_modified": validators.last_modified, "body_hash": validators.body_hash}
    if retry_after is not None:
        row["retry_after"] = retry_after
    db["sources"].update(outcome.source, row)


def source_states(db: Database) -> dict[str, SourceState]:
    """Each source's stored validators and Retry-After deferral, read once at the start of a run."""
    states = {}
    for name, etag, last_modified, body_hash, retry_after in db.execute(
        "SELECT name, etag, last_modified, body_hash, retry_after FROM sources"
    ).fetchall():
        validators = Validators(etag, last_modified, body_hash) if etag or last_modified or body_hash else None
        states[name] = SourceState(validators=validators, retry_after=retry_after)
    return states
