"""The ``erlen`` group: app, blueprint and plugin commands, ``--debug``, dotenv files,
``--version``, custom groups, ``with_appcontext``/``AppGroup`` and the test runner."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import EntryPoint

import click
import flask
import flask.cli
import pytest
from click.testing import CliRunner

import erlen.commands
from erlen import Erlen, current_app, has_app_context
from erlen.cli import (
    AppGroup,
    ErlenGroup,
    FlaskGroup,
    ScriptInfo,
    load_dotenv,
    pass_script_info,
    with_appcontext,
)
from erlen.commands import cli
from erlen.testing import ErlenCliRunner, FlaskCliRunner


def invoke(args, **kwargs):
    return CliRunner().invoke(cli, args, **kwargs)


# -- app and blueprint commands --------------------------------------------------------------


def test_app_command_runs_in_the_app_context(apps):
    result = invoke(["--app", str(apps / "cliapp_hello.py"), "greet", "--name", "ada"])
    assert result.exit_code == 0, result.output
    assert result.output == "hello ada from cliapp_hello\n"


def test_app_command_without_app_context_wrapper_still_gets_one_from_the_group(apps):
    # The group pushes the context for every app command (Flask 2.2+ behaviour).
    result = invoke(["--app", str(apps / "cliapp_hello.py"), "plain"])
    assert result.output == "plain command, app context: True\n"


def test_blueprint_commands(apps):
    target = str(apps / "cliapp_blueprints.py")
    assert invoke(["--app", target, "users", "create", "ada"]).output == (
        "created ada in cliapp_blueprints\n"
    )
    assert invoke(["--app", target, "cleanup"]).output == "cleaned up\n"
    assert invoke(["--app", target, "stats", "daily"]).output == "daily report\n"
    help_text = invoke(["--app", target, "--help"]).output
    listed = help_text.partition("Commands:")[2].split()
    for name in ("users", "cleanup", "stats", "routes", "run", "shell"):
        assert name in listed
    assert "silent" not in listed and "reports" not in listed


def test_blueprint_cli_group_override_at_registration():
    from erlen import Blueprint

    bp = Blueprint("admin", __name__)

    @bp.cli.command("hello")
    def hello():
        click.echo("hello admin")

    app = Erlen(__name__)
    app.register_blueprint(bp, cli_group="ops")
    assert app.test_cli_runner().invoke(args=["ops", "hello"]).output == "hello admin\n"


def test_plugin_commands_come_from_entry_points(apps, monkeypatch):
    sys.path.insert(0, str(apps))
    seen_groups = []

    def entry_points(group):
        seen_groups.append(group)
        return [EntryPoint("plugged", "cliapp_plugin:plugged", group)]

    monkeypatch.setattr(erlen.commands.metadata, "entry_points", entry_points)
    group = ErlenGroup()
    result = CliRunner().invoke(group, ["plugged"])
    assert result.output == "plugin command ran\n"
    # Plugin commands work without an app and appear in the help.
    assert "plugged" in CliRunner().invoke(group, ["--help"]).output
    assert seen_groups == ["erlen.commands"]


def test_builtin_commands_are_available_without_an_app():
    result = invoke(["run", "--help"])
    assert result.exit_code == 0
    assert "--cert" in result.output and "--reload / --no-reload" in result.output


def test_group_without_default_commands_or_version():
    group = ErlenGroup(add_default_commands=False, add_version_option=False)
    assert group.list_commands(click.Context(group, obj=ScriptInfo(create_app=Erlen))) == []
    assert "--version" not in CliRunner().invoke(group, ["--help"]).output


def test_flask_group_alias():
    assert FlaskGroup is ErlenGroup


def test_custom_group_with_create_app():
    app = Erlen("custom")

    @app.cli.command()
    def which():
        click.echo(current_app.name)

    group = ErlenGroup(create_app=lambda: app)
    assert CliRunner().invoke(group, ["which"]).output == "custom\n"


def test_custom_group_callback_keeps_the_options(apps):
    @click.group(cls=ErlenGroup)
    @click.option("--verbose", is_flag=True)
    @pass_script_info
    def manage(info, verbose):
        info.data["verbose"] = verbose

    @manage.command(with_appcontext=False)
    @pass_script_info
    def show(info):
        click.echo(f"{info.data['verbose']} {info.app_import_path}")

    result = CliRunner().invoke(manage, ["--app", "x", "--verbose", "show"])
    assert result.output == "True x\n"


def test_run_from_cli_is_marked_and_app_run_is_ignored(apps):
    result = invoke(["--app", str(apps / "cliapp_runs_at_import.py"), "routes"])
    assert result.exit_code == 0, result.output
    assert os.environ["ERLEN_RUN_FROM_CLI"] == "true"
    assert " * Ignoring a call to 'app.run()' that would block the current 'erlen'" in (
        result.output
    )
    assert "Only call 'app.run()' in an 'if __name__ == \"__main__\"' guard." in result.output


# -- --debug ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "expected_env", "expected_debug"),
    [
        ([], {}, None, False),
        (["--debug"], {}, "1", True),
        (["--no-debug"], {"ERLEN_DEBUG": "1"}, "0", False),
        ([], {"ERLEN_DEBUG": "1"}, "1", True),
        ([], {"FLASK_DEBUG": "1"}, "1", True),
        ([], {"ERLEN_DEBUG": "0", "FLASK_DEBUG": "1"}, "0", False),
    ],
)
def test_debug_option_and_variables(apps, args, env, expected_env, expected_debug):
    sys.path.insert(0, str(apps))
    import cliapp_debug_factory

    cliapp_debug_factory.seen.clear()
    result = invoke(["--app", str(apps / "cliapp_hello.py"), *args, "state"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output == f"ERLEN_DEBUG={expected_env} debug={expected_debug}\n"

    # A factory sees the flag while it runs, before ScriptInfo applies it to the app.
    invoke(["--app", "cliapp_debug_factory", *args, "routes"], env=env)
    assert cliapp_debug_factory.seen == [expected_env]


def test_debug_option_on_run_is_the_same_option():
    from erlen.cli import debug_option, run_command

    assert run_command.params[0] is debug_option


# -- dotenv files -----------------------------------------------------------------------------


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_load_dotenv_precedence(isolated_process):
    cwd = isolated_process
    _write(cwd / ".flaskenv", "CLITEST_A=flaskenv\nCLITEST_B=flaskenv\nCLITEST_C=flaskenv\n")
    _write(cwd / ".erlenenv", "CLITEST_B=erlenenv\nCLITEST_C=erlenenv\nCLITEST_D=erlenenv\n")
    _write(cwd / ".env", "CLITEST_C=env\nCLITEST_E=env\nCLITEST_SET=env\n")
    given = _write(cwd / "given.env", "CLITEST_E=given\nCLITEST_EMPTY\n")
    os.environ["CLITEST_SET"] = "environment"

    assert load_dotenv(str(given)) is True
    assert {
        key: os.environ.get(key) for key in sorted(os.environ) if key.startswith("CLITEST_")
    } == {
        "CLITEST_A": "flaskenv",
        "CLITEST_B": "erlenenv",
        "CLITEST_C": "env",
        "CLITEST_D": "erlenenv",
        "CLITEST_E": "given",
        "CLITEST_SET": "environment",
    }


def test_load_dotenv_searches_parent_directories(isolated_process, monkeypatch):
    _write(isolated_process / ".env", "CLITEST_FROM_PARENT=yes\n")
    child = isolated_process / "a" / "b"
    child.mkdir(parents=True)
    monkeypatch.chdir(child)
    assert load_dotenv() is True
    assert os.environ["CLITEST_FROM_PARENT"] == "yes"


def test_load_dotenv_without_files_or_defaults(isolated_process):
    assert load_dotenv() is False
    _write(isolated_process / ".env", "CLITEST_X=1\n")
    assert load_dotenv(load_defaults=False) is False
    assert "CLITEST_X" not in os.environ
    assert load_dotenv("missing.env", load_defaults=False) is False


def test_load_dotenv_matches_flask_for_flask_files(isolated_process):
    _write(isolated_process / ".flaskenv", "CLITEST_P=flaskenv\nCLITEST_Q=flaskenv\n")
    _write(isolated_process / ".env", 'CLITEST_Q="quoted env"\nexport CLITEST_R=${CLITEST_Q}!\n')
    flask.cli.load_dotenv()
    theirs = {key: os.environ.pop(key) for key in list(os.environ) if key.startswith("CLITEST_")}
    load_dotenv()
    mine = {key: os.environ[key] for key in os.environ if key.startswith("CLITEST_")}
    assert (
        mine
        == theirs
        == {
            "CLITEST_P": "flaskenv",
            "CLITEST_Q": "quoted env",
            "CLITEST_R": "quoted env!",
        }
    )


def test_dotenv_files_set_the_app_and_debug(isolated_process, apps):
    _write(isolated_process / ".erlenenv", f"ERLEN_APP={apps / 'cliapp_hello.py'}\n")
    _write(isolated_process / ".env", "ERLEN_DEBUG=1\n")
    result = invoke(["greet"])
    assert result.output == "hello world from cliapp_hello\n"
    assert sys.modules["cliapp_hello"].app.debug is True


def test_flaskenv_of_a_ported_project(isolated_process, apps):
    _write(isolated_process / ".flaskenv", f"FLASK_APP={apps / 'cliapp_hello.py'}\n")
    assert invoke(["greet"]).output == "hello world from cliapp_hello\n"


def test_env_file_option_wins_over_default_files(isolated_process, apps):
    _write(isolated_process / ".env", "ERLEN_APP=cliapp_nowhere\nCLITEST_SOURCE=.env\n")
    given = _write(isolated_process / "dev.env", f"ERLEN_APP={apps / 'cliapp_hello.py'}\n")
    for option in ("-e", "--env-file"):
        os.environ.pop("ERLEN_APP", None)
        result = invoke([option, str(given), "greet"])
        assert result.output == "hello world from cliapp_hello\n"
        assert os.environ["CLITEST_SOURCE"] == ".env"


def test_env_file_must_exist():
    result = invoke(["-e", "missing.env", "routes"])
    assert result.exit_code == 2
    assert "File 'missing.env' does not exist." in result.output


@pytest.mark.parametrize("variable", ["ERLEN_SKIP_DOTENV", "FLASK_SKIP_DOTENV"])
def test_skip_dotenv_ignores_default_files_but_not_env_file(isolated_process, variable):
    _write(isolated_process / ".env", "CLITEST_DEFAULT=1\n")
    given = _write(isolated_process / "given.env", "CLITEST_GIVEN=1\n")
    invoke(["--help"], env={variable: "1"})
    assert "CLITEST_DEFAULT" not in os.environ
    invoke(["-e", str(given), "--help"], env={variable: "1"})
    assert os.environ["CLITEST_GIVEN"] == "1" and "CLITEST_DEFAULT" not in os.environ


def test_group_with_load_dotenv_off(isolated_process):
    _write(isolated_process / ".env", "CLITEST_DEFAULT=1\n")
    CliRunner().invoke(ErlenGroup(load_dotenv=False), ["--help"])
    assert "CLITEST_DEFAULT" not in os.environ


# -- --version, python -m erlen -----------------------------------------------------------------


def test_version():
    import platform
    from importlib.metadata import version

    import erlen

    result = invoke(["--version"])
    assert result.exit_code == 0
    assert result.output == (
        f"Python {platform.python_version()}\nErlen {erlen.__version__}\n"
        f"Uvicorn {version('uvicorn')}\n"
    )


def test_python_dash_m_erlen(apps, isolated_process):
    completed = subprocess.run(
        [sys.executable, "-m", "erlen", "--app", str(apps / "cliapp_hello.py"), "greet"],
        capture_output=True,
        text=True,
        cwd=isolated_process,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "hello world from cliapp_hello\n"


# -- with_appcontext and AppGroup -----------------------------------------------------------------


def test_with_appcontext_loads_the_app_once():
    app = Erlen("ctx")

    @click.command()
    @with_appcontext
    def probe():
        click.echo(current_app.name)

    assert CliRunner().invoke(probe, obj=ScriptInfo(create_app=lambda: app)).output == "ctx\n"
    with app.app_context():  # an active context is used as it is
        other = ScriptInfo(create_app=lambda: pytest.fail("must not load"))
        assert CliRunner().invoke(probe, obj=other).output == "ctx\n"


def test_app_group_wraps_commands_and_makes_app_subgroups():
    app = Erlen("grouped")
    group = AppGroup("tools")

    @group.command()
    def inside():
        click.echo(f"inside: {has_app_context()}")

    @group.command(with_appcontext=False)
    def outside():
        click.echo(f"outside: {has_app_context()}")

    @group.group()
    def nested():
        pass

    @nested.command()
    def deep():
        click.echo(f"deep: {current_app.name}")

    assert isinstance(nested, AppGroup)
    app.cli.add_command(group)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tools", "inside"]).output == "inside: True\n"
    assert runner.invoke(args=["tools", "outside"]).output == "outside: False\n"
    assert runner.invoke(args=["tools", "nested", "deep"]).output == "deep: grouped\n"


def test_app_group_matches_flask_for_the_same_commands():
    outputs = []
    for module, app_class in ((flask, flask.Flask), (sys.modules["erlen"], Erlen)):
        app = app_class("same")

        @app.cli.command("show")
        @click.argument("word")
        def show(word, module=module):
            click.echo(f"{word} {module.current_app.name} {module.has_app_context()}")

        outputs.append(app.test_cli_runner().invoke(args=["show", "x"]).output)
    assert outputs[0] == outputs[1] == "x same True\n"


# -- ErlenCliRunner -------------------------------------------------------------------------------


def test_test_cli_runner_defaults_to_the_apps_cli():
    app = Erlen("runner")

    @app.cli.command()
    @pass_script_info
    def info(script_info):
        click.echo(script_info.load_app() is app)

    runner = app.test_cli_runner()
    assert isinstance(runner, ErlenCliRunner)
    assert runner.app is app
    assert runner.invoke(args=["info"]).output == "True\n"
    assert FlaskCliRunner is ErlenCliRunner


def test_test_cli_runner_with_another_command_obj_and_runner_options():
    app = Erlen("runner")

    @click.command()
    @click.argument("word")
    @with_appcontext
    def echo(word):
        click.echo(f"{word} {current_app.name} {os.environ.get('CLITEST_RUNNER')}")

    runner = app.test_cli_runner(env={"CLITEST_RUNNER": "set"})
    assert runner.invoke(echo, ["hi"]).output == "hi runner set\n"
    other = Erlen("other")
    result = runner.invoke(echo, ["hi"], obj=ScriptInfo(create_app=lambda: other))
    assert result.output == "hi other set\n"


def test_test_cli_runner_class_can_be_replaced():
    class MyRunner(ErlenCliRunner):
        pass

    class MyApp(Erlen):
        test_cli_runner_class = MyRunner

    assert type(MyApp("mine").test_cli_runner()) is MyRunner
