"""The request object: what a view sees as ``request``.

A :class:`Request` wraps a WSGI environ (the ASGI adapter builds one too) and parses
nothing up front: the query string, headers, cookies, body, form and JSON are each
decoded on first access and cached.  Creating one costs a few attribute assignments,
which is why erlen can afford one per request on its hot path.
"""

from __future__ import annotations

import io
import typing as t
from urllib.parse import quote

from .. import json as _json
from ..exceptions import (
    BadRequest,
    BadRequestKeyError,
    ClientDisconnected,
    RequestEntityTooLarge,
    SecurityError,
    UnsupportedMediaType,
)
from ..globals import _get_app_ctx
from ..http.cookies import parse_cookie
from ..http.files import FileStorage
from ..http.form import FormDataError, FormLimitExceeded, default_stream_factory, parse_form_data
from ..http.headers import EnvironHeaders
from ..http.host import UntrustedHost, get_host
from ..http.multidict import (
    CombinedMultiDict,
    ImmutableList,
    ImmutableMultiDict,
    MissingKeyError,
    MultiDict,
)
from ..http.streams import ClientDisconnected as StreamDisconnected
from ..http.streams import LimitedStream, StreamLimitExceeded, get_input_stream
from ..http.urls import uri_to_iri, url_decode
from ..lazy import cached_property
from .request_headers import RequestHeadersMixin

if t.TYPE_CHECKING:
    from ..routing import Rule
    from ..routing.exceptions import RoutingException

__all__ = ["Request", "RequestArgs"]

_URL_PATH_SAFE = "!$&'()*+,/:;=@%"
_FORM_READ_CHUNK = 64 * 1024
_URL_QUERY_SAFE = "!$&'()*+,/:;=?@%"


class BodyTooLarge(RequestEntityTooLarge, StreamLimitExceeded):
    """413: the body is over ``MAX_CONTENT_LENGTH`` (still a ``ValueError`` too)."""

    def __init__(self, description: str | None = None) -> None:
        # Flask's default page (the detail is kept as the exception's argument).
        RequestEntityTooLarge.__init__(self)
        self.detail = description


class BodyCutShort(ClientDisconnected, StreamDisconnected):
    """400: the client sent less than it announced (still a ``ValueError`` too)."""

    def __init__(self, description: str | None = None) -> None:
        ClientDisconnected.__init__(self)
        self.detail = description


class RequestStream(LimitedStream):
    """The request body stream: its limit and disconnection errors are HTTP errors."""

    __slots__ = ()
    limit_error = BodyTooLarge
    disconnect_error = BodyCutShort


class RequestArgs(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query and form values: a missing key is a client error (400 Bad Request).

    ``request.args["page"]`` raising :class:`~erlen.exceptions.BadRequestKeyError` lets
    ``except BadRequest`` and ``except KeyError`` both work, as in Flask.
    """

    def __getitem__(self, key: t.Any) -> t.Any:
        values = dict.get(self, key)
        if values:
            return values[0]
        raise BadRequestKeyError(key)


class RequestFiles(RequestArgs):
    """Uploaded files by field name (values are :class:`FileStorage`)."""


def _wsgi_text(value: str) -> str:
    """Turn a WSGI (latin-1) string into text, replacing invalid UTF-8 as Werkzeug does."""
    if value.isascii():
        return value
    return value.encode("latin-1").decode("utf-8", "replace")


def get_current_url(
    scheme: str,
    host: str,
    root_path: str | None = None,
    path: str | None = None,
    query_string: bytes | None = None,
) -> str:
    """The URL of a request (or of its root) as an IRI, from its decoded parts."""
    url = [scheme, "://", host]
    if root_path is None:
        url.append("/")
        return uri_to_iri("".join(url))
    url.append(quote(root_path.rstrip("/"), safe=_URL_PATH_SAFE))
    url.append("/")
    if path is None:
        return uri_to_iri("".join(url))
    url.append(quote(path.lstrip("/"), safe=_URL_PATH_SAFE))
    if query_string:
        url.append("?")
        url.append(quote(query_string, safe=_URL_QUERY_SAFE))
    return uri_to_iri("".join(url))


class Request(RequestHeadersMixin):
    """The incoming request, parsed lazily from the WSGI environ.

    Routing fills ``url_rule``, ``view_args`` (or ``routing_exception``).  Body limits
    come from the app's ``MAX_CONTENT_LENGTH``, ``MAX_FORM_MEMORY_SIZE`` and
    ``MAX_FORM_PARTS`` unless set on the request itself.
    """

    #: Class of ``args`` and ``form``.
    parameter_storage_class: type[MultiDict[str, t.Any]] = RequestArgs
    #: Class of ``cookies``.
    dict_storage_class: type[MultiDict[str, t.Any]] = ImmutableMultiDict
    #: Class of list values such as ``access_route``.
    list_storage_class: type[list[t.Any]] = ImmutableList
    #: The JSON implementation ``get_json`` uses (the app's provider via ``erlen.json``).
    json_module: t.Any = _json
    #: Hosts the request may be addressed to; ``None`` trusts any (``TRUSTED_HOSTS``).
    trusted_hosts: list[str] | None = None
    #: Whether the request may be read more than once (Werkzeug's ``shallow``).
    shallow: bool = False

    #: The rule that matched, set by routing.
    url_rule: Rule | None = None
    #: The values matched from the URL, set by routing.
    view_args: dict[str, t.Any] | None = None
    #: The routing failure (404, 405, redirect), if any.
    routing_exception: RoutingException | None = None

    _max_content_length: int | None = None
    _max_form_memory_size: int | None = None
    _max_form_parts: int | None = None

    def __init__(
        self, environ: dict[str, t.Any], populate_request: bool = True, shallow: bool = False
    ) -> None:
        # ``populate_request`` is accepted for Werkzeug compatibility; erlen does not
        # store the request in the environ (nothing reads it back).
        self.environ = environ
        if shallow:
            self.shallow = True

    @classmethod
    def application(cls, f: t.Callable[[Request], t.Any]) -> t.Callable[..., t.Any]:
        """Decorate ``f(request) -> response`` to make it a WSGI application."""

        def application(*args: t.Any) -> t.Any:
            request = cls(args[-2])
            with request:
                try:
                    response = f(*args[:-2] + (request,))
                except Exception as e:
                    from ..exceptions import HTTPException

                    if not isinstance(e, HTTPException):
                        raise
                    response = e
                return response(*args[-2:])

        return application

    # -- the request line and the URL ------------------------------------------------

    @cached_property
    def method(self) -> str:
        """The HTTP method, upper-case (``GET``, ``POST``, ...)."""
        return self.environ.get("REQUEST_METHOD", "GET").upper()

    @cached_property
    def scheme(self) -> str:
        """``http`` or ``https`` (``ws``/``wss`` for WebSocket requests)."""
        return self.environ.get("wsgi.url_scheme", "http")

    @cached_property
    def server(self) -> tuple[str, int | None] | None:
        """The server's ``(host, port)`` as the WSGI server reports it."""
        name = self.environ.get("SERVER_NAME")
        if name is None:
            return None
        port = self.environ.get("SERVER_PORT")
        try:
            return name, int(port) if port is not None else None
        except ValueError:
            return name, None

    @cached_property
    def root_path(self) -> str:
        """Where the application is mounted (``SCRIPT_NAME``), without a trailing slash."""
        return _wsgi_text(self.environ.get("SCRIPT_NAME", "")).rstrip("/")

    @property
    def script_root(self) -> str:
        """Alias of :attr:`root_path`."""
        return self.root_path

    @cached_property
    def path(self) -> str:
        """The decoded path below the application root, always starting with ``/``."""
        raw = _wsgi_text(self.environ.get("PATH_INFO") or "")
        if raw[:1] == "/" and raw[1:2] != "/":
            return raw
        return "/" + raw.lstrip("/")

    @cached_property
    def query_string(self) -> bytes:
        """The raw query string as bytes."""
        return self.environ.get("QUERY_STRING", "").encode("latin-1")

    @property
    def full_path(self) -> str:
        """Path and query string: ``/search?q=x`` (``/page?`` when there is no query)."""
        return f"{self.path}?{self.query_string.decode()}"

    @cached_property
    def host(self) -> str:
        """The host (and non-default port) the request was sent to."""
        try:
            return get_host(
                self.scheme, self.environ.get("HTTP_HOST"), self.server, self.trusted_hosts
            )
        except UntrustedHost as e:
            raise SecurityError(str(e)) from None

    @property
    def url(self) -> str:
        """The full URL, with the query string."""
        return get_current_url(self.scheme, self.host, self.root_path, self.path, self.query_string)

    @property
    def base_url(self) -> str:
        """The URL without the query string."""
        return get_current_url(self.scheme, self.host, self.root_path, self.path)

    @property
    def root_url(self) -> str:
        """The URL of the application root, with a trailing slash."""
        return get_current_url(self.scheme, self.host, self.root_path)

    url_root = root_url

    @property
    def host_url(self) -> str:
        """The scheme and host, with a trailing slash."""
        return get_current_url(self.scheme, self.host)

    @property
    def remote_addr(self) -> str | None:
        """The client's address as the server sees it."""
        return self.environ.get("REMOTE_ADDR")

    @property
    def remote_user(self) -> str | None:
        return self.environ.get("REMOTE_USER")

    @property
    def is_multithread(self) -> bool:
        return bool(self.environ.get("wsgi.multithread"))

    @property
    def is_multiprocess(self) -> bool:
        return bool(self.environ.get("wsgi.multiprocess"))

    @property
    def is_run_once(self) -> bool:
        return bool(self.environ.get("wsgi.run_once"))

    # -- headers and cookies -----------------------------------------------------------

    @cached_property
    def headers(self) -> EnvironHeaders:
        """The request headers (read-only, case-insensitive)."""
        return EnvironHeaders(self.environ)

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The query string's values."""
        query = self.environ.get("QUERY_STRING", "")
        if not query.isascii():
            query = query.encode("latin-1")  # raw bytes per PEP 3333: decode as UTF-8
        return url_decode(query, self.parameter_storage_class)

    @cached_property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        """The cookies the client sent."""
        return parse_cookie(self.environ, cls=self.dict_storage_class)  # type: ignore[return-value]

    # -- routing results ------------------------------------------------------------------

    @property
    def endpoint(self) -> str | None:
        """The endpoint that matched, or ``None``."""
        if self.url_rule is not None:
            return self.url_rule.endpoint  # type: ignore[no-any-return]
        return None

    @property
    def blueprint(self) -> str | None:
        """The (dotted) name of the blueprint the endpoint belongs to, or ``None``."""
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    @property
    def blueprints(self) -> list[str]:
        """The blueprint and its parents, innermost first."""
        name = self.blueprint
        if name is None:
            return []
        parts = name.split(".")
        return [".".join(parts[:index]) for index in range(len(parts), 0, -1)]

    # -- body limits ---------------------------------------------------------------------

    @property
    def max_content_length(self) -> int | None:
        """The largest body accepted; ``MAX_CONTENT_LENGTH`` unless set here."""
        if self._max_content_length is not None:
            return self._max_content_length
        return _config_value("MAX_CONTENT_LENGTH", None)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        """The largest non-file form field kept in memory (``MAX_FORM_MEMORY_SIZE``)."""
        if self._max_form_memory_size is not None:
            return self._max_form_memory_size
        return _config_value("MAX_FORM_MEMORY_SIZE", 500_000)

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    @property
    def max_form_parts(self) -> int | None:
        """The most multipart parts accepted (``MAX_FORM_PARTS``)."""
        if self._max_form_parts is not None:
            return self._max_form_parts
        return _config_value("MAX_FORM_PARTS", 1000)

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self._max_form_parts = value

    # -- the body ---------------------------------------------------------------------

    @cached_property
    def stream(self) -> t.IO[bytes]:
        """The body as a file-like object, bounded by Content-Length.

        Raises :class:`~erlen.exceptions.RequestEntityTooLarge` (413) when the announced
        length exceeds ``max_content_length``, before any byte is read.
        """
        if self.shallow:
            raise RuntimeError(
                "This request was created with 'shallow=True', reading from the input"
                " stream is disabled."
            )
        return get_input_stream(  # type: ignore[return-value]
            self.environ, max_content_length=self.max_content_length, stream_class=RequestStream
        )

    @property
    def input_stream(self) -> t.IO[bytes]:
        """The raw WSGI input stream (unbounded: prefer :attr:`stream`)."""
        return self.environ["wsgi.input"]  # type: ignore[no-any-return]

    def get_data(
        self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False
    ) -> bytes | str:
        """The raw body (read once and cached unless ``cache=False``)."""
        data = self.__dict__.get("_cached_data")
        if data is None:
            if parse_form_data:
                self._load_form_data()
            try:
                data = self.stream.read()
            except StreamLimitExceeded as e:
                raise RequestEntityTooLarge() from e
            if cache:
                self.__dict__["_cached_data"] = data
        if as_text:
            return data.decode(errors="replace")  # type: ignore[no-any-return]
        return data  # type: ignore[no-any-return]

    @property
    def data(self) -> bytes:
        """The raw body, unless it was parsed as a form (then empty)."""
        return self.get_data(parse_form_data=True)  # type: ignore[return-value]

    @property
    def want_form_data_parsed(self) -> bool:
        """Whether the body looks like form data (it has a Content-Type)."""
        return bool(self.environ.get("CONTENT_TYPE"))

    def _get_stream_for_parsing(self) -> t.IO[bytes]:
        cached = self.__dict__.get("_cached_data")
        if cached is not None:
            return io.BytesIO(cached)
        return self.stream

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> t.IO[bytes]:
        """Where an uploaded file is spooled; override to change it."""
        return default_stream_factory(total_content_length, content_type, filename, content_length)

    def _load_form_data(self) -> None:
        """Parse the body as a form (once), filling ``form``, ``files`` and ``stream``."""
        d = self.__dict__
        if "form" in d:
            return
        storage = self.parameter_storage_class
        if not self.want_form_data_parsed:
            d["form"] = storage()
            d["files"] = RequestFiles()
            return
        memory_limit = self.max_form_memory_size
        content_length = self.content_length
        if (
            memory_limit is not None
            and memory_limit < _FORM_READ_CHUNK
            and (content_length or 0) > memory_limit
            and self.mimetype == "multipart/form-data"
        ):
            # Werkzeug reads multipart bodies in 64 KiB chunks and refuses a chunk
            # larger than MAX_FORM_MEMORY_SIZE, so with a limit below one chunk a larger
            # body is a 413 whatever its parts; erlen answers the same.
            raise RequestEntityTooLarge()
        try:
            stream, form, files = parse_form_data(
                self._get_stream_for_parsing(),
                self.environ.get("CONTENT_TYPE"),
                content_length,
                max_form_memory_size=memory_limit,
                max_form_parts=self.max_form_parts,
                max_content_length=self.max_content_length,
                stream_factory=self._get_file_stream,
                cls=storage,
            )
        except (FormLimitExceeded, StreamLimitExceeded) as e:
            raise RequestEntityTooLarge() from e
        except FormDataError as e:
            raise BadRequest(f"The form data could not be parsed: {e}.") from None
        d["stream"] = stream
        d["form"] = form
        d["files"] = RequestFiles(files.items(multi=True)) if files else RequestFiles()

    @cached_property
    def form(self) -> MultiDict[str, str]:
        """Form fields of a urlencoded or multipart body (files are in :attr:`files`)."""
        self._load_form_data()
        return self.__dict__["form"]  # type: ignore[no-any-return]

    @cached_property
    def files(self) -> MultiDict[str, FileStorage]:
        """Uploaded files of a multipart body, by field name."""
        self._load_form_data()
        return self.__dict__["files"]  # type: ignore[no-any-return]

    @cached_property
    def values(self) -> CombinedMultiDict[str, str]:
        """``args`` and ``form`` together (form only for non-GET requests, as Flask)."""
        sources = [self.args]
        if self.method != "GET":
            sources.append(self.form)
        return _RequestValues(sources)

    # -- JSON -------------------------------------------------------------------------

    @property
    def json(self) -> t.Any | None:
        """The parsed JSON body (see :meth:`get_json`)."""
        return self.get_json()

    def get_json(
        self, force: bool = False, silent: bool = False, cache: bool = True
    ) -> t.Any | None:
        """Parse the body as JSON.

        Without ``force`` the Content-Type must be JSON, else 415 Unsupported Media
        Type; malformed JSON is 400 Bad Request.  ``silent`` returns ``None`` instead of
        failing.
        """
        cached = self.__dict__.get("_cached_json")
        if cache and cached is not None and cached[silent] is not Ellipsis:
            return cached[silent]
        if not (force or self.is_json):
            if not silent:
                return self.on_json_loading_failed(None)
            return None
        data = self.get_data(cache=cache)
        try:
            rv = self.json_module.loads(data)
        except ValueError as e:
            if silent:
                rv = None
                if cache:
                    normal = cached[0] if cached is not None else Ellipsis
                    self.__dict__["_cached_json"] = (normal, rv)
            else:
                rv = self.on_json_loading_failed(e)
                if cache:
                    quiet = cached[1] if cached is not None else Ellipsis
                    self.__dict__["_cached_json"] = (rv, quiet)
        else:
            if cache:
                self.__dict__["_cached_json"] = (rv, rv)
        return rv

    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
        """Called when the body is not JSON; raise an HTTP error or return a value.

        Outside debug mode the error does not quote the parser's message.
        """
        if e is None:
            raise UnsupportedMediaType(
                "Did not attempt to load JSON data because the request Content-Type was"
                " not 'application/json'."
            )
        if _config_value("DEBUG", False):
            raise BadRequest(f"Failed to decode JSON object: {e}")
        raise BadRequest() from e

    # -- the rest ---------------------------------------------------------------------

    def has_valid_signature(self) -> bool:
        """Whether this request's URL was signed by ``url_for(..., _sign=True)`` with the
        app's ``SECRET_KEY`` (or one of ``SECRET_KEY_FALLBACKS``), is unchanged and has
        not expired (see :mod:`erlen.signing`; ``@signed_url_required`` refuses the
        others with 403)."""
        from ..signing import signature_problem

        return signature_problem(self) is None

    def close(self) -> None:
        """Close uploaded files."""
        files = self.__dict__.get("files")
        if files:
            for _key, value in files.items(multi=True):
                value.close()

    def __enter__(self) -> Request:
        return self

    def __exit__(self, exc_type: t.Any, exc_value: t.Any, tb: t.Any) -> None:
        self.close()

    def __repr__(self) -> str:
        try:
            url = self.url
        except Exception as e:
            url = f"(invalid URL: {e})"
        return f"<{type(self).__name__} {url!r} [{self.method}]>"

    @classmethod
    def from_values(cls, *args: t.Any, **kwargs: t.Any) -> Request:
        """A request built like the test client builds one (see ``EnvironBuilder``)."""
        from ..testing import EnvironBuilder

        builder = EnvironBuilder(*args, **kwargs)
        try:
            return builder.get_request(cls)
        finally:
            builder.close()


class _RequestValues(CombinedMultiDict):  # type: ignore[type-arg]
    def __getitem__(self, key: t.Any) -> t.Any:
        try:
            return super().__getitem__(key)
        except MissingKeyError:
            raise BadRequestKeyError(key) from None


def _config_value(key: str, default: t.Any) -> t.Any:
    """A setting of the current app, or *default* outside an app context."""
    app_ctx = _get_app_ctx(None)
    if app_ctx is None:
        return default
    return app_ctx.app.config.get(key, default)
