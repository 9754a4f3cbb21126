"""The application object.

``app = Erlen(__name__)`` is a WSGI application (call it with ``environ,
start_response``) and ``app.asgi`` is the same application over ASGI.  Registration
(routes, hooks, blueprints, template helpers) lives here and in :mod:`.scaffold`; the
request lifecycle in :mod:`.dispatch`; routing and URL building in :mod:`.urls`.
"""

from __future__ import annotations

import logging
import os
import sys
import typing as t
from datetime import timedelta
from itertools import chain

from . import json as _json_module
from .config import Config, ConfigAttribute
from .ctx import RequestContext, _AppCtxGlobals
from .dispatch import DispatchMixin
from .json.provider import DefaultJSONProvider, JSONProvider
from .logging import create_logger
from .routing import Map, Rule
from .scaffold import Scaffold, _endpoint_from_view_func, _registering, find_package, setupmethod
from .sessions import SecureCookieSessionInterface, SessionInterface
from .templating import DispatchingJinjaLoader, Environment
from .urls import UrlMixin
from .wrappers import Request, Response

if t.TYPE_CHECKING:
    from .blueprints import Blueprint
    from .testing import ErlenClient, ErlenCliRunner

__all__ = ["Erlen"]

T = t.TypeVar("T", bound=t.Callable[..., t.Any])


def _make_timedelta(value: timedelta | int | None) -> timedelta | None:
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(seconds=value)


def get_debug_flag() -> bool:
    """Whether ``ERLEN_DEBUG`` (or ``FLASK_DEBUG``) asks for debug mode."""
    value = os.environ.get("ERLEN_DEBUG") or os.environ.get("FLASK_DEBUG")
    return bool(value and value.lower() not in {"0", "false", "no"})


class Erlen(DispatchMixin, UrlMixin, Scaffold):
    """The central object of an erlen application: ``app = Erlen(__name__)``.

    ``import_name`` (usually ``__name__``) locates the app's resources: templates in
    ``template_folder``, static files in ``static_folder`` served at
    ``static_url_path``, the ``instance_path`` folder for local files and databases.
    ``host_matching``/``static_host`` and ``subdomain_matching`` control host-based
    routing.  The constructor's parameters and every attribute match Flask's.
    """

    request_class: type[Request] = Request
    response_class: type[Response] = Response
    aborter_class: type[t.Any] | None = None
    jinja_environment = Environment
    app_ctx_globals_class = _AppCtxGlobals
    config_class = Config
    testing = ConfigAttribute[bool]("TESTING")
    secret_key = ConfigAttribute["str | bytes | None"]("SECRET_KEY")
    permanent_session_lifetime = ConfigAttribute[timedelta](
        "PERMANENT_SESSION_LIFETIME", get_converter=_make_timedelta
    )
    json_provider_class: type[JSONProvider] = DefaultJSONProvider
    jinja_options: dict[str, t.Any] = {}
    url_rule_class = Rule
    url_map_class = Map
    test_client_class: type[ErlenClient] | None = None
    test_cli_runner_class: type[ErlenCliRunner] | None = None
    session_interface: SessionInterface = SecureCookieSessionInterface()

    default_config: dict[str, t.Any] = {
        "DEBUG": None,
        "TESTING": False,
        "PROPAGATE_EXCEPTIONS": None,
        "SECRET_KEY": None,
        "SECRET_KEY_FALLBACKS": None,
        "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
        "USE_X_SENDFILE": False,
        "TRUSTED_HOSTS": None,
        "SERVER_NAME": None,
        "APPLICATION_ROOT": "/",
        "SESSION_COOKIE_NAME": "session",
        "SESSION_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_PATH": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_PARTITIONED": False,
        "SESSION_COOKIE_SAMESITE": None,
        "SESSION_REFRESH_EACH_REQUEST": True,
        "MAX_CONTENT_LENGTH": None,
        "MAX_FORM_MEMORY_SIZE": 500_000,
        "MAX_FORM_PARTS": 1_000,
        "SEND_FILE_MAX_AGE_DEFAULT": None,
        "TRAP_BAD_REQUEST_ERRORS": None,
        "TRAP_HTTP_EXCEPTIONS": False,
        "EXPLAIN_TEMPLATE_LOADING": False,
        "PREFERRED_URL_SCHEME": "http",
        "TEMPLATES_AUTO_RELOAD": None,
        "MAX_COOKIE_SIZE": 4093,
        "PROVIDE_AUTOMATIC_OPTIONS": True,
        "STATIC_URL_HASH": False,
    }

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike[str] | None = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: str | os.PathLike[str] | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
    ) -> None:
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if instance_path is None:
            instance_path = self.auto_find_instance_path()
        elif not os.path.isabs(instance_path):
            raise ValueError(
                "If an instance path is provided it must be absolute."
                " A relative path was given instead."
            )
        self.instance_path = instance_path
        self.config = self.make_config(instance_relative_config)
        self.aborter = self.make_aborter()
        self.json: JSONProvider = self.json_provider_class(self)
        self.url_build_error_handlers: list[
            t.Callable[[Exception, str, dict[str, t.Any]], str]
        ] = []
        self.teardown_appcontext_funcs: list[t.Callable[[BaseException | None], None]] = []
        self.shell_context_processors: list[t.Callable[[], dict[str, t.Any]]] = []
        self.blueprints: dict[str, Blueprint] = {}
        self.extensions: dict[str, t.Any] = {}
        self.url_map = self.url_map_class(host_matching=host_matching)
        self.subdomain_matching = subdomain_matching
        self._got_first_request = False
        self._sync_views: dict[t.Any, t.Callable[..., t.Any]] = {}
        self._asgi: t.Any = None
        self._lifespan_handlers: dict[str, list[t.Callable[[], t.Any]]] = {
            "startup": [],
            "shutdown": [],
        }
        self.cli.name = self.name
        if self.has_static_folder:
            assert bool(static_host) == host_matching, (
                "Invalid static_host/host_matching combination"
            )
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                host=static_host,
                view_func=self.send_static_file,
            )

    # -- identity and configuration ----------------------------------------------------

    @property
    def name(self) -> str:  # type: ignore[override]
        """The app's name: the import name, or the script's name when run as __main__."""
        if self.import_name == "__main__":
            fn = getattr(sys.modules["__main__"], "__file__", None)
            if fn is None:
                return "__main__"
            return os.path.splitext(os.path.basename(fn))[0]
        return self.import_name

    @property
    def logger(self) -> logging.Logger:
        """The app's logger, named after the app (Flask's configuration)."""
        logger = self.__dict__.get("_logger")
        if logger is None:
            logger = self.__dict__["_logger"] = create_logger(self)
        return logger

    @property
    def jinja_env(self) -> Environment:
        """The app's Jinja environment (created on first use)."""
        env = self.__dict__.get("_jinja_env")
        if env is None:
            env = self.__dict__["_jinja_env"] = self.create_jinja_environment()
        return env  # type: ignore[no-any-return]

    @property
    def debug(self) -> bool:
        """Whether debug mode is on (``DEBUG``): detailed errors, template reloading."""
        return bool(self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value
        if self.config["TEMPLATES_AUTO_RELOAD"] is None:
            self.jinja_env.auto_reload = value

    def make_config(self, instance_relative: bool = False) -> Config:
        """The app's :class:`Config`, with defaults and ``DEBUG`` from the environment."""
        root_path = self.instance_path if instance_relative else self.root_path
        defaults = dict(self.default_config)
        defaults["DEBUG"] = get_debug_flag()
        return self.config_class(root_path, defaults)

    def make_aborter(self) -> t.Any:
        """The object :func:`erlen.abort` uses."""
        from .exceptions import Aborter

        return (self.aborter_class or Aborter)()

    def auto_find_instance_path(self) -> str:
        """``instance/`` next to the package, or under ``var/`` of an installed package."""
        prefix, package_path = find_package(self.import_name)
        if prefix is None:
            return os.path.join(package_path, "instance")
        return os.path.join(prefix, "var", f"{self.name}-instance")

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> t.IO[t.AnyStr]:
        """Open a file relative to the instance folder."""
        path = os.path.join(self.instance_path, resource)
        if "b" in mode:
            return open(path, mode)  # type: ignore[return-value]
        return open(path, mode, encoding=encoding)  # type: ignore[return-value]

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_first_request:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called"
                " on the application. It has already handled its first"
                " request, any changes will not be applied"
                " consistently.\n"
                "Make sure all imports, decorators, functions, etc."
                " needed to set up the application are done before"
                " running it."
            )

    # -- routes and blueprints -----------------------------------------------------------

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Connect a URL rule to an endpoint and (optionally) its view function."""
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)
        options["endpoint"] = endpoint
        methods = options.pop("methods", None)
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        if isinstance(methods, str):
            raise TypeError(
                "Allowed methods must be a list of strings, for"
                ' example: @app.route(..., methods=["POST"])'
            )
        methods = {item.upper() for item in methods}
        required_methods = set(getattr(view_func, "required_methods", ()))
        if provide_automatic_options is None:
            provide_automatic_options = getattr(view_func, "provide_automatic_options", None)
        if provide_automatic_options is None:
            if "OPTIONS" not in methods and self.config["PROVIDE_AUTOMATIC_OPTIONS"]:
                provide_automatic_options = True
                required_methods.add("OPTIONS")
            else:
                provide_automatic_options = False
        methods |= required_methods
        rule_obj = self.url_rule_class(rule, methods=methods, **options)
        rule_obj.provide_automatic_options = provide_automatic_options  # type: ignore[attr-defined]
        self.url_map.add(rule_obj)
        if view_func is not None:
            old_func = self.view_functions.get(endpoint)
            if old_func is not None and old_func != view_func:
                raise AssertionError(
                    "View function mapping is overwriting an existing"
                    f" endpoint function: {endpoint}"
                )
            self.view_functions[endpoint] = view_func

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Register a blueprint: its routes, hooks and handlers become the app's.

        ``url_prefix``, ``subdomain``, ``url_defaults`` and ``name`` override the
        blueprint's own settings for this registration.
        """
        blueprint.register(self, options)

    def iter_blueprints(self) -> t.ValuesView[Blueprint]:
        """The registered blueprints, in registration order."""
        return self.blueprints.values()

    # -- templates -------------------------------------------------------------------

    def create_jinja_environment(self) -> Environment:
        """The Jinja environment with erlen's globals (``url_for``, ``config``...)."""
        from .globals import g, request, session
        from .helpers import get_flashed_messages

        options = dict(self.jinja_options)
        if "autoescape" not in options:
            options["autoescape"] = self.select_jinja_autoescape
        if "auto_reload" not in options:
            auto_reload = self.config["TEMPLATES_AUTO_RELOAD"]
            if auto_reload is None:
                auto_reload = self.debug
            options["auto_reload"] = auto_reload
        env = self.jinja_environment(self, **options)
        env.globals.update(
            url_for=self.url_for,
            get_flashed_messages=get_flashed_messages,
            config=self.config,
            request=request,
            session=session,
            g=g,
        )
        env.policies["json.dumps_function"] = self.json.dumps
        return env

    def create_global_jinja_loader(self) -> DispatchingJinjaLoader:
        """The loader searching the app's, then each blueprint's, template folder."""
        return DispatchingJinjaLoader(self)

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Autoescape HTML-like templates (and templates from strings)."""
        if filename is None:
            return True
        return filename.endswith((".html", ".htm", ".xml", ".xhtml", ".svg"))

    def update_template_context(self, context: dict[str, t.Any]) -> None:
        """Add the context processors' values to *context* (explicit values win)."""
        from .globals import _cv_request

        names: t.Iterable[str | None] = (None,)
        ctx = _cv_request.get(None)
        if ctx is not None:
            names = chain(names, reversed(ctx.request.blueprints))
        original = context.copy()
        for name in names:
            if name in self.template_context_processors:
                for func in self.template_context_processors[name]:
                    context.update(self.ensure_sync(func)())
        context.update(original)

    @setupmethod
    def template_filter(self, name: str | None = None) -> t.Callable[[T], T]:
        """Register the decorated function as a Jinja filter."""
        return _registering(self.add_template_filter, name)

    @setupmethod
    def add_template_filter(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        self.jinja_env.filters[name or f.__name__] = f

    @setupmethod
    def template_test(self, name: str | None = None) -> t.Callable[[T], T]:
        """Register the decorated function as a Jinja test."""
        return _registering(self.add_template_test, name)

    @setupmethod
    def add_template_test(self, f: t.Callable[..., bool], name: str | None = None) -> None:
        self.jinja_env.tests[name or f.__name__] = f

    @setupmethod
    def template_global(self, name: str | None = None) -> t.Callable[[T], T]:
        """Register the decorated function as a Jinja global."""
        return _registering(self.add_template_global, name)

    @setupmethod
    def add_template_global(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        self.jinja_env.globals[name or f.__name__] = f

    # -- app context teardown and shell ----------------------------------------------------

    @setupmethod
    def teardown_appcontext(self, f: T) -> T:
        """Run *f(exc)* when the app context is popped (after every request)."""
        self.teardown_appcontext_funcs.append(f)
        return f

    @setupmethod
    def shell_context_processor(self, f: T) -> T:
        """Register *f()* returning names for ``erlen shell``."""
        self.shell_context_processors.append(f)
        return f

    def make_shell_context(self) -> dict[str, t.Any]:
        """The namespace of ``erlen shell``: ``app``, ``g`` and the processors' names."""
        from .globals import g

        rv = {"app": self, "g": g}
        for processor in self.shell_context_processors:
            rv.update(processor())
        return rv

    # -- lifespan (ASGI) -----------------------------------------------------------------

    def on_startup(self, f: T) -> T:
        """Run *f* (sync or async) when an ASGI server starts the app."""
        self._lifespan_handlers["startup"].append(f)
        return f

    def on_shutdown(self, f: T) -> T:
        """Run *f* (sync or async) when an ASGI server stops the app."""
        self._lifespan_handlers["shutdown"].append(f)
        return f

    # -- contexts and tests ----------------------------------------------------------------

    def test_request_context(self, *args: t.Any, **kwargs: t.Any) -> RequestContext:
        """A request context for a made-up request (arguments as the test client's)."""
        from .testing import EnvironBuilder

        builder = EnvironBuilder(self, *args, **kwargs)
        try:
            return self.request_context(builder.get_environ())
        finally:
            builder.close()

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> ErlenClient:
        """A client sending requests to the app without a server."""
        cls = self.test_client_class
        if cls is None:
            from .testing import ErlenClient as cls  # type: ignore[assignment]
        return cls(  # type: ignore[misc]
            self, self.response_class, use_cookies=use_cookies, **kwargs
        )

    def test_cli_runner(self, **kwargs: t.Any) -> ErlenCliRunner:
        """A runner for the app's CLI commands in tests."""
        cls = self.test_cli_runner_class
        if cls is None:
            from .testing import ErlenCliRunner as cls  # type: ignore[assignment]
        return cls(self, **kwargs)  # type: ignore[misc]

    # -- serving -----------------------------------------------------------------------

    @property
    def asgi(self) -> t.Any:
        """This app as an ASGI 3 application: ``uvicorn module:app.asgi``."""
        if self._asgi is None:
            from .asgi import ASGIAdapter

            self._asgi = ASGIAdapter(self)
        return self._asgi

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: t.Any,
    ) -> None:
        """Serve the app with the embedded development server (uvicorn).

        For production use a real deployment (see the docs); this is ``erlen run``.
        """
        from .serving import run_app

        # run_app applies .env files, then the environment's debug flag, then *debug*,
        # in Flask's order.
        run_app(self, host=host, port=port, load_dotenv=load_dotenv, debug=debug, **options)

    def __call__(self, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]) -> t.Any:
        """Call :meth:`wsgi_app` (so middleware assigned to it applies)."""
        return self.wsgi_app(environ, start_response)

    def log_exception(self, exc_info: t.Any) -> None:
        """Log an unhandled exception: ``Exception on /path [METHOD]`` with traceback."""
        from .globals import _cv_request

        ctx = _cv_request.get(None)
        where = f"{ctx.request.path} [{ctx.request.method}]" if ctx is not None else "?"
        self.logger.error(f"Exception on {where}", exc_info=exc_info)

    # erlen extras that other modules register: ``check_urls`` (URL verification).
    def check_urls(self, **kwargs: t.Any) -> t.Any:
        """Verify every ``url_for`` in the app's templates and modules (``erlen check``)."""
        from .verify import check_app

        return check_app(self, **kwargs)

    _json_module = _json_module
