"""`newsmon run` on the recorded web, through the real Prefect flow: faults end as `fetch_errors` rows
while the rest is stored, and a second run against the unchanged web refetches no article page."""

from __future__ import annotations

import pytest
from sqlite_utils import Database
from webfixtures import (
    CHINANEWS,
    DZWWW_SITEMAP,
    GIA,
    RTHK,
    ZBNEWS,
    ZIBO_GOV,
    fetch_settings_for_tests,
    recorded_sources,
    recorded_web_fixture,  # noqa: F401
)

from newsmon.recorded_web import RecordedWeb
from tests.conftest import run_cli, write_config_file

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
LISTINGS = [GIA, RTHK, CHINANEWS, ZBNEWS, ZIBO_GOV, DZWWW_SITEMAP]


@pytest.fixture(scope="module")
def two_runs(web: RecordedWeb, tmp_path_factory):
    sources = [
        *recorded_sources(web, *LISTINGS),
        {"name": "faults", "kind": "rss", "url": web.fault_url("/feed.xml")},
        {"name": "html-as-feed", "kind": "rss", "url": web.fault_url("/html-as-feed")},
    ]
    fetch = fetch_settings_for_tests().model_dump()
    config = write_config_file(tmp_path_factory.mktemp("web-run"), {"sources": sources, "fetch": fetch})
    first = run_cli("run", "--config", str(config))
    second_start = len(web.requests)
    second = run_cli("run", "--config", str(config))
    return config, first, second, web.requests[second_start:]


def database(config) -> Database:
    return Database(config.parent / "db" / "news.db")


def test_runs_complete_with_summary(two_runs) -> None:
    _, (first_code, first_output), (second_code, _), _ = two_runs
    assert (first_code, second_code) == (0, 0)
    squeezed = "".join(first_output.split())  # the summary table wraps long lines at the console width
    assert "notanRSSorAtomfeed(itisanHTMLpage)" in squeezed


def test_every_fault_is_a_fetch_errors_row_naming_the_discovered_url(web: RecordedWeb, two_runs) -> None:
    config, *_ = two_runs
    db = database(config)
    first_run = db.execute("SELECT min(id) FROM runs").fetchone()[0]
    rows = list(db.query("SELECT source, url, error FROM fetch_errors WHERE run_id = ?", [first_run]))
    by_url = {row["url"]: row for row in rows}
    for path in ("/trickle", "/gzip-bomb", "/huge", "/reset", "/redirect-loop", "/redirect-file", "/status/410"):
        row = by_url[web.fault_url(path)]
        assert row["source"] == "faults" and row["error"].startswith(web.fault_url(path))
        assert "\n" not in row["error"]
    assert by_url[web.fault_url("/html-as-feed")]["source"] == "html-as-feed"
    gone = db.execute("SELECT status FROM urls WHERE url = ?", [web.fault_url("/status/410")]).fetchone()
    assert gone == ("gone",)
    runs = list(db.query("SELECT status, sources_failed FROM runs ORDER BY id"))
    assert [run["status"] for run in runs] == ["completed", "completed"]


def test_articles_of_healthy_sources_are_stored(web: RecordedWeb, two_runs) -> None:
    config, *_ = two_runs
    db = database(config)
    titles = {row["title"] for row in db.query("SELECT title FROM articles")}
    assert "博山陶琉新材料项目签约 深圳企业家王堃：看好淄博产业基础" in titles
    assert "屋邨居民盼港鐵新綫早日通車 大灣區往來更方便" in titles
    assert "政務司司長出席魯港科技創新合作大會" in titles
    sources = {row["name"]: row for row in db.query("SELECT * FROM sources")}
    assert sources[GIA[0]]["etag"] and sources[GIA[0]]["last_modified"]
    assert sources[RTHK[0]]["body_hash"] and not sources[RTHK[0]]["etag"]


def test_second_run_refetches_no_article_and_gets_304_or_unchanged(web: RecordedWeb, two_runs) -> None:
    config, _, _, second_requests = two_runs
    listing_paths = {web.url(url).removeprefix(web.origin(_host(url))) for _, _, url, _ in LISTINGS}
    fetched = [(r.host, r.path, r.status) for r in second_requests if r.path != "/robots.txt"]
    print("second run asked for:", fetched)
    recorded_pages = [f for f in fetched if f[0] != "faults.example"]
    assert {path for _, path, _ in recorded_pages} == listing_paths  # listings only, no article page
    for host, _path, status in recorded_pages:
        assert status == 304 or host in {"rthk.hk", "www.zbnews.net"}  # these send no validators
    db = database(config)
    second_run = db.execute("SELECT max(id) FROM runs").fetchone()[0]
    statuses = dict(db.execute("SELECT name, last_status FROM sources").fetchall())
    for name, *_ in LISTINGS:
        assert statuses[name] == "not_modified", name
    assert db.execute("SELECT articles_new FROM runs WHERE id = ?", [second_run]).fetchone() == (0,)


def _host(url: str) -> str:
    return url.split("/")[2]
