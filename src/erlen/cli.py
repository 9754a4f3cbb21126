"""The command line: what finds the app, and what apps use to add commands.

This module holds the pieces apps, blueprints and extensions use (:class:`AppGroup`,
:func:`with_appcontext`, :class:`ScriptInfo`, :func:`pass_script_info`), how the app is
found (:func:`load_app` and Flask's discovery rules, :class:`NoAppException`) and
:func:`load_dotenv`. It is imported whenever an app is created (``app.cli`` is an
:class:`AppGroup`), so nothing heavier is: the ``erlen`` command itself
(:class:`~erlen.commands.ErlenGroup` and the ``run``, ``routes`` and ``shell``
commands) lives in :mod:`erlen.commands`, the server behind ``run`` in
:mod:`erlen.serving`. Their names are importable from here too, as from ``flask.cli``.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import sys
import traceback
import typing as t
from functools import update_wrapper
from types import ModuleType

import click
from click.core import ParameterSource

from .helpers import get_debug_flag, get_load_dotenv

if t.TYPE_CHECKING:
    from .app import Erlen

__all__ = [  # noqa: F822 (some names are served lazily by __getattr__)
    "AppGroup",
    "ErlenGroup",
    "FlaskGroup",
    "NoAppException",
    "ScriptInfo",
    "check_command",
    "find_app_by_string",
    "find_best_app",
    "load_app",
    "load_dotenv",
    "locate_app",
    "main",
    "pass_script_info",
    "prepare_import",
    "routes_command",
    "run_command",
    "shell_command",
    "show_server_banner",
    "url_command",
    "with_appcontext",
]

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: The dotenv files searched for (from the current directory upwards), lowest
#: precedence first: Flask's ``.flaskenv`` so ported projects keep working, then
#: erlen's own ``.erlenenv`` (settings to commit), then ``.env`` (local secrets).
DEFAULT_DOTENV_FILES = (".flaskenv", ".erlenenv", ".env")


class ScriptInfo:
    """How the command line finds the application: the ``--app`` value, or a
    ``create_app`` callable that returns it; the loaded app is cached.

    ``set_debug_flag`` applies ``ERLEN_DEBUG`` (set by ``--debug``) to the loaded app;
    ``load_dotenv_defaults`` records whether the default dotenv files are read
    (``ERLEN_SKIP_DOTENV=1`` turns it off). :attr:`data` is free for commands to share.
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: t.Callable[..., Erlen] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        #: ``module:name``, ``module:factory(args)`` or a file path, as given to ``--app``.
        self.app_import_path = app_import_path
        #: Called without arguments to build the app, instead of importing one.
        self.create_app = create_app
        #: Anything commands want to keep for the duration of the invocation.
        self.data: dict[t.Any, t.Any] = {}
        self.set_debug_flag = set_debug_flag
        self.load_dotenv_defaults = get_load_dotenv(load_dotenv_defaults)
        self._loaded_app: Erlen | None = None

    def load_app(self) -> Erlen:
        """Import (or create) the application once and return it; raises
        :class:`NoAppException` with the fix when none is found."""
        if self._loaded_app is not None:
            return self._loaded_app
        app = load_app(self)
        self._loaded_app = app
        return app


pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


def with_appcontext(f: F) -> F:
    """Run the decorated command (and its subcommands) inside the app's application
    context, loading the app if no context is active yet.

    Commands registered on ``app.cli`` or ``blueprint.cli`` get this automatically.
    """

    @click.pass_context
    def decorator(ctx: click.Context, /, *args: t.Any, **kwargs: t.Any) -> t.Any:
        from .globals import _cv_app

        if _cv_app.get(None) is None:
            app = ctx.ensure_object(ScriptInfo).load_app()
            ctx.with_resource(app.app_context())
        return ctx.invoke(f, *args, **kwargs)

    return update_wrapper(decorator, f)  # type: ignore[return-value]


class AppGroup(click.Group):
    """A click group whose commands run in the app context (``app.cli``).

    Not to be confused with :class:`~erlen.commands.ErlenGroup`, the ``erlen``
    command that finds an app and adds its :class:`AppGroup` commands.
    """

    def command(  # type: ignore[override]
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Command]:
        """Like :meth:`click.Group.command`, wrapped in :func:`with_appcontext` unless
        ``with_appcontext=False``."""
        wrap_for_ctx = kwargs.pop("with_appcontext", True)

        def decorator(f: t.Callable[..., t.Any]) -> click.Command:
            if wrap_for_ctx:
                f = with_appcontext(f)
            return click.Group.command(self, *args, **kwargs)(f)  # type: ignore[no-any-return]

        return decorator

    def group(  # type: ignore[override]
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Group]:
        """Like :meth:`click.Group.group`, making :class:`AppGroup` subgroups."""
        kwargs.setdefault("cls", AppGroup)
        return click.Group.group(self, *args, **kwargs)  # type: ignore[no-any-return]


class NoAppException(click.UsageError):
    """The application could not be found or loaded; the message says what to change."""


# -- finding the application -------------------------------------------------------------


def _erlen_class() -> type[Erlen]:
    from .app import Erlen

    return Erlen


def find_best_app(module: ModuleType) -> Erlen:
    """The app a module offers: its ``app`` or ``application``, its only
    :class:`~erlen.Erlen` instance, or what its ``create_app``/``make_app`` factory
    returns when called without arguments."""
    erlen_class = _erlen_class()
    for attr_name in ("app", "application"):
        candidate = getattr(module, attr_name, None)
        if isinstance(candidate, erlen_class):
            return candidate

    instances = [value for value in module.__dict__.values() if isinstance(value, erlen_class)]
    if len(instances) == 1:
        return instances[0]
    if len(instances) > 1:
        raise NoAppException(
            f"Detected multiple Erlen applications in module '{module.__name__}'."
            f" Use '{module.__name__}:name' to specify the correct one."
        )

    for attr_name in ("create_app", "make_app"):
        factory = getattr(module, attr_name, None)
        if not inspect.isfunction(factory):
            continue
        try:
            candidate = factory()
        except TypeError as error:
            if not _called_with_wrong_args(factory):
                raise
            raise NoAppException(
                f"Detected factory '{attr_name}' in module '{module.__name__}', but could"
                f" not call it without arguments. Use '{module.__name__}:{attr_name}(args)'"
                " to specify arguments."
            ) from error
        if isinstance(candidate, erlen_class):
            return candidate

    raise NoAppException(
        f"Failed to find Erlen application or factory in module '{module.__name__}'."
        f" Use '{module.__name__}:name' to specify one."
    )


def _called_with_wrong_args(function: t.Callable[..., t.Any]) -> bool:
    """Whether the ``TypeError`` being handled came from calling ``function`` (wrong
    arguments) rather than from code running inside it."""
    tb = sys.exc_info()[2]
    try:
        while tb is not None:
            if tb.tb_frame.f_code is function.__code__:
                return False
            tb = tb.tb_next
        return True
    finally:
        del tb  # a traceback in a local keeps every frame alive


def _parse_app_name(app_name: str) -> tuple[str, list[t.Any], dict[str, t.Any]]:
    """``name`` or ``factory(literal, key=literal)`` -> (name, args, kwargs)."""
    try:
        expr = ast.parse(app_name.strip(), mode="eval").body
    except SyntaxError:
        raise NoAppException(
            f"Failed to parse {app_name!r} as an attribute name or function call."
        ) from None
    if isinstance(expr, ast.Name):
        return expr.id, [], {}
    if not isinstance(expr, ast.Call):
        raise NoAppException(f"Failed to parse {app_name!r} as an attribute name or function call.")
    if not isinstance(expr.func, ast.Name):
        raise NoAppException(f"Function reference must be a simple name: {app_name!r}.")
    try:
        args = [ast.literal_eval(arg) for arg in expr.args]
        kwargs = {
            keyword.arg: ast.literal_eval(keyword.value)
            for keyword in expr.keywords
            if keyword.arg is not None
        }
    except ValueError:
        # literal_eval's own message does not say which part was wrong.
        raise NoAppException(
            f"Failed to parse arguments as literal values: {app_name!r}."
        ) from None
    return expr.func.id, args, kwargs


def find_app_by_string(module: ModuleType, app_name: str) -> Erlen:
    """The app named by the part after the colon of ``--app``: an attribute, or a
    factory called with literal arguments (``create_app('dev', debug=True)``)."""
    name, args, kwargs = _parse_app_name(app_name)
    try:
        attr = getattr(module, name)
    except AttributeError as error:
        raise NoAppException(
            f"Failed to find attribute {name!r} in {module.__name__!r}."
        ) from error

    if inspect.isfunction(attr):
        try:
            candidate = attr(*args, **kwargs)
        except TypeError as error:
            if not _called_with_wrong_args(attr):
                raise
            raise NoAppException(
                f"The factory {app_name!r} in module {module.__name__!r} could not be"
                " called with the specified arguments."
            ) from error
    else:
        candidate = attr

    if isinstance(candidate, _erlen_class()):
        return candidate
    raise NoAppException(
        f"A valid Erlen application was not obtained from '{module.__name__}:{app_name}'."
    )


def prepare_import(path: str) -> str:
    """The module name to import for ``path`` (a file, package directory or module
    name), after putting the directory above its package on ``sys.path``."""
    path = os.path.realpath(path)
    stem, ext = os.path.splitext(path)
    if ext == ".py":
        path = stem
    if os.path.basename(path) == "__init__":
        path = os.path.dirname(path)

    parts: list[str] = []
    # Climb out of the package: every directory with an __init__.py is part of the name.
    while True:
        path, name = os.path.split(path)
        parts.append(name)
        if not os.path.exists(os.path.join(path, "__init__.py")):
            break
    if sys.path[0] != path:
        sys.path.insert(0, path)
    return ".".join(reversed(parts))


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: t.Literal[True] = True
) -> Erlen: ...


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = ...
) -> Erlen | None: ...


def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = True
) -> Erlen | None:
    """Import ``module_name`` and find the app in it (by ``app_name`` if given).

    An ``ImportError`` raised by the module's own imports is reported with its
    traceback; a module that does not exist gives ``None`` unless
    ``raise_if_not_found``.
    """
    try:
        __import__(module_name)
    except ImportError:
        # A traceback deeper than this frame means the module exists and failed inside.
        if sys.exc_info()[2].tb_next:  # type: ignore[union-attr]
            raise NoAppException(
                f"While importing {module_name!r}, an ImportError was raised:"
                f"\n\n{traceback.format_exc()}"
            ) from None
        if raise_if_not_found:
            raise NoAppException(
                f"Could not import {module_name!r}. Check the name, or give a file path"
                f" ('erlen --app path/to/{module_name.rpartition('.')[2]}.py')."
            ) from None
        return None

    module = sys.modules[module_name]
    if app_name is None:
        return find_best_app(module)
    return find_app_by_string(module, app_name)


# ``C:\path`` and ``C:/path`` keep their drive letter: only a colon not followed by a
# slash separates the module from the app name.
_APP_NAME_SEPARATOR = re.compile(r":(?![\\/])")


def load_app(script_info: ScriptInfo) -> Erlen:
    """The application ``script_info`` describes; see :meth:`ScriptInfo.load_app`."""
    app: Erlen | None = None
    if script_info.create_app is not None:
        app = script_info.create_app()
    elif script_info.app_import_path:
        path, _, name = _split_import_path(script_info.app_import_path)
        app = locate_app(prepare_import(path), name or None)
    else:
        for default_file in ("wsgi.py", "app.py"):
            app = locate_app(prepare_import(default_file), None, raise_if_not_found=False)
            if app is not None:
                break

    if app is None:
        raise NoAppException(
            "Could not locate an Erlen application. Use the 'erlen --app' option, the"
            " 'ERLEN_APP' environment variable, or a 'wsgi.py' or 'app.py' file in the"
            " current directory."
        )
    if script_info.set_debug_flag:
        # Through the property, so that settings derived from DEBUG follow it.
        app.debug = get_debug_flag()
    return app


def _split_import_path(import_path: str) -> tuple[str, str, str]:
    parts = _APP_NAME_SEPARATOR.split(import_path, maxsplit=1)
    if len(parts) == 1:
        return parts[0], "", ""
    return parts[0], ":", parts[1]


# -- dotenv and shared options --------------------------------------------------------


def load_dotenv(path: str | os.PathLike[str] | None = None, load_defaults: bool = True) -> bool:
    """Set environment variables from dotenv files, never overriding ones already set.

    With ``load_defaults``, the nearest ``.flaskenv``, ``.erlenenv`` and ``.env``
    (searched from the current directory upwards) are read, later ones winning; the
    file at ``path`` wins over all of them. Variables already in the environment win
    over every file. Returns whether any variable was found in the files.
    """
    import dotenv

    values: dict[str, str | None] = {}
    if load_defaults:
        for name in DEFAULT_DOTENV_FILES:
            found = dotenv.find_dotenv(name, usecwd=True)
            if found:
                values.update(dotenv.dotenv_values(found, encoding="utf-8"))
    if path is not None and os.path.isfile(path):
        values.update(dotenv.dotenv_values(path, encoding="utf-8"))
    for key, value in values.items():
        if value is not None and key not in os.environ:
            os.environ[key] = value
    return bool(values)


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool | None:
    # Unset means "leave it to ERLEN_DEBUG"; a value given on the command line (or via
    # the environment variable) is written back to the environment so that an app
    # factory sees it while it runs, before ScriptInfo applies it.
    source = ctx.get_parameter_source(param.name)  # type: ignore[arg-type]
    if source in (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
        return None
    os.environ["ERLEN_DEBUG"] = "1" if value else "0"
    return value


#: ``--debug/--no-debug``, shared by the ``erlen`` group and ``erlen run``.
debug_option = click.Option(
    ["--debug/--no-debug"],
    help="Set debug mode.",
    envvar=["ERLEN_DEBUG", "FLASK_DEBUG"],
    expose_value=False,
    callback=_set_debug,
)


def main() -> None:
    """The ``erlen`` console script."""
    from .commands import main as run_main

    run_main()


# The command-line half lives in erlen.commands and erlen.serving, imported on first
# use so that creating an app (which builds ``app.cli``) does not load it.
_LAZY_NAMES = {
    "CertParamType": "commands",
    "ErlenGroup": "commands",
    "FlaskGroup": "commands",
    "SeparatedPathType": "commands",
    "check_command": "commands",
    "cli": "commands",
    "routes_command": "commands",
    "run_command": "commands",
    "shell_command": "commands",
    "show_server_banner": "serving",
    "url_command": "commands",
}


def __getattr__(name: str) -> t.Any:
    module_name = _LAZY_NAMES.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__package__}.{module_name}"), name)
