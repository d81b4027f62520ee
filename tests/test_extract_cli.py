"""`newsmon extract FILE_OR_URL [--url URL]`: one page in, its article as JSON out, clear one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from newsmon.cli import main
from tests.conftest import SEED_PAGE

FIXTURES = Path(__file__).parent / "fixtures"
GBK_PAGE = FIXTURES / "corpus" / "016.html"  # GB2312 bytes behind a <text ... encoding="gbk"> wrapper line


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["extract", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_extract_prints_the_contract_fields_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(SEED_PAGE))
    assert code == 0
    record = json.loads(out)
    assert list(record) == ["title", "published_at", "author", "publisher", "body", "url"]
    assert record["title"] == "淄博牵手大湾区的想法与干法"
    assert record["published_at"] == "2023-02-23T10:30:00+08:00"
    assert record["url"] == f"file://{SEED_PAGE.absolute()}"
    assert "淄博牵手大湾区" in out  # Chinese printed as is, not as \\u escapes


def test_url_option_names_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    url = "http://business.sohu.com/20040716/n221031086.shtml"
    code, out, _ = run(capsys, str(GBK_PAGE), "--url", url)
    record = json.loads(out)
    assert code == 0
    assert record["url"] == url
    assert record["title"] == "劳伦斯：一个无法定义的“洛克菲勒”"  # decoded from GBK
    assert record["publisher"] == "国际金融报"


def test_unreadable_file_is_a_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "gone.html"
    code, out, err = run(capsys, str(missing))
    assert (code, out) == (1, "")
    assert err == f"newsmon: {missing}: cannot read (No such file or directory)\n"


def test_page_without_article_is_a_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    page = tmp_path / "nav.html"
    page.write_text("<html><head><title>首页</title></head><body><a href='/'>首页</a></body></html>", encoding="utf-8")
    code, _, err = run(capsys, str(page), "--url", "https://example.invalid/nav")
    assert code == 1
    assert err.startswith("newsmon: https://example.invalid/nav: ")
    assert err.count("\n") == 1


def test_extract_fetches_an_http_url(capsys: pytest.CaptureFixture[str], httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    httpserver.expect_request("/content/2023-02/23/content_10245.html").respond_with_data(
        SEED_PAGE.read_bytes(), content_type="text/html; charset=utf-8"
    )
    url = httpserver.url_for("/content/2023-02/23/content_10245.html")
    code, out, _ = run(capsys, url)
    record = json.loads(out)
    assert code == 0
    assert (record["url"], record["title"]) == (url, "淄博牵手大湾区的想法与干法")
    assert record["published_at"] == "2023-02-23T10:30:00+08:00"


def test_extract_reports_an_http_error_in_one_line(capsys: pytest.CaptureFixture[str], httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/gone.html").respond_with_data("not here", status=404)
    url = httpserver.url_for("/gone.html")
    code, out, err = run(capsys, url)
    assert (code, out) == (1, "")
    assert err.startswith(f"newsmon: {url}: ")
    assert "404" in err
    assert err.count("\n") == 1
