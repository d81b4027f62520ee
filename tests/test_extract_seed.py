"""parsers.article on the seed article served as a news page, with and without per-site rules."""

from __future__ import annotations

import pytest

from newsmon.errors import ExtractError
from parsers.article import SiteRules, extract_article
from tests.conftest import SEED_PAGE

PAGE = SEED_PAGE
URL = "https://www.zbnews.net/content/2023-02/23/content_10245.html"


@pytest.fixture(scope="module")
def html() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_seed_page_fields(html: str) -> None:
    article = extract_article(html, URL)
    assert article.url == URL
    assert article.title == "淄博牵手大湾区的想法与干法"
    assert article.published_at == "2023-02-23T10:30:00+08:00"
    assert article.publisher == "淄博日报"
    assert article.author == "王凯"
    assert article.source == ""


def test_seed_page_body_is_the_article_only(html: str) -> None:
    body = extract_article(html, URL).body
    assert body.startswith("2月20日,《粤港澳大湾区发展规划纲要》发布4周年")
    assert body.endswith("也是一个新兴产业的培育和引导。")
    assert "走上前去进行攀谈" in body
    assert "ChatGPT带来了人工智能" in body
    assert "产业与人才结合的路径" in body.split("\n")  # a subheading stays a paragraph of its own
    for boilerplate in (
        "淄博新闻",
        "当前位置",
        "字号",
        "来源：",
        "责任编辑",
        "分享到",
        "相关新闻",
        "热点排行",
        "版权所有",
    ):
        assert boilerplate not in body


def test_site_rules_win_over_the_generic_reading(html: str) -> None:
    rules = SiteRules(title=".crumb", body=".article-content", published=".time", author=".author", publisher=".source")
    article = extract_article(html, URL, rules)
    assert article.title == "当前位置：首页 > 淄博新闻 > 正文"  # whatever the rule selects
    assert article.published_at == "2023-02-23T10:30:00+08:00"
    assert (article.author, article.publisher) == ("王凯", "淄博日报")  # labels taken off the selected text
    assert article.body == extract_article(html, URL).body


def test_a_rule_that_selects_nothing_falls_back_to_the_generic_reading(html: str) -> None:
    article = extract_article(html, URL, SiteRules(title=".no-such-class", body="#gone", published=".gone"))
    assert article == extract_article(html, URL)


def test_a_bad_selector_is_an_extract_error_naming_url_and_selector(html: str) -> None:
    with pytest.raises(ExtractError, match=r"content_10245\.html.*'div\['"):
        extract_article(html, URL, SiteRules(body="div["))


@pytest.mark.parametrize(
    ("html", "missing"),
    [
        (
            "<html><head><title>淄博新闻网</title></head><body><ul><li><a href='/a'>首页</a></li></ul></body></html>",
            "text",
        ),
        ("<html><body><p>没有标题的页面，只有这一段话。</p></body></html>", "title"),
        ("<html><head><title>张店区重点项目集中开工</title></head></html>", "text"),
        ("<html><frameset><frame src='/a.html'></frameset></html>", "title"),
        ("", "HTML"),
    ],
)
def test_pages_without_title_or_text_raise_extract_error(html: str, missing: str) -> None:
    with pytest.raises(ExtractError, match=rf"^https://example\.invalid/a: .*{missing}"):
        extract_article(html, "https://example.invalid/a")
