"""The C query parser (``erlen._speedups``) against the pure-Python one.

The Python parser in ``erlen.http.urls`` is the reference (tests/http/test_urls.py
compares it with Werkzeug); here the C one must give the same multi-dict, in the same
order, for any input. ``make test`` sets ``ERLEN_REQUIRE_EXTENSIONS=1`` so a build that
silently left the extension out fails instead of skipping.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import erlen.http.urls as urls
from erlen.http.multidict import ImmutableMultiDict, MultiDict
from erlen.wrappers.request import RequestArgs

try:
    from erlen._speedups import decode_query
except ImportError:  # pragma: no cover - the build had no C compiler
    if os.environ.get("ERLEN_REQUIRE_EXTENSIONS"):
        raise
    pytest.skip("erlen._speedups is not built", allow_module_level=True)


def python_decode(query: str | bytes, cls: type = ImmutableMultiDict) -> MultiDict:
    """url_decode with the C parser switched off."""
    saved = urls._decode_query
    urls._decode_query = None
    try:
        return urls.url_decode(query, cls)
    finally:
        urls._decode_query = saved


def as_lists(decoded: MultiDict) -> list[tuple[str, list[str]]]:
    return [(key, list(values)) for key, values in dict.items(decoded)]


ascii_query = st.lists(
    st.sampled_from(
        list("&=+%;ab AZ09#?/~\t\x00\x7f")
        + ["%2", "%zz", "%C3", "%A9", "%c3%a9", "%FF", "%E2%82", "%AC", "%00", "%2B", "%26"]
    ),
    max_size=50,
).map("".join)


def test_url_decode_uses_the_extension_unless_turned_off():
    if os.environ.get("ERLEN_NO_EXTENSIONS"):
        assert urls._decode_query is None
    else:
        assert urls._decode_query is decode_query


@settings(max_examples=1000)
@given(ascii_query, st.sampled_from([ImmutableMultiDict, MultiDict, RequestArgs]))
def test_matches_the_python_parser(query, cls):
    decoded = decode_query(cls, query)
    assert type(decoded) is cls
    assert as_lists(decoded) == as_lists(python_decode(query, cls))


@settings(max_examples=500)
@given(st.text(st.characters(max_codepoint=127)))
def test_matches_the_python_parser_on_any_ascii(query):
    assert as_lists(decode_query(ImmutableMultiDict, query)) == as_lists(python_decode(query))


@given(st.text(min_size=1).filter(lambda text: not text.isascii()))
def test_leaves_non_ascii_to_python(query):
    assert decode_query(ImmutableMultiDict, query) is None
    # ...and url_decode still answers it, through the Python parser.
    assert as_lists(urls.url_decode(query)) == as_lists(python_decode(query))


def test_values():
    decoded = decode_query(RequestArgs, "a=1&b=%FF&c=%C3%A9+x&d&&=e&a=2&f=%2B%26%3d&g=%4&h=%")
    assert as_lists(decoded) == [
        ("a", ["1", "2"]),
        ("b", ["%FF"]),
        ("c", ["é x"]),
        ("d", [""]),
        ("", ["e"]),
        ("f", ["+&="]),
        ("g", ["%4"]),
        ("h", ["%"]),
    ]
    assert decode_query(RequestArgs, "") == {}
    assert as_lists(decode_query(RequestArgs, "&&&")) == []
    assert as_lists(decode_query(RequestArgs, "a=b=c")) == [("a", ["b=c"])]
    assert as_lists(decode_query(RequestArgs, "+=%20")) == [(" ", [" "])]


def test_long_parts_are_decoded_off_the_stack():
    # Parts over 256 bytes are decoded in a heap buffer.
    value = "%C3%A9+" * 400  # 2,800 bytes, 800 characters once decoded
    query = f"{'k%41' * 100}={value}&x=1"
    decoded = decode_query(ImmutableMultiDict, query)
    assert as_lists(decoded) == [("kA" * 100, ["é " * 400]), ("x", ["1"])]
    assert as_lists(decoded) == as_lists(python_decode(query))


def test_many_pairs():
    query = "&".join(f"k{i % 1000}=v%20{i}" for i in range(100_000))
    decoded = decode_query(ImmutableMultiDict, query)
    assert len(decoded) == 1000
    assert decoded.getlist("k7")[:2] == ["v 7", "v 1007"]
    assert len(decoded.getlist("k999")) == 100


def test_the_new_dict_is_made_without_init():
    class Counting(MultiDict):
        made = 0

        def __init__(self, mapping=None):
            type(self).made += 1
            super().__init__(mapping)

    decoded = decode_query(Counting, "a=1")
    assert type(decoded) is Counting and Counting.made == 0
    assert decoded.getlist("a") == ["1"]
    # url_decode does not hand such a class to C: its __init__ runs.
    assert type(urls.url_decode("a=1", Counting)) is Counting and Counting.made == 1


def test_bad_arguments_are_type_errors():
    class OwnNew(MultiDict):
        def __new__(cls, *args, **kwargs):
            return super().__new__(cls)

    with pytest.raises(TypeError, match="dict subclass"):
        decode_query(list, "a=1")
    with pytest.raises(TypeError, match="dict subclass"):
        decode_query(OwnNew, "a=1")
    with pytest.raises(TypeError, match="dict subclass"):
        decode_query("not a class", "a=1")
    with pytest.raises(TypeError, match="needs a str"):
        decode_query(MultiDict, b"a=1")
    with pytest.raises(TypeError, match="2 positional arguments"):
        decode_query(MultiDict)
    # A class with its own __new__ gets the Python parser, through that __new__.
    assert type(urls.url_decode("a=1", OwnNew)) is OwnNew


def test_no_memory_is_kept():
    query = "q=erlen&page=2&tag=a&tag=b&x=%C3%A9+%FF&" + "y=" + "%41" * 300
    for _ in range(200):
        decode_query(RequestArgs, query)
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(20_000):
            decode_query(RequestArgs, query)
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before < 10_000


def test_environment_variable_turns_the_extension_off():
    code = "import erlen.http.urls as u; print(u._decode_query is None, u.url_decode('a=%41+b'))"
    env = dict(os.environ, ERLEN_NO_EXTENSIONS="1")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split(" ", 1) == ["True", "ImmutableMultiDict([('a', 'A b')])\n"]
