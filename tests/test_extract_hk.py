"""parsers.article on a Hong Kong government press release: traditional Chinese, the date and time at the end."""

from __future__ import annotations

from pathlib import Path

from parsers.article import extract_article

PAGE = Path(__file__).parent / "fixtures" / "pages" / "hk_press_release.html"
URL = "https://www.info.gov.hk/gia/general/202405/01/P2024050100512.htm"


def test_press_release_closing_date_and_hong_kong_time() -> None:
    article = extract_article(PAGE.read_text(encoding="utf-8"), URL)
    assert article.title == "食物安全中心公布四月份食物安全報告"
    # `2024年5月1日（星期三）` then `香港時間16時30分` on the next line, after the text; not the footer's date
    assert article.published_at == "2024-05-01T16:30:00+08:00"
    paragraphs = article.body.split("\n")
    assert paragraphs[0].startswith("食物環境衞生署食物安全中心今日（五月一日）公布四月份的食物安全報告。")
    assert paragraphs[-1].endswith("並向可靠的供應商採購食物。")
    assert len(paragraphs) == 4  # the closing 完, the date lines, print links and footer are left out
