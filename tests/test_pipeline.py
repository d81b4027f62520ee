"""The pipeline's stages on their own, and the pure stages run in worker processes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from newsmon import dedupe, pipeline, store
from newsmon.records import Harvest
from tests.reposts import EDITS, NOW, fixture_article, repost, seed_article


def test_an_off_topic_article_gets_no_fingerprint_and_no_tags(tagger):
    analysed = pipeline.analyse_article(tagger, fixture_article("bayannur_cppcc"))
    assert not analysed.relevant
    assert (analysed.fingerprint, analysed.search_words, analysed.article.tags) == (None, "", ())


def test_an_article_kept_is_fingerprinted_and_tagged(tagger):
    seed = seed_article()
    analysed = pipeline.analyse_article(tagger, seed)
    assert analysed.article.topics == ("zibo", "greater_bay_area")
    assert "新材料" in analysed.article.tags and analysed.article.keywords
    assert "淄博" in analysed.search_words.split()
    # the fingerprint reuses the relevance stage's simplified text: the same as from the raw body
    assert analysed.fingerprint == dedupe.fingerprint(seed.body)


def test_untagged_analysis_leaves_the_tag_stage_out(tagger):
    analysed = pipeline.analyse_article(tagger, seed_article(), tag=False)
    assert analysed.relevant and analysed.fingerprint is not None
    assert (analysed.article.tags, analysed.article.keywords, analysed.search_words) == ((), (), "")


def test_a_publish_time_after_the_fetch_time_is_stored_as_the_fetch_time(db, tagger):
    seed = seed_article()
    future = Harvest(source="seed", articles=(replace(seed, published_at="2030-01-01T00:00:00+08:00"),))
    pipeline.store_harvest(db, pipeline.InProcessAnalyser(tagger), future, "text", store.start_run(db, NOW), NOW)
    assert db["articles"].get(1)["published_at"] == "2023-02-24T09:00:00+08:00"


@pytest.mark.slow
def test_worker_processes_store_what_one_process_stores(db, tagger):
    seed = seed_article()
    articles = (seed, *(repost(seed, edit, "大众网") for edit in EDITS), fixture_article("bayannur_cppcc"))
    with pipeline.ParallelAnalyser(tagger.topics, tagger.tags, workers=2, chunk=2) as analyser:
        assert list(analyser.analyse(articles)) == [pipeline.analyse_article(tagger, a) for a in articles]
        harvest = Harvest(source="大众网", articles=articles)
        outcome = pipeline.store_harvest(db, analyser, harvest, "rss", store.start_run(db, NOW), NOW)
    assert (outcome.new, outcome.duplicates, outcome.off_topic) == (1, 4, 1)
