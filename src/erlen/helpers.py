"""Functions views use: ``url_for``, ``redirect``, ``abort``, ``make_response``,
``flash``, ``send_file``, ``stream_with_context`` and friends.

They act on the current application and request through the context variables.
"""

from __future__ import annotations

import os
import typing as t
from functools import update_wrapper

from .exceptions import abort as _plain_abort
from .globals import _get_app_ctx, _get_request_ctx, _no_app_msg, current_app
from .routing.map import MapAdapter as _MapAdapter
from .scaffold import get_root_path
from .signals import message_flashed
from .urls import UrlMixin
from .urls import build_url as _build_url
from .urls import fast_url_table as _fast_url_table
from .utils import redirect as _plain_redirect

_base_url_for = UrlMixin.url_for

if t.TYPE_CHECKING:
    from .wrappers import Response

__all__ = [
    "abort",
    "flash",
    "get_debug_flag",
    "get_flashed_messages",
    "get_load_dotenv",
    "get_root_path",
    "get_template_attribute",
    "make_response",
    "redirect",
    "send_file",
    "send_from_directory",
    "stream_with_context",
    "url_for",
]


def get_debug_flag() -> bool:
    """Whether ``ERLEN_DEBUG`` (or ``FLASK_DEBUG``) turns debug mode on."""
    value = os.environ.get("ERLEN_DEBUG") or os.environ.get("FLASK_DEBUG")
    return bool(value and value.lower() not in {"0", "false", "no"})


def get_load_dotenv(default: bool = True) -> bool:
    """Whether ``.env`` files should be loaded (``ERLEN_SKIP_DOTENV`` turns it off)."""
    value = os.environ.get("ERLEN_SKIP_DOTENV") or os.environ.get("FLASK_SKIP_DOTENV")
    if not value:
        return default
    return value.lower() in ("0", "false", "no")


def url_for(endpoint: str, **values: t.Any) -> str:
    """The URL of a view, built from its endpoint name and values.

    Values that are rule placeholders fill the path (through their converters); the
    others become the query string (``None`` skipped, lists repeated).  ``.name`` is
    relative to the current blueprint.  ``_external=True`` gives an absolute URL
    (``_scheme`` implies it), ``_anchor`` adds a fragment, ``_method`` picks the rule
    for a method.  ``_sign=True`` signs the URL (``_expires`` makes it expire; see
    :mod:`erlen.signing`).  With ``STATIC_URL_HASH`` on, static file URLs carry their
    content hash.  Raises :class:`~erlen.routing.BuildError` explaining what is wrong.

    (The options are read from ``values`` rather than declared as keyword-only
    parameters: binding those on every call costs more than the common URL itself.)
    """
    req_ctx = _get_request_ctx(None)
    if req_ctx is not None:
        # The common case inline: a relative URL from the endpoint's generated builder
        # (which refuses values it does not handle, such as _external, by returning
        # None); urls.fast_relative_url is the same for app.url_for.
        adapter = req_ctx._url_adapter
        if adapter.__class__ is _MapAdapter:
            app = req_ctx.app
            if not app.url_default_functions and app.__class__.url_for is _base_url_for:
                table = adapter._fast
                if table is None or adapter.map._remap:
                    table = _fast_url_table(app, adapter)
                build = table.get(endpoint)
                if build is not None:
                    try:
                        path = build(values)
                    except (ValueError, TypeError):
                        path = None
                    if path is not None:
                        return adapter._script_root + path  # type: ignore[no-any-return]
                    # Declined (an option such as _external or _sign, or values the
                    # builder cannot take): straight to the general path, without
                    # trying the same builder again through app.url_for.
                    return _build_url(app, req_ctx, endpoint, values)
    app_ctx = _get_app_ctx(None)
    if app_ctx is None:
        raise RuntimeError(
            "url_for() needs an application: call it inside a view or template, inside"
            " 'with app.test_request_context():', or inside 'with app.app_context():'"
            " with SERVER_NAME configured."
        )
    return app_ctx.app.url_for(endpoint, **values)


def redirect(location: str, code: int = 302, Response: type[Response] | None = None) -> Response:
    """A response redirecting the client to *location* (302 by default).

    Use 301/308 for permanent moves, 303 after a form POST, 307/308 to keep the method
    and body.  A location containing CR or LF is refused (``ValueError``).
    """
    app_ctx = _get_app_ctx(None)
    if app_ctx is not None:
        return app_ctx.app.redirect(location, code=code)
    return _plain_redirect(location, code=code, Response=Response)


def abort(code: int | Response, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTP error for *code* (``abort(404)``), or abort with a response."""
    app_ctx = _get_app_ctx(None)
    if app_ctx is not None:
        app_ctx.app.aborter(code, *args, **kwargs)
    _plain_abort(code, *args, **kwargs)
    raise AssertionError("unreachable")  # pragma: no cover


def make_response(*args: t.Any) -> Response:
    """Turn a view-style return value into a response object, e.g. to add headers.

    ``make_response()`` gives an empty response, ``make_response(body, 201)`` the same
    as returning ``(body, 201)`` from a view.
    """
    app_ctx = _get_app_ctx(None)
    if app_ctx is None:
        raise RuntimeError(_no_app_msg)
    app = app_ctx.app
    if not args:
        return app.response_class()
    if len(args) == 1:
        args = args[0]
    return app.make_response(args)


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """A macro or variable a template defines, to call it from Python."""
    return getattr(current_app.jinja_env.get_template(template_name).module, attribute)


def flash(message: str, category: str = "message") -> None:
    """Store a message to show on the next page (``get_flashed_messages``).

    Categories such as ``"error"``, ``"info"`` or ``"warning"`` let templates style
    or filter messages.  Needs a session (``SECRET_KEY``).
    """
    ctx = _get_request_ctx(None)
    if ctx is None:
        from .globals import _no_req_msg

        raise RuntimeError(_no_req_msg)
    session = ctx.session
    flashes = session.get("_flashes", [])
    flashes.append((category, message))
    session["_flashes"] = flashes
    app = ctx.app
    if message_flashed.receivers:
        message_flashed.send(
            app, _async_wrapper=app.ensure_sync, message=message, category=category
        )


def get_flashed_messages(
    with_categories: bool = False, category_filter: t.Iterable[str] = ()
) -> list[str] | list[tuple[str, str]]:
    """The flashed messages, removed from the session (the same list for the rest of
    the request).  ``with_categories`` returns ``(category, message)`` pairs;
    ``category_filter`` keeps only the given categories."""
    ctx = _get_request_ctx(None)
    if ctx is None:
        from .globals import _no_req_msg

        raise RuntimeError(_no_req_msg)
    flashes = ctx.flashes
    if flashes is None:
        session = ctx.session
        flashes = session.pop("_flashes") if "_flashes" in session else []
        ctx.flashes = flashes
    if category_filter:
        flashes = [item for item in flashes if item[0] in category_filter]
    if not with_categories:
        return [item[1] for item in flashes]
    return flashes


def send_file(
    path_or_file: os.PathLike[t.AnyStr] | str | t.IO[bytes],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: t.Any = None,
    max_age: None | int | t.Callable[[str | None], int | None] = None,
) -> Response:
    """Send a file (path or binary file object) with caching and range support.

    See :func:`erlen.static.send_file` for the details.
    """
    from .static import send_file as _send_file

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if max_age is None:
        max_age = app.get_send_file_max_age
    from .globals import request

    return _send_file(
        path_or_file,
        request.environ,
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=download_name,
        conditional=conditional,
        etag=etag,
        last_modified=last_modified,
        max_age=max_age,
        use_x_sendfile=app.config["USE_X_SENDFILE"],
        response_class=app.response_class,
        _root_path=app.root_path,
    )


def send_from_directory(
    directory: os.PathLike[str] | str,
    path: os.PathLike[str] | str,
    **kwargs: t.Any,
) -> Response:
    """Send a file from inside *directory*; any path escaping it is a 404."""
    from .static import send_from_directory as _send_from_directory

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if kwargs.get("max_age") is None:
        kwargs["max_age"] = app.get_send_file_max_age
    from .globals import request

    kwargs.update(
        environ=request.environ,
        use_x_sendfile=app.config["USE_X_SENDFILE"],
        response_class=app.response_class,
        _root_path=app.root_path,
    )
    return _send_from_directory(directory, path, **kwargs)


def stream_with_context(
    generator_or_function: t.Iterator[t.AnyStr] | t.Callable[..., t.Iterator[t.AnyStr]],
) -> t.Iterator[t.AnyStr] | t.Callable[..., t.Iterator[t.AnyStr]]:
    """Keep the request (and app) context active while a streamed body is generated.

    Wrap a generator (or decorate a generator function) returned from a view, so it can
    use ``request`` and ``session`` after the view has returned.
    """
    try:
        gen = iter(generator_or_function)  # type: ignore[arg-type]
    except TypeError:

        def decorator(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return stream_with_context(generator_or_function(*args, **kwargs))  # type: ignore[operator]

        return update_wrapper(decorator, generator_or_function)  # type: ignore[arg-type]

    def generator() -> t.Iterator[t.AnyStr]:
        req_ctx = _get_request_ctx(None)
        if req_ctx is None:
            raise RuntimeError(
                "'stream_with_context' can only be used when a request"
                " context is active, such as in a view function."
            )
        app_ctx = _get_app_ctx()
        yield None  # type: ignore[misc]  # record the contexts, push them when iterated
        with app_ctx, req_ctx:
            try:
                yield from gen
            finally:
                if hasattr(gen, "close"):
                    gen.close()

    wrapped = generator()
    next(wrapped)
    return wrapped
