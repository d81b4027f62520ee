"""Articles for the dedupe, story and relevance tests: the seed, the fixtures, and reposts made with the
edits portals make when they carry an article (转载)."""

from __future__ import annotations

import random
from dataclasses import replace

from newsmon.records import Article
from parsers.text import parse_text_article
from tests.conftest import FIXTURES, SEED_FILE

EDITS = ("boilerplate", "drop10", "reorder", "first60")


def seed_article() -> Article:
    return parse_text_article(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name, "seed")


def fixture_article(name: str, source: str = "fixture") -> Article:
    """tests/fixtures/dedupe/NAME.txt: the first line is the title, the rest the body."""
    title, body = (FIXTURES / "dedupe" / f"{name}.txt").read_text(encoding="utf-8").split("\n", 1)
    return Article(url=f"https://{source}.example/{name}.html", title=title, body=body.strip(), source=source)


def repost_body(edit: str, body: str) -> str:
    """The body as another portal reposts it, with one edit."""
    paragraphs = body.split("\n")
    if edit == "boilerplate":
        return "\n".join(["来源：大众网", "原标题：淄博牵手大湾区", *paragraphs, "（完）", "责任编辑：张三"])
    if edit == "drop10":
        return "\n".join(p for index, p in enumerate(paragraphs) if index % 10 != 3)
    if edit == "reorder":
        shuffled = paragraphs[:]
        random.Random(5).shuffle(shuffled)
        return "\n".join(shuffled)
    if edit == "first60":
        cut = body.rfind("\n", 0, int(len(body) * 0.6))
        return body[:cut]
    raise ValueError(edit)


def repost(article: Article, edit: str, source: str) -> Article:
    """The article as `source` carries it: its own URL and title, the body edited."""
    return replace(
        article,
        url=f"https://{source}.example/{edit}.html",
        source=source,
        title=f"转载｜{article.title}",
        body=repost_body(edit, article.body),
    )
