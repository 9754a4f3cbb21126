"""Checks of the harness itself: normalization, exception classification, that a real
difference is reported (with a readable diff) and that registration rules hold. These
run once, against Flask only, so a harness bug cannot hide behind a passing scenario."""

from __future__ import annotations

import base64
import json
import time

import pytest

from . import harness, snapshots
from .harness import (
    Raised,
    Scenario,
    compare,
    get,
    in_app,
    in_request,
    load_framework,
    probe,
    url,
)


@pytest.fixture
def flask_fw():
    return load_framework("flask")


def _scenario(build, *steps):
    return Scenario("inline", build, tuple(steps), {})


def test_allow_header_is_sorted():
    assert snapshots.normalize_allow("POST, GET,OPTIONS , HEAD") == "GET, HEAD, OPTIONS, POST"


def test_set_cookie_expires_from_max_age_is_made_relative():
    now = 1_700_000_000.0
    expires = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 3600))
    value = f"a=b; Expires={expires}; Max-Age=3600; Path=/"
    assert (
        snapshots.normalize_set_cookie(value, now)
        == "a=b; Expires=<now+3600>; Max-Age=3600; Path=/"
    )


def test_set_cookie_fixed_dates_are_kept():
    value = "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"
    assert snapshots.normalize_set_cookie(value) == value


def test_set_cookie_expiry_without_max_age_is_relative_in_minutes():
    now = 1_700_000_000.4
    expires = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 86400))
    assert snapshots.normalize_set_cookie(f"s=1; Expires={expires}", now) == (
        "s=1; Expires=<now+1440 min>"
    )


def test_session_cookie_value_is_decoded():
    payload = base64.urlsafe_b64encode(json.dumps({"user": "ada"}).encode()).rstrip(b"=")
    value = f"session={payload.decode()}.ZzZzZz.signature; HttpOnly; Path=/"
    assert (
        snapshots.normalize_set_cookie(value)
        == "session=<signed {'user': 'ada'}>; HttpOnly; Path=/"
    )


def test_ignored_and_grouped_headers():
    rows = snapshots.snapshot_headers(
        [("Date", "x"), ("X-B", "2"), ("Server", "y"), ("x-a", "1"), ("X-B", "1")]
    )
    assert rows == [("x-a", "1"), ("x-b", "2"), ("x-b", "1")]


def test_exception_kinds(flask_fw):
    from werkzeug.exceptions import NotFound
    from werkzeug.routing import BuildError

    class MyValueError(ValueError):
        pass

    assert snapshots.classify_exception(flask_fw, BuildError("x", {}, None)) == "BuildError"
    assert snapshots.classify_exception(flask_fw, NotFound()) == "HTTPException(404)"
    assert snapshots.classify_exception(flask_fw, MyValueError()) == "ValueError"
    assert Raised("ValueError", "one message") == Raised("ValueError", "another message")
    assert Raised("ValueError") != Raised("TypeError")


def test_equal_is_type_strict():
    assert not snapshots.results_equal({"a": 1}, {"a": True})
    assert not snapshots.results_equal([1], [1.0])
    assert snapshots.results_equal({"a": [1, float("nan")]}, {"a": [1, float("nan")]})


def test_identical_apps_compare_clean(flask_fw):
    def build(fw):
        app = fw.App(__name__)
        app.add_url_rule("/", "index", lambda: "same")
        return app

    sc = _scenario(build, get("/"), in_request(url("index")))
    assert compare(sc, flask_fw, flask_fw) is None


def test_a_difference_is_reported_with_a_diff(flask_fw):
    calls = []

    def build(fw):
        calls.append(1)
        body = "first" if len(calls) == 1 else "second"
        app = fw.App(__name__)
        app.add_url_rule("/", "index", lambda: body)
        app.add_url_rule("/same", "same", lambda: "same")
        return app

    sc = _scenario(build, get("/"), get("/same"))
    report = compare(sc, flask_fw, flask_fw)
    assert report is not None
    assert "1 of 2 comparisons differ" in report
    assert "DIFF  GET /" in report
    assert "ok    GET /same" in report
    assert "-  b'first'" in report
    assert "+  b'second'" in report


def test_exception_versus_value_is_a_difference(flask_fw):
    calls = []

    def build(fw):
        calls.append(1)
        app = fw.App(__name__)
        if len(calls) == 1:
            app.add_url_rule("/", "index", str)
        return app

    sc = _scenario(build, in_request(url("index")))
    report = compare(sc, flask_fw, flask_fw)
    assert report is not None
    assert "raises BuildError" in report
    assert "raised (message not compared)" in report


def test_headers_and_status_text_differences_are_caught(flask_fw):
    calls = []

    def build(fw):
        calls.append(1)
        app = fw.App(__name__)
        first = len(calls) == 1
        app.add_url_rule(
            "/",
            "index",
            lambda: ("x", "299 ONE" if first else "299 TWO", {"X-H": "1" if first else "2"}),
        )
        return app

    report = compare(_scenario(build, get("/")), flask_fw, flask_fw)
    assert report is not None
    assert "299 ONE" in report and "299 TWO" in report
    assert "x-h: 1" in report and "x-h: 2" in report


def test_probe_failure_inside_context_entry_keeps_counts(flask_fw):
    def build(fw):
        return fw.App(__name__)

    step = in_request(probe("a", lambda fw: 1), probe("b", lambda fw: 2), base_url=object())
    results = _scenario(build, step).run(flask_fw)
    assert len(results) == 2
    assert all(isinstance(value, Raised) for _, value in results)


def test_registration_rules():
    with pytest.raises(ValueError, match="pytest would collect"):
        harness.scenario(get("/"), module="x")(_named("test_thing"))
    with pytest.raises(ValueError, match="duplicate"):
        harness.scenario(get("/"), module="harness_test_dupes")(_named("one"))
        harness.scenario(get("/"), module="harness_test_dupes")(_named("one"))
    with pytest.raises(ValueError, match="at least one step"):
        harness.scenario()


def _named(name):
    def build(fw):
        return fw.App(__name__)

    build.__name__ = name
    return build


def test_unknown_framework_name():
    with pytest.raises(ValueError):
        harness.Framework("bottle")


def test_missing_names_fail_lazily_and_clearly(flask_fw):
    with pytest.raises(AttributeError, match="does not provide fw.no_such_name"):
        flask_fw.no_such_name  # noqa: B018


def test_every_module_registers_scenarios():
    harness._import_test_modules()
    counts = {module: len(items) for module, items in harness.all_scenarios().items()}
    scenario_modules = [m for m in counts if m.startswith("tests.differential.test_")]
    assert len(scenario_modules) >= 10
    assert all(counts[m] > 0 for m in scenario_modules)
    total = sum(sc.comparisons for m in scenario_modules for sc in harness.all_scenarios()[m])
    assert total >= 500


def test_self_check_runs_every_scenario_twice_without_difference(flask_fw):
    """The oracle against itself: any difference is nondeterminism or a harness bug."""
    harness._import_test_modules()
    failures = []
    for module, items in harness.all_scenarios().items():
        if not module.startswith("tests.differential.test_"):
            continue
        for sc in items:
            report = compare(sc, flask_fw, flask_fw)
            if report is not None:
                failures.append(report)
    assert not failures, "\n\n".join(failures)


def test_app_context_probe(flask_fw):
    def build(fw):
        app = fw.App(__name__)
        app.config["SERVER_NAME"] = "example.com"
        app.add_url_rule("/", "index", str)
        return app

    results = _scenario(build, in_app(url("index"))).run(flask_fw)
    assert results == [("app_context(): url_for('index')", "http://example.com/")]
