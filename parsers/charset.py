"""Bytes of a page, feed or file -> text, decoded the way Chinese sites need.

Order: byte-order mark, then the HTTP header charset, then the document's own `<meta>` or XML
declaration, each tried with strict decoding. Labels are widened to the superset codec that browsers
really use (gb2312/gbk -> gb18030, big5 -> big5hkscs): Python's gb2312 rejects GBK-only characters
such as 镕 and 堃, and plain big5 lacks Hong Kong characters such as 邨 嘅 綫 啱. charset-normalizer is
the last resort, and a result that came from it says so (`guessed`): the run notes such pages in its
log and summary. A server's default label (ISO-8859-1, ASCII, windows-1252) on bytes that are neither
ASCII nor UTF-8 is no evidence (latin-1 "decodes" anything into mojibake), so it comes after the guess.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

from newsmon.errors import DecodeError

# What browsers decode these labels as.
SUPERSET_CODECS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "euc_cn": "gb18030",
    "hz": "gb18030",
}
# WHATWG labels that Python's codec registry does not know.
LABEL_ALIASES = {
    "gb_2312": "gbk",
    "gb_2312-80": "gbk",
    "csgb2312": "gbk",
    "cn-big5": "big5",
    "x-x-big5": "big5",
}
# Servers send these by default whatever the page is, and latin-1 "decodes" any bytes: on text that
# is neither ASCII nor UTF-8 they are no evidence, so a guess comes first there.
WEAK_LABELS = frozenset({"latin_1", "iso8859_1", "ascii", "cp1252"})
BOMS = (
    (codecs.BOM_UTF8, "utf_8"),
    (codecs.BOM_UTF16_LE, "utf_16_le"),
    (codecs.BOM_UTF16_BE, "utf_16_be"),
)
# A document cannot declare itself UTF-16/32 in ASCII-compatible bytes; browsers read such a <meta> as UTF-8.
SELF_DECLARED_UTF8 = frozenset({"utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"})

# <meta charset>, an XML declaration, or the `<text id=... encoding=...>` line that wraps pages saved by
# web-extraction corpora (the Chinese news corpus among them).
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-:.]+)"""
    rb"""|^\s*<text\s[^>]*\bencoding\s*=\s*["']([A-Za-z0-9_\-:.]+)""",
    re.IGNORECASE,
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)
# Declarations sit near the top; scanning further costs time on big pages and finds stray matches.
DECLARATION_SCAN_BYTES = 16_384


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str
    guessed: bool = False


def codec_for(label: str | None) -> str | None:
    """Python codec name for a charset label, widened to its superset; None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = LABEL_ALIASES.get(label, label).removeprefix("x-")
    try:
        name = codecs.lookup(label).name.replace("-", "_")
    except LookupError:
        return None
    return SUPERSET_CODECS.get(name, name)


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value."""
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def declared_charset(content: bytes) -> str | None:
    """The charset a document declares about itself in `<meta>` or its XML declaration."""
    match = _DECLARED.search(content[:DECLARATION_SCAN_BYTES])
    if not match:
        return None
    return next(group for group in match.groups() if group).decode("ascii")


def decode_bytes(content: bytes, content_type: str | None = None) -> DecodedText:
    """Decode with the first candidate charset that decodes strictly; raise `DecodeError` if none does.

    Candidates in order: the byte-order mark, the header charset, the document's declaration, UTF-8,
    then (for bytes that are neither ASCII nor UTF-8) charset-normalizer's guess, marked `guessed`,
    and only then a weak header label such as ISO-8859-1.
    """
    for bom, codec in BOMS:
        if content.startswith(bom):
            try:
                return DecodedText(content[len(bom) :].decode(codec), codec)
            except UnicodeDecodeError:
                content = content[len(bom) :]  # the mark lies; the other candidates decide the rest
                break
    from_header = codec_for(header_charset(content_type))
    from_document = codec_for(declared_charset(content))
    if from_document in SELF_DECLARED_UTF8:
        from_document = "utf_8"
    declared = [from_header, from_document]
    strong = [c for c in declared if c and c not in WEAK_LABELS]
    weak = [c for c in declared if c in WEAK_LABELS]
    if strong and strong[0] != "utf_8" and _is_multibyte_utf8(content):
        strong.insert(0, "utf_8")  # a legacy label on bytes that are valid UTF-8 is a mislabel
    for codec in dict.fromkeys([*strong, "utf_8"]):
        try:
            return DecodedText(content.decode(codec), codec)
        except UnicodeDecodeError:
            continue
    best = charset_normalizer.from_bytes(content).best()
    if best is not None:
        codec = SUPERSET_CODECS.get(best.encoding, best.encoding)
        return DecodedText(content.decode(codec, errors="replace"), codec, guessed=True)
    for codec in weak:
        try:
            return DecodedText(content.decode(codec), codec)
        except UnicodeDecodeError:
            continue
    raise DecodeError("no charset decodes these bytes")


def _is_multibyte_utf8(content: bytes) -> bool:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not text.isascii()
