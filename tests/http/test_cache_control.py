"""Cache-Control and Content-Security-Policy, checked against Werkzeug as the oracle."""

from __future__ import annotations

import pickle

import pytest
import werkzeug.datastructures as wz
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.http import parse_cache_control_header as wz_parse_cc
from werkzeug.http import parse_csp_header as wz_parse_csp

from erlen.http.cache_control import (
    ContentSecurityPolicy,
    RequestCacheControl,
    ResponseCacheControl,
    cache_control_property,
    dump_csp_header,
    parse_cache_control_header,
    parse_csp_header,
)

REQUEST_PROPERTIES = [
    "no_cache",
    "no_store",
    "max_age",
    "max_stale",
    "min_fresh",
    "no_transform",
    "only_if_cached",
    "stale_if_error",
]
RESPONSE_PROPERTIES = [
    "no_cache",
    "no_store",
    "max_age",
    "no_transform",
    "public",
    "private",
    "must_revalidate",
    "proxy_revalidate",
    "s_maxage",
    "immutable",
    "must_understand",
    "stale_while_revalidate",
    "stale_if_error",
]


def outcome(fn):
    try:
        return ("ok", fn())
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        return (type(e).__name__,)


EXAMPLES = [
    None,
    "",
    "no-cache",
    "max-age=3600, public",
    "max-age=abc, s-maxage=10, private",
    'private="Set-Cookie", no-cache="x, y"',
    "max-stale, min-fresh=5, only-if-cached, no-transform, stale-if-error=60",
    "max-stale=10, max-age",
    "immutable, must-revalidate, proxy-revalidate, must-understand, stale-while-revalidate=5",
    "MAX-AGE=5, Max-Age=6",
    'x-custom="quoted value", ,=bad, flag',
    "max-age=-1",
]


@pytest.mark.parametrize("value", EXAMPLES)
@pytest.mark.parametrize(
    ("cls", "wz_cls", "properties"),
    [
        (None, None, REQUEST_PROPERTIES),
        (RequestCacheControl, wz.RequestCacheControl, REQUEST_PROPERTIES),
        (ResponseCacheControl, wz.ResponseCacheControl, RESPONSE_PROPERTIES),
    ],
)
def test_parse_matches_werkzeug(value, cls, wz_cls, properties):
    ours = parse_cache_control_header(value, cls=cls)
    theirs = wz_parse_cc(value, cls=wz_cls)
    assert type(ours).__name__ == type(theirs).__name__
    assert dict(ours) == dict(theirs)
    assert ours.provided == theirs.provided
    assert ours.to_header() == theirs.to_header() == str(ours)
    assert repr(ours) == repr(theirs)
    for name in properties:
        assert getattr(ours, name) == getattr(theirs, name), name


setting_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 100_000),
    st.sampled_from(["10", "abc", "Set-Cookie", ""]),
)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(EXAMPLES[1:]),
    st.lists(
        st.tuples(st.sampled_from(RESPONSE_PROPERTIES), st.one_of(setting_values, st.just("del"))),
        max_size=6,
    ),
)
def test_response_property_updates_match_werkzeug(initial, changes):
    our_calls, their_calls = [], []
    ours = parse_cache_control_header(
        initial, lambda cc: our_calls.append(cc.to_header()), ResponseCacheControl
    )
    theirs = wz_parse_cc(
        initial, lambda cc: their_calls.append(cc.to_header()), wz.ResponseCacheControl
    )
    for name, value in changes:
        if value == "del":
            delattr(ours, name)
            delattr(theirs, name)
        else:
            assert outcome(lambda n=name, v=value: setattr(ours, n, v)) == outcome(
                lambda n=name, v=value: setattr(theirs, n, v)
            )
        assert dict(ours) == dict(theirs)
        assert getattr(ours, name) == getattr(theirs, name)
    assert our_calls == their_calls
    assert ours.to_header() == theirs.to_header()


def test_response_cache_control_attribute_access():
    calls = []
    cc = ResponseCacheControl(on_update=lambda c: calls.append(str(c)))
    cc.max_age = 3600
    cc.public = True
    cc.no_cache = True
    cc.immutable = True
    assert cc.max_age == 3600
    assert cc.to_header() == "max-age=3600, public, no-cache, immutable"
    cc.max_age = None
    cc.public = False
    cc.private = "Set-Cookie"
    assert cc.to_header() == "no-cache, immutable, private=Set-Cookie"
    del cc.immutable
    assert calls[-1] == "no-cache, private=Set-Cookie"
    cc.s_maxage = "20"
    assert cc["s-maxage"] == "20" and cc.s_maxage == 20
    with pytest.raises(ValueError):
        cc.max_age = "not a number"


def test_request_cache_control_is_read_only():
    cc = parse_cache_control_header("max-age=5")
    assert isinstance(cc, RequestCacheControl)
    with pytest.raises(TypeError):
        cc.max_age = 10
    with pytest.raises(TypeError):
        cc["no-cache"] = None
    assert cc.max_age == 5
    assert hash(cc) == hash(parse_cache_control_header("max-age=5"))
    assert dict(pickle.loads(pickle.dumps(cc))) == {"max-age": "5"}


def test_custom_property_in_a_subclass():
    class Custom(ResponseCacheControl):
        x_ttl = cache_control_property("x-ttl", None, int)
        x_flag = ResponseCacheControl.cache_property("x-flag", None, bool)

    cc = parse_cache_control_header("x-ttl=7, x-flag", cls=Custom)
    assert cc.x_ttl == 7 and cc.x_flag is True
    assert "``x-ttl``" in Custom.x_ttl.__doc__


def test_hostile_cache_control_header():
    value = ", ".join(f"k{i}=v{i}" for i in range(50_000)) + ', q="' + "x" * 100_000 + '"'
    cc = parse_cache_control_header(value, cls=ResponseCacheControl)
    assert len(cc) == 50_001
    assert cc["q"] == "x" * 100_000


# -- Content-Security-Policy ----------------------------------------------------------

CSP_EXAMPLES = [
    None,
    "",
    "default-src 'self'",
    "default-src 'self'; img-src *; script-src 'self' https://cdn.example",
    "  frame-ancestors   'none' ;nospace; ; report-uri /csp",
]


@pytest.mark.parametrize("value", CSP_EXAMPLES)
def test_csp_parse_matches_werkzeug(value):
    ours, theirs = parse_csp_header(value), wz_parse_csp(value)
    assert dict(ours) == dict(theirs)
    assert ours.provided == theirs.provided
    assert ours.to_header() == theirs.to_header() == str(ours)
    assert repr(ours) == repr(theirs)
    assert ours.default_src == theirs.default_src
    assert ours.img_src == theirs.img_src


def test_csp_properties_and_callback():
    calls = []
    csp = ContentSecurityPolicy(on_update=lambda c: calls.append(c.to_header()))
    csp.default_src = "'self'"
    csp.img_src = "*"
    assert csp.to_header() == "default-src 'self'; img-src *"
    csp.img_src = None
    del csp.default_src
    assert csp.to_header() == ""
    assert calls == [
        "default-src 'self'",
        "default-src 'self'; img-src *",
        "default-src 'self'",
        "",
    ]
    assert dump_csp_header({"a": "b", "c": "d"}) == "a b; c d"
    assert ContentSecurityPolicy(None).provided is False
