"""What applications and blueprints share: routes, hooks, error handlers, resources.

:class:`Scaffold` records registrations; the :class:`~erlen.app.Erlen` app applies them
directly and a :class:`~erlen.blueprints.Blueprint` defers them until it is registered.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import sys
import typing as t
from collections import defaultdict
from datetime import timedelta
from functools import update_wrapper

from .exceptions import HTTPException, default_exceptions
from .templating import _default_template_ctx_processor

if t.TYPE_CHECKING:
    from click import Group
    from jinja2 import BaseLoader

    from .wrappers import Response

__all__ = ["Scaffold", "find_package", "get_root_path", "setupmethod"]

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
T = t.TypeVar("T", bound=t.Callable[..., t.Any])

_sentinel = object()


def setupmethod(f: F) -> F:
    """Mark a method that may only be called while the app or blueprint is set up."""
    f_name = f.__name__

    def wrapper_func(self: Scaffold, *args: t.Any, **kwargs: t.Any) -> t.Any:
        self._check_setup_finished(f_name)
        return f(self, *args, **kwargs)

    return t.cast(F, update_wrapper(wrapper_func, f))


def _registering(add: t.Callable[..., None], name: str | None) -> t.Callable[[T], T]:
    """The decorator behind ``template_filter(name)`` and its kind: it registers the
    decorated function with ``add(f, name=name)`` and returns it unchanged."""

    def decorator(f: T) -> T:
        add(f, name=name)
        return f

    return decorator


def _endpoint_from_view_func(view_func: t.Callable[..., t.Any] | None) -> str:
    assert view_func is not None, "expected view func if endpoint is not provided."
    return view_func.__name__


def get_root_path(import_name: str) -> str:
    """The directory of the module or package *import_name* (its resources live there)."""
    module = sys.modules.get(import_name)
    if module is not None and getattr(module, "__file__", None) is not None:
        return os.path.dirname(os.path.abspath(module.__file__))  # type: ignore[arg-type,type-var]
    try:
        spec = importlib.util.find_spec(import_name)
        if spec is None:
            raise ValueError
    except (ImportError, ValueError):
        loader = None
    else:
        loader = spec.loader
    if loader is None:
        return os.getcwd()
    if hasattr(loader, "get_filename"):
        filepath = loader.get_filename(import_name)
    else:
        __import__(import_name)
        module = sys.modules[import_name]
        filepath = getattr(module, "__file__", None)
        if filepath is None:
            raise RuntimeError(
                "No root path can be found for the provided module"
                f" {import_name!r}. This can happen because the module"
                " came from an import hook that does not provide file"
                " name information or because it's a namespace package."
                " In this case the root path needs to be explicitly"
                " provided."
            )
    return os.path.dirname(os.path.abspath(filepath))  # type: ignore[no-any-return]


def _find_package_path(import_name: str) -> str:
    root_mod_name, _, _ = import_name.partition(".")
    try:
        root_spec = importlib.util.find_spec(root_mod_name)
        if root_spec is None:
            raise ValueError("not found")
    except (ImportError, ValueError):
        return os.getcwd()
    if root_spec.submodule_search_locations:
        if root_spec.origin is None or root_spec.origin == "namespace":
            package_spec = importlib.util.find_spec(import_name)
            if package_spec is not None and package_spec.submodule_search_locations:
                package_path = pathlib.Path(
                    os.path.commonpath(package_spec.submodule_search_locations)
                )
                search_location = next(
                    location
                    for location in root_spec.submodule_search_locations
                    if package_path.is_relative_to(location)
                )
            else:
                search_location = root_spec.submodule_search_locations[0]
            return os.path.dirname(search_location)
        return os.path.dirname(os.path.dirname(root_spec.origin))
    return os.path.dirname(root_spec.origin)  # type: ignore[type-var]


def find_package(import_name: str) -> tuple[str | None, str]:
    """``(installation prefix or None, package path)`` of *import_name*; used to place
    the instance folder next to an installed package."""
    package_path = _find_package_path(import_name)
    py_prefix = os.path.abspath(sys.prefix)
    if pathlib.PurePath(package_path).is_relative_to(py_prefix):
        return py_prefix, package_path
    site_parent, site_folder = os.path.split(package_path)
    if site_folder.lower() == "site-packages":
        parent, folder = os.path.split(site_parent)
        if folder.lower() == "lib":
            return parent, package_path
        if os.path.basename(parent).lower() == "lib":
            return os.path.dirname(parent), package_path
        return site_parent, package_path
    return None, package_path


class Scaffold:
    """Registration shared by apps and blueprints.

    ``import_name`` locates resources (``root_path``); ``static_folder``,
    ``static_url_path`` and ``template_folder`` are relative to it.
    """

    name: str
    _static_folder: str | None = None
    _static_url_path: str | None = None

    def __init__(
        self,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        root_path: str | None = None,
    ) -> None:
        self.import_name = import_name
        self.static_folder = static_folder  # type: ignore[assignment]
        self.static_url_path = static_url_path
        self.template_folder = template_folder
        if root_path is None:
            root_path = get_root_path(self.import_name)
        self.root_path = root_path
        from .cli import AppGroup

        self.cli: Group = AppGroup()
        self.view_functions: dict[str, t.Callable[..., t.Any]] = {}
        self.error_handler_spec: dict[
            str | None, dict[int | None, dict[type[Exception], t.Callable[..., t.Any]]]
        ] = defaultdict(lambda: defaultdict(dict))
        self.before_request_funcs: dict[str | None, list[t.Callable[..., t.Any]]] = defaultdict(
            list
        )
        self.after_request_funcs: dict[str | None, list[t.Callable[..., t.Any]]] = defaultdict(list)
        self.teardown_request_funcs: dict[str | None, list[t.Callable[..., t.Any]]] = defaultdict(
            list
        )
        self.template_context_processors: dict[str | None, list[t.Callable[..., t.Any]]] = (
            defaultdict(list, {None: [_default_template_ctx_processor]})
        )
        self.url_value_preprocessors: dict[str | None, list[t.Callable[..., t.Any]]] = defaultdict(
            list
        )
        self.url_default_functions: dict[str | None, list[t.Callable[..., t.Any]]] = defaultdict(
            list
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def _check_setup_finished(self, f_name: str) -> None:
        raise NotImplementedError

    # -- resources -----------------------------------------------------------------------

    @property
    def static_folder(self) -> str | None:
        """The absolute path of the static folder, or ``None``."""
        if self._static_folder is not None:
            return os.path.join(self.root_path, self._static_folder)
        return None

    @static_folder.setter
    def static_folder(self, value: str | os.PathLike[str] | None) -> None:
        if value is not None:
            value = os.fspath(value).rstrip(r"\/")
        self._static_folder = value  # type: ignore[assignment]

    @property
    def has_static_folder(self) -> bool:
        """Whether a static folder is configured."""
        return self.static_folder is not None

    @property
    def static_url_path(self) -> str | None:
        """The URL prefix static files are served under (``/static`` by default)."""
        if self._static_url_path is not None:
            return self._static_url_path
        if self.static_folder is not None:
            basename = os.path.basename(self.static_folder)
            return f"/{basename}".rstrip("/")
        return None

    @static_url_path.setter
    def static_url_path(self, value: str | None) -> None:
        if value is not None:
            value = value.rstrip("/")
        self._static_url_path = value

    @property
    def jinja_loader(self) -> BaseLoader | None:
        """A loader for the template folder, or ``None`` without one."""
        loader = self.__dict__.get("_jinja_loader", _sentinel)
        if loader is _sentinel:
            if self.template_folder is not None:
                from jinja2 import FileSystemLoader

                loader = FileSystemLoader(os.path.join(self.root_path, self.template_folder))
            else:
                loader = None
            self.__dict__["_jinja_loader"] = loader
        return loader  # type: ignore[no-any-return]

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """Cache lifetime for static files (``SEND_FILE_MAX_AGE_DEFAULT``; ``None`` means
        conditional requests only)."""
        from .globals import current_app

        value = current_app.config["SEND_FILE_MAX_AGE_DEFAULT"]
        if value is None:
            return None
        if isinstance(value, timedelta):
            return int(value.total_seconds())
        return value  # type: ignore[no-any-return]

    def send_static_file(self, filename: str) -> Response:
        """The view behind the ``static`` endpoint.

        With ``STATIC_URL_HASH`` on, a request carrying the file's current content hash
        (``?v=``, as ``url_for`` adds it) is answered as cacheable for a year and
        ``immutable``: its URL changes whenever the file does.
        """
        if not self.has_static_folder:
            raise RuntimeError("'static_folder' must be set to serve static_files.")
        from .globals import current_app, request
        from .helpers import send_from_directory

        app = current_app._get_current_object()  # type: ignore[attr-defined]
        if app.config["STATIC_URL_HASH"]:
            requested = request.args.get("v")
            if requested and requested == self.static_file_hash(filename, refresh=app.debug):
                from .static import IMMUTABLE_CACHE_CONTROL, IMMUTABLE_MAX_AGE

                response = send_from_directory(
                    t.cast(str, self.static_folder), filename, max_age=IMMUTABLE_MAX_AGE
                )
                response.headers["Cache-Control"] = IMMUTABLE_CACHE_CONTROL
                return response
        max_age = self.get_send_file_max_age(filename)
        return send_from_directory(t.cast(str, self.static_folder), filename, max_age=max_age)

    def static_file_hash(self, filename: str, refresh: bool = False) -> str | None:
        """The short content hash ``url_for`` appends to this static file's URL
        (``?v=``) when ``STATIC_URL_HASH`` is on; ``None`` for a missing file.

        Computed once per file and then remembered; *refresh* (debug mode) checks the
        file for changes on every call.  Override to take hashes from a build manifest.
        """
        # The folder's absolute path is remembered for as long as what it is made of.
        where = (self.root_path, self._static_folder)
        state = self.__dict__.get("_static_file_hashes")
        if state is None or state[0] != where:
            from .static import StaticFileHashes

            state = self.__dict__["_static_file_hashes"] = (
                where,
                self.static_folder,
                StaticFileHashes(),
            )
        if state[1] is None:
            return None
        return state[2].get(state[1], filename, refresh)  # type: ignore[no-any-return]

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.AnyStr]:
        """Open a file relative to ``root_path`` for reading."""
        if mode not in {"r", "rt", "rb"}:
            raise ValueError("Resources can only be opened for reading.")
        path = os.path.join(self.root_path, resource)
        if mode == "rb":
            return open(path, mode)  # type: ignore[return-value]
        return open(path, mode, encoding=encoding)  # type: ignore[return-value]

    # -- routes --------------------------------------------------------------------------

    def _method_route(
        self, method: str, rule: str, options: dict[str, t.Any]
    ) -> t.Callable[[T], T]:
        if "methods" in options:
            raise TypeError("Use the 'route' decorator to use the 'methods' argument.")
        return self.route(rule, methods=[method], **options)

    @setupmethod
    def get(self, rule: str, **options: t.Any) -> t.Callable[[T], T]:
        """``route(rule, methods=["GET"])``."""
        return self._method_route("GET", rule, options)

    @setupmethod
    def post(self, rule: str, **options: t.Any) -> t.Callable[[T], T]:
        """``route(rule, methods=["POST"])``."""
        return self._method_route("POST", rule, options)

    @setupmethod
    def put(self, rule: str, **options: t.Any) -> t.Callable[[T], T]:
        """``route(rule, methods=["PUT"])``."""
        return self._method_route("PUT", rule, options)

    @setupmethod
    def delete(self, rule: str, **options: t.Any) -> t.Callable[[T], T]:
        """``route(rule, methods=["DELETE"])``."""
        return self._method_route("DELETE", rule, options)

    @setupmethod
    def patch(self, rule: str, **options: t.Any) -> t.Callable[[T], T]:
        """``route(rule, methods=["PATCH"])``."""
        return self._method_route("PATCH", rule, options)

    @setupmethod
    def route(self, rule: str, **options: t.Any) -> t.Callable[[T], T]:
        """Register the decorated function as the view for *rule*.

        ``endpoint=`` names it (default: the function name); ``methods=`` lists the
        HTTP methods; other options go to :class:`~erlen.routing.Rule`.
        """

        def decorator(f: T) -> T:
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, f, **options)
            return f

        return decorator

    @setupmethod
    def websocket(self, rule: str, **options: t.Any) -> t.Callable[[T], T]:
        """Register the decorated (async) function as a WebSocket view for *rule*.

        WebSocket routes share the URL map with HTTP routes; ``url_for`` builds
        ``ws://``/``wss://`` URLs for them.  They are served over ASGI (``app.asgi``).
        """

        def decorator(f: T) -> T:
            endpoint = options.pop("endpoint", None)
            options.setdefault("methods", ["GET"])
            self.add_url_rule(
                rule, endpoint, f, websocket=True, provide_automatic_options=False, **options
            )
            return f

        return decorator

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        raise NotImplementedError

    @setupmethod
    def endpoint(self, endpoint: str) -> t.Callable[[F], F]:
        """Register the decorated function as the view of an endpoint added elsewhere."""

        def decorator(f: F) -> F:
            self.view_functions[endpoint] = f
            return f

        return decorator

    # -- hooks ---------------------------------------------------------------------------

    @setupmethod
    def before_request(self, f: T) -> T:
        """Run *f* before each request; a non-``None`` return value is the response."""
        self.before_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def after_request(self, f: T) -> T:
        """Run *f(response)* after each request; it must return a response."""
        self.after_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def teardown_request(self, f: T) -> T:
        """Run *f(exc)* when the request context is popped, even after errors."""
        self.teardown_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def context_processor(self, f: T) -> T:
        """Register *f()* returning a dict merged into every template's context."""
        self.template_context_processors[None].append(f)
        return f

    @setupmethod
    def url_value_preprocessor(self, f: T) -> T:
        """Run *f(endpoint, values)* before ``before_request`` to pop URL values."""
        self.url_value_preprocessors[None].append(f)
        return f

    @setupmethod
    def url_defaults(self, f: T) -> T:
        """Run *f(endpoint, values)* in ``url_for`` to fill in values it may need."""
        self.url_default_functions[None].append(f)
        return f

    # -- error handlers ----------------------------------------------------------------

    @setupmethod
    def errorhandler(self, code_or_exception: type[Exception] | int) -> t.Callable[[T], T]:
        """Register the decorated function for an HTTP status code or exception class."""

        def decorator(f: T) -> T:
            self.register_error_handler(code_or_exception, f)
            return f

        return decorator

    @setupmethod
    def register_error_handler(
        self, code_or_exception: type[Exception] | int, f: t.Callable[..., t.Any]
    ) -> None:
        """Register *f* for a status code or exception class (non-decorator form)."""
        exc_class, code = self._get_exc_class_and_code(code_or_exception)
        self.error_handler_spec[None][code][exc_class] = f

    @staticmethod
    def _get_exc_class_and_code(
        exc_class_or_code: type[Exception] | int,
    ) -> tuple[type[Exception], int | None]:
        exc_class: type[Exception]
        if isinstance(exc_class_or_code, int):
            try:
                exc_class = default_exceptions[exc_class_or_code]
            except KeyError:
                raise ValueError(
                    f"'{exc_class_or_code}' is not a recognized HTTP"
                    " error code. Use a subclass of HTTPException with"
                    " that code instead."
                ) from None
        else:
            exc_class = exc_class_or_code
        if isinstance(exc_class, Exception):
            raise TypeError(
                f"{exc_class!r} is an instance, not a class. Handlers"
                " can only be registered for Exception classes or HTTP"
                " error codes."
            )
        if not issubclass(exc_class, Exception):
            raise ValueError(
                f"'{exc_class.__name__}' is not a subclass of"
                " Exception. Handlers can only be registered for"
                " Exception classes or HTTP error codes."
            )
        if issubclass(exc_class, HTTPException):
            return exc_class, exc_class.code
        return exc_class, None
