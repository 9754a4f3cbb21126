"""An app behind a (pretend) reverse proxy, fixed up two ways.

``app`` has Werkzeug-style WSGI middleware on ``app.wsgi_app``, which ``app.asgi``
also goes through; ``asgi_fixed`` is a second, plain app whose ASGI interface is
wrapped in :class:`~erlen.middleware.ASGIProxyFix` (which also covers WebSockets).
"""

from __future__ import annotations

import typing as t

from erlen import Erlen, redirect, request, url_for, websocket
from erlen.middleware import ASGIProxyFix, ProxyFix

#: One proxy in front, setting For, Proto, Host and Prefix (not Port).
TRUST = {"x_for": 1, "x_proto": 1, "x_host": 1, "x_port": 0, "x_prefix": 1}


def _json_safe(value: t.Any) -> t.Any:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, (tuple, list)):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    return value


def where_am_i() -> dict[str, t.Any]:
    """What the app believes about the request, and what the middleware replaced."""
    environ = request.environ
    orig = environ.get("erlen.proxy_fix.orig")
    if orig is None:
        orig = environ.get("asgi.scope", {}).get("erlen.proxy_fix.orig")
    return {
        "remote_addr": request.remote_addr,
        "scheme": request.scheme,
        "host": request.host,
        "script_root": request.script_root,
        "path": request.path,
        "url": request.url,
        "external": url_for("where", _external=True),
        "socket": url_for("socket", _external=True),
        "orig": _json_safe(orig),
    }


def create_app() -> Erlen:
    app = Erlen(__name__)

    @app.route("/where")
    def where() -> dict[str, t.Any]:
        return where_am_i()

    @app.route("/go")
    def go() -> t.Any:
        return redirect(url_for("where"))

    @app.websocket("/socket")
    async def socket() -> None:
        await websocket.accept()
        await websocket.send_json(where_am_i())
        await websocket.close()

    return app


app = create_app()
app.wsgi_app = ProxyFix(app.wsgi_app, **TRUST)  # type: ignore[method-assign]
asgi_app = app.asgi

plain = create_app()
asgi_fixed = ASGIProxyFix(plain.asgi, **TRUST)
