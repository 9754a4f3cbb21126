"""``erlen routes`` (output compared with ``flask routes`` for the same app) and
``erlen shell``."""

from __future__ import annotations

import code
import sys

import flask
import flask.cli
import pytest
from click.testing import CliRunner

import erlen
from erlen.cli import ScriptInfo, routes_command, shell_command
from erlen.commands import cli

# -- erlen routes -------------------------------------------------------------------------


def _view():
    return "ok"


def build_app(app_class, kind="plain"):
    """The same routes on Flask or erlen; ``kind`` adds subdomains or hosts."""
    options = {}
    if kind == "subdomain":
        options["subdomain_matching"] = True
    elif kind == "host":
        options.update(host_matching=True, static_host="static.example")
    app = app_class("routes_app", **options)
    if kind == "subdomain":
        app.config["SERVER_NAME"] = "example.com"
    app.add_url_rule("/", "index", _view)
    app.add_url_rule("/users/<int:user_id>", "user", _view, methods=["GET", "POST", "DELETE"])
    app.add_url_rule("/zeta", "alpha", _view, methods=["PUT"])
    app.add_url_rule("/options", "explicit_options", _view, methods=["OPTIONS"])
    app.add_url_rule("/a-very-long-rule/<path:rest>", "long", _view, methods=["PATCH", "GET"])
    if kind == "subdomain":
        app.add_url_rule("/status", "api.status", _view, subdomain="api")
        app.add_url_rule("/", "admin.index", _view, subdomain="admin")
    elif kind == "host":
        app.add_url_rule("/status", "api.status", _view, host="api.example")
        app.add_url_rule("/", "admin.index", _view, host="admin.example")
    return app


def _routes(framework, app, args):
    command = flask.cli.routes_command if framework == "flask" else routes_command
    info_class = flask.cli.ScriptInfo if framework == "flask" else ScriptInfo
    result = CliRunner().invoke(command, args, obj=info_class(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    return result.output


ROUTE_ARGS = [
    [],
    ["--sort", "endpoint"],
    ["--sort", "methods"],
    ["--sort", "rule"],
    ["-s", "domain"],
    ["--all-methods"],
    ["--sort", "rule", "--all-methods"],
]


@pytest.mark.parametrize("kind", ["plain", "subdomain", "host"])
@pytest.mark.parametrize("args", ROUTE_ARGS)
def test_routes_output_matches_flask(kind, args):
    mine = _routes("erlen", build_app(erlen.Erlen, kind), args)
    theirs = _routes("flask", build_app(flask.Flask, kind), args)
    assert mine == theirs


def test_routes_table_shape():
    output = _routes("erlen", build_app(erlen.Erlen, "subdomain"), ["--sort", "rule"])
    lines = output.splitlines()
    assert lines[0].split() == ["Endpoint", "Methods", "Subdomain", "Rule"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split() == ["index", "GET", "/"]
    status_row = next(line for line in lines if line.startswith("api.status"))
    assert status_row.split() == ["api.status", "GET", "api", "/status"]
    host_output = _routes("erlen", build_app(erlen.Erlen, "host"), [])
    assert host_output.splitlines()[0].split() == ["Endpoint", "Methods", "Host", "Rule"]
    assert "static.example" in host_output


def test_routes_match_order_lists_every_rule_once():
    mine = _routes("erlen", build_app(erlen.Erlen), ["--sort", "match"])
    theirs = _routes("flask", build_app(flask.Flask), ["--sort", "match"])
    # Same header and same rows; the order is the URL map's own (see the docs).
    assert mine.splitlines()[:2] == theirs.splitlines()[:2]
    assert sorted(mine.splitlines()[2:]) == sorted(theirs.splitlines()[2:])


def test_routes_hides_head_and_options_unless_asked():
    app = build_app(erlen.Erlen)
    assert "HEAD" not in _routes("erlen", app, []) and "OPTIONS" not in _routes("erlen", app, [])
    everything = _routes("erlen", app, ["--all-methods"])
    assert "DELETE, GET, HEAD, OPTIONS, POST" in everything


def test_no_routes():
    app = erlen.Erlen("empty", static_folder=None)
    assert _routes("erlen", app, []) == "No routes were registered.\n"
    flask_app = flask.Flask("empty", static_folder=None)
    assert _routes("flask", flask_app, []) == "No routes were registered.\n"


def test_routes_rejects_unknown_sort():
    result = CliRunner().invoke(routes_command, ["--sort", "size"], obj=ScriptInfo(erlen.Erlen))
    assert result.exit_code == 2
    assert "'size' is not one of 'endpoint', 'methods', 'domain', 'rule', 'match'" in (
        result.output
    )


def test_routes_through_the_erlen_command(apps):
    result = CliRunner().invoke(cli, ["--app", str(apps / "cliapp_hello.py"), "routes"])
    assert result.output.splitlines() == [
        "Endpoint     Methods  Rule                   ",
        "-----------  -------  -----------------------",
        "debug_state  GET      /debug                 ",
        "index        GET      /                      ",
        "static       GET      /static/<path:filename>",
    ]


def test_routes_sort_from_the_environment(apps):
    env = {"ERLEN_ROUTES_SORT": "rule"}
    result = CliRunner().invoke(cli, ["--app", str(apps / "cliapp_hello.py"), "routes"], env=env)
    assert [line.split()[0] for line in result.output.splitlines()[2:]] == [
        "index",
        "debug_state",
        "static",
    ]


# -- erlen shell --------------------------------------------------------------------------


@pytest.fixture
def interact(monkeypatch):
    """Replace ``code.interact`` and record what it was given."""
    calls = []

    def fake_interact(banner=None, readfunc=None, local=None, exitmsg=None):
        calls.append({"banner": banner, "local": local})

    monkeypatch.setattr(code, "interact", fake_interact)
    monkeypatch.delattr(sys, "__interactivehook__", raising=False)
    return calls


def test_shell_namespace_and_banner(apps, interact):
    result = CliRunner().invoke(cli, ["--app", str(apps / "cliapp_hello.py"), "shell"])
    assert result.exit_code == 0, result.output
    (call,) = interact
    app = sys.modules["cliapp_hello"].app
    assert call["banner"] == (
        f"Python {sys.version} on {sys.platform}\nApp: cliapp_hello\nInstance: {app.instance_path}"
    )
    namespace = call["local"]
    assert namespace["app"] is app
    assert namespace["answer"] == 42
    assert namespace["g"] is erlen.g


def test_shell_banner_matches_flask(interact):
    flask_app = flask.Flask("same", instance_path="/srv/instance")
    erlen_app = erlen.Erlen("same", instance_path="/srv/instance")
    flask_info = flask.cli.ScriptInfo(create_app=lambda: flask_app)
    CliRunner().invoke(flask.cli.shell_command, obj=flask_info)
    CliRunner().invoke(shell_command, obj=ScriptInfo(create_app=lambda: erlen_app))
    assert interact[0]["banner"] == interact[1]["banner"]


def test_shell_runs_pythonstartup_first(apps, interact, isolated_process, monkeypatch):
    startup = isolated_process / "startup.py"
    startup.write_text("from_startup = 'yes'\nanswer = 'overridden by the app'\n")
    monkeypatch.setenv("PYTHONSTARTUP", str(startup))
    CliRunner().invoke(cli, ["--app", str(apps / "cliapp_hello.py"), "shell"])
    namespace = interact[0]["local"]
    assert namespace["from_startup"] == "yes"
    assert namespace["answer"] == 42  # the shell context wins


def test_shell_ignores_a_missing_pythonstartup(apps, interact, monkeypatch):
    monkeypatch.setenv("PYTHONSTARTUP", "/nonexistent/startup.py")
    result = CliRunner().invoke(cli, ["--app", str(apps / "cliapp_hello.py"), "shell"])
    assert result.exit_code == 0


def test_shell_sets_up_completion_on_its_namespace(apps, interact, monkeypatch):
    readline = pytest.importorskip("readline")
    hooked = []
    completers = []
    monkeypatch.setattr(sys, "__interactivehook__", lambda: hooked.append(True), raising=False)
    monkeypatch.setattr(readline, "set_completer", completers.append)
    CliRunner().invoke(cli, ["--app", str(apps / "cliapp_hello.py"), "shell"])
    assert hooked == [True]
    # (importing rlcompleter may install its own completer first)
    assert completers[-1]("answ", 0) == "answer"


def test_shell_runs_in_the_app_context(interact):
    app = erlen.Erlen("ctx")
    seen = []
    app.shell_context_processor(lambda: {"has_ctx": seen.append(erlen.has_app_context()) or 1})
    CliRunner().invoke(shell_command, obj=ScriptInfo(create_app=lambda: app))
    assert seen == [True]
