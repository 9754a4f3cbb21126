"""Finding the application: ``--app`` forms, discovery rules, defaults, and the errors
that say what to change. Discovery runs side by side with Flask 3.1's on the same
module shapes."""

from __future__ import annotations

import os
import sys
import types

import flask
import flask.cli
import pytest
from click.testing import CliRunner

from erlen import Erlen
from erlen.cli import (
    NoAppException,
    ScriptInfo,
    find_app_by_string,
    find_best_app,
    locate_app,
    prepare_import,
)
from erlen.commands import cli, load_app

# -- Flask's rules, side by side ------------------------------------------------------------


def _make_module(shape: str, app_class: type) -> types.ModuleType:
    """A module of the given shape, holding instances of ``app_class``."""
    module = types.ModuleType(f"shape_{shape}")
    ns = module.__dict__

    def factory(*args, **kwargs):
        app = app_class("shape")
        app.config["ARGS"] = (args, kwargs)
        return app

    def needs_args(name):
        return app_class("shape")

    def raises_inside():
        return 1 + "x"

    def returns_other():
        return "nope"

    if shape == "app":
        ns["app"] = app_class("shape")
    elif shape == "application":
        ns["application"] = app_class("shape")
    elif shape == "app_wins_over_application":
        ns["application"] = app_class("shape")
        ns["app"] = app_class("shape")
    elif shape == "app_not_an_app":
        ns["app"] = "text"
        ns["web"] = app_class("shape")
    elif shape == "single":
        ns["web"] = app_class("shape")
    elif shape == "multiple":
        ns["one"] = app_class("shape")
        ns["two"] = app_class("shape")
    elif shape == "create_app":
        ns["create_app"] = factory
    elif shape == "make_app":
        ns["make_app"] = factory
    elif shape == "create_app_first":
        ns["make_app"] = needs_args
        ns["create_app"] = factory
    elif shape == "factory_needs_args":
        ns["create_app"] = needs_args
    elif shape == "factory_raises":
        ns["create_app"] = raises_inside
    elif shape == "factory_returns_other":
        ns["create_app"] = returns_other
    elif shape == "class_is_not_a_factory":
        ns["create_app"] = type("create_app", (), {})
    elif shape == "empty":
        ns["value"] = 1
    ns["factory"] = factory
    ns["needs_args"] = needs_args
    ns["raises_inside"] = raises_inside
    ns["returns_other"] = returns_other
    ns["number"] = 3
    return module


def _outcome(find, module, *args):
    """What discovery did: the name the app is bound to (or its factory's arguments),
    or the error type and message (Flask's wording mapped to erlen's)."""
    try:
        app = find(module, *args)
    except Exception as error:
        text = str(error).replace("Flask", "Erlen")
        return type(error).__name__, text
    for name, value in vars(module).items():
        if value is app:
            return "found", name
    return "built", app.config.get("ARGS")


SHAPES = [
    "app",
    "application",
    "app_wins_over_application",
    "app_not_an_app",
    "single",
    "multiple",
    "create_app",
    "make_app",
    "create_app_first",
    "factory_needs_args",
    "factory_raises",
    "factory_returns_other",
    "class_is_not_a_factory",
    "empty",
]


@pytest.mark.parametrize("shape", SHAPES)
def test_find_best_app_matches_flask(shape):
    mine = _outcome(find_best_app, _make_module(shape, Erlen))
    theirs = _outcome(flask.cli.find_best_app, _make_module(shape, flask.Flask))
    assert mine == theirs


APP_NAMES = [
    "app",
    "web",
    "factory",
    "factory()",
    "factory('a', 2, key=[1, {'x': None}])",
    "factory(*args)",
    "factory(x=y)",
    "needs_args()",
    "needs_args('dev')",
    "raises_inside()",
    "returns_other()",
    "number",
    "missing",
    "missing()",
    "module.attr",
    "module.factory()",
    "1 +",
    "app[0]",
]


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_find_app_by_string_matches_flask(app_name):
    mine = _outcome(find_app_by_string, _make_module("app_not_an_app", Erlen), app_name)
    theirs = _outcome(
        flask.cli.find_app_by_string, _make_module("app_not_an_app", flask.Flask), app_name
    )
    assert mine == theirs


def test_errors_are_usage_errors_naming_the_fix():
    with pytest.raises(NoAppException) as caught:
        find_best_app(_make_module("multiple", Erlen))
    assert caught.value.exit_code == 2
    assert "Use 'shape_multiple:name' to specify the correct one." in str(caught.value)


# -- --app forms on real modules ---------------------------------------------------------


def _load(import_path, **kwargs):
    return ScriptInfo(app_import_path=import_path, **kwargs).load_app()


def test_module_name(apps):
    sys.path.insert(0, str(apps))
    app = _load("cliapp_hello")
    assert app.import_name == "cliapp_hello"
    assert app is sys.modules["cliapp_hello"].app


def test_file_path_puts_its_directory_on_sys_path(apps):
    app = _load(str(apps / "cliapp_hello.py"))
    assert app.import_name == "cliapp_hello"
    assert sys.path[0] == str(apps)


def test_relative_file_path(apps, monkeypatch):
    monkeypatch.chdir(apps)
    assert _load("cliapp_single.py").import_name == "cliapp_single"


def test_file_in_a_package_is_imported_by_its_dotted_name(apps):
    app = _load(str(apps / "cliapp_pkg" / "web.py"))
    assert app.import_name == "cliapp_pkg.web"
    assert sys.path[0] == str(apps)


def test_package_directory_and_init(apps):
    assert prepare_import(str(apps / "cliapp_pkg")) == "cliapp_pkg"
    assert prepare_import(str(apps / "cliapp_pkg" / "__init__.py")) == "cliapp_pkg"


def test_prepare_import_matches_flask(apps):
    for target in ("cliapp_hello.py", "cliapp_pkg/web.py", "cliapp_pkg", "cliapp_hello"):
        path = str(apps / target)
        mine = prepare_import(path)
        mine_path = sys.path[0]
        assert (mine, mine_path) == (flask.cli.prepare_import(path), sys.path[0])


def test_attribute_and_factory_forms(apps):
    path = str(apps / "cliapp_factory.py")
    assert _load(f"{path}:create_app").config["MADE_BY"] == "create_app"
    assert _load(f"{path}:create_app()").config["MADE_BY"] == "create_app"
    made = _load(f"{path}:make_named('staging', debug=True)").config["MADE_BY"]
    assert made == "make_named('staging', debug=True)"
    assert _load(f"{path}").config["MADE_BY"] == "create_app"


def test_make_app_factory_and_application_attribute(apps):
    assert _load(str(apps / "cliapp_make_app.py")).config["MADE_BY"] == "make_app"
    module_app = _load(str(apps / "cliapp_application.py"))
    assert module_app is sys.modules["cliapp_application"].application


def test_windows_drive_letters_are_not_app_names():
    from erlen.cli import _split_import_path

    assert _split_import_path(r"C:\project\hello.py") == (r"C:\project\hello.py", "", "")
    assert _split_import_path("C:/project/hello.py:app") == ("C:/project/hello.py", ":", "app")
    assert _split_import_path("hello:create_app()") == ("hello", ":", "create_app()")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("cliapp_multiple.py", "Detected multiple Erlen applications in module 'cliapp_multiple'"),
        ("cliapp_empty.py", "Failed to find Erlen application or factory in module 'cliapp_empty'"),
        (
            "cliapp_factory_needs_args.py",
            "Use 'cliapp_factory_needs_args:create_app(args)' to specify arguments.",
        ),
        ("cliapp_factory.py:value", "A valid Erlen application was not obtained from"),
        ("cliapp_factory.py:not_an_app()", "A valid Erlen application was not obtained from"),
        ("cliapp_factory.py:missing", "Failed to find attribute 'missing' in 'cliapp_factory'."),
        (
            "cliapp_factory.py:make_named()",
            "The factory 'make_named()' in module 'cliapp_factory' could not be called",
        ),
        ("cliapp_does_not_exist.py", "Could not import 'cliapp_does_not_exist'."),
    ],
)
def test_load_errors(apps, target, message):
    with pytest.raises(NoAppException, match=None) as caught:
        _load(str(apps / target))
    assert message in caught.value.format_message()


def test_missing_module_error_suggests_a_file_path():
    with pytest.raises(NoAppException) as caught:
        locate_app("cliapp_nowhere.sub", None)
    assert caught.value.format_message() == (
        "Could not import 'cliapp_nowhere.sub'. Check the name, or give a file path"
        " ('erlen --app path/to/sub.py')."
    )
    assert locate_app("cliapp_nowhere", None, raise_if_not_found=False) is None


def test_import_error_inside_the_module_shows_its_traceback(apps):
    with pytest.raises(NoAppException) as caught:
        _load(str(apps / "cliapp_import_error.py"))
    message = caught.value.format_message()
    assert message.startswith("While importing 'cliapp_import_error', an ImportError was raised:")
    assert "No module named 'cliapp_module_that_does_not_exist'" in message
    assert "Traceback" in message


def test_type_error_inside_a_factory_is_not_hidden(apps):
    with pytest.raises(TypeError, match="can only concatenate str"):
        _load(str(apps / "cliapp_factory_typeerror.py"))
    with pytest.raises(TypeError, match="has no len"):
        _load(str(apps / "cliapp_factory.py:broken_inside()"))


# -- defaults: wsgi.py, app.py, nothing --------------------------------------------------------


@pytest.mark.parametrize(
    ("directory", "found_as"),
    [("default_app", "app.py"), ("default_wsgi", "wsgi.py"), ("default_both", "wsgi.py")],
)
def test_default_files_in_the_current_directory(apps, monkeypatch, directory, found_as):
    monkeypatch.chdir(apps / directory)
    assert ScriptInfo().load_app().config["FOUND_AS"] == found_as


def test_nothing_to_find(isolated_process):
    with pytest.raises(NoAppException) as caught:
        ScriptInfo().load_app()
    assert caught.value.format_message() == (
        "Could not locate an Erlen application. Use the 'erlen --app' option, the"
        " 'ERLEN_APP' environment variable, or a 'wsgi.py' or 'app.py' file in the"
        " current directory."
    )


# -- ScriptInfo -------------------------------------------------------------------------------


def test_script_info_caches_and_uses_create_app():
    calls = []

    def create_app():
        calls.append(1)
        return Erlen("made")

    info = ScriptInfo(create_app=create_app)
    assert info.load_app() is info.load_app()
    assert calls == [1]
    assert info.data == {}


def test_script_info_applies_the_debug_flag(monkeypatch):
    monkeypatch.setenv("ERLEN_DEBUG", "1")
    app = Erlen("made")
    app.debug = False
    assert ScriptInfo(create_app=lambda: app).load_app().debug is True
    app.debug = False
    assert ScriptInfo(create_app=lambda: app, set_debug_flag=False).load_app().debug is False
    monkeypatch.setenv("ERLEN_DEBUG", "0")
    monkeypatch.setenv("FLASK_DEBUG", "1")  # ERLEN_DEBUG wins
    assert ScriptInfo(create_app=lambda: app).load_app().debug is False


@pytest.mark.parametrize(
    ("skip", "default", "expected"),
    [(None, True, True), (None, False, False), ("1", True, False), ("0", True, True)],
)
def test_script_info_load_dotenv_defaults(monkeypatch, skip, default, expected):
    if skip is not None:
        monkeypatch.setenv("ERLEN_SKIP_DOTENV", skip)
    assert ScriptInfo(load_dotenv_defaults=default).load_dotenv_defaults is expected
    flask_info = flask.cli.ScriptInfo(load_dotenv_defaults=default)
    if skip is not None:
        monkeypatch.setenv("FLASK_SKIP_DOTENV", skip)
        monkeypatch.delenv("ERLEN_SKIP_DOTENV")
        assert ScriptInfo(load_dotenv_defaults=default).load_dotenv_defaults is expected
        flask_info = flask.cli.ScriptInfo(load_dotenv_defaults=default)
    assert flask_info.load_dotenv_defaults is expected


def test_load_app_function_is_what_script_info_uses(apps):
    info = ScriptInfo(app_import_path=str(apps / "cliapp_single.py"))
    assert load_app(info) is sys.modules["cliapp_single"].web


# -- through the command line ------------------------------------------------------------


def _names(result):
    return result.output


@pytest.mark.parametrize("variable", ["ERLEN_APP", "FLASK_APP"])
def test_app_from_environment_variables(apps, variable):
    result = CliRunner().invoke(cli, ["greet"], env={variable: str(apps / "cliapp_hello.py")})
    assert result.exit_code == 0, result.output
    assert result.output == "hello world from cliapp_hello\n"


def test_erlen_app_wins_over_flask_app(apps):
    env = {"ERLEN_APP": str(apps / "cliapp_hello.py"), "FLASK_APP": "cliapp_nowhere"}
    assert CliRunner().invoke(cli, ["greet"], env=env).exit_code == 0


@pytest.mark.parametrize("option", ["--app", "-A"])
def test_app_option_wins_over_the_environment(apps, option):
    env = {"ERLEN_APP": "cliapp_nowhere"}
    result = CliRunner().invoke(cli, [option, str(apps / "cliapp_hello.py"), "greet"], env=env)
    assert result.output == "hello world from cliapp_hello\n"


def test_app_command_without_an_app_explains_and_fails():
    result = CliRunner().invoke(cli, ["greet"])
    assert result.exit_code == 2
    assert "Error: Could not locate an Erlen application." in result.output
    assert "No such command 'greet'." in result.output


def test_builtin_command_without_an_app_is_a_usage_error():
    result = CliRunner().invoke(cli, ["routes"])
    assert result.exit_code == 2
    assert "Error: Could not locate an Erlen application." in result.output


def test_help_lists_the_apps_commands_from_the_environment(apps):
    result = CliRunner().invoke(cli, ["--help"], env={"ERLEN_APP": str(apps / "cliapp_hello.py")})
    assert result.exit_code == 0
    assert "greet" in result.output and "Say hello" in result.output


def test_help_reports_an_app_that_fails_to_import(apps):
    env = {"ERLEN_APP": str(apps / "cliapp_factory_typeerror.py")}
    result = CliRunner().invoke(cli, ["--help"], env=env)
    assert result.exit_code == 0
    assert "TypeError" in result.output and "Traceback" in result.output
    assert "routes" in result.output  # the built-in commands are still listed


def test_env_var_for_a_path_with_a_drive_like_prefix_is_left_alone(apps):
    # Only a colon that is not followed by a slash separates the app name.
    path = os.path.join(str(apps), "cliapp_hello.py")
    assert ScriptInfo(app_import_path=f"{path}:app").load_app().import_name == "cliapp_hello"
