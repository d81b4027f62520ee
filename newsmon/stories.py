"""Stories: groups of articles that tell the same event, however many portals repost (转载) it.

An article joins the story of a stored article whose body it repeats: the same comparable body
(`articles.content_hash`), or a near-duplicate found through the LSH band table (`story_bands`) and
confirmed on the MinHash signatures (`article_minhash`), as `newsmon.dedupe` defines them. The index
lives in SQLite beside the articles, in the same transactions, so stories span runs and restarts; it
is rebuilt from `articles` when missing (a database from before it existed) or when `dedupe.SCHEME`
changes. Every article keeps its own row; the story keeps the earliest article's title, the first and
last fetch times, the article count and the sources that carried it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from sqlite_utils import Database

from newsmon import dedupe
from newsmon.clock import parse_iso
from newsmon.dedupe import Fingerprint, MinHash, Similarity
from newsmon.records import Article

logger = logging.getLogger(__name__)

# Candidates confirmed per query, those sharing the most bands first: a story reposted hundreds of
# times must not make every later query compare against all its copies.
MAX_CANDIDATES = 20
REBUILD_BATCH = 500
REBUILD_PROGRESS_EVERY = 10_000


@dataclass(frozen=True, slots=True)
class StoryMatch:
    """A stored article that a new one repeats, and the story they share."""

    story_id: int
    article_id: int
    exact: bool  # same comparable body
    similarity: Similarity


def find_story(db: Database, fingerprint: Fingerprint) -> StoryMatch | None:
    """The story whose article this body repeats (exactly, else the most similar confirmed candidate), or None."""
    if fingerprint.minhash is None:
        return None  # too short to tell a repost from a different article that shares a few words
    row = db.execute(
        "SELECT id, story_id FROM articles WHERE content_hash = ? AND story_id IS NOT NULL ORDER BY id LIMIT 1",
        [fingerprint.content_hash],
    ).fetchone()
    if row:
        return StoryMatch(story_id=row[1], article_id=row[0], exact=True, similarity=Similarity(1.0, 1.0))
    return _near_duplicate(db, fingerprint.minhash)


def _near_duplicate(db: Database, minhash: MinHash) -> StoryMatch | None:
    keys = minhash.band_keys
    rows = db.execute(
        "SELECT c.article_id, a.story_id, m.shingle_count, m.signature FROM ("
        f"  SELECT article_id, count(*) AS hits FROM story_bands WHERE band_key IN ({','.join('?' * len(keys))})"
        "   GROUP BY article_id ORDER BY hits DESC, article_id LIMIT ?"
        ") AS c JOIN article_minhash AS m ON m.article_id = c.article_id JOIN articles AS a ON a.id = c.article_id "
        "WHERE a.story_id IS NOT NULL AND m.signature IS NOT NULL ORDER BY c.article_id",
        [*keys, MAX_CANDIDATES],
    ).fetchall()
    best: StoryMatch | None = None
    for article_id, story_id, shingle_count, signature in rows:
        found = dedupe.similarity(minhash, MinHash(shingle_count, signature, ()))
        if found.is_repost and (best is None or found.jaccard > best.similarity.jaccard):
            best = StoryMatch(story_id=story_id, article_id=article_id, exact=False, similarity=found)
    return best


def add_to_story(db: Database, article: Article, match: StoryMatch | None) -> int:
    """Open a story for a new event, or count the article into the matched one; returns the story id.

    Call it before the article's own row is stored (the row refers to the story).
    """
    if match is None:
        cursor = db.execute(
            "INSERT INTO stories (title, first_seen_at, last_seen_at, article_count, sources) VALUES (?, ?, ?, 1, ?)",
            [article.title, article.fetched_at, article.fetched_at, json.dumps([article.source], ensure_ascii=False)],
        )
        return cursor.lastrowid
    story_id = match.story_id
    title, first_seen, last_seen, count, sources_json = db.execute(
        "SELECT title, first_seen_at, last_seen_at, article_count, sources FROM stories WHERE id = ?", [story_id]
    ).fetchone()
    sources = json.loads(sources_json)
    if article.source not in sources:
        sources.append(article.source)
    if _earlier_than_story(db, story_id, article):
        title = article.title
    db.execute(
        "UPDATE stories SET title = ?, first_seen_at = ?, last_seen_at = ?, article_count = ?, sources = ? "
        "WHERE id = ?",
        [
            title,
            min(first_seen, article.fetched_at, key=parse_iso),
            max(last_seen, article.fetched_at, key=parse_iso),
            count + 1,
            json.dumps(sources, ensure_ascii=False),
            story_id,
        ],
    )
    return story_id


def _earlier_than_story(db: Database, story_id: int, article: Article) -> bool:
    """Whether the article is older than every stored one of the story (so its title becomes the story's).

    An article's time is its publish time when known, else its fetch time: a page was published no later
    than newsmon first fetched it. On a tie the article stored first keeps the title.
    """
    times = db.execute("SELECT coalesce(published_at, fetched_at) FROM articles WHERE story_id = ?", [story_id])
    earliest = min((parse_iso(row[0]) for row in times), default=None)
    return earliest is not None and parse_iso(article.published_at or article.fetched_at) < earliest


def index_article(db: Database, article_id: int, fingerprint: Fingerprint, exact: bool) -> None:
    """Remember a stored article's signature, and its band keys unless an earlier article has the same body.

    An exact copy adds nothing a query could find that the earlier article does not already give.
    """
    minhash = fingerprint.minhash
    db.execute(
        "INSERT INTO article_minhash (article_id, shingle_count, signature) VALUES (?, ?, ?)",
        [article_id, minhash.shingle_count if minhash else 0, minhash.signature if minhash else None],
    )
    if minhash is not None and not exact:
        db.conn.executemany(
            "INSERT OR IGNORE INTO story_bands (band_key, article_id) VALUES (?, ?)",
            [(key, article_id) for key in minhash.band_keys],
        )


def ensure_story_index(db: Database) -> int:
    """Index the stored articles the story index lacks (all of them when the scheme changed); returns how many.

    O(1) when nothing is missing: one look at the scheme and at the newest indexed and stored ids.
    """
    state = db.execute("SELECT scheme FROM story_index_state WHERE id = 1").fetchone()
    if state is None or state[0] != dedupe.SCHEME:
        db.execute("DELETE FROM story_bands")
        db.execute("DELETE FROM article_minhash")
        db.execute("INSERT OR REPLACE INTO story_index_state (id, scheme) VALUES (1, ?)", [dedupe.SCHEME])
    indexed_through = db.execute("SELECT coalesce(max(article_id), 0) FROM article_minhash").fetchone()[0]
    newest = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
    if newest <= indexed_through:
        return 0
    return _index_articles_after(db, indexed_through)


def _index_articles_after(db: Database, after_id: int) -> int:
    """Fingerprint and index, in id order, every stored article with a larger id (a rebuild from `articles`)."""
    done = 0
    while True:
        rows = db.execute(
            "SELECT id, body FROM articles WHERE id > ? ORDER BY id LIMIT ?", [after_id, REBUILD_BATCH]
        ).fetchall()
        if not rows:
            return done
        for article_id, body in rows:
            found = dedupe.fingerprint(body)
            exact = (
                db.execute(
                    "SELECT 1 FROM articles WHERE content_hash = ? AND id < ? LIMIT 1", [found.content_hash, article_id]
                ).fetchone()
                is not None
            )
            db.execute("UPDATE articles SET content_hash = ? WHERE id = ?", [found.content_hash, article_id])
            index_article(db, article_id, found, exact)
            done += 1
            if done % REBUILD_PROGRESS_EVERY == 0:
                logger.info("story index: %d articles indexed", done)
        after_id = rows[-1][0]
