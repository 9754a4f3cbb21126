"""Context proxies (``request``, ``g``, ``session``, ``current_app``) built by
``erlen.local.make_proxy``, in both implementations: the C base
``erlen._speedups.ContextProxy`` and the generated pure-Python methods it replaces.

Every test runs on both, and ``test_both_implementations_observe_the_same`` replays
one script of operations on each and compares everything it saw, exceptions included.
"""

from __future__ import annotations

import contextvars
import gc
import os
import threading
import tracemalloc

import pytest

import erlen.local as local
from erlen import Erlen, current_app, g, request, session
from erlen.local import LocalProxy, make_proxy

try:
    from erlen._speedups import ContextProxy
except ImportError:  # pragma: no cover - the build had no C compiler
    if os.environ.get("ERLEN_REQUIRE_EXTENSIONS"):
        raise
    ContextProxy = None

IMPLEMENTATIONS = ["python"] + (["c"] if ContextProxy is not None else [])
UNBOUND = "Working outside of the test context."


class Target:
    """An object to proxy: attributes, item access, arithmetic, calls, iteration."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items = {"a": 1}

    def greet(self, who: str) -> str:
        return f"{self.name} greets {who}"

    def __getitem__(self, key: str) -> int:
        return self.items[key]

    def __setitem__(self, key: str, value: int) -> None:
        self.items[key] = value

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __add__(self, other: int) -> str:
        return f"{self.name}+{other}"

    def __call__(self, *args: int) -> int:
        return sum(args)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Target) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __str__(self) -> str:
        return f"Target {self.name}"

    def __repr__(self) -> str:
        return f"<Target {self.name}>"


class Holder:
    """What a context variable holds when the proxy is to one of its attributes."""

    def __init__(self, target: Target) -> None:
        self.target = target


@pytest.fixture(params=IMPLEMENTATIONS)
def implementation(request, monkeypatch):
    if request.param == "python":
        monkeypatch.setattr(local, "_ContextProxy", None)
    else:
        monkeypatch.setattr(local, "_ContextProxy", ContextProxy)
    return request.param


def build(attribute: str | None = None):
    var: contextvars.ContextVar = contextvars.ContextVar("erlen_test_proxy")
    proxy = make_proxy(var, attribute, UNBOUND, "test_proxy")
    return var, proxy


def test_the_implementation_in_use(implementation):
    _, proxy = build()
    assert isinstance(proxy, ContextProxy) is (implementation == "c")
    assert isinstance(proxy, LocalProxy)


def test_the_global_proxies_use_the_c_base_unless_turned_off():
    for proxy in (request, g, session, current_app):
        uses_c = ContextProxy is not None and not os.environ.get("ERLEN_NO_EXTENSIONS")
        assert (ContextProxy is not None and isinstance(proxy, ContextProxy)) is uses_c


@pytest.mark.parametrize("attribute", [None, "target"])
def test_attributes_are_read_written_and_deleted_on_the_current_object(implementation, attribute):
    var, proxy = build(attribute)
    target = Target("one")
    token = var.set(target if attribute is None else Holder(target))
    try:
        assert proxy.name == "one"
        assert proxy.greet("you") == "one greets you"
        proxy.colour = "blue"
        assert target.colour == "blue"
        del proxy.colour
        assert not hasattr(target, "colour")
        with pytest.raises(AttributeError, match="colour"):
            proxy.colour  # noqa: B018
        with pytest.raises(AttributeError):
            del proxy.colour
        assert proxy.__dict__ is target.__dict__
        assert proxy.__class__ is Target
        assert isinstance(proxy, Target) and isinstance(proxy, LocalProxy)
        assert proxy._get_current_object() is target
    finally:
        var.reset(token)


def test_operators_and_protocols_reach_the_current_object(implementation):
    var, proxy = build()
    token = var.set(Target("two"))
    try:
        assert proxy["a"] == 1
        proxy["b"] = 2
        assert len(proxy) == 2 and list(proxy) == ["a", "b"]
        assert proxy + 3 == "two+3"
        assert proxy(1, 2, 3) == 6
        assert proxy == Target("two") and hash(proxy) == hash("two")
        assert str(proxy) == "Target two" and repr(proxy) == "<Target two>"
        assert f"{proxy}|{proxy!s:>12}|{proxy!r}" == "Target two|  Target two|<Target two>"
        assert format(proxy, "") == "Target two"
        assert bool(proxy)
    finally:
        var.reset(token)


def test_unbound_proxies_raise_the_message_but_know_their_class(implementation):
    _, proxy = build("target")
    with pytest.raises(RuntimeError, match="outside of the test context") as caught:
        proxy.name  # noqa: B018
    assert caught.value.__suppress_context__ or caught.value.__context__ is None
    with pytest.raises(RuntimeError, match="outside of the test context"):
        proxy.name = "x"
    with pytest.raises(RuntimeError, match="outside of the test context"):
        del proxy.name
    with pytest.raises(RuntimeError, match="outside of the test context"):
        proxy._get_current_object()
    assert proxy.__class__ is type(proxy)
    assert isinstance(proxy, LocalProxy) and not isinstance(proxy, Target)
    assert not bool(proxy)
    assert repr(proxy) == "<test_proxy unbound>"


def test_a_missing_attribute_of_the_context_is_an_attribute_error(implementation):
    var, proxy = build("target")
    token = var.set(object())
    try:
        with pytest.raises(AttributeError, match="target"):
            proxy.name  # noqa: B018
    finally:
        var.reset(token)


def test_a_target_with_its_own_get_current_object_answers_it(implementation):
    class Wrapper:
        def _get_current_object(self) -> str:
            return "the target's own"

    var, proxy = build()
    token = var.set(Wrapper())
    try:
        assert proxy._get_current_object() == "the target's own"
    finally:
        var.reset(token)


def test_each_context_and_thread_sees_its_own_object(implementation):
    var, proxy = build()
    var.set(Target("main"))  # in a copied context below, so nothing leaks out

    def in_context(name: str) -> str:
        var.set(Target(name))
        return proxy.name

    assert contextvars.copy_context().run(in_context, "copied") == "copied"
    seen: list[str] = []

    def in_thread() -> None:
        try:
            proxy.name  # noqa: B018
        except RuntimeError:
            seen.append("unbound")
        seen.append(contextvars.copy_context().run(in_context, "thread"))

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert seen == ["unbound", "thread"]
    assert proxy.name == "main"


def observe(proxy, var) -> list[object]:
    """Run one script of operations against a proxy and record what each gave."""
    seen: list[object] = []

    def attempt(label: str, operation) -> None:
        try:
            seen.append((label, "ok", operation()))
        except Exception as error:  # the exception type and message are the observation
            seen.append((label, type(error).__name__, str(error)))

    target = Target("three")
    attempt("unbound get", lambda: proxy.name)
    attempt("unbound class", lambda: proxy.__class__.__name__)
    attempt("unbound set", lambda: setattr(proxy, "x", 1))
    attempt("unbound hasattr", lambda: hasattr(proxy, "name"))
    attempt("unbound bool", lambda: bool(proxy))
    attempt("unbound repr", lambda: repr(proxy))
    attempt("unbound getattr default", lambda: getattr(proxy, "name", "default"))
    token = var.set(Holder(target))
    attempt("get", lambda: proxy.name)
    attempt("missing", lambda: proxy.missing)
    attempt("getattr default", lambda: getattr(proxy, "missing", "default"))
    attempt("set", lambda: setattr(proxy, "x", 1))
    attempt("set seen", lambda: target.x)
    attempt("delete", lambda: delattr(proxy, "x"))
    attempt("delete again", lambda: delattr(proxy, "x"))
    attempt("class", lambda: proxy.__class__.__name__)
    attempt("current", lambda: proxy._get_current_object() is target)
    attempt("dir", lambda: "greet" in dir(proxy))
    attempt("item", lambda: proxy["a"])
    attempt("missing item", lambda: proxy["zz"])
    attempt("call", lambda: proxy(4, 5))
    attempt("method", lambda: proxy.greet("me"))
    attempt("non-str attribute", lambda: getattr(proxy, 3))
    var.reset(token)
    token = var.set(object())
    attempt("context without the attribute", lambda: proxy.name)
    var.reset(token)
    return seen


def test_both_implementations_observe_the_same(monkeypatch):
    if ContextProxy is None:
        pytest.skip("erlen._speedups is not built")
    observations = []
    for implementation in (None, ContextProxy):
        monkeypatch.setattr(local, "_ContextProxy", implementation)
        var, proxy = build("target")
        observations.append(observe(proxy, var))
    assert observations[0] == observations[1]
    assert len(observations[0]) == 23


def test_proxies_work_in_an_app(implementation):
    # The module proxies were made at import; make fresh ones over the same variables.
    from erlen.globals import _cv_app, _cv_request

    my_request = make_proxy(_cv_request, "request", "no request", "my_request")
    my_g = make_proxy(_cv_app, "g", "no app", "my_g")
    app = Erlen(__name__)

    @app.get("/")
    def index():
        my_g.user = my_request.args.get("user", "nobody")
        return f"{g.user} {my_request.method} {my_request.path}"

    assert app.test_client().get("/?user=ada").text == "ada GET /"


def test_str_and_format_of_the_global_proxies():
    # They once raised TypeError: the forwarders took the operator module's own
    # inherited __str__ and __format__ for operator functions.
    app = Erlen("proxied")
    with app.test_request_context("/page?a=1"):
        current = request._get_current_object()
        assert str(request) == str(current) == "<Request 'http://localhost/page?a=1' [GET]>"
        assert f"{request}" == str(current)
        assert f"{g}" == str(g._get_current_object()) == "<erlen.g of 'proxied'>"
        assert f"{current_app!s:.6}" == "<Erlen"


def test_c_base_checks_its_arguments():
    if ContextProxy is None:
        pytest.skip("erlen._speedups is not built")
    var: contextvars.ContextVar = contextvars.ContextVar("v")
    with pytest.raises(TypeError):
        ContextProxy("not a variable", None, "message", lambda: None)
    with pytest.raises(TypeError, match="attribute must be a str or None"):
        ContextProxy(var, 3, "message", lambda: None)
    with pytest.raises(TypeError):
        ContextProxy(var, None, b"not text", lambda: None)


def test_c_proxies_are_freed():
    if ContextProxy is None:
        pytest.skip("erlen._speedups is not built")
    var: contextvars.ContextVar = contextvars.ContextVar("v")
    cls = type("freed_proxy", (ContextProxy, LocalProxy), {"__slots__": ()})

    def make_and_drop() -> None:
        proxy = cls(var, "target", "message", lambda: None)
        with pytest.raises(RuntimeError):
            proxy.cycle = None  # unbound: exercises the error path too

    make_and_drop()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(2000):
            make_and_drop()
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before < 50_000
