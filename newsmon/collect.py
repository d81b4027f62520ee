"""One source -> a `Harvest`: discover its new article URLs, fetch them and extract the articles.

This is the I/O half of a run; it runs in worker threads, one source per task, and never writes to
the database (the flow stores each harvest in the main thread, one transaction per source).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from newsmon import store
from newsmon.config import RESERVED_SOURCE_NAME, Config, Source
from newsmon.errors import NewsmonError
from newsmon.records import Article, FetchFailure, Harvest
from parsers.charset import decode_bytes
from parsers.text import parse_text_article, text_article_url

SEED_SOURCE = RESERVED_SOURCE_NAME


@dataclass(frozen=True)
class RunContext:
    """What every source of one run shares: the config, the database to ask about known URLs, the clock."""

    config: Config
    database: Path
    now: datetime

    def urls_to_skip(self, urls: Iterable[str]) -> set[str]:
        # Worker threads cannot share the flow's connection; a short-lived one per question is cheap.
        with closing(Database(self.database)) as db:
            return store.urls_to_skip(db, urls, self.now)


def run_sources(config: Config, names: list[str] | None = None) -> list[Source]:
    """The sources of a run: the named ones, or every enabled source and the seed files."""
    sources = config.selected_sources(names)
    if config.seed and not names:
        sources.append(Source(name=SEED_SOURCE, kind="text", url=", ".join(map(str, config.seed))))
    return sources


def collect_source(source: Source, context: RunContext) -> Harvest:
    """Dispatch on the source's kind; a failure of the source itself becomes `Harvest.source_failure`."""
    try:
        if source.name == SEED_SOURCE:
            return collect_text_files(source.name, context.config.seed_paths, context)
        if source.kind == "text":
            return collect_text_files(source.name, text_source_paths(source, context.config), context)
        raise NewsmonError(f"source kind {source.kind!r} is not implemented yet")
    except NewsmonError as exc:
        return Harvest(source=source.name, source_failure=FetchFailure(url=source.url, error=f"{source.url}: {exc}"))


def text_source_paths(source: Source, config: Config) -> list[Path]:
    """A text source's `url` is a file path or glob, relative to the config's folder."""
    pattern = config.path(source.url)
    matches = sorted(pattern.parent.glob(pattern.name))
    if not matches:
        raise NewsmonError(f"no file matches {source.url!r}")
    return matches


def collect_text_files(source: str, paths: Iterable[Path], context: RunContext) -> Harvest:
    """Articles from text files not stored yet; an unreadable file is a failure of that file only."""
    paths = list(paths)
    skip = context.urls_to_skip(text_article_url(path.name) for path in paths)
    articles: list[Article] = []
    failures: list[FetchFailure] = []
    for path in paths:
        url = text_article_url(path.name)
        if url in skip:
            continue
        try:
            articles.append(parse_text_article(decode_bytes(path.read_bytes()).text, path.name, source))
        except OSError as exc:
            failures.append(FetchFailure(url=url, error=f"{path}: cannot read: {exc.strerror}"))
        except NewsmonError as exc:
            failures.append(FetchFailure(url=url, error=f"{path}: {exc}"))
    return Harvest(source=source, articles=tuple(articles), failures=tuple(failures), pages_fetched=len(articles))
