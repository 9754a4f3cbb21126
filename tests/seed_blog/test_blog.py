"""Acceptance test: the blog of seed 003 (template inheritance, static CSS, a custom 404),
its code unchanged but for the import, served by Flask and by erlen; every page compared.

``app_flask.py`` and ``app_erlen.py`` differ only in their import lines; the templates
and the stylesheet are the seed's, verbatim, except ``blog/404.html``, which the seed
uses without showing.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from tests.asgi.shim import AsgiAsWsgi
from tests.differential.snapshots import results_equal, snapshot_response

from . import app_erlen, app_flask

PAGES = [
    ("GET", "/"),
    ("GET", "/about"),
    ("GET", "/post/1"),
    ("GET", "/post/2"),
    ("GET", "/post/3"),
    ("GET", "/post/4"),
    ("GET", "/post/0"),
    ("GET", "/post/-1"),
    ("GET", "/post/01"),
    ("GET", "/post/abc"),
    ("GET", "/post/"),
    ("GET", "/nowhere"),
    ("GET", "/about/"),
    ("GET", "/ABOUT"),
    ("GET", "/static/css/blog.css"),
    ("GET", "/static/css/missing.css"),
    ("GET", "/static/../app_flask.py"),
    ("HEAD", "/"),
    ("HEAD", "/post/1"),
    ("HEAD", "/static/css/blog.css"),
    ("POST", "/"),
    ("OPTIONS", "/"),
    ("OPTIONS", "/post/2"),
]


def _snapshot(client, method, path, **kwargs):
    response = client.open(path, method=method, **kwargs)
    try:
        step = SimpleNamespace(ignore_headers=(), exact_json=False, kwargs=kwargs)
        return snapshot_response(response, step)
    finally:
        response.close()


@pytest.mark.parametrize(("method", "path"), PAGES, ids=[f"{m} {p}" for m, p in PAGES])
def test_page_matches_flask(method, path):
    want = _snapshot(app_flask.app.test_client(), method, path)
    got = _snapshot(app_erlen.app.test_client(), method, path)
    assert results_equal(want, got), f"\nflask: {want}\nerlen: {got}"


@pytest.mark.parametrize(("method", "path"), PAGES, ids=[f"{m} {p}" for m, p in PAGES])
def test_page_over_asgi_matches_wsgi(method, path):
    client = app_erlen.app.test_client()
    want = _snapshot(client, method, path)
    client.application = AsgiAsWsgi(app_erlen.app)
    got = _snapshot(client, method, path)
    want.pop("status")  # ASGI carries only the status code
    got.pop("status")
    assert results_equal(want, got), f"\nwsgi: {want}\nasgi: {got}"


def test_stylesheet_revalidation_matches_flask():
    """The stylesheet's validators work the same: a conditional GET with each
    framework's own validators gets a 304 from both."""
    results = []
    for module in (app_flask, app_erlen):
        client = module.app.test_client()
        first = client.get("/static/css/blog.css")
        conditional = {
            "If-None-Match": first.headers["ETag"],
            "If-Modified-Since": first.headers["Last-Modified"],
        }
        again = client.get("/static/css/blog.css", headers=conditional)
        ranged = client.get("/static/css/blog.css", headers={"Range": "bytes=0-9"})
        results.append(
            (
                again.status_code,
                again.get_data(),
                ranged.status_code,
                ranged.get_data(),
                ranged.headers.get("Content-Range"),
            )
        )
    assert results[0] == results[1]
    assert results[0][0] == 304


def test_pages_are_what_the_seed_describes():
    client = app_erlen.app.test_client()
    home = client.get("/").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/static/css/blog.css">' in home
    assert re.findall(r'<a href="(/post/\d+)">', home) == ["/post/1", "/post/2", "/post/3"]
    assert "<title>Home - Flask Blog</title>" in home
    post = client.get("/post/2").get_data(as_text=True)
    assert "<title>Understanding Jinja2 Templates - Flask Blog</title>" in post
    assert "Flask&#39;s HTML rendering" in post  # autoescaped
    missing = client.get("/post/9")
    assert missing.status_code == 404
    assert "Page Not Found" in missing.get_data(as_text=True)
    css = client.get("/static/css/blog.css")
    assert css.mimetype == "text/css"
    assert css.get_data().startswith(b"* {")
