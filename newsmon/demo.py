"""`newsmon demo`: the whole pipeline, offline, against the recorded web on 127.0.0.1.

The recorded sites (newsmon/demo_web) are served on local ports, the demo config's source URLs are
rewritten to them, and one ingest run goes through the same flow as `newsmon run`, into a database
of its own (a new folder under the system temp folder unless `--database` names one). The seed
article and two copies of it on other sites show reposts folded into one story; one broken source
shows that a bad site costs only its own row in `fetch_errors`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from newsmon.recorded_web import DEMO_WEB, RecordedWeb

if TYPE_CHECKING:
    from prefect.states import State

DEMO_CONFIG = DEMO_WEB / "config.yaml"
SEED_FOLDER = Path(__file__).resolve().parent.parent / "db" / "seed"


def write_demo_config(web: RecordedWeb, folder: Path, database: Path | None = None) -> Path:
    """The demo config, with source URLs pointing at `web`, written into `folder`; returns its path."""
    raw = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    for source in raw["sources"]:
        source["url"] = web.url(source["url"])
    raw["database"] = str((database or folder / "news.db").resolve())
    raw["seed"] = [str(path) for path in sorted(SEED_FOLDER.glob("*.txt"))]
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_demo(database: Path | None = None, folder: Path | None = None) -> tuple[Path, State]:
    """Serve the recorded web, run one ingest into the demo database; returns (config path, flow run state)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="newsmon-demo-"))
    from flows.ingest import ingest

    with RecordedWeb() as web:
        config_path = write_demo_config(web, folder, database)
        return config_path, ingest(str(config_path), return_state=True)
