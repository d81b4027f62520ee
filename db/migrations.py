"""The database schema, as numbered migrations: append new ones, never edit an applied one.

Each migration runs in its own transaction and is recorded in `_sqlite_migrations`, so every run can
call `apply` and only what is missing is done, on an empty file or on one that is months old.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("newsmon")


@migrations(name="0001_initial")
def initial(db: Database) -> None:
    """The tables of the product contract (design.md), plus the URL ledger and the search index."""
    db["stories"].create(
        {
            "id": int,
            "title": str,
            "first_seen_at": str,
            "last_seen_at": str,
            "article_count": int,
            "sources": str,  # JSON array of source names
        },
        pk="id",
        not_null={"title", "first_seen_at", "last_seen_at", "article_count", "sources"},
    )
    db["articles"].create(
        {
            "id": int,
            "url": str,
            "source": str,
            "title": str,
            "published_at": str,
            "fetched_at": str,
            "author": str,
            "publisher": str,
            "body": str,
            "topics": str,  # JSON arrays
            "tags": str,
            "keywords": str,
            "story_id": int,
        },
        pk="id",
        not_null={"url", "source", "title", "fetched_at", "body", "topics", "tags", "keywords"},
        foreign_keys=[("story_id", "stories", "id")],
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["fetched_at"])
    db["articles"].create_index(["story_id"])
    db["sources"].create(
        {
            "name": str,
            "kind": str,
            "url": str,
            "last_checked_at": str,
            "last_status": str,
            "last_error": str,
            "consecutive_failures": int,
            "etag": str,
            "last_modified": str,
            "body_hash": str,  # listings whose server sends neither ETag nor Last-Modified
            "retry_after": str,  # a 429/503 Retry-After defers the source until then
        },
        pk="name",
        not_null={"kind", "url", "consecutive_failures"},
        defaults={"consecutive_failures": 0},
    )
    db["runs"].create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,  # running | completed | failed | aborted
            "sources_ok": int,
            "sources_failed": int,
            "articles_new": int,
            "duplicates": int,
            "off_topic": int,
        },
        pk="id",
        not_null={"started_at", "status"},
        defaults={"sources_ok": 0, "sources_failed": 0, "articles_new": 0, "duplicates": 0, "off_topic": 0},
    )
    db["fetch_errors"].create(
        {"id": int, "run_id": int, "source": str, "url": str, "error": str, "at": str},
        pk="id",
        not_null={"source", "url", "error", "at"},
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["fetch_errors"].create_index(["run_id"])
    db["digests"].create(
        {"id": int, "created_at": str, "since": str, "until": str, "article_count": int},
        pk="id",
        not_null={"created_at", "since", "until", "article_count"},
    )
    # Every article URL newsmon has met and what became of it, so that stored and off-topic URLs
    # are never fetched again and failed ones are retried with backoff.
    db["urls"].create(
        {
            "url": str,  # canonical
            "source": str,
            "discovered_url": str,
            "status": str,  # stored | off_topic | failed | gone
            "attempts": int,
            "next_attempt_at": str,
            "last_error": str,
            "first_seen_at": str,
            "updated_at": str,
        },
        pk="url",
        not_null={"source", "status", "attempts", "first_seen_at", "updated_at"},
        defaults={"attempts": 0},
    )
    db["urls"].create_index(["source", "status"])
    # Title and body as space-joined jieba search words (rowid = articles.id): FTS5's own tokenizers
    # cannot split Chinese, so Datasette's search box on `articles` queries this table instead.
    db.execute("CREATE VIRTUAL TABLE articles_search USING fts5(words, tokenize='unicode61')")


@migrations(name="0002_story_index")
def story_index(db: Database) -> None:
    """Repost detection state: each article's body hash, MinHash signature and LSH band keys (newsmon/dedupe.py).

    Only the tables are made here; articles stored before this migration are indexed by
    `newsmon.stories.ensure_story_index` on the next run, as is everything when `dedupe.SCHEME` changes.
    """
    db["articles"].add_column("content_hash", str)  # 16 hex digits of the comparable body's hash
    db["articles"].create_index(["content_hash"])
    db.execute(
        """CREATE TABLE article_minhash (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            shingle_count INTEGER NOT NULL,
            signature BLOB  -- NULL: too short to compare, or an exact copy of an earlier article (no band keys)
        )"""
    )
    # One row per (band key, article): an article is a repost candidate of those it shares a key with.
    # Derived data with no foreign key (32 rows an article, each check would cost a lookup): queries
    # join through article_minhash, so rows of a deleted article are never candidates.
    db.execute(
        """CREATE TABLE story_bands (
            band_key INTEGER NOT NULL,
            article_id INTEGER NOT NULL,
            PRIMARY KEY (band_key, article_id)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE story_index_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            scheme TEXT NOT NULL,  -- dedupe.SCHEME the stored signatures were made with
            banded_through INTEGER NOT NULL DEFAULT 0  -- story_bands holds the keys of every article up to this id
        )"""
    )


@migrations(name="0003_digest_watermark")
def digest_watermark(db: Database) -> None:
    """The id of the last article each digest took in, so the next default window starts after it.

    `fetched_at` alone cannot mark where a digest ended: a source's articles are stamped when their
    transaction starts and become visible when it commits, so a digest reading in between would miss
    them for good. Ids only grow, and rows committed later always get higher ones.
    """
    db["digests"].add_column("last_article_id", int)
    db.execute("UPDATE digests SET last_article_id = (SELECT max(id) FROM articles WHERE fetched_at <= digests.until)")


@migrations(name="0004_lean_search_index")
def lean_search_index(db: Database) -> None:
    """The search index as distinct words without positions or a stored copy (FTS5 detail=none, contentless).

    Searches are single words ANDed (Datasette's box, with the query segmented the same way) and
    Datasette reads matching rows from `articles` by rowid, so positions and the words themselves were
    never read back. Without them an article's search row costs about a third less to store and the
    index is a tenth of its size; merging segments less often (automerge 8) saves another part.
    """
    db.execute(
        "CREATE VIRTUAL TABLE articles_search_lean USING fts5(words, tokenize='unicode61', detail=none, content='')"
    )
    db.execute("INSERT INTO articles_search_lean (articles_search_lean, rank) VALUES ('automerge', 8)")
    rows = db.execute("SELECT rowid, words FROM articles_search").fetchall()
    db.conn.executemany(
        "INSERT INTO articles_search_lean (rowid, words) VALUES (?, ?)",
        ((rowid, " ".join(dict.fromkeys(words.split()))) for rowid, words in rows),
    )
    db.execute("DROP TABLE articles_search")
    db.execute("ALTER TABLE articles_search_lean RENAME TO articles_search")


@migrations(name="0005_search_queue")
def search_queue(db: Database) -> None:
    """Search words wait here, in their article's transaction, until they are indexed in bulk.

    FTS5 writes a new index segment at every commit; a run commits once per source, so indexing each
    source's few articles on its own cost several times what indexing thousands at once does. Queued
    rows are moved into `articles_search` every few thousand articles and at the end of every run;
    rows left by a run that died are indexed by the next one.
    """
    db.execute(
        "CREATE TABLE search_queue (article_id INTEGER PRIMARY KEY REFERENCES articles(id), words TEXT NOT NULL)"
    )


@migrations(name="0006_story_beside_signature")
def story_beside_signature(db: Database) -> None:
    """Each signature row carries its article's story, so confirming a repost candidate never reads `articles`.

    Candidates are random older articles, and their `articles` rows (bodies inline) are rarely in the page
    cache: reading a candidate's story from there cost a random read, more of them as the table grew. An
    article's story never changes once it is stored, so the copy cannot go stale.
    """
    db.execute("ALTER TABLE article_minhash ADD COLUMN story_id INTEGER")
    db.execute(
        "UPDATE article_minhash SET story_id = "
        "(SELECT story_id FROM articles WHERE articles.id = article_minhash.article_id)"
    )


@migrations(name="0007_ascii_search_tokenizer")
def ascii_search_tokenizer(db: Database) -> None:
    """The search index splits its words with FTS5's `ascii` tokenizer instead of `unicode61`: the same
    tokens at two thirds of the indexing cost.

    Every indexed word is a jieba token of simplified Han characters, ASCII letters and digits
    (`newsmon.chinese.HAN_BLOCK`), and on those both tokenizers split at the same places (ASCII
    punctuation and spaces) and fold the same way (ASCII case only), so the index already stored stays
    valid as it is.
    unicode61 looks up the Unicode category of every character, which at 100k articles was a third of
    what indexing a search row cost. A virtual table's arguments live only in its schema entry, so the
    entry is rewritten (PRAGMA writable_schema, the way SQLite's ALTER TABLE page describes for changes
    that leave the stored data valid): a contentless index could not be rebuilt from words it no longer holds.
    """
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'articles_search'").fetchone()[0]
    if "tokenize='unicode61'" not in sql:
        raise RuntimeError(f"articles_search is not the index 0004_lean_search_index made: {sql}")
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    db.execute(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'articles_search'",
        [sql.replace("tokenize='unicode61'", "tokenize='ascii'")],
    )
    db.execute(f"PRAGMA schema_version = {version + 1}")  # every connection re-reads the schema
    db.execute("PRAGMA writable_schema = OFF")


def apply_migrations(db: Database) -> list[str]:
    """Apply pending migrations; returns the names applied now."""
    pending = [migration.name for migration in migrations.pending(db)]
    migrations.apply(db)
    return pending
