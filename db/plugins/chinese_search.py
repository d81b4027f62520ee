"""Datasette plugin: Chinese words typed in a search box are segmented the way articles were indexed.

FTS5 cannot split Chinese, so `articles_search` holds jieba search words separated by spaces; a query
such as 科技创新 must become "科技 创新" (simplified, with sub-words) before Datasette matches it.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

from newsmon.chinese import to_simplified
from newsmon.tagging import Tagger

SEARCH_PARAMS = frozenset({"_search"})


@cache
def _tagger(topics: tuple, tags: tuple) -> Tagger:
    return Tagger.from_config(dict(topics), dict(tags))


def segment_query(query: str, tagger: Tagger) -> str:
    """Search words of a query, in the index's form."""
    return tagger.search_text(tagger.analyse("", to_simplified(query))) or query


@hookimpl
def asgi_wrapper(datasette):
    settings = datasette.plugin_config("newsmon") or {}
    vocabulary = (
        tuple((name, tuple(words)) for name, words in settings.get("topics", {}).items()),
        tuple((name, tuple(words)) for name, words in settings.get("tags", {}).items()),
    )

    def wrap(app):
        async def segmented_search(scope, receive, send):
            query_string = scope.get("query_string", b"")
            if scope["type"] == "http" and b"_search" in query_string:
                tagger = _tagger(*vocabulary)
                pairs = [
                    (key, segment_query(value, tagger) if key in SEARCH_PARAMS else value)
                    for key, value in parse_qsl(query_string.decode("utf-8"), keep_blank_values=True)
                ]
                scope = dict(scope, query_string=urlencode(pairs).encode("ascii"))
            await app(scope, receive, send)

        return segmented_search

    return wrap
