"""ETags, If-Range, Range and Content-Range, checked against Werkzeug as the oracle."""

from __future__ import annotations

import signal
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import pytest
import werkzeug.datastructures as wz
import werkzeug.http as wh
from hypothesis import given, settings
from hypothesis import strategies as st

from erlen.http.etags import (
    ETags,
    IfRange,
    generate_etag,
    parse_etags,
    quote_etag,
    unquote_etag,
)
from erlen.http.ranges import (
    ContentRange,
    Range,
    is_byte_range_valid,
    parse_content_range_header,
    parse_if_range_header,
    parse_range_header,
)


def outcome(fn):
    try:
        return ("ok", fn())
    except (TypeError, ValueError, AssertionError) as e:
        return ("error",) if isinstance(e, (ValueError, AssertionError)) else (type(e).__name__,)


@contextmanager
def hang_guard(seconds: int = 30):
    def on_alarm(signum, frame):
        raise AssertionError(f"did not finish within {seconds}s: not linear?")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# -- entity tags ----------------------------------------------------------------------

ETAG_HEADERS = [
    None,
    "",
    "*",
    '"abc"',
    'W/"abc", "def"',
    'w/"x" , "y",W/"z"',
    'bare, "quoted", W/bare2',
    '"a b", "c,d"',
    '"unclosed, "ok"',
    'x"y, z',
    "W/",
    ' , ,"a"',
    '"", W/""',
]


@pytest.mark.parametrize("value", ETAG_HEADERS)
def test_parse_etags_matches_werkzeug(value):
    ours, theirs = parse_etags(value), wh.parse_etags(value)
    assert ours.as_set() == theirs.as_set()
    assert ours.as_set(include_weak=True) == theirs.as_set(include_weak=True)
    assert ours.star_tag == theirs.star_tag
    assert bool(ours) == bool(theirs)
    assert len(ours) == len(theirs)
    assert sorted(ours) == sorted(theirs)
    assert sorted(ours.to_header().split(", ")) == sorted(theirs.to_header().split(", "))
    for probe in ("abc", "def", "x", "z", "bare", "bare2", "", "a b", "nope"):
        assert (probe in ours) == (probe in theirs)
        assert ours.contains_weak(probe) == theirs.contains_weak(probe)
        assert ours.is_weak(probe) == theirs.is_weak(probe)
        assert ours.is_strong(probe) == theirs.is_strong(probe)
        assert ours(probe) == theirs(probe)
        assert ours(probe, include_weak=True) == theirs(probe, include_weak=True)
        for raw in (f'"{probe}"', f'W/"{probe}"', probe):
            assert ours.contains_raw(raw) == theirs.contains_raw(raw)


etag_text = st.lists(
    st.sampled_from(['"', "W/", "w/", ",", " ", "\t", "a", "b", "*", "é", '""']), max_size=15
).map("".join)


@settings(max_examples=800, deadline=None)
@given(etag_text)
def test_parse_and_unquote_etags_match_werkzeug_on_random_input(value):
    ours, theirs = parse_etags(value), wh.parse_etags(value)
    assert ours.as_set(True) == theirs.as_set(True)
    assert ours._weak == theirs._weak
    assert ours.star_tag == theirs.star_tag
    assert unquote_etag(value) == wh.unquote_etag(value)
    assert outcome(lambda: quote_etag(value)) == outcome(lambda: wh.quote_etag(value))
    assert outcome(lambda: quote_etag(value, True)) == outcome(lambda: wh.quote_etag(value, True))


def test_etags_helpers():
    assert generate_etag(b"hello") == wh.generate_etag(b"hello")
    assert len(generate_etag(b"")) == 40
    tags = ETags(["a"], ["b"])
    assert tags(data=b"hello") is False
    assert ETags([generate_etag(b"hello")])(data=b"hello") is True
    with pytest.raises(TypeError):
        tags()
    star = ETags(star_tag=True)
    assert "anything" in star and star.to_header() == "*" and str(star) == "*"
    assert star("anything") is False  # __call__ ignores the star, as in Werkzeug
    assert repr(ETags(["a"])) == repr(wz.ETags(["a"])) == "<ETags '\"a\"'>"
    assert ETags(["a"], star_tag=True).as_set() == set()
    assert unquote_etag(None) == (None, None)
    with pytest.raises(ValueError):
        quote_etag('a"b')


def test_hostile_etag_headers_stay_linear():
    values = [
        '"' + ",a" * 200_000,
        'W/"a,' * 100_000,
        "a b," * 100_000,
        " " * 300_000 + "x y",
        '"a",' * 200_000,
    ]
    with hang_guard():
        for value in values:
            parse_etags(value)
    assert len(parse_etags('"a",' * 200_000)) == 1


# -- If-Range -------------------------------------------------------------------------

IF_RANGE_EXAMPLES = [
    None,
    "",
    '"abc"',
    'W/"weak"',
    "unquoted",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Sunday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 1994",
    "Tue, 15 Nov 1994 12:45:26 +0100",
    "Mon, 32 Nov 1994 08:49:37 GMT",
]


@pytest.mark.parametrize("value", IF_RANGE_EXAMPLES)
def test_parse_if_range_matches_werkzeug(value):
    ours, theirs = parse_if_range_header(value), wh.parse_if_range_header(value)
    assert ours.etag == theirs.etag
    assert ours.date == theirs.date
    assert ours.to_header() == theirs.to_header() == str(ours)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2020, 1, 2, 3, 4, 5),
        datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
        date(2020, 1, 2),
    ],
)
def test_if_range_dates_render_like_werkzeug(moment):
    assert IfRange(date=moment).to_header() == wz.IfRange(date=moment).to_header()
    assert IfRange("tag").to_header() == '"tag"'
    assert IfRange().to_header() == ""


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parse_if_range_never_raises(value):
    result = parse_if_range_header(value)
    assert isinstance(result, IfRange)


# -- Range ----------------------------------------------------------------------------

RANGE_EXAMPLES = [
    None,
    "",
    "bytes",
    "bytes=0-499",
    "bytes=500-",
    "bytes=-500",
    "bytes=0-0,-1",
    "bytes=0-1, 2-3 , 5-",
    "BYTES = 0 - 10",
    "bytes=1-0",
    "bytes=-0",
    "bytes=5-, 10-",
    "bytes=-5, 10-20",
    "bytes=0-10, 5-20",
    "bytes=+1-2",
    "bytes=1_0-20",
    "bytes=٣-5",
    "bytes=a-b",
    "bytes=,",
    "items=0-9",
    "bytes=0-1=2",
]


@pytest.mark.parametrize("value", RANGE_EXAMPLES)
def test_parse_range_matches_werkzeug(value):
    ours, theirs = parse_range_header(value), wh.parse_range_header(value)
    if theirs is None:
        assert ours is None
        return
    assert ours.units == theirs.units
    assert list(ours.ranges) == list(theirs.ranges)
    assert ours.to_header() == theirs.to_header() == str(ours)
    assert repr(ours) == repr(theirs)
    for length in (None, 0, 1, 300, 499, 500, 1000):
        assert ours.range_for_length(length) == theirs.range_for_length(length)
        assert ours.to_content_range_header(length) == theirs.to_content_range_header(length)
        our_cr, their_cr = ours.make_content_range(length), theirs.make_content_range(length)
        assert str(our_cr) == str(their_cr)


range_text = st.lists(
    st.sampled_from(["bytes", "=", "-", ",", " ", "0", "1", "5", "10", "99", "x", "+"]),
    max_size=14,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(range_text)
def test_parse_range_matches_werkzeug_on_random_input(value):
    ours, theirs = parse_range_header(value), wh.parse_range_header(value)
    if theirs is None:
        assert ours is None
    else:
        assert (ours.units, list(ours.ranges)) == (theirs.units, list(theirs.ranges))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_parse_range_never_raises(value):
    result = parse_range_header(value)
    assert result is None or isinstance(result, Range)


def test_range_rejects_invalid_pairs():
    with pytest.raises(ValueError):
        Range("bytes", [(5, 2)])
    with pytest.raises(ValueError):
        Range("bytes", [(None, 2)])
    with pytest.raises(ValueError):
        Range("bytes", [(-1, 5)])
    assert Range("bytes", [(-5, None)]).to_header() == "bytes=-5"


def test_hostile_range_headers():
    with hang_guard():
        many = "bytes=" + ",".join(f"{2 * i}-{2 * i}" for i in range(100_000))
        assert len(parse_range_header(many).ranges) == 100_000
        assert parse_range_header("bytes=" + "9" * 100_000 + "-") is None
        assert parse_range_header("bytes=0-" + " " * 100_000 + "1") is not None
        assert parse_range_header("bytes=" + "-" * 100_000) is None


# -- Content-Range --------------------------------------------------------------------

CONTENT_RANGE_EXAMPLES = [
    None,
    "",
    "bytes 0-499/1234",
    "bytes 0-499/*",
    "bytes */1234",
    "bytes */*",
    "bytes 500-499/1234",
    "bytes 0-1233/1234",
    "bytes 0-1234/1234",
    "bytes 0-499",
    "bytes x-1/5",
    "bytes 1/5",
    "  bytes 0-0/1  ",
    "items 0-9/10",
    "bytes -1-5/10",
    "bytes 0-4/-1",
]


@pytest.mark.parametrize("value", CONTENT_RANGE_EXAMPLES)
def test_parse_content_range_matches_werkzeug(value):
    ours = parse_content_range_header(value)
    theirs = wh.parse_content_range_header(value)
    if theirs is None:
        assert ours is None
        return
    for name in ("units", "start", "stop", "length"):
        assert getattr(ours, name) == getattr(theirs, name)
    assert ours.to_header() == theirs.to_header() == str(ours)
    assert repr(ours) == repr(theirs)
    assert bool(ours) == bool(theirs)


def test_content_range_updates_and_callbacks():
    calls = []
    cr = ContentRange("bytes", 0, 10, 100, on_update=lambda c: calls.append(c.to_header()))
    assert calls == ["bytes 0-9/100"]  # construction reports too, as in Werkzeug
    calls.clear()
    cr.start = 5
    cr.length = None
    cr.set(0, 1, 2)
    cr.unset()
    assert calls == ["bytes 5-9/100", "bytes 5-9/*", "bytes 0-0/2", ""]
    assert not cr and cr.to_header() == ""
    with pytest.raises(ValueError):
        ContentRange("bytes", 5, 2, 10)
    with pytest.raises(ValueError):
        cr.set(0, None)
    parsed = parse_content_range_header("bytes 0-4/10", on_update=lambda c: calls.append("x"))
    parsed.stop = 6
    assert calls[-1] == "x" and parsed.to_header() == "bytes 0-5/10"


def test_content_range_callback_on_construction_matches_werkzeug():
    ours, theirs = [], []
    ContentRange("bytes", 0, 1, 5, on_update=ours.append)
    wz.ContentRange("bytes", 0, 1, 5, on_update=theirs.append)
    assert len(ours) == len(theirs)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(st.none(), st.integers(-3, 12)),
    st.one_of(st.none(), st.integers(-3, 12)),
    st.one_of(st.none(), st.integers(-3, 12)),
)
def test_is_byte_range_valid_matches_werkzeug(start, stop, length):
    assert is_byte_range_valid(start, stop, length) == wh.is_byte_range_valid(start, stop, length)
