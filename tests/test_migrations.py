"""Migrations bring an empty file and an older database to the current schema, without losing rows."""

from __future__ import annotations

from sqlite_utils import Database

from db.migrations import apply_migrations, migrations
from newsmon.store import open_database

CONTRACT_COLUMNS = {
    "articles": {
        "id",
        "url",
        "source",
        "title",
        "published_at",
        "fetched_at",
        "author",
        "publisher",
        "body",
        "topics",
        "tags",
        "keywords",
        "story_id",
    },
    "stories": {"id", "title", "first_seen_at", "last_seen_at", "article_count", "sources"},
    "sources": {
        "name",
        "kind",
        "url",
        "last_checked_at",
        "last_status",
        "last_error",
        "consecutive_failures",
        "etag",
        "last_modified",
    },
    "runs": {
        "id",
        "started_at",
        "finished_at",
        "status",
        "sources_ok",
        "sources_failed",
        "articles_new",
        "duplicates",
        "off_topic",
    },
    "fetch_errors": {"run_id", "source", "url", "error", "at"},
    "digests": {"id", "created_at", "since", "until", "article_count"},
}


def all_names() -> list[str]:
    return [migration.name for migration in migrations.pending(Database(memory=True))]


def test_empty_database_gets_the_contract_tables(tmp_path):
    db = open_database(tmp_path / "news.db")
    for table, columns in CONTRACT_COLUMNS.items():
        assert columns <= set(db[table].columns_dict), table
    assert db.journal_mode == "wal"
    assert [m.name for m in migrations.applied(db)] == all_names()


def test_url_is_unique(tmp_path):
    db = open_database(tmp_path / "news.db")
    assert any(index.unique and index.columns == ["url"] for index in db["articles"].indexes)


def test_applying_again_does_nothing(tmp_path):
    open_database(tmp_path / "news.db").close()
    db = Database(tmp_path / "news.db")
    assert apply_migrations(db) == []


def test_existing_database_from_the_first_migration_keeps_its_rows(tmp_path):
    path = tmp_path / "news.db"
    old = Database(path)
    names = all_names()
    migrations.apply(old, stop_before=names[1:] or None)
    stamp = "2023-02-23T10:30:00+08:00"
    old["stories"].insert(
        {"id": 1, "title": "t", "first_seen_at": stamp, "last_seen_at": stamp, "article_count": 1, "sources": "[]"}
    )
    old["articles"].insert(
        {
            "url": "text:a.txt",
            "source": "seed",
            "title": "淄博",
            "fetched_at": stamp,
            "body": "淄博与香港合作。",
            "topics": "[]",
            "tags": "[]",
            "keywords": "[]",
            "story_id": 1,
        }
    )
    old.execute("INSERT INTO articles_search (rowid, words) VALUES (1, '淄博 香港 淄博 合作')")
    old.close()

    db = open_database(path)
    assert [m.name for m in migrations.applied(db)] == names
    assert db["articles"].count == 1
    assert db["articles"].get(1)["title"] == "淄博"
    assert db.execute("SELECT rowid FROM articles_search WHERE articles_search MATCH '香港 合作'").fetchall() == [(1,)]


def test_signatures_stored_before_0006_get_their_article_story(tmp_path):
    path = tmp_path / "news.db"
    old = Database(path)
    migrations.apply(old, stop_before="0006_story_beside_signature")
    stamp = "2023-02-23T10:30:00+08:00"
    old["stories"].insert(
        {"id": 7, "title": "t", "first_seen_at": stamp, "last_seen_at": stamp, "article_count": 1, "sources": "[]"}
    )
    old["articles"].insert(
        {"id": 3, "url": "text:a.txt", "source": "seed", "title": "t", "fetched_at": stamp, "body": "b"}
        | {"topics": "[]", "tags": "[]", "keywords": "[]", "story_id": 7}
    )
    old.execute("INSERT INTO article_minhash (article_id, shingle_count, signature) VALUES (3, 40, x'00')")
    old.close()

    db = open_database(path)
    assert db.execute("SELECT article_id, story_id FROM article_minhash").fetchall() == [(3, 7)]


def test_search_rows_indexed_by_unicode61_stay_found_under_the_ascii_tokenizer(tmp_path):
    path = tmp_path / "news.db"
    old = Database(path)
    migrations.apply(old, stop_before="0007_ascii_search_tokenizer")
    old.execute("INSERT INTO articles_search (rowid, words) VALUES (5, '淄博 新材料 材料 chatgpt 5g')")
    old.close()

    db = open_database(path)
    assert "tokenize='ascii'" in db["articles_search"].schema
    for query in ("新材料", "淄博 材料", "ChatGPT", "5g"):
        assert db.execute("SELECT rowid FROM articles_search WHERE articles_search MATCH ?", [query]).fetchall() == [
            (5,)
        ]
    db.execute("INSERT INTO articles_search (articles_search) VALUES ('integrity-check')")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
