"""Sessions: signed cookies by default, replaceable through ``app.session_interface``.

The default interface stores the session in a cookie signed with ``SECRET_KEY``
(itsdangerous, HMAC-SHA1, salt ``cookie-session``, tagged JSON), exactly as Flask does,
so sessions survive a port from Flask to erlen.  Keys in ``SECRET_KEY_FALLBACKS`` still
verify old cookies.  A tampered or expired cookie gives an empty session.

erlen opens the default session lazily: a request that never touches ``session`` does
not decode the cookie, unless the cookie must be refreshed
(``SESSION_REFRESH_EACH_REQUEST`` with a permanent session).  Custom interfaces are
opened at the start of each request, as in Flask.
"""

from __future__ import annotations

import collections.abc as cabc
import hashlib
import typing as t
from datetime import datetime, timezone

from itsdangerous import BadSignature, URLSafeTimedSerializer

from .http.multidict import CallbackDict
from .json.tag import TaggedJSONSerializer
from .lazy import cached_property

if t.TYPE_CHECKING:
    from .app import Erlen
    from .wrappers import Request, Response

__all__ = [
    "NullSession",
    "SecureCookieSession",
    "SecureCookieSessionInterface",
    "SessionInterface",
    "SessionMixin",
    "session_json_serializer",
]


class SessionMixin(cabc.MutableMapping):  # type: ignore[type-arg]
    """What every session object offers besides being a mapping."""

    @property
    def permanent(self) -> bool:
        """Whether the session outlives the browser (``PERMANENT_SESSION_LIFETIME``)."""
        return self.get("_permanent", False)  # type: ignore[no-any-return]

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    #: Whether the session is new (some interfaces set it).
    new = False
    #: Whether the session changed and must be saved (track nested changes yourself).
    modified = True
    #: Whether the session was reached through the request context (then the response
    #: varies on ``Cookie``); set by the context, as in Flask 3.1.3.
    accessed = False


class SecureCookieSession(CallbackDict, SessionMixin):  # type: ignore[type-arg,misc]
    """The default session: a dict that records when it is changed.

    Whether it was *accessed* is recorded by the request context whenever the
    session is reached through it (the ``session`` proxy included), as in Flask 3.1.3.
    """

    modified = False
    accessed = False

    def __init__(
        self, initial: t.Mapping[str, t.Any] | t.Iterable[tuple[str, t.Any]] | None = None
    ) -> None:
        def on_update(self: SecureCookieSession) -> None:
            self.modified = True

        super().__init__(initial, on_update)


class NullSession(SecureCookieSession):
    """The session when no secret key is set: reading works, writing says what to do."""

    def _fail(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise RuntimeError(
            "The session is unavailable because no secret key was set. Set the"
            " secret_key on the application to something unique and secret:"
            " app.secret_key = 'a long random string' (or SECRET_KEY in the config;"
            " python -c 'import secrets; print(secrets.token_hex())' makes one)."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail  # type: ignore[assignment]
    del _fail


class SessionInterface:
    """How sessions are loaded and saved; subclass it for server-side sessions.

    Implement :meth:`open_session` and :meth:`save_session`.  The cookie settings
    (``SESSION_COOKIE_*``) are read through the ``get_cookie_*`` methods.
    """

    null_session_class = NullSession
    pickle_based = False
    #: Whether erlen may open the session only when it is used (custom interfaces are
    #: opened for every request, as Flask does).
    opens_lazily = False

    def make_null_session(self, app: Erlen) -> NullSession:
        """The session used when :meth:`open_session` gives none."""
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        """Whether *obj* is a null session (which is never saved)."""
        return isinstance(obj, self.null_session_class)

    def needs_saving_unopened(self, app: Erlen, request: Request) -> bool:
        """For lazily opened sessions: whether an untouched session must still be saved."""
        return False

    def get_cookie_name(self, app: Erlen) -> str:
        return app.config["SESSION_COOKIE_NAME"]  # type: ignore[no-any-return]

    def get_cookie_domain(self, app: Erlen) -> str | None:
        return app.config["SESSION_COOKIE_DOMAIN"]  # type: ignore[no-any-return]

    def get_cookie_path(self, app: Erlen) -> str:
        return app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"]  # type: ignore[no-any-return]

    def get_cookie_httponly(self, app: Erlen) -> bool:
        return app.config["SESSION_COOKIE_HTTPONLY"]  # type: ignore[no-any-return]

    def get_cookie_secure(self, app: Erlen) -> bool:
        return app.config["SESSION_COOKIE_SECURE"]  # type: ignore[no-any-return]

    def get_cookie_samesite(self, app: Erlen) -> str | None:
        return app.config["SESSION_COOKIE_SAMESITE"]  # type: ignore[no-any-return]

    def get_cookie_partitioned(self, app: Erlen) -> bool:
        return app.config["SESSION_COOKIE_PARTITIONED"]  # type: ignore[no-any-return]

    def get_expiration_time(self, app: Erlen, session: SessionMixin) -> datetime | None:
        """When a permanent session's cookie expires (``None``: at browser close)."""
        if session.permanent:
            return datetime.now(timezone.utc) + app.permanent_session_lifetime
        return None

    def should_set_cookie(self, app: Erlen, session: SessionMixin) -> bool:
        """Whether to send the cookie: when modified, or to refresh a permanent one."""
        return session.modified or (
            session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
        )

    def open_session(self, app: Erlen, request: Request) -> SessionMixin | None:
        """Load the session for *request* (``None`` means a null session)."""
        raise NotImplementedError()

    def save_session(self, app: Erlen, session: SessionMixin, response: Response) -> None:
        """Save the session into (or through) *response*."""
        raise NotImplementedError()


session_json_serializer = TaggedJSONSerializer()


def _lazy_sha1(string: bytes = b"") -> t.Any:
    """``hashlib.sha1`` resolved at call time (FIPS builds may lack it at import)."""
    return hashlib.sha1(string)


class SecureCookieSessionInterface(SessionInterface):
    """Sessions in a cookie signed with the secret key (the default)."""

    salt = "cookie-session"
    digest_method = staticmethod(_lazy_sha1)
    key_derivation = "hmac"
    serializer = session_json_serializer
    session_class = SecureCookieSession

    @cached_property
    def opens_lazily(self) -> bool:  # type: ignore[override]
        """The stock interface is opened on first use; subclasses that change how
        sessions are opened or saved get Flask's eager behaviour."""
        cls = type(self)
        return all(
            getattr(cls, name) is getattr(SecureCookieSessionInterface, name)
            for name in ("open_session", "save_session", "should_set_cookie")
        )

    def get_signing_serializer(self, app: Erlen) -> URLSafeTimedSerializer | None:
        """The signing serializer, or ``None`` without a secret key."""
        if not app.secret_key:
            return None
        keys: list[str | bytes] = []
        fallbacks = app.config["SECRET_KEY_FALLBACKS"]
        if fallbacks:
            keys.extend(fallbacks)
        keys.append(app.secret_key)  # itsdangerous signs with the last key
        return URLSafeTimedSerializer(
            keys,  # type: ignore[arg-type]
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )

    def open_session(self, app: Erlen, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(value, max_age=max_age)
        except BadSignature:
            return self.session_class()
        except Exception:
            # A cookie signed correctly but undecodable (another serializer): start over.
            return self.session_class()
        return self.session_class(data)

    def needs_saving_unopened(self, app: Erlen, request: Request) -> bool:
        """An untouched session only needs saving to refresh a permanent cookie, and
        only if the client sent one."""
        if not app.config["SESSION_REFRESH_EACH_REQUEST"]:
            return False
        header = request.environ.get("HTTP_COOKIE")
        return bool(header) and self.get_cookie_name(app) in header

    def save_session(self, app: Erlen, session: SessionMixin, response: Response) -> None:
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        secure = self.get_cookie_secure(app)
        partitioned = self.get_cookie_partitioned(app)
        samesite = self.get_cookie_samesite(app)
        httponly = self.get_cookie_httponly(app)
        if session.accessed:
            response.vary.add("Cookie")
        if not session:
            if session.modified:
                response.delete_cookie(
                    name,
                    domain=domain,
                    path=path,
                    secure=secure,
                    partitioned=partitioned,
                    samesite=samesite,
                    httponly=httponly,
                )
                response.vary.add("Cookie")
            return
        if not self.should_set_cookie(app, session):
            return
        expires = self.get_expiration_time(app, session)
        value = self.get_signing_serializer(app).dumps(dict(session))  # type: ignore[union-attr]
        response.set_cookie(
            name,
            value,  # type: ignore[arg-type]
            expires=expires,
            httponly=httponly,
            domain=domain,
            path=path,
            secure=secure,
            partitioned=partitioned,
            samesite=samesite,
        )
        response.vary.add("Cookie")
