"""The digest: window, grouping by tag, folded reposts, and escaping in every format."""

from __future__ import annotations

import json
from datetime import datetime

import feedparser
import pytest
from sqlite_utils import Database

from newsmon.clock import CHINA
from newsmon.digest import (
    UNTAGGED,
    Window,
    build_digest,
    digest_window,
    excerpt,
    record_digest,
    render_atom,
    render_html,
    render_json,
    render_markdown,
)
from newsmon.store import open_database

REPOST = {"source": "转载网", "url": "https://repost.example/a.html", "title": "转载：淄博牵手大湾区"}
HOSTILE_TITLE = '<script>alert("x")</script> [点我](javascript:alert(1)) **淄博**'
TAGS = ["新材料", "人工智能", "城市合伙人"]


def at(day: int, hour: int = 10) -> str:
    return datetime(2023, 2, day, hour, tzinfo=CHINA).isoformat()


def add_story(db: Database, story_id: int, title: str, articles: list[dict]) -> None:
    db["stories"].insert(
        {
            "id": story_id,
            "title": title,
            "first_seen_at": articles[0]["fetched_at"],
            "last_seen_at": articles[-1]["fetched_at"],
            "article_count": len(articles),
            "sources": json.dumps([a["source"] for a in articles], ensure_ascii=False),
        }
    )
    for article in articles:
        db["articles"].insert(
            {
                "title": title,
                "body": "第一句。第二句！第三句。",
                "topics": '["zibo"]',
                "keywords": "[]",
                "story_id": story_id,
                "tags": "[]",
            }
            | article
        )


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "news.db")
    add_story(
        db,
        1,
        "淄博牵手大湾区的想法与干法",
        [
            {
                "url": "text:seed.txt",
                "source": "seed",
                "fetched_at": at(23),
                "published_at": "2023-02-23T10:30:00+08:00",
                "tags": json.dumps(["新材料", "城市合伙人"], ensure_ascii=False),
            },
            REPOST | {"fetched_at": at(24), "tags": json.dumps(["新材料"], ensure_ascii=False)},
        ],
    )
    add_story(
        db,
        2,
        "淄博人工智能产业园开园",
        [
            {
                "url": "https://zbnews.example/ai.html",
                "source": "淄博新闻网",
                "fetched_at": at(25),
                "published_at": "2023-02-25",
                "tags": json.dumps(["人工智能"], ensure_ascii=False),
            },
        ],
    )
    add_story(
        db,
        3,
        HOSTILE_TITLE,
        [
            {"url": "javascript:alert(1)", "source": "坏网站", "fetched_at": at(25, 11), "body": "<b>正文</b>。"},
        ],
    )
    return db


def test_groups_follow_the_configured_tag_order_and_fold_reposts(db):
    digest = build_digest(db, Window(), datetime(2023, 3, 1, tzinfo=CHINA), TAGS)
    assert [group.tag for group in digest.tags] == ["新材料", "人工智能", "城市合伙人", UNTAGGED]
    story = digest.tags[0].stories[0]
    assert story.story_id == 1 and story.article_count == 2
    assert [s.source for s in story.sources] == ["seed", "转载网"]
    assert story.tags == ("新材料", "城市合伙人")
    assert story.excerpt == "第一句。第二句！"
    assert digest.article_count == 4


def test_window_is_on_fetched_at(db):
    window = Window(since=datetime(2023, 2, 24, tzinfo=CHINA))
    digest = build_digest(db, window, datetime(2023, 2, 24, 23, tzinfo=CHINA), TAGS)
    assert digest.article_count == 1
    assert [(g.tag, [s.story_id for s in g.stories]) for g in digest.tags] == [("新材料", [1]), ("城市合伙人", [1])]


def test_newest_first_within_a_tag(db):
    db["articles"].update(4, {"tags": json.dumps(["新材料"], ensure_ascii=False)})
    digest = build_digest(db, Window(), datetime(2023, 3, 1, tzinfo=CHINA), TAGS)
    assert [s.story_id for s in digest.tags[0].stories] == [3, 1]


def test_explicit_windows(db):
    until = datetime(2023, 2, 24, 12, tzinfo=CHINA)
    assert digest_window(db, "2023-02-20T00:00:00+08:00", None, until) == Window(
        since=datetime(2023, 2, 20, tzinfo=CHINA)
    )
    assert digest_window(db, None, 6, until) == Window(since=datetime(2023, 2, 24, 6, tzinfo=CHINA))


def test_default_window_takes_everything_after_the_last_digest_even_if_committed_late(db):
    now = datetime(2023, 3, 1, tzinfo=CHINA)
    assert digest_window(db, None, None, now) == Window()
    first = build_digest(db, Window(), now, TAGS)
    record_digest(db, first)
    assert first.article_count == 4
    # A source's transaction stamps fetched_at when it starts and commits later: its articles may
    # carry a time before the last digest's end and must still reach the next digest.
    add_story(db, 4, "迟到的淄博新闻", [{"url": "https://late.example/1", "source": "迟到网", "fetched_at": at(24)}])
    window = digest_window(db, None, None, now)
    assert window.after_article_id == first.last_article_id
    late = build_digest(db, window, now, TAGS)
    assert [story.title for group in late.tags for story in group.stories] == ["迟到的淄博新闻"]


def test_json_has_the_contract_shape(db):
    document = json.loads(render_json(build_digest(db, Window(), datetime(2023, 3, 1, tzinfo=CHINA), TAGS)))
    assert {"generated_at", "since", "until", "tags"} <= set(document)
    story = document["tags"][0]["stories"][0]
    assert {"story_id", "title", "published_at", "tags", "excerpt", "article_count", "sources"} <= set(story)
    assert story["sources"][1] == REPOST


def test_html_escapes_article_text_and_links_only_the_web(db):
    page = render_html(build_digest(db, Window(), datetime(2023, 3, 1, tzinfo=CHINA), TAGS))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>" not in page
    assert 'href="javascript' not in page
    assert 'href="https://repost.example/a.html"' in page
    assert "<link" not in page and " src=" not in page  # self-contained


def test_markdown_escapes_article_text(db):
    text = render_markdown(build_digest(db, Window(), datetime(2023, 3, 1, tzinfo=CHINA), TAGS))
    assert "](javascript" not in text
    assert "\\*\\*淄博\\*\\*" in text
    assert "[淄博牵手大湾区的想法与干法]" not in text  # the seed's text: URL is not a link
    assert "[转载：淄博牵手大湾区](<https://repost.example/a.html>)" in text


def test_atom_is_a_valid_feed_with_one_entry_per_story(db):
    feed = feedparser.parse(render_atom(build_digest(db, Window(), datetime(2023, 3, 1, tzinfo=CHINA), TAGS)))
    assert feed.version == "atom10" and not feed.bozo
    assert len(feed.entries) == 3
    assert {entry.title for entry in feed.entries} >= {HOSTILE_TITLE, "淄博人工智能产业园开园"}


def test_excerpt_takes_two_sentences_across_lines():
    assert excerpt("“淄博来了。”他说。\n第三句？第四句。") == "“淄博来了。”他说。"
    assert excerpt("没有句号的一段话") == "没有句号的一段话"


def test_default_window_after_a_digest_of_nothing_still_goes_by_id(tmp_path):
    db = open_database(tmp_path / "news.db")
    now = datetime(2023, 3, 1, tzinfo=CHINA)
    empty = build_digest(db, digest_window(db, None, None, now), now, TAGS)
    record_digest(db, empty)
    assert empty.last_article_id == 0
    # stamped before that digest's end, committed after it
    add_story(db, 1, "迟到的淄博新闻", [{"url": "https://late.example/1", "source": "迟到网", "fetched_at": at(24)}])
    late = build_digest(db, digest_window(db, None, None, now), now, TAGS)
    assert [story.title for group in late.tags for story in group.stories] == ["迟到的淄博新闻"]
