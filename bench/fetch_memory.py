"""Peak memory of a collect run with and without the gzip bomb and the 30 MB body, side by side.

The recorded web is served by this process; each run is a fresh child process (peak RSS only grows,
so two runs cannot share one) that collects the same healthy sources, the second one also meeting a
200 KB gzip bomb (200 MB inflated) and a 30 MB body. Both peaks and their difference are printed;
newsmon's claim is a difference under 50 MB (max_bytes is 5 MB). For scale, a third child meets the
same two URLs with plain `httpx.get` (the baseline newsmon replaces).

    uv run python bench/fetch_memory.py [--json] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newsmon.recorded_web import RecordedWeb  # noqa: E402

HEALTHY = [
    ("gia", "rss", "https://www.info.gov.hk/gia/rss/general_zh.xml", None),
    ("rthk", "rss", "https://rthk.hk/rthk/news/rss/c_expressnews_clocal.xml", None),
    ("zbnews", "html", "https://www.zbnews.net/", "a[href*='/content/']"),
    ("chinanews", "rss", "https://www.chinanews.com.cn/rss/scroll-news.xml", None),
]
FAULTS = [("gzip-bomb", "/gzip-bomb"), ("30 MB body", "/huge")]
LIMIT_MB = 50


def child(sources: list[dict]) -> None:
    """Fetch each source's URL through newsmon's fetcher; print the peak RSS in MB and each error, as JSON."""
    from newsmon.config import FetchSettings
    from newsmon.errors import FetchError
    from newsmon.fetch import Fetcher

    settings = FetchSettings(timeout_s=10, per_host_interval_s=0, allow_private_networks=True)
    outcome = {}
    with Fetcher(settings) as fetcher:
        for source in sources:
            try:
                outcome[source["name"]] = {"bytes": len(fetcher.fetch(source["url"]).content), "error": None}
            except FetchError as exc:
                outcome[source["name"]] = {"bytes": 0, "error": str(exc)}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"peak_mb": peak_mb, "sources": outcome}, ensure_ascii=False))


def httpx_child(urls: list[str]) -> None:
    """The same fault URLs with plain httpx.get (decodes the whole body in memory)."""
    import httpx

    for url in urls:
        assert httpx.get(url, timeout=30).content
    print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run_child(payload: list, mode: str = "--child") -> dict:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, __file__, mode, json.dumps(payload)], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["seconds"] = time.monotonic() - started
    return result


def measure(baseline: bool = True) -> dict:
    with RecordedWeb() as web:
        healthy = [
            {"name": name, "kind": kind, "url": web.url(url), **({"links": links} if links else {})}
            for name, kind, url, links in HEALTHY
        ]
        faults = [{"name": name, "kind": "rss", "url": web.fault_url(path)} for name, path in FAULTS]
        without = run_child(healthy)
        with_faults = run_child(healthy + faults)
        plain = run_child([f["url"] for f in faults], "--httpx-child") if baseline else None
    return {
        "httpx_get_faults_mb": round(plain["peak_mb"], 1) if plain else None,
        "without_faults_mb": round(without["peak_mb"], 1),
        "with_faults_mb": round(with_faults["peak_mb"], 1),
        "difference_mb": round(with_faults["peak_mb"] - without["peak_mb"], 1),
        "limit_mb": LIMIT_MB,
        "fault_errors": {name: with_faults["sources"][name]["error"] for name, _ in FAULTS},
        "seconds": [round(without["seconds"], 2), round(with_faults["seconds"], 2)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--httpx-child", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain httpx.get run (~400 MB)")
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    if args.httpx_child:
        httpx_child(json.loads(args.httpx_child))
        return
    figures = measure(baseline=not args.no_baseline)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    print(f"peak RSS without the bomb and the 30 MB body: {figures['without_faults_mb']:.1f} MB")
    print(f"peak RSS with them:                           {figures['with_faults_mb']:.1f} MB")
    print(f"difference: {figures['difference_mb']:+.1f} MB (limit {LIMIT_MB} MB)")
    if figures["httpx_get_faults_mb"] is not None:
        print(f"plain httpx.get on the same two URLs:         {figures['httpx_get_faults_mb']:.1f} MB peak")
    for name, error in figures["fault_errors"].items():
        print(f"  {name}: {error}")


if __name__ == "__main__":
    main()
