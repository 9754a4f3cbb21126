"""erlen.http.options against Werkzeug 3.1's header value helpers."""

from __future__ import annotations

import pytest
import werkzeug.http as wz
import werkzeug.utils as wz_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from erlen.http.options import (
    dump_header,
    dump_options_header,
    get_content_type,
    parse_dict_header,
    parse_list_header,
    parse_options_header,
    quote_header_value,
    unquote_header_value,
)
from tests.http.test_urls import assert_linear

# Characters that matter to the header grammars, plus some that do not.
header_text = st.lists(
    st.sampled_from(
        list(" \t;,=\"\\'*%a-/Ab0179\n")
        + ["é", "UTF-8''", "utf-8'en'", "iso-8859-1''", "%C3%A9", "%22", "*0", "*1*", "name"]
    ),
    max_size=30,
).map("".join)


OPTION_HEADERS = [
    None,
    "",
    "text/html",
    "text/html; charset=UTF-8",
    "Text/HTML ;  Charset=utf-8 ",
    "text/html;",
    "; charset=utf-8",
    'form-data; name="field"; filename="a b.txt"',
    'form-data; name="a\\"b"; filename="C:\\\\dir\\\\x.txt"',
    'form-data; name="a%22b"',
    'form-data; name="unterminated',
    'form-data; name="x"; filename="y',
    "form-data; name=; other=1",
    "form-data; name = x; other=1",
    "form-data; noequals; a=b",
    "form-data; a=b;;; c=d",
    "form-data; a=b c=d; e=f",
    "attachment; filename*=UTF-8''%C3%A9t%C3%A9.txt",
    "attachment; filename*=utf-8'en'%E2%82%AC",
    "attachment; filename*=iso-8859-1''%E9",
    "attachment; filename*=koi8-r''%E9",
    "attachment; filename*=''abc",
    "attachment; filename*=\"UTF-8''abc\"",
    "attachment; filename=plain; filename*=UTF-8''fancy",
    "attachment; filename*=UTF-8''fancy; filename=plain",
    "x; a*0=one; a*1=two; a*2=three",
    "x; a*0*=UTF-8''%C3%A9; a*1*=%C3%A9; a*2=plain",
    "x; a*1=second; a*0=first",
    "x; a=plain; a*0=cont",
    "x; a*0=cont; a=plain",
    "x; A=1; a=2",
    'x; a="\\\\"; b=2',
    'x; a="\\"; b=2',
    'x; a="\\x"; b=2',
    "x; a*=; b*=x",
    "x; *=1; **=2; *1=3",
    "x; a=1\n; b=2",
]


@pytest.mark.parametrize("value", OPTION_HEADERS)
def test_parse_options_header_matches_werkzeug(value):
    expected = wz.parse_options_header(value)
    result = parse_options_header(value)
    assert result == expected
    assert list(result[1].items()) == list(expected[1].items())


@settings(max_examples=500)
@given(header_text)
def test_parse_options_header_matches_werkzeug_on_fuzz(value):
    expected = wz.parse_options_header("x; " + value)
    result = parse_options_header("x; " + value)
    assert result == expected
    assert list(result[1].items()) == list(expected[1].items())


@given(st.text())
def test_parse_options_header_matches_werkzeug_on_any_text(value):
    assert parse_options_header(value) == wz.parse_options_header(value)


@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9\-]{0,8}", fullmatch=True), st.text()))
def test_dump_then_parse_options_round_trip(options):
    header = dump_options_header("text/plain", options)
    assert header == wz.dump_options_header("text/plain", options)
    parsed = parse_options_header(header)
    assert parsed == wz.parse_options_header(header)


def test_dump_options_header_cases():
    options = {"charset": "utf-8", "skip": None, "name": "a b", "filename*": "UTF-8''%C3%A9"}
    assert dump_options_header("text/plain", options) == wz.dump_options_header(
        "text/plain", options
    )
    assert dump_options_header(None, {"a": 1}) == "a=1"
    assert dump_options_header("x", {"e": ""}) == 'x; e=""'


@pytest.mark.parametrize(
    "value",
    [
        "",
        "a, b ,c",
        'token, "quoted value"',
        '"a,b", c',
        'a"b,c"d, e',
        '"unterminated, x',
        '"esc\\"aped", x',
        '"trailing\\',
        ",,, a ,, ",
        '""',
        '"", a',
        '"a"b"c"',
        "\t a \t, b",
        'x="1, 2", y',
        '"\\\\", "\\x"',
    ],
)
def test_parse_list_header_matches_werkzeug(value):
    assert parse_list_header(value) == wz.parse_list_header(value)


@settings(max_examples=500)
@given(header_text)
def test_parse_list_header_matches_werkzeug_on_fuzz(value):
    assert parse_list_header(value) == wz.parse_list_header(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        'a=b, c="d, e", f',
        "=novalue, a = b ",
        "a*=UTF-8''%C3%A9, b*=bad, c*=koi8-r''%E9",
        'a="quoted \\" value", a=second',
        'realm=x, nonce="abc", qop=auth, nc=00000001',
        'k="v',
    ],
)
def test_parse_dict_header_matches_werkzeug(value):
    assert parse_dict_header(value) == wz.parse_dict_header(value)


@settings(max_examples=500)
@given(header_text)
def test_parse_dict_header_matches_werkzeug_on_fuzz(value):
    assert parse_dict_header(value) == wz.parse_dict_header(value)


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False)), st.booleans())
def test_quote_header_value_matches_werkzeug(value, allow_token):
    quoted = quote_header_value(value, allow_token=allow_token)
    assert quoted == wz.quote_header_value(value, allow_token=allow_token)
    assert unquote_header_value(quoted) == str(value) or "\n" in str(value)


@given(st.text(alphabet=' "\\ab\n'))
def test_unquote_header_value_matches_werkzeug(value):
    assert unquote_header_value(value) == wz.unquote_header_value(value)


@pytest.mark.parametrize(
    "value",
    [["foo", "bar baz", ""], {"foo": "bar baz", "k": None, "x*": "UTF-8''%C3%A9"}, ("a",), []],
)
def test_dump_header_matches_werkzeug(value):
    assert dump_header(value) == wz.dump_header(value)


@pytest.mark.parametrize(
    "mimetype",
    [
        "text/html",
        "text/plain",
        "application/json",
        "application/javascript",
        "application/ecmascript",
        "application/sql",
        "application/xml",
        "application/xml-dtd",
        "application/xml-external-parsed-entity",
        "image/svg+xml",
        "application/atom+xml",
        "application/octet-stream",
        "image/png",
    ],
)
def test_get_content_type_matches_werkzeug(mimetype):
    assert get_content_type(mimetype, "utf-8") == wz_utils.get_content_type(mimetype, "utf-8")


def test_get_content_type_values():
    assert get_content_type("text/html", "utf-8") == "text/html; charset=utf-8"
    assert get_content_type("application/json", "utf-8") == "application/json"


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "x; " + 'a="' * n,
        lambda n: "x; " + 'a="\\' * n,
        lambda n: "x; " + "a=b; " * n,
        lambda n: "x; " + "a*1*=" * n,
        lambda n: "x; a=" + "\\" * n,
        lambda n: "x; " + ";" * n,
        lambda n: "x; " + "a" * n,
    ],
)
def test_parse_options_header_is_linear_on_hostile_input(make):
    assert_linear(lambda n: parse_options_header(make(n)))


@pytest.mark.parametrize(
    "make",
    [
        lambda n: '"' + "a," * n,
        lambda n: '"\\"' * n,
        lambda n: 'a="b", ' * n,
        lambda n: "," * n,
    ],
)
def test_list_and_dict_headers_are_linear_on_hostile_input(make):
    assert_linear(lambda n: parse_list_header(make(n)))
    assert_linear(lambda n: parse_dict_header(make(n)))
