"""Cache-busted static URLs: ``STATIC_URL_HASH`` adds ``?v=<content hash>``."""

from __future__ import annotations

import builtins
import hashlib
import io
import os

import pytest

import erlen.static
from erlen import Blueprint, Erlen, render_template_string, url_for


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


@pytest.fixture
def site(tmp_path):
    """An app with a static folder and a blueprint with its own, hashing on."""
    (tmp_path / "static" / "css").mkdir(parents=True)
    (tmp_path / "static" / "css" / "app.css").write_bytes(b"body { color: red }")
    (tmp_path / "static" / "logo.svg").write_bytes(b"<svg/>")
    (tmp_path / "shop_static").mkdir()
    (tmp_path / "shop_static" / "cart.js").write_bytes(b"let cart = [];")
    app = Erlen("hash_site", root_path=str(tmp_path))
    app.config["STATIC_URL_HASH"] = True
    shop = Blueprint(
        "shop",
        "hash_site",
        static_folder="shop_static",
        static_url_path="/static",
        root_path=str(tmp_path),
    )

    @shop.route("/", endpoint="index")
    def shop_index():
        return url_for(".static", filename="cart.js")

    app.register_blueprint(shop, url_prefix="/shop")

    @app.route("/")
    def index():
        return url_for("static", filename="css/app.css")

    return app


CSS = digest(b"body { color: red }")
JS = digest(b"let cart = [];")


def test_static_urls_carry_the_content_hash(site):
    with site.test_request_context():
        assert url_for("static", filename="css/app.css") == f"/static/css/app.css?v={CSS}"
        assert site.url_for("static", filename="css/app.css") == f"/static/css/app.css?v={CSS}"
        assert url_for("shop.static", filename="cart.js") == f"/shop/static/cart.js?v={JS}"
        assert url_for("static", filename="css/app.css", _external=True) == (
            f"http://localhost/static/css/app.css?v={CSS}"
        )
        assert url_for("static", filename="css/app.css", _anchor="x") == (
            f"/static/css/app.css?v={CSS}#x"
        )
        # Other query values are kept; an explicit v wins.
        assert url_for("static", filename="logo.svg", w=2) == (
            f"/static/logo.svg?w=2&v={digest(b'<svg/>')}"
        )
        assert url_for("static", filename="logo.svg", v="mine") == "/static/logo.svg?v=mine"
        # A file that does not exist gets no hash (and still a URL).
        assert url_for("static", filename="nope.css") == "/static/nope.css"
        # Paths leaving the folder are never read.
        assert url_for("static", filename="../outside.txt") == "/static/../outside.txt"


def test_every_url_for_path_hashes(site):
    """The inlined fast path of erlen.url_for, app.url_for, templates and views."""
    client = site.test_client()
    assert client.get("/").get_data(as_text=True) == f"/static/css/app.css?v={CSS}"
    assert client.get("/shop/").get_data(as_text=True) == f"/shop/static/cart.js?v={JS}"
    with site.test_request_context():
        # Build other URLs first, so the fast table of this request exists.
        url_for("index")
        for _ in range(3):
            assert url_for("static", filename="css/app.css").endswith(f"?v={CSS}")
        rendered = render_template_string("{{ url_for('static', filename='css/app.css') }}")
        assert rendered == f"/static/css/app.css?v={CSS}"


def test_switching_hashing_on_after_urls_were_built(site):
    site.config["STATIC_URL_HASH"] = False
    with site.test_request_context():
        assert url_for("static", filename="css/app.css") == "/static/css/app.css"
    site.config["STATIC_URL_HASH"] = True
    with site.test_request_context():
        assert url_for("static", filename="css/app.css") == f"/static/css/app.css?v={CSS}"
    site.config["STATIC_URL_HASH"] = False
    with site.test_request_context():
        assert url_for("static", filename="css/app.css") == "/static/css/app.css"


def test_other_endpoints_keep_the_fast_path(site):
    from erlen.globals import _cv_request

    with site.test_request_context():
        url_for("index")  # makes the request's URL adapter
        url_for("index")  # fetches its fast table
        fast = _cv_request.get()._url_adapter._fast
        plain = site.url_map._fast_table("", "GET")
        # Other endpoints keep their generated builders; static ones never use theirs
        # as is (they are wrapped to append the hash).
        assert fast["index"] is plain["index"] and fast["shop.index"] is plain["shop.index"]
        assert fast["static"] is not plain["static"]
        assert fast["shop.static"] is not plain["shop.static"]
        assert fast["static"]({"filename": "css/app.css"}) == f"/static/css/app.css?v={CSS}"


def test_sorted_parameters_take_the_general_path(site):
    from erlen.globals import _cv_request

    site.url_map.sort_parameters = True
    with site.test_request_context():
        url_for("index")
        assert url_for("static", filename="logo.svg", w=2, a=1) == (
            f"/static/logo.svg?a=1&v={digest(b'<svg/>')}&w=2"
        )
        assert "static" not in _cv_request.get()._url_adapter._fast


def test_no_file_io_after_the_first_url(site, monkeypatch):
    with site.test_request_context():
        first = url_for("static", filename="css/app.css")
        calls = []

        def spy(name, real):
            def wrapper(*args, **kwargs):
                calls.append((name, args))
                return real(*args, **kwargs)

            return wrapper

        monkeypatch.setattr(builtins, "open", spy("open", builtins.open))
        monkeypatch.setattr(io, "open", spy("io.open", io.open))
        monkeypatch.setattr(os, "open", spy("os.open", os.open))
        monkeypatch.setattr(os, "stat", spy("os.stat", os.stat))
        monkeypatch.setattr(os, "lstat", spy("os.lstat", os.lstat))
        monkeypatch.setattr(os, "scandir", spy("os.scandir", os.scandir))
        monkeypatch.setattr(os.path, "getmtime", spy("getmtime", os.path.getmtime))
        monkeypatch.setattr(os.path, "exists", spy("exists", os.path.exists))
        monkeypatch.setattr(os.path, "isfile", spy("isfile", os.path.isfile))
        for _ in range(1000):
            assert url_for("static", filename="css/app.css") == first
            site.url_for("shop.static", filename="cart.js")
        monkeypatch.undo()
    # The blueprint file was hashed once (its first call), and nothing else touched disk.
    assert [name for name, _ in calls] == ["os.stat", "open"]


def test_debug_mode_notices_changes(site, tmp_path):
    css = tmp_path / "static" / "css" / "app.css"
    with site.test_request_context():
        assert url_for("static", filename="css/app.css").endswith(CSS)
        css.write_bytes(b"body { color: blue; }")
        os.utime(css, ns=(1, 1))
        # Not in debug: the first hash is kept (no file system access per call).
        assert url_for("static", filename="css/app.css").endswith(CSS)
    site.debug = True
    with site.test_request_context():
        assert url_for("static", filename="css/app.css").endswith(digest(b"body { color: blue; }"))


def test_hashed_requests_are_immutable(site):
    client = site.test_client()
    hashed = client.get(f"/static/css/app.css?v={CSS}")
    assert hashed.status_code == 200
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert hashed.get_data() == b"body { color: red }"
    blueprint = client.get(f"/shop/static/cart.js?v={JS}")
    assert blueprint.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # A stale or made-up hash, or none, gets the ordinary caching.
    for url in ("/static/css/app.css?v=000000000000", "/static/css/app.css"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
    site.config["STATIC_URL_HASH"] = False
    response = client.get(f"/static/css/app.css?v={CSS}")
    assert response.headers["Cache-Control"] == "no-cache"


def test_hashed_requests_still_answer_conditionally(site):
    client = site.test_client()
    first = client.get(f"/static/css/app.css?v={CSS}")
    again = client.get(
        f"/static/css/app.css?v={CSS}", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    missing = client.get("/static/nope.css?v=abc")
    assert missing.status_code == 404


def test_hash_off_by_default(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.css").write_bytes(b"a")
    app = Erlen("plain_site", root_path=str(tmp_path))
    with app.test_request_context():
        assert url_for("static", filename="a.css") == "/static/a.css"
    assert app.test_client().get("/static/a.css?v=x").headers["Cache-Control"] == "no-cache"


def test_static_file_hash_hook_can_be_overridden(tmp_path):
    (tmp_path / "static").mkdir()

    class ManifestApp(Erlen):
        def static_file_hash(self, filename, refresh=False):
            return {"a.css": "from-manifest"}.get(filename)

    app = ManifestApp("manifest_site", root_path=str(tmp_path))
    app.config["STATIC_URL_HASH"] = True
    with app.test_request_context():
        assert url_for("static", filename="a.css") == "/static/a.css?v=from-manifest"
        assert url_for("static", filename="b.css") == "/static/b.css"


def test_hashes_of_special_files(tmp_path):
    hashes = erlen.static.StaticFileHashes()
    folder = str(tmp_path)
    (tmp_path / "dir").mkdir()
    (tmp_path / "empty.txt").write_bytes(b"")
    big = os.urandom(300_000)
    (tmp_path / "big.bin").write_bytes(big)
    assert hashes.get(folder, "dir") is None
    assert hashes.get(folder, "empty.txt") == digest(b"")
    assert hashes.get(folder, "big.bin") == digest(big)
    assert hashes.get(folder, "../etc/passwd") is None
    assert hashes.get(folder, "/etc/passwd") is None
    assert hashes.get(folder, "nul\0byte") is None
    hashes.clear()
    assert hashes._hashes == {}


def test_signed_static_urls_sign_the_hash_too(site):
    site.config["SECRET_KEY"] = "static secret"
    with site.test_request_context():
        url_for("index")
        url = url_for("static", filename="css/app.css", _sign=True, _expires=60)
        assert url.startswith(f"/static/css/app.css?v={CSS}&expires=")
        assert url == site.url_for("static", filename="css/app.css", _sign=True, _expires=60)
    with site.test_request_context(url):
        from erlen import request

        assert request.has_valid_signature()
