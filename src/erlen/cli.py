"""The command line: ``erlen run``, ``erlen routes``, ``erlen shell`` and app commands.

This module holds the pieces apps and blueprints use to add commands
(:class:`AppGroup`, :func:`with_appcontext`); the ``erlen`` command itself is built on
them in :mod:`erlen.commands`.
"""

from __future__ import annotations

import typing as t
from functools import update_wrapper

import click

__all__ = ["AppGroup", "ScriptInfo", "main", "pass_script_info", "with_appcontext"]

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


class ScriptInfo:
    """What a command needs to load the app: the ``--app`` value or a factory."""

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: t.Callable[..., t.Any] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        self.app_import_path = app_import_path
        self.create_app = create_app
        self.data: dict[t.Any, t.Any] = {}
        self.set_debug_flag = set_debug_flag
        self.load_dotenv_defaults = load_dotenv_defaults
        self._loaded_app: t.Any = None

    def load_app(self) -> t.Any:
        """Import (or create) the application; cached."""
        if self._loaded_app is not None:
            return self._loaded_app
        from .commands import load_app

        app = load_app(self)
        self._loaded_app = app
        return app


pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


def with_appcontext(f: F) -> F:
    """Run the decorated command inside the app's application context."""

    @click.pass_context
    def decorator(ctx: click.Context, /, *args: t.Any, **kwargs: t.Any) -> t.Any:
        from .globals import _cv_app

        if _cv_app.get(None) is None:
            app = ctx.ensure_object(ScriptInfo).load_app()
            ctx.with_resource(app.app_context())
        return ctx.invoke(f, *args, **kwargs)

    return update_wrapper(decorator, f)  # type: ignore[return-value]


class AppGroup(click.Group):
    """A click group whose commands run in the app context (``app.cli``)."""

    def command(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Command]:  # type: ignore[override]
        """Like :meth:`click.Group.command`, wrapped in :func:`with_appcontext` unless
        ``with_appcontext=False``."""
        wrap_for_ctx = kwargs.pop("with_appcontext", True)

        def decorator(f: t.Callable[..., t.Any]) -> click.Command:
            if wrap_for_ctx:
                f = with_appcontext(f)
            return click.Group.command(self, *args, **kwargs)(f)  # type: ignore[no-any-return]

        return decorator

    def group(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Group]:  # type: ignore[override]
        """Like :meth:`click.Group.group`, making :class:`AppGroup` subgroups."""
        kwargs.setdefault("cls", AppGroup)
        return click.Group.group(self, *args, **kwargs)  # type: ignore[no-any-return]


def main() -> None:
    """The ``erlen`` console script."""
    from .commands import main as run_main

    run_main()
