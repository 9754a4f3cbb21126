"""Context proxies (``request``, ``g``, ``session``, ``current_app``)."""

from __future__ import annotations

from erlen import Erlen, current_app, g, request


def test_str_and_format_of_the_global_proxies():
    # They once raised TypeError: the forwarders took the operator module's own
    # inherited __str__ and __format__ for operator functions.
    app = Erlen("proxied")
    with app.test_request_context("/page?a=1"):
        current = request._get_current_object()
        assert str(request) == str(current) == "<Request 'http://localhost/page?a=1' [GET]>"
        assert f"{request}" == str(current)
        assert f"{g}" == str(g._get_current_object()) == "<erlen.g of 'proxied'>"
        assert f"{current_app!s:.6}" == "<Erlen"
