"""Relevance + dedupe + store on synthetic reposts built from real Chinese news text, at 10k and 100k documents.

    uv run python bench/dedupe.py [CORPUS_DIR] [--sizes 10000 100000] [--harvest 50] [--workers 1]

Documents are made of sentences from the seed article and the corpus bodies (CORPUS_DIR/*.json,
default ../shared/corpus/extraction): 4-10 paragraphs of 2-5 sentences, the lead paragraph holding a
sentence about Zibo or the Greater Bay Area. Document i is a function of i. Of every 100 documents
- 72 are originals,
- 16 are planted reposts of an earlier original by another portal, with a new title and one edit:
  boilerplate lines added (来源/原标题/记者/责任编辑/转载声明), 10% of paragraphs dropped, paragraphs
  reordered, or the first 60% of the text only (4 of each),
- 7 are hard negatives: a new article on the same topic sharing one paragraph with an earlier one,
- 5 are off topic (no topic word).

The run is the production pipeline as the ingest flow drives it: `ParallelAnalyser` workers run the
pure stages (`check_relevance` with real jieba, `fingerprint_body`), this process is the one SQLite
writer (`store_analysed`: LSH query and confirmation, story, article row, FTS row, story index, URL
ledger; one transaction per harvest of `--harvest` documents; one run-wide `StoryIndex`). The tag stage
is left out of the timed run and measured on its own: the documents are made before the clock starts,
each with the tags and search words the tag stage gives (from memoised cuts of its sentences, which is
exact because jieba cuts each text block on its own), so the store stage writes real rows.

Printed: precision (joins into the right story / all joins), recall (planted reposts in their
original's story, per edit too), docs/s measured and the CPU per document of the writer and the
workers (this machine is shared and noisy: the CPU figures say what the code costs), the store stage's
cost per document over the whole run and its last 10% (the index at its largest), what the FTS row
costs (the smallest size again with empty search words), the tag stage and `store_harvest` end to end,
peak RSS; and the baseline: datasketch's MinHash (128 permutations) against newsmon's one-permutation
MinHash, signatures/s and Jaccard estimation error on the same documents.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import re
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import zlib
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from newsmon import dedupe, pipeline, store, stories
from newsmon.chinese import comparable_text, to_simplified
from newsmon.clock import CHINA
from newsmon.records import Article, Harvest
from newsmon.tagging import Tagger

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "extraction"
SEED_FILE = REPO / "db" / "seed" / "000_1a11c1f1ca3ccac1.txt"
SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*[”」’』]?")
PORTALS = ("大众网", "齐鲁网", "新浪新闻", "搜狐", "网易新闻", "凤凰网", "澎湃新闻", "淄博新闻网", "南方网", "今日头条")
EDITS = ("boilerplate", "drop10", "reorder", "first60")
# Per 100 documents: what each one is (see the module docstring).
MIX = ("original",) * 72 + tuple(edit for edit in EDITS for _ in range(4)) + ("negative",) * 7 + ("off_topic",) * 5
START = datetime(2026, 1, 1, 8, 0, tzinfo=CHINA)


# ---------------------------------------------------------------- synthetic documents


class SentencePool:
    """Sentences of real text, split into those that name a topic place and the others."""

    def __init__(self, texts: list[str], topic_words: frozenset[str]):
        sentences = []
        for text in texts:
            for paragraph in text.splitlines():
                sentences += [s.strip() for s in SENTENCE.findall(paragraph.strip()) if len(s.strip()) >= 8]
        sentences = list(dict.fromkeys(sentences))
        names_topic = [any(word in to_simplified(s).lower() for word in topic_words) for s in sentences]
        self.topic = [s for s, flag in zip(sentences, names_topic, strict=True) if flag]
        self.plain = [s for s, flag in zip(sentences, names_topic, strict=True) if not flag]
        self.mean_chars = sum(map(len, sentences)) / len(sentences)


@dataclass(frozen=True, slots=True)
class Doc:
    """One synthetic document, what it truly is, and the pieces it is made of (for its search words)."""

    number: int
    kind: str  # original | negative | off_topic | one of EDITS
    group: int  # the number of the original it reposts, else its own number
    article: Article
    pieces: tuple[str, ...]  # title parts, sentences and boilerplate lines, each ending a jieba block


Paragraphs = list[list[str]]  # sentences of each paragraph


class SyntheticNews:
    """Document i is a pure function of (seed, i): a document, or a repost of an earlier original."""

    def __init__(self, pool: SentencePool, seed: int = 1):
        self.pool = pool
        self.seed = seed

    def kind(self, number: int) -> str:
        return MIX[random.Random(self.seed * 7_919 + number).randrange(len(MIX))] if number else "original"

    def paragraphs(self, number: int, on_topic: bool = True) -> Paragraphs:
        rng = random.Random(self.seed * 1_000_003 + number)
        paragraphs = [
            [rng.choice(self.pool.plain) for _ in range(rng.randint(2, 5))] for _ in range(rng.randint(4, 10))
        ]
        if on_topic:  # the lead paragraph names the place, as news does
            paragraphs[0].insert(rng.randrange(len(paragraphs[0]) + 1), rng.choice(self.pool.topic))
        return paragraphs

    def earlier_original(self, number: int, rng: random.Random) -> int:
        while True:
            candidate = rng.randrange(number)
            if self.kind(candidate) == "original":
                return candidate

    def doc(self, number: int) -> Doc:
        kind = self.kind(number)
        rng = random.Random(self.seed * 15_485_863 + number)
        source = rng.choice(PORTALS)
        group = number
        if kind in ("original", "off_topic"):
            paragraphs = self.paragraphs(number, on_topic=kind == "original")
            title_parts = [_title(paragraphs)]
        elif kind == "negative":  # a new article on the same topic, sharing one background paragraph
            paragraphs = self.paragraphs(number)
            shared = rng.choice(self.paragraphs(self.earlier_original(number, rng))[1:])
            paragraphs.insert(rng.randint(1, len(paragraphs)), shared)
            title_parts = [_title(paragraphs)]
        else:
            group = self.earlier_original(number, rng)
            original = self.paragraphs(group)
            paragraphs = repost_paragraphs(kind, original, rng)
            title_parts = [rng.choice(("转载", "关注", "聚焦")), _title(original), source]
        body = "\n".join("".join(sentences) for sentences in paragraphs)
        pieces = (*title_parts, *(sentence for sentences in paragraphs for sentence in sentences))
        return Doc(
            number,
            kind,
            group,
            Article(f"https://bench.invalid/{number}", "｜".join(title_parts), body, source),
            pieces,
        )


def _title(paragraphs: Paragraphs) -> str:
    return re.split(r"[，。！？,]", paragraphs[0][0])[0][:28]


def repost_paragraphs(edit: str, paragraphs: Paragraphs, rng: random.Random) -> Paragraphs:
    """An original's paragraphs as another portal reposts them, with one edit (a boilerplate line is a paragraph)."""
    if edit == "boilerplate":
        portal = rng.choice(PORTALS)
        head = [f"来源：{portal}", f"原标题：{_title(paragraphs)}", f"{rng.choice(('记者', '通讯员'))} 王晓明 李华"]
        tail = [
            "（完）",
            f"责任编辑：{rng.choice(('张三', '李娜', '赵磊'))}",
            f"本文转载自{portal}，如有侵权请联系删除。",
        ]
        lines = rng.sample(head, rng.randint(1, 3)), rng.sample(tail, rng.randint(1, 3))
        return [[line] for line in lines[0]] + paragraphs + [[line] for line in lines[1]]
    if edit == "drop10":
        dropped = set(rng.sample(range(len(paragraphs)), max(1, round(len(paragraphs) * 0.1))))
        return [p for index, p in enumerate(paragraphs) if index not in dropped]
    if edit == "reorder":
        shuffled = paragraphs[:]
        while shuffled == paragraphs:
            rng.shuffle(shuffled)
        return shuffled
    if edit == "first60":  # whole sentences up to 60% of the text
        budget = sum(len(s) for p in paragraphs for s in p) * 0.6
        kept: Paragraphs = []
        for sentences in paragraphs:
            kept.append([])
            for sentence in sentences:
                if budget < len(sentence):
                    return [p for p in kept if p]
                budget -= len(sentence)
                kept[-1].append(sentence)
        return kept
    raise ValueError(edit)


# ---------------------------------------------------------------- measurement


class PieceTagger:
    """The tag stage's rows for a synthetic document, from memoised analyses of its pieces.

    jieba cuts each block of Han, letters and digits on its own, and every piece ends a block, so a
    document's search words and tags are those of its pieces: the rows the real tag stage would store.
    Keywords are left empty (a ~100-byte JSON column); their cost is in the tag stage's own figure.
    """

    def __init__(self, tagger: Tagger):
        self.tagger = tagger
        self.memo: dict[str, tuple[str, tuple[str, ...]]] = {}

    def _piece(self, text: str) -> tuple[str, tuple[str, ...]]:
        found = self.memo.get(text)
        if found is None:
            analysis = self.tagger.analyse("", text)
            found = self.memo[text] = (self.tagger.search_text(analysis), analysis.labels(self.tagger.tags))
        return found

    def rows(self, doc: Doc) -> tuple[tuple[str, ...], str]:
        """(tags, search words) of the document."""
        words, tags = zip(*(self._piece(piece) for piece in doc.pieces), strict=True)
        present = {name for names in tags for name in names}
        distinct = dict.fromkeys(word for piece_words in words for word in piece_words.split())
        return tuple(n for n in self.tagger.tags.labels if n in present), " ".join(distinct)


def write_batches(news: SyntheticNews, pieces: PieceTagger, size: int, harvest: int, path: Path) -> None:
    """Make the documents before the clock starts: each harvest pickled and compressed, with its tag rows."""
    with path.open("wb") as out:
        for start in range(0, size, harvest):
            docs = [news.doc(n) for n in range(start, min(start + harvest, size))]
            batch = [(replace(doc, pieces=()), *pieces.rows(doc)) for doc in docs]
            blob = zlib.compress(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL), 1)
            out.write(len(blob).to_bytes(8, "little") + blob)


def read_batches(path: Path) -> Iterator[list[tuple[Doc, tuple[str, ...], str]]]:
    with path.open("rb") as source:
        while header := source.read(8):
            yield pickle.loads(zlib.decompress(source.read(int.from_bytes(header, "little"))))


class Stopwatch:
    """Seconds spent in functions wrapped to be timed where they are called (wall and this process's CPU)."""

    def __init__(self):
        self.seconds: Counter = Counter()

    def wrap(self, module: object, name: str) -> Callable[[], None]:
        """Time `module.name` from now on; returns the function that puts the original back."""
        inner = getattr(module, name)

        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - wall
                self.seconds[f"{name} cpu"] += time.process_time() - cpu

        setattr(module, name, timed)
        return lambda: setattr(module, name, inner)


@dataclass
class RunResult:
    size: int
    wall: float = 0.0
    cpu: float = 0.0  # this process's CPU seconds over the run
    seconds: Counter = field(default_factory=Counter)
    stored: int = 0
    off_topic: int = 0
    joins: int = 0
    correct_joins: int = 0
    reposts: Counter = field(default_factory=Counter)
    reposts_found: Counter = field(default_factory=Counter)
    wrong_merges: int = 0
    chars: int = 0
    tail: Counter = field(default_factory=Counter)  # store seconds and documents over the last 10%
    reference: list[float] = field(default_factory=list)  # CPU seconds of `reference_work`, during the run
    main_rss_mb: float = 0.0
    db_mb: float = 0.0

    @property
    def precision(self) -> float:
        return self.correct_joins / self.joins if self.joins else 1.0

    @property
    def recall(self) -> float:
        return sum(self.reposts_found.values()) / max(sum(self.reposts.values()), 1)

    def us(self, part: str) -> float:
        """Microseconds per document spent in `part`."""
        return self.seconds[part] / self.size * 1e6

    @property
    def reference_ms(self) -> float:
        """Median CPU time of the fixed reference work during this run: the machine's speed then."""
        return statistics.median(self.reference) * 1e3

    @property
    def worker_us(self) -> float:
        """CPU of the worker processes per document (relevance, fingerprint, pickling)."""
        return self.seconds["workers cpu"] / self.size * 1e6

    @property
    def free_core_rate(self) -> float:
        """Documents/s this CPU cost allows on two free cores: the writer's core, or both shared."""
        writer = self.writer_us
        return min(1e6 / writer, 2e6 / (writer + self.worker_us))

    @property
    def writer_us(self) -> float:
        """CPU of this process (the one SQLite writer) per document, less the bench's own work."""
        return (self.cpu - self.seconds["harness"]) / self.size * 1e6

    def tail_us(self, part: str) -> float:
        return self.tail[part] / max(self.tail["docs"], 1) * 1e6


LOOKAHEAD = 4  # harvests in the workers' hands while this process stores one


def run_size(
    news: SyntheticNews, tagger: Tagger, size: int, harvest: int, folder: Path, workers: int, search_rows: bool = True
) -> RunResult:
    """Store `size` documents, one harvest per transaction, the pure stages in `workers` worker processes.

    `search_rows=False` stores empty search words: what the FTS rows cost, by difference.
    """
    batch_file = folder / f"docs-{size}.bin"
    write_batches(news, PieceTagger(tagger), size, harvest, batch_file)
    result = RunResult(size)
    watch = Stopwatch()
    restore = [watch.wrap(stories, "find_story"), watch.wrap(stories, "index_article")]
    db = store.open_database(folder / f"bench-{size}.db")
    story_index = stories.StoryIndex(db)  # one per run, as the ingest flow holds it
    story_of = array("q", [0]) * size  # the story each stored document went to
    group_of_story: dict[int, int] = {}
    tail_from = size - size // 10
    batches = read_batches(batch_file)
    with pipeline.ParallelAnalyser(tagger.topics, tagger.tags, workers=workers) as analyser:
        pending: deque = deque()

        def submit(index: int) -> None:
            began = time.perf_counter()
            batch = next(batches, None)  # the bench's own input, read from disk: not the pipeline's work
            result.seconds["harness"] += time.perf_counter() - began
            if batch is not None:
                fetched_at = (START + timedelta(minutes=index)).isoformat(timespec="seconds")
                articles = [replace(doc.article, fetched_at=fetched_at) for doc, _, _ in batch]
                pending.append((batch, analyser.analyse(articles, tag=False)))

        for index in range(LOOKAHEAD):
            submit(index)
        wall, cpu = time.perf_counter, time.process_time
        began_wall, began_cpu = wall(), cpu()
        index = 0
        while pending:
            batch, analysed = pending.popleft()
            submit(index + LOOKAHEAD)
            now = START + timedelta(minutes=index)
            index += 1
            t0, c0 = wall(), cpu()
            story_index.flush_if_due()  # as store_harvest does before each harvest
            store.index_search_queue(db, at_least=pipeline.SEARCH_BATCH)
            t1, c1 = wall(), cpu()
            result.seconds["flush"] += t1 - t0
            result.seconds["flush cpu"] += c1 - c0
            with db.atomic():
                t1, c1 = wall(), cpu()
                result.seconds["store"] += t1 - t0
                result.seconds["store cpu"] += c1 - c0
                for doc, tags, search_words in batch:
                    item = next(analysed)
                    t2 = wall()
                    if item.relevant:
                        words = search_words if search_rows else ""
                        item = replace(item, article=replace(item.article, tags=tags), search_words=words)
                    t3, c3 = wall(), cpu()
                    saved = pipeline.store_analysed(db, item, now, story_index)
                    t4, c4 = wall(), cpu()
                    result.seconds["waiting"] += t2 - t1
                    result.seconds["store"] += t4 - t3
                    result.seconds["store cpu"] += c4 - c3
                    if doc.number >= tail_from:
                        result.tail.update({"store": t4 - t3, "store cpu": c4 - c3, "docs": 1})
                    score(result, doc, saved, story_of, group_of_story)
                    t1 = wall()
                t5, c5 = wall(), cpu()
            story_index.committed()
            t6, c6 = wall(), cpu()
            result.seconds["store"] += t6 - t5
            result.seconds["store cpu"] += c6 - c5
            if batch[-1][0].number >= tail_from:
                result.tail.update({"store": t6 - t5 + t1 - t0, "store cpu": c6 - c5 + c1 - c0})
            if index % 5 == 0:
                result.reference.append(reference_work())
                result.seconds["harness"] += result.reference[-1]
            if index % 200 == 1:
                print(f"  {index * harvest:>7,} / {size:,} documents", file=sys.stderr, flush=True)
        t0, c0 = wall(), cpu()
        pipeline.flush_bulk_writes(db, story_index)  # as the flow does at the end of a run
        result.seconds["store"] += wall() - t0
        result.seconds["store cpu"] += cpu() - c0
        result.wall, result.cpu = wall() - began_wall, cpu() - began_cpu
    for put_back in restore:
        put_back()
    result.seconds.update(watch.seconds)
    db.close()
    result.db_mb = sum(p.stat().st_size for p in folder.glob(f"bench-{size}.db*")) / 2**20
    result.main_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    batch_file.unlink()
    return result


def score(result: RunResult, doc: Doc, saved: pipeline.StoredArticle, story_of: array, group_of_story: dict) -> None:
    if saved.fate is pipeline.Fate.OFF_TOPIC:
        result.off_topic += 1
        return
    result.stored += 1
    result.chars += len(doc.article.body)
    story_of[doc.number] = saved.story_id
    if saved.fate is pipeline.Fate.NEW_STORY:
        group_of_story[saved.story_id] = doc.group
    else:
        result.joins += 1
        right = group_of_story[saved.story_id] == doc.group
        result.correct_joins += right
        result.wrong_merges += not right
    if doc.kind in EDITS:
        result.reposts[doc.kind] += 1
        result.reposts_found[doc.kind] += story_of[doc.group] == saved.story_id


def one_process_costs(news: SyntheticNews, tagger: Tagger, numbers: range) -> dict[str, float]:
    """us/doc of the pure stages in this one process, cold jieba: relevance, fingerprint, tag."""
    articles = [news.doc(n).article for n in numbers]
    clock = time.perf_counter
    began = clock()
    relevances = [pipeline.check_relevance(tagger, a.title, a.body) for a in articles]
    relevance = clock() - began
    kept = [r for r in relevances if r.topics]
    began = clock()
    for found in kept:
        pipeline.fingerprint_body(found)
    fingerprint = clock() - began
    began = clock()
    for found in kept:
        pipeline.tag_text(tagger, found)
    tag = clock() - began
    return {
        "relevance": relevance / len(articles) * 1e6,
        "fingerprint": fingerprint / len(kept) * 1e6,
        "tag": tag / len(kept) * 1e6,
    }


def end_to_end_rate(news: SyntheticNews, tagger: Tagger, numbers: range, folder: Path, workers: int) -> float:
    """Docs/s of `store_harvest` itself, all stages with cold jieba, harvests of 50: in this process or in workers."""
    db = store.open_database(folder / f"end-to-end-{workers}.db")
    db["sources"].insert_all(
        [{"name": p, "kind": "rss", "url": f"https://{i}.invalid/"} for i, p in enumerate(PORTALS)]
    )
    run_id = store.start_run(db, START)
    articles = [news.doc(n).article for n in numbers]
    if workers:
        analyser = pipeline.ParallelAnalyser(tagger.topics, tagger.tags, workers=workers)
        list(analyser.analyse(articles[:4]))  # workers up, jieba loaded
    else:
        analyser = pipeline.InProcessAnalyser(tagger)
    began = time.perf_counter()
    index = stories.StoryIndex(db)
    for start in range(0, len(articles), 50):
        harvest = Harvest(source=PORTALS[0], articles=tuple(articles[start : start + 50]))
        pipeline.store_harvest(db, analyser, harvest, "rss", run_id, START, index=index)
    pipeline.flush_bulk_writes(db, index)
    rate = len(articles) / (time.perf_counter() - began)
    if workers:
        analyser.close()
    db.close()
    return rate


def baseline(news: SyntheticNews, count: int = 1000) -> dict[str, float]:
    """newsmon's one-permutation MinHash against datasketch's 128-permutation MinHash: speed and error."""
    from datasketch import MinHash

    texts = [comparable_text(news.doc(n).article.body) for n in range(count)]
    began = time.perf_counter()
    ours = [dedupe.fingerprint(t, simplified=True).minhash for t in texts]
    ours_rate = count / (time.perf_counter() - began)
    began = time.perf_counter()
    theirs = []
    for text in texts:
        minhash = MinHash(num_perm=dedupe.BINS)
        minhash.update_batch([text[i : i + 3].encode("utf-8") for i in range(len(text) - 2)])
        theirs.append(minhash)
    theirs_rate = count / (time.perf_counter() - began)
    # Pairs across the whole similarity range: each planted repost with its original, and neighbours.
    errors_ours, errors_theirs = [], []
    for n in range(1, count):
        doc = news.doc(n)
        other = doc.group if doc.group != n else n - 1
        a, b = _shingles(texts[n]), _shingles(texts[other])
        exact = len(a & b) / len(a | b)
        errors_ours.append(abs(dedupe.similarity(ours[n], ours[other]).jaccard - exact))
        errors_theirs.append(abs(theirs[n].jaccard(theirs[other]) - exact))
    return {
        "ours_rate": ours_rate,
        "theirs_rate": theirs_rate,
        "ours_error": sum(errors_ours) / len(errors_ours),
        "theirs_error": sum(errors_theirs) / len(errors_theirs),
    }


def _shingles(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


# ---------------------------------------------------------------- report


def children_cpu() -> float:
    """CPU seconds of this process's finished children (the worker processes, once a pool is closed)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reference_work() -> float:
    """CPU seconds of a fixed piece of work (a SQLite B-tree and some hashing), timed between harvests.

    This machine's speed drifts by tens of percent within minutes (the same work takes 130 to 240 ms),
    so comparing runs made minutes apart needs a yardstick measured during each of them.
    """
    began = time.process_time()
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    db.executemany("INSERT INTO t VALUES (?, ?)", ((i * 7919 % 5_003, str(i)) for i in range(5_000)))
    digest = b""
    for _ in range(2_000):
        digest = hashlib.sha256(digest).digest()
    db.close()
    return time.process_time() - began


def report(result: RunResult, workers: int) -> None:
    n = result.size
    print(
        f"\nN = {n:,}: {result.stored:,} stored, {result.off_topic:,} off topic, "
        f"{result.chars / max(result.stored, 1):,.0f} chars/doc, database {result.db_mb:,.0f} MB"
    )
    print(
        f"  precision {result.precision:.4f} ({result.correct_joins:,} of {result.joins:,} joins right, "
        f"{result.wrong_merges} wrong merges)"
    )
    kinds = ", ".join(f"{k} {result.reposts_found[k] / max(result.reposts[k], 1):.3f}" for k in EDITS)
    print(f"  recall    {result.recall:.4f} of {sum(result.reposts.values()):,} planted reposts ({kinds})")
    writer, workers_us = result.writer_us, result.worker_us
    free_cores = result.free_core_rate
    print(
        f"  relevance + dedupe + store: {n / (result.wall - result.seconds['harness']):,.0f} docs/s measured (wall, "
        f"less the {result.seconds['harness']:.1f} s this bench spent reading its input and timing its yardstick; "
        f"the run got "
        f"{(result.cpu + result.seconds['workers cpu']) / result.wall:.2f} cores of CPU)"
    )
    print(
        f"    CPU per doc: writer {writer:.0f} us + {workers} worker(s) {workers_us:.0f} us (relevance, fingerprint, "
        f"pickling) "
        f"-> {free_cores:,.0f} docs/s on 2 free cores"
    )
    print(
        f"  writer (this process) per doc: store {result.us('store cpu'):.0f} us CPU / "
        f"{result.us('store'):.0f} us wall "
        f"(last 10%: {result.tail_us('store cpu'):.0f} / {result.tail_us('store'):.0f}); waiting for workers "
        f"{result.us('waiting'):.0f} us"
    )
    print(
        f"  insert {1e6 / result.us('store cpu'):,.0f} docs/s (store stage: story, row, FTS row, LSH index, ledger, "
        f"commit; LSH insert alone {1e6 / (result.us('index_article cpu') + result.us('flush cpu')):,.0f}/s), query "
        f"{1e6 / result.us('find_story cpu'):,.0f} docs/s (LSH lookup + confirmation), CPU time"
    )
    print(f"  peak RSS of this process so far {result.main_rss_mb:,.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--harvest", type=int, default=50, help="documents per transaction")
    parser.add_argument("--sample", type=int, default=300, help="documents for the one-process and end-to-end rates")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes for relevance and fingerprints (the writer is the other core)",
    )
    args = parser.parse_args(argv)
    texts = [json.loads(p.read_text(encoding="utf-8"))["body"] for p in sorted(args.corpus.glob("*.json"))]
    if not texts:
        parser.error(f"{args.corpus}: no *.json corpus pages")
    texts.append(SEED_FILE.read_text(encoding="utf-8"))
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    tagger = Tagger.from_config(config["topics"], config["tags"])
    pool = SentencePool(texts, tagger.topics.words)
    news = SyntheticNews(pool)
    print(
        f"sentence pool: {len(pool.plain):,} plain + {len(pool.topic):,} naming a topic place, "
        f"{pool.mean_chars:.0f} chars each, from {len(texts)} texts; {dedupe.SCHEME}"
    )
    base = baseline(news)
    print(
        f"MinHash signatures: newsmon OPH {base['ours_rate']:,.0f}/s, datasketch {base['theirs_rate']:,.0f}/s "
        f"(x{base['ours_rate'] / base['theirs_rate']:.1f}); mean |J estimate - J|: "
        f"newsmon {base['ours_error']:.3f}, datasketch {base['theirs_error']:.3f}"
    )
    before = children_cpu()
    pipeline.ParallelAnalyser(tagger.topics, tagger.tags, workers=args.workers).close()
    startup = children_cpu() - before  # workers importing newsmon and loading jieba

    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp:
        folder = Path(tmp)
        results = []
        for size in args.sizes:
            print(f"running N = {size:,} ...", file=sys.stderr, flush=True)
            before = children_cpu()
            results.append(run_size(news, tagger, size, args.harvest, folder, args.workers))
            results[-1].seconds["workers cpu"] = max(children_cpu() - before - startup, 0.0)
            report(results[-1], args.workers)
            for path in folder.glob(f"bench-{size}.db*"):
                path.unlink()
        size = args.sizes[0]
        print(f"running N = {size:,} without search words ...", file=sys.stderr, flush=True)
        before = children_cpu()
        bare = run_size(news, tagger, size, args.harvest, folder, args.workers, search_rows=False)
        bare.seconds["workers cpu"] = max(children_cpu() - before - startup, 0.0)
        fts_us = results[0].us("store cpu") - bare.us("store cpu")
        print(
            f"\nthe FTS row (jieba search words, ascii tokenizer) costs the store stage {fts_us:.0f} us/doc of "
            f"{results[0].us('store cpu'):.0f} at N={size:,} (CPU; the same run with empty search words: "
            f"{bare.us('store cpu'):.0f} us/doc, {size / bare.wall:,.0f} docs/s measured)"
        )
        fresh = range(10_000_000, 10_000_000 + args.sample)  # numbers no run has seen; jieba memoises nothing
        costs = one_process_costs(news, tagger, fresh)
        sequential = end_to_end_rate(news, tagger, fresh, folder, workers=0)
        parallel = end_to_end_rate(news, tagger, fresh, folder, workers=2)
    print(
        f"\none process, us/doc: relevance {costs['relevance']:.0f}, fingerprint {costs['fingerprint']:.0f}, "
        f"tag stage (tags + keywords + FTS words) {costs['tag']:.0f} = {1e6 / costs['tag']:,.0f} docs/s"
    )
    if results:
        one = costs["relevance"] + costs["fingerprint"] + results[-1].us("store cpu")
        print(f"relevance + dedupe + store all in one process: ~{1e6 / one:,.0f} docs/s")
    print(
        f"store_harvest end to end (all stages, tag included): {sequential:,.0f} docs/s in one process, "
        f"{parallel:,.0f} docs/s with 2 worker processes"
    )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        print(
            f"store cost per doc (CPU), N={large.size:,} vs N={small.size:,}: "
            f"whole run x{large.us('store cpu') / small.us('store cpu'):.2f}, "
            f"last 10% x{large.tail_us('store cpu') / small.us('store cpu'):.2f}"
        )
        drift = large.reference_ms / small.reference_ms
        whole = large.us("store cpu") / small.us("store cpu") / drift
        print(
            f"  a fixed reference work took x{drift:.2f} as long during N={large.size:,} as during N={small.size:,} "
            f"(machine speed); store cost relative to it: whole run x{whole:.2f}, "
            f"last 10% x{large.tail_us('store cpu') / small.us('store cpu') / drift:.2f}; N={large.size:,} at the "
            f"N={small.size:,} run's speed: ~{large.free_core_rate * drift:,.0f} docs/s on 2 free cores"
        )
    main_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"peak RSS: this process {main_mb:,.0f} MB, largest worker {worker_mb:,.0f} MB; relevance + dedupe + store "
        f"with {args.workers} worker(s): {main_mb + args.workers * worker_mb:,.0f} MB at most"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
