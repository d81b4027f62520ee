"""Which date on a page is its publish time: dateline versus metadata, labels, month-days without a year."""

from __future__ import annotations

import pytest

from parsers.article import extract_article

TEXT = (
    "<div class=content><p>2月23日上午，张店区2023年重点项目集中开工仪式举行，共有32个项目集中开工，总投资156亿元。</p>"
    "<p>据了解，本次开工项目涵盖新材料、智能装备、新医药等领域，预计年内完成投资60亿元。</p></div>"
    "<ul class=related><li><a href=/x>周村古商城客流创新高</a> 2022-12-01</li>"
    "<li><a href=/y>临淄齐文化节开幕</a> 2022-11-20</li></ul>"
    "<div class=footer>Copyright © 2024 淄博新闻网 版权所有</div>"
)


def page(dateline: str, head: str = "") -> str:
    return (
        f"<html><head><title>张店区重点项目集中开工_淄博新闻网</title>{head}</head><body>"
        f"<div class=nav><a href=/>首页</a> <a href=/news>新闻</a></div>"
        f"<h1>张店区重点项目集中开工</h1><div class=info>{dateline} 来源：淄博晚报</div>{TEXT}</body></html>"
    )


@pytest.mark.parametrize(
    ("dateline", "url", "published"),
    [
        ("02-23 10:30", "https://www.zbnews.net/content/2023-02/23/content_1.html", "2023-02-23T10:30:00+08:00"),
        ("2月23日 10:30", "https://www.zbnews.net/html/20230223/1.html", "2023-02-23T10:30:00+08:00"),
        ("2月23日 10:30", "https://www.zbnews.net/content/1.html", None),  # no year anywhere: left out
        ("", "https://www.zbnews.net/content/1.html", None),  # not the related links' nor the footer's date
    ],
)
def test_month_day_takes_its_year_only_from_evidence(dateline: str, url: str, published: str | None) -> None:
    assert extract_article(page(dateline), url).published_at == published


def test_page_time_wins_when_metadata_states_the_same_moment_in_utc() -> None:
    head = '<meta property="article:published_time" content="2023-02-23T02:30:00Z">'
    article = extract_article(page("2023年02月23日 10:30", head), "https://www.zbnews.net/a.html")
    assert article.published_at == "2023-02-23T10:30:00+08:00"


def test_metadata_wins_when_the_page_shows_another_day() -> None:
    head = '<meta name="PubDate" content="2023-02-22 18:00">'
    article = extract_article(page("更新时间：2023-02-23 10:30", head), "https://www.zbnews.net/a.html")
    assert article.published_at == "2023-02-22T18:00:00+08:00"


def test_metadata_midnight_is_a_date_without_time() -> None:
    head = '<meta name="PubDate" content="2023-02-23 00:00:00">'
    article = extract_article(page("", head), "https://www.zbnews.net/a.html")
    assert article.published_at == "2023-02-23"
