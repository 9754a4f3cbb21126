"""``erlen run`` and ``app.run()``: options, defaults, TLS and the banner, with uvicorn
replaced by a recorder (real servers are started in test_serving.py)."""

from __future__ import annotations

import functools
import ssl
import sys

import flask.cli
import pytest
import uvicorn
from click.testing import CliRunner

import erlen.serving
from erlen import Erlen
from erlen.cli import CertParamType, run_command, show_server_banner
from erlen.commands import cli
from erlen.serving import RunPlan, run_app


@pytest.fixture
def served(monkeypatch):
    """Record what would have been handed to uvicorn or to the reloader."""
    calls = []

    def fake_run(target, **settings):
        calls.append(("run", target, settings))

    def fake_supervise(settings, spec, watcher, interval):
        calls.append(("reload", spec, settings, watcher, interval))

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setattr(erlen.serving, "_supervise", fake_supervise)
    return calls


def run(apps, *args, env=None):
    target = str(apps / "cliapp_hello.py")
    return CliRunner().invoke(cli, ["--app", target, *args], env=env)


# -- erlen run ---------------------------------------------------------------------------------


def test_run_defaults(apps, served):
    result = run(apps, "run")
    assert result.exit_code == 0, result.output
    ((kind, target, settings),) = served
    app = sys.modules["cliapp_hello"].app
    assert kind == "run" and target is app.asgi
    assert settings == {
        "interface": "asgi3",
        "lifespan": "auto",
        "proxy_headers": False,
        "host": "127.0.0.1",
        "port": 5000,
    }
    assert result.output.splitlines() == [
        f" * Serving Erlen app '{apps / 'cliapp_hello.py'}'",
        " * Debug mode: off",
        "WARNING: This is a development server. Do not use it in a production deployment."
        " Use a production setup instead (gunicorn or uvicorn workers, see"
        " docs/deployment.md).",
        " * Running on http://127.0.0.1:5000",
    ]


@pytest.mark.parametrize(
    ("args", "env", "host", "port", "shown"),
    [
        (["--host", "0.0.0.0", "--port", "8080"], {}, "0.0.0.0", 8080, "http://127.0.0.1:8080"),
        (["-h", "::", "-p", "8081"], {}, "::", 8081, "http://[::1]:8081"),
        (["-h", "::1"], {}, "::1", 5000, "http://[::1]:5000"),
        ([], {"ERLEN_RUN_PORT": "8082"}, "127.0.0.1", 8082, "http://127.0.0.1:8082"),
        ([], {"FLASK_RUN_HOST": "localhost"}, "localhost", 5000, "http://localhost:5000"),
        (["-p", "0"], {}, "127.0.0.1", 0, "a port chosen by the system"),
    ],
)
def test_run_host_and_port(apps, served, args, env, host, port, shown):
    result = run(apps, "run", *args, env=env)
    settings = served[0][2]
    assert (settings["host"], settings["port"]) == (host, port)
    assert shown in result.output
    if host in ("0.0.0.0", "::"):
        assert f" * Running on all addresses ({host})" in result.output


def test_run_port_must_be_a_number(apps, served):
    result = run(apps, "run", "--port", "web")
    assert result.exit_code == 2
    assert "'web' is not a valid integer" in result.output
    assert served == []


@pytest.mark.parametrize(
    ("args", "expect_reload"),
    [
        (["--debug", "run"], True),
        (["run", "--debug"], True),
        (["--debug", "run", "--no-reload"], False),
        (["run", "--reload"], True),
        (["run"], False),
    ],
)
def test_reloader_follows_debug(apps, served, args, expect_reload):
    result = run(apps, *args)
    assert result.exit_code == 0, result.output
    assert served[0][0] == ("reload" if expect_reload else "run")
    debug = "--debug" in args
    assert f" * Debug mode: {'on' if debug else 'off'}" in result.output
    assert sys.modules["cliapp_hello"].app.debug is debug


def test_reload_spec_and_watcher_settings(apps, served, isolated_process):
    extra = [isolated_process / "settings.toml", isolated_process / "more.cfg"]
    for path in extra:
        path.write_text("x")
    files = f"{extra[0]}:{extra[1]}"
    result = run(
        apps, "--debug", "run", "--extra-files", files, "--exclude-patterns", "*.tmp:*/x/*"
    )
    assert result.exit_code == 0, result.output
    ((kind, spec, settings, watcher, interval),) = served
    assert spec == {"app": str(apps / "cliapp_hello.py"), "debug": True, "interface": "asgi3"}
    assert settings["interface"] == "asgi3" and settings["port"] == 5000
    assert watcher.extra_files == [str(path) for path in extra]
    assert watcher.exclude_patterns == ["*.tmp", "*/x/*"]
    assert interval == 1.0


def test_reload_spec_with_discovered_app(apps, served, monkeypatch):
    monkeypatch.chdir(apps / "default_app")
    CliRunner().invoke(cli, ["run", "--reload"])
    assert served[0][1] == {"app": None, "debug": False, "interface": "asgi3"}


def test_run_reports_an_app_that_cannot_load(served):
    result = CliRunner().invoke(cli, ["--app", "cliapp_nowhere", "run"])
    assert result.exit_code == 2
    assert "Error: Could not import 'cliapp_nowhere'." in result.output
    assert served == []


def test_wsgi_fallback_without_the_asgi_module(apps, served, monkeypatch):
    monkeypatch.setitem(sys.modules, "erlen.asgi", None)  # import erlen.asgi now fails
    run(apps, "run")
    ((kind, target, settings),) = served
    assert target is sys.modules["cliapp_hello"].app
    assert (settings["interface"], settings["lifespan"]) == ("wsgi", "off")


# -- TLS options -------------------------------------------------------------------------------


@pytest.fixture
def cert_files(isolated_process):
    cert = isolated_process / "cert.pem"
    key = isolated_process / "key.pem"
    cert.write_text("not checked until the server starts")
    key.write_text("not checked until the server starts")
    return str(cert), str(key)


def test_cert_and_key_files(apps, served, cert_files):
    cert, key = cert_files
    result = run(apps, "run", "--cert", cert, "--key", key)
    assert result.exit_code == 0, result.output
    settings = served[0][2]
    assert (settings["ssl_certfile"], settings["ssl_keyfile"]) == (cert, key)
    assert " * Running on https://127.0.0.1:5000" in result.output


def _flask_run(args, monkeypatch, obj):
    monkeypatch.setattr(flask.cli, "run_simple", lambda *a, **k: None)
    return CliRunner().invoke(flask.cli.run_command, args, obj=obj)


@pytest.mark.parametrize(
    "args",
    [
        ["--cert", "{cert}"],
        ["--key", "{key}"],
        ["--cert", "{cert}", "--key"],
        ["--cert", "{cert}", "--key", "missing.pem"],
        ["--cert", "missing.pem", "--key", "{key}"],
        ["--port", "-1x"],
    ],
)
def test_cert_and_key_errors_match_flask(served, cert_files, monkeypatch, args):
    cert, key = cert_files
    args = [arg.format(cert=cert, key=key) for arg in args]
    mine = CliRunner().invoke(run_command, args, obj=erlen.cli.ScriptInfo(create_app=Erlen))
    theirs = _flask_run(args, monkeypatch, flask.cli.ScriptInfo(create_app=flask.Flask))
    assert mine.exit_code == theirs.exit_code == 2
    mine_error = mine.output.split("Error: ")[1]
    theirs_error = theirs.output.split("Error: ")[1]
    if "missing.pem" in args and args[1] == "missing.pem":
        # Flask says the file does not exist; erlen names every accepted form.
        assert mine_error == (
            "Invalid value for '--cert': 'missing.pem' is neither an existing certificate"
            " file, 'adhoc', nor the import name of an ssl.SSLContext.\n"
        )
    else:
        assert mine_error == theirs_error


def test_adhoc_needs_cryptography(apps, served):
    try:
        import cryptography  # noqa: F401
    except ImportError:
        result = run(apps, "run", "--cert", "adhoc")
        assert result.exit_code == 2
        assert "Using ad-hoc certificates requires the cryptography library." in result.output
        with pytest.raises(TypeError, match="requires the cryptography library"):
            erlen.serving._tls_settings("adhoc", reload=False)
    else:
        result = run(apps, "run", "--cert", "ADHOC")
        settings = served[0][2]
        with open(settings["ssl_certfile"]) as file:
            assert "BEGIN CERTIFICATE" in file.read()
        assert "ssl_keyfile" in settings


def test_ssl_context_takes_no_key(apps, served, cert_files, monkeypatch):
    module = type(sys)("cliapp_tls_context")
    module.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    monkeypatch.setitem(sys.modules, "cliapp_tls_context", module)
    result = run(apps, "run", "--cert", "cliapp_tls_context:context", "--key", cert_files[1])
    assert result.exit_code == 2
    assert 'When "--cert" is an SSLContext object, "--key" is not used.' in result.output


def test_ssl_context_by_import_name(apps, served, monkeypatch):
    module = type(sys)("cliapp_tls_context")
    module.context = context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    monkeypatch.setitem(sys.modules, "cliapp_tls_context", module)
    result = run(apps, "run", "--cert", "cliapp_tls_context:context")
    assert result.exit_code == 0, result.output
    factory = served[0][2]["ssl_context_factory"]
    assert factory(object(), None) is context
    # With the reloader the context is imported again in the server process.
    run(apps, "--debug", "run", "--cert", "cliapp_tls_context.context")
    factory = served[1][2]["ssl_context_factory"]
    assert isinstance(factory, functools.partial)
    assert factory(object(), None) is context


def test_cert_param_type_passes_contexts_through():
    context = ssl.create_default_context()
    assert CertParamType().convert(context, None, None) is context


def test_tls_settings_for_app_run_values():
    tls = erlen.serving._tls_settings
    assert tls(None, reload=False) == {}
    assert tls(("c.pem", "k.pem"), reload=True) == {"ssl_certfile": "c.pem", "ssl_keyfile": "k.pem"}
    context = ssl.create_default_context()
    assert tls(context, reload=False)["ssl_context_factory"](None, None) is context
    with pytest.raises(RuntimeError, match="cannot receive an ssl.SSLContext object"):
        tls(ssl.create_default_context(), reload=True)
    with pytest.raises(TypeError, match="must be a \\(certfile, keyfile\\) tuple"):
        tls("cert.pem", reload=False)


# -- app.run() -----------------------------------------------------------------------------


def make_app(**config):
    app = Erlen("cliapp_run")
    app.config.update(config)
    return app


def test_app_run_defaults_and_banner(served, capsys):
    app = make_app()
    app.run()
    ((kind, target, settings),) = served
    assert (kind, target) == ("run", app.asgi)
    assert (settings["host"], settings["port"]) == ("127.0.0.1", 5000)
    out, err = capsys.readouterr()
    assert out == " * Serving Erlen app 'cliapp_run'\n * Debug mode: off\n"
    assert " * Running on http://127.0.0.1:5000" in err


@pytest.mark.parametrize(
    ("server_name", "host", "port", "expected"),
    [
        ("example.test:8123", None, None, ("example.test", 8123)),
        ("example.test", None, None, ("example.test", 5000)),
        ("example.test:8123", "0.0.0.0", 0, ("0.0.0.0", 0)),
        (None, "", "9000", ("127.0.0.1", 9000)),
    ],
)
def test_app_run_address_defaults(served, server_name, host, port, expected):
    make_app(SERVER_NAME=server_name).run(host=host, port=port)
    settings = served[0][2]
    assert (settings["host"], settings["port"]) == expected


def test_app_run_inside_the_cli_is_ignored(served, capsys, monkeypatch):
    monkeypatch.setenv("ERLEN_RUN_FROM_CLI", "true")
    make_app().run()
    assert served == []
    assert "Ignoring a call to 'app.run()'" in capsys.readouterr().out


def test_app_run_in_the_reloaded_process_is_silent(served, capsys, monkeypatch):
    monkeypatch.setenv("ERLEN_RELOADER_PID", "1")
    make_app().run()
    monkeypatch.setenv("ERLEN_RUN_FROM_CLI", "true")
    make_app().run()
    assert served == []
    assert capsys.readouterr() == ("", "")
    show_server_banner(True, "x")
    assert capsys.readouterr() == ("", "")


def test_app_run_debug_turns_on_the_reloader(served, apps):
    sys.path.insert(0, str(apps))
    from cliapp_hello import app

    app.run(debug=True)
    ((kind, spec, settings, watcher, interval),) = served
    assert kind == "reload"
    assert spec == {"app": "cliapp_hello:app", "debug": True, "interface": "asgi3"}
    app.debug = False


@pytest.mark.parametrize(
    ("options", "kind"),
    [({"debug": True, "use_reloader": False}, "run"), ({"use_reloader": True}, "reload")],
)
def test_app_run_use_reloader(served, apps, options, kind):
    sys.path.insert(0, str(apps))
    from cliapp_hello import app

    app.run(**options)
    assert served[0][0] == kind
    app.debug = False


def test_app_run_werkzeug_options(served, isolated_process):
    extra = isolated_process / "extra.cfg"
    make_app().run(
        use_reloader=True,
        use_debugger=True,
        use_evalex=True,
        threaded=False,
        processes=1,
        passthrough_errors=True,
        reloader_type="watchdog",
        extra_files=[str(extra)],
        exclude_patterns=["*.log"],
        reloader_interval=0.5,
        ssl_context=("c.pem", "k.pem"),
        log_level="warning",
        proxy_headers=True,
    )
    ((kind, spec, settings, watcher, interval),) = served
    assert watcher.extra_files == [str(extra)] and watcher.exclude_patterns == ["*.log"]
    assert interval == 0.5
    assert settings["ssl_certfile"] == "c.pem" and settings["log_level"] == "warning"
    assert settings["proxy_headers"] is True  # a caller's uvicorn setting wins


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"processes": 4}, ValueError, "processes=4.* is not supported"),
        ({"request_handler": object}, TypeError, "does not support request_handler="),
        ({"static_files": {"/": "."}}, TypeError, "does not support static_files="),
        ({"workers": 2}, TypeError, "app.run\\(\\) got workers=: run several workers"),
        ({"reload": True}, TypeError, "got reload=: use use_reloader="),
        ({"colour": True}, TypeError, "unexpected option 'colour': it is neither"),
    ],
)
def test_app_run_refuses_what_cannot_work(served, options, error, message):
    with pytest.raises(error, match=message):
        make_app().run(**options)
    assert served == []


def test_app_run_resets_got_first_request(served):
    app = make_app()
    app._got_first_request = True
    app.run()
    assert app._got_first_request is False


def test_app_run_loads_dotenv_and_debug(served, isolated_process):
    (isolated_process / ".env").write_text("ERLEN_DEBUG=1\nCLITEST_FROM_ENV=yes\n")
    app = make_app()
    app.run()
    assert app.debug is True and served[0][0] == "reload"
    import os

    assert os.environ["CLITEST_FROM_ENV"] == "yes"


def test_explicit_debug_wins_over_dotenv(served, isolated_process):
    (isolated_process / ".env").write_text("ERLEN_DEBUG=1\n")
    app = make_app()
    run_app(app, debug=False)
    assert app.debug is False and served[0][0] == "run"


def test_environment_debug_applies_when_debug_is_forwarded(served, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = make_app()
    app.config["DEBUG"] = False
    run_app(app, debug=None)
    assert app.debug is True


def test_app_run_without_dotenv(served, isolated_process, monkeypatch):
    (isolated_process / ".env").write_text("CLITEST_FROM_ENV=yes\n")
    make_app().run(load_dotenv=False)
    monkeypatch.setenv("ERLEN_SKIP_DOTENV", "1")
    make_app().run()
    import os

    assert "CLITEST_FROM_ENV" not in os.environ


def test_run_plan_from_options_defaults():
    plan = RunPlan.from_options({}, debug=True)
    assert plan.use_reloader is True and plan.ssl_context is None
    assert plan.extra_files == [] and plan.exclude_patterns == []
    assert plan.reloader_interval == 1.0 and plan.server_settings == {}
