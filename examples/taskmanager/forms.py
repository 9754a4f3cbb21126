"""The HTML forms.  Each carries a CSRF token (erlen.forms.Form) and validates on the
server; the HTML attributes (required, maxlength) only help the browser help the user."""

from __future__ import annotations

from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from erlen.forms import Form

from .extensions import db
from .models import User

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice as _Choice
except ImportError:  # WTForms < 3.3: tuples are the way

    def _Choice(value: str, label: str) -> tuple[str, str]:  # type: ignore[misc]
        return (value, label)


USERNAME_RULE = r"^[a-z0-9_.-]+$"
PRIORITY_CHOICES = [_Choice("low", "Low"), _Choice("medium", "Medium"), _Choice("high", "High")]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _lower(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


class RegisterForm(Form):
    username = StringField(
        "Username",
        filters=[_lower],
        validators=[
            DataRequired(message="Choose a username."),
            Length(min=3, max=32, message="Use 3 to 32 characters."),
            Regexp(USERNAME_RULE, message="Use letters, digits, dots, dashes and underscores."),
        ],
        description="3–32 characters: letters, digits, . _ -",
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(message="Choose a password."),
            Length(min=8, max=128, message="Use at least 8 characters."),
        ],
        description="At least 8 characters.",
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[
            DataRequired(message="Repeat the password."),
            EqualTo("password", message="The passwords do not match."),
        ],
    )

    def validate_username(self, field: StringField) -> None:
        taken = db.session.execute(db.select(User.id).filter_by(username=field.data)).first()
        if taken is not None:
            raise ValidationError("That username is taken.")


class LoginForm(Form):
    username = StringField(
        "Username", filters=[_lower], validators=[DataRequired(message="Enter your username.")]
    )
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])


class TaskForm(Form):
    title = StringField(
        "Title",
        filters=[_strip],
        validators=[
            DataRequired(message="Title is required."),
            Length(max=200, message="Keep the title under 200 characters."),
        ],
        render_kw={"placeholder": "What needs to be done?"},
    )
    description = TextAreaField(
        "Description",
        filters=[_strip],
        validators=[Optional(), Length(max=2000, message="Keep it under 2000 characters.")],
        render_kw={"placeholder": "Add details (optional)", "rows": 4},
    )
    priority = SelectField(
        "Priority",
        choices=PRIORITY_CHOICES,
        default="medium",
        validate_choice=True,
    )


class PostForm(Form):
    title = StringField(
        "Title",
        filters=[_strip],
        validators=[DataRequired(message="Give the post a title."), Length(max=200)],
    )
    summary = StringField(
        "Summary",
        filters=[_strip],
        validators=[Optional(), Length(max=300)],
        description="One sentence for the post list (optional).",
    )
    content = TextAreaField(
        "Content",
        filters=[_strip],
        validators=[DataRequired(message="Write something."), Length(max=20000)],
        render_kw={"rows": 10},
    )
