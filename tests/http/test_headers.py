"""Headers and EnvironHeaders, checked against werkzeug.datastructures as the oracle."""

from __future__ import annotations

import copy
import inspect
import pickle
import signal
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import werkzeug.datastructures as wz
from hypothesis import given, settings
from hypothesis import strategies as st

from erlen.http.headers import EnvironHeaders, Headers, HeaderSet
from erlen.http.multidict import MissingKeyError, MultiDict
from erlen.http.options import dump_options_header as _dump_options_header


def outcome(fn):
    try:
        return ("ok", fn())
    except KeyError:
        return ("KeyError",)
    except (TypeError, ValueError, IndexError, AttributeError, StopIteration) as e:
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


# -- construction and the performance contract ----------------------------------------


def test_signatures():
    assert list(inspect.signature(Headers).parameters) == ["defaults"]
    assert list(inspect.signature(EnvironHeaders).parameters) == ["environ"]
    assert list(inspect.signature(Headers.get).parameters) == ["self", "key", "default", "type"]
    assert list(inspect.signature(Headers.add).parameters) == ["self", "key", "value", "kwargs"]


def test_items_live_in_a_plain_list_slot():
    source = [("Content-Type", "text/html"), ("X-Num", 5)]
    h = Headers(source)
    assert Headers.__slots__ == ("_list",)
    assert type(h._list) is list
    assert h._list == [("Content-Type", "text/html"), ("X-Num", "5")]
    assert all(type(item) is tuple for item in h._list)
    assert h._list is not source  # the caller's list is never aliased
    source.append(("Late", "x"))
    assert "Late" not in h


def test_to_wsgi_list_is_the_live_list():
    h = Headers([("A", "1")])
    wsgi = h.to_wsgi_list()
    assert wsgi is h._list
    assert h.to_wsgi_list() is wsgi
    h.add("B", "2")
    h.set("A", "3")
    del h["B"]
    h.setlist("C", ["4", "5"])
    h.remove("C")
    assert wsgi is h.to_wsgi_list() == [("A", "3")]
    h.clear()
    assert wsgi is h.to_wsgi_list() == []


@pytest.mark.parametrize(
    "defaults",
    [
        None,
        [("A", "1"), ["b", 2]],
        {"A": "1", "B": ["2", "3"], "C": ()},
        MultiDict([("A", "1"), ("A", "2")]),
        (("A", "1"),),
    ],
)
def test_construction_matches_werkzeug(defaults):
    ours = Headers(defaults)
    oracle_defaults = defaults
    if isinstance(defaults, MultiDict):
        oracle_defaults = wz.MultiDict(list(defaults.items(multi=True)))
    theirs = wz.Headers(oracle_defaults)
    assert list(ours) == list(theirs)
    assert repr(ours) == repr(theirs)
    assert list(Headers(ours)) == list(theirs)


# -- header injection -----------------------------------------------------------------

BAD_VALUES = ["a\nb", "a\rb", "a\r\nSet-Cookie: x=1", "a\x00b", "\n"]


@pytest.mark.parametrize("bad", BAD_VALUES)
@pytest.mark.parametrize(
    "action",
    [
        lambda h, v: Headers([("X", v)]),
        lambda h, v: Headers({"X": v}),
        lambda h, v: Headers({"X": ["ok", v]}),
        lambda h, v: h.add("X", v),
        lambda h, v: h.add("X", "ok", filename=v),
        lambda h, v: h.add_header("X", v),
        lambda h, v: h.set("X", v),
        lambda h, v: h.setlist("X", ["ok", v]),
        lambda h, v: h.setdefault("New", v),
        lambda h, v: h.setlistdefault("New", [v]),
        lambda h, v: h.__setitem__("X", v),
        lambda h, v: h.__setitem__(0, ("X", v)),
        lambda h, v: h.__setitem__(slice(0, 1), [("X", v)]),
        lambda h, v: h.extend([("X", v)]),
        lambda h, v: h.extend({"X": v}),
        lambda h, v: h.extend(X=v),
        lambda h, v: h.update({"X": v}),
        lambda h, v: h.update([("X", v)]),
        lambda h, v: h.update(X=[v]),
    ],
)
def test_header_injection_is_refused(bad, action):
    h = Headers([("X", "safe")])
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        action(h, bad)
    assert list(h) == [("X", "safe")]


def test_newline_rejection_matches_werkzeug_and_nul_is_stricter():
    for bad in ("a\nb", "a\rb"):
        with pytest.raises(ValueError):
            wz.Headers().add("X", bad)
    wz.Headers().add("X", "a\x00b")  # the oracle lets NUL through ...
    with pytest.raises(ValueError):
        Headers().add("X", "a\x00b")  # ... erlen does not.


def test_non_string_values_are_converted():
    h = Headers()
    h.add("Content-Length", 42)
    h["X-Flag"] = True
    assert h.to_wsgi_list() == [("Content-Length", "42"), ("X-Flag", "True")]
    assert h.get("content-length", type=int) == 42


# -- behaviour, differentially ---------------------------------------------------------

names = st.sampled_from(["A", "a", "B", "Content-Type", "content-type"])
vals = st.sampled_from(["1", "2", "x", "", "text/html"])
pair_lists = st.lists(st.tuples(names, vals), max_size=6)
ops = st.one_of(
    st.tuples(st.just("add"), names, vals),
    st.tuples(st.just("set"), names, vals),
    st.tuples(st.just("setitem"), names, vals),
    st.tuples(st.just("setlist"), names, st.lists(vals, max_size=3)),
    st.tuples(st.just("setdefault"), names, vals),
    st.tuples(st.just("setlistdefault"), names, st.lists(vals, min_size=1, max_size=2)),
    st.tuples(st.just("remove"), names),
    st.tuples(st.just("delitem"), names),
    st.tuples(st.just("del_index"), st.integers(-3, 3)),
    st.tuples(st.just("pop"), names),
    st.tuples(st.just("pop_default"), names),
    st.tuples(st.just("pop_index"), st.integers(-2, 2)),
    st.tuples(st.just("pop_last")),
    st.tuples(st.just("popitem")),
    st.tuples(st.just("extend"), pair_lists),
    st.tuples(st.just("extend_dict"), st.dictionaries(names, st.lists(vals, max_size=2))),
    st.tuples(st.just("update_pairs"), pair_lists),
    st.tuples(st.just("update_dict"), st.dictionaries(names, st.lists(vals, max_size=2))),
    st.tuples(st.just("update_headers"), pair_lists),
    st.tuples(st.just("update_multidict"), pair_lists),
    st.tuples(st.just("ior"), st.dictionaries(names, vals)),
    st.tuples(st.just("or"), st.dictionaries(names, vals)),
    st.tuples(st.just("get"), names),
    st.tuples(st.just("getitem"), names),
    st.tuples(st.just("getitem_index"), st.integers(-3, 3)),
    st.tuples(st.just("slice"), st.integers(-3, 3), st.integers(-3, 3)),
    st.tuples(st.just("set_index"), st.integers(-2, 2), names, vals),
    st.tuples(st.just("getlist"), names),
    st.tuples(st.just("contains"), names),
    st.tuples(st.just("clear")),
)


ERLEN = SimpleNamespace(Headers=Headers, MultiDict=MultiDict)


def apply(h, module, op):
    name, *args = op
    if name == "add":
        return h.add(*args)
    if name == "set":
        return h.set(*args)
    if name == "setitem":
        h[args[0]] = args[1]
        return None
    if name == "setlist":
        return h.setlist(*args)
    if name == "setdefault":
        return h.setdefault(*args)
    if name == "setlistdefault":
        return h.setlistdefault(*args)
    if name == "remove":
        return h.remove(args[0])
    if name in ("delitem", "del_index"):
        del h[args[0]]
        return None
    if name in ("pop", "pop_index"):
        return h.pop(args[0])
    if name == "pop_default":
        return h.pop(args[0], "dflt")
    if name == "pop_last":
        return h.pop()
    if name == "popitem":
        return h.popitem()
    if name in ("extend", "extend_dict", "update_pairs", "update_dict"):
        method = h.extend if name.startswith("extend") else h.update
        return method(args[0])
    if name == "update_headers":
        return h.update(module.Headers(args[0]))
    if name == "update_multidict":
        return h.update(module.MultiDict(args[0]))
    if name == "ior":
        h |= args[0]
        return None
    if name == "or":
        return list(h | args[0])
    if name == "get":
        return (h.get(args[0]), h.get(args[0], "d"), h.get(args[0], type=len))
    if name in ("getitem", "getitem_index"):
        return h[args[0]]
    if name == "slice":
        return list(h[args[0] : args[1]])
    if name == "set_index":
        h[args[0]] = (args[1], args[2])
        return None
    if name == "getlist":
        return (h.getlist(args[0]), h.get_all(args[0]), h.getlist(args[0], type=int))
    if name == "contains":
        return args[0] in h
    if name == "clear":
        return h.clear()
    raise AssertionError(name)


@settings(max_examples=500, deadline=None)
@given(pair_lists, st.lists(ops, max_size=10))
def test_operations_match_werkzeug(initial, operations):
    ours, theirs = Headers(initial), wz.Headers(initial)
    for op in operations:
        assert outcome(lambda op=op: apply(ours, ERLEN, op)) == outcome(
            lambda op=op: apply(theirs, wz, op)
        ), op
        assert list(ours) == list(theirs), op
    assert str(ours) == str(theirs)
    assert repr(ours) == repr(theirs)
    assert list(ours.items(lower=True)) == list(theirs.items(lower=True))
    assert list(ours.keys()) == list(theirs.keys())
    assert list(ours.keys(lower=True)) == list(theirs.keys(lower=True))
    assert list(ours.values()) == list(theirs.values())
    assert len(ours) == len(theirs)


@settings(max_examples=200, deadline=None)
@given(pair_lists, pair_lists)
def test_equality_matches_werkzeug(a, b):
    assert (Headers(a) == Headers(b)) == (wz.Headers(a) == wz.Headers(b))
    assert Headers(a).__eq__(a) is NotImplemented


def test_missing_key_raises_missing_key_error():
    h = Headers([("A", "1")])
    with pytest.raises(MissingKeyError) as info:
        h["B"]
    assert info.value.key == "B"
    with pytest.raises(KeyError):
        h.pop("B")
    with pytest.raises(IndexError):
        h[5]


@pytest.mark.parametrize(
    "options",
    [
        {"filename": "foo.png"},
        {"filename": "a b.txt", "size": 3},
        {"filename_": "x"},
        {"charset": "utf-8", "skip": None},
        {"q": ""},
        {"name": 'with "quotes" and \\'},
        {"filename*": "UTF-8''%e2%82%ac"},
    ],
)
def test_add_with_options_matches_werkzeug(options):
    ours, theirs = Headers(), wz.Headers()
    ours.add("Content-Disposition", "attachment", **options)
    theirs.add("Content-Disposition", "attachment", **options)
    ours.set("X", "v", **options)
    theirs.set("X", "v", **options)
    assert list(ours) == list(theirs)


def test_dump_options_header_matches_werkzeug():
    from werkzeug.http import dump_options_header

    for header, options in [
        ("text/html", {"charset": "utf-8"}),
        (None, {"a": "b c"}),
        ("x", {"k": None, "j": ""}),
        ("x", {"k*": "UTF-8''a%20b"}),
    ]:
        assert _dump_options_header(header, options) == dump_options_header(header, options)


def test_setlist_with_empty_iterator_removes_instead_of_crashing():
    h = Headers([("A", "1")])
    h.setlist("A", iter([]))  # Werkzeug leaks StopIteration here
    assert "A" not in h


def test_setlist_checks_every_value_before_changing_anything():
    h = Headers([("A", "1")])
    with pytest.raises(ValueError):
        h.setlist("A", ["2", "3", "bad\n"])
    assert list(h) == [("A", "1")]


def test_copy_is_independent():
    h = Headers([("A", "1")])
    for clone in (h.copy(), copy.copy(h), copy.deepcopy(h), pickle.loads(pickle.dumps(h))):
        assert clone == h
        clone.add("B", "2")
        assert "B" not in h


def test_str_is_a_header_block():
    assert str(Headers()) == "\r\n"
    assert str(Headers([("A", "1"), ("B", "2")])) == "A: 1\r\nB: 2\r\n\r\n"


# -- EnvironHeaders -------------------------------------------------------------------

ENVIRON = {
    "HTTP_HOST": "example.com",
    "HTTP_X_FORWARDED_FOR": "1.2.3.4",
    "HTTP_ACCEPT": "text/html",
    "CONTENT_TYPE": "application/json",
    "CONTENT_LENGTH": "",
    "HTTP_CONTENT_TYPE": "ignored",
    "HTTP_CONTENT_LENGTH": "ignored",
    "PATH_INFO": "/",
    "wsgi.input": None,
    "HTTP_X_1A_B": "odd",
}


@pytest.mark.parametrize(
    "key",
    [
        "Host",
        "host",
        "X-Forwarded-For",
        "x_forwarded_for",
        "Content-Type",
        "content-length",
        "Accept",
        "Missing",
        "X-1a-B",
        "Http-Content-Type",
        "",
    ],
)
def test_environ_headers_lookups_match_werkzeug(key):
    ours, theirs = EnvironHeaders(ENVIRON), wz.EnvironHeaders(ENVIRON)
    assert ours.get(key) == theirs.get(key)
    assert ours.get(key, "d") == theirs.get(key, "d")
    assert ours.get(key, type=len) == theirs.get(key, type=len)
    assert ours.get(key, "d", type=int) == theirs.get(key, "d", type=int)
    assert (key in ours) == (key in theirs)
    assert outcome(lambda: ours[key]) == outcome(lambda: theirs[key])
    assert ours.getlist(key) == theirs.getlist(key)
    assert ours.get_all(key) == theirs.get_all(key)


def test_environ_headers_iteration_matches_werkzeug():
    ours, theirs = EnvironHeaders(ENVIRON), wz.EnvironHeaders(ENVIRON)
    assert list(ours) == list(theirs)
    assert ("Content-Length", "") not in list(ours)
    assert len(ours) == len(theirs)
    assert list(ours.items()) == list(theirs.items())
    assert list(ours.items(lower=True)) == list(theirs.items(lower=True))
    assert list(ours.keys()) == list(theirs.keys())
    assert list(ours.keys(lower=True)) == list(theirs.keys(lower=True))
    assert list(ours.values()) == list(theirs.values())
    assert ours.to_wsgi_list() == theirs.to_wsgi_list()
    assert str(ours) == str(theirs)
    assert repr(ours) == repr(theirs)
    assert list(Headers(ours)) == list(theirs)


def test_environ_headers_missing_and_odd_keys():
    headers = EnvironHeaders(ENVIRON)
    with pytest.raises(MissingKeyError) as info:
        headers["X-Missing"]
    # Werkzeug raises a plain KeyError('HTTP_X_MISSING'); erlen names the header.
    assert info.value.key == "X-Missing"
    for odd in (0, None, ("a",)):
        with pytest.raises(MissingKeyError):
            headers[odd]
        assert headers.get(odd, "d") == "d"
        assert odd not in headers
    assert headers.get(["unhashable"], "d") == "d"


def test_environ_headers_are_read_only_views():
    environ = dict(ENVIRON)
    headers = EnvironHeaders(environ)
    environ["HTTP_LATE"] = "yes"
    assert headers["Late"] == "yes"
    for mutate in (
        lambda h: h.__setitem__("A", "1"),
        lambda h: h.__delitem__("Host"),
        lambda h: h.add("A", "1"),
        lambda h: h.add_header("A", "1"),
        lambda h: h.set("A", "1"),
        lambda h: h.setlist("A", ["1"]),
        lambda h: h.setdefault("A", "1"),
        lambda h: h.setlistdefault("A", ["1"]),
        lambda h: h.remove("Host"),
        lambda h: h.extend({"A": "1"}),
        lambda h: h.update({"A": "1"}),
        lambda h: h.__ior__({"A": "1"}),
        lambda h: h.pop("Host"),
        lambda h: h.popitem(),
        lambda h: h.insert(0, ("A", "1")),
        lambda h: h.clear(),
        lambda h: h.copy(),
        lambda h: h | {"A": "1"},
        lambda h: copy.copy(h),
    ):
        with pytest.raises(TypeError):
            mutate(headers)
    assert headers["Host"] == "example.com"


def test_environ_headers_equality():
    environ = dict(ENVIRON)
    assert EnvironHeaders(environ) == EnvironHeaders(environ)
    assert EnvironHeaders(environ) != EnvironHeaders(dict(environ))
    assert EnvironHeaders(environ).__eq__(Headers()) is NotImplemented
    assert isinstance(EnvironHeaders(environ), Headers)


def test_environ_headers_name_cache_is_bounded():
    from erlen.http import headers as module

    environ = {f"HTTP_X_{i}": "v" for i in range(5000)}
    list(EnvironHeaders(environ))
    for i in range(5000):
        EnvironHeaders(environ).get(f"X-{i}")
    assert len(module._HEADER_NAMES) <= module._CACHE_LIMIT
    assert len(module._ENVIRON_KEYS) <= module._CACHE_LIMIT
    assert EnvironHeaders(environ)["x-4999"] == "v"


# -- hostile sizes --------------------------------------------------------------------


def test_many_headers_stay_linear():
    n = 100_000
    items = [(f"X-H{i}", "v" * 10) for i in range(n)]
    with hang_guard():
        h = Headers(items)
        assert len(h) == n
        assert h.get("x-h99999") == "v" * 10
        assert h.getlist("X-H5") == ["v" * 10]
        h.remove("X-H0")
        h.set("X-H1", "new")
        assert len(h) == n - 1
        h.extend(items)
        assert len(h.to_wsgi_list()) == 2 * n - 1
        same = Headers([("Set-Cookie", str(i)) for i in range(n)])
        same.set("set-cookie", "one")
        assert same.to_wsgi_list() == [("set-cookie", "one")]
        environ = {f"HTTP_X_{i}": "v" for i in range(n)}
        assert len(EnvironHeaders(environ)) == n


def test_very_long_header_values():
    big = "a" * 5_000_000
    with hang_guard():
        h = Headers([("X-Big", big)])
        h.add("X-Big2", big, filename=big)
        assert h["x-big"] is big or h["x-big"] == big
        with pytest.raises(ValueError):
            h.add("X-Bad", big + "\n")


# -- HeaderSet ------------------------------------------------------------------------


def test_header_set_matches_werkzeug():
    def run(cls):
        calls = []
        hs = cls(["Accept-Encoding", "cookie"], on_update=lambda h: calls.append(h.to_header()))
        hs.add("COOKIE")
        hs.add("User-Agent")
        hs.update(["x", "X", "y"])
        hs.discard("nope")
        hs.remove("y")
        hs[0] = "Accept"
        del hs[1]
        snapshot = (
            list(hs),
            len(hs),
            "accept" in hs,
            "cookie" in hs,
            hs.find("USER-AGENT"),
            hs.index("x"),
            hs.as_set(),
            hs.as_set(preserve_casing=True),
            hs.to_header(),
            str(hs),
            repr(hs),
            bool(hs),
            hs[0],
        )
        hs.clear()
        return snapshot, calls, bool(hs)

    assert run(HeaderSet) == run(wz.HeaderSet)


def test_header_set_errors_and_quoting():
    hs = HeaderSet(["a b", "c"])
    assert hs.to_header() == wz.HeaderSet(["a b", "c"]).to_header() == '"a b", c'
    with pytest.raises(KeyError):
        hs.remove("zz")
    with pytest.raises(IndexError):
        hs.index("zz")
    assert (HeaderSet(["a"]) == HeaderSet(["A"])) is (wz.HeaderSet(["a"]) == wz.HeaderSet(["A"]))


def test_header_set_remove_ignores_case_of_the_stored_spelling():
    hs = HeaderSet(["Accept-Encoding"])
    hs.remove("accept-encoding")
    assert list(hs) == [] and len(hs) == 0
    hs = HeaderSet(["foo"])
    hs.remove("FOO")  # Werkzeug would leave "foo" in the list here
    assert list(hs) == []
