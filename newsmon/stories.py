"""Stories: groups of articles that tell the same event, however many portals repost (转载) it.

An article joins the story of a stored article whose body it repeats: the same comparable body
(`articles.content_hash`), or a near-duplicate found through the LSH band table (`story_bands`) and
confirmed on the MinHash signatures (`article_minhash`), as `newsmon.dedupe` defines them. The index
lives in SQLite beside the articles (a signature is stored in its article's transaction, band keys in
bulk by `StoryIndex`), so stories span runs and restarts; it is rebuilt from `articles` when missing
(a database from before it existed) or when `dedupe.SCHEME` changes. Every article keeps its own row;
the story keeps the earliest article's title, the first and last fetch times, the article count and
the sources that carried it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from itertools import chain

import numpy as np
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
# Articles whose band keys wait in memory before one bulk write: at least FLUSH_EVERY, and a tenth of
# the articles indexed so far (a flush rewrites pages in proportion to the table's size, so the cost per
# article stays flat as it grows), up to FLUSH_AT_MOST (~2.5 MB of keys a thousand articles).
FLUSH_EVERY = 5_000
FLUSH_AT_MOST = 20_000


@dataclass(frozen=True, slots=True)
class StoryMatch:
    """A stored article that a new one repeats, and the story they share."""

    story_id: int
    article_id: int
    exact: bool  # same comparable body
    similarity: Similarity


class StoryIndex:
    """The LSH band table of one database, with the band keys of recently stored articles held in memory.

    Band keys are random, so in a small transaction (a harvest) nearly every key lands on a B-tree page
    of its own, and writing an article's 32 keys as it is stored rewrote ~32 pages each commit. Here they
    wait in memory, where queries see them at once, and go to `story_bands` in bulk, sorted, every
    few thousand articles (`flush_if_due`) and at `flush()`: each page is then rewritten about once per flush.
    Nothing is lost when a process stops before a flush: `story_index_state.banded_through` says how far
    the table is complete, and a new StoryIndex writes the later articles' keys from their stored signatures.
    Build one per run (the ingest flow) or let `store_harvest` build one per harvest.
    """

    def __init__(self, db: Database, flush_every: int = FLUSH_EVERY):
        self.db = db
        self.flush_every = flush_every
        self._keys: dict[int, list[int]] = {}  # band key -> ids of articles not yet in story_bands
        self._committed: list[tuple[int, tuple[int, ...]]] = []  # (article id, keys) in stored order
        self._uncommitted: list[tuple[int, tuple[int, ...]]] = []  # added in the open transaction
        with db.atomic():
            ensure_story_index(db)
        self._write_missing_bands()

    def candidates(self, keys: tuple[int, ...]) -> list[int]:
        """Ids of stored articles sharing a band with these keys, those sharing the most first."""
        hits: dict[int, int] = dict(
            self.db.execute(
                f"SELECT article_id, count(*) FROM story_bands WHERE band_key IN ({','.join('?' * len(keys))}) "
                "GROUP BY article_id ORDER BY count(*) DESC, article_id LIMIT ?",
                [*keys, MAX_CANDIDATES],
            ).fetchall()
        )
        for key in keys:
            for article_id in self._keys.get(key, ()):
                hits[article_id] = hits.get(article_id, 0) + 1
        return sorted(hits, key=lambda article_id: (-hits[article_id], article_id))[:MAX_CANDIDATES]

    def add(self, article_id: int, keys: tuple[int, ...]) -> None:
        """An article stored in the open transaction: a candidate for the next queries at once."""
        self._uncommitted.append((article_id, keys))
        for key in keys:
            self._keys.setdefault(key, []).append(article_id)

    def committed(self) -> None:
        """The transaction holding the articles added since the last call was committed."""
        self._committed += self._uncommitted
        self._uncommitted = []

    def rolled_back(self) -> None:
        """The transaction was rolled back: its articles do not exist, forget their keys."""
        for article_id, keys in self._uncommitted:
            for key in keys:
                self._keys[key].remove(article_id)
                if not self._keys[key]:
                    del self._keys[key]
        self._uncommitted = []

    def flush_if_due(self) -> None:
        if not self._committed:
            return
        share = min(self._committed[0][0] // 10, FLUSH_AT_MOST)  # article ids count the articles stored
        if len(self._committed) >= max(self.flush_every, share):
            self.flush()

    def flush(self) -> None:
        """Write the committed articles' keys to `story_bands`, in their own transaction, sorted by key."""
        if self._uncommitted:
            raise RuntimeError("flush() inside an open transaction of the story index")
        if not self._committed:
            return
        with self.db.atomic():
            _write_bands(self.db, self._committed, banded_through=self._committed[-1][0])
        self._committed = []
        self._keys = {}

    def _write_missing_bands(self) -> None:
        """Band keys of articles past `banded_through` (a process stopped before its flush, a rebuild)."""
        while True:
            after = self.db.execute("SELECT banded_through FROM story_index_state WHERE id = 1").fetchone()[0]
            rows = self.db.execute(
                "SELECT article_id, signature FROM article_minhash WHERE article_id > ? ORDER BY article_id LIMIT ?",
                [after, self.flush_every],
            ).fetchall()
            if not rows:
                return
            articles = [
                (article_id, dedupe.band_keys(np.frombuffer(signature, dtype=np.uint32)))
                for article_id, signature in rows
                if signature is not None
            ]
            with self.db.atomic():
                _write_bands(self.db, articles, banded_through=rows[-1][0])


def _write_bands(db: Database, articles: list[tuple[int, tuple[int, ...]]], banded_through: int) -> None:
    """Write the articles' (band key, article id) rows sorted by key, and how far the table is now complete.

    Sorted, each B-tree page of `story_bands` is written about once per call; numpy sorts the few hundred
    thousand rows of a flush at a third of what sorting Python tuples cost.
    """
    keys = np.fromiter(chain.from_iterable(article_keys for _, article_keys in articles), dtype=np.int64)
    ids = np.repeat(
        np.fromiter((article_id for article_id, _ in articles), dtype=np.int64, count=len(articles)),
        [len(article_keys) for _, article_keys in articles],
    )
    order = np.lexsort((ids, keys))
    db.conn.executemany(
        "INSERT OR IGNORE INTO story_bands (band_key, article_id) VALUES (?, ?)",
        zip(keys[order].tolist(), ids[order].tolist(), strict=True),
    )
    db.execute("UPDATE story_index_state SET banded_through = max(banded_through, ?) WHERE id = 1", [banded_through])


def find_story(db: Database, fingerprint: Fingerprint, index: StoryIndex) -> StoryMatch | None:
    """The story whose article this body repeats (exactly, else the most similar confirmed candidate), or None."""
    if fingerprint.minhash is None:
        return None  # too short to tell a repost from a different article that shares a few words
    row = db.execute(
        "SELECT id, story_id FROM articles WHERE content_hash = ? AND story_id IS NOT NULL ORDER BY id LIMIT 1",
        [fingerprint.content_hash],
    ).fetchone()
    if row:
        return StoryMatch(story_id=row[1], article_id=row[0], exact=True, similarity=Similarity(1.0, 1.0))
    return _near_duplicate(db, fingerprint.minhash, index)


def _near_duplicate(db: Database, minhash: MinHash, index: StoryIndex) -> StoryMatch | None:
    candidates = index.candidates(minhash.band_keys)
    if not candidates:
        return None
    rows = db.execute(
        "SELECT article_id, story_id, shingle_count, signature FROM article_minhash "
        f"WHERE article_id IN ({','.join('?' * len(candidates))}) "
        "AND story_id IS NOT NULL AND signature IS NOT NULL ORDER BY article_id",
        candidates,
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


def index_article(
    db: Database, index: StoryIndex, article_id: int, story_id: int, fingerprint: Fingerprint, exact: bool
) -> None:
    """Remember a stored article's signature, and its band keys unless an earlier article has the same body.

    An exact copy adds nothing a query could find that the earlier article does not already give.
    """
    if _store_signature(db, article_id, story_id, fingerprint, exact):
        index.add(article_id, fingerprint.minhash.band_keys)


def _store_signature(
    db: Database, article_id: int, story_id: int | None, fingerprint: Fingerprint, exact: bool
) -> bool:
    """The article's `article_minhash` row; returns whether it has band keys (a signature, not an exact copy)."""
    minhash = None if exact else fingerprint.minhash
    db.execute(
        "INSERT INTO article_minhash (article_id, story_id, shingle_count, signature) VALUES (?, ?, ?, ?)",
        [article_id, story_id, minhash.shingle_count if minhash else 0, minhash.signature if minhash else None],
    )
    return minhash is not None


def ensure_story_index(db: Database) -> int:
    """Fingerprint the stored articles the index lacks (all of them when the scheme changed); returns how many.

    O(1) when nothing is missing: one look at the scheme and at the newest indexed and stored ids. Their
    band keys are written by `StoryIndex`.
    """
    state = db.execute("SELECT scheme FROM story_index_state WHERE id = 1").fetchone()
    if state is None or state[0] != dedupe.SCHEME:
        db.execute("DELETE FROM story_bands")
        db.execute("DELETE FROM article_minhash")
        db.execute(
            "INSERT OR REPLACE INTO story_index_state (id, scheme, banded_through) VALUES (1, ?, 0)", [dedupe.SCHEME]
        )
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
            "SELECT id, story_id, body FROM articles WHERE id > ? ORDER BY id LIMIT ?", [after_id, REBUILD_BATCH]
        ).fetchall()
        if not rows:
            return done
        for article_id, story_id, body in rows:
            found = dedupe.fingerprint(body)
            exact = (
                db.execute(
                    "SELECT 1 FROM articles WHERE content_hash = ? AND id < ? LIMIT 1", [found.content_hash, article_id]
                ).fetchone()
                is not None
            )
            db.execute("UPDATE articles SET content_hash = ? WHERE id = ?", [found.content_hash, article_id])
            _store_signature(db, article_id, story_id, found, exact)
            done += 1
            if done % REBUILD_PROGRESS_EVERY == 0:
                logger.info("story index: %d articles indexed", done)
        after_id = rows[-1][0]
