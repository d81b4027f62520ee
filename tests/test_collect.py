"""Sources collected and stored against the recorded web: listings of every kind, article pages, the URL
ledger, conditional GET, retries of failed URLs, and every fault ending as a failure while the rest goes on.
Plain functions, no Prefect (tests/ingesting.py); the database is a real SQLite file."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from ingesting import Collected, collect
from webfixtures import (
    CHINANEWS,
    CHINANEWS_ATOM,
    DZWWW_SITEMAP,
    GIA,
    GOOGLE_ZIBO,
    RTHK,
    ZBNEWS,
    fetch_settings_for_tests,
    recorded_sources,
    recorded_web_fixture,  # noqa: F401
)

from newsmon import store
from newsmon.clock import CHINA
from newsmon.config import Config, parse_config
from newsmon.recorded_web import BUSY_HOST, RecordedWeb
from newsmon.records import FetchFailure

REPO = Path(__file__).resolve().parent.parent


def make_config(tmp_path: Path, sources: list[dict], **fetch: object) -> Config:
    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    raw |= {"database": str(tmp_path / "news.db"), "seed": [], "sources": sources}
    raw["fetch"] = fetch_settings_for_tests(**fetch).model_dump()
    return parse_config(raw, tmp_path / "config.yaml")


def article(collected: Collected, title_part: str) -> dict:
    return next(row for row in collected.articles if title_part in row["title"])


def test_rss_source_yields_its_articles(web: RecordedWeb, tmp_path: Path, tagger) -> None:
    config = make_config(tmp_path, recorded_sources(web, GIA))
    collected = collect(config, tagger)
    outcome = collected.outcomes[GIA[0]]
    assert outcome.source_error is None and outcome.errors == []
    assert (outcome.fetched, outcome.new, outcome.off_topic) == (2, 1, 1)  # 泳灘水質每周報告 is off topic
    assert collected.titles(GIA[0]) == {"政務司司長出席魯港科技創新合作大會"}
    with store.open_database(config.database_path) as db:
        assert db["sources"].get(GIA[0])["etag"] and db["sources"].get(GIA[0])["last_modified"]
    row = article(collected, "魯港")
    assert row["url"] == web.url("https://www.info.gov.hk/gia/general/202302/23/P2023022300321.htm")
    assert row["source"] == GIA[0]
    assert row["published_at"].startswith("2023-02-23")


def test_gbk_page_declared_gb2312_decodes_exactly(web: RecordedWeb, tmp_path: Path, tagger) -> None:
    config = make_config(tmp_path, recorded_sources(web, ZBNEWS))
    collected = collect(config, tagger)
    row = article(collected, "王堃")
    assert row["title"] == "博山陶琉新材料项目签约 深圳企业家王堃：看好淄博产业基础"
    assert "编辑：刘镕" not in row["body"]  # boilerplate stays out, and
    assert "博山区有关负责人刘镕表示" in row["body"]  # the GBK-only 镕 decodes
    assert "\ufffd" not in row["body"]
    assert not any("guessed" in note for note in collected.outcomes[ZBNEWS[0]].notes)


def test_big5_hkscs_page_decodes_exactly(web: RecordedWeb, tmp_path: Path, tagger) -> None:
    config = make_config(tmp_path, recorded_sources(web, RTHK))
    (row,) = collect(config, tagger).articles
    assert row["title"] == "屋邨居民盼港鐵新綫早日通車 大灣區往來更方便"
    for phrase in ("天耀邨", "佢哋嘅心願", "北環綫", "時間啱啱好"):
        assert phrase in row["body"]
    assert "\ufffd" not in row["body"]


def test_list_page_skips_robots_disallowed_links_without_requesting_them(
    web: RecordedWeb, tmp_path: Path, tagger
) -> None:
    config = make_config(tmp_path, recorded_sources(web, ZBNEWS))
    collected = collect(config, tagger)
    outcome = collected.outcomes[ZBNEWS[0]]
    assert (outcome.skipped, outcome.fetched) == (1, 2)
    assert not any("/content/draft/" in r.path for r in web.requests_to("www.zbnews.net"))
    # The list page's ?utm_source=index is no part of the article's identity.
    assert any(row["url"].endswith("/content/2023-02/23/content_8812345.htm") for row in collected.articles)


def test_gzipped_news_sitemap(web: RecordedWeb, tmp_path: Path, tagger) -> None:
    config = make_config(tmp_path, recorded_sources(web, DZWWW_SITEMAP))
    (row,) = collect(config, tagger).articles
    assert row["title"] == "淄博牵手大湾区的想法与干法"
    assert row["url"] == web.url("https://zb.dzwww.com/zbxw/202302/t20230224_11234567.htm")


def test_atom_feed_and_a_future_date_is_noted(web: RecordedWeb, tmp_path: Path, tagger) -> None:
    config = make_config(tmp_path, recorded_sources(web, CHINANEWS_ATOM))
    outcome = collect(config, tagger).outcomes[CHINANEWS_ATOM[0]]
    assert outcome.fetched == 2
    assert any("'2099-01-01T08:00:00+08:00' is in the future, clamped" in note for note in outcome.notes)


def test_feed_page_with_weak_header_and_gbk_meta(web: RecordedWeb, tmp_path: Path, tagger) -> None:
    # The sohu page is served as ISO-8859-1 with <meta charset=GBK>: the meta wins, nothing is guessed.
    config = make_config(tmp_path, recorded_sources(web, CHINANEWS))
    collected = collect(config, tagger)
    row = next(row for row in collected.articles if row["url"].endswith("/cj/2004/10-21/0001.shtml"))
    assert row["title"].startswith("民间资本成投资活动的主体")
    assert not collected.outcomes[CHINANEWS[0]].notes


def test_redirected_article_keeps_the_identity_of_the_discovered_url(web: RecordedWeb, tmp_path: Path, tagger) -> None:
    config = make_config(tmp_path, recorded_sources(web, GOOGLE_ZIBO))
    (row,) = collect(config, tagger).articles
    assert row["url"] == web.url("https://news.google.com/rss/articles/CBMiZibo0001?oc=5")
    assert row["title"] == "淄博市在深圳举办招商推介会 签约项目42个"


def test_links_to_private_addresses_are_refused_unless_allowed(web: RecordedWeb, tmp_path: Path, tagger) -> None:
    config = make_config(tmp_path, recorded_sources(web, GOOGLE_ZIBO), allow_private_networks=False)
    collected = collect(config, tagger)
    outcome = collected.outcomes[GOOGLE_ZIBO[0]]
    # The feed is configured (trusted); its link leads to another local site after a redirect.
    assert outcome.source_error is None and collected.articles == []
    (error,) = outcome.errors
    assert "resolves to non-public address 127.0.0.1, refused" in error


def test_second_run_gets_304_or_unchanged_and_fetches_no_article(web: RecordedWeb, tmp_path: Path, tagger) -> None:
    sources = [GIA, RTHK, ZBNEWS, DZWWW_SITEMAP]
    config = make_config(tmp_path, recorded_sources(web, *sources))
    collect(config, tagger)
    log_start = len(web.requests)
    second = collect(config, tagger)
    assert all(o.not_modified and o.fetched == 0 for o in second.outcomes.values())
    assert second.articles == []
    # robots.txt is read once per host per run; beyond it, only the listings were asked for.
    requested = [r for r in web.requests[log_start:] if r.path != "/robots.txt"]
    listing_answers = {(r.host, r.status) for r in requested}
    assert listing_answers == {
        ("www.info.gov.hk", 304),  # ETag
        ("rthk.hk", 200),  # no validators: same body hash, so "unchanged" and not parsed
        ("www.zbnews.net", 200),
        ("zb.dzwww.com", 304),
    }
    assert len(requested) == len(sources)


def test_failed_article_is_retried_when_due_even_if_the_listing_is_unchanged(
    web: RecordedWeb, tmp_path: Path, tagger
) -> None:
    config = make_config(tmp_path, recorded_sources(web, GIA))
    first = collect(config, tagger)
    (stored,) = first.articles
    # Pretend the article's fetch failed two hours ago, its retry due by now.
    with store.open_database(config.database_path) as db:
        failure = FetchFailure(url=stored["url"], error="earlier failure", canonical_url=stored["url"])
        store.record_failure(db, 1, GIA[0], failure, datetime.now(CHINA) - timedelta(hours=2), stored["url"])
    log_start = len(web.requests)
    again = collect(config, tagger).outcomes[GIA[0]]
    assert again.not_modified and (again.fetched, again.taken) == (1, 1)  # fetched, and found stored already
    assert any(stored["url"].endswith(r.path) for r in web.requests[log_start:] if r.path.endswith(".htm"))


def test_listing_429_defers_the_source_in_later_runs(web: RecordedWeb, tmp_path: Path, tagger) -> None:
    source = {"name": "busy", "kind": "rss", "url": web.fault_url("/status/429", host=BUSY_HOST)}
    config = make_config(tmp_path, [source])
    outcome = collect(config, tagger).outcomes["busy"]
    assert "HTTP 429, the server asks to retry after" in outcome.source_error
    with store.open_database(config.database_path) as db:
        assert db["sources"].get("busy")["retry_after"] is not None
    before = len(web.requests_to(BUSY_HOST))
    for _ in range(2):  # the run that skips the source keeps the deferral for the one after it
        skipped = collect(config, tagger).outcomes["busy"]
        assert skipped.source_error is None and "asked to wait until" in skipped.notes[0]
    assert len(web.requests_to(BUSY_HOST)) == before


FAULT_LISTINGS = {
    "html served as a feed": ("/html-as-feed", "not an RSS or Atom feed (it is an HTML page)"),
    "empty feed": ("/empty-feed", "empty response, not a feed"),
    "feed is a 404": ("/status/404", "HTTP 404 Not Found"),
    "feed trickles": ("/trickle", "deadline of 2 s passed"),
}
FAULT_ARTICLES = {
    "/trickle": "deadline of 2 s passed",
    "/gzip-bomb": "over max_bytes (5000000) once decoded",
    "/huge": "over max_bytes (5000000) once decoded",
    "/reset": "connection broken while reading",
    "/redirect-loop": "redirect loop",
    "/redirect-chain": "more than 5 redirects",
    "/redirect-file": "redirect to a file: URL refused",
    "/status/500": "HTTP 500 Internal Server Error",
    "/status/404": "HTTP 404 Not Found",
    "/status/410": "HTTP 410 Gone",
}


@pytest.mark.slow
def test_every_fault_ends_as_a_failure_while_the_rest_goes_on(web: RecordedWeb, tmp_path: Path, tagger) -> None:
    sources = [{"name": "faults", "kind": "rss", "url": web.fault_url("/feed.xml")}]
    sources += [{"name": name, "kind": "rss", "url": web.fault_url(path)} for name, (path, _) in FAULT_LISTINGS.items()]
    sources += [{"name": "busy", "kind": "rss", "url": web.fault_url("/status/429", host=BUSY_HOST)}]
    sources += recorded_sources(web, GIA)
    config = make_config(tmp_path, sources)
    collected = collect(config, tagger)

    faults = collected.outcomes["faults"]
    errors = {row["url"].removeprefix(web.fault_url("")): row["error"] for row in collected.errors}
    assert set(errors) >= set(FAULT_ARTICLES)
    for path, reason in FAULT_ARTICLES.items():
        assert reason in errors[path], path
        assert errors[path].startswith(web.fault_url(path))  # one line naming the URL
    with store.open_database(config.database_path) as db:
        ledger = {row["discovered_url"]: row["status"] for row in db["urls"].rows}
    assert ledger[web.fault_url("/status/410")] == "gone" and ledger[web.fault_url("/status/404")] == "failed"
    # The good page, the one behind a redirect and the flaky one (503 twice) all arrive.
    assert faults.new + faults.duplicates + faults.off_topic == 3
    assert len(faults.errors) == len(FAULT_ARTICLES)
    for name, (_path, reason) in FAULT_LISTINGS.items():
        assert reason in collected.outcomes[name].source_error, name
    assert "HTTP 429" in collected.outcomes["busy"].source_error
    assert collected.outcomes[GIA[0]].fetched == 2 and collected.outcomes[GIA[0]].source_error is None
