"""The structured layer: JSON-LD NewsArticle and <meta> fill what the page shows no byline for."""

from __future__ import annotations

from parsers.article import extract_article

TEXT = (
    "<div class=article><p>4月11日，深港科技创新合作区深圳园区举行新一批项目签约仪式，20个科创项目集中落户。</p>"
    "<p>据介绍，此次签约项目涵盖集成电路、人工智能、生物医药等领域，其中多个项目由香港高校科研团队牵头。</p></div>"
)


def test_json_ld_news_article_in_a_graph_survives_broken_neighbours() -> None:
    json_ld = (
        '[{"@type": [{"odd": 1}]}, {"@graph": [{"@type": ["NewsArticle"], "headline": "港深合作再提速",'
        ' "datePublished": "2023-04-12T09:41:00+08:00", "author": [{"name": "李明"}, {"name": "王芳"}],'
        ' "publisher": {"@type": "Organization", "name": "深圳特区报"}}]}]'
    )
    html = (
        f'<html><head><script type="application/ld+json">{json_ld}</script>'
        '<script type="application/ld+json">{broken</script></head><body>' + TEXT + "</body></html>"
    )
    article = extract_article(html, "https://www.example.cn/a.html")
    assert article.title == "港深合作再提速"
    assert article.published_at == "2023-04-12T09:41:00+08:00"
    assert (article.author, article.publisher) == ("李明 王芳", "深圳特区报")


def test_meta_author_naming_a_site_or_vendor_is_no_author() -> None:
    html = (
        '<html><head><title>港深合作再提速_深圳新闻网</title><meta name="author" content="大汉网络">'
        '<meta name="ContentSource" content="深圳特区报"></head><body><h1>港深合作再提速</h1>' + TEXT + "</body></html>"
    )
    article = extract_article(html, "https://www.example.cn/a.html")
    assert (article.author, article.publisher) == (None, "深圳特区报")
