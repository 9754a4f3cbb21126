"""Accept headers and content negotiation, checked against Werkzeug as the oracle."""

from __future__ import annotations

import pickle
import signal
from contextlib import contextmanager

import pytest
import werkzeug.datastructures as wz
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.http import parse_accept_header as wz_parse

from erlen.http import accept as ea
from erlen.http.accept import (
    Accept,
    CharsetAccept,
    LanguageAccept,
    MIMEAccept,
    parse_accept_header,
)


def outcome(fn):
    try:
        return ("ok", fn())
    except (TypeError, ValueError, IndexError, KeyError) as e:
        return (type(e).__name__,)


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


CLASSES = ["Accept", "MIMEAccept", "LanguageAccept", "CharsetAccept"]


def parse_both(value, cls_name):
    return (
        parse_accept_header(value, getattr(ea, cls_name)),
        wz_parse(value, getattr(wz, cls_name)),
    )


def assert_same(ours, theirs):
    assert list(ours) == list(theirs)
    assert ours.provided == theirs.provided
    assert repr(ours) == repr(theirs)
    assert ours.to_header() == theirs.to_header() == str(ours)
    assert ours.best == theirs.best
    assert list(ours.values()) == list(theirs.values())


EXAMPLES = [
    None,
    "",
    "text/html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8",
    "text/html;level=1;q=0.5, */*;q=0.1, text/*",
    "text/*;q=0.3, text/html;q=0.7, text/html;level=1, text/html;level=2;q=0.4, */*;q=0.5",
    "application/json;q=1.0, text/plain; charset=utf-8 ;q=0.2",
    "en-US,en;q=0.9,de;q=0.8,*;q=0.1",
    "de-CH, fr;q=0.9, en;q=0.8, *;q=0.5",
    "utf-8, iso-8859-1;q=0.5, *;q=0.1",
    "gzip, deflate, br;q=1.1, identity;q=-1, x;q=abc, y;q=0.",
    'a;q="0.5", "quoted, item";q=0.3, b;q= 0.2 ',
    '"unclosed, x',
    "*/*",
    "*",
    "text/*, */html, text",
    ",,, ;q=0.5, a/b;;c=d",
]


@pytest.mark.parametrize("cls_name", CLASSES)
@pytest.mark.parametrize("value", EXAMPLES)
def test_parse_matches_werkzeug(value, cls_name):
    ours, theirs = parse_both(value, cls_name)
    assert type(ours).__name__ == cls_name
    assert_same(ours, theirs)


header_text = st.lists(
    st.sampled_from(
        [
            "text/html",
            "text/*",
            "*/*",
            "*",
            "application/json",
            "en",
            "en-US",
            "en_gb",
            "de",
            "utf-8",
            "UTF8",
            "latin1",
            ";q=0.5",
            ";q=1",
            ";q=0",
            ";q=x",
            ";level=1",
            ", ",
            ",",
            " ",
            '"',
            "q=",
            "/",
        ]
    ),
    max_size=10,
).map("".join)
probes = st.sampled_from(
    [
        "text/html",
        "text/plain",
        "application/json",
        "*/*",
        "text/*",
        "en",
        "en-us",
        "EN_US",
        "de",
        "utf-8",
        "utf8",
        "latin-1",
        "*",
        "html",
        "*/html",
    ]
)


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(CLASSES),
    header_text,
    st.lists(probes, max_size=4),
    st.sampled_from([None, "fallback"]),
)
def test_negotiation_matches_werkzeug(cls_name, value, server_values, default):
    ours, theirs = parse_both(value, cls_name)
    assert_same(ours, theirs)
    for probe in server_values:
        assert outcome(lambda p=probe: ours.quality(p)) == outcome(
            lambda p=probe: theirs.quality(p)
        )
        assert outcome(lambda p=probe: ours[p]) == outcome(lambda p=probe: theirs[p])
        assert outcome(lambda p=probe: p in ours) == outcome(lambda p=probe: p in theirs)
        assert outcome(lambda p=probe: ours.find(p)) == outcome(lambda p=probe: theirs.find(p))
        assert outcome(lambda p=probe: ours.index(p)) == outcome(lambda p=probe: theirs.index(p))
    assert outcome(lambda: ours.best_match(server_values, default)) == outcome(
        lambda: theirs.best_match(server_values, default)
    )
    if cls_name == "MIMEAccept":
        assert ours.accept_html == theirs.accept_html
        assert ours.accept_xhtml == theirs.accept_xhtml
        assert ours.accept_json == theirs.accept_json


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ("en-US", ["en", "de"]),
        ("en", ["en-US", "de"]),
        ("en-US, de;q=0.5", ["de", "en-GB"]),
        ("de-AT", ["de-DE", "de-CH"]),
        ("zh-Hant-TW", ["zh", "zh-TW"]),
        ("fr", ["en"]),
        ("en_us", ["en-US"]),
    ],
)
def test_language_fallbacks_match_werkzeug(header, matches):
    ours, theirs = parse_both(header, "LanguageAccept")
    assert ours.best_match(matches) == theirs.best_match(matches)
    assert ours.best_match(matches, "x") == theirs.best_match(matches, "x")


def test_language_best_match_accepts_a_generator():
    accept = parse_accept_header("en", LanguageAccept)
    # Werkzeug would exhaust the generator in its first pass and miss the fallback.
    assert accept.best_match(tag for tag in ["de", "en-US"]) == "en-US"


def test_mime_accept_rejects_invalid_server_values_like_werkzeug():
    accept = parse_accept_header("text/html", MIMEAccept)
    for bad in ("html", "*/html"):
        with pytest.raises(ValueError):
            accept.quality(bad)
        with pytest.raises(ValueError):
            wz_parse("text/html", wz.MIMEAccept).quality(bad)
    assert parse_accept_header("nonsense", MIMEAccept).quality("html") == 0


def test_accept_basics():
    accept = Accept([("gzip", 1), ("br", 0.5), ("*", 0.1)])
    assert accept["gzip"] == 1
    assert accept[0] == ("gzip", 1)
    assert accept[0:2] == [("gzip", 1), ("br", 0.5)]
    assert accept["zstd"] == 0.1
    assert accept.index(("br", 0.5)) == 1
    assert accept.find(("nope", 1)) == -1
    assert Accept().provided is True and Accept(None).provided is False
    assert Accept(accept).provided is True
    assert Accept(None).best is None
    with pytest.raises(TypeError):
        accept.append(("x", 1))
    with pytest.raises(TypeError):
        accept.clear()
    assert hash(accept) == hash(Accept(list(accept)))
    restored = pickle.loads(pickle.dumps(accept))
    assert type(restored) is Accept and list(restored) == list(accept)


def test_charset_accept_normalises_aliases():
    accept = CharsetAccept([("ISO-8859-1", 1), ("utf-8", 0.7)])
    assert "iso-8859-1" in accept
    assert "UTF8" in accept
    assert "utf7" not in accept
    assert accept["utf-8"] == 0.7
    assert accept["nonexistent-charset"] == 0


def test_mime_accept_caches_nothing_stale():
    accept = parse_accept_header("text/html, application/json;q=0.5", MIMEAccept)
    assert accept.quality("application/json") == 0.5
    copy = MIMEAccept(accept)
    assert copy.quality("application/json") == 0.5
    assert accept.best_match(["application/json", "text/html"]) == "text/html"


# -- hostile input --------------------------------------------------------------------


def test_many_items_stay_linear():
    value = ",".join(f"type{i}/sub{i};q=0.{i % 10}" for i in range(20_000))
    with hang_guard():
        accept = parse_accept_header(value, MIMEAccept)
        assert len(accept) == 20_000
        assert accept.best_match(["text/html", "type5/sub5"]) == "type5/sub5"
        assert "application/json" not in accept


def test_blank_runs_do_not_backtrack():
    # A long run of blanks inside one item made Werkzeug's media type splitter quadratic.
    value = "text/" + " " * 200_000 + "html"
    with hang_guard():
        accept = parse_accept_header(value, MIMEAccept)
        assert accept.best_match(["text/html"]) is None
        assert accept.quality("text/plain") == 0
    language = parse_accept_header("en" + "-" * 100_000, LanguageAccept)
    with hang_guard():
        assert language.best_match(["en", "de"]) == "en"


def test_long_quoted_header_is_linear():
    def build(n):
        return '"' + "a\\\\" * n + '", text/html'

    small = build(50)
    assert list(parse_accept_header(small, MIMEAccept)) == list(wz_parse(small, wz.MIMEAccept))
    with hang_guard():
        accept = parse_accept_header(build(200_000), MIMEAccept)
        assert accept.quality("text/html") == 1
