"""Google reCAPTCHA: a field that renders the challenge and a validator that verifies it.

Configured like Flask-WTF: ``RECAPTCHA_PUBLIC_KEY`` (rendering), ``RECAPTCHA_PRIVATE_KEY``
(verifying), and optionally ``RECAPTCHA_ENABLED``, ``RECAPTCHA_VERIFY_SERVER``,
``RECAPTCHA_SCRIPT``, ``RECAPTCHA_PARAMETERS``, ``RECAPTCHA_DATA_ATTRS``,
``RECAPTCHA_DIV_CLASS``, ``RECAPTCHA_HTML``.  Verification is skipped when the app is
in testing mode or ``RECAPTCHA_ENABLED`` is false.  The verify call has a timeout
(``RECAPTCHA_TIMEOUT``, 10 seconds) and a network failure fails validation with a
message instead of crashing the request.
"""

from __future__ import annotations

import json
import logging
import typing as t
from urllib import request as urllib_request
from urllib.parse import urlencode

from markupsafe import Markup, escape
from wtforms import ValidationError
from wtforms.fields import Field
from wtforms.widgets import html_params

from ..globals import current_app, request

__all__ = ["Recaptcha", "RecaptchaField", "RecaptchaWidget", "verify_recaptcha"]

logger = logging.getLogger(__name__)

RECAPTCHA_VERIFY_SERVER_DEFAULT = "https://www.google.com/recaptcha/api/siteverify"
RECAPTCHA_SCRIPT_DEFAULT = "https://www.google.com/recaptcha/api.js"
RECAPTCHA_DIV_CLASS_DEFAULT = "g-recaptcha"
RESPONSE_FIELD = "g-recaptcha-response"

RECAPTCHA_ERROR_CODES = {
    "missing-input-secret": "The secret parameter is missing.",
    "invalid-input-secret": "The secret parameter is invalid or malformed.",
    "missing-input-response": "The response parameter is missing.",
    "invalid-input-response": "The response parameter is invalid or malformed.",
}
UNVERIFIABLE = "The reCAPTCHA could not be verified, please try again."


def verify_recaptcha(
    verify_server: str, private_key: str, response: str, remote_ip: str | None, timeout: float
) -> dict[str, t.Any]:
    """Ask the verify server about *response*; its JSON answer.

    Raises :class:`OSError` (network) or :class:`ValueError` (not JSON).
    """
    body = urlencode({"secret": private_key, "remoteip": remote_ip or "", "response": response})
    with urllib_request.urlopen(verify_server, body.encode("utf-8"), timeout=timeout) as answer:
        result = json.loads(answer.read())
    if not isinstance(result, dict):
        raise ValueError("the verify server did not answer with a JSON object")
    return result


class Recaptcha:
    """Validate the ``g-recaptcha-response`` the browser sent with the form."""

    def __init__(self, message: str | None = None) -> None:
        if message is None:
            message = RECAPTCHA_ERROR_CODES["missing-input-response"]
        self.message = message

    def __call__(self, form: t.Any, field: t.Any) -> bool | None:
        app = current_app
        if app.testing or not app.config.get("RECAPTCHA_ENABLED", True):
            return True
        response: t.Any = ""
        if request.is_json:
            body = request.get_json(silent=True)
            if isinstance(body, dict):
                response = body.get(RESPONSE_FIELD, "")
        else:
            response = request.form.get(RESPONSE_FIELD, "")
        if not response or not isinstance(response, str):
            raise ValidationError(field.gettext(self.message))
        if not self._validate_recaptcha(response, request.remote_addr):
            field.recaptcha_error = "incorrect-captcha-sol"
            raise ValidationError(field.gettext(self.message))
        return None

    def _validate_recaptcha(self, response: str, remote_addr: str | None) -> bool:
        """Whether the verify server accepts *response*; a known error is raised."""
        config = current_app.config
        try:
            private_key = config["RECAPTCHA_PRIVATE_KEY"]
        except KeyError:
            raise RuntimeError("No RECAPTCHA_PRIVATE_KEY config set") from None
        verify_server = config.get("RECAPTCHA_VERIFY_SERVER") or RECAPTCHA_VERIFY_SERVER_DEFAULT
        timeout = config.get("RECAPTCHA_TIMEOUT", 10)
        try:
            result = verify_recaptcha(verify_server, private_key, response, remote_addr, timeout)
        except (OSError, ValueError) as e:
            logger.warning("reCAPTCHA verification failed: %s", e)
            raise ValidationError(UNVERIFIABLE) from e
        if result.get("success"):
            return True
        for error in result.get("error-codes", []):
            if error in RECAPTCHA_ERROR_CODES:
                raise ValidationError(RECAPTCHA_ERROR_CODES[error])
        return False


class RecaptchaWidget:
    """Renders the reCAPTCHA script tag and the ``<div>`` the challenge appears in."""

    def recaptcha_html(self, public_key: str, nonce: t.Any = None, **kwargs: t.Any) -> Markup:
        config = current_app.config
        html = config.get("RECAPTCHA_HTML")
        if html:
            return Markup(html)
        script = config.get("RECAPTCHA_SCRIPT") or RECAPTCHA_SCRIPT_DEFAULT
        params = config.get("RECAPTCHA_PARAMETERS")
        if params:
            script += f"?{urlencode(params)}"
        if callable(nonce):
            nonce = nonce()
        nonce_attribute = f' nonce="{escape(nonce)}"' if nonce else ""
        kwargs.setdefault("class", config.get("RECAPTCHA_DIV_CLASS") or RECAPTCHA_DIV_CLASS_DEFAULT)
        data_attributes = dict(config.get("RECAPTCHA_DATA_ATTRS", {}))
        data_attributes["sitekey"] = public_key
        for name, value in data_attributes.items():
            kwargs.setdefault(f"data-{name}", value)
        return Markup(
            f"\n<script src='{escape(script)}' async defer{nonce_attribute}></script>\n"
            f"<div {html_params(**kwargs)}></div>\n"
        )

    def __call__(self, field: t.Any, error: t.Any = None, **kwargs: t.Any) -> Markup:
        config = current_app.config
        if not config.get("RECAPTCHA_ENABLED", True):
            return Markup("<!-- recaptcha disabled -->")
        try:
            public_key = config["RECAPTCHA_PUBLIC_KEY"]
        except KeyError:
            raise RuntimeError("RECAPTCHA_PUBLIC_KEY config not set") from None
        kwargs.setdefault("id", field.id)
        return self.recaptcha_html(public_key, nonce=field.nonce, **kwargs)


class RecaptchaField(Field):
    """A reCAPTCHA challenge, validated by :class:`Recaptcha` unless told otherwise.

    ``nonce`` (a value or a zero-argument callable) is put on the script tag for a
    nonce-based Content Security Policy.
    """

    widget = RecaptchaWidget()
    #: The verify server's complaint about the last answer, if any.
    recaptcha_error: str | None = None

    def __init__(
        self,
        label: str = "",
        validators: t.Any = None,
        nonce: t.Any = None,
        **kwargs: t.Any,
    ) -> None:
        validators = validators or [Recaptcha()]
        self.nonce = nonce
        super().__init__(label, validators, **kwargs)
