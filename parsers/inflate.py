"""gzip/deflate bytes -> bytes, never more than a cap: a 200 KB gzip bomb must stop at the cap, not at 200 MB.

zlib is asked for at most the bytes still allowed on each call (`max_length`), so memory stays bounded
by the cap whatever the compression ratio; one step past the cap raises `TooLarge`.
"""

from __future__ import annotations

import zlib

from newsmon.errors import NewsmonError

GZIP_MAGIC = b"\x1f\x8b"
# zlib window-bits flags: 16+ reads a gzip wrapper, 32+ detects gzip or zlib, negative reads raw deflate.
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": 32 + zlib.MAX_WBITS}


class TooLarge(NewsmonError):
    """Decoded content went past the size cap."""

    def __init__(self, limit: int):
        super().__init__(f"larger than {limit} bytes once decompressed")
        self.limit = limit


class CappedInflater:
    """Decompress a stream chunk by chunk, raising `TooLarge` once the output passes `limit` bytes."""

    def __init__(self, encoding: str, limit: int):
        self.limit = limit
        self.produced = 0
        self._raw_deflate_fallback = encoding == "deflate"
        self._decompressor = zlib.decompressobj(_WBITS[encoding])

    def feed(self, data: bytes) -> bytes:
        pieces = []
        while data and not self._decompressor.eof:
            try:
                piece = self._decompressor.decompress(data, self.limit - self.produced + 1)
            except zlib.error:
                if not (self._raw_deflate_fallback and self.produced == 0):
                    raise
                # Some servers send "deflate" as raw deflate without the zlib header.
                self._raw_deflate_fallback = False
                self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self.produced += len(piece)
            if self.produced > self.limit:
                raise TooLarge(self.limit)
            pieces.append(piece)
            data = self._decompressor.unconsumed_tail
        return b"".join(pieces)


def gunzip_capped(content: bytes, limit: int) -> bytes:
    """The decompressed bytes of a whole gzip file (a `.xml.gz` sitemap), at most `limit` of them."""
    return CappedInflater("gzip", limit).feed(content)
