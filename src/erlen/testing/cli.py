"""Run an application's command line in tests: ``app.test_cli_runner().invoke(...)``."""

from __future__ import annotations

import typing as t

from click.testing import CliRunner, Result

from ..cli import ScriptInfo

if t.TYPE_CHECKING:
    from ..app import Erlen

__all__ = ["ErlenCliRunner", "FlaskCliRunner"]


class ErlenCliRunner(CliRunner):
    """A click :class:`~click.testing.CliRunner` bound to one application (Flask's
    ``FlaskCliRunner``).

    :meth:`invoke` runs the app's own commands by default, with a
    :class:`~erlen.cli.ScriptInfo` that hands out the app under test instead of
    searching for one, so commands using ``with_appcontext`` or ``pass_script_info``
    see that app. ``kwargs`` are those of :class:`~click.testing.CliRunner`.
    """

    def __init__(self, app: Erlen, **kwargs: t.Any) -> None:
        self.app = app
        super().__init__(**kwargs)

    def invoke(  # type: ignore[override]
        self, cli: t.Any = None, args: t.Any = None, **kwargs: t.Any
    ) -> Result:
        """Run ``cli`` (default: ``app.cli``) with ``args`` in an isolated environment.

        Pass ``obj=`` to supply a different :class:`~erlen.cli.ScriptInfo`; the other
        keyword arguments are those of :meth:`click.testing.CliRunner.invoke`.
        """
        if cli is None:
            cli = self.app.cli
        if "obj" not in kwargs:
            app = self.app
            kwargs["obj"] = ScriptInfo(create_app=lambda: app)
        return super().invoke(cli, args, **kwargs)


#: Flask's name for :class:`ErlenCliRunner`, for ported test suites.
FlaskCliRunner = ErlenCliRunner
