"""config.yaml -> a validated, immutable `Config`.

The file is read and checked once, at the edge (the CLI); everything below receives the parsed
object. Every problem becomes one `ConfigError` line naming the key (and the source) so that a
user can fix it without reading a traceback.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import cronsim
import yaml
from cssselect import SelectorError
from lxml.cssselect import CSSSelector
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from newsmon.chinese import matching_form
from newsmon.errors import ConfigError

CONFIG_ENV = "NEWSMON_CONFIG"
DEFAULT_CONFIG = "config.yaml"
SCHEDULE_TIMEZONE = "Asia/Shanghai"
RESERVED_SOURCE_NAME = "seed"  # the articles of `seed:` files are stored under this source name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_selector(selector: str | None) -> str | None:
    """Compile with the engine that will run it (lxml's cssselect), so a bad selector fails here, not per page."""
    if selector is not None:
        try:
            CSSSelector(selector, translator="html")
        except SelectorError as exc:
            raise ValueError(f"bad CSS selector {selector!r}: {exc}") from None
    return selector


Selector = Annotated[str, Field(min_length=1)]


class IntervalSchedule(_Strict):
    interval_s: float = Field(gt=0)


class Schedules(_Strict):
    ingest: str | IntervalSchedule = "*/30 * * * *"
    digest: str | IntervalSchedule = "0 8 * * *"

    @field_validator("ingest", "digest")
    @classmethod
    def _valid_cron(cls, value: str | IntervalSchedule) -> str | IntervalSchedule:
        if isinstance(value, str):
            try:
                cronsim.CronSim(value, datetime(2026, 1, 1))
            except cronsim.CronSimError as exc:
                raise ValueError(f"bad cron string {value!r}: {exc}") from None
        return value


class FetchSettings(_Strict):
    user_agent: str = "newsmon/0.1 (+https://example.invalid/newsmon)"
    timeout_s: float = Field(default=20.0, gt=0)
    max_bytes: int = Field(default=5_000_000, gt=0)
    per_host_interval_s: float = Field(default=2.0, ge=0)
    max_redirects: int = Field(default=5, ge=0)
    max_new_per_source: int = Field(default=100, ge=1, le=100_000)
    respect_robots: bool = True
    allow_private_networks: bool = False


DEFAULT_MAX_WORKERS = 2


class Orchestration(_Strict):
    dask_address: str | None = None
    # Worker processes for extraction and analysis; each holds its own jieba dictionary (~100 MB).
    workers: int | None = Field(default=None, ge=1, le=64)

    def worker_count(self) -> int:
        """`workers`, or one per core up to DEFAULT_MAX_WORKERS: the memory goal holds on a large machine."""
        return self.workers or max(1, min(os.cpu_count() or 1, DEFAULT_MAX_WORKERS))

    @field_validator("dask_address")
    @classmethod
    def _dask_not_supported_yet(cls, value: str | None) -> str | None:
        # Refuse rather than silently run everything locally while the user believes it runs on Dask.
        if value is not None:
            raise ValueError("running stages on a Dask cluster is not supported yet")
        return value


class SmtpSettings(_Strict):
    host: str
    port: int = 587
    from_: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    starttls: bool = True
    username: str | None = None
    password_env: str | None = None


class DigestSettings(_Strict):
    output_dir: Path = Path("digests")
    formats: list[Literal["md", "html", "json", "atom"]] = ["md", "html", "json", "atom"]
    webhook_url: str | None = None
    smtp: SmtpSettings | None = None


class ArticleRules(_Strict):
    """Per-site CSS selectors that win over the generic extractor."""

    title: Selector | None = None
    body: Selector | None = None
    published: Selector | None = None
    author: Selector | None = None
    publisher: Selector | None = None

    @field_validator("title", "body", "published", "author", "publisher")
    @classmethod
    def _selectors_compile(cls, value: str | None) -> str | None:
        return _check_selector(value)


SourceKind = Literal["rss", "html", "sitemap", "text"]


class Source(_Strict):
    name: str = Field(min_length=1)
    kind: SourceKind
    url: str = Field(min_length=1)
    links: Selector | None = None
    article: ArticleRules | None = None
    enabled: bool = True

    @field_validator("links")
    @classmethod
    def _links_compile(cls, value: str | None) -> str | None:
        return _check_selector(value)

    @model_validator(mode="after")
    def _kind_needs(self) -> Source:
        if self.kind == "html" and self.links is None:
            raise ValueError("links: an html source needs a CSS selector for its article links")
        if self.kind != "text" and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url: {self.url!r} is not an http(s) URL")
        return self


class Config(_Strict):
    database: Path = Path("db/news.db")
    seed: list[Path] = []
    schedules: Schedules = Schedules()
    fetch: FetchSettings = FetchSettings()
    orchestration: Orchestration = Orchestration()
    digest: DigestSettings = DigestSettings()
    topics: dict[str, list[Annotated[str, Field(min_length=1)]]] = Field(min_length=1)
    tags: dict[str, list[Annotated[str, Field(min_length=1)]]] = {}
    sources: list[Source] = []
    base_dir: Path = Field(default=Path("."), exclude=True)

    @field_validator("topics", "tags")
    @classmethod
    def _words_can_be_tokens(cls, labels: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, words in labels.items():
            for word in words:
                try:
                    matching_form(word)
                except ValueError as exc:
                    raise ValueError(f"{name}: {exc}") from None
        return labels

    @model_validator(mode="after")
    def _unique_source_names(self) -> Config:
        seen = {RESERVED_SOURCE_NAME} if self.seed else set()
        for index, source in enumerate(self.sources):
            if source.name in seen:
                what = "reserved for the seed files" if source.name == RESERVED_SOURCE_NAME else "duplicate"
                raise ValueError(f"sources[{index}].name: {what} source name {source.name!r}")
            seen.add(source.name)
        return self

    def path(self, relative: Path | str) -> Path:
        """Resolve a path from the config against the config file's folder."""
        return (self.base_dir / Path(relative)).resolve()

    @property
    def database_path(self) -> Path:
        return self.path(self.database)

    @property
    def seed_paths(self) -> list[Path]:
        return [self.path(p) for p in self.seed]

    def selected_sources(self, names: list[str] | None = None) -> list[Source]:
        """The enabled sources, or exactly the named ones (an unknown name is a config error)."""
        if not names:
            return [s for s in self.sources if s.enabled]
        by_name = {s.name: s for s in self.sources}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ConfigError(f"--source: no source named {', '.join(map(repr, unknown))} in the config")
        return [by_name[n] for n in names]


def resolve_config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--config, then $NEWSMON_CONFIG, then ./config.yaml."""
    return Path(explicit or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate a config file; raise `ConfigError` with a one-line message on any problem."""
    config_path = resolve_config_path(path)
    try:
        raw = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{config_path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read config file: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{config_path}:{where} invalid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse_config(raw, config_path)


def parse_config(raw: Any, config_path: Path) -> Config:
    """Validate already-loaded YAML data; paths in it are relative to `config_path`'s folder."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{config_path}: expected a mapping of settings at the top level")
    if "base_dir" in raw:
        raise ConfigError(f"{config_path}: base_dir: extra inputs are not permitted")
    try:
        return Config.model_validate({**raw, "base_dir": config_path.resolve().parent})
    except ValidationError as exc:
        raise ConfigError(f"{config_path}: {_describe(exc, raw)}") from None


def _describe(exc: ValidationError, raw: dict[str, Any]) -> str:
    """The first validation error as `key.path (source name): message`."""
    error = exc.errors()[0]
    location = [part for part in error["loc"] if not _is_union_branch(part)]
    message = error["msg"].removeprefix("Value error, ")
    relative = _RELATIVE_KEY.match(message) if error["type"] == "value_error" else None
    if relative:
        location += _split_key(relative["key"])
        message = relative["message"]
    if error["type"] == "missing":
        message = "required key is missing"
    elif error["type"] == "extra_forbidden":
        message = "unknown key"
    source = _source_name(location, raw)
    return f"{_join_key(location)}{f' (source {source!r})' if source else ''}: {message}"


# Model-level validators name the key they reject as "key.path: message", relative to the model.
_RELATIVE_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w.\[\]]*): (?P<message>.+)$", re.S)


def _is_union_branch(part: Any) -> bool:
    return isinstance(part, str) and (part in {"str", "IntervalSchedule"} or part.startswith("function-"))


def _split_key(key: str) -> list[str | int]:
    return [int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", key)]


def _join_key(location: list[Any]) -> str:
    key = ""
    for part in location:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key or "(top level)"


def _source_name(location: list[Any], raw: dict[str, Any]) -> str | None:
    if len(location) >= 2 and location[0] == "sources" and isinstance(location[1], int):
        sources = raw.get("sources")
        if isinstance(sources, list) and location[1] < len(sources) and isinstance(sources[location[1]], dict):
            name = sources[location[1]].get("name")
            return str(name) if name is not None else None
    return None
