"""Testing an application without a server: build WSGI environs, send them, read
responses, run commands.

What Flask users get from ``app.test_client()``, ``app.test_request_context()`` and
``app.test_cli_runner()``:

- :mod:`erlen.testing.environ`: :class:`EnvironBuilder` turns a path, headers, form
  data, files or JSON into a WSGI environ (:class:`AppEnvironBuilder` takes defaults
  from an app);
- :mod:`erlen.testing.client`: :class:`Client` sends environs to any WSGI application,
  keeps cookies and follows redirects; :class:`ErlenClient` (also importable as
  ``FlaskClient``) adds what an erlen app needs;
- :mod:`erlen.testing.cli`: :class:`ErlenCliRunner` (``FlaskCliRunner``) invokes the
  app's commands.

Everything is importable from ``erlen.testing`` directly, as from ``flask.testing``.
"""

from __future__ import annotations

from .cli import ErlenCliRunner, FlaskCliRunner
from .client import (
    Client,
    ClientRedirectError,
    ErlenClient,
    FlaskClient,
    TestResponse,
    run_wsgi_app,
)
from .environ import (
    PRESERVE_CONTEXT_KEY,
    AppEnvironBuilder,
    EnvironBuilder,
    WSGIApplication,
    WSGIEnvironment,
    create_environ,
)

__all__ = [
    "PRESERVE_CONTEXT_KEY",
    "AppEnvironBuilder",
    "Client",
    "ClientRedirectError",
    "EnvironBuilder",
    "ErlenCliRunner",
    "ErlenClient",
    "FlaskCliRunner",
    "FlaskClient",
    "TestResponse",
    "WSGIApplication",
    "WSGIEnvironment",
    "create_environ",
    "run_wsgi_app",
]
