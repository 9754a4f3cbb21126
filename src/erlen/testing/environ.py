"""Build WSGI environs for tests: a path, headers, form data, files or JSON in, an environ out.

:class:`EnvironBuilder` is Werkzeug's builder and :class:`AppEnvironBuilder` Flask's
app-aware form of it (``EnvironBuilder(app, ...)``); :func:`create_environ` is the
one-call shortcut. The small WSGI-string helpers at the top are shared with the client.
"""

from __future__ import annotations

import json as _json
import sys
from collections.abc import Callable, Iterable, Mapping
from io import BytesIO
from typing import IO, Any
from urllib.parse import quote, unquote_to_bytes, urlsplit, urlunsplit

from ..http.auth import Authorization
from ..http.files import FileMultiDict
from ..http.headers import EnvironHeaders, Headers
from ..http.multidict import CallbackDict, CombinedMultiDict, MultiDict
from ..http.multipart import iter_form_items, stream_encode_multipart
from ..http.options import dump_options_header, get_content_type, parse_options_header
from ..http.urls import iri_to_uri, url_encode

__all__ = [
    "PRESERVE_CONTEXT_KEY",
    "AppEnvironBuilder",
    "EnvironBuilder",
    "WSGIApplication",
    "WSGIEnvironment",
    "create_environ",
]

WSGIEnvironment = dict[str, Any]
WSGIApplication = Callable[[WSGIEnvironment, Callable[..., Any]], Iterable[bytes]]

_URI_PATH_SAFE = "/!$&'()*+,:;=@"
#: The environ key an erlen app calls with each context it is about to pop, so that
#: ``with client:`` can keep them.
PRESERVE_CONTEXT_KEY = "erlen.preserve_context"


def _to_wsgi(text: str) -> str:
    """Text -> its UTF-8 bytes carried in a latin-1 string, as PEP 3333 wants."""
    return text.encode().decode("latin-1")


def _uri_path_to_wsgi(path: str) -> str:
    """Percent-decode a URI path into WSGI form; undecodable bytes are kept as bytes."""
    return unquote_to_bytes(path).decode("latin-1")


def _wsgi_to_bytes(raw: str) -> bytes:
    try:
        return raw.encode("latin-1")
    except UnicodeEncodeError:  # a caller broke PEP 3333; read it as text
        return raw.encode()


def _wsgi_to_uri_path(raw: str) -> str:
    """A WSGI path back to a URI path that :func:`_uri_path_to_wsgi` turns into ``raw``."""
    return quote(_wsgi_to_bytes(raw), safe=_URI_PATH_SAFE)


def _wsgi_to_path_arg(raw: str) -> str:
    """A WSGI path as a builder's ``path`` argument: the text when it is UTF-8 and
    unambiguous (as Werkzeug gives it), else percent-encoded so it survives exactly."""
    try:
        text = _wsgi_to_bytes(raw).decode()
    except UnicodeDecodeError:
        return _wsgi_to_uri_path(raw)
    if "%" in text or "?" in text or "#" in text:
        return _wsgi_to_uri_path(raw)
    return text


def _request_target(environ: Mapping[str, Any]) -> tuple[str, str]:
    """``(host name, URI path)`` of a request: what cookies are matched against."""
    name = _host_name(environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "")
    script = environ.get("SCRIPT_NAME", "").rstrip("/")
    path = _wsgi_to_uri_path(f"{script}/{environ.get('PATH_INFO', '').lstrip('/')}")
    return name or "localhost", path


def _host_name(netloc: str) -> str:
    """The lowercased host name of a ``host[:port]``, IPv6 brackets removed."""
    try:
        name = urlsplit(f"//{netloc}").hostname
    except ValueError:
        name = netloc.partition(":")[0].lower()
    return name or ""


def _server_address(environ: Mapping[str, Any]) -> str:
    """``SERVER_NAME[:SERVER_PORT]`` for an environ without a ``Host`` header."""
    name = environ.get("SERVER_NAME") or "localhost"
    port = str(environ.get("SERVER_PORT") or "")
    if port and (environ.get("wsgi.url_scheme"), port) not in (("http", "80"), ("https", "443")):
        return f"{name}:{port}"
    return name


def _request_url(environ: Mapping[str, Any]) -> str:
    """The URL of a request, to resolve relative ``Location`` references against."""
    host = environ.get("HTTP_HOST") or _server_address(environ)
    path = _request_target(environ)[1]
    query = environ.get("QUERY_STRING")
    return urlunsplit((environ.get("wsgi.url_scheme", "http"), host, path, query or "", ""))


class _DefaultWrapper:
    """A class attribute naming a class of :mod:`erlen.wrappers`, imported on first use.

    The test tools sit above the wrappers but are imported by the app module, which
    the wrappers must not wait for; resolving late keeps ``import erlen.testing`` cheap
    and free of cycles. Assigning the attribute (on a subclass or an instance) wins.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        from .. import wrappers

        return getattr(wrappers, self.name)


class EnvironBuilder:
    """Build a WSGI environ (or a request) from test-friendly arguments.

    ``path`` may carry a query string and may be an IRI; it is percent-decoded into
    ``PATH_INFO``. ``base_url`` gives scheme, host and ``SCRIPT_NAME``
    (default ``http://localhost/``). ``query_string`` is a string or a mapping.
    ``data`` is the body: ``str``/``bytes``, a file-like object (read whole), or a
    mapping of form fields whose values may be lists, files (file objects,
    :class:`~erlen.http.files.FileStorage`, or ``(stream, filename[, content_type])``
    tuples; any file makes the body ``multipart/form-data``). ``json`` is serialized
    with :meth:`json_dumps` and defaults the content type to ``application/json``.
    ``auth`` is an :class:`~erlen.http.auth.Authorization` or a ``(user, password)``
    pair for Basic. ``environ_base`` is applied first, ``environ_overrides`` last.

    Flask's app-aware form, ``EnvironBuilder(app, path, ...)``, builds an
    :class:`AppEnvironBuilder` (base URL from the app's config), so both spellings of
    the class users know keep working.

    erlen differs from Werkzeug in one place: ``%FF``-style escapes that are not UTF-8
    reach ``PATH_INFO`` as the raw byte, exactly as from a real server, instead of
    being replaced by U+FFFD.
    """

    #: ``SERVER_PROTOCOL`` of built environs.
    server_protocol = "HTTP/1.1"
    #: ``wsgi.version`` of built environs.
    wsgi_version = (1, 0)
    #: What :meth:`get_request` builds when not given a class.
    request_class: Any = _DefaultWrapper("Request")
    #: Serializes the ``json`` argument.
    json_dumps = staticmethod(_json.dumps)

    def __new__(cls, *args: Any, **kwargs: Any) -> EnvironBuilder:
        if cls is EnvironBuilder and (
            "app" in kwargs or (args and args[0] is not None and not isinstance(args[0], str))
        ):
            cls = AppEnvironBuilder
        return super().__new__(cls)

    def __init__(
        self,
        path: str = "/",
        base_url: str | None = None,
        query_string: Mapping[str, Any] | str | None = None,
        method: str = "GET",
        input_stream: IO[bytes] | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        errors_stream: IO[str] | None = None,
        multithread: bool = False,
        multiprocess: bool = False,
        run_once: bool = False,
        headers: Headers | Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        data: IO[bytes] | str | bytes | Mapping[str, Any] | None = None,
        environ_base: Mapping[str, Any] | None = None,
        environ_overrides: Mapping[str, Any] | None = None,
        mimetype: str | None = None,
        json: Any = None,
        auth: Authorization | tuple[str, str] | None = None,
    ) -> None:
        if query_string is not None and "?" in path:
            raise ValueError("Query string is defined in the path and as an argument")
        request_uri = urlsplit(path)
        if query_string is None and "?" in path:
            query_string = request_uri.query
        self.path = iri_to_uri(request_uri.path)
        self.request_uri = path
        self.base_url = None if base_url is None else iri_to_uri(base_url)  # type: ignore[assignment]
        self._query_string: str | None = None
        self._args: MultiDict[str, Any] | None = None
        if isinstance(query_string, str):
            self.query_string = query_string
        elif query_string is None:
            self.args = MultiDict()
        else:
            self.args = (
                query_string if isinstance(query_string, MultiDict) else MultiDict(query_string)
            )
        self.method = method
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        if content_type is not None:
            self.content_type = content_type
        self.errors_stream = sys.stderr if errors_stream is None else errors_stream
        self.multithread = multithread
        self.multiprocess = multiprocess
        self.run_once = run_once
        self.environ_base = environ_base
        self.environ_overrides = environ_overrides
        self.input_stream = input_stream
        self.content_length = content_length
        self.closed = False

        if auth is not None:
            if isinstance(auth, tuple):
                auth = Authorization("basic", {"username": auth[0], "password": auth[1]})
            self.headers.set("Authorization", auth.to_header())

        if json is not None:
            if data is not None:
                raise TypeError("can't provide both json and data")
            data = self.json_dumps(json)
            if self.content_type is None:
                self.content_type = "application/json"

        if data:
            if input_stream is not None:
                raise TypeError("can't provide input stream and data")
            if hasattr(data, "read"):
                data = data.read()  # type: ignore[union-attr]
            if isinstance(data, str):
                data = data.encode()
            if isinstance(data, bytes):
                self.input_stream = BytesIO(data)
                if self.content_length is None:
                    self.content_length = len(data)
            else:
                for key, value in iter_form_items(data):  # type: ignore[arg-type]
                    if isinstance(value, (tuple, dict)) or hasattr(value, "read"):
                        self._add_file_from_data(key, value)
                    else:
                        self.form.setlistdefault(key).append(value)

        if mimetype is not None:
            self.mimetype = mimetype

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any], **kwargs: Any) -> EnvironBuilder:
        """A builder that rebuilds ``environ``; ``kwargs`` replace what it gives."""
        headers = Headers(EnvironHeaders(environ))
        raw_query = _wsgi_to_bytes(environ.get("QUERY_STRING", ""))
        values: dict[str, Any] = {
            "path": _wsgi_to_path_arg(environ.get("PATH_INFO", "")),
            "base_url": cls._make_base_url(
                environ["wsgi.url_scheme"],
                headers.pop("Host", None) or _server_address(environ),
                _wsgi_to_path_arg(environ.get("SCRIPT_NAME", "")),
            ),
            "query_string": raw_query.decode("utf-8", "erlen.url_quote"),
            "method": environ["REQUEST_METHOD"],
            "input_stream": environ["wsgi.input"],
            "content_type": headers.pop("Content-Type", None),
            "content_length": headers.pop("Content-Length", None),
            "errors_stream": environ["wsgi.errors"],
            "multithread": environ["wsgi.multithread"],
            "multiprocess": environ["wsgi.multiprocess"],
            "run_once": environ["wsgi.run_once"],
            "headers": headers,
        }
        values.update(kwargs)
        return cls(**values)

    def _add_file_from_data(self, key: str, value: Any) -> None:
        if isinstance(value, tuple):
            self.files.add_file(key, *value)
        elif isinstance(value, dict):
            self.files.add_file(key, **value)
        else:
            self.files.add_file(key, value)

    @staticmethod
    def _make_base_url(scheme: str, host: str, script_root: str) -> str:
        return urlunsplit((scheme, host, script_root, "", "")).rstrip("/") + "/"

    @property
    def base_url(self) -> str:
        """``scheme://host/script_root/``; setting it sets those three attributes."""
        return self._make_base_url(self.url_scheme, self.host, self.script_root)

    @base_url.setter
    def base_url(self, value: str | None) -> None:
        if value is None:
            scheme, netloc, script_root = "http", "localhost", ""
        else:
            scheme, netloc, script_root, query, fragment = urlsplit(value)
            if query or fragment:
                raise ValueError("base url must not contain a query string or fragment")
        self.script_root = script_root.rstrip("/")
        self.host = netloc
        self.url_scheme = scheme

    @property
    def content_type(self) -> str | None:
        """The ``Content-Type`` header; without one, derived from the form and files."""
        value = self.headers.get("Content-Type")
        if value is None and self._input_stream is None:
            if self._files:
                return "multipart/form-data"
            if self._form:
                return "application/x-www-form-urlencoded"
        return value  # type: ignore[no-any-return]

    @content_type.setter
    def content_type(self, value: str | None) -> None:
        if value is None:
            self.headers.pop("Content-Type", None)
        else:
            self.headers["Content-Type"] = value

    @property
    def mimetype(self) -> str | None:
        """The content type without parameters; setting adds a UTF-8 charset to text types."""
        content_type = self.content_type
        return content_type.partition(";")[0].strip() if content_type else None

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        self.content_type = get_content_type(value, "utf-8")

    @property
    def mimetype_params(self) -> Mapping[str, str]:
        """The content type parameters; changing the dict rewrites the header."""

        def on_update(params: CallbackDict[str, str]) -> None:
            self.headers["Content-Type"] = dump_options_header(self.mimetype, params)

        params = parse_options_header(self.headers.get("content-type", ""))[1]
        return CallbackDict(params, on_update)

    @property
    def content_length(self) -> int | None:
        """The ``Content-Length`` header as an integer (computed for form bodies)."""
        return self.headers.get("Content-Length", type=int)  # type: ignore[no-any-return]

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        if value is None:
            self.headers.pop("Content-Length", None)
        else:
            self.headers["Content-Length"] = str(value)

    @property
    def form(self) -> MultiDict[str, Any]:
        """Form fields to send; not available once an input stream is set."""
        if self._input_stream is not None:
            raise AttributeError("an input stream is defined")
        if self._form is None:
            self._form = MultiDict()
        return self._form

    @form.setter
    def form(self, value: MultiDict[str, Any]) -> None:
        self._input_stream = None
        self._form = value

    @property
    def files(self) -> FileMultiDict:
        """Files to upload (see ``add_file``); not available once an input stream is set."""
        if self._input_stream is not None:
            raise AttributeError("an input stream is defined")
        if self._files is None:
            self._files = FileMultiDict()
        return self._files

    @files.setter
    def files(self, value: FileMultiDict) -> None:
        self._input_stream = None
        self._files = value

    @property
    def input_stream(self) -> IO[bytes] | None:
        """The raw body; setting it discards :attr:`form` and :attr:`files`."""
        return self._input_stream

    @input_stream.setter
    def input_stream(self, value: IO[bytes] | None) -> None:
        self._input_stream = value
        self._form = None
        self._files = None

    @property
    def query_string(self) -> str:
        """The query string; setting it discards :attr:`args`."""
        if self._query_string is None:
            return url_encode(self._args) if self._args is not None else ""
        return self._query_string

    @query_string.setter
    def query_string(self, value: str | None) -> None:
        self._query_string = value
        self._args = None

    @property
    def args(self) -> MultiDict[str, Any]:
        """The query arguments; not available once a query string is set."""
        if self._query_string is not None:
            raise AttributeError("a query string is defined")
        if self._args is None:
            self._args = MultiDict()
        return self._args

    @args.setter
    def args(self, value: MultiDict[str, Any] | None) -> None:
        self._query_string = None
        self._args = value

    @property
    def server_name(self) -> str:
        """The host name without the port (set :attr:`host` to change it)."""
        return self.host.partition(":")[0]

    @property
    def server_port(self) -> int:
        """The port from :attr:`host`, else the scheme's default."""
        _, sep, port = self.host.partition(":")
        if sep:
            try:
                return int(port)
            except ValueError:
                pass
        return 443 if self.url_scheme == "https" else 80

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def close(self) -> None:
        """Close every file added to :attr:`files` (once; later calls do nothing)."""
        if self.closed:
            return
        for _, storage in (self._files or MultiDict()).items(multi=True):
            try:
                storage.close()
            except Exception:
                pass
        self.closed = True

    def get_environ(self) -> WSGIEnvironment:
        """Build the environ: body encoded, headers as ``HTTP_*`` keys (repeats joined
        with ``", "``), ``CONTENT_TYPE``/``CONTENT_LENGTH`` set from the body."""
        input_stream = self.input_stream
        content_length = self.content_length
        mimetype = self.mimetype
        content_type = self.content_type

        if input_stream is not None:
            start = input_stream.tell()
            input_stream.seek(0, 2)
            content_length = input_stream.tell() - start
            input_stream.seek(start)
        elif mimetype == "multipart/form-data":
            input_stream, content_length, boundary = stream_encode_multipart(
                CombinedMultiDict([self.form, self.files])
            )
            content_type = f'{mimetype}; boundary="{boundary}"'
        elif mimetype == "application/x-www-form-urlencoded":
            body = url_encode(self.form).encode("ascii")
            content_length = len(body)
            input_stream = BytesIO(body)
        else:
            input_stream = BytesIO()

        environ: WSGIEnvironment = dict(self.environ_base) if self.environ_base else {}
        raw_uri = _to_wsgi(self.request_uri)
        environ.update(
            {
                "REQUEST_METHOD": self.method,
                "SCRIPT_NAME": _uri_path_to_wsgi(self.script_root),
                "PATH_INFO": _uri_path_to_wsgi(self.path),
                "QUERY_STRING": _to_wsgi(self.query_string),
                "REQUEST_URI": raw_uri,
                "RAW_URI": raw_uri,
                "SERVER_NAME": self.server_name,
                "SERVER_PORT": str(self.server_port),
                "HTTP_HOST": self.host,
                "SERVER_PROTOCOL": self.server_protocol,
                "wsgi.version": self.wsgi_version,
                "wsgi.url_scheme": self.url_scheme,
                "wsgi.input": input_stream,
                "wsgi.errors": self.errors_stream,
                "wsgi.multithread": self.multithread,
                "wsgi.multiprocess": self.multiprocess,
                "wsgi.run_once": self.run_once,
            }
        )
        if content_type is not None:
            environ["CONTENT_TYPE"] = content_type
        if content_length is not None:
            environ["CONTENT_LENGTH"] = str(content_length)

        combined: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            lowered = name.lower()
            if lowered == "content-type" or lowered == "content-length":
                continue
            combined.setdefault(f"HTTP_{name.upper().replace('-', '_')}", []).append(value)
        for key, values in combined.items():
            environ[key] = ", ".join(values)

        if self.environ_overrides:
            environ.update(self.environ_overrides)
        return environ

    def get_request(self, cls: type[Any] | None = None) -> Any:
        """A request object (``cls``, default :attr:`request_class`) for the environ."""
        if cls is None:
            cls = self.request_class
        return cls(self.get_environ())  # type: ignore[misc]


class AppEnvironBuilder(EnvironBuilder):
    """Flask's ``EnvironBuilder(app, ...)``: defaults taken from an application.

    Without ``base_url``, the base URL is built from ``url_scheme`` (default
    ``PREFERRED_URL_SCHEME``), ``subdomain`` + ``SERVER_NAME`` (default ``localhost``)
    and ``APPLICATION_ROOT``; a scheme or host written in ``path`` wins. JSON is
    serialized with ``app.json.dumps`` when the app has one. Further positional
    arguments follow Werkzeug's order from ``query_string`` on, as in Flask.
    """

    def __init__(
        self,
        app: Any,
        path: str = "/",
        base_url: str | None = None,
        subdomain: str | None = None,
        url_scheme: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if base_url is not None and (subdomain or url_scheme):
            raise AssertionError('Cannot pass "subdomain" or "url_scheme" with "base_url".')
        if base_url is None:
            config = app.config
            host = config.get("SERVER_NAME") or "localhost"
            if subdomain:
                host = f"{subdomain}.{host}"
            if url_scheme is None:
                url_scheme = config["PREFERRED_URL_SCHEME"]
            url = urlsplit(path)
            root = config["APPLICATION_ROOT"].lstrip("/")
            base_url = f"{url.scheme or url_scheme}://{url.netloc or host}/{root}"
            path = f"{url.path}?{url.query}" if url.query else url.path
        self.app = app
        super().__init__(path, base_url, *args, **kwargs)

    def json_dumps(self, obj: Any, **kwargs: Any) -> str:  # type: ignore[override]
        """Serialize ``obj`` the way the application's JSON provider does."""
        provider = getattr(self.app, "json", None)
        dumps = getattr(provider, "dumps", None)
        if dumps is None:
            return _json.dumps(obj, **kwargs)
        return dumps(obj, **kwargs)  # type: ignore[no-any-return]


def create_environ(*args: Any, **kwargs: Any) -> WSGIEnvironment:
    """A WSGI environ from :class:`EnvironBuilder` arguments."""
    builder = EnvironBuilder(*args, **kwargs)
    try:
        return builder.get_environ()
    finally:
        builder.close()
