"""``erlen url`` and ``erlen routes --json``."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from click.testing import CliRunner

from erlen import Erlen
from erlen.cli import ScriptInfo
from erlen.commands import cli, routes_command, url_command


def make_app(**config):
    app = Erlen("cli_urls_app")
    app.config.update({"SECRET_KEY": "cli secret", **config})

    @app.route("/")
    def index():
        return "home"

    @app.route("/post/<int:post_id>", methods=["GET", "POST"])
    def post(post_id):
        return "post"

    @app.route("/user/<name>", subdomain="")
    def user(name):
        return "user"

    @app.route("/page/", defaults={"page": 1})
    @app.route("/page/<int:page>")
    def pages(page):
        return "page"

    @app.websocket("/live")
    def live(ws):
        return None

    return app


def invoke(command, app, *args):
    return CliRunner().invoke(command, list(args), obj=ScriptInfo(create_app=lambda: app))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["index"], "/"),
        (["post", "post_id=42"], "/post/42"),
        (["post", "post_id=42", "q=a b", "tag=x", "tag=y"], "/post/42?q=a+b&tag=x&tag=y"),
        (["user", "name=ada lovelace"], "/user/ada%20lovelace"),
        (["pages"], "/page/"),
        (["pages", "page=2"], "/page/2"),
        (["index", "--external"], "http://localhost/"),
        (["index", "--scheme", "https"], "https://localhost/"),
        (["index", "--anchor", "top"], "/#top"),
        (["post", "post_id=1", "--method", "POST"], "/post/1"),
    ],
)
def test_erlen_url_prints_what_url_for_builds(args, expected):
    result = invoke(url_command, make_app(), *args)
    assert result.exit_code == 0, result.output
    assert result.output == f"{expected}\n"


def test_erlen_url_uses_the_configured_server_name():
    app = make_app(SERVER_NAME="example.com", PREFERRED_URL_SCHEME="https", APPLICATION_ROOT="/app")
    result = invoke(url_command, app, "post", "post_id=7", "--external")
    assert result.output == "https://example.com/app/post/7\n"
    assert invoke(url_command, app, "post", "post_id=7").output == "/app/post/7\n"


def test_erlen_url_signs_links_for_emails():
    app = make_app(SERVER_NAME="example.com")
    result = invoke(url_command, app, "post", "post_id=7", "--external", "--expires", "3600")
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    parts = urlsplit(url)
    assert parts.netloc == "example.com" and parts.path == "/post/7"
    assert [name for name, _ in parse_qsl(parts.query)] == ["expires", "signature"]
    with app.test_request_context(f"{parts.path}?{parts.query}"):
        from erlen import request

        assert request.has_valid_signature()
    plain = invoke(url_command, app, "post", "post_id=7", "--sign").output.strip()
    assert plain.startswith("/post/7?signature=")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere"], "Could not build url for endpoint 'nowhere'"),
        (["post"], "post_id"),
        (["post", "post_id=abc"], "post_id"),
        (["index", "novalue"], "'novalue' is not key=value"),
        (["index", "=x"], "is not key=value"),
    ],
)
def test_erlen_url_errors_are_reported(args, message):
    result = invoke(url_command, make_app(), *args)
    assert result.exit_code != 0
    assert message in result.output


def test_erlen_url_sign_without_secret_key_fails_clearly():
    result = invoke(url_command, make_app(SECRET_KEY=None), "index", "--sign")
    assert result.exit_code == 1
    assert "SECRET_KEY" in result.output


def test_routes_json_lists_every_rule():
    app = make_app()
    result = invoke(routes_command, app, "--json")
    assert result.exit_code == 0, result.output
    routes = json.loads(result.output)
    assert [route["endpoint"] for route in routes] == sorted(route["endpoint"] for route in routes)
    by_rule = {route["rule"]: route for route in routes}
    assert set(by_rule) == {rule.rule for rule in app.url_map.iter_rules()}
    assert by_rule["/post/<int:post_id>"] == {
        "endpoint": "post",
        "methods": ["GET", "POST"],
        "rule": "/post/<int:post_id>",
        "subdomain": None,
        "arguments": ["post_id"],
        "defaults": None,
        "websocket": False,
    }
    assert by_rule["/page/"]["defaults"] == {"page": 1}
    assert by_rule["/live"]["websocket"] is True
    assert by_rule["/static/<path:filename>"]["endpoint"] == "static"


def test_routes_json_options():
    app = make_app()
    all_methods = json.loads(invoke(routes_command, app, "--json", "--all-methods").output)
    post = next(route for route in all_methods if route["endpoint"] == "post")
    assert post["methods"] == ["GET", "HEAD", "OPTIONS", "POST"]
    by_rule = json.loads(invoke(routes_command, app, "--json", "--sort", "rule").output)
    assert [route["rule"] for route in by_rule] == sorted(route["rule"] for route in by_rule)
    match = json.loads(invoke(routes_command, app, "--json", "--sort", "match").output)
    assert [route["rule"] for route in match] == [rule.rule for rule in app.url_map.iter_rules()]
    empty = Erlen("empty_cli_app", static_folder=None)
    assert json.loads(invoke(routes_command, empty, "--json").output) == []


def test_routes_json_with_host_matching():
    app = Erlen("host_cli_app", host_matching=True, static_host="static.example")
    app.add_url_rule("/", "home", lambda: "", host="www.example")
    routes = json.loads(invoke(routes_command, app, "--json").output)
    assert {route["endpoint"]: route["host"] for route in routes} == {
        "home": "www.example",
        "static": "static.example",
    }


def test_routes_text_output_is_unchanged():
    app = make_app()
    text = invoke(routes_command, app).output
    assert text.splitlines()[0].split() == ["Endpoint", "Methods", "Rule"]


def test_new_commands_are_listed():
    result = CliRunner().invoke(cli, ["--help"])
    assert "check" in result.output and "url" in result.output
