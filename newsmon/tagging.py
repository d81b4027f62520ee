"""Topics, tags and keywords from an article's title and body, on jieba tokens of simplified text.

A word counts only when it is a whole token or lies inside one (淄博 in 淄博市), never across token
boundaries: 请及时更新材料 segments as 更新/材料, so it is not 新材料. Each text block is segmented at
most once per article and the tokens are reused for topics, tags, keywords and the search index.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import jieba.analyse

from newsmon.chinese import Segmenter, han_blocks, matching_form, to_simplified

KEYWORD_COUNT = 10
_NOT_A_KEYWORD = re.compile(r"^[\d.%\-+#&_]+$")


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
        """TF-IDF top words over the article's own tokens, with jieba's IDF table and stop words."""
        idf, median_idf, stop_words = _idf_table()
        counts = Counter(
            token
            for token in analysis.tokens()
            if len(token.strip()) > 1 and token.lower() not in stop_words and not _NOT_A_KEYWORD.match(token)
        )
        total = sum(counts.values()) or 1
        scored = sorted(counts.items(), key=lambda item: (-item[1] * idf.get(item[0], median_idf) / total, item[0]))
        return tuple(word for word, _ in scored[:count])

    def search_text(self, analysis: TextAnalysis) -> str:
        """The distinct search words (tokens and sub-words), space-joined, for the FTS5 index.

        The index keeps no positions (detail=none): searches AND single words, so each word once is enough.
        """
        return " ".join(dict.fromkeys(self.segmenter.search_words(analysis.tokens())))


@cache
def _idf_table() -> tuple[dict[str, float], float, frozenset[str]]:
    loader = jieba.analyse.TFIDF()
    idf, median = loader.idf_freq, loader.median_idf
    stop_words = frozenset(w.lower() for w in loader.stop_words)
    return idf, median if math.isfinite(median) else 1.0, stop_words
