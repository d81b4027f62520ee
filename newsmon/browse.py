"""`newsmon browse`: Datasette on the database, with the project's metadata and plugins."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

import db as db_package
from newsmon.config import Config
from newsmon.errors import NewsmonError

DB_FOLDER = Path(db_package.__file__).parent
METADATA_FILE = DB_FOLDER / "metadata.yml"
PLUGINS_DIR = DB_FOLDER / "plugins"


def datasette_metadata(config: Config) -> dict:
    """db/metadata.yml placed under the database's name, plus the vocabulary the search plugin needs."""
    metadata = yaml.safe_load(METADATA_FILE.read_text(encoding="utf-8"))
    tables = metadata.pop("tables")
    metadata["databases"] = {config.database_path.stem: {"tables": tables}}
    metadata["plugins"] = {"newsmon": {"topics": config.topics, "tags": config.tags}}
    return metadata


def datasette_app(config: Config):
    """A Datasette instance as `browse` serves it (tests drive it through its `client`)."""
    from datasette.app import Datasette

    return Datasette([str(config.database_path)], metadata=datasette_metadata(config), plugins_dir=str(PLUGINS_DIR))


def serve_datasette(config: Config, port: int) -> int:
    """Run Datasette's own server in this process until interrupted."""
    from datasette.cli import cli as datasette_cli

    if not config.database_path.exists():
        raise NewsmonError(f"{config.database_path}: no database yet; run `newsmon run` first")
    with tempfile.NamedTemporaryFile("w", suffix=".yml", encoding="utf-8", delete=False) as metadata_file:
        yaml.safe_dump(datasette_metadata(config), metadata_file, allow_unicode=True)
    args = [
        "serve",
        str(config.database_path),
        "--metadata",
        metadata_file.name,
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--port",
        str(port),
    ]
    try:
        datasette_cli.main(args, prog_name="newsmon browse", standalone_mode=False)
    except KeyboardInterrupt:
        pass
    finally:
        Path(metadata_file.name).unlink(missing_ok=True)
    return 0
