"""`newsmon digest` through the real Prefect flow: files, stdout preview, the artifact and the window."""

from __future__ import annotations

import json

import pytest
from prefect.client.orchestration import get_client
from sqlite_utils import Database

from tests.conftest import run_cli, write_config_file

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    path = write_config_file(tmp_path_factory.mktemp("digest"))
    assert run_cli("run", "--config", str(path))[0] == 0
    return path


def test_preview_to_stdout_is_not_recorded(config):
    code, output = run_cli("digest", "--config", str(config), "--output", "-", "--format", "json")
    assert code == 0
    document = json.loads(output)
    assert document["tags"][0]["stories"][0]["title"] == "淄博牵手大湾区的想法与干法"
    assert Database(config.parent / "db" / "news.db")["digests"].count == 0


def test_digest_writes_every_format_and_moves_the_window(config):
    code, output = run_cli("digest", "--config", str(config))
    assert code == 0
    files = sorted(p.suffix for p in (config.parent / "digests").iterdir())
    assert files == [".html", ".json", ".md", ".xml"]
    assert "1 stories, 1 articles" in output
    digests = list(Database(config.parent / "db" / "news.db")["digests"].rows)
    assert [d["article_count"] for d in digests] == [1]

    code, output = run_cli("digest", "--config", str(config), "--output", "-")
    assert "0 stories from 0 new articles" in output


async def test_markdown_is_published_as_an_artifact(config):
    run_cli("digest", "--config", str(config), "--hours", "24", "--output", str(config.parent / "d.md"))
    async with get_client() as client:
        artifact = await client.read_latest_artifacts()
    digest = next(a for a in artifact if a.key == "newsmon-digest")
    assert "淄博牵手大湾区的想法与干法" in digest.data
