"""parsers.article on real Chinese news pages: every field pinned, one corpus page per test."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from newsmon.records import Article
from parsers.article import extract_article
from parsers.charset import decode_bytes

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def extract(name: str) -> tuple[Article, dict]:
    """The article newsmon extracts from corpus page `name`, and the page's expected fields."""
    expected = json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))
    html = decode_bytes((CORPUS / f"{name}.html").read_bytes()).text
    return extract_article(html, expected["url"] or f"file:///corpus/{name}.html"), expected


def body_f1(found: str, expected: str) -> float:
    """F1 of the character bigrams of two texts, whitespace ignored (the benchmark's body score)."""

    def bigrams(text: str) -> Counter[str]:
        text = re.sub(r"\s+", "", text)
        return Counter(text[i : i + 2] for i in range(len(text) - 1))

    got, want = bigrams(found), bigrams(expected)
    common = sum((got & want).values())
    return 2 * common / (sum(got.values()) + sum(want.values()))


def test_bbc_keeps_the_stated_gmt_time_and_drops_the_site_from_the_title() -> None:
    article, expected = extract("001")
    assert article.title == "港特首梁振英就住宅违建事件道歉"  # <title>: "… - BBC中文网 - 两岸三地"
    assert article.published_at == "2012-12-10T10:41:00+00:00"  # 更新时间 …, 格林尼治标准时间10:41
    assert article.publisher == "BBC中文网"
    assert article.author is None
    assert "2014年1月9日" not in article.body  # dates of the "headlines" box
    assert body_f1(article.body, expected["body"]) > 0.93  # the expected text drops the “quotes”


def test_government_cms_page_reads_title_time_and_byline() -> None:
    article, expected = extract("002")
    assert article.title == "为现代化巴彦淖尔建设凝聚强大智慧和力量——热烈祝贺市政协五届一次会议开幕"
    assert article.published_at == "2022-02-11T09:52:00+08:00"
    assert (article.author, article.publisher) == ("苏亮", "巴彦淖尔日报")  # 来源：巴彦淖尔日报 编辑：苏亮
    assert "打印本页" not in article.body
    assert "编辑：苏亮" not in article.body
    assert body_f1(article.body, expected["body"]) > 0.98


def test_title_with_a_bar_inside_is_kept_whole() -> None:
    article, expected = extract("003")
    assert article.title == "书记市长这一周 | 奋马扬鞭争春色，“虎”力全开向未来"
    assert article.published_at == "2022-02-13T20:04:17+08:00"
    assert article.author == "徐睿翔"  # 整合 新华日报·交汇点记者 徐睿翔
    assert article.body.startswith("春潮声声、踔厉奋发。")
    assert body_f1(article.body, expected["body"]) > 0.99


def test_heading_split_over_two_lines_is_joined_with_a_space() -> None:
    article, expected = extract("004")
    assert article.title == "内蒙古延续部分到期税收优惠政策助企纾困 预计4年为纳税人减负180亿元"
    assert article.published_at == "2022-02-11T08:52:00+08:00"
    assert article.publisher == "内蒙古日报"
    assert body_f1(article.body, expected["body"]) > 0.98


def test_publish_date_wins_over_the_documents_own_date() -> None:
    article, expected = extract("006")
    assert article.title == expected["title"]
    assert article.published_at == "2022-01-28"  # 发布日期, not 成文日期 2022年01月27日; no time shown
    paragraphs = article.body.split("\n")
    assert paragraphs[0] == "吉林省人民政府关于禁止在"  # the notice's own heading, broken over lines, is its text
    assert paragraphs[-3:] == ["特此通告。", "吉林省人民政府", "2022年1月27日"]  # issuer and date close it
    assert body_f1(article.body, expected["body"]) > 0.85  # the page's document-info table is left out


def test_date_above_the_headline_and_reporter_in_the_first_sentence() -> None:
    article, expected = extract("007")
    assert article.title == "“厕所革命”改善农牧区人居环境"
    assert article.published_at == "2022-02-13"
    assert article.author == "格桑边觉"  # 据新华社拉萨电（记者 格桑边觉）
    assert article.body.startswith("去年改造户用卫生厕所4.66万座")
    assert "版权所有" not in article.body
    assert body_f1(article.body, expected["body"]) > 0.99


def test_newspaper_edition_page_has_no_publish_date() -> None:
    article, expected = extract("009")
    assert article.title == "拿起跨界“指挥棒”她跟学生“较着劲儿”成长"  # the same title also links from lists
    assert article.published_at is None  # only the edition picker shows a date
    assert article.author == "马俊峰"  # 河南商报记者马俊峰/文
    assert body_f1(article.body, expected["body"]) > 0.98


def test_old_table_page_without_title_element() -> None:
    article, expected = extract("010")
    assert article.title == "广汽回应现代合资内幕 全面合作项目即将展开"  # <div class="Heading">
    assert article.published_at == "2005-07-18T13:03:17+08:00"  # not one of the 15 related-link dates
    assert (article.author, article.publisher) == ("宋怡 杨志华", "21世纪经济报道")
    assert "相关报道" not in article.body
    assert body_f1(article.body, expected["body"]) > 0.99


def test_generic_title_element_falls_back_to_the_heading_above_the_text() -> None:
    article, expected = extract("013")
    assert article.title == "李简——新外科运动向我们走来"  # <title> is only 北医新闻网_(新闻)
    assert article.published_at is None
    assert article.author == "袁源"  # the closing （袁源）
    assert "（袁源）" not in article.body
    assert body_f1(article.body, expected["body"]) > 0.99


def test_article_paragraphs_inside_a_cell_full_of_links() -> None:
    article, expected = extract("014")
    assert article.title == "多数夫妻生活有名无实 日本无性婚姻问题严重(图)"
    assert article.published_at == "2005-04-05T06:40:00+08:00"
    assert (article.author, article.publisher) == ("山石", "新闻晨报")  # 来源：新闻晨报 编辑：山石
    assert "（2005-04-03 17:19PM）" not in article.body
    assert body_f1(article.body, expected["body"]) > 0.99


def test_sohu_byline_with_bracketed_author() -> None:
    article, expected = extract("016")
    assert article.title == "劳伦斯：一个无法定义的“洛克菲勒”"
    assert article.published_at == "2004-07-16T08:19:00+08:00"  # 2004年7月16日08:19
    assert (article.author, article.publisher) == ("黄宇", "国际金融报")  # [ 黄宇 ] 来源：[ 国际金融报 ]
    assert "我来说两句" not in article.body
    assert body_f1(article.body, expected["body"]) > 0.99


def test_xinhua_page_with_the_headline_twice() -> None:
    article, expected = extract("020")
    assert article.title == "短缺药品保供稳价 全力保障临床用药需求"
    assert article.published_at == "2023-11-17T20:52:15+08:00"
    assert article.publisher == "新华网"  # 来源：新华网 shown on the page, not meta source 新华社
    assert article.author == "张樵苏"  # only an editor is named: 【责任编辑:张樵苏 】
    assert "纠错" not in article.body
    assert body_f1(article.body, expected["body"]) > 0.99


def test_corpus_wrapper_line_declares_the_encoding() -> None:
    decoded = decode_bytes((CORPUS / "010.html").read_bytes())  # only <text ... encoding="gb2312"> says so
    assert (decoded.encoding, decoded.guessed) == ("gb18030", False)
    assert "广汽回应现代合资内幕" in decoded.text
