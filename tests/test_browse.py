"""Datasette as `newsmon browse` serves it: metadata, facets and Chinese search in the table's own box."""

from __future__ import annotations

import contextlib
import io

import pytest

from newsmon.browse import datasette_app
from newsmon.cli import main
from newsmon.config import load_config
from tests.conftest import write_config_file

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture(scope="module")
def datasette(tmp_path_factory):
    config_path = write_config_file(tmp_path_factory.mktemp("browse"))
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["run", "--config", str(config_path)]) == 0
    return datasette_app(load_config(config_path))


async def search(datasette, query: str) -> list[str]:
    response = await datasette.client.get("/news/articles.json", params={"_search": query, "_shape": "array"})
    assert response.status_code == 200, response.text
    return [row["title"] for row in response.json()]


@pytest.mark.parametrize("query", ["淄博", "城市合伙人", "科技创新", "大湾區", "人工智能 香港"])
async def test_chinese_words_and_phrases_find_the_seed(datasette, query):
    assert await search(datasette, query) == ["淄博牵手大湾区的想法与干法"]


async def test_absent_word_finds_nothing(datasette):
    assert await search(datasette, "乌鲁木齐") == []


async def test_tags_are_an_array_facet(datasette):
    response = await datasette.client.get("/news/articles.json", params={"_facet_array": "tags"})
    facet = response.json()["facet_results"]["tags"]["results"]
    assert {item["value"] for item in facet} == {"新材料", "人工智能", "城市合伙人"}


async def test_bookkeeping_tables_are_hidden_and_metadata_applies(datasette):
    response = await datasette.client.get("/news.json")
    tables = {table["name"]: table for table in response.json()["tables"]}
    hidden = {name for name, table in tables.items() if table["hidden"]}
    assert {"articles_search", "article_minhash", "story_bands", "story_index_state", "search_queue"} <= hidden
    assert not hidden & {"articles", "stories", "sources", "runs", "fetch_errors", "digests", "urls"}
