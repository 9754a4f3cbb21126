"""The development server: ``erlen run`` and ``app.run()``, served by uvicorn.

erlen has no HTTP server of its own. The app is handed to uvicorn — over ASGI
(``app.asgi``) once :mod:`erlen.asgi` is present, over WSGI until then — with the
options Flask users know (host, port, debug, reloader, TLS). With the reloader on,
uvicorn runs the app in a child process that re-imports it through
``erlen.serving:_reload_factory``; this process watches the source files and restarts
the child when one changes. See ``docs/deployment.md`` for production.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import os
import ssl
import sys
import traceback
import types
import typing as t

import click

from .cli import ScriptInfo
from .cli import load_dotenv as _load_dotenv_files
from .helpers import get_debug_flag, get_load_dotenv

if t.TYPE_CHECKING:
    from .app import Erlen

__all__ = [
    "RunPlan",
    "SourceWatcher",
    "reference_from_script_info",
    "remember_ssl_context_import",
    "run_app",
    "serve_app",
    "show_server_banner",
]

#: Set by the ``erlen`` command: ``app.run()`` then returns instead of blocking it.
RUN_FROM_CLI_ENV = "ERLEN_RUN_FROM_CLI"
# What the reloaded server process needs to find the app again (JSON), and the pid of
# the process that watches files; both are inherited by the server process.
_RELOAD_SPEC_ENV = "ERLEN_RELOAD_SPEC"
_RELOADER_PID_ENV = "ERLEN_RELOADER_PID"

_PRODUCTION_WARNING = (
    "WARNING: This is a development server. Do not use it in a production deployment."
    " Use a production setup instead (gunicorn or uvicorn workers, see docs/deployment.md)."
)

# Options of Werkzeug's run_simple that have no counterpart here and are accepted
# so that ported ``app.run(...)`` calls keep working: there is no interactive debugger
# (uvicorn logs the traceback), uvicorn decides about concurrency itself, and the
# reloader always polls.
_IGNORED_WERKZEUG_OPTIONS = frozenset(
    {"use_debugger", "use_evalex", "threaded", "passthrough_errors", "reloader_type"}
)
# uvicorn settings that erlen derives from app.run()'s own arguments.
_RESERVED_SETTINGS = {
    "app": "pass the app as the object app.run() is called on",
    "host": "pass host= to app.run()",
    "port": "pass port= to app.run()",
    "reload": "use use_reloader=",
    "reload_dirs": "use extra_files=",
    "reload_includes": "use extra_files=",
    "reload_excludes": "use exclude_patterns=",
    "reload_delay": "use reloader_interval=",
    "factory": "erlen loads the app itself",
    "interface": "erlen picks ASGI or WSGI itself",
    "workers": "run several workers with gunicorn or uvicorn (see docs/deployment.md)",
}


def _running_from_reloader() -> bool:
    """Whether this is the server process that a file-watching parent started."""
    pid = os.environ.get(_RELOADER_PID_ENV)
    return pid is not None and pid != str(os.getpid())


def show_server_banner(debug: bool | None, app_import_path: str | None) -> None:
    """Print which app is served and whether debug mode is on (once, not again in the
    reloaded server process)."""
    if _running_from_reloader():
        return
    if app_import_path is not None:
        click.echo(f" * Serving Erlen app '{app_import_path}'")
    if debug is not None:
        click.echo(f" * Debug mode: {'on' if debug else 'off'}")


def _show_addresses(scheme: str, host: str, port: int) -> None:
    click.secho(_PRODUCTION_WARNING, fg="red", bold=True, err=True)
    if port == 0:
        click.echo(" * Running on a port chosen by the system (see the log below)", err=True)
        return
    if host in ("0.0.0.0", "::"):
        click.echo(f" * Running on all addresses ({host})", err=True)
        host = "127.0.0.1" if host == "0.0.0.0" else "::1"
    shown = f"[{host}]" if ":" in host else host
    click.echo(f" * Running on {scheme}://{shown}:{port}", err=True)


# -- app.run() -------------------------------------------------------------------------


def run_app(
    app: Erlen,
    host: str | None = None,
    port: int | None = None,
    load_dotenv: bool = True,
    **options: t.Any,
) -> None:
    """Serve ``app`` for development; what ``app.run()`` does.

    ``host`` and ``port`` default to ``SERVER_NAME``'s, else ``127.0.0.1:5000``.
    ``load_dotenv`` reads the dotenv files first (unless ``ERLEN_SKIP_DOTENV``).
    ``debug`` (in ``options``) wins over ``ERLEN_DEBUG``. Werkzeug's ``run_simple``
    options are understood (``use_reloader``, default: debug; ``extra_files``,
    ``exclude_patterns``, ``reloader_interval``, ``ssl_context``), those without a
    meaning here are ignored (``use_debugger``, ``threaded``...), and any other option
    is a uvicorn setting (``log_level="warning"``, ``proxy_headers=True``...).

    Inside the ``erlen`` command this does nothing (the module would otherwise block
    the command it was imported for), and says so.
    """
    if os.environ.get(RUN_FROM_CLI_ENV) == "true":
        if not _running_from_reloader():
            click.secho(
                " * Ignoring a call to 'app.run()' that would block the current 'erlen'"
                " CLI command.\n   Only call 'app.run()' in an"
                " 'if __name__ == \"__main__\"' guard.",
                fg="red",
            )
        return
    if _running_from_reloader():
        return  # the reloaded server process re-imports this module; it serves already

    debug_given = "debug" in options
    debug = options.pop("debug", None)
    if get_load_dotenv(load_dotenv):
        before = _debug_env()
        _load_dotenv_files()
        # As in Flask, the environment overrides the app's own setting, and an explicit
        # debug argument overrides both. (When the caller applied ``debug`` itself and
        # did not pass it on, only a value the dotenv files introduced is applied.)
        if (debug_given and _debug_env() != (None, None)) or (
            not debug_given and _debug_env() != before
        ):
            app.debug = get_debug_flag()
    if debug is not None:
        app.debug = bool(debug)

    host, port = _default_address(app, host, port)
    plan = RunPlan.from_options(options, app.debug)
    show_server_banner(app.debug, app.name)
    try:
        serve_app(app, host, port, plan, _reference_from_app(app) if plan.use_reloader else {})
    finally:
        app._got_first_request = False


def _debug_env() -> tuple[str | None, str | None]:
    return os.environ.get("ERLEN_DEBUG"), os.environ.get("FLASK_DEBUG")


def _default_address(app: Erlen, host: str | None, port: int | None) -> tuple[str, int]:
    server_name = app.config.get("SERVER_NAME")
    name_host, name_port = "", ""
    if server_name:
        name_host, _, name_port = server_name.partition(":")
    if not host:
        host = name_host or "127.0.0.1"
    if port or port == 0:
        port = int(port)
    elif name_port:
        port = int(name_port)
    else:
        port = 5000
    return host, port


class RunPlan:
    """How to serve: the reloader settings, TLS and extra uvicorn settings."""

    __slots__ = (
        "exclude_patterns",
        "extra_files",
        "reloader_interval",
        "server_settings",
        "ssl_context",
        "use_reloader",
    )

    def __init__(
        self,
        use_reloader: bool,
        ssl_context: t.Any = None,
        extra_files: t.Iterable[str] | None = None,
        exclude_patterns: t.Iterable[str] | None = None,
        reloader_interval: float = 1.0,
        server_settings: dict[str, t.Any] | None = None,
    ) -> None:
        self.use_reloader = use_reloader
        self.ssl_context = ssl_context
        self.extra_files = list(extra_files or ())
        self.exclude_patterns = list(exclude_patterns or ())
        self.reloader_interval = reloader_interval
        self.server_settings = server_settings or {}

    @classmethod
    def from_options(cls, options: dict[str, t.Any], debug: bool) -> RunPlan:
        """Sort ``app.run()``'s ``options`` into Werkzeug-style and uvicorn settings,
        refusing what cannot work with a message naming the alternative."""
        options = dict(options)
        processes = options.pop("processes", 1)
        if processes not in (None, 0, 1):
            raise ValueError(
                f"app.run(processes={processes!r}) is not supported: the development"
                " server runs one process. Run several workers with gunicorn or uvicorn"
                " (see docs/deployment.md)."
            )
        for name in ("request_handler", "static_files"):
            if options.pop(name, None) is not None:
                raise TypeError(
                    f"app.run() does not support {name}=: erlen serves through uvicorn,"
                    " not Werkzeug's server. Serve static files from the app's static"
                    " folder and customise requests with app hooks."
                )
        for name in _IGNORED_WERKZEUG_OPTIONS:
            options.pop(name, None)
        plan = cls(
            use_reloader=bool(options.pop("use_reloader", debug)),
            ssl_context=options.pop("ssl_context", None),
            extra_files=options.pop("extra_files", None),
            exclude_patterns=options.pop("exclude_patterns", None),
            reloader_interval=float(options.pop("reloader_interval", 1.0)),
        )
        known = _uvicorn_setting_names()
        for name in options:
            if name in _RESERVED_SETTINGS:
                raise TypeError(f"app.run() got {name}=: {_RESERVED_SETTINGS[name]}.")
            if name not in known:
                raise TypeError(
                    f"app.run() got an unexpected option {name!r}: it is neither a"
                    " Werkzeug run_simple option nor a uvicorn.Config setting."
                )
        plan.server_settings = options
        return plan


@functools.cache
def _uvicorn_setting_names() -> frozenset[str]:
    import inspect

    import uvicorn

    return frozenset(inspect.signature(uvicorn.Config).parameters) - {"app"}


# -- serving -----------------------------------------------------------------------------


def _server_target(app: Erlen) -> tuple[t.Any, str]:
    """The object uvicorn serves and its interface: ``app.asgi`` when erlen's ASGI
    adapter exists, else the WSGI app."""
    try:
        import erlen.asgi  # noqa: F401
    except ModuleNotFoundError as error:
        if error.name != "erlen.asgi":
            raise
        # FALLBACK, until erlen/asgi.py lands: uvicorn's WSGI adapter runs the app
        # in a thread pool. Remove this branch once ``import erlen.asgi`` works.
        return app, "wsgi"
    return app.asgi, "asgi3"


def _base_settings(interface: str) -> dict[str, t.Any]:
    return {
        "interface": interface,
        # The WSGI bridge has no lifespan; the ASGI adapter runs on_startup/on_shutdown.
        "lifespan": "auto" if interface == "asgi3" else "off",
        # Like Werkzeug's development server, trust no X-Forwarded-* headers unless
        # asked to (proxy_headers=True); production setups configure their proxy.
        "proxy_headers": False,
    }


def serve_app(app: Erlen, host: str, port: int, plan: RunPlan, reference: dict[str, t.Any]) -> None:
    """Start uvicorn (under the file watcher when ``plan.use_reloader``)."""
    target, interface = _server_target(app)
    tls = _tls_settings(plan.ssl_context, plan.use_reloader)
    settings = {**_base_settings(interface), "host": host, "port": port, **tls}
    settings.update(plan.server_settings)
    _show_addresses("https" if tls else "http", host, port)
    if plan.use_reloader:
        spec = {**reference, "debug": app.debug, "interface": interface}
        watcher = SourceWatcher(plan.extra_files, plan.exclude_patterns)
        _supervise(settings, spec, watcher, plan.reloader_interval)
        return

    import warnings

    import uvicorn

    with warnings.catch_warnings():
        # uvicorn deprecates its WSGI bridge; it only serves the temporary fallback.
        warnings.filterwarnings("ignore", "Uvicorn's native WSGI", DeprecationWarning)
        uvicorn.run(target, **settings)


# -- the reloader ------------------------------------------------------------------------


def _supervise(
    settings: dict[str, t.Any], spec: dict[str, t.Any], watcher: SourceWatcher, interval: float
) -> None:
    """Run uvicorn in a child process that re-imports the app, restarting it whenever
    ``watcher`` reports a changed file."""
    import uvicorn

    watcher.changed()  # remember the current modification times
    config = uvicorn.Config(
        f"{__name__}:_reload_factory", factory=True, reload_delay=interval, **settings
    )
    # Marks the config as uvicorn's own reloader would (it picks the child's event
    # loop by it), without uvicorn's directory scan and its log line.
    config.reload = True
    server = uvicorn.Server(config)
    os.environ[_RELOAD_SPEC_ENV] = json.dumps(spec)
    os.environ[_RELOADER_PID_ENV] = str(os.getpid())
    # multiprocessing starts the server process by first running this process's
    # __main__ script again (as __mp_main__); the factory imports the app itself, so
    # the script is hidden meanwhile to have its module code run once, not twice.
    main_module = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        sock = config.bind_socket()
        _polling_reload_class()(config, server.run, [sock], watcher).run()
    finally:
        if main_module is not None:
            sys.modules["__main__"] = main_module
        os.environ.pop(_RELOAD_SPEC_ENV, None)
        os.environ.pop(_RELOADER_PID_ENV, None)


@functools.cache
def _polling_reload_class() -> type[t.Any]:
    """uvicorn's reload supervisor, asking :class:`SourceWatcher` what changed."""
    from pathlib import Path

    from uvicorn.supervisors.basereload import BaseReload

    class PollingReload(BaseReload):  # type: ignore[misc]
        def __init__(self, config: t.Any, target: t.Any, sockets: t.Any, watcher: t.Any):
            super().__init__(config, target, sockets)
            self.reloader_name = "stat polling"
            self.watcher = watcher

        def should_restart(self) -> list[Path] | None:
            self.pause()
            return [Path(path) for path in self.watcher.changed()] or None

    return PollingReload


# Standard library and virtualenv: modules imported from there are watched, but these
# trees are never walked looking for new files.
_SYSTEM_PREFIXES = tuple({sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix})
_UNWATCHED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages"})


class SourceWatcher:
    """Which source files changed since last asked.

    Watched: the Python files of imported modules (outside the Python installation
    and the virtualenv, which are not edited while developing),
    ``*.py`` files under the project directories on ``sys.path`` (so new modules are
    seen), and ``extra_files`` (files, or directories whose ``*.py`` files count).
    Paths matching an ``exclude_patterns`` glob (:mod:`fnmatch`, on the absolute path)
    are left out. Flask's stat reloader watches the same set.
    """

    def __init__(self, extra_files: t.Iterable[str] = (), exclude_patterns: t.Iterable[str] = ()):
        self.extra_files = [os.path.abspath(path) for path in extra_files]
        self.exclude_patterns = list(exclude_patterns)
        self._mtimes: dict[str, float] = {}

    def paths(self) -> set[str]:
        """The files watched right now."""
        found: set[str] = set()
        for entry in [*sys.path, *self.extra_files]:
            entry = os.path.abspath(entry)
            if os.path.isfile(entry):
                found.add(entry)
            elif os.path.isdir(entry) and not entry.startswith(_SYSTEM_PREFIXES):
                _collect_python_files(entry, found)
        for module in list(sys.modules.values()):
            filename = getattr(module, "__file__", None)
            if filename and not filename.startswith(_SYSTEM_PREFIXES) and os.path.isfile(filename):
                found.add(os.path.abspath(filename))
        for pattern in self.exclude_patterns:
            found.difference_update(fnmatch.filter(found, pattern))
        return found

    def changed(self) -> list[str]:
        """Files modified since the previous call (new files are only remembered)."""
        changed = []
        for path in self.paths():
            try:
                mtime = os.stat(path).st_mtime
            except OSError:
                continue
            previous = self._mtimes.get(path)
            self._mtimes[path] = mtime
            if previous is not None and mtime > previous:
                changed.append(path)
        return sorted(changed)


def _collect_python_files(root: str, found: set[str]) -> None:
    """Add the ``*.py`` files under ``root``, not descending into hidden, cache or
    installation directories, nor below two levels without Python files (a home
    directory on ``sys.path`` must not be walked whole)."""
    has_python = {os.path.dirname(root): True}
    for directory, subdirectories, files in os.walk(root):
        python_files = [name for name in files if name.endswith(".py")]
        found.update(os.path.join(directory, name) for name in python_files)
        has_python[directory] = bool(python_files)
        if not (python_files or has_python.get(os.path.dirname(directory), False)):
            subdirectories.clear()
            continue
        subdirectories[:] = [
            name
            for name in subdirectories
            if not name.startswith(".")
            and name not in _UNWATCHED_DIRS
            and not os.path.join(directory, name).startswith(_SYSTEM_PREFIXES)
        ]


def _reload_factory() -> t.Any:
    """The app for uvicorn's reloaded server process (``factory=True``), found from
    the spec the watching process left in the environment.

    If the app fails to import, the traceback is printed and every request fails with
    it, so that the server keeps running until the fix is saved.
    """
    spec = json.loads(os.environ[_RELOAD_SPEC_ENV])
    try:
        app = _load_app_from_reference(spec)
        app.debug = spec["debug"]
        return app.asgi if spec["interface"] == "asgi3" else app
    except Exception as error:
        traceback.print_exc()
        return _failing_app(error, spec["interface"])


def _load_app_from_reference(spec: dict[str, t.Any]) -> Erlen:
    from importlib import import_module

    from .cli import _split_import_path, prepare_import

    factory = spec.get("factory")
    if factory:
        location, _, qualname = _split_import_path(factory)
        found: t.Any = import_module(prepare_import(location))
        for part in qualname.split("."):
            found = getattr(found, part)
        return found()  # type: ignore[no-any-return]
    return ScriptInfo(spec.get("app"), set_debug_flag=False).load_app()


def _failing_app(error: Exception, interface: str) -> t.Any:
    if interface == "wsgi":

        def wsgi_app(environ: t.Any, start_response: t.Any) -> t.Any:
            raise error

        return wsgi_app

    async def asgi_app(scope: t.Any, receive: t.Any, send: t.Any) -> None:
        raise error

    return asgi_app


def _reference_from_app(app: Erlen) -> dict[str, t.Any]:
    """How the reloaded process imports ``app`` again (for ``app.run()``): the module
    (or script path) it was created in and the name it is bound to there; without a
    name, discovery finds it (e.g. by its ``create_app`` factory)."""
    owner = sys.modules.get(app.import_name)
    main = sys.modules.get("__main__")
    for module in (owner, main):
        if module is None:
            continue
        name = next((key for key, value in vars(module).items() if value is app), None)
        if name is not None:
            return {"app": f"{_module_location(module)}:{name}"}
    for module in (owner, main):
        if module is not None:
            return {"app": _module_location(module)}
    raise RuntimeError(
        f"The reloader imports the app again in a new process, but cannot find the"
        f" module of {app.import_name!r}. Pass use_reloader=False to app.run()."
    )


def _module_location(module: t.Any) -> str:
    if module.__name__ not in ("__main__", "__mp_main__"):
        return str(module.__name__)
    filename = getattr(module, "__file__", None)
    if filename is None:
        raise RuntimeError(
            "The reloader imports the app again in a new process, which is not possible"
            " for an app defined in an interactive session. Pass use_reloader=False."
        )
    return os.path.abspath(filename)


def reference_from_script_info(info: ScriptInfo) -> dict[str, t.Any]:
    """How the reloaded process finds the app the ``erlen`` command loaded."""
    if info.create_app is None:
        return {"app": info.app_import_path}
    function = info.create_app
    qualname = getattr(function, "__qualname__", "<unknown>")
    module = sys.modules.get(getattr(function, "__module__", ""))
    if "<" in qualname or module is None:
        raise click.UsageError(
            f"The reloader re-creates the app in a new process and must import"
            f" {qualname!r} to do so; define it at module level, or run with --no-reload."
        )
    return {"factory": f"{_module_location(module)}:{qualname}"}


# -- TLS ---------------------------------------------------------------------------------

# SSLContext objects given to --cert and their import names, so that the reloaded
# process (which cannot receive the object itself) can import them again. The objects
# are kept, so their ids cannot be reused by other contexts.
_ssl_context_imports: dict[int, tuple[ssl.SSLContext, str]] = {}


def remember_ssl_context_import(context: ssl.SSLContext, import_name: str) -> None:
    """Record that ``context`` can be imported as ``import_name`` (for the reloader)."""
    _ssl_context_imports[id(context)] = (context, import_name)


def _tls_settings(ssl_context: t.Any, reload: bool) -> dict[str, t.Any]:
    """uvicorn's TLS settings for Werkzeug's ``ssl_context`` values."""
    if ssl_context is None:
        return {}
    if isinstance(ssl_context, tuple):
        certfile, keyfile = ssl_context
        return {"ssl_certfile": certfile, "ssl_keyfile": keyfile}
    if isinstance(ssl_context, str) and ssl_context == "adhoc":
        certfile, keyfile = _adhoc_certificate()
        return {"ssl_certfile": certfile, "ssl_keyfile": keyfile}
    if isinstance(ssl_context, ssl.SSLContext):
        if "ssl_context_factory" not in _uvicorn_setting_names():
            raise RuntimeError(
                "This uvicorn cannot serve an ssl.SSLContext; upgrade uvicorn or pass"
                " certificate and key files (--cert FILE --key FILE)."
            )
        if not reload:
            return {"ssl_context_factory": functools.partial(_given_context, ssl_context)}
        known = _ssl_context_imports.get(id(ssl_context))
        name = known[1] if known is not None and known[0] is ssl_context else None
        if name is None:
            raise RuntimeError(
                "The reloaded server process cannot receive an ssl.SSLContext object;"
                " pass (certfile, keyfile), or use_reloader=False."
            )
        return {"ssl_context_factory": functools.partial(_imported_context, name)}
    raise TypeError(
        "ssl_context must be a (certfile, keyfile) tuple, 'adhoc' or an ssl.SSLContext,"
        f" not {ssl_context!r}."
    )


def _given_context(context: ssl.SSLContext, config: t.Any, default: t.Any) -> ssl.SSLContext:
    return context


def _imported_context(name: str, config: t.Any, default: t.Any) -> ssl.SSLContext:
    from .utils import import_string

    return import_string(name)  # type: ignore[no-any-return]


def _adhoc_certificate() -> tuple[str, str]:
    """A throw-away self-signed certificate for ``localhost`` (``--cert adhoc``):
    ``(certfile, keyfile)`` in a temporary directory removed at exit."""
    import atexit
    import ipaddress
    import shutil
    import tempfile
    from datetime import datetime, timedelta, timezone

    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID
    except ImportError:
        raise TypeError("Using ad-hoc certificates requires the cryptography library.") from None

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Erlen development certificate"),
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
        ]
    )
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    directory = tempfile.mkdtemp(prefix="erlen-adhoc-")
    atexit.register(shutil.rmtree, directory, True)
    certfile = os.path.join(directory, "cert.pem")
    keyfile = os.path.join(directory, "key.pem")
    with open(certfile, "wb") as file:
        file.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(os.open(keyfile, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as file:
        file.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
    return certfile, keyfile
