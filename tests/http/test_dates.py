"""erlen.http.dates against Werkzeug 3.1's http_date/parse_date/parse_age/dump_age."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest
import werkzeug.http as wz
from hypothesis import given
from hypothesis import strategies as st

from erlen.http.dates import dump_age, http_date, parse_age, parse_date

EST = timezone(timedelta(hours=-5))


@pytest.mark.parametrize(
    "value",
    [
        datetime(1994, 11, 6, 8, 49, 37),
        datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc),
        datetime(1994, 11, 6, 8, 49, 37, 999999, tzinfo=EST),
        datetime(2038, 1, 19, 3, 14, 8),
        datetime(1, 1, 1),
        datetime(9999, 12, 31, 23, 59, 59),
        date(2020, 2, 29),
        0,
        1,
        1.5,
        0.9999999,
        -86400,
        2**31,
        1_700_000_000.25,
        time.gmtime(1_000_000_000),
        time.localtime(1_000_000_000),
    ],
)
def test_http_date_matches_werkzeug(value):
    assert http_date(value) == wz.http_date(value)


def test_http_date_known_value():
    assert http_date(datetime(1994, 11, 6, 8, 49, 37)) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT"


def test_http_date_none_is_now():
    before = int(time.time())
    parsed = parse_date(http_date())
    after = int(time.time())
    assert parsed is not None
    assert before <= parsed.timestamp() <= after + 1


@given(st.datetimes(timezones=st.none() | st.timezones()))
def test_http_date_matches_werkzeug_for_any_datetime(value):
    try:
        expected = wz.http_date(value)
    except (OverflowError, ValueError) as error:
        with pytest.raises(type(error)):
            http_date(value)
    else:
        assert http_date(value) == expected


@given(st.integers(min_value=-(10**10), max_value=10**11))
def test_http_date_matches_werkzeug_for_timestamps(value):
    assert http_date(value) == wz.http_date(value)


@given(st.datetimes(min_value=datetime(100, 1, 1), max_value=datetime(9999, 12, 31)))
def test_parse_date_round_trips_http_date(value):
    parsed = parse_date(http_date(value))
    assert parsed == value.replace(microsecond=0, tzinfo=timezone.utc)
    assert parsed.tzinfo is not None


DATE_STRINGS = [
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Sun, 06 Nov 1994 08:49:37 +0000",
    "Sun, 06 Nov 1994 08:49:37 -0000",
    "Sun, 06 Nov 1994 08:49:37 -0500",
    "Sun, 06 Nov 1994 08:49:37 EST",
    "Sun, 06 Nov 1994 08:49:37 XYZ",
    "Sunday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 1994",
    "06 Nov 1994 08:49:37 GMT",
    "Mon, 06 Nov 1994 08:49:37 GMT",  # wrong weekday is ignored
    "Sun, 06 Nov 0094 08:49:37 GMT",  # two-digit year rules
    "Sun, 06 Nov 0069 08:49:37 GMT",
    "Sun, 31 Feb 1994 08:49:37 GMT",
    "Sun, 06 Nov 1994 24:49:37 GMT",
    "Sun, 06 Nov 1994 08:60:37 GMT",
    "Sun, 06 Nov 1994 08:49:60 GMT",
    "Sun, 06 Nov 1994 08:49 GMT",
    "Sun, 06 Nov 1994 08.49.37 GMT",
    "Sun, 06 Nov 1994 08:49:37 +99999999999",
    "Sun, 06 Nov 1994 08:49:37 gmt",
    "sun, 06 nov 1994 08:49:37 GMT",
    "Sun, 6 Nov 1994 08:49:37 GMT",
    "Sun,06 Nov 1994 08:49:37 GMT",
    " Sun, 06 Nov 1994 08:49:37 GMT ",
    "Sun, 06 Nov 1994 08:49:37 GMT\n",
    "Sun, 06 Nov 1994 08:49:37 GMT extra",
    "Sun, ٠٦ Nov 1994 08:49:37 GMT",
    "",
    "   ",
    "garbage",
    "1994-11-06T08:49:37Z",
    "Sun, 06 Nov 1994",
    "Sun, 00 Nov 1994 08:49:37 GMT",
    "Sun, 06 Foo 1994 08:49:37 GMT",
]


@pytest.mark.parametrize("value", DATE_STRINGS)
def test_parse_date_matches_werkzeug(value):
    assert parse_date(value) == wz.parse_date(value)
    parsed = parse_date(value)
    if parsed is not None:
        assert parsed.utcoffset() == wz.parse_date(value).utcoffset()


def test_parse_date_none_and_known_value():
    assert parse_date(None) is None
    assert parse_date("Sun, 06 Nov 1994 08:49:37 GMT") == datetime(
        1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc
    )
    assert parse_date("not a date") is None


date_alphabet = st.sampled_from(
    list("0123456789 :,-+") + ["Sun", "Nov", "GMT", "EST", "1994", "08", "Feb", "UT"]
)


@given(st.lists(date_alphabet, max_size=14).map("".join))
def test_parse_date_matches_werkzeug_on_fuzz(value):
    expected = wz.parse_date(value)
    assert parse_date(value) == expected


@given(
    st.sampled_from(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
    st.integers(0, 99),
    st.sampled_from(["Jan", "Feb", "Mar", "Apr", "Jun", "Dec"]),
    st.integers(0, 9999),
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 99),
)
def test_parse_date_fast_path_matches_werkzeug(weekday, day, month, year, hour, minute, second):
    value = f"{weekday}, {day:02d} {month} {year:04d} {hour:02d}:{minute:02d}:{second:02d} GMT"
    assert parse_date(value) == wz.parse_date(value)


def test_parse_date_hostile_input_is_none():
    assert parse_date("Sun, " * 100_000) is None
    assert parse_date("9" * 100_000) is None


@pytest.mark.parametrize(
    "value", [None, "", "0", "12", "-1", "abc", "1.5", " 7 ", "+5", "1_000", "٣", str(10**20)]
)
def test_parse_age_matches_werkzeug(value):
    assert parse_age(value) == wz.parse_age(value)


def test_parse_age_values():
    assert parse_age("3600") == timedelta(hours=1)
    assert parse_age("-1") is None
    assert parse_age(str(10**20)) is None


@pytest.mark.parametrize(
    "value", [None, 0, 10, 3.9, timedelta(seconds=90), timedelta(days=2, microseconds=5)]
)
def test_dump_age_matches_werkzeug(value):
    assert dump_age(value) == wz.dump_age(value)


@pytest.mark.parametrize("value", [-1, timedelta(seconds=-5)])
def test_dump_age_rejects_negative(value):
    with pytest.raises(ValueError, match="negative"):
        dump_age(value)
    with pytest.raises(ValueError):
        wz.dump_age(value)
