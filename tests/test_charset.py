"""Decoding the bytes of Chinese and Hong Kong pages: BOM, header, <meta>/XML declaration, then a guess."""

from __future__ import annotations

import codecs

import pytest

from newsmon.errors import DecodeError
from parsers.charset import codec_for, declared_charset, decode_bytes, header_charset

GBK_TEXT = "淄博市新材料产业：朱镕基、王堃出席，中国（淄博）新材料技术论坛"
HKSCS_TEXT = "屋邨居民話港鐵新綫嘅班次啱啱好"


def html_page(meta_charset: str, text: str) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={meta_charset}">'
    return f"<html><head>{meta}</head><body><p>{text}</p></body></html>"


def test_gbk_page_declared_gb2312_decodes_gbk_only_characters() -> None:
    content = html_page("gb2312", GBK_TEXT).encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("gb2312")  # what a decoder that trusts the label would do
    decoded = decode_bytes(content, "text/html; charset=gb2312")
    assert GBK_TEXT in decoded.text
    assert "镕" in decoded.text and "堃" in decoded.text
    assert (decoded.encoding, decoded.guessed) == ("gb18030", False)


def test_gb2312_middle_dot_is_the_chinese_one() -> None:
    # Python's gb2312 maps A1A4 to KATAKANA MIDDLE DOT (U+30FB); browsers (and gb18030) give U+00B7.
    decoded = decode_bytes(b"\xa1\xa4", "text/html; charset=gb2312")
    assert decoded.text == "\u00b7"


def test_big5_hkscs_page_declared_big5_decodes_hong_kong_characters() -> None:
    content = html_page("big5", HKSCS_TEXT).encode("big5hkscs")
    with pytest.raises(UnicodeDecodeError):
        content.decode("big5")
    decoded = decode_bytes(content, "text/html; charset=big5")
    assert HKSCS_TEXT in decoded.text
    for character in "邨嘅綫啱":
        assert character in decoded.text
    assert (decoded.encoding, decoded.guessed) == ("big5hkscs", False)


def test_meta_wins_over_weak_header_label() -> None:
    content = html_page("gbk", GBK_TEXT).encode("gbk")
    decoded = decode_bytes(content, "text/html; charset=ISO-8859-1")
    assert GBK_TEXT in decoded.text
    assert decoded.encoding == "gb18030"


def test_header_wins_over_meta_when_both_decode() -> None:
    content = '<meta charset="utf-8"><p>淄博</p>'.encode("gb18030")
    decoded = decode_bytes(content, "text/html; charset=gbk")
    assert "淄博" in decoded.text and decoded.encoding == "gb18030"


def test_candidate_that_fails_strict_decoding_is_skipped() -> None:
    content = html_page("gbk", HKSCS_TEXT).encode("big5hkscs")  # page lies: meta says gbk
    decoded = decode_bytes(content, "text/html; charset=big5")
    assert HKSCS_TEXT in decoded.text


def test_utf8_bytes_under_a_legacy_label_are_utf8() -> None:
    content = html_page("gb2312", GBK_TEXT).encode("utf-8")
    decoded = decode_bytes(content, "text/html; charset=gb2312")
    assert GBK_TEXT in decoded.text and decoded.encoding == "utf_8"


def test_xml_declaration_is_read() -> None:
    content = f'<?xml version="1.0" encoding="GB2312"?><rss><title>{GBK_TEXT}</title></rss>'.encode("gbk")
    assert declared_charset(content) == "GB2312"
    assert GBK_TEXT in decode_bytes(content).text


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_byte_order_mark_wins_over_declarations(bom: bytes, codec: str) -> None:
    content = bom + html_page("gbk", GBK_TEXT).encode(codec)
    decoded = decode_bytes(content, "text/html; charset=gbk")
    assert decoded.text.startswith("<html>")
    assert GBK_TEXT in decoded.text


def test_a_lying_utf8_bom_does_not_produce_replacement_characters() -> None:
    content = codecs.BOM_UTF8 + html_page("gbk", GBK_TEXT).encode("gbk")
    decoded = decode_bytes(content)
    assert GBK_TEXT in decoded.text and "\ufffd" not in decoded.text


def test_meta_declaring_utf16_in_ascii_bytes_means_utf8() -> None:
    content = html_page("utf-16", "淄博").encode("utf-8")
    assert "淄博" in decode_bytes(content).text


def test_undeclared_gbk_is_guessed_and_says_so() -> None:
    content = (GBK_TEXT * 4).encode("gbk")
    decoded = decode_bytes(content)
    assert decoded.text == GBK_TEXT * 4
    assert decoded.guessed


def test_default_latin1_header_on_gb2312_bytes_is_not_trusted() -> None:
    # Servers label pages ISO-8859-1 by default; latin-1 "decodes" any bytes into mojibake.
    text = "淄博市举行新材料产业发展大会，与粤港澳大湾区企业签约"
    decoded = decode_bytes((text * 3).encode("gb2312"), "text/html; charset=ISO-8859-1")
    assert decoded.text == text * 3
    assert decoded.guessed


def test_latin1_header_on_ascii_is_plain() -> None:
    decoded = decode_bytes(b"<p>hello</p>", "text/html; charset=ISO-8859-1")
    assert decoded.text == "<p>hello</p>" and not decoded.guessed


def test_empty_content_decodes_to_empty_text() -> None:
    assert decode_bytes(b"").text == ""


def test_undecodable_bytes_raise_decode_error() -> None:
    with pytest.raises(DecodeError):
        decode_bytes(bytes(range(256)) * 3 + b"\x00\xff\xfe" * 50, "text/html; charset=utf-8")


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("cp936", "gb18030"),
        ("x-gbk", "gb18030"),
        ("gb_2312-80", "gb18030"),
        ("csgb2312", "gb18030"),
        ("GB18030", "gb18030"),
        ("big5", "big5hkscs"),
        ("Big5-HKSCS", "big5hkscs"),
        ("cp950", "big5hkscs"),
        ("x-x-big5", "big5hkscs"),
        ("utf8", "utf_8"),
        ("'UTF-8'", "utf_8"),
        ("ISO-8859-1", "iso8859_1"),
        ("no-such-charset", None),
        (None, None),
    ],
)
def test_codec_for_labels(label: str | None, codec: str | None) -> None:
    assert codec_for(label) == codec


def test_header_charset() -> None:
    assert header_charset('text/html; charset="GB2312"') == "GB2312"
    assert header_charset("text/html") is None
    assert header_charset(None) is None
