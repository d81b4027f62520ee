"""Topics, tags and keywords from an article's title and body, on jieba tokens of simplified text.

A word counts only when it is a whole token or lies inside one (淄博 in 淄博市), never across token
boundaries: 请及时更新材料 segments as 更新/材料, so it is not 新材料. Each text block is segmented at
most once per article and the tokens are reused for topics, tags, keywords and the search index.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from newsmon.chinese import Segmenter, han_blocks, matching_form, to_simplified

KEYWORD_COUNT = 10
_NOT_A_KEYWORD = re.compile(r"^[\d.%\-+#&_]+$")
# Function words of English text left out of keywords (the same words jieba's own extractor leaves out).
ENGLISH_STOP_WORDS = frozenset(
    {"the", "of", "is", "and", "to", "in", "that", "we", "for", "an", "are", "by", "be", "as", "on", "with"}
    | {"can", "if", "from", "which", "you", "it", "this", "then", "at", "have", "all", "not", "one", "has", "or"}
)


@dataclass(frozen=True)
class Vocabulary:
    """Label name -> the simplified, lower-cased words that mean it (one vocabulary for topics, one for tags)."""

    labels: Mapping[str, frozenset[str]]

    @classmethod
    def from_config(cls, labels: Mapping[str, Iterable[str]]) -> Vocabulary:
        """From config `topics:` or `tags:` (validated there: every word can be one token)."""
        return cls({name: frozenset(map(matching_form, words)) for name, words in labels.items()})

    @property
    def words(self) -> frozenset[str]:
        return frozenset().union(*self.labels.values()) if self.labels else frozenset()


class TextAnalysis:
    """The simplified text of one article, segmented lazily block by block, each block at most once."""

    def __init__(self, segmenter: Segmenter, title: str, body: str):
        self._segmenter = segmenter
        # Converted apart (conversion never reaches across a line break): the body is what dedupe compares.
        self.simplified_body = to_simplified(body)
        self.text = f"{to_simplified(title)}\n{self.simplified_body}"
        self._lowered = self.text.lower()
        self._blocks = han_blocks(self.text)
        self._tokens: dict[int, list[str]] = {}

    def _block_tokens(self, index: int) -> list[str]:
        if index not in self._tokens:
            self._tokens[index] = self._segmenter.cut_block(self._blocks[index])
        return self._tokens[index]

    def labels(self, vocabulary: Vocabulary) -> tuple[str, ...]:
        """Names of the labels with at least one word inside a token; only blocks holding a word are cut."""
        found = []
        for name, words in vocabulary.labels.items():
            present = [w for w in words if w in self._lowered]
            if present and self._any_as_token(present):
                found.append(name)
        return tuple(found)

    def _any_as_token(self, words: list[str]) -> bool:
        for index, block in enumerate(self._blocks):
            lowered = block.lower()
            candidates = [w for w in words if w in lowered]
            if candidates and any(w in t.lower() for t in self._block_tokens(index) for w in candidates):
                return True
        return False

    def tokens(self) -> list[str]:
        """All tokens of the text, in order (cuts the blocks not cut yet)."""
        return [token for index in range(len(self._blocks)) for token in self._block_tokens(index)]


class Tagger:
    """Topics, tags and keywords for articles; built once per run from the config."""

    def __init__(self, topics: Vocabulary, tags: Vocabulary, segmenter: Segmenter | None = None):
        self.topics = topics
        self.tags = tags
        self.segmenter = segmenter or Segmenter(topics.words | tags.words)

    @classmethod
    def from_config(cls, topics: Mapping[str, Iterable[str]], tags: Mapping[str, Iterable[str]]) -> Tagger:
        return cls(Vocabulary.from_config(topics), Vocabulary.from_config(tags))

    def analyse(self, title: str, body: str) -> TextAnalysis:
        return TextAnalysis(self.segmenter, title, body)

    def keywords(self, analysis: TextAnalysis, count: int = KEYWORD_COUNT) -> tuple[str, ...]:
        """TF-IDF top words over the article's own tokens, with jieba's IDF table."""
        counts = Counter(
            token
            for token in analysis.tokens()
            if len(token.strip()) > 1 and token.lower() not in ENGLISH_STOP_WORDS and not _NOT_A_KEYWORD.match(token)
        )
        total = sum(counts.values()) or 1
        words = list(counts)
        weights = idf_table().lookup(words)
        scores = {word: -counts[word] * weight / total for word, weight in zip(words, weights, strict=True)}
        scored = sorted(words, key=lambda word: (scores[word], word))
        return tuple(scored[:count])

    def search_text(self, analysis: TextAnalysis) -> str:
        """The distinct search words (tokens and sub-words), space-joined, for the FTS5 index.

        The index keeps no positions (detail=none): searches AND single words, so each word once is enough.
        """
        return " ".join(dict.fromkeys(self.segmenter.search_words(analysis.tokens())))


class IdfTable:
    """jieba's IDF weights (idf.txt, ~270k words) as sorted word hashes beside their weights.

    A dict of the same words costs each worker process ~40 MB; these two arrays cost ~3 MB, and a
    lookup of an article's distinct words is one `searchsorted`. Hashes are of this process (`hash`),
    the table is built in each process that uses it.
    """

    def __init__(self, words: Sequence[str], weights: Sequence[float]):
        hashes = np.fromiter((hash(word) for word in words), dtype=np.int64, count=len(words))
        order = np.argsort(hashes, kind="stable")
        self._hashes = hashes[order]
        self._weights = np.asarray(weights, dtype=np.float64)[order]
        self.median = float(np.sort(self._weights)[len(self._weights) // 2]) if len(words) else 1.0

    @classmethod
    def from_file(cls, path: Path) -> IdfTable:
        words, weights = [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            word, _, weight = line.strip().partition(" ")
            words.append(word)
            weights.append(float(weight))
        return cls(words, weights)

    def lookup(self, words: Sequence[str]) -> list[float]:
        """Each word's weight; the median weight for a word the table does not know."""
        if not words:
            return []
        hashes = np.fromiter((hash(word) for word in words), dtype=np.int64, count=len(words))
        places = np.minimum(np.searchsorted(self._hashes, hashes), len(self._hashes) - 1)
        found = self._hashes[places] == hashes
        return np.where(found, self._weights[places], self.median).tolist()


@cache
def idf_table() -> IdfTable:
    """The table of jieba's own idf.txt, read without importing jieba.analyse (whose POS tables cost ~70 MB)."""
    package = Path(importlib.util.find_spec("jieba").origin).parent
    return IdfTable.from_file(package / "analyse" / "idf.txt")
