"""Relevance: only articles about Zibo or the Greater Bay Area are stored; off-topic URLs are remembered
(never fetched again) without their bodies, and the run counts them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from newsmon import pipeline, store
from tests.reposts import NOW, fixture_article, seed_article, store_articles


def relevance(tagger, article):
    return pipeline.check_relevance(tagger, article.title, article.body)


def test_topics_of_the_seed_and_of_off_topic_news(tagger):
    assert relevance(tagger, seed_article()).topics == ("zibo", "greater_bay_area")
    assert relevance(tagger, fixture_article("hk_chief_executive")).topics == ("greater_bay_area",)
    assert relevance(tagger, fixture_article("bayannur_cppcc")).topics == ()


def test_traditional_script_and_the_title_count(tagger):
    article = fixture_article("bayannur_cppcc")
    assert relevance(tagger, replace(article, title="廣州與澳門合作")).topics == ("greater_bay_area",)


def test_a_topic_word_across_a_token_boundary_does_not_count(tagger):
    # 中山 is a Greater Bay Area city; 其中山区 ("of which mountain areas") segments as 其中/山区.
    article = replace(fixture_article("bayannur_cppcc"), body="全市林地面积扩大，其中山区占六成。")
    assert relevance(tagger, article).topics == ()


def test_an_off_topic_article_is_not_stored_and_not_fetched_again(db, tagger):
    off_topic, on_topic = fixture_article("bayannur_cppcc"), fixture_article("hk_chief_executive")
    run_id = store.start_run(db, NOW)
    outcome = store_articles(db, tagger, [off_topic, on_topic], run_id=run_id)
    assert (outcome.new, outcome.off_topic) == (1, 1)
    assert [row["url"] for row in db["articles"].rows] == [on_topic.url]
    assert db.execute("SELECT count(*) FROM articles_search").fetchone()[0] == 1
    assert db["urls"].get(off_topic.url)["status"] == "off_topic"
    later = NOW + timedelta(days=30)
    assert store.urls_to_skip(db, [off_topic.url, "https://fixture.example/new.html"], later) == {off_topic.url}
    run = store.finish_run(db, run_id, [outcome], NOW, "completed")
    assert (run["articles_new"], run["off_topic"]) == (1, 1)
