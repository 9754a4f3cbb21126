"""MultiDict and friends, checked against werkzeug.datastructures as the oracle."""

from __future__ import annotations

import copy
import pickle
import signal
from contextlib import contextmanager

import pytest
import werkzeug.datastructures as wz
from hypothesis import given, settings
from hypothesis import strategies as st

from erlen.http import multidict as md
from erlen.http.multidict import (
    CallbackDict,
    CombinedMultiDict,
    ImmutableDict,
    ImmutableList,
    ImmutableMultiDict,
    ImmutableTypeConversionDict,
    MissingKeyError,
    MultiDict,
    TypeConversionDict,
    iter_multi_items,
)


def outcome(fn):
    """Run ``fn`` and describe the result so erlen and Werkzeug can be compared."""
    try:
        return ("ok", fn())
    except KeyError:
        return ("KeyError",)
    except (TypeError, ValueError, IndexError) as e:
        return (type(e).__name__,)


@contextmanager
def hang_guard(seconds: int = 30):
    """Fail a test that runs away (e.g. quadratic on hostile input) instead of hanging."""

    def on_alarm(signum, frame):
        raise AssertionError(f"did not finish within {seconds}s: not linear?")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def state(d):
    return list(d.items(multi=True))


# -- construction ---------------------------------------------------------------------

CONSTRUCTOR_INPUTS = [
    None,
    [],
    [("a", "1"), ("b", "2"), ("a", "3")],
    {"a": "1", "b": ["2", "3"], "c": (), "d": ("4",), "e": {"5"}},
    {"x": []},
    iter([("k", 1), ("k", 2)]),
]


@pytest.mark.parametrize("cls_name", ["MultiDict", "ImmutableMultiDict"])
@pytest.mark.parametrize("source", range(len(CONSTRUCTOR_INPUTS)))
def test_construction_matches_werkzeug(cls_name, source):
    def make(module):
        data = CONSTRUCTOR_INPUTS[source]
        if isinstance(data, type(iter([]))):
            data = iter([("k", 1), ("k", 2)])
        return getattr(module, cls_name)(data)

    ours, theirs = make(md), make(wz)
    assert state(ours) == state(theirs)
    assert repr(ours) == repr(theirs)
    assert ours.to_dict(flat=False) == theirs.to_dict(flat=False)


def test_construction_from_multidicts_copies_lists():
    source = MultiDict([("a", 1), ("a", 2)])
    copied = MultiDict(source)
    copied.add("a", 3)
    assert source.getlist("a") == [1, 2]
    assert MultiDict(ImmutableMultiDict(source)).getlist("a") == [1, 2]
    combined = CombinedMultiDict([source, MultiDict({"a": 9, "b": 8})])
    assert MultiDict(combined).to_dict(flat=False) == {"a": [1, 2, 9], "b": [8]}


def test_signatures():
    import inspect

    assert list(inspect.signature(MultiDict).parameters) == ["mapping"]
    assert list(inspect.signature(ImmutableMultiDict).parameters) == ["mapping"]
    assert list(inspect.signature(MultiDict.get).parameters) == ["self", "key", "default", "type"]
    assert list(inspect.signature(MultiDict.getlist).parameters) == ["self", "key", "type"]
    assert list(inspect.signature(MultiDict.to_dict).parameters) == ["self", "flat"]
    assert list(inspect.signature(CombinedMultiDict).parameters) == ["dicts"]
    assert list(inspect.signature(CallbackDict).parameters) == ["initial", "on_update"]


# -- the common read API --------------------------------------------------------------


def test_read_api_matches_werkzeug():
    pairs = [("a", "1"), ("b", "x"), ("a", "2"), ("c", "3.5")]
    ours, theirs = MultiDict(pairs), wz.MultiDict(pairs)
    assert ours["a"] == theirs["a"] == "1"
    assert ours.get("a", type=int) == theirs.get("a", type=int) == 1
    assert ours.get("b", -1, type=int) == theirs.get("b", -1, type=int) == -1
    assert ours.get("zz", "d") == theirs.get("zz", "d") == "d"
    assert ours.get("a", type=lambda v: None + 1) is None  # TypeError -> default
    assert ours.getlist("a") == theirs.getlist("a") == ["1", "2"]
    assert ours.getlist("a", type=int) == theirs.getlist("a", type=int)
    assert ours.getlist("b", type=int) == theirs.getlist("b", type=int) == []
    assert ours.getlist("missing") == []
    assert list(ours.items()) == list(theirs.items())
    assert list(ours.items(multi=True)) == list(theirs.items(multi=True))
    assert list(ours.values()) == list(theirs.values())
    assert list(ours.lists()) == list(theirs.lists())
    assert list(ours.listvalues()) == list(theirs.listvalues())
    assert list(ours.keys()) == list(theirs.keys())
    assert list(ours) == list(theirs)
    assert ours.to_dict() == theirs.to_dict()
    assert ours.to_dict(flat=False) == theirs.to_dict(flat=False)
    assert dict(ours) == dict(theirs) == {"a": "1", "b": "x", "c": "3.5"}
    assert {**ours} == {**theirs}
    assert len(ours) == len(theirs)
    assert ("a" in ours) is ("a" in theirs) is True


def test_getlist_returns_a_copy_and_setlistdefault_the_live_list():
    d = MultiDict({"foo": 1})
    d.getlist("foo").append(2)
    assert d.getlist("foo") == [1]
    d.setlistdefault("foo").extend([2, 3])
    d.setlistdefault("new", ("x",)).append("y")
    assert d.getlist("foo") == [1, 2, 3]
    assert d.getlist("new") == ["x", "y"]


def test_dict_get_is_the_raw_value_list():
    d = MultiDict([("a", 1), ("a", 2)])
    assert dict.get(d, "a") == [1, 2]
    assert dict.get(d, "missing") is None


def test_missing_key_error():
    d = MultiDict()
    with pytest.raises(MissingKeyError) as info:
        d["nope"]
    assert isinstance(info.value, KeyError)
    assert info.value.key == "nope"
    assert info.value.args == ("nope",)
    with pytest.raises(MissingKeyError):
        d.pop("nope")
    with pytest.raises(MissingKeyError):
        d.popitem()
    with pytest.raises(MissingKeyError):
        d.popitemlist()
    with pytest.raises(MissingKeyError):
        CombinedMultiDict([d])["nope"]
    restored = pickle.loads(pickle.dumps(info.value))
    assert isinstance(restored, MissingKeyError) and restored.key == "nope"


def test_empty_value_list_behaves_like_werkzeug():
    ours, theirs = MultiDict(), wz.MultiDict()
    for d in (ours, theirs):
        d.setlist("x", [])
    assert outcome(lambda: ours["x"]) == outcome(lambda: theirs["x"]) == ("KeyError",)
    assert ours.get("x", "d") == theirs.get("x", "d") == "d"
    assert ("x" in ours) is ("x" in theirs) is True
    assert ours.pop("x", "d") == "d"
    ours.setlist("y", [])
    with pytest.raises(MissingKeyError):
        ours.popitem()
    # Unlike Werkzeug, a dict holding an empty list still pickles.
    e = MultiDict()
    e.setlist("x", [])
    assert pickle.loads(pickle.dumps(e)).to_dict(flat=False) == {"x": []}


# -- mutation, differentially ---------------------------------------------------------

keys = st.sampled_from(["a", "b", "c", "A"])
values = st.one_of(st.sampled_from(["1", "2", "x", ""]), st.integers(-3, 3))
pairs_lists = st.lists(st.tuples(keys, values), max_size=6)

operations = st.one_of(
    st.tuples(st.just("add"), keys, values),
    st.tuples(st.just("setitem"), keys, values),
    st.tuples(st.just("setlist"), keys, st.lists(values, max_size=3)),
    st.tuples(st.just("setdefault"), keys, values),
    st.tuples(st.just("setlistdefault"), keys, st.lists(values, max_size=3)),
    st.tuples(st.just("pop"), keys),
    st.tuples(st.just("pop_default"), keys, values),
    st.tuples(st.just("poplist"), keys),
    st.tuples(st.just("popitem")),
    st.tuples(st.just("popitemlist")),
    st.tuples(st.just("delitem"), keys),
    st.tuples(st.just("update_pairs"), pairs_lists),
    st.tuples(st.just("update_dict"), st.dictionaries(keys, st.lists(values, max_size=2))),
    st.tuples(st.just("ior"), pairs_lists),
    st.tuples(st.just("or"), st.dictionaries(keys, values)),
    st.tuples(st.just("getitem"), keys),
    st.tuples(st.just("get_int"), keys),
    st.tuples(st.just("getlist_int"), keys),
    st.tuples(st.just("clear")),
)


def apply(d, module, op):
    name, *args = op
    if name == "add":
        return d.add(*args)
    if name == "setitem":
        d[args[0]] = args[1]
        return None
    if name == "setlist":
        return d.setlist(*args)
    if name == "setdefault":
        return d.setdefault(*args)
    if name == "setlistdefault":
        return list(d.setlistdefault(*args))
    if name == "pop":
        return d.pop(args[0])
    if name == "pop_default":
        return d.pop(*args)
    if name == "poplist":
        return d.poplist(args[0])
    if name == "popitem":
        return d.popitem()
    if name == "popitemlist":
        return d.popitemlist()
    if name == "delitem":
        del d[args[0]]
        return None
    if name == "update_pairs":
        return d.update(args[0])
    if name == "update_dict":
        return d.update(args[0])
    if name == "ior":
        d |= args[0]
        return None
    if name == "or":
        return state(d | args[0])
    if name == "getitem":
        return d[args[0]]
    if name == "get_int":
        return d.get(args[0], "default", type=int)
    if name == "getlist_int":
        return d.getlist(args[0], type=int)
    if name == "clear":
        return d.clear()
    raise AssertionError(name)


@settings(max_examples=400, deadline=None)
@given(pairs_lists, st.lists(operations, max_size=12))
def test_mutations_match_werkzeug(initial, ops):
    ours, theirs = MultiDict(initial), wz.MultiDict(initial)
    for op in ops:
        assert outcome(lambda op=op: apply(ours, md, op)) == outcome(
            lambda op=op: apply(theirs, wz, op)
        ), op
        assert ours.to_dict(flat=False) == theirs.to_dict(flat=False)
        assert list(ours.keys()) == list(theirs.keys())
    assert outcome(lambda: repr(ours)) == outcome(lambda: repr(theirs))


@settings(max_examples=200, deadline=None)
@given(pairs_lists)
def test_copies_and_pickles_round_trip(initial):
    d = MultiDict(initial)
    for clone in (d.copy(), copy.copy(d), copy.deepcopy(d), d.deepcopy()):
        assert clone == d and clone is not d and type(clone) is MultiDict
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        restored = pickle.loads(pickle.dumps(d, protocol))
        assert type(restored) is MultiDict and state(restored) == state(d)
        frozen = ImmutableMultiDict(d)
        restored_frozen = pickle.loads(pickle.dumps(frozen, protocol))
        assert type(restored_frozen) is ImmutableMultiDict
        assert state(restored_frozen) == state(frozen)


def test_deepcopy_copies_values():
    d = MultiDict([("a", [1])])
    clone = copy.deepcopy(d)
    clone["a"].append(2)
    assert d["a"] == [1]


def test_update_adds_instead_of_replacing():
    ours = MultiDict({"x": 1})
    theirs = wz.MultiDict({"x": 1})
    ours.update(MultiDict({"x": 2, "y": 3}))
    theirs.update(wz.MultiDict({"x": 2, "y": 3}))
    assert state(ours) == state(theirs) == [("x", 1), ("x", 2), ("y", 3)]
    ours.update({"empty": []})
    assert "empty" not in ours


def test_or_operators():
    d = MultiDict({"a": 1})
    assert state(d | {"a": 2}) == [("a", 1), ("a", 2)]
    assert state(d) == [("a", 1)]
    assert d.__or__([("a", 2)]) is NotImplemented
    d |= [("b", 3)]
    assert state(d) == [("a", 1), ("b", 3)]
    assert d.__ior__(5) is NotImplemented


def test_fromkeys_matches_werkzeug():
    assert repr(MultiDict.fromkeys(["a", "b"], 1)) == repr(wz.MultiDict.fromkeys(["a", "b"], 1))
    assert repr(ImmutableMultiDict.fromkeys(["a"], 2)) == repr(
        wz.ImmutableMultiDict.fromkeys(["a"], 2)
    )
    with pytest.raises(TypeError):
        CombinedMultiDict.fromkeys(["a"])


# -- immutable variants ---------------------------------------------------------------

MUTATORS = [
    lambda d: d.__setitem__("a", 1),
    lambda d: d.__delitem__("a"),
    lambda d: d.add("a", 1),
    lambda d: d.setlist("a", [1]),
    lambda d: d.setdefault("a", 1),
    lambda d: d.setlistdefault("a"),
    lambda d: d.pop("a"),
    lambda d: d.popitem(),
    lambda d: d.poplist("a"),
    lambda d: d.popitemlist(),
    lambda d: d.update({"a": 1}),
    lambda d: d.clear(),
    lambda d: d.__ior__({"a": 1}),
]


@pytest.mark.parametrize("mutate", MUTATORS)
@pytest.mark.parametrize(
    "make",
    [
        lambda: ImmutableMultiDict([("a", 1)]),
        lambda: CombinedMultiDict([MultiDict([("a", 1)])]),
    ],
)
def test_immutable_multidicts_refuse_changes(make, mutate):
    d = make()
    with pytest.raises(TypeError, match="immutable"):
        mutate(d)
    assert d["a"] == 1


def test_immutable_multidict_is_hashable_and_copies_mutably():
    a = ImmutableMultiDict([("a", 1), ("a", 2)])
    b = ImmutableMultiDict([("a", 1), ("a", 2)])
    assert hash(a) == hash(b) == hash(wz.ImmutableMultiDict([("a", 1), ("a", 2)]))
    assert copy.copy(a) is a
    mutable = a.copy()
    assert type(mutable) is MultiDict
    mutable.add("a", 3)
    assert a.getlist("a") == [1, 2]
    assert type(a | {"b": 1}) is MultiDict


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.ImmutableDict({"a": 1}),
        lambda m: m.ImmutableTypeConversionDict({"a": "1"}),
    ],
)
def test_immutable_dicts(make):
    ours, theirs = make(md), make(wz)
    assert repr(ours) == repr(theirs)
    assert hash(ours) == hash(theirs)
    assert copy.copy(ours) is ours
    assert type(ours.copy()).__name__ == type(theirs.copy()).__name__
    assert dict(ours.copy()) == dict(theirs.copy())
    for mutate in (
        lambda d: d.__setitem__("a", 1),
        lambda d: d.__delitem__("a"),
        lambda d: d.setdefault("b", 1),
        lambda d: d.update({}),
        lambda d: d.pop("a"),
        lambda d: d.popitem(),
        lambda d: d.clear(),
        lambda d: d.__ior__({}),
    ):
        with pytest.raises(TypeError):
            mutate(ours)
    assert pickle.loads(pickle.dumps(ours)) == ours


def test_immutable_type_conversion_dict_get():
    d = ImmutableTypeConversionDict({"a": "1", "b": "x"})
    assert d.get("a", type=int) == 1
    assert d.get("b", -1, type=int) == -1
    assert type(d.copy()) is TypeConversionDict
    assert ImmutableDict.fromkeys(["k"], 0) == {"k": 0}
    assert type(ImmutableDict({"a": 1}).copy()) is dict


def test_immutable_list():
    ours, theirs = ImmutableList([1, 2]), wz.ImmutableList([1, 2])
    assert repr(ours) == repr(theirs) == "ImmutableList([1, 2])"
    assert hash(ours) == hash(theirs)
    for mutate in (
        lambda x: x.append(3),
        lambda x: x.extend([3]),
        lambda x: x.insert(0, 3),
        lambda x: x.remove(1),
        lambda x: x.pop(),
        lambda x: x.reverse(),
        lambda x: x.sort(),
        lambda x: x.__setitem__(0, 3),
        lambda x: x.__delitem__(0),
        lambda x: x.__iadd__([3]),
        lambda x: x.__imul__(2),
        lambda x: x.clear(),  # Werkzeug forgets this one
    ):
        with pytest.raises(TypeError):
            mutate(ours)
    assert ours == [1, 2]
    assert pickle.loads(pickle.dumps(ours)) == ours


# -- TypeConversionDict, CallbackDict, iter_multi_items -------------------------------


def test_type_conversion_dict():
    ours = TypeConversionDict(foo="42", bar="blub")
    theirs = wz.TypeConversionDict(foo="42", bar="blub")
    for args, kwargs in [
        (("foo",), {"type": int}),
        (("bar", -1), {"type": int}),
        (("missing",), {}),
        (("bar",), {"type": lambda v: v + 1}),
    ]:
        assert ours.get(*args, **kwargs) == theirs.get(*args, **kwargs)


def test_callback_dict_calls_like_werkzeug():
    def run(cls):
        calls = []
        d = cls({"a": 1}, lambda d: calls.append(dict(d)))
        d["b"] = 2
        d.setdefault("b", 5)
        d.setdefault("c", 3)
        d.pop("zz", None)
        d.pop("c")
        del d["b"]
        d.update({"x": 1})
        d.update(y=2)
        d |= {"z": 3}
        d.popitem()
        d.clear()
        return calls, repr(cls({"a": 1}))

    assert run(CallbackDict) == run(wz.CallbackDict)


def test_callback_dict_without_callback():
    d = CallbackDict()
    d["a"] = 1
    assert d == {"a": 1}
    assert repr(d) == "<CallbackDict {'a': 1}>"


@pytest.mark.parametrize(
    "source",
    [
        [("a", 1), ("a", 2)],
        {"a": [1, 2], "b": 3, "c": (4,), "d": set()},
    ],
)
def test_iter_multi_items(source):
    assert list(iter_multi_items(source)) == list(wz.iter_multi_items(source))
    assert list(iter_multi_items(MultiDict(source))) == list(
        wz.iter_multi_items(wz.MultiDict(source))
    )


# -- CombinedMultiDict ----------------------------------------------------------------


def test_combined_multidict_matches_werkzeug():
    def build(m):
        a = m.MultiDict([("a", "1"), ("b", "x"), ("a", "2")])
        b = m.MultiDict([("a", "3"), ("c", "4"), ("b", "5")])
        return m.CombinedMultiDict([a, b])

    ours, theirs = build(md), build(wz)
    assert ours["a"] == theirs["a"]
    assert ours.get("b", type=int) == theirs.get("b", type=int) == 5  # skips unconvertible
    assert ours.get("nope", "d") == theirs.get("nope", "d")
    assert ours.getlist("a") == theirs.getlist("a")
    assert ours.getlist("a", type=int) == theirs.getlist("a", type=int)
    assert ours.keys() == theirs.keys()
    assert sorted(ours) == sorted(theirs)
    assert list(ours.items()) == list(theirs.items())
    assert list(ours.items(multi=True)) == list(theirs.items(multi=True))
    assert list(ours.values()) == list(theirs.values())
    assert list(ours.lists()) == list(theirs.lists())
    assert list(ours.listvalues()) == list(theirs.listvalues())
    assert ours.to_dict() == theirs.to_dict()
    assert ours.to_dict(flat=False) == theirs.to_dict(flat=False)
    assert len(ours) == len(theirs)
    assert ("c" in ours) and ("zz" not in ours)
    assert dict(ours) == dict(theirs)
    assert state(ours.copy()) == state(theirs.copy())
    assert type(ours.copy()) is MultiDict
    assert repr(ours) == repr(theirs)
    assert hash(ours) == hash(theirs)


def test_combined_multidict_sees_later_changes_and_pickles():
    a = MultiDict()
    combined = CombinedMultiDict([a])
    a.add("k", "v")
    assert combined["k"] == "v"
    restored = pickle.loads(pickle.dumps(combined))
    assert restored.dicts == [a]


def test_combined_multidict_deepcopy_copies_the_wrapped_dicts():
    a = MultiDict([("k", ["v"])])
    clone = copy.deepcopy(CombinedMultiDict([a]))
    assert type(clone) is CombinedMultiDict
    clone["k"].append("w")
    assert a["k"] == ["v"]
    assert clone.getlist("k") == [["v", "w"]]


class _MyMultiDict(MultiDict):
    pass


def test_multidict_subclass_keeps_class_on_copy():
    My = _MyMultiDict
    d = My([("a", 1)])
    assert type(d.copy()) is My
    assert type(copy.deepcopy(d)) is My
    assert type(pickle.loads(pickle.dumps(d))) is My


# -- hostile sizes --------------------------------------------------------------------


def test_many_items_stay_linear():
    n = 200_000
    pairs = [(f"k{i % 50_000}", str(i)) for i in range(n)]
    with hang_guard():
        d = MultiDict(pairs)
        assert len(d) == 50_000
        assert d.getlist("k0") == ["0", "50000", "100000", "150000"]
        d.update(pairs)
        assert len(d.getlist("k1")) == 8
        frozen = ImmutableMultiDict(d)
        assert sum(1 for _ in frozen.items(multi=True)) == 2 * n
        assert len(frozen.to_dict()) == 50_000
        same_key = MultiDict([("k", i) for i in range(n)])
        assert len(same_key.getlist("k")) == n
        assert len(pickle.loads(pickle.dumps(same_key)).getlist("k")) == n


# -- the public module ----------------------------------------------------------------


def test_erlen_datastructures_exports_what_werkzeug_does():
    import erlen.datastructures as public

    werkzeug_names = {name for name in dir(wz) if not name.startswith("_") and name[0].isupper()}
    werkzeug_names |= {"iter_multi_items"}
    assert werkzeug_names - set(public.__all__) == set()
    for name in public.__all__:
        assert getattr(public, name) is not None
    assert public.MissingKeyError is MissingKeyError


def test_http_modules_do_not_import_werkzeug_or_upper_layers():
    import ast
    from pathlib import Path

    import erlen.http

    root = Path(erlen.http.__file__).parent
    mine = ["multidict", "headers", "files", "accept", "cache_control", "etags", "ranges", "auth"]
    for name in mine:
        tree = ast.parse((root / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [("." * node.level) + (node.module or "")]
            else:
                continue
            for module in modules:
                assert not module.startswith(("werkzeug", "flask", "erlen")), (name, module)
                if module.startswith(".."):
                    raise AssertionError(f"{name} reaches outside erlen.http: {module}")
