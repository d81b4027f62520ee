"""Topics, tags and keywords on jieba tokens of simplified text."""

from __future__ import annotations

import pytest

from newsmon.chinese import has_traditional, to_simplified
from parsers.text import parse_text_article
from tests.conftest import SEED_FILE


@pytest.fixture(scope="module")
def seed_analysis(tagger):
    seed = parse_text_article(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name, "seed")
    return tagger.analyse(seed.title, seed.body)


def labels(tagger, text, vocabulary="tags"):
    return set(tagger.analyse("", text).labels(getattr(tagger, vocabulary)))


def test_seed_has_exactly_the_three_tags(tagger, seed_analysis):
    assert set(seed_analysis.labels(tagger.tags)) == {"新材料", "人工智能", "城市合伙人"}


def test_seed_is_about_zibo_and_the_greater_bay_area(tagger, seed_analysis):
    assert set(seed_analysis.labels(tagger.topics)) == {"zibo", "greater_bay_area"}


def test_seed_keywords_are_ten_content_words(tagger, seed_analysis):
    keywords = tagger.keywords(seed_analysis)
    assert len(keywords) == 10
    assert {"淄博", "香港", "新材料", "人工智能"} <= set(keywords)
    assert not {"的", "了", "在"} & set(keywords)


def test_configured_compounds_are_single_tokens(tagger):
    tokens = tagger.analyse("", "淄博新材料产业寻找城市合伙人,对接粤港澳大湾区").tokens()
    assert {"新材料产业", "城市合伙人", "粤港澳大湾区"} <= set(tokens)


def test_substring_across_tokens_is_not_a_tag(tagger):
    assert labels(tagger, "请及时更新材料后再提交申请。") == set()


def test_word_inside_a_longer_token_counts(tagger):
    assert labels(tagger, "淄博市委书记出席会议。", "topics") == {"zibo"}


def test_traditional_text_matches_simplified_words(tagger):
    assert labels(tagger, "淄博為香港科技大學頒發城市合夥人證書。") == {"城市合伙人"}
    assert labels(tagger, "淄博為香港科技大學頒發城市合夥人證書。", "topics") == {"zibo", "greater_bay_area"}


def test_taiwan_vocabulary_is_mapped(tagger):
    assert labels(tagger, "人工智慧技術發展迅速。") == {"人工智能"}


def test_latin_words_match_case_insensitively(tagger):
    assert labels(tagger, "企业正在研发ai芯片。") == {"人工智能"}
    assert labels(tagger, "chatgpt带来新一轮热潮。") == {"人工智能"}


def test_off_topic_text_has_no_topic(tagger):
    assert labels(tagger, "北京今日天气晴朗,气温回升。", "topics") == set()


def test_search_words_include_sub_words(tagger):
    words = tagger.search_text(tagger.analyse("", "淄博市科技创新大会")).split()
    assert {"淄博市", "淄博"} <= set(words)


def test_segmentation_matches_a_whole_text_cut(tagger, seed_analysis):
    whole = [t for t in tagger.segmenter._tokenizer.lcut(seed_analysis.text) if t.strip() and not _is_punct(t)]
    assert [t for t in seed_analysis.tokens() if not _is_punct(t)] == whole


def _is_punct(token: str) -> bool:
    return all(not ch.isalnum() for ch in token)


def test_simplified_text_keeps_mainland_words_that_taiwan_vocabulary_would_rewrite():
    # tw2sp on this text gives 创建, 智能城市, 内核, 进程, 显着, 集成, 添加
    text = "建立智慧城市是核心任务程序规范成效显著要整合资源新增项目"
    assert not has_traditional(text)
    assert to_simplified(text) == text


def test_only_characters_that_simplified_chinese_never_writes_mark_a_text_traditional():
    assert not any(map(has_traditional, ["著名学者", "什么", "皇后", "干净", "里面", "台风", "淄博"]))
    assert all(map(has_traditional, ["我們", "這裡", "體育", "香港特區政府"]))
    assert to_simplified("香港特區政府與澳門") == "香港特区政府与澳门"
