"""The `newsmon` command: parses arguments, validates the config once, and hands over to a flow."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from newsmon.clock import parse_iso
from newsmon.config import Config, load_config, resolve_config_path
from newsmon.digest import RENDERERS
from newsmon.errors import ConfigError, DecodeError, NewsmonError
from newsmon.prefect_env import configure_prefect

EXIT_ALL_SOURCES_FAILED = 1
EXIT_BAD_CONFIG = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ConfigError as exc:
        print(f"newsmon: config error: {exc}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except NewsmonError as exc:
        print(f"newsmon: {exc}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsmon", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="one ingest run now, as a Prefect flow")
    _add_config_option(run)
    run.add_argument(
        "--source",
        action="append",
        dest="sources",
        metavar="NAME",
        help="only this source (repeatable); default: every enabled source and the seed",
    )
    run.set_defaults(handler=command_run)

    digest = commands.add_parser("digest", help="write a digest of the articles stored in a window")
    _add_config_option(digest)
    window = digest.add_mutually_exclusive_group()
    window.add_argument("--since", type=_iso_timestamp, help="ISO 8601 start (default: where the last digest ended)")
    window.add_argument("--hours", type=float, help="the last N hours")
    digest.add_argument("--format", choices=sorted(RENDERERS), help="one format (default: the config's formats)")
    digest.add_argument("--output", metavar="FILE|-", help="a file, or - for standard output (a preview, not recorded)")
    digest.set_defaults(handler=command_digest)

    serve = commands.add_parser("serve", help="run ingest and digest on the config's schedules until stopped")
    _add_config_option(serve)
    serve.add_argument(
        "--port",
        type=int,
        default=4200,
        help="port of the local Prefect server started when PREFECT_API_URL is not set",
    )
    serve.set_defaults(handler=command_serve)

    browse = commands.add_parser("browse", help="open the database in Datasette")
    _add_config_option(browse)
    browse.add_argument("--port", type=int, default=8001)
    browse.set_defaults(handler=command_browse)

    demo = commands.add_parser("demo", help="run the pipeline offline on the bundled recorded sites")
    demo.add_argument("--database", type=Path, help="database file (default: news.db in a new temp folder)")
    demo.set_defaults(handler=command_demo)

    extract = commands.add_parser("extract", help="extract one article page and print it as JSON (no database)")
    extract.add_argument("page", metavar="FILE_OR_URL", help="a saved HTML file, or an http(s) URL to fetch")
    extract.add_argument("--url", help="the page's URL, when it differs from where it is read (default: file://PATH)")
    extract.set_defaults(handler=command_extract)
    return parser


def _add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="config file (default: $NEWSMON_CONFIG, then ./config.yaml)")


def _config(args: argparse.Namespace) -> tuple[str, Config]:
    path = resolve_config_path(args.config)
    return str(path), load_config(path)


def command_run(args: argparse.Namespace) -> int:
    config_path, config = _config(args)
    config.selected_sources(args.sources)  # an unknown --source is a config error before anything starts
    configure_prefect()
    temporary_server = not os.environ.get("PREFECT_API_URL")
    from flows.ingest import ingest

    started = time.monotonic()
    state = ingest(config_path, args.sources, show_progress=sys.stderr.isatty(), return_state=True)
    return report_run(state, time.monotonic() - started, temporary_server)


def report_run(state, wall_s: float, temporary_server: bool) -> int:
    """Print an ingest flow run's summary; its exit code: 1 when every source failed, else 0."""
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):  # the flow itself crashed: its traceback is in the log above
        raise NewsmonError(f"the ingest run crashed: {result!r}")
    print_run_summary(result, wall_s, temporary_server)
    return EXIT_ALL_SOURCES_FAILED if state.is_failed() else 0


SUMMARY_COLUMNS = ("source", "kind", "status", "fetched", "new", "duplicates", "off topic", "errors", "taken")


def print_run_summary(result: dict, wall_s: float, temporary_server: bool) -> None:
    """The per-source table in config order, the failed sources, notes, and where the time and database are.

    Error and note lines are never wrapped, so each stays one line in a log; piped into a log the
    table gets 120 columns rather than rich's 80, which would fold every Chinese source name.
    """
    console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 120)
    table = Table(title=f"newsmon run {result['run']['id']}: {result['run']['status']}")
    for column in SUMMARY_COLUMNS:
        table.add_column(column, justify="left" if column in {"source", "kind", "status"} else "right", overflow="fold")
    for outcome in result["sources"]:
        status = "failed" if outcome["source_error"] else ("not modified" if outcome["not_modified"] else "ok")
        counts = ("fetched", "new", "duplicates", "off_topic", "error_count", "taken")
        table.add_row(outcome["source"], outcome["kind"], status, *(str(outcome[key]) for key in counts))
    console.print(table)
    console.print(
        "fetched = new + duplicates (stored, folded into the story they repeat) + off topic + errors + taken "
        "(listed by an earlier source of the run, which fetched it)",
        highlight=False,
    )
    failed = [outcome["source"] for outcome in result["sources"] if outcome["source_error"]]
    if failed:
        console.print(Text.assemble(("failed sources: ", "red"), ", ".join(failed)))
    for outcome in result["sources"]:
        for error in ([outcome["source_error"]] if outcome["source_error"] else []) + outcome["errors"]:
            console.print(Text.assemble(("error ", "red"), f"{outcome['source']}: {error}"))
    for outcome in result["sources"]:
        for note in outcome.get("notes", []):
            console.print(Text.assemble(("note ", "yellow"), f"{outcome['source']}: {note}"))
    run = result["run"]
    run_s = (parse_iso(run["finished_at"]) - parse_iso(run["started_at"])).total_seconds()
    overhead = f"{max(0.0, wall_s - run_s):.1f} s for Prefect and start-up"
    if temporary_server:
        overhead += " (a temporary Prefect server; set PREFECT_API_URL to a running one to skip it)"
    console.print(f"run took {run_s:.1f} s, {overhead}", highlight=False)
    console.print(f"database: {result['database']}", highlight=False)


def _iso_timestamp(text: str) -> str:
    try:
        parse_iso(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 timestamp: {text!r}") from None
    return text


def command_digest(args: argparse.Namespace) -> int:
    config_path, _ = _config(args)
    configure_prefect()
    from flows.digest import digest

    result = digest(config_path, since=args.since, hours=args.hours, format=args.format, output=args.output)
    if "text" in result:
        sys.stdout.write(result["text"])
        return 0
    print(f"digest {result['since']} – {result['until']}: {result['stories']} stories, {result['articles']} articles")
    for path in result["files"]:
        print(f"wrote {path}")
    for error in result["delivery_errors"]:
        print(f"newsmon: {error}", file=sys.stderr)
    return 0


def command_serve(args: argparse.Namespace) -> int:
    config_path, config = _config(args)
    configure_prefect()
    from newsmon.prefect_server import prefect_api

    with prefect_api(args.port) as api_url:
        schedules = config.schedules
        print(
            f"newsmon serve: Prefect API {api_url}; ingest {schedules.ingest}, digest {schedules.digest}"
            " (Asia/Shanghai); Ctrl-C stops",
            flush=True,
        )
        from flows.serve import serve_schedules

        with contextlib.suppress(KeyboardInterrupt):
            serve_schedules(config, str(Path(config_path).resolve()))
    return 0


def command_browse(args: argparse.Namespace) -> int:
    _, config = _config(args)
    from newsmon.browse import serve_datasette

    return serve_datasette(config, args.port)


def command_demo(args: argparse.Namespace) -> int:
    configure_prefect()
    from newsmon.demo import run_demo

    temporary_server = not os.environ.get("PREFECT_API_URL")
    started = time.monotonic()
    config_path, state = run_demo(args.database)
    code = report_run(state, time.monotonic() - started, temporary_server)
    print(f"demo config: {config_path}  (browse it: newsmon browse --config {config_path})")
    return code


def command_extract(args: argparse.Namespace) -> int:
    """Print the article fields of one page as JSON; errors end as `newsmon: <one line>`, exit 1."""
    from parsers.article import extract_article
    from parsers.charset import decode_bytes

    if args.page.startswith(("http://", "https://")):
        content, content_type, url = _fetch_one(args.page)
    else:
        path = Path(args.page)
        try:
            content, content_type, url = path.read_bytes(), None, f"file://{path.absolute()}"
        except OSError as exc:
            raise NewsmonError(f"{args.page}: cannot read ({exc.strerror})") from None
    url = args.url or url
    try:
        text = decode_bytes(content, content_type).text
    except DecodeError as exc:
        raise DecodeError(f"{url}: {exc}") from None
    article = extract_article(text, url)
    print(json.dumps(article.extracted_fields(), ensure_ascii=False, indent=2))
    return 0


def _fetch_one(url: str) -> tuple[bytes, str | None, str]:
    """(body, Content-Type, final URL) of a page, fetched with the default fetch settings."""
    from newsmon.config import FetchSettings
    from newsmon.fetch import Fetcher

    with Fetcher(FetchSettings()) as fetcher:
        page = fetcher.fetch(url, trusted=True)  # the user named this URL
    return page.content, page.content_type, page.final_url


if __name__ == "__main__":
    sys.exit(main())
