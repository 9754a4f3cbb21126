"""Forms with CSRF protection and file uploads: Flask-WTF's API on WTForms 3.

Install with ``pip install erlen[forms]``.  A Flask-WTF app ports by changing
imports::

    from erlen.forms import Form            # FlaskForm is kept as an alias
    from erlen.forms import CSRFProtect, FileField, FileAllowed, FileRequired

Fields and validators are WTForms' own (``from wtforms import StringField``).
"""

from __future__ import annotations

try:
    import wtforms  # noqa: F401
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "erlen.forms needs WTForms; install it with: pip install 'erlen[forms]'"
    ) from e

from .csrf import CSRFError, CSRFProtect, csrf_meta_tag, generate_csrf, validate_csrf
from .file import (
    FileAllowed,
    FileField,
    FileRequired,
    FileSize,
    MultipleFileField,
    file_allowed,
    file_required,
    file_size,
)
from .form import FlaskForm, Form
from .recaptcha import Recaptcha, RecaptchaField, RecaptchaWidget

__all__ = [
    "CSRFError",
    "CSRFProtect",
    "FileAllowed",
    "FileField",
    "FileRequired",
    "FileSize",
    "FlaskForm",
    "Form",
    "MultipleFileField",
    "Recaptcha",
    "RecaptchaField",
    "RecaptchaWidget",
    "csrf_meta_tag",
    "file_allowed",
    "file_required",
    "file_size",
    "generate_csrf",
    "validate_csrf",
]
