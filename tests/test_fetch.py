"""The run's HTTP client against the recorded web on 127.0.0.1: deadline, size cap, redirects, retries,
conditional GET, robots.txt, pacing and the private-address guard. No mocks: real sockets, real servers."""

from __future__ import annotations

import time

import pytest
from webfixtures import TEST_TIMEOUT_S, fetch_settings_for_tests, recorded_web_fixture  # noqa: F401

from newsmon.errors import FetchError
from newsmon.fetch import Fetcher, HTTPStatusError, RetryLater, UnsafeAddress
from newsmon.recorded_web import BUSY_HOST, RecordedWeb
from newsmon.records import Validators
from newsmon.robots import RobotsRefused

GIA_FEED = "https://www.info.gov.hk/gia/rss/general_zh.xml"


@pytest.fixture
def fetcher():
    with Fetcher(fetch_settings_for_tests()) as client:
        yield client


def paths_requested(web: RecordedWeb, host: str) -> list[str]:
    return [request.path for request in web.requests_to(host)]


def test_gzipped_page_is_decoded_and_carries_validators(web: RecordedWeb, fetcher: Fetcher) -> None:
    page = fetcher.fetch(web.url(GIA_FEED))
    assert page.status == 200
    assert "香港特別行政區政府新聞公報".encode() in page.content
    assert page.validators.etag and page.validators.last_modified and page.validators.body_hash


def test_conditional_get_with_etag_gets_304(web: RecordedWeb, fetcher: Fetcher) -> None:
    first = fetcher.fetch(web.url(GIA_FEED))
    again = fetcher.fetch(web.url(GIA_FEED), validators=first.validators)
    assert again.not_modified and again.content == b""
    assert web.requests_to("www.info.gov.hk")[-1].if_none_match == first.validators.etag


def test_conditional_get_with_last_modified_only(web: RecordedWeb, fetcher: Fetcher) -> None:
    url = web.url("https://www.zibo.gov.cn/col/col1234/index.html")
    first = fetcher.fetch(url)
    assert first.validators.etag is None and first.validators.last_modified
    assert fetcher.fetch(url, validators=first.validators).not_modified


def test_trickling_server_stops_at_the_wall_clock_deadline(web: RecordedWeb, fetcher: Fetcher) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="deadline of 2 s passed"):
        fetcher.fetch(web.fault_url("/trickle"))
    elapsed = time.monotonic() - started
    print(f"trickle ended after {elapsed:.2f} s (timeout_s {TEST_TIMEOUT_S})")
    assert elapsed < TEST_TIMEOUT_S + 1.0


def test_gzip_bomb_stops_at_max_bytes(web: RecordedWeb, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=r"over max_bytes \(5000000\) once decoded"):
        fetcher.fetch(web.fault_url("/gzip-bomb"))


def test_30_mb_body_without_length_stops_at_max_bytes(web: RecordedWeb, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=r"over max_bytes"):
        fetcher.fetch(web.fault_url("/huge"))


def test_declared_length_over_the_cap_is_refused_before_reading() -> None:
    with (
        RecordedWeb() as recorded,
        Fetcher(fetch_settings_for_tests(max_bytes=500)) as small,
        pytest.raises(FetchError, match=r"body of \d+ bytes is over max_bytes \(500\)"),
    ):
        small.fetch(recorded.url("https://www.zbnews.net/content/2023-02/23/content_8812345.htm"))


def test_redirect_loop_is_detected(web: RecordedWeb, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher.fetch(web.fault_url("/redirect-loop"))


def test_endless_redirect_chain_stops_at_max_redirects(web: RecordedWeb, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher.fetch(web.fault_url("/redirect-chain"))


def test_redirect_to_file_url_is_refused(web: RecordedWeb, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=r"redirect to a file: URL refused \(file:///etc/passwd\)"):
        fetcher.fetch(web.fault_url("/redirect-file"))


def test_redirect_is_followed_and_error_names_the_discovered_url(web: RecordedWeb, fetcher: Fetcher) -> None:
    page = fetcher.fetch(web.fault_url("/redirect-ok"))
    assert page.url == web.fault_url("/redirect-ok")
    assert page.final_url == web.fault_url("/article.html")


def test_server_error_is_retried_then_reported(web: RecordedWeb, fetcher: Fetcher) -> None:
    before = paths_requested(web, "faults.example").count("/status/500")
    with pytest.raises(FetchError, match=r"HTTP 500 Internal Server Error \(after \d attempts\)"):
        fetcher.fetch(web.fault_url("/status/500"))
    assert paths_requested(web, "faults.example").count("/status/500") - before >= 2


def test_flaky_server_succeeds_on_retry(web: RecordedWeb, fetcher: Fetcher) -> None:
    page = fetcher.fetch(web.fault_url("/flaky"))
    assert page.status == 200 and "淄博".encode() in page.content


def test_404_and_410(web: RecordedWeb, fetcher: Fetcher) -> None:
    with pytest.raises(HTTPStatusError, match="HTTP 404 Not Found") as missing:
        fetcher.fetch(web.fault_url("/status/404"))
    assert not missing.value.permanent
    with pytest.raises(HTTPStatusError, match="HTTP 410 Gone") as gone:
        fetcher.fetch(web.fault_url("/status/410"))
    assert gone.value.permanent


def test_429_with_retry_after_defers_the_host_without_sleeping(web: RecordedWeb, fetcher: Fetcher) -> None:
    started = time.monotonic()
    with pytest.raises(RetryLater, match="HTTP 429, the server asks to retry after") as asked:
        fetcher.fetch(web.fault_url("/status/429", host=BUSY_HOST))
    assert asked.value.requested
    requests_before = len(web.requests_to(BUSY_HOST))
    with pytest.raises(RetryLater, match="not requested") as deferred:
        fetcher.fetch(web.fault_url("/article.html", host=BUSY_HOST))
    assert not deferred.value.requested
    assert len(web.requests_to(BUSY_HOST)) == requests_before
    assert time.monotonic() - started < 1.0


def test_connection_reset_mid_body(web: RecordedWeb, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="connection broken while reading"):
        fetcher.fetch(web.fault_url("/reset"))


def test_robots_disallowed_url_is_never_requested(web: RecordedWeb, fetcher: Fetcher) -> None:
    url = web.url("https://www.zbnews.net/content/draft/2023-02/23/content_8812300.htm")
    with pytest.raises(RobotsRefused):
        fetcher.fetch(url)
    fetcher.fetch(web.url("https://www.zbnews.net/"))
    fetcher.fetch(web.url("https://www.zbnews.net/content/2023-02/23/content_8812345.htm"))
    paths = paths_requested(web, "www.zbnews.net")
    assert "/content/draft/2023-02/23/content_8812300.htm" not in paths
    assert paths.count("/robots.txt") == 1


def test_robots_ignored_when_not_respected(web: RecordedWeb) -> None:
    with Fetcher(fetch_settings_for_tests(respect_robots=False)) as rude, pytest.raises(HTTPStatusError, match="404"):
        rude.fetch(web.url("https://www.zbnews.net/content/draft/2023-02/23/content_8812300.htm"))


def test_private_addresses_are_refused_unless_allowed(web: RecordedWeb) -> None:
    url = web.url("https://www.zbnews.net/content/2023-02/23/content_8812345.htm")
    before = len(web.requests_to("www.zbnews.net"))
    with Fetcher(fetch_settings_for_tests(allow_private_networks=False)) as guarded:
        with pytest.raises(UnsafeAddress, match=r"127\.0\.0\.1 resolves to non-public address 127\.0\.0\.1, refused"):
            guarded.fetch(url)
        assert len(web.requests_to("www.zbnews.net")) == before
        # A configured listing URL is the user's choice: it is fetched, and so are links to its own site.
        assert guarded.fetch(web.url("https://www.zbnews.net/"), trusted=True).status == 200
        assert guarded.fetch(url).status == 200
        with pytest.raises(UnsafeAddress):
            guarded.fetch(web.url("https://www.zibo.gov.cn/col/col1234/index.html"))


def test_per_host_pacing_spaces_requests_to_one_host_only(web: RecordedWeb) -> None:
    with Fetcher(fetch_settings_for_tests(per_host_interval_s=0.3, respect_robots=False)) as paced:
        started = time.monotonic()
        for _ in range(3):
            paced.fetch(web.fault_url("/article.html"))
        same_host = time.monotonic() - started
        started = time.monotonic()
        paced.fetch(web.url("https://www.zibo.gov.cn/col/col1234/index.html"))
        other_host = time.monotonic() - started
    assert same_host >= 0.6
    assert other_host < 0.3


def test_unchanged_validators_are_sent_back(web: RecordedWeb, fetcher: Fetcher) -> None:
    stale = Validators(etag='"not-the-current-one"', last_modified=None)
    page = fetcher.fetch(web.url(GIA_FEED), validators=stale)
    assert page.status == 200
