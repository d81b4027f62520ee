"""Config loading: the shipped file is valid, and every mistake is one line naming the key and source."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsmon.cli import main
from newsmon.config import load_config
from newsmon.errors import ConfigError
from tests.conftest import REPO, base_config


def write(tmp_path: Path, config: dict) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def config_error(tmp_path: Path, config: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, config))
    message = str(caught.value)
    assert "\n" not in message
    return message


def html_source(**changes) -> dict:
    return {"name": "淄博新闻网", "kind": "html", "url": "https://www.zbnews.net/", "links": "a"} | changes


def test_shipped_config_is_valid():
    config = load_config(REPO / "config.yaml")
    assert config.database_path == REPO / "db" / "news.db"
    assert config.seed_paths == [REPO / "db" / "seed" / "000_1a11c1f1ca3ccac1.txt"]
    assert {"zibo", "greater_bay_area"} <= set(config.topics)
    assert set(config.tags) >= {"新材料", "人工智能", "城市合伙人"}


def test_paths_are_relative_to_the_config_folder(tmp_path):
    config = load_config(write(tmp_path, base_config() | {"database": "data/x.db"}))
    assert config.database_path == tmp_path / "data" / "x.db"


def test_unknown_top_level_key(tmp_path):
    message = config_error(tmp_path, base_config() | {"databse": "x.db"})
    assert message == f"{tmp_path / 'config.yaml'}: databse: unknown key"


def test_unknown_key_in_a_source_names_the_source(tmp_path):
    message = config_error(tmp_path, base_config() | {"sources": [html_source(selector="a")]})
    assert message.endswith("sources[0].selector (source '淄博新闻网'): unknown key")


def test_unknown_key_in_fetch_settings(tmp_path):
    message = config_error(tmp_path, base_config() | {"fetch": {"timeout": 5}})
    assert message.endswith("fetch.timeout: unknown key")


def test_missing_url(tmp_path):
    source = html_source()
    del source["url"]
    message = config_error(tmp_path, base_config() | {"sources": [source]})
    assert message.endswith("sources[0].url (source '淄博新闻网'): required key is missing")


def test_duplicate_source_name(tmp_path):
    message = config_error(tmp_path, base_config() | {"sources": [html_source(), html_source()]})
    assert message.endswith("sources[1].name (source '淄博新闻网'): duplicate source name '淄博新闻网'")


def test_seed_is_a_reserved_source_name(tmp_path):
    message = config_error(tmp_path, base_config() | {"sources": [html_source(name="seed")]})
    assert "sources[0].name (source 'seed'): reserved" in message


def test_bad_css_selector(tmp_path):
    message = config_error(tmp_path, base_config() | {"sources": [html_source(links="a[href=")]})
    assert "sources[0].links (source '淄博新闻网'): bad CSS selector 'a[href='" in message


def test_bad_css_selector_in_article_rules(tmp_path):
    message = config_error(tmp_path, base_config() | {"sources": [html_source(article={"title": "h1>>"})]})
    assert "sources[0].article.title (source '淄博新闻网'): bad CSS selector" in message


def test_html_source_needs_a_links_selector(tmp_path):
    source = html_source()
    del source["links"]
    message = config_error(tmp_path, base_config() | {"sources": [source]})
    assert message.endswith(
        "sources[0].links (source '淄博新闻网'): an html source needs a CSS selector for its article links"
    )


def test_non_http_url(tmp_path):
    message = config_error(tmp_path, base_config() | {"sources": [html_source(url="ftp://example.org/")]})
    assert "sources[0].url (source '淄博新闻网'): 'ftp://example.org/' is not an http(s) URL" in message


def test_unknown_source_kind(tmp_path):
    message = config_error(tmp_path, base_config() | {"sources": [html_source(kind="atom")]})
    assert "sources[0].kind (source '淄博新闻网'): Input should be" in message


def test_bad_cron_schedule(tmp_path):
    message = config_error(tmp_path, base_config() | {"schedules": {"ingest": "*/30 * * *"}})
    assert "schedules.ingest: bad cron string '*/30 * * *'" in message


def test_interval_schedule(tmp_path):
    config = load_config(write(tmp_path, base_config() | {"schedules": {"ingest": {"interval_s": 600}}}))
    assert config.schedules.ingest.interval_s == 600


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("database: db.db\nsources: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line \d+ invalid YAML"):
        load_config(path)


def test_topic_word_that_cannot_be_a_token(tmp_path):
    message = config_error(tmp_path, base_config() | {"topics": {"zibo": ["淄博 市"]}})
    assert message.endswith("topics.zibo: '淄博 市' cannot be one token (use letters, digits and Chinese only)")


def test_config_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSMON_CONFIG", str(write(tmp_path, base_config() | {"database": "env.db"})))
    assert load_config().database_path == tmp_path / "env.db"


def test_run_exits_2_on_a_bad_config_and_fetches_nothing(tmp_path, capsys):
    path = write(tmp_path, base_config() | {"sources": [html_source(), html_source()]})
    assert main(["run", "--config", str(path)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("newsmon: config error: ") and "duplicate source name" in error
    assert "\n" not in error
    assert not (tmp_path / "db").exists()


def test_run_exits_2_on_an_unknown_source_name(tmp_path, capsys):
    path = write(tmp_path, base_config())
    assert main(["run", "--config", str(path), "--source", "nope"]) == 2
    assert "--source: no source named 'nope'" in capsys.readouterr().err


def test_dask_address_is_refused_rather_than_ignored(tmp_path):
    message = config_error(tmp_path, base_config() | {"orchestration": {"dask_address": "tcp://scheduler:8786"}})
    assert message.endswith("orchestration.dask_address: running stages on a Dask cluster is not supported yet")
