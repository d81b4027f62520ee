"""Stories in a real SQLite file: reposts join their original's story, different articles stay apart,
stories span runs and restarts, and the story index is rebuilt from `articles` when missing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

import opencc
import pytest
from sqlite_utils import Database
from sqlite_utils.db import NotFoundError

from db.migrations import migrations
from newsmon import dedupe, pipeline, store, stories
from newsmon.records import Article, SourceOutcome
from newsmon.tagging import Tagger
from tests.reposts import EDITS, NOW, fixture_article, open_store, repost, seed_article, store_articles


def harvest(db: Database, tagger: Tagger, *articles: Article, now: datetime = NOW) -> SourceOutcome:
    return store_articles(db, tagger, list(articles), now=now)


def story_of(db: Database, url: str) -> int:
    return db.execute("SELECT story_id FROM articles WHERE url = ?", [url]).fetchone()[0]


@pytest.mark.parametrize("edit", EDITS)
def test_each_repost_kind_joins_the_original_story(db, tagger, edit):
    seed = seed_article()
    assert harvest(db, tagger, seed).new == 1
    copy = repost(seed, edit, "大众网")
    outcome = harvest(db, tagger, copy, now=NOW + timedelta(hours=1))
    assert (outcome.new, outcome.duplicates) == (0, 1)
    assert story_of(db, copy.url) == story_of(db, seed.url)
    story = db["stories"].get(story_of(db, seed.url))
    assert story["article_count"] == 2
    assert json.loads(story["sources"]) == ["seed", "大众网"]
    assert story["title"] == seed.title  # the earliest article's
    assert (story["first_seen_at"], story["last_seen_at"]) == ("2023-02-24T09:00:00+08:00", "2023-02-24T10:00:00+08:00")
    assert db["articles"].count == 2  # the repost keeps its own row: nothing lost


def test_a_traditional_script_repost_joins(db, tagger):
    seed = seed_article()
    harvest(db, tagger, seed)
    traditional = replace(
        seed, url="https://hk.example/1.html", source="新浪新闻", body=opencc.OpenCC("s2hk").convert(seed.body)
    )
    assert harvest(db, tagger, traditional).duplicates == 1
    assert story_of(db, traditional.url) == story_of(db, seed.url)


def test_reposts_of_many_portals_in_one_harvest_fold_into_one_story(db, tagger):
    seed = seed_article()
    copies = [repost(seed, edit, "齐鲁网") for edit in EDITS]
    outcome = harvest(db, tagger, replace(seed, source="齐鲁网", url="https://qilu.example/0.html"), *copies)
    assert (outcome.new, outcome.duplicates) == (1, 4)
    assert len({story_of(db, copy.url) for copy in copies}) == 1
    assert db["stories"].count == 1


def test_two_different_zibo_new_materials_stories_stay_apart(db, tagger):
    seed, fair = seed_article(), fixture_article("zibo_investment_fair")
    assert harvest(db, tagger, seed).new == 1
    outcome = harvest(db, tagger, fair)
    assert (outcome.new, outcome.duplicates) == (1, 0)
    assert story_of(db, fair.url) != story_of(db, seed.url)
    tags = {row["url"]: json.loads(row["tags"]) for row in db["articles"].rows}
    assert "新材料" in tags[seed.url] and "新材料" in tags[fair.url]


def test_the_two_halves_of_one_article_are_two_stories(db, tagger):
    seed = seed_article()
    paragraphs = seed.body.split("\n")
    half = len(paragraphs) // 2
    first = replace(seed, url="https://a.example/1.html", source="大众网", body="\n".join(paragraphs[:half]))
    second = replace(seed, url="https://a.example/2.html", source="大众网", body="\n".join(paragraphs[half:]))
    assert harvest(db, tagger, first, second).new == 2


def test_a_story_survives_a_restart(tmp_path, tagger):
    path = tmp_path / "news.db"
    db = open_store(path)
    seed = seed_article()
    harvest(db, tagger, seed)
    db.close()

    reopened = open_store(path)
    copy = repost(seed, "drop10", "新浪新闻")
    assert harvest(reopened, tagger, copy, now=NOW + timedelta(days=1)).duplicates == 1
    assert story_of(reopened, copy.url) == story_of(reopened, seed.url)
    reopened.close()


def test_the_story_index_is_rebuilt_for_articles_stored_before_it_existed(tmp_path, tagger):
    path = tmp_path / "news.db"
    old = Database(path)
    migrations.apply(old, stop_before="0002_story_index")
    seed = seed_article()
    stamp = "2023-02-23T10:30:00+08:00"
    old["stories"].insert(
        {
            "id": 7,
            "title": seed.title,
            "first_seen_at": stamp,
            "last_seen_at": stamp,
            "article_count": 1,
            "sources": '["seed"]',
        }
    )
    old["articles"].insert(
        {
            "url": seed.url,
            "source": "seed",
            "title": seed.title,
            "fetched_at": stamp,
            "body": seed.body,
            "topics": "[]",
            "tags": "[]",
            "keywords": "[]",
            "story_id": 7,
        }
    )
    old.close()

    db = open_store(path)  # applies 0002: the index tables are there, still empty
    assert db["article_minhash"].count == 0
    copy = repost(seed, "reorder", "大众网")
    assert harvest(db, tagger, copy).duplicates == 1
    assert story_of(db, copy.url) == 7
    assert db["article_minhash"].count == 2
    assert db["articles"].get(1)["content_hash"] == dedupe.fingerprint(seed.body).content_hash
    db.close()


def test_a_new_fingerprint_scheme_reindexes_every_article(db, tagger):
    seed = seed_article()
    harvest(db, tagger, seed, fixture_article("hk_chief_executive"))
    db.execute("UPDATE story_index_state SET scheme = 'an older scheme'")
    db.execute("DELETE FROM story_bands")
    with db.atomic():
        assert stories.ensure_story_index(db) == 2
        assert stories.ensure_story_index(db) == 0
    assert harvest(db, tagger, repost(seed, "first60", "齐鲁网")).duplicates == 1


def test_an_exact_copy_joins_without_adding_band_keys(db, tagger):
    seed = seed_article()
    harvest(db, tagger, seed)
    bands = db["story_bands"].count
    copy = replace(seed, url="https://copy.example/1.html", source="大众网", title="另一个标题")
    assert harvest(db, tagger, copy).duplicates == 1
    assert db["story_bands"].count == bands and db["article_minhash"].count == 2


def test_the_story_title_is_the_earliest_published_article(db, tagger):
    seed = seed_article()  # no publish time: its fetch time counts
    harvest(db, tagger, seed)
    earlier = replace(repost(seed, "boilerplate", "大众网"), published_at="2023-02-23T08:00:00+08:00")
    harvest(db, tagger, earlier)
    later = replace(repost(seed, "drop10", "齐鲁网"), published_at="2023-02-23T12:00:00+08:00")
    harvest(db, tagger, later)
    story = db["stories"].get(story_of(db, seed.url))
    assert story["title"] == earlier.title
    assert story["article_count"] == 3
    assert json.loads(story["sources"]) == ["seed", "大众网", "齐鲁网"]


def test_a_canonical_url_is_never_stored_twice(db, tagger):
    seed = seed_article()
    first = harvest(db, tagger, seed, seed)
    assert (first.new, first.taken) == (1, 1)
    again = harvest(db, tagger, seed, now=NOW + timedelta(hours=1))
    assert (again.new, again.duplicates, again.taken) == (0, 0, 1)
    assert db["articles"].count == 1


def test_duplicates_are_counted_in_the_run(db, tagger):
    seed = seed_article()
    run_id = store.start_run(db, NOW)
    outcomes = [
        store_articles(db, tagger, [seed], run_id=run_id),
        store_articles(db, tagger, [repost(seed, "first60", "大众网")], run_id=run_id),
    ]
    run = store.finish_run(db, run_id, outcomes, NOW, "completed")
    assert (run["articles_new"], run["duplicates"], run["off_topic"]) == (1, 1, 0)


def test_a_run_wide_index_finds_reposts_before_and_after_its_bulk_write(db, tagger):
    index = stories.StoryIndex(db, flush_every=2)
    seed, fair = seed_article(), fixture_article("zibo_investment_fair")
    run_id = store.start_run(db, NOW)

    def one(article: Article) -> SourceOutcome:
        index.flush_if_due()  # as the run's writer does after each batch
        return store_articles(db, tagger, [article], run_id=run_id, index=index)

    one(seed)
    assert db["story_bands"].count == 0  # the seed's keys wait in memory ...
    assert one(repost(seed, "reorder", "大众网")).duplicates == 1  # ... and are found there
    one(fair)  # two committed articles with keys: written in bulk before this harvest
    assert db["story_bands"].count == 2 * dedupe.BANDS
    assert one(repost(seed, "first60", "齐鲁网")).duplicates == 1  # found in the table now
    index.flush()
    assert db["story_bands"].count == 4 * dedupe.BANDS
    banded = db.execute("SELECT banded_through FROM story_index_state").fetchone()[0]
    assert banded == db.execute("SELECT max(id) FROM articles").fetchone()[0]


def test_keys_never_written_are_recovered_by_the_next_index(tmp_path, tagger):
    path = tmp_path / "news.db"
    db = open_store(path)
    index = stories.StoryIndex(db)  # a run that stops before it flushes
    seed = seed_article()
    run_id = store.start_run(db, NOW)
    store_articles(db, tagger, [seed], run_id=run_id, index=index)
    db.close()

    reopened = open_store(path)
    assert reopened["story_bands"].count == 0
    copy = repost(seed, "drop10", "大众网")
    assert harvest(reopened, tagger, copy).duplicates == 1
    assert reopened["story_bands"].count == 2 * dedupe.BANDS
    reopened.close()


def test_a_harvest_rolled_back_leaves_no_keys_behind(db, tagger):
    index = stories.StoryIndex(db)
    seed = seed_article()
    processed = [pipeline.analyse_article(tagger, replace(seed, fetched_at="2023-02-24T09:00:00+08:00"))]

    def broken_source_update() -> None:  # the source's state fails to save after its article
        db["sources"].update("no such source", {"last_status": "ok"})

    with pytest.raises(NotFoundError):
        pipeline.store_batch(db, processed, store.start_run(db, NOW), NOW, index, broken_source_update)
    assert db["articles"].count == 0
    assert index.candidates(dedupe.fingerprint(seed.body).minhash.band_keys) == []
