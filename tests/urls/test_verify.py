"""Verified URLs: ``app.check_urls()``, ``erlen check`` and ``assert_urls_verified``.

The fixture applications under ``apps/`` mark each faulty call with an ``expect:``
comment; the checks must report exactly those findings, once each, at those lines.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from erlen import Blueprint, Erlen
from erlen.cli import ScriptInfo
from erlen.commands import check_command
from erlen.verify import (
    DYNAMIC,
    ERROR,
    UNVERIFIABLE,
    WARNING,
    Findings,
    assert_urls_verified,
    check_app,
    collect_calls,
)

from .conftest import APPS, expected_markers


def found(findings: Findings) -> set[tuple[str, str, int]]:
    return {
        (finding.code, finding.file, finding.line)
        for finding in findings
        if finding.severity != UNVERIFIABLE
    }


# -- the fixture applications ------------------------------------------------------------


def test_clean_app_has_no_errors_and_lists_computed_endpoints(load_app):
    app = load_app("verify_clean")
    findings = app.check_urls()
    assert findings.ok
    assert findings.errors == [] and findings.warnings == []
    unverifiable = {(f.file, f.line, f.call) for f in findings.unverifiable}
    assert unverifiable == {
        (str(APPS / "verify_clean" / "__init__.py"), 37, "url_for(endpoint_name)"),
        (
            str(APPS / "verify_clean" / "templates" / "index.html"),
            8,
            "{{ url_for(next_endpoint) }}",
        ),
    }
    # Every call was read: the module, the blueprint module and both templates.
    assert findings.files == 4
    assert findings.calls == 20


def test_clean_app_ignores_comments_raw_blocks_and_text(load_app):
    app = load_app("verify_clean")
    calls, _, _ = collect_calls(app, python=False)
    template = str(APPS / "verify_clean" / "templates" / "index.html")
    lines = sorted(call.line for call in calls if call.file == template)
    assert lines == [1, 2, 3, 4, 8, 9]  # not lines 5-7 (comment, raw, plain text)


def test_broken_app_reports_each_mistake_once_at_its_line(load_app):
    app = load_app("verify_broken")
    findings = app.check_urls()
    expected = expected_markers("verify_broken")
    assert found(findings) == expected
    assert len([f for f in findings if f.severity != UNVERIFIABLE]) == len(expected)
    kinds = {finding.code for finding in findings}
    assert kinds == {
        "unknown-endpoint",
        "unknown-relative-endpoint",
        "missing-values",
        "rejected-value",
        "scheme-without-external",
        "expires-without-sign",
        "unknown-option",
        "method-not-allowed",
        "missing-static-file",
    }
    assert not findings.ok
    assert {f.code for f in findings.warnings} == {"missing-static-file"}


def test_blueprint_app_resolves_relative_names_per_owner(load_app):
    app = load_app("verify_blueprints")
    findings = app.check_urls()
    assert found(findings) == expected_markers("verify_blueprints")
    assert findings.unverifiable == []


def test_findings_say_what_and_how_to_fix(load_app):
    app = load_app("verify_broken")
    by_line = {(f.code, f.line): f for f in app.check_urls()}
    typo = by_line[("unknown-endpoint", 1)]
    assert typo.message == "no route has the endpoint 'shwo_post'"
    assert typo.fix == "did you mean 'show_post'?"
    assert typo.call == "{{ url_for('shwo_post', post_id=1) }}"
    missing = by_line[("missing-values", 14)]
    assert "is missing the value 'post_id'" in missing.message
    assert "'/post/<int:post_id>'" in missing.message
    assert missing.fix == "pass post_id=..."
    rejected = by_line[("rejected-value", 2)]
    assert "post_id='abc'" in rejected.message and "<int:post_id>" in rejected.message
    assert rejected.fix == "pass a value the converter accepts, e.g. post_id=1"
    option = by_line[("unknown-option", 35)]
    assert option.fix == "did you mean '_external'?"
    relative = by_line[("unknown-relative-endpoint", 8)]
    assert "in blueprint 'shop', '.basket' means 'shop.basket'" in relative.message
    assert relative.file.endswith("shop.py")


def test_multiline_calls_are_shown_on_one_line(load_app):
    app = load_app("verify_broken")
    finding = next(f for f in app.check_urls() if f.line == 37)
    assert finding.call == "url_for('show_post', post_id=-1)"


def test_relative_suggestions_stay_in_the_blueprint(load_app):
    app = load_app("verify_blueprints")
    finding = next(f for f in app.check_urls() if f.file.endswith("v1/__init__.py"))
    assert finding.fix == "use one of the blueprint's endpoints ('.status'), or add the route"


# -- the checks one by one, on small apps written here --------------------------------


def write_app(tmp_path, monkeypatch, module_source: str, templates: dict[str, str] | None = None):
    """An app module in *tmp_path* (with its templates folder), imported."""
    import importlib
    import sys

    templates = templates or {}
    name = f"tmp_verify_app_{abs(hash((module_source, tuple(templates.items()))))}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(module_source), encoding="utf-8")
    for template, text in templates.items():
        path = tmp_path / "templates" / template
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module(name)
    monkeypatch.setitem(sys.modules, name, module)
    return module.app


APP_HEADER = """\
from erlen import Erlen, url_for
app = Erlen(__name__)

@app.route("/")
def index():
    return ""

@app.route("/item/<int(min=1, max=99):item_id>")
def item(item_id):
    return ""

@app.route("/doc/<uuid:doc_id>")
def doc(doc_id):
    return ""

@app.route("/tab/<any(one, two):tab>")
def tab(tab):
    return ""

@app.route("/page/", defaults={"page": 1})
@app.route("/page/<int:page>")
def pages(page):
    return ""
"""


def codes_at(findings, line):
    return sorted(f.code for f in findings if f.line == line and f.severity != UNVERIFIABLE)


@pytest.mark.parametrize(
    ("call", "codes"),
    [
        ('url_for("index")', []),
        ('url_for("item", item_id=5)', []),
        ('url_for("item", item_id=0)', ["rejected-value"]),  # below min: to_python refuses
        ('url_for("item", item_id=100)', ["rejected-value"]),
        ('url_for("item", item_id="7")', []),  # int("7") works, as at run time
        ('url_for("item", item_id=1.5)', []),  # int(1.5) is 1: builds /item/1
        ('url_for("item", item_id="x")', ["rejected-value"]),
        ('url_for("doc", doc_id="not-a-uuid")', ["rejected-value"]),
        ('url_for("doc", doc_id="12345678-1234-1234-1234-123456789abc")', []),
        ('url_for("tab", tab="three")', ["rejected-value"]),
        ('url_for("tab", tab="two")', []),
        ('url_for("pages")', []),  # the rule with a default
        ('url_for("pages", page=3)', []),
        ('url_for("item")', ["missing-values"]),
        ('url_for("item", item_id=None)', ["missing-values"]),  # None values are dropped
        ('url_for("item", **values)', []),  # values may come at run time
        ('url_for("item", item_id=some_id)', []),  # not a literal: not judged
        ('url_for("index", q="search", page=[1, 2])', []),  # the query
        ('url_for("index", _scheme="https", _external=True)', []),
        ('url_for("index", _scheme="https")', ["scheme-without-external"]),
        ('url_for("index", _scheme="https", _external=flag)', []),
        ('url_for("index", _sign=True, _expires=60)', []),
        ('url_for("index", _expires=60)', ["expires-without-sign"]),
        ('url_for("index", _expires=None)', []),  # None: no expiry, no error
        ('url_for("index", _scheme=None)', []),
        ('url_for("index", _expires=delay, _sign=sign)', []),  # not literals: not judged
        ('url_for("index", _ancor="top")', ["unknown-option"]),
        ('url_for("index", _private="kept as a query value")', []),
        ('url_for("index", _method="POST")', ["method-not-allowed"]),
        ('url_for("indx")', ["unknown-endpoint"]),
        ('url_for(".index")', []),  # an app module: '.index' is 'index'
        ('url_for(endpoint="item", item_id=2)', []),
        ('url_for(endpoint="nope")', ["unknown-endpoint"]),
    ],
)
def test_python_checks(tmp_path, monkeypatch, call, codes):
    source = APP_HEADER + f"\ndef links(values, some_id, flag, delay, sign):\n    return {call}\n"
    app = write_app(tmp_path, monkeypatch, source)
    line = source.count("\n")  # the call is on the last line
    assert codes_at(check_app(app, templates=False), line) == codes


@pytest.mark.parametrize(
    ("call", "codes"),
    [
        ("{{ url_for('item', item_id=3) }}", []),
        ("{{ url_for('item', item_id=-3) }}", ["rejected-value"]),
        ("{{ url_for('item', item_id='abc') }}", ["rejected-value"]),
        ("{{ url_for('item') }}", ["missing-values"]),
        ("{{ url_for('item', **kwargs) }}", []),
        ("{{ url_for('tab', tab=['one']) }}", ["rejected-value"]),
        ("{{ url_for('index', _external=true, _scheme='https') }}", []),
        ("{{ url_for('index', _scheme='https') }}", ["scheme-without-external"]),
        ("{% set u = url_for('nothing') %}{{ u }}", ["unknown-endpoint"]),
        ("{% if x %}{{ url_for('indexx') }}{% endif %}", ["unknown-endpoint"]),
        ("{{ url_for('index') ~ url_for('item', item_id=1) }}", []),
        ("{{ url_for('static', filename='none.css') }}", ["missing-static-file"]),
    ],
)
def test_template_checks(tmp_path, monkeypatch, call, codes):
    app = write_app(tmp_path, monkeypatch, APP_HEADER, {"page.html": f"first line\n{call}\n"})
    assert codes_at(check_app(app, python=False), 2) == codes


def test_python_aliases_and_app_objects_are_recognised(tmp_path, monkeypatch):
    source = """\
    import erlen
    from erlen import Erlen, current_app
    from erlen import url_for as link

    if False:  # read by the scanner, never run (Flask need not be installed)
        import flask as fl
        from flask import url_for as flask_link

    site = Erlen(__name__)
    app = site

    def calls():
        return [
            erlen.url_for("a1"),
            fl.url_for("a2"),
            current_app.url_for("a3"),
            site.url_for("a4"),
            app.url_for("a5"),
            link("a6"),
            flask_link("a7"),
            erlen.current_app.url_for("a8"),
            other.url_for("not-counted"),
            self.url_for("not-counted"),
            helper("url_for('not-counted')"),
        ]
    """
    app = write_app(tmp_path, monkeypatch, source)
    calls, _, _ = collect_calls(app, templates=False)
    assert sorted(call.endpoint for call in calls) == [f"a{n}" for n in range(1, 9)]


def test_dynamic_endpoints_are_unverifiable_not_errors(tmp_path, monkeypatch):
    source = APP_HEADER + (
        "\ndef links(name, n):\n"
        "    return [url_for(name), url_for(f'item{n}'), url_for('it' + 'em', item_id=1)]\n"
    )
    app = write_app(tmp_path, monkeypatch, source)
    findings = check_app(app, templates=False)
    assert findings.ok
    assert [f.code for f in findings.unverifiable] == ["dynamic-endpoint"] * 3
    assert {f.call for f in findings.unverifiable} == {
        "url_for(name)",
        "url_for(f'item{n}')",
        "url_for('it' + 'em', item_id=1)",
    }


def test_literal_values_are_read_without_running_code(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    source = APP_HEADER + (
        "\ndef links():\n"
        f"    return url_for('item', item_id=open({str(marker)!r}, 'w').write('x'))\n"
    )
    app = write_app(tmp_path, monkeypatch, source)
    calls, _, _ = collect_calls(app, templates=False)
    assert [call.values for call in calls] == [{"item_id": DYNAMIC}]
    assert not marker.exists()


def test_url_defaults_make_missing_values_unknowable(tmp_path, monkeypatch):
    source = """\
    from erlen import Erlen, url_for
    app = Erlen(__name__)

    @app.route("/<lang>/about")
    def about(lang):
        return url_for("about")

    @app.url_defaults
    def add_language(endpoint, values):
        values.setdefault("lang", "en")
    """
    app = write_app(tmp_path, monkeypatch, source)
    assert check_app(app, templates=False).errors == []


def test_unparsable_files_are_warnings(tmp_path, monkeypatch):
    app = write_app(tmp_path, monkeypatch, APP_HEADER, {"bad.html": "{% if %}\n", "good.html": "x"})
    bad = tmp_path / "broken_module.py"
    bad.write_text("def (:\n", encoding="utf-8")
    findings = check_app(app, paths=[str(bad)])
    codes = {(f.code, f.severity) for f in findings}
    assert ("template-syntax-error", WARNING) in codes
    assert ("module-unparsable", WARNING) in codes
    assert findings.ok


def test_extra_paths_are_scanned(tmp_path, monkeypatch):
    app = write_app(tmp_path, monkeypatch, APP_HEADER)
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "mail.py").write_text("from erlen import url_for\nurl_for('gone')\n")
    findings = check_app(app, paths=[str(scripts)], python=False, templates=False)
    assert [(f.code, f.line) for f in findings] == [("unknown-endpoint", 2)]


def test_blueprint_in_same_module_as_app(tmp_path, monkeypatch):
    source = """\
    from erlen import Blueprint, Erlen, url_for
    app = Erlen(__name__)
    bp = Blueprint("shop", __name__)

    @bp.route("/cart")
    def cart():
        return url_for(".cart") + url_for(".checkout")

    app.register_blueprint(bp)
    """
    app = write_app(tmp_path, monkeypatch, source)
    findings = check_app(app, templates=False)
    # The module is the app's and the blueprint's: '.cart' is found (as 'shop.cart'),
    # '.checkout' is nowhere.
    assert [(f.code, f.line) for f in findings] == [("unknown-relative-endpoint", 7)]
    assert "'.checkout' means 'checkout'" in findings[0].message


# -- assert_urls_verified, for a project's pytest suite ----------------------------------


def test_assert_urls_verified_passes_on_a_clean_app(load_app):
    findings = assert_urls_verified(load_app("verify_clean"))
    assert findings.ok


def test_assert_urls_verified_lists_every_error(load_app):
    with pytest.raises(AssertionError) as info:
        assert_urls_verified(load_app("verify_broken"))
    message = str(info.value)
    assert message.count("error:") == 15
    assert "broken.html:1: error: no route has the endpoint 'shwo_post'" in message
    assert "15 errors, 1 warning" in message


def test_assert_urls_verified_strict_fails_on_warnings(tmp_path, monkeypatch):
    app = write_app(
        tmp_path, monkeypatch, APP_HEADER, {"p.html": "{{ url_for('static', filename='x') }}"}
    )
    assert_urls_verified(app)
    with pytest.raises(AssertionError, match="missing-static-file"):
        assert_urls_verified(app, strict=True)


# -- erlen check ---------------------------------------------------------------------------


def run_check(app, *args):
    runner = CliRunner()
    return runner.invoke(check_command, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_erlen_check_exits_zero_on_a_clean_app(load_app):
    result = run_check(load_app("verify_clean"))
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings, 2 unverifiable in 20 url_for calls (4 files)" in result.output
    assert "dynamic-endpoint" in result.output
    quiet = run_check(load_app("verify_clean"), "--no-unverifiable")
    assert "dynamic-endpoint" not in quiet.output


def test_erlen_check_exits_one_on_errors(load_app):
    result = run_check(load_app("verify_broken"))
    assert result.exit_code == 1
    assert "templates/broken.html:1: error: no route has the endpoint 'shwo_post'" in (
        result.output
    )
    assert "    fix: did you mean 'show_post'?" in result.output


def test_erlen_check_json_and_strict(tmp_path, monkeypatch, load_app):
    result = run_check(load_app("verify_broken"), "--json")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["ok"] is False
    assert document["errors"] == 15 and document["warnings"] == 1
    first = document["findings"][0]
    assert set(first) == {"code", "severity", "file", "line", "call", "message", "fix", "endpoint"}
    app = write_app(
        tmp_path, monkeypatch, APP_HEADER, {"p.html": "{{ url_for('static', filename='x') }}"}
    )
    assert run_check(app).exit_code == 0
    assert run_check(app, "--strict").exit_code == 1
    assert run_check(app, "--no-templates").output.startswith("0 errors, 0 warnings")


def test_erlen_check_from_the_command_line(load_app, monkeypatch):
    from erlen.commands import cli

    monkeypatch.syspath_prepend(str(APPS))
    runner = CliRunner()
    clean = runner.invoke(cli, ["--app", "verify_clean", "check"])
    assert clean.exit_code == 0, clean.output
    broken = runner.invoke(cli, ["--app", "verify_broken", "check"])
    assert broken.exit_code == 1


def test_check_urls_on_an_app_without_templates_or_modules():
    app = Erlen("no_such_module_anywhere", root_path="/nonexistent")
    findings = app.check_urls()
    assert findings.ok and findings.calls == 0 and list(findings) == []


def test_findings_sort_errors_first_and_summarise(load_app):
    findings = load_app("verify_broken").check_urls()
    severities = [finding.severity for finding in findings]
    assert severities == sorted(severities, key=[ERROR, WARNING, UNVERIFIABLE].index)
    assert findings.summary() == (
        "15 errors, 1 warning, 0 unverifiable in 17 url_for calls (3 files)"
    )


def test_blueprint_registered_without_module_is_still_checked(tmp_path, monkeypatch):
    """A blueprint made in a test (import name not a real module) has no module to scan,
    but its routes are still known to the checker."""
    app = write_app(tmp_path, monkeypatch, APP_HEADER)
    bp = Blueprint("ghost", "no.such.module", root_path=str(tmp_path))
    bp.add_url_rule("/ghost", "page", lambda: "")
    app.register_blueprint(bp)
    scripts = tmp_path / "extra.py"
    scripts.write_text("from erlen import url_for\nurl_for('ghost.page')\nurl_for('ghost.pag')\n")
    findings = check_app(app, paths=[str(scripts)], templates=False)
    assert [(f.code, f.line, f.fix) for f in findings if f.file == str(scripts)] == [
        ("unknown-endpoint", 3, "did you mean 'ghost.page'?")
    ]
