"""Chinese text handling in one place: normalisation, traditional -> simplified, and jieba segmentation.

Matching (topics, tags, dedupe) always runs on `to_simplified` text, while stored text stays as written.
The segmenter is built once per process from the config's words: jieba's dictionary load costs ~1 s.
Reposts are compared on `comparable_text`: the lines portals add around an article (来源, 责任编辑,
记者, share prompts) are dropped by the `BOILERPLATE_LINES` table, and only letters, digits and Han remain.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import numpy as np
import opencc

# jieba segments each run of these characters on its own and never across runs; newsmon relies on
# this to segment only the blocks it needs while getting exactly the tokens of a whole-text cut.
HAN_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")


@cache
def _converter() -> opencc.OpenCC:
    # tw2sp also maps Taiwan/HK vocabulary (人工智慧 -> 人工智能), not only the characters.
    return opencc.OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    """NFKC-normalised, simplified-Chinese text for matching; never stored.

    Only text holding a traditional-only character goes through OpenCC. Text without one is simplified
    already, and tw2sp would rewrite mainland words in it that look like Taiwan vocabulary (建立 -> 创建,
    程序 -> 进程, 智慧城市 -> 智能城市, 核心 -> 内核: 14 of the 22 corpus pages); leaving it alone also
    skips what was the relevance stage's largest cost.
    """
    text = nfkc(text)
    return _converter().convert(text) if has_traditional(text) else text


def has_traditional(text: str) -> bool:
    """Whether the text holds a character only traditional Chinese uses (們 這 體, not 著 么 后 干)."""
    table = _traditional_only()
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return bool(table[np.minimum(codes, table.size - 1)].any())


# The ideographs OpenCC converts: the URO, extension A, the compatibility block and extension B.
_HAN_RANGES = ((0x3400, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0))


@cache
def _traditional_only() -> np.ndarray:
    """Per code point: a character t2s changes and s2t gives back, so simplified Chinese never writes it.

    Characters valid in both scripts (著名, 什么, 皇后) are changed by t2s on their own but come back
    from s2t as something else, so they do not mark a text as traditional. Derived from OpenCC's own
    tables (~50 ms once per process), so it follows them across upgrades.
    """
    chars = [chr(code) for start, end in _HAN_RANGES for code in range(start, end)]
    simplified = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    round_trip = opencc.OpenCC("s2t").convert("\n".join(simplified)).split("\n")
    table = np.zeros(_HAN_RANGES[-1][1] + 1, dtype=bool)  # the last entry stands for every higher code point
    for char, simple, back in zip(chars, simplified, round_trip, strict=True):
        table[ord(char)] = simple != char and back == char
    return table


# Fullwidth ASCII (！ to ～) and the ideographic space are nearly all of the compatibility characters in
# Chinese news, and NFKC maps each to one ASCII character.
_FULLWIDTH_FIRST, _FULLWIDTH_LAST, _FULLWIDTH_OFFSET = 0xFF01, 0xFF5E, 0xFEE0
_IDEOGRAPHIC_SPACE = 0x3000


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, at a fraction of its cost on Chinese text.

    normalize() takes its slow path (~0.25 us a character) on any text holding one character that
    changes, and Chinese punctuation (，：（）) always does. Mapping those first as NFKC would, the text is
    usually normalised already (a fast check); anything else still goes through normalize(), whose
    result is the same because the characters replaced are starters that NFKC maps one to one.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    fullwidth = (codes >= _FULLWIDTH_FIRST) & (codes <= _FULLWIDTH_LAST)
    space = codes == _IDEOGRAPHIC_SPACE
    if fullwidth.any() or space.any():
        codes = np.where(fullwidth, codes - _FULLWIDTH_OFFSET, np.where(space, 0x20, codes)).astype(np.uint32)
        text = codes.tobytes().decode("utf-32-le")
    text = text.replace("…", "...")  # the other common one (……), a starter mapped to three
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def jieba_cache_dir() -> Path:
    """jieba's dictionary cache lives in newsmon's own cache folder, not in a shared /tmp."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsmon" / "jieba"


class Segmenter:
    """A jieba tokenizer whose dictionary also holds the config's topic and tag words as single tokens."""

    def __init__(self, words: Iterable[str], cache_dir: Path | None = None):
        import jieba  # ~60 MB of HMM tables: loaded only by the processes that segment

        jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter would drown a run's log
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


def matching_form(word: str) -> str:
    """How a configured topic or tag word is matched: simplified and lower-cased; ValueError if it cannot be
    one jieba token (a space or punctuation inside would split it, and it could then never match)."""
    form = to_simplified(word).strip().lower()
    if not HAN_BLOCK.fullmatch(form):
        raise ValueError(f"{word!r} cannot be one token (use letters, digits and Chinese only)")
    return form


def han_blocks(text: str) -> list[str]:
    return HAN_BLOCK.findall(text)


# Lines that portals add when they repost (转载) an article: source notes, bylines, editor credits,
# copyright and share prompts. A line is dropped from the comparable text when one of these matches its
# start and it is at most BOILERPLATE_MAX_CHARS long (a paragraph that happens to start so is kept).
# Patterns are written in simplified Chinese: lines are matched after `to_simplified`.
BOILERPLATE_LINES: tuple[str, ...] = (
    # "来源：大众日报", "【责任编辑：张三】", "(记者 李四 通讯员 王五)", "文/图 赵六"
    r"[(\[【]?\s*(本文|文章|稿件|信息|新闻|图片|视频)?(来源|来自|稿源|出处|原标题|原题|原文|责任编辑|责编|"
    r"值班编辑|编辑|主编|编审|审核|审校|审签|校对|监制|统筹|策划|出品|制作|制图|设计|记者|见习记者|特约记者|"
    r"通讯员|作者|撰文|撰稿|摄影|摄像|配图|文字|文|图|翻译|编译|整理|实习生)\s*[:：丨|/／\s]",
    # "本文转载自…", "转自…", "原载于…", "转载请注明出处"
    r"((本文|此文|文章)(系|为)?(转载|转自|转发自|原载|首发于|来源于)|转载|转自)",
    # copyright, disclaimers, share and follow prompts
    r"(版权(声明|所有|归)|免责声明|声明[:：]|copyright|©|（c）|\(c\))",
    r"(点击|长按|扫码|扫描|扫一扫|关注(我们|本|公众号|微信|官方|.{0,12}(公众号|客户端|微博|视频号))|分享到|分享至|"
    r"阅读原文|阅读全文|查看原文|返回(顶部|首页|搜狐)|"
    r"打印本页|关闭窗口|【?字号|上一篇|下一篇|相关阅读|相关新闻|延伸阅读)",
    # "（完）", "(全文完)", "— END —"
    r"[(（\[【—\-\s]*(完|全文完|end)[)）\]】—\-\s]*$",
)
BOILERPLATE_MAX_CHARS = 60
_BOILERPLATE = re.compile("|".join(f"(?:{pattern})" for pattern in BOILERPLATE_LINES), re.IGNORECASE)


def drop_boilerplate_lines(text: str) -> str:
    """The text without the short lines that `BOILERPLATE_LINES` marks as repost boilerplate."""
    kept = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not (len(stripped) <= BOILERPLATE_MAX_CHARS and _BOILERPLATE.match(stripped)):
            kept.append(stripped)
    return "\n".join(kept)


def comparable_text(text: str, *, simplified: bool = False) -> str:
    """Text as reposts are compared: simplified, boilerplate lines dropped, only lower-cased letters, digits, Han.

    `simplified=True` says `text` already went through `to_simplified` (the relevance stage did it).
    """
    return comparable_codes(text, simplified=simplified).tobytes().decode("utf-32-le")


def comparable_codes(text: str, *, simplified: bool = False) -> np.ndarray:
    """`comparable_text` as an array of code points (uint32), the form shingling works on."""
    if not simplified:
        text = to_simplified(text)
    codes = np.frombuffer(drop_boilerplate_lines(text).lower().encode("utf-32-le"), dtype=np.uint32)
    return codes[_alphanumeric(codes)]


def _alphanumeric(codes: np.ndarray) -> np.ndarray:
    """Which code points are letters or digits (`str.isalnum`): whitespace, punctuation and symbols are not.

    A table lookup: `re.sub(r"[\\W_]+", "", text)` gives the same text at ~10x the cost.
    """
    table = _bmp_alphanumeric()
    if codes.size == 0 or codes.max() < table.size:
        return table[codes]
    keep = np.zeros(codes.size, dtype=bool)
    in_bmp = codes < table.size
    keep[in_bmp] = table[codes[in_bmp]]
    for index in np.flatnonzero(~in_bmp):  # CJK extension B and beyond, emoji: rare
        keep[index] = chr(codes[index]).isalnum()
    return keep


@cache
def _bmp_alphanumeric() -> np.ndarray:
    return np.fromiter((chr(code).isalnum() for code in range(0x10000)), dtype=bool, count=0x10000)
