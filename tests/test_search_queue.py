"""Search words are queued with their article and indexed in bulk: at the end of a run, or by the next
run when the one that queued them died."""

from __future__ import annotations

from newsmon import store, stories
from newsmon.stream import flush_bulk_writes
from tests.reposts import open_store, seed_article, store_articles


def found(db, word: str) -> list[int]:
    return [row[0] for row in db.execute("SELECT rowid FROM articles_search WHERE articles_search MATCH ?", [word])]


def test_a_run_indexes_its_queued_words_when_it_ends(db, tagger):
    index = stories.StoryIndex(db)
    store_articles(db, tagger, [seed_article()], index=index)
    assert found(db, "城市合伙人") == []
    assert db["search_queue"].count == 1
    flush_bulk_writes(db, index)
    assert found(db, "城市合伙人") == [1]
    assert db["search_queue"].count == 0


def test_words_left_queued_by_a_dead_run_are_indexed_by_the_next(tmp_path, tagger):
    path = tmp_path / "news.db"
    db = open_store(path)
    store_articles(db, tagger, [seed_article()], index=stories.StoryIndex(db))
    db.close()  # the run dies before flush_bulk_writes

    db = store.open_database(path)
    store_articles(db, tagger, [])  # the next run's writer indexes what waits in the queue
    assert found(db, "淄博") == [1]
