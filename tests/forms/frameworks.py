"""The two stacks the forms tests run on: Flask + Flask-WTF (the oracle) and erlen.

A test defines its forms and app once against a :class:`Stack` (``fw.Form``,
``fw.FileField``, ``fw.App``...) and runs them on both; the results must agree.
"""

from __future__ import annotations

import re
import types
from io import BytesIO
from typing import Any

import pytest


class Stack(types.SimpleNamespace):
    """The names a forms test may use, from one framework."""

    name: str


def flask_stack() -> Stack:
    import flask
    import flask_wtf
    import flask_wtf.csrf
    import flask_wtf.file
    from werkzeug.datastructures import FileStorage
    from werkzeug.exceptions import BadRequest
    from werkzeug.utils import secure_filename

    return Stack(
        name="flask",
        App=flask.Flask,
        Blueprint=flask.Blueprint,
        request=flask.request,
        session=flask.session,
        g=flask.g,
        jsonify=flask.jsonify,
        render_template_string=flask.render_template_string,
        Form=flask_wtf.FlaskForm,
        FileField=flask_wtf.file.FileField,
        MultipleFileField=flask_wtf.file.MultipleFileField,
        FileRequired=flask_wtf.file.FileRequired,
        FileAllowed=flask_wtf.file.FileAllowed,
        FileSize=flask_wtf.file.FileSize,
        FileStorage=FileStorage,
        CSRFProtect=flask_wtf.csrf.CSRFProtect,
        CSRFError=flask_wtf.csrf.CSRFError,
        generate_csrf=flask_wtf.csrf.generate_csrf,
        validate_csrf=flask_wtf.csrf.validate_csrf,
        BadRequest=BadRequest,
        secure_filename=secure_filename,
    )


def erlen_stack() -> Stack:
    import erlen
    import erlen.forms
    from erlen.datastructures import FileStorage
    from erlen.exceptions import BadRequest
    from erlen.utils import secure_filename

    return Stack(
        name="erlen",
        App=erlen.Erlen,
        Blueprint=erlen.Blueprint,
        request=erlen.request,
        session=erlen.session,
        g=erlen.g,
        jsonify=erlen.jsonify,
        render_template_string=erlen.render_template_string,
        Form=erlen.forms.Form,
        FileField=erlen.forms.FileField,
        MultipleFileField=erlen.forms.MultipleFileField,
        FileRequired=erlen.forms.FileRequired,
        FileAllowed=erlen.forms.FileAllowed,
        FileSize=erlen.forms.FileSize,
        FileStorage=FileStorage,
        CSRFProtect=erlen.forms.CSRFProtect,
        CSRFError=erlen.forms.CSRFError,
        generate_csrf=erlen.forms.generate_csrf,
        validate_csrf=erlen.forms.validate_csrf,
        BadRequest=BadRequest,
        secure_filename=secure_filename,
    )


STACKS = {"flask": flask_stack, "erlen": erlen_stack}

#: Parametrize a test over both stacks: ``@both`` then take a ``stack_name`` argument.
both = pytest.mark.parametrize("stack_name", ["flask", "erlen"])


def stack(name: str) -> Stack:
    return STACKS[name]()


class Upload:
    """A file to send in a submission; a fresh stream is made for every request."""

    def __init__(self, content: bytes, filename: str, content_type: str | None = None) -> None:
        self.content = content
        self.filename = filename
        self.content_type = content_type

    def as_test_value(self) -> tuple[Any, ...]:
        if self.content_type is None:
            return (BytesIO(self.content), self.filename)
        return (BytesIO(self.content), self.filename, self.content_type)

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {len(self.content)} bytes)"


def materialize(data: dict[str, Any]) -> dict[str, Any]:
    """Test-client form data for *data*, with :class:`Upload` values turned into files."""
    result: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Upload):
            result[key] = value.as_test_value()
        elif isinstance(value, list) and any(isinstance(v, Upload) for v in value):
            result[key] = [v.as_test_value() for v in value]
        else:
            result[key] = value
    return result


_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]*)"')


def token_from(html: str) -> str:
    """The CSRF token rendered in *html* by ``hidden_tag()``/``form.csrf_token``."""
    match = _TOKEN.search(html)
    assert match, f"no CSRF token in {html!r}"
    return match.group(1)
