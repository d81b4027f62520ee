"""Stories: groups of articles that tell the same event (reposts, 转载).

This first version opens one story per article; near-duplicate detection plugs in at `find_story`.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlite_utils import Database

from newsmon.clock import isoformat
from newsmon.records import Article


def find_story(db: Database, article: Article) -> int | None:
    """The id of the stored story this article repeats, or None for a new event."""
    return None


def place_in_story(db: Database, article: Article, now: datetime) -> tuple[int, bool]:
    """The story the article belongs to, creating it if new; returns (story id, joined an existing story)."""
    stamp = isoformat(now)
    story_id = find_story(db, article)
    if story_id is None:
        story = {
            "title": article.title,
            "first_seen_at": stamp,
            "last_seen_at": stamp,
            "article_count": 1,
            "sources": json.dumps([article.source], ensure_ascii=False),
        }
        return db["stories"].insert(story).last_pk, False
    row = db["stories"].get(story_id)
    sources = json.loads(row["sources"])
    if article.source not in sources:
        sources.append(article.source)
    db["stories"].update(
        story_id,
        {
            "last_seen_at": stamp,
            "article_count": row["article_count"] + 1,
            "sources": json.dumps(sources, ensure_ascii=False),
        },
    )
    return story_id, True
