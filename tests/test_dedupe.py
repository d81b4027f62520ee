"""Body fingerprints: comparable text, exact hash, MinHash estimates and band keys (no database)."""

from __future__ import annotations

import random
import unicodedata

import opencc
import pytest

from newsmon import dedupe
from newsmon.chinese import comparable_text, drop_boilerplate_lines, nfkc
from tests.reposts import EDITS, fixture_article, repost_body, seed_article


def test_comparable_text_drops_boilerplate_lines_punctuation_and_traditional_script():
    text = "來源：大眾日報\n責任編輯：張三\n淄博市 新材料，產業！\n记者从淄博市科技局获悉，签约42个。\n（完）\n"
    text += "分享到：微信"
    assert comparable_text(text) == "淄博市新材料产业记者从淄博市科技局获悉签约42个"


def test_a_long_paragraph_that_starts_like_a_byline_is_kept():
    paragraph = "记者：" + "淄博新材料产业发展迅速，" * 10
    assert drop_boilerplate_lines(paragraph) == paragraph


def test_reposted_with_new_header_and_footer_has_the_same_content_hash():
    body = seed_article().body
    repost = repost_body("boilerplate", body)
    assert repost != body
    assert dedupe.fingerprint(repost).content_hash == dedupe.fingerprint(body).content_hash


@pytest.mark.parametrize("edit", EDITS)
def test_every_repost_edit_is_confirmed_as_a_repost(edit):
    body = seed_article().body
    original, repost = dedupe.fingerprint(body), dedupe.fingerprint(repost_body(edit, body))
    assert dedupe.similarity(original.minhash, repost.minhash).is_repost


def test_a_traditional_script_repost_is_a_repost():
    body = seed_article().body
    traditional = opencc.OpenCC("s2t").convert(body)
    assert traditional != body
    similarity = dedupe.similarity(dedupe.fingerprint(body).minhash, dedupe.fingerprint(traditional).minhash)
    assert similarity.jaccard > 0.95


def test_different_articles_are_not_reposts():
    seed = dedupe.fingerprint(seed_article().body).minhash
    for name in ("zibo_investment_fair", "hk_chief_executive", "gac_hyundai", "bayannur_cppcc"):
        other = dedupe.fingerprint(fixture_article(name).body).minhash
        assert not dedupe.similarity(seed, other).is_repost, name
        assert dedupe.similarity(seed, other).jaccard < 0.1, name


def test_the_two_halves_of_one_article_are_different_articles():
    paragraphs = seed_article().body.split("\n")
    half = len(paragraphs) // 2
    first, second = (dedupe.fingerprint("\n".join(part)) for part in (paragraphs[:half], paragraphs[half:]))
    assert not dedupe.similarity(first.minhash, second.minhash).is_repost


def test_estimated_jaccard_is_close_to_the_exact_one():
    text = comparable_text(seed_article().body)
    for start in (200, 600, 1200):
        a, b = text[:2000], text[start : start + 2000]
        shingles_a, shingles_b = ({t[i : i + 3] for i in range(len(t) - 2)} for t in (a, b))
        exact = len(shingles_a & shingles_b) / len(shingles_a | shingles_b)
        estimate = dedupe.similarity(dedupe.fingerprint(a).minhash, dedupe.fingerprint(b).minhash).jaccard
        assert abs(estimate - exact) < 0.12, start


def test_a_body_too_short_to_judge_has_no_minhash():
    found = dedupe.fingerprint("淄博新闻。")
    assert found.minhash is None and len(found.content_hash) == 16


def test_short_bodies_get_full_signatures():
    found = dedupe.fingerprint("淄博新材料产业发展迅速，大湾区合作空间广阔，签约项目四十二个，总投资三百亿元。")
    assert found.minhash is not None and len(found.minhash.signature) == 4 * dedupe.BINS
    assert len(found.minhash.band_keys) == dedupe.BANDS


def test_fingerprints_are_stable_across_versions():
    """Stored signatures must match those computed later: a change here needs a new dedupe.SCHEME."""
    found = dedupe.fingerprint(seed_article().body)
    assert dedupe.SCHEME == "oph128-b32r4-shingle3-v2"
    assert found.content_hash == "ebf822f7c6cbfeba"
    assert found.minhash.shingle_count == 2530
    assert found.minhash.band_keys[:2] == (-2037305563979247216, -5152853122871392622)


def test_fast_nfkc_equals_unicodedata():
    samples = [seed_article().body, *(fixture_article(name).body for name in ("hk_chief_executive", "gac_hyundai"))]
    rng = random.Random(3)
    # ASCII, combining marks, fullwidth forms, and characters NFKC changes in other ways (… ① ℃ 塚 Ḋ)
    odd = [0x3000, 0x2026, 0xFA10, 0x2460, 0x2103, 0x4E2D, 0xC0, 0xE9, 0x1E0A]
    alphabet = [chr(code) for code in [*range(0x20, 0x80), *range(0x300, 0x310), *range(0xFF00, 0xFF70), *odd]]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for text in samples:
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)
