"""The text-file parser on the seed: headline, rebuilt paragraphs, headings kept, no invented time."""

from __future__ import annotations

import pytest

from newsmon.errors import ParseError
from parsers.text import join_broken_lines, parse_text_article
from tests.conftest import SEED_FILE


@pytest.fixture(scope="module")
def seed():
    return parse_text_article(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name, "seed")


def test_seed_title_and_identity(seed):
    assert seed.title == "淄博牵手大湾区的想法与干法"
    assert seed.url == "text:000_1a11c1f1ca3ccac1.txt"
    assert seed.source == "seed"


def test_seed_publish_time_is_unknown_not_invented(seed):
    assert seed.published_at is None


def test_lines_broken_mid_sentence_are_joined(seed):
    assert "走上前去进行攀谈和交流。" in seed.body
    assert "ChatGPT带来了人工智能领域的一次迭代" in seed.body


def test_section_headings_stay_paragraphs_of_their_own(seed):
    paragraphs = seed.body.split("\n")
    for heading in ("鲁港科技创新合作 淄博身位优", "产业与人才结合的路径", "产业崛起的创新思维"):
        assert heading in paragraphs


def test_every_paragraph_ends_a_sentence_or_is_a_heading(seed):
    for paragraph in seed.body.split("\n"):
        assert paragraph[-1] in "。！？”" or len(paragraph) <= 30, paragraph


def test_body_does_not_repeat_the_title(seed):
    assert not seed.body.startswith(seed.title)


def test_join_rules_on_small_cases():
    assert join_broken_lines(["他说,我们很快就", "达成了一致。", "小标题", "下一段。"]) == [
        "他说,我们很快就达成了一致。",
        "小标题",
        "下一段。",
    ]


def test_text_without_body_is_a_parse_error():
    with pytest.raises(ParseError, match=r"empty\.txt"):
        parse_text_article("\n\n只有标题\n", "empty.txt", "seed")
