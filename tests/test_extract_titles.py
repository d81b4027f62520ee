"""Headlines: the <title> confirms a heading; site names go, wherever the <title> puts them."""

from __future__ import annotations

import pytest

from parsers.article import extract_article
from parsers.titles import strip_site_name

TEXT = (
    "<div class=content><p>2月23日上午，张店区2023年重点项目集中开工仪式举行，共有32个项目集中开工，总投资156亿元。</p>"
    "<p>据了解，本次开工项目涵盖新材料、智能装备、新医药等领域，预计年内完成投资60亿元。</p></div>"
)


@pytest.mark.parametrize(
    ("page_title", "headline"),
    [
        ("淄博牵手大湾区的想法与干法_淄博新闻网", "淄博牵手大湾区的想法与干法"),
        ("港特首梁振英就住宅违建事件道歉 - BBC中文网 - 两岸三地", "港特首梁振英就住宅违建事件道歉"),
        ("四年前中500万现穷困潦倒 一夜暴富后如何经营__商贸_新浪网", "四年前中500万现穷困潦倒 一夜暴富后如何经营"),
        ("土豆不“土” 土豆无“土” 松花江网", "土豆不“土” 土豆无“土”"),
        ("千龙网--汽车--广汽回应现代合资内幕 全面合作项目即将展开", "广汽回应现代合资内幕 全面合作项目即将展开"),
        ("书记市长这一周 | 奋马扬鞭争春色，“虎”力全开向未来", "书记市长这一周 | 奋马扬鞭争春色，“虎”力全开向未来"),
    ],
)
def test_site_names_are_cut_but_bars_and_spaces_inside_headlines_stay(page_title: str, headline: str) -> None:
    assert strip_site_name(page_title) == headline


def test_a_site_logo_in_h1_is_not_the_headline() -> None:
    head = "<head><title>张店区重点项目集中开工 - 齐鲁晚报</title></head>"
    html = f"<html>{head}<body><h1>齐鲁晚报</h1>{TEXT}</body></html>"
    article = extract_article(html, "https://www.example.cn/a.html")
    assert (article.title, article.publisher) == ("张店区重点项目集中开工", "齐鲁晚报")


def test_without_any_title_markup_the_plain_line_above_the_text_is_the_headline() -> None:
    html = f"<html><body><p><b>张店区重点项目集中开工</b></p><p>记者 王凯</p>{TEXT}</body></html>"
    article = extract_article(html, "https://www.example.cn/a.html")
    assert (article.title, article.author) == ("张店区重点项目集中开工", "王凯")
    assert article.body.startswith("2月23日上午")


def test_corpus_wrapper_title_stands_in_for_a_missing_title_element() -> None:
    wrapper = '<text id="http://x" title="淄博新闻网--张店区重点项目集中开工" encoding="gbk">'
    html = f"{wrapper}\n<html><body>{TEXT}</body></html>"
    assert extract_article(html, "http://x").title == "张店区重点项目集中开工"
