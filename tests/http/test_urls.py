"""erlen.http.urls against Werkzeug 3.1 (routing's quoting, _urlencode, Request.args
parsing, iri_to_uri/uri_to_iri, PATH_INFO decoding)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

import pytest
import werkzeug.urls as wz_urls
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug._internal import _wsgi_decoding_dance
from werkzeug.datastructures import MultiDict as WzMultiDict
from werkzeug.routing import Map
from werkzeug.routing.converters import UnicodeConverter

from erlen.http.multidict import ImmutableMultiDict, MultiDict
from erlen.http.urls import (
    InvalidPathEncoding,
    decode_path,
    iri_to_uri,
    quote_segment,
    uri_to_iri,
    url_decode,
    url_encode,
    url_quote,
)


def assert_linear(run: Callable[[int], object], n: int = 1000, factor: int = 16) -> None:
    """Assert that ``run(n)`` scales linearly: growing the input ``factor`` times may
    grow the time at most ``6 * factor`` times (cache effects and noise stay well
    below that, while a quadratic algorithm would grow it ``factor**2`` times). The
    base size doubles until a run takes long enough to measure; timings are the best
    of three with the garbage collector paused, and a failed comparison is measured
    again (up to three times) so that a busy machine cannot fail it."""

    def best_time(size: int) -> float:
        best = float("inf")
        gc.collect()
        gc.disable()
        try:
            for _ in range(3):
                start = time.perf_counter()
                run(size)
                best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
        return best

    small = best_time(n)
    while small < 0.003 and n < 256_000:
        n *= 2
        small = best_time(n)
    if small < 0.003:
        return  # a quadratic algorithm cannot handle 256k units in 3 ms
    for _ in range(3):
        large = best_time(n * factor)
        if large < small * factor * 6:
            return
        small = min(small, best_time(n))
    raise AssertionError(f"not linear: n={n} took {small:.4f}s, n={n * factor} took {large:.4f}s")


def outcome(func: Callable[[str], object], value: str) -> object:
    """The result of ``func(value)``, or the type of the exception it raised."""
    try:
        return func(value)
    except Exception as error:
        return type(error)


def werkzeug_args(query: str) -> list[tuple[str, list[str]]]:
    """What Werkzeug's Request.args holds for a (text) query string, as key lists."""
    pairs = parse_qsl(query, keep_blank_values=True, errors="werkzeug.url_quote")
    return list(WzMultiDict(pairs).lists())


segment_converter = UnicodeConverter(Map())


@given(st.text())
def test_quote_segment_matches_werkzeug_url_building(value):
    assert quote_segment(value) == segment_converter.to_url(value)


@pytest.mark.parametrize(
    "value", ["plain", "a b", "ä/ö", "a+b&c=d;e", "%41", "?#[]", "~_.-", 42, 1.5, "", "\x00\x7f"]
)
def test_quote_segment_values(value):
    assert quote_segment(value) == segment_converter.to_url(value)


def test_quote_segment_keeps_safe_set():
    assert quote_segment("!$&'()*+,/:;=@") == "!$&'()*+,/:;=@"
    assert quote_segment("a b?c#d%") == "a%20b%3Fc%23d%25"


def test_url_quote():
    assert url_quote("a b/c") == "a%20b/c"
    assert url_quote("a b/c", safe="") == "a%20b%2Fc"
    assert url_quote(b"\xff") == "%FF"


scalar = st.one_of(
    st.text(),
    st.binary(max_size=8),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
)
key_text = st.one_of(st.text(max_size=8), st.binary(max_size=4), st.integers())


@given(st.dictionaries(st.text(max_size=8), st.one_of(scalar, st.lists(scalar, max_size=3))))
def test_url_encode_dict_matches_werkzeug(data):
    assert url_encode(data) == wz_urls._urlencode(data)


@given(st.lists(st.tuples(key_text, scalar), max_size=8))
def test_url_encode_pairs_matches_werkzeug(pairs):
    assert url_encode(pairs) == wz_urls._urlencode(pairs)


@given(st.lists(st.tuples(st.text(max_size=6), st.text(max_size=6)), max_size=8))
def test_url_encode_multidict_matches_werkzeug(pairs):
    assert url_encode(MultiDict(pairs)) == wz_urls._urlencode(WzMultiDict(pairs))
    assert url_encode(ImmutableMultiDict(pairs)) == wz_urls._urlencode(WzMultiDict(pairs))


def test_url_encode_values():
    assert url_encode({"a": [1, 2], "b": None, "c d": "é+/?", "e": b"\xff "}) == (
        "a=1&a=2&c+d=%C3%A9%2B/?&e=%FF+"
    )
    assert url_encode({"b": 2, "a": 1, "c": None}, sort=True) == "a=1&b=2"
    assert url_encode([("b", 1), ("a", 2)], sort=True, key=lambda item: item[1]) == "b=1&a=2"
    assert url_encode({}) == ""
    assert url_encode({"x": "!$'()*,/:;?@&=+#%"}) == "x=!$'()*,/:;?@%26%3D%2B%23%25"


query_text = st.lists(
    st.sampled_from(
        list("&=+%;ab AZ09#?/~") + ["%2", "%zz", "%C3", "%A9", "%FF", "%E2%82", "%AC", "é", "€"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=500)
@given(query_text)
def test_url_decode_matches_werkzeug_args(query):
    result = url_decode(query)
    assert isinstance(result, ImmutableMultiDict)
    assert list(result.lists()) == werkzeug_args(query)


@given(st.text())
def test_url_decode_matches_werkzeug_on_any_text(query):
    assert list(url_decode(query).lists()) == werkzeug_args(query)


@settings(max_examples=300)
@given(query_text)
def test_url_decode_bytes_matches_werkzeug_for_utf8(query):
    raw = query.encode()
    assert list(url_decode(raw).lists()) == werkzeug_args(raw.decode())


def test_url_decode_values():
    decoded = url_decode("a=1&b=%FF&c=%C3%A9+x&d&&=e&a=2")
    assert decoded.getlist("a") == ["1", "2"]
    assert decoded["b"] == "%FF"
    assert decoded["c"] == "é x"
    assert decoded["d"] == ""
    assert decoded[""] == "e"
    assert url_decode("") == ImmutableMultiDict()
    assert url_decode(b"") == ImmutableMultiDict()


def test_url_decode_cls():
    decoded = url_decode("a=1", cls=MultiDict)
    assert type(decoded) is MultiDict
    decoded.add("b", "2")


class _CountingMultiDict(MultiDict):
    """A storage class with its own ``__init__``: url_decode must go through it."""

    made = 0

    def __init__(self, mapping=None):
        type(self).made += 1
        super().__init__(mapping)


@settings(max_examples=200)
@given(query_text)
def test_url_decode_into_a_class_with_its_own_init(query):
    before = _CountingMultiDict.made
    decoded = url_decode(query, cls=_CountingMultiDict)
    assert type(decoded) is _CountingMultiDict
    assert _CountingMultiDict.made == before + 1
    assert list(decoded.lists()) == werkzeug_args(query)


def test_url_decode_semicolon_is_not_a_separator():
    assert list(url_decode("a=1;b=2").items(multi=True)) == [("a", "1;b=2")]


def test_url_decode_invalid_raw_bytes_stay_quoted():
    # Werkzeug raises UnicodeDecodeError on raw non-UTF-8 query bytes; erlen keeps them.
    decoded = url_decode(b"a=\xff&b=\xc3\xa9")
    assert list(decoded.items(multi=True)) == [("a", "%FF"), ("b", "é")]


@given(st.lists(st.tuples(st.text(max_size=10), st.text(max_size=10)), max_size=10))
def test_url_encode_decode_round_trip(pairs):
    decoded = url_decode(url_encode(pairs))
    assert list(decoded.lists()) == list(MultiDict(pairs).lists())


def test_url_decode_100k_pairs():
    query = "&".join(f"k{i}=v{i}" for i in range(100_000))
    decoded = url_decode(query)
    assert len(decoded) == 100_000
    assert decoded["k99999"] == "v99999"
    encoded = "&".join(f"k%20{i}=v+{i}" for i in range(100_000))
    decoded = url_decode(encoded)
    assert decoded["k 5"] == "v 5"


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "&".join(f"k{i}=v{i}" for i in range(n)),
        lambda n: "&".join(f"k%20{i}=v+{i}" for i in range(n)),
        lambda n: "%" * n,
        lambda n: "%zz" * n,
        lambda n: "%C3" * n,
        lambda n: "a=" + "%FF" * n,
        lambda n: "=" * n,
        lambda n: "&" * n,
        lambda n: "é%" * n,
    ],
)
def test_url_decode_is_linear(make):
    assert_linear(lambda n: url_decode(make(n)))


def test_url_decode_broken_percent_encoding_matches_werkzeug():
    for query in ["%", "%%", "%2", "%zz=%g0", "a=%C3%28", "a=%E2%82", "%C3é%A9", "%00=%7F"]:
        assert list(url_decode(query).lists()) == werkzeug_args(query)


IRIS = [
    "http://\u2603.net/p\xe5th?q=\xe8ry%DF",
    "http://xn--n3h.net/p%C3%A5th?q=%C3%A8ry%DF",
    "http://user:pässword@example.com:8080/path?x=1#frag",
    "http://us%40er:p%3Aw@[::1]:80/a%2Fb%25?x=%26y#f%23g",
    "https://example.com/%E2%82%AC%20x%FF?%3D=%2B",
    "http://example.com",
    "/relative/p\xe5th?q=a b",
    "itms-services://?action=download-manifest&url=https://x/y",
    "mailto:someone@ex\xe4mple.com",
    "http://EXAMPLE.com/",
    "http://example.com/\x00\x7f%20",
    "http://xn--invalid-.com/",
    "http://a@/x",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("value", IRIS)
def test_iri_uri_conversions_match_werkzeug(value):
    assert outcome(uri_to_iri, value) == outcome(wz_urls.uri_to_iri, value)
    assert outcome(iri_to_uri, value) == outcome(wz_urls.iri_to_uri, value)


url_text = st.lists(
    st.sampled_from(
        list("/?#&=+%:@ab;!$'()*,") + ["%2F", "%3F", "%23", "%25", "%20", "%C3%A9", "%FF", "é"]
    ),
    max_size=20,
).map("".join)


@settings(max_examples=300)
@given(url_text)
def test_uri_to_iri_matches_werkzeug_on_fuzz(rest):
    value = "http://example.com/" + rest
    assert outcome(uri_to_iri, value) == outcome(wz_urls.uri_to_iri, value)
    assert outcome(iri_to_uri, value) == outcome(wz_urls.iri_to_uri, value)


def test_iri_to_uri_values():
    assert iri_to_uri("http://\u2603.net/p\xe5th?q=\xe8ry%DF") == (
        "http://xn--n3h.net/p%C3%A5th?q=%C3%A8ry%DF"
    )
    assert uri_to_iri("http://xn--n3h.net/p%C3%A5th?q=%C3%A8ry%DF") == (
        "http://\u2603.net/p\xe5th?q=\xe8ry%DF"
    )
    assert uri_to_iri("/a%2Fb") == "/a%2Fb"


@pytest.mark.parametrize("path", ["/", "/plain/ascii", "/caf\xe9", "/\u2603/\U0001f600", "/a%2Fb"])
def test_decode_path_matches_werkzeug_for_valid_utf8(path):
    raw = path.encode().decode("latin-1")
    assert decode_path(raw) == _wsgi_decoding_dance(raw) == path


@pytest.mark.parametrize("raw_bytes", [b"/\xff", b"/caf\xe9", b"/\xc3", b"/\xed\xa0\x80"])
def test_decode_path_rejects_invalid_utf8(raw_bytes):
    raw = raw_bytes.decode("latin-1")
    with pytest.raises(InvalidPathEncoding, match="not valid UTF-8"):
        decode_path(raw)
    assert "\ufffd" in _wsgi_decoding_dance(raw)  # what Werkzeug does instead


def test_decode_path_rejects_text_outside_latin1():
    with pytest.raises(InvalidPathEncoding, match="PEP 3333"):
        decode_path("/\u2603")
    assert issubclass(InvalidPathEncoding, ValueError)


@given(st.text())
def test_decode_path_round_trips_any_text(path):
    try:
        raw = path.encode().decode("latin-1")
    except UnicodeEncodeError:  # lone surrogates cannot be sent
        return
    assert decode_path(raw) == path


# -- iri_to_uri's shortcut for plain relative URLs ----------------------------------------

_URL_CHARS = "aZ09-._~%!$&'()*+,/:;=@?# \u00fc\"<>\\^`{|}\t"


@settings(max_examples=3000, derandomize=True, database=None)
@given(st.text(alphabet=_URL_CHARS, max_size=14))
def test_the_plain_relative_url_shortcut_changes_nothing(tail: str) -> None:
    from erlen.http.urls import _iri_to_uri, is_plain_relative_uri

    url = "/" + tail
    if is_plain_relative_uri(url):
        assert _iri_to_uri(url) == url == iri_to_uri(url)


@pytest.mark.parametrize(
    ("url", "plain"),
    [
        ("/hello", True),
        ("/", True),
        ("/a?next=/b&x=1#top", True),
        ("/a?", False),  # the general path drops an empty query
        ("/a#", False),
        ("//evil.example/", False),  # a host: normalised by the general path
        ("/caf\u00e9", False),
        ("/a b", False),
        ("http://example.com/", False),
    ],
)
def test_which_urls_take_the_shortcut(url: str, plain: bool) -> None:
    from erlen.http.urls import is_plain_relative_uri

    assert is_plain_relative_uri(url) is plain
