"""The pipeline's stages on their own, and the pure stages run in worker processes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from newsmon import dedupe, pipeline
from newsmon.records import FetchedPage, Link
from tests.conftest import SEED_FILE, SEED_PAGE
from tests.reposts import fixture_article, seed_article, store_articles


def test_an_off_topic_article_gets_no_fingerprint_and_no_tags(tagger):
    processed = pipeline.analyse_article(tagger, fixture_article("bayannur_cppcc"))
    assert processed.article.topics == ()
    assert (processed.fingerprint, processed.search_words, processed.article.tags) == (None, "", ())


def test_an_article_kept_is_fingerprinted_and_tagged(tagger):
    seed = seed_article()
    processed = pipeline.analyse_article(tagger, seed)
    assert processed.article.topics == ("zibo", "greater_bay_area")
    assert "新材料" in processed.article.tags and processed.article.keywords
    assert "淄博" in processed.search_words.split()
    # the fingerprint reuses the relevance stage's simplified text: the same as from the raw body
    assert processed.fingerprint == dedupe.fingerprint(seed.body)


def test_a_publish_time_after_the_fetch_time_is_stored_as_the_fetch_time(db, tagger):
    seed = seed_article()
    store_articles(db, tagger, [replace(seed, published_at="2030-01-01T00:00:00+08:00")])
    assert db["articles"].get(1)["published_at"] == "2023-02-24T09:00:00+08:00"


def pages() -> list[FetchedPage]:
    seed_link = Link(url=f"text:{SEED_FILE.name}", canonical_url=f"text:{SEED_FILE.name}")
    page_url = "https://www.zbnews.net/content/2023-02/23/content_10245.html"
    return [
        FetchedPage("seed", seed_link, SEED_FILE.read_bytes(), "text/plain", seed_link.url, "now", text_file=True),
        FetchedPage("淄博新闻网", Link(page_url, page_url), SEED_PAGE.read_bytes(), "text/html", page_url, "now"),
        FetchedPage("broken", Link(page_url + "?x", page_url + "?x"), b"\x00\xff" * 10, "image/png", page_url, "now"),
    ]


def test_a_page_that_is_no_article_fails_alone(tagger):
    seed, page, broken = pipeline.process_pages(tagger, pages())
    assert seed.article.topics and page.article.topics
    assert broken.article is None and "not an article page" in broken.failure.error
    assert broken.failure.canonical_url.endswith("?x") and broken.internal_error is None


@pytest.mark.slow
def test_worker_processes_give_what_one_process_gives(tagger):
    pool = pipeline.AnalysisPool(
        {name: sorted(words) for name, words in tagger.topics.labels.items()},
        {name: sorted(words) for name, words in tagger.tags.labels.items()},
        workers=2,
    )
    try:
        assert pool.submit(pages()).result() == pipeline.process_pages(tagger, pages())
    finally:
        pool.close()
