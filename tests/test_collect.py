"""collect_source against the recorded web: listings of every kind, article pages, the URL ledger,
conditional GET, retries of failed URLs, and every fault ending as a failure while the rest goes on.
Plain functions, no Prefect; the database is a real SQLite file."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from webfixtures import (
    CHINANEWS,
    CHINANEWS_ATOM,
    DZWWW_SITEMAP,
    GIA,
    GOOGLE_ZIBO,
    RTHK,
    TEST_TIMEOUT_S,
    ZBNEWS,
    fetch_settings_for_tests,
    recorded_sources,
    recorded_web_fixture,  # noqa: F401
)

from newsmon import clock, pipeline, store
from newsmon.collect import RunContext, collect_source
from newsmon.config import Config, parse_config
from newsmon.fetch import Fetcher
from newsmon.recorded_web import BUSY_HOST, RecordedWeb
from newsmon.records import FetchFailure, Harvest

REPO = Path(__file__).resolve().parent.parent


def make_config(tmp_path: Path, sources: list[dict], **fetch: object) -> Config:
    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    raw |= {"database": str(tmp_path / "news.db"), "seed": [], "sources": sources}
    raw["fetch"] = fetch_settings_for_tests(**fetch).model_dump()
    return parse_config(raw, tmp_path / "config.yaml")


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Callable[..., RunContext]]:
    """`run(config)` -> a RunContext with a fresh Fetcher and the sources' stored state, as the flow builds it."""
    fetchers: list[Fetcher] = []

    def context(config: Config) -> RunContext:
        fetcher = Fetcher(config.fetch)
        fetchers.append(fetcher)
        with store.open_database(config.database_path) as db:
            store.sync_sources(db, [(s.name, s.kind, s.url) for s in config.sources])
            states = store.source_states(db)
        return RunContext(config, config.database_path, clock.now(), fetcher, states)

    yield context
    for fetcher in fetchers:
        fetcher.close()


def harvest_of(config: Config, context: RunContext, name: str) -> Harvest:
    return collect_source(next(s for s in config.sources if s.name == name), context)


def save(config: Config, harvest: Harvest, context: RunContext, tagger) -> None:
    """Store a harvest as the ingest flow does (`store_harvest`), at the context's time."""
    with store.open_database(config.database_path) as db:
        run_id = store.start_run(db, context.now)
        kind = next(source.kind for source in config.sources if source.name == harvest.source)
        pipeline.store_harvest(db, pipeline.InProcessAnalyser(tagger), harvest, kind, run_id, context.now)


def test_rss_source_yields_its_articles(web: RecordedWeb, tmp_path: Path, run) -> None:
    config = make_config(tmp_path, recorded_sources(web, GIA))
    harvest = harvest_of(config, run(config), GIA[0])
    assert harvest.source_failure is None and harvest.failures == ()
    titles = {article.title for article in harvest.articles}
    assert titles == {"政務司司長出席魯港科技創新合作大會", "泳灘水質每周報告"}
    assert harvest.pages_fetched == 2
    assert harvest.validators.etag and harvest.validators.last_modified
    article = next(a for a in harvest.articles if "魯港" in a.title)
    assert article.url == web.url("https://www.info.gov.hk/gia/general/202302/23/P2023022300321.htm")
    assert article.source == GIA[0]
    assert article.published_at.startswith("2023-02-23")


def test_gbk_page_declared_gb2312_decodes_exactly(web: RecordedWeb, tmp_path: Path, run) -> None:
    config = make_config(tmp_path, recorded_sources(web, ZBNEWS))
    harvest = harvest_of(config, run(config), ZBNEWS[0])
    article = next(a for a in harvest.articles if "王堃" in a.title)
    assert article.title == "博山陶琉新材料项目签约 深圳企业家王堃：看好淄博产业基础"
    assert "编辑：刘镕" not in article.body  # boilerplate stays out, and
    assert "博山区有关负责人刘镕表示" in article.body  # the GBK-only 镕 decodes
    assert "\ufffd" not in article.body
    assert not any("guessed" in note for note in harvest.notes)


def test_big5_hkscs_page_decodes_exactly(web: RecordedWeb, tmp_path: Path, run) -> None:
    config = make_config(tmp_path, recorded_sources(web, RTHK))
    (article,) = harvest_of(config, run(config), RTHK[0]).articles
    assert article.title == "屋邨居民盼港鐵新綫早日通車 大灣區往來更方便"
    for phrase in ("天耀邨", "佢哋嘅心願", "北環綫", "時間啱啱好"):
        assert phrase in article.body
    assert "\ufffd" not in article.body


def test_list_page_skips_robots_disallowed_links_without_requesting_them(web: RecordedWeb, tmp_path: Path, run) -> None:
    config = make_config(tmp_path, recorded_sources(web, ZBNEWS))
    harvest = harvest_of(config, run(config), ZBNEWS[0])
    assert harvest.skipped == 1
    assert len(harvest.articles) == 2
    assert not any("/content/draft/" in r.path for r in web.requests_to("www.zbnews.net"))
    # The list page's ?utm_source=index is no part of the article's identity.
    assert any(a.url.endswith("/content/2023-02/23/content_8812345.htm") for a in harvest.articles)


def test_gzipped_news_sitemap(web: RecordedWeb, tmp_path: Path, run) -> None:
    config = make_config(tmp_path, recorded_sources(web, DZWWW_SITEMAP))
    (article,) = harvest_of(config, run(config), DZWWW_SITEMAP[0]).articles
    assert article.title == "淄博牵手大湾区的想法与干法"
    assert article.url == web.url("https://zb.dzwww.com/zbxw/202302/t20230224_11234567.htm")


def test_atom_feed_and_a_future_date_is_noted(web: RecordedWeb, tmp_path: Path, run) -> None:
    config = make_config(tmp_path, recorded_sources(web, CHINANEWS_ATOM))
    harvest = harvest_of(config, run(config), CHINANEWS_ATOM[0])
    assert len(harvest.articles) == 2
    assert any("'2099-01-01T08:00:00+08:00' is in the future, clamped" in note for note in harvest.notes)


def test_feed_page_with_weak_header_and_gbk_meta(web: RecordedWeb, tmp_path: Path, run) -> None:
    # The sohu page is served as ISO-8859-1 with <meta charset=GBK>: the meta wins, nothing is guessed.
    config = make_config(tmp_path, recorded_sources(web, CHINANEWS))
    harvest = harvest_of(config, run(config), CHINANEWS[0])
    article = next(a for a in harvest.articles if a.url.endswith("/cj/2004/10-21/0001.shtml"))
    assert article.title.startswith("民间资本成投资活动的主体")
    assert not harvest.notes


def test_redirected_article_keeps_the_identity_of_the_discovered_url(web: RecordedWeb, tmp_path: Path, run) -> None:
    config = make_config(tmp_path, recorded_sources(web, GOOGLE_ZIBO))
    (article,) = harvest_of(config, run(config), GOOGLE_ZIBO[0]).articles
    assert article.url == web.url("https://news.google.com/rss/articles/CBMiZibo0001?oc=5")
    assert article.title == "淄博市在深圳举办招商推介会 签约项目42个"


def test_links_to_private_addresses_are_refused_unless_allowed(web: RecordedWeb, tmp_path: Path, run) -> None:
    config = make_config(tmp_path, recorded_sources(web, GOOGLE_ZIBO), allow_private_networks=False)
    harvest = harvest_of(config, run(config), GOOGLE_ZIBO[0])
    # The feed is configured (trusted); its link leads to another local site after a redirect.
    assert harvest.source_failure is None and harvest.articles == ()
    (failure,) = harvest.failures
    assert "resolves to non-public address 127.0.0.1, refused" in failure.error


def test_second_run_gets_304_or_unchanged_and_fetches_no_article(web: RecordedWeb, tmp_path: Path, run, tagger) -> None:
    sources = [GIA, RTHK, ZBNEWS, DZWWW_SITEMAP]
    config = make_config(tmp_path, recorded_sources(web, *sources))
    first = run(config)
    for source in config.sources:
        save(config, collect_source(source, first), first, tagger)
    log_start = len(web.requests)
    second = run(config)
    harvests = [collect_source(source, second) for source in config.sources]
    assert all(h.not_modified and h.pages_fetched == 0 and h.articles == () for h in harvests)
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
    print("second run requests:", [(r.host, r.path, r.status) for r in requested])


def test_failed_article_is_retried_when_due_even_if_the_listing_is_unchanged(
    web: RecordedWeb, tmp_path: Path, run, tagger
) -> None:
    config = make_config(tmp_path, recorded_sources(web, GIA))
    first = run(config)
    harvest = collect_source(config.sources[0], first)
    failed, stored = harvest.articles[0], harvest.articles[1]
    # Pretend the first article's fetch failed in that run, with its retry due by the next one.
    fake = replace(
        harvest,
        articles=(stored,),
        failures=(FetchFailure(url=failed.url, error="earlier failure", canonical_url=failed.url),),
    )
    save(config, fake, replace(first, now=first.now - timedelta(hours=2)), tagger)
    second = run(config)
    again = collect_source(config.sources[0], second)
    assert again.not_modified
    assert [article.url for article in again.articles] == [failed.url]


def test_listing_429_defers_the_source_in_later_runs(web: RecordedWeb, tmp_path: Path, run, tagger) -> None:
    source = {"name": "busy", "kind": "rss", "url": web.fault_url("/status/429", host=BUSY_HOST)}
    config = make_config(tmp_path, [source])
    started = time.monotonic()
    first = run(config)
    harvest = collect_source(config.sources[0], first)
    assert time.monotonic() - started < 1.0
    assert "HTTP 429, the server asks to retry after" in harvest.source_failure.error
    assert harvest.retry_after is not None
    save(config, harvest, first, tagger)
    before = len(web.requests_to(BUSY_HOST))
    for _ in range(2):  # the run that skips the source keeps the deferral for the one after it
        later = run(config)
        skipped = collect_source(config.sources[0], later)
        assert skipped.source_failure is None and "asked to wait until" in skipped.notes[0]
        save(config, skipped, later, tagger)
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
def test_every_fault_ends_as_a_failure_and_the_fault_set_finishes_within_twice_the_timeout(
    web: RecordedWeb, tmp_path: Path, run
) -> None:
    sources = [{"name": "faults", "kind": "rss", "url": web.fault_url("/feed.xml")}]
    sources += [{"name": name, "kind": "rss", "url": web.fault_url(path)} for name, (path, _) in FAULT_LISTINGS.items()]
    sources += [{"name": "busy", "kind": "rss", "url": web.fault_url("/status/429", host=BUSY_HOST)}]
    sources += recorded_sources(web, GIA)
    config = make_config(tmp_path, sources)
    context = run(config)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(config.sources)) as pool:  # as the flow's task runner does
        harvests = {h.source: h for h in pool.map(lambda s: collect_source(s, context), config.sources)}
    elapsed = time.monotonic() - started
    print(f"fault set: {elapsed:.2f} s; twice timeout_s = {2 * TEST_TIMEOUT_S:.2f} s")
    assert elapsed < 2 * TEST_TIMEOUT_S

    faults = harvests["faults"]
    errors = {failure.url.removeprefix(web.fault_url("")): failure for failure in faults.failures}
    assert set(errors) == {path for path in FAULT_ARTICLES}
    for path, reason in FAULT_ARTICLES.items():
        assert reason in errors[path].error, path
        assert errors[path].error.startswith(web.fault_url(path))  # one line naming the URL
        assert errors[path].canonical_url  # goes to the ledger, retried with backoff or gone
    assert errors["/status/410"].permanent and not errors["/status/404"].permanent
    # The good page, the one behind a redirect and the flaky one (503 twice) all arrive.
    assert len(faults.articles) == 3
    for name, (_path, reason) in FAULT_LISTINGS.items():
        assert reason in harvests[name].source_failure.error, name
    assert "HTTP 429" in harvests["busy"].source_failure.error
    assert len(harvests[GIA[0]].articles) == 2 and harvests[GIA[0]].source_failure is None
