"""The digest: stories with articles stored in a window, grouped by tag, newest first, in four formats.

Building reads the database; rendering is pure. Titles and bodies come from the open web, so every
renderer escapes them for its own format and only http(s) URLs ever become links.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

from sqlite_utils import Database

from newsmon.clock import isoformat, parse_iso

UNTAGGED = "其他"  # the group of stories that carry none of the configured tags
EXCERPT_SENTENCES = 2
_SENTENCE = re.compile(r".+?(?:[。！？!?…]+[”’」』\"]?|$)", re.S)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


@dataclass(frozen=True)
class DigestSource:
    source: str
    url: str
    title: str


@dataclass(frozen=True)
class DigestStory:
    story_id: int
    title: str
    published_at: str | None
    tags: tuple[str, ...]
    excerpt: str
    article_count: int
    sources: tuple[DigestSource, ...]
    last_seen_at: str


@dataclass(frozen=True)
class TagGroup:
    tag: str
    stories: tuple[DigestStory, ...]


@dataclass(frozen=True)
class Window:
    """Which stored articles a digest covers: fetched since `since` (up to the digest's time), or, for
    the default window, every article stored after the last digest (`after_article_id`; everything when
    there is no `since` either)."""

    since: datetime | None = None
    after_article_id: int | None = None  # set only for the default window: ids, not times, mark its start


@dataclass(frozen=True)
class Digest:
    generated_at: str
    since: str
    until: str
    tags: tuple[TagGroup, ...]
    article_count: int
    last_article_id: int

    @property
    def story_count(self) -> int:
        return len({story.story_id for group in self.tags for story in group.stories})


def digest_window(db: Database, since: str | None, hours: float | None, until: datetime) -> Window:
    """`since`, else `hours` before `until`, else everything stored after the last recorded digest."""
    if since:
        return Window(since=parse_iso(since))
    if hours is not None:
        return Window(since=until - timedelta(hours=hours))
    last = db.execute("SELECT until, last_article_id FROM digests ORDER BY id DESC LIMIT 1").fetchone()
    return Window(since=parse_iso(last[0]), after_article_id=last[1] or 0) if last else Window()


def build_digest(db: Database, window: Window, until: datetime, tag_order: list[str]) -> Digest:
    """Stories that gained articles in the window, grouped by tag (config order, then untagged)."""
    if window.after_article_id is not None or window.since is None:
        where, params = "id > ?", [window.after_article_id or 0]
    else:
        where, params = "fetched_at >= ? AND fetched_at <= ?", [isoformat(window.since), isoformat(until)]
    rows = list(db.query(f"SELECT id, story_id, fetched_at FROM articles WHERE {where} ORDER BY id", params))
    stories = [_story_entry(db, story_id) for story_id in dict.fromkeys(row["story_id"] for row in rows)]
    stories.sort(key=_newest_first)
    groups = []
    for tag in [*tag_order, UNTAGGED]:
        members = tuple(s for s in stories if tag in s.tags or (tag == UNTAGGED and not s.tags))
        if members:
            groups.append(TagGroup(tag=tag, stories=members))
    first_fetched = rows[0]["fetched_at"] if rows else isoformat(until)
    return Digest(
        generated_at=isoformat(datetime.now(until.tzinfo)),
        since=isoformat(window.since) if window.since else first_fetched,
        until=isoformat(until),
        tags=tuple(groups),
        article_count=len(rows),
        last_article_id=rows[-1]["id"] if rows else window.after_article_id or 0,
    )


def _story_entry(db: Database, story_id: int) -> DigestStory:
    story = db["stories"].get(story_id)
    articles = list(
        db.query(
            "SELECT source, url, title, published_at, fetched_at, body, tags FROM articles WHERE story_id = ? "
            "ORDER BY coalesce(published_at, fetched_at), id",
            [story_id],
        )
    )
    first = articles[0]
    tags = dict.fromkeys(tag for article in articles for tag in json.loads(article["tags"]))
    return DigestStory(
        story_id=story_id,
        title=story["title"],
        published_at=next((a["published_at"] for a in articles if a["published_at"]), None),
        tags=tuple(tags),
        excerpt=excerpt(first["body"]),
        article_count=story["article_count"],
        sources=tuple(DigestSource(a["source"], a["url"], a["title"]) for a in articles),
        last_seen_at=story["last_seen_at"],
    )


def _newest_first(story: DigestStory) -> tuple[float, int]:
    moment = story.published_at or story.last_seen_at
    return (-parse_iso(moment).timestamp(), -story.story_id)


def excerpt(body: str, sentences: int = EXCERPT_SENTENCES) -> str:
    """The first sentences of a body (Chinese or Western sentence ends)."""
    text = " ".join(line.strip() for line in body.splitlines() if line.strip())
    found = [match.group().strip() for match in _SENTENCE.finditer(text) if match.group().strip()]
    return "".join(found[:sentences])


def is_web_link(url: str) -> bool:
    return url.startswith(("http://", "https://"))


# --- renderers -----------------------------------------------------------------------------------------


def render_json(digest: Digest) -> str:
    document = {
        "generated_at": digest.generated_at,
        "since": digest.since,
        "until": digest.until,
        "article_count": digest.article_count,
        "tags": [
            {"tag": group.tag, "stories": [_story_json(story) for story in group.stories]} for group in digest.tags
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _story_json(story: DigestStory) -> dict:
    entry = asdict(story)
    entry["tags"] = list(story.tags)
    entry["sources"] = [asdict(source) for source in story.sources]
    del entry["last_seen_at"]
    return entry


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_link(text: str, url: str) -> str:
    if not is_web_link(url):
        return _md(text)
    return f"[{_md(text)}](<{url.replace('<', '%3C').replace('>', '%3E').replace(' ', '%20')}>)"


def render_markdown(digest: Digest) -> str:
    lines = [f"# newsmon digest: {digest.since} – {digest.until}", ""]
    lines.append(f"{digest.story_count} stories from {digest.article_count} new articles.")
    for group in digest.tags:
        lines += ["", f"## {_md(group.tag)}", ""]
        for story in group.stories:
            first = story.sources[0]
            lines.append(f"### {_md_link(story.title, first.url)}")
            lines.append("")
            meta = [story.published_at or "time unknown", "tags: " + (", ".join(map(_md, story.tags)) or "none")]
            lines.append(" · ".join(meta))
            lines.append("")
            lines.append(_md(story.excerpt))
            lines.append("")
            carried = "; ".join(f"{_md(s.source)}: {_md_link(s.title, s.url)}" for s in story.sources)
            lines.append(f"Sources ({story.article_count}): {carried}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _html_link(text: str, url: str) -> str:
    if not is_web_link(url):
        return html.escape(text)
    return f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{html.escape(text)}</a>'


def render_html(digest: Digest) -> str:
    """One self-contained page (inline style, no scripts, no outside resources)."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>newsmon digest {esc(digest.since)} – {esc(digest.until)}</title>",
        "<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.6}"
        "h3{margin-bottom:.2rem}.meta,.sources{color:#555;font-size:.9rem}</style>",
        "</head><body>",
        f'<h1>newsmon digest</h1><p class="meta">{esc(digest.since)} – {esc(digest.until)}: '
        f"{digest.story_count} stories from {digest.article_count} new articles.</p>",
    ]
    for group in digest.tags:
        parts.append(f"<section><h2>{esc(group.tag)}</h2>")
        for story in group.stories:
            first = story.sources[0]
            parts.append(f"<article><h3>{_html_link(story.title, first.url)}</h3>")
            parts.append(
                f'<p class="meta">{esc(story.published_at or "time unknown")} · tags: '
                f"{esc(', '.join(story.tags) or 'none')}</p>"
            )
            parts.append(f"<p>{esc(story.excerpt)}</p>")
            items = "".join(f"<li>{esc(s.source)}: {_html_link(s.title, s.url)}</li>" for s in story.sources)
            parts.append(f'<div class="sources">Sources ({story.article_count}):<ul>{items}</ul></div></article>')
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


ATOM = "http://www.w3.org/2005/Atom"


def render_atom(digest: Digest) -> str:
    """An Atom feed with one entry per story (its tags as categories)."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", f"newsmon digest {digest.since} – {digest.until}")
    _sub(feed, "id", f"urn:newsmon:digest:{digest.until}")
    _sub(feed, "updated", digest.generated_at)
    _sub(_sub(feed, "author"), "name", "newsmon")
    seen: set[int] = set()
    for group in digest.tags:
        for story in group.stories:
            if story.story_id in seen:
                continue
            seen.add(story.story_id)
            entry = _sub(feed, "entry")
            _sub(entry, "title", story.title)
            _sub(entry, "id", f"urn:newsmon:story:{story.story_id}")
            _sub(entry, "updated", story.last_seen_at)
            if story.published_at and "T" in story.published_at:
                _sub(entry, "published", story.published_at)
            for source in story.sources:
                if is_web_link(source.url):
                    ElementTree.SubElement(
                        entry,
                        f"{{{ATOM}}}link",
                        href=source.url,
                        rel="alternate",
                        title=f"{source.source}: {source.title}",
                    )
            for tag in story.tags:
                ElementTree.SubElement(entry, f"{{{ATOM}}}category", term=tag)
            sources = "; ".join(s.source for s in story.sources)
            _sub(entry, "summary", f"{story.excerpt} ({sources})")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="unicode") + "\n"


def _sub(parent: ElementTree.Element, name: str, text: str | None = None) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{name}")
    if text is not None:
        element.text = text
    return element


RENDERERS = {"md": render_markdown, "html": render_html, "json": render_json, "atom": render_atom}
EXTENSIONS = {"md": "md", "html": "html", "json": "json", "atom": "xml"}


def write_digest_files(digest: Digest, formats: list[str], output: str | None, folder: Path) -> list[Path]:
    """The first format to `output` when given, else every format to `folder` as digest-<window end>.<ext>."""
    stamp = parse_iso(digest.until).strftime("%Y%m%dT%H%M%S")
    targets = (
        [(formats[0], Path(output))] if output else [(f, folder / f"digest-{stamp}.{EXTENSIONS[f]}") for f in formats]
    )
    for format, path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(RENDERERS[format](digest), encoding="utf-8")
    return [path for _, path in targets]


def record_digest(db: Database, digest: Digest) -> int:
    """A `digests` row, so the next default window starts where this one ended."""
    with db.atomic():
        return (
            db["digests"]
            .insert(
                {
                    "created_at": digest.generated_at,
                    "since": digest.since,
                    "until": digest.until,
                    "article_count": digest.article_count,
                    "last_article_id": digest.last_article_id,
                }
            )
            .last_pk
        )
