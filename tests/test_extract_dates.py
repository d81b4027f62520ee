"""parsers.dates: the date and time formats Chinese and Hong Kong pages and feeds write."""

from __future__ import annotations

import pytest

from parsers.dates import find_dates, parse_date_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年2月23日 10:30", "2023-02-23T10:30:00+08:00"),
        ("2004年7月16日08:19", "2004-07-16T08:19:00+08:00"),
        ("2023-02-23 10:30", "2023-02-23T10:30:00+08:00"),
        ("发布时间：2023/2/23", "2023-02-23"),
        ("2023.02.23", "2023-02-23"),
        ("2024年05月01日", "2024-05-01"),
        ("2024/5/1 10:30:00", "2024-05-01T10:30:00+08:00"),
        ("时间：2005年07月18日13:03:17", "2005-07-18T13:03:17+08:00"),
        ("1998年3月", "1998-03"),
        ("2023年2月23日 星期四 下午3:05", "2023-02-23T15:05:00+08:00"),
        ("2024年5月1日（星期三） 香港時間16時30分", "2024-05-01T16:30:00+08:00"),
        ("2022-02-13T20:04:17+08:00", "2022-02-13T20:04:17+08:00"),
    ],
)
def test_chinese_date_formats(text: str, expected: str) -> None:
    assert parse_date_text(text) == expected


def test_a_stated_zone_is_kept() -> None:
    assert parse_date_text("更新时间 2012年12月10日, 格林尼治标准时间10:41") == "2012-12-10T10:41:00+00:00"
    assert parse_date_text("2012-12-10T10:41:00Z") == "2012-12-10T10:41:00+00:00"


def test_the_zone_argument_gives_the_offset_of_a_zoneless_time() -> None:
    assert parse_date_text("2024-01-15 09:00", tz="Asia/Hong_Kong") == "2024-01-15T09:00:00+08:00"
    assert parse_date_text("2024-01-15 09:00", tz="Europe/London") == "2024-01-15T09:00:00+00:00"


@pytest.mark.parametrize("text", ["2月23日 10:30", "版本 2.5.1", "2004-2005 年度", "共13万亿元", ""])
def test_no_full_date_gives_none(text: str) -> None:
    assert parse_date_text(text) is None


def test_an_impossible_time_keeps_only_the_date() -> None:
    assert parse_date_text("2023-02-23 25:30") == "2023-02-23"


def test_a_month_day_is_found_but_completed_only_with_a_year_from_elsewhere() -> None:
    (found,) = find_dates("2月23日 10:30")
    assert found.year is None
    assert found.with_year(2023).iso() == "2023-02-23T10:30:00+08:00"
    (leap,) = find_dates("2月29日")
    assert leap.with_year(2023) is None


def test_a_labelled_publish_date_wins_over_other_dates() -> None:
    assert parse_date_text("成文日期：2022年01月27日 发布日期：2022年01月28日") == "2022-01-28"
    assert parse_date_text("成文日期：2022年01月27日 2022-02-01") == "2022-02-01"
    assert parse_date_text("成文日期：2022年01月27日") == "2022-01-27"  # the only date there is


def test_hong_kong_time_label_between_date_and_time() -> None:
    assert parse_date_text("2023-02-23 HKT 20:15") == "2023-02-23T20:15:00+08:00"  # RTHK's dateline
