"""WSGI and ASGI middleware that ships with erlen.

``from erlen.middleware import ProxyFix`` replaces
``from werkzeug.middleware.proxy_fix import ProxyFix`` when porting a Flask app.
"""

from __future__ import annotations

from .proxy_fix import ASGIProxyFix as ASGIProxyFix
from .proxy_fix import ProxyFix as ProxyFix

__all__ = ["ASGIProxyFix", "ProxyFix"]
