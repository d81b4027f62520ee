"""A plain-text article file (the seed, `text` sources) -> `Article`.

Such files come from copy-and-paste: the first non-empty line is the headline, paragraphs are
separated by blank lines, and some sentences were broken in the middle ("走上前去" / "进行攀谈").
A broken line is joined to the next; a short line without punctuation is a section heading and stays
a paragraph of its own. Nothing in the file says when it was published, so `published_at` stays None.
"""

from __future__ import annotations

from newsmon.errors import ParseError
from newsmon.records import Article

# A paragraph ending in one of these is complete.
SENTENCE_END = frozenset("。！？!?…；;：:”’」』\"'）)》】")
# Punctuation that appears inside sentences but not in headings.
SENTENCE_INNER = frozenset("，,、；;")
# A line this long without an ending is a sentence cut in two, whatever its punctuation.
HEADING_MAX_CHARS = 30


def text_article_url(file_name: str) -> str:
    """The stable identity of an article read from a text file."""
    return f"text:{file_name}"


def parse_text_article(text: str, file_name: str, source: str) -> Article:
    """Headline and rebuilt paragraphs of a text file; raises `ParseError` when there is no body."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\ufeff", "").split("\n")]
    pieces = [line for line in lines if line]
    if len(pieces) < 2:
        raise ParseError(f"{file_name}: a text article needs a title line and at least one body line")
    title, body_pieces = pieces[0], pieces[1:]
    return Article(
        url=text_article_url(file_name),
        source=source,
        title=title,
        body="\n".join(join_broken_lines(body_pieces)),
    )


def join_broken_lines(pieces: list[str]) -> list[str]:
    """Paragraphs rebuilt from non-empty lines: a line that breaks off mid-sentence absorbs the next."""
    paragraphs: list[str] = []
    pending = ""
    for piece in pieces:
        pending += piece
        if not breaks_mid_sentence(pending):
            paragraphs.append(pending)
            pending = ""
    if pending:
        paragraphs.append(pending)
    return paragraphs


def breaks_mid_sentence(line: str) -> bool:
    """True for a line that stops without ending its sentence (and is not a heading)."""
    if line[-1] in SENTENCE_END:
        return False
    return len(line) > HEADING_MAX_CHARS or any(ch in SENTENCE_INNER for ch in line)
