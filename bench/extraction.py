"""Article extraction on the Chinese news corpus: newsmon and three baselines side by side, in one run.

    uv run --group bench python bench/extraction.py [CORPUS_DIR] [--pages 001,004] [--detail]

Scores, for each extractor over the corpus pages (NNN.html + NNN.json):
- title %: extracted title equals the expected one after whitespace normalisation;
- date %: the date part equals the expected one (pages whose expected publish_time is not null);
- date+min %: date and hh:mm equal (pages whose expected publish_time has a time of day);
- body P / R / F1: character-bigram multisets of the whitespace-stripped texts, averaged over pages;
- pages/s: extraction from decoded text (decoding is done once beforehand and not timed), best of
  `--rounds` passes because this machine is noisy.
Baseline dates are read from whatever string the library returns with one neutral pattern, not with
newsmon's parser. readability-lxml extracts no dates: its date columns are n/a.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lxml.html

from parsers.article import extract_article
from parsers.charset import decode_bytes

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "extraction"

# Any year-month-day with an optional hh:mm after it, the way baselines return dates.
LOOSE_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?\s*日?(?:[\sT]*(\d{1,2})\s*[:：时]\s*(\d{2}))?"
)
WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Extracted:
    title: str | None
    date: str | None  # any string holding the date; None when the extractor found none
    body: str | None


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    html: str
    url: str
    expected: dict


def load_corpus(folder: Path, names: set[str] | None) -> list[Page]:
    pages = []
    for html_path in sorted(folder.glob("*.html")):
        if names and html_path.stem not in names:
            continue
        expected = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
        html = decode_bytes(html_path.read_bytes()).text
        url = expected.get("url") or f"file://{html_path}"
        pages.append(Page(html_path.stem, html, url, expected))
    return pages


def newsmon(page: Page) -> Extracted:
    article = extract_article(page.html, page.url)
    return Extracted(article.title, article.published_at, article.body)


def trafilatura_baseline(page: Page) -> Extracted:
    import trafilatura

    document = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    if document is None:
        return Extracted(None, None, None)
    return Extracted(document.title, document.date, document.text)


def readability_baseline(page: Page) -> Extracted:
    from readability import Document

    document = Document(page.html)
    summary = lxml.html.fromstring(document.summary(html_partial=True))
    return Extracted(document.short_title(), None, "\n".join(summary.itertext()))


def gne_baseline(page: Page) -> Extracted:
    from gne import GeneralNewsExtractor

    result = GeneralNewsExtractor().extract(page.html)
    return Extracted(result.get("title"), result.get("publish_time"), result.get("content"))


EXTRACTORS: dict[str, Callable[[Page], Extracted]] = {
    "newsmon": newsmon,
    "trafilatura 2.3.1": trafilatura_baseline,
    "readability-lxml 0.9": readability_baseline,
    "gne 0.4.3": gne_baseline,
}
DATELESS = {"readability-lxml 0.9"}


def normalised(text: str | None) -> str:
    return WHITESPACE.sub(" ", text or "").strip()


def date_parts(text: str | None) -> tuple[str | None, str | None]:
    """('YYYY-MM-DD' or 'YYYY-MM', 'hh:mm' or None) of a date string, or (None, None)."""
    match = LOOSE_DATE.search(text or "")
    if match is None:
        return None, None
    year, month, day, hour, minute = match.groups()
    date = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    clock = f"{int(hour):02d}:{minute}" if hour is not None and day else None
    return date, clock


def bigram_scores(found: str | None, expected: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the character bigrams of `found` against `expected`."""
    got, want = _bigrams(found or ""), _bigrams(expected)
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _bigrams(text: str) -> Counter[str]:
    text = WHITESPACE.sub("", text)
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


@dataclass(slots=True)
class Score:
    titles: int = 0
    dates: int = 0
    date_pages: int = 0
    minutes: int = 0
    minute_pages: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    pages: int = 0
    errors: int = 0
    pages_per_s: float = 0.0


def score_page(score: Score, page: Page, got: Extracted, detail: bool) -> None:
    expected = page.expected
    title_ok = normalised(got.title) == normalised(expected["title"])
    want_date, want_clock = date_parts(expected["publish_time"])
    got_date, got_clock = date_parts(got.date)
    date_ok = want_date is not None and got_date == want_date
    minute_ok = want_clock is not None and date_ok and got_clock == want_clock
    precision, recall, f1 = bigram_scores(got.body, expected["body"])
    score.pages += 1
    score.titles += title_ok
    score.date_pages += want_date is not None
    score.dates += date_ok
    score.minute_pages += want_clock is not None
    score.minutes += minute_ok
    score.precision += precision
    score.recall += recall
    score.f1 += f1
    if detail:
        flags = f"{'T' if title_ok else 't'}{'D' if date_ok or not want_date else 'd'}"
        flags += "M" if minute_ok or not want_clock else "m"
        print(f"  {page.name} {flags} P={precision:.3f} R={recall:.3f} F1={f1:.3f}")
        if not title_ok:
            print(f"      title {got.title!r} != {expected['title']!r}")
        if not (date_ok or not want_date) or not (minute_ok or not want_clock) or (got_date and not want_date):
            print(f"      date {got.date!r} vs {expected['publish_time']!r}")


def run(name: str, extract: Callable[[Page], Extracted], pages: list[Page], rounds: int, detail: bool) -> Score:
    score = Score()
    results: list[Extracted] = []
    best = float("inf")
    for _ in range(rounds):
        results = []
        started = time.perf_counter()
        for page in pages:
            try:
                results.append(extract(page))
            except Exception as exc:  # a baseline crashing on a page scores that page as empty
                results.append(Extracted(None, None, None))
                if detail:
                    print(f"  {page.name} {name} failed: {type(exc).__name__}: {exc}")
        best = min(best, time.perf_counter() - started)
    if detail:
        print(name)
    for page, got in zip(pages, results, strict=True):
        score.errors += got.title is None and got.body is None
        score_page(score, page, got, detail)
    score.pages_per_s = len(pages) / best
    return score


def percent(hits: int, total: int) -> str:
    return f"{100 * hits / total:5.1f}" if total else "  n/a"


def print_table(scores: dict[str, Score], page_count: int) -> None:
    print(f"\n{page_count} pages; pages/s = extraction from decoded text, decoding not included\n")
    header = f"{'extractor':<22}{'title%':>8}{'date%':>8}{'d+min%':>8}{'body P':>8}{'body R':>8}{'F1':>7}{'pages/s':>9}"
    print(header)
    print("-" * len(header))
    for name, score in scores.items():
        n = score.pages
        dateless = name in DATELESS
        print(
            f"{name:<22}{percent(score.titles, n):>8}"
            f"{'n/a' if dateless else percent(score.dates, score.date_pages):>8}"
            f"{'n/a' if dateless else percent(score.minutes, score.minute_pages):>8}"
            f"{score.precision / n:>8.3f}{score.recall / n:>8.3f}{score.f1 / n:>7.3f}{score.pages_per_s:>9.1f}"
        )
    if "newsmon" not in scores:
        return
    ours = scores["newsmon"].pages_per_s
    ratios = ", ".join(f"{ours / s.pages_per_s:.1f}x {name}" for name, s in scores.items() if name != "newsmon")
    print(f"\nnewsmon speed: {ratios}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pages", help="comma-separated page names (e.g. 001,004); default: all")
    parser.add_argument("--only", help="comma-separated extractor names to run (prefix match)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes per extractor (best counts)")
    parser.add_argument("--detail", action="store_true", help="per-page scores and mismatches")
    args = parser.parse_args()
    names = set(args.pages.split(",")) if args.pages else None
    pages = load_corpus(args.corpus, names)
    chosen = [n for n in EXTRACTORS if not args.only or any(n.startswith(p) for p in args.only.split(","))]
    warnings.simplefilter("ignore")
    scores = {name: run(name, EXTRACTORS[name], pages, args.rounds, args.detail) for name in chosen}
    print_table(scores, len(pages))


if __name__ == "__main__":
    main()
