"""Cross-site request forgery protection: session-bound, signed, expiring tokens.

A token is a random value kept in the session, signed with a timestamp (itsdangerous,
keyed by ``WTF_CSRF_SECRET_KEY`` or ``SECRET_KEY``) and embedded in pages.  A request
proves it comes from one of those pages by sending the token back: the signature must
hold, the age must be within ``WTF_CSRF_TIME_LIMIT`` and the value must equal the
session's.  A page of another session, a token kept after logout (the session was
cleared) or one altered in transit fail.  The wire format is Flask-WTF's, so tokens
issued by either validate in the other given the same keys.

:class:`CSRFProtect` checks every unsafe request of an app before its view runs (form
posts, JSON APIs, plain views alike); :class:`FormCSRF` is the per-form check that
:class:`~erlen.forms.Form` uses when the app-wide one is not installed.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import typing as t
from urllib.parse import urlsplit

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from markupsafe import Markup, escape
from wtforms import ValidationError
from wtforms.csrf.core import CSRF

from ..blueprints import Blueprint
from ..exceptions import BadRequest
from ..globals import current_app, g, request, session

if t.TYPE_CHECKING:
    from ..app import Erlen

__all__ = [
    "CSRFError",
    "CSRFProtect",
    "FormCSRF",
    "csrf_meta_tag",
    "generate_csrf",
    "same_origin",
    "validate_csrf",
]

logger = logging.getLogger(__name__)

#: The itsdangerous salt of the token signature (Flask-WTF's, for compatible tokens).
TOKEN_SALT = "wtf-csrf-token"
#: Longer submitted tokens are rejected unread (a real one is under 100 characters).
MAX_TOKEN_LENGTH = 4096

MISSING_TOKEN = "The CSRF token is missing."
MISSING_SESSION_TOKEN = "The CSRF session token is missing."
EXPIRED_TOKEN = "The CSRF token has expired."
INVALID_TOKEN = "The CSRF token is invalid."
MISMATCHED_TOKEN = "The CSRF tokens do not match."
MISSING_REFERRER = "The referrer header is missing."
MISMATCHED_REFERRER = "The referrer does not match the host."

_DEFAULT_PORTS = {"http": 80, "https": 443}
_serializers: dict[t.Any, URLSafeTimedSerializer] = {}


def _setting(
    value: t.Any,
    config_key: str,
    default: t.Any = None,
    required: bool = True,
    message: str = "CSRF is not configured.",
) -> t.Any:
    """*value* if given, else the app's *config_key*, else *default*."""
    if value is None:
        value = current_app.config.get(config_key, default)
    if required and value is None:
        raise RuntimeError(message)
    return value


def _serializer(secret_key: t.Any) -> URLSafeTimedSerializer:
    """The token serializer for *secret_key* (kept, since keys rarely change)."""
    try:
        cached = _serializers.get(secret_key)
    except TypeError:  # a list of keys (rotation) is not hashable
        return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)
    if cached is None:
        if len(_serializers) >= 64:
            _serializers.clear()
        cached = _serializers[secret_key] = URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)
    return cached


def _secret_key(secret_key: t.Any) -> t.Any:
    return _setting(
        secret_key,
        "WTF_CSRF_SECRET_KEY",
        current_app.secret_key,
        message="A secret key is required to use CSRF: set SECRET_KEY or WTF_CSRF_SECRET_KEY.",
    )


def _field_name(token_key: str | None) -> str:
    return _setting(  # type: ignore[no-any-return]
        token_key,
        "WTF_CSRF_FIELD_NAME",
        "csrf_token",
        message="A field name is required to use CSRF.",
    )


def generate_csrf(secret_key: t.Any = None, token_key: str | None = None) -> str:
    """The signed CSRF token for the current session (the same one all request long).

    The raw value lives in ``session[token_key]`` and is created on first use; the
    signed token is cached in ``g`` under the same name, which tests may read.
    ``secret_key`` defaults to ``WTF_CSRF_SECRET_KEY`` or ``SECRET_KEY``, ``token_key``
    to ``WTF_CSRF_FIELD_NAME`` (``csrf_token``).
    """
    secret_key = _secret_key(secret_key)
    field_name = _field_name(token_key)
    token = g.get(field_name)
    if token is None:
        raw = session.get(field_name)
        if not isinstance(raw, str):
            raw = session[field_name] = secrets.token_hex(20)
        token = _serializer(secret_key).dumps(raw)
        setattr(g, field_name, token)
    return token  # type: ignore[no-any-return]


def validate_csrf(
    data: t.Any,
    secret_key: t.Any = None,
    time_limit: int | None = None,
    token_key: str | None = None,
) -> None:
    """Check a submitted CSRF token against the session's.

    Raises :class:`wtforms.ValidationError` whose message says why: the token is
    missing, the session has none (new or cleared), it expired (older than
    ``time_limit``, default ``WTF_CSRF_TIME_LIMIT``), it is invalid (bad signature or
    garbage), or it belongs to another session.
    """
    secret_key = _secret_key(secret_key)
    field_name = _field_name(token_key)
    time_limit = _setting(time_limit, "WTF_CSRF_TIME_LIMIT", 3600, required=False)

    if not data:
        raise ValidationError(MISSING_TOKEN)
    if field_name not in session:
        raise ValidationError(MISSING_SESSION_TOKEN)
    if not isinstance(data, str) or len(data) > MAX_TOKEN_LENGTH:
        raise ValidationError(INVALID_TOKEN)

    try:
        raw = _serializer(secret_key).loads(data, max_age=time_limit)
    except SignatureExpired as e:
        raise ValidationError(EXPIRED_TOKEN) from e
    except BadData as e:
        raise ValidationError(INVALID_TOKEN) from e

    expected = session[field_name]
    if not (
        isinstance(raw, str)
        and isinstance(expected, str)
        and hmac.compare_digest(raw.encode(), expected.encode())
    ):
        raise ValidationError(MISMATCHED_TOKEN)


def csrf_meta_tag(
    name: str | None = None, secret_key: t.Any = None, token_key: str | None = None
) -> Markup:
    """``<meta name="csrf-token" content="...">`` for scripts to read the token from.

    ``name`` defaults to ``WTF_CSRF_META_NAME`` (``csrf-token``).
    """
    name = _setting(name, "WTF_CSRF_META_NAME", "csrf-token")
    token = generate_csrf(secret_key=secret_key, token_key=token_key)
    return Markup(f'<meta name="{escape(name)}" content="{escape(token)}">')


def same_origin(current_uri: str, compare_uri: str) -> bool:
    """Whether two URLs share scheme, host and port (a default port counts as given).

    A URL whose port is not a number matches nothing.
    """
    current = urlsplit(current_uri)
    compare = urlsplit(compare_uri)
    try:
        current_port = current.port or _DEFAULT_PORTS.get(current.scheme)
        compare_port = compare.port or _DEFAULT_PORTS.get(compare.scheme)
    except ValueError:
        return False
    return (
        current.scheme == compare.scheme
        and current.hostname == compare.hostname
        and current_port == compare_port
    )


class CSRFError(BadRequest):
    """400 Bad Request: the request's CSRF token (or, over HTTPS, its Referer) failed.

    The description says why (missing, invalid, expired, another session's, referrer
    missing or foreign).  Register an error handler for this class to render a
    friendlier page.
    """

    description = "CSRF validation failed."


class FormCSRF(CSRF):
    """The CSRF implementation of :class:`~erlen.forms.Form`: session-bound tokens.

    Settings come from the form's ``Meta`` (``csrf_secret``, ``csrf_field_name``,
    ``csrf_time_limit``).  When :class:`CSRFProtect` already accepted the request's
    token, the form does not check it again.
    """

    meta: t.Any

    def setup_form(self, form: t.Any) -> t.Any:
        self.meta = form.meta
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field: t.Any) -> str:
        return generate_csrf(secret_key=self.meta.csrf_secret, token_key=self.meta.csrf_field_name)

    def validate_csrf_token(self, form: t.Any, field: t.Any) -> None:
        if g.get("csrf_valid", False):
            return
        try:
            validate_csrf(
                field.data,
                self.meta.csrf_secret,
                self.meta.csrf_time_limit,
                self.meta.csrf_field_name,
            )
        except ValidationError as e:
            logger.info(e.args[0])
            raise


class CSRFProtect:
    """App-wide CSRF protection: every POST, PUT, PATCH and DELETE must carry a token.

    The token is looked for in the form field ``WTF_CSRF_FIELD_NAME`` (also under a
    form prefix, ``<prefix>-csrf_token``), then in the ``WTF_CSRF_HEADERS``
    (``X-CSRFToken``, ``X-CSRF-Token``), so it covers plain views and JSON endpoints
    as well as forms.  Over HTTPS the Referer must also be same-origin unless
    ``WTF_CSRF_SSL_STRICT`` is false.  A failure raises :class:`CSRFError` before the
    view runs.  Templates get ``csrf_token()`` and ``csrf_meta_tag()``.

    ``WTF_CSRF_CHECK_DEFAULT = False`` leaves the check to explicit :meth:`protect`
    calls; :meth:`exempt` excludes views and blueprints.
    """

    def __init__(self, app: Erlen | None = None) -> None:
        self._exempt_views: set[str] = set()
        self._exempt_blueprints: set[Blueprint] = set()
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Erlen) -> None:
        """Install the check on *app*, fill in the ``WTF_CSRF_*`` defaults, add the
        template functions."""
        app.extensions["csrf"] = self
        config = app.config
        config.setdefault("WTF_CSRF_ENABLED", True)
        config.setdefault("WTF_CSRF_CHECK_DEFAULT", True)
        config["WTF_CSRF_METHODS"] = set(
            config.get("WTF_CSRF_METHODS", ["POST", "PUT", "PATCH", "DELETE"])
        )
        config.setdefault("WTF_CSRF_FIELD_NAME", "csrf_token")
        config.setdefault("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"])
        config.setdefault("WTF_CSRF_META_NAME", "csrf-token")
        config.setdefault("WTF_CSRF_TIME_LIMIT", 3600)
        config.setdefault("WTF_CSRF_SSL_STRICT", True)

        app.jinja_env.globals["csrf_token"] = generate_csrf
        app.jinja_env.globals["csrf_meta_tag"] = csrf_meta_tag

        def csrf_protect() -> None:
            # Safe methods first: most requests leave after one set lookup.
            if request.method not in config["WTF_CSRF_METHODS"]:
                return
            if not config["WTF_CSRF_ENABLED"] or not config["WTF_CSRF_CHECK_DEFAULT"]:
                return
            self.protect(apply_exemptions=True)

        app.before_request(csrf_protect)

    def _submitted_token(self) -> str | None:
        """The token the request sent: form field first, then the headers."""
        config = current_app.config
        field_name = config["WTF_CSRF_FIELD_NAME"]
        form = request.form
        token = form.get(field_name)
        if token:
            return token  # type: ignore[no-any-return]
        # A prefixed form names its token field "<prefix>-csrf_token".
        for key in form:
            if key.endswith(field_name):
                token = form[key]
                if token:
                    return token  # type: ignore[no-any-return]
        headers = request.headers
        for header_name in config["WTF_CSRF_HEADERS"]:
            token = headers.get(header_name)
            if token:
                return token  # type: ignore[no-any-return]
        return None

    def protect(self, apply_exemptions: bool = False) -> None:
        """Check the current request's token (and Referer over HTTPS) now.

        Raises :class:`CSRFError` on failure; on success sets ``g.csrf_valid`` so
        forms skip their own check.  With ``apply_exemptions``, exempt views and
        blueprints (and requests that matched no view) pass unchecked.
        """
        if apply_exemptions and (request.endpoint is None or self._is_exempt()):
            return
        config = current_app.config
        if request.method not in config["WTF_CSRF_METHODS"]:
            return

        try:
            validate_csrf(self._submitted_token())
        except ValidationError as e:
            logger.info(e.args[0])
            self._error_response(e.args[0])

        if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            referrer = request.referrer
            if not referrer:
                self._error_response(MISSING_REFERRER)
            if not same_origin(referrer, f"https://{request.host}/"):  # type: ignore[arg-type]
                self._error_response(MISMATCHED_REFERRER)

        g.csrf_valid = True

    def _is_exempt(self) -> bool:
        app = current_app
        if self._exempt_blueprints:
            blueprint = app.blueprints.get(request.blueprint)  # type: ignore[arg-type]
            if blueprint is not None and blueprint in self._exempt_blueprints:
                return True
        if not self._exempt_views:
            return False
        view = app.view_functions.get(request.endpoint)  # type: ignore[arg-type]
        if view is None:
            return False
        return f"{view.__module__}.{view.__name__}" in self._exempt_views

    def exempt(self, view: t.Any) -> t.Any:
        """Exclude a view (function or ``"module.name"``) or a blueprint from the check.

        Usable as a decorator, above or below ``@app.route``; returns its argument.
        """
        if isinstance(view, Blueprint):
            self._exempt_blueprints.add(view)
            return view
        if isinstance(view, str):
            self._exempt_views.add(view)
        else:
            self._exempt_views.add(f"{view.__module__}.{view.__name__}")
        return view

    def _error_response(self, reason: str) -> t.NoReturn:
        """Fail the request; override to respond differently."""
        raise CSRFError(reason)
