"""Chinese text handling in one place: normalisation, traditional -> simplified, and jieba segmentation.

Matching (topics, tags, dedupe) always runs on `to_simplified` text, while stored text stays as written.
The segmenter is built once per process from the config's words: jieba's dictionary load costs ~1 s.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import jieba
import opencc

jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter would drown a run's log

# jieba segments each run of these characters on its own and never across runs; newsmon relies on
# this to segment only the blocks it needs while getting exactly the tokens of a whole-text cut.
HAN_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")


@cache
def _converter() -> opencc.OpenCC:
    # tw2sp also maps Taiwan/HK vocabulary (人工智慧 -> 人工智能), not only the characters.
    return opencc.OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    """NFKC-normalised, simplified-Chinese text for matching; never stored."""
    return _converter().convert(unicodedata.normalize("NFKC", text))


def jieba_cache_dir() -> Path:
    """jieba's dictionary cache lives in newsmon's own cache folder, not in a shared /tmp."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsmon" / "jieba"


class Segmenter:
    """A jieba tokenizer whose dictionary also holds the config's topic and tag words as single tokens."""

    def __init__(self, words: Iterable[str], cache_dir: Path | None = None):
        self._tokenizer = jieba.Tokenizer()
        folder = cache_dir or jieba_cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self._tokenizer.tmp_dir = str(folder)
        self._tokenizer.initialize()
        for word in sorted(set(words)):
            self._tokenizer.add_word(word)

    def cut_block(self, block: str) -> list[str]:
        """Tokens of one `HAN_BLOCK` run."""
        return self._tokenizer.lcut(block)

    def search_words(self, tokens: Iterable[str]) -> Iterator[str]:
        """Each token plus its dictionary sub-words, as jieba's cut_for_search emits them (for the FTS index)."""
        frequencies = self._tokenizer.FREQ
        for token in tokens:
            for size in (2, 3):
                if len(token) > size:
                    for start in range(len(token) - size + 1):
                        gram = token[start : start + size]
                        if frequencies.get(gram):
                            yield gram
            yield token


def han_blocks(text: str) -> list[str]:
    return HAN_BLOCK.findall(text)
