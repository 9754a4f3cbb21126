"""docs/forms.md: its code parses, and its Bootstrap macro renders as described."""

from __future__ import annotations

import ast
import re
from io import BytesIO
from pathlib import Path

import pytest
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from erlen import Erlen, render_template_string
from erlen.forms import FileAllowed, FileField, Form

DOC = Path(__file__).resolve().parents[2] / "docs" / "forms.md"
_BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def _blocks(language: str) -> list[str]:
    return [body for lang, body in _BLOCK.findall(DOC.read_text()) if lang == language]


@pytest.mark.parametrize("source", _blocks("python"))
def test_python_examples_parse(source: str) -> None:
    ast.parse(source)


def _macro() -> str:
    (macro,) = [b for b in _blocks("html") if b.startswith("{# templates/macros/forms.html #}")]
    return macro


class SignupForm(Form):
    email = StringField("Email", validators=[DataRequired(), Email()])
    bio = TextAreaField("Bio", validators=[Length(max=5)])
    country = SelectField("Country", choices=[("", "--"), ("ca", "Canada")])
    agree = BooleanField("I agree", validators=[DataRequired(message="You must accept.")])
    avatar = FileField("Avatar", validators=[FileAllowed(["png"], "Images only.")])


def _render(data: dict[str, object] | None) -> str:
    app = Erlen(__name__)
    app.config.update(SECRET_KEY="docs", WTF_CSRF_ENABLED=False)
    template = _macro() + (
        "{{ render_field(form.email, placeholder='you@example.com') }}"
        "{{ render_field(form.bio) }}{{ render_field(form.country) }}"
        "{{ render_field(form.agree) }}{{ render_field(form.avatar) }}"
    )
    method = "POST" if data is not None else "GET"
    with app.test_request_context(method=method, data=data or {}):
        form = SignupForm()
        form.validate_on_submit()
        return render_template_string(template, form=form)


def test_macro_without_errors() -> None:
    html = _render(None)
    assert "is-invalid" not in html
    assert "invalid-feedback" not in html
    assert 'placeholder="you@example.com"' in html
    assert (
        '<textarea class="form-control" id="bio" maxlength="5" name="bio" placeholder="" rows="5">'
        in html
    )
    assert '<select class="form-select" id="country" name="country">' in html
    assert (
        '<input class="form-check-input" id="agree" name="agree" required type="checkbox"' in html
    )
    assert '<label class="form-check-label" for="agree">I agree</label>' in html
    assert '<input class="form-control" id="avatar" name="avatar" type="file">' in html


def test_macro_marks_errors() -> None:
    html = _render({"email": "nope", "bio": "far too long", "avatar": (BytesIO(b"x"), "a.exe")})
    for message in [
        "Invalid email address.",
        "Field cannot be longer than 5 characters.",
        "Not a valid choice.",
        "You must accept.",
        "Images only.",
    ]:
        assert f'<div class="invalid-feedback d-block">{message}</div>' in html
    assert html.count("is-invalid") == 5
    assert 'class="form-control is-invalid" id="email"' in html
    assert 'class="form-check-input is-invalid" id="agree"' in html
