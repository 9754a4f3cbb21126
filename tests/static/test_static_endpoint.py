"""The ``static`` endpoint of an app and of a blueprint: erlen against Flask 3.1.

Each request goes to the same application built on Flask and on erlen; status, headers
(but ``Date``; ``Expires`` made relative to now) and body must be equal. The two apps
serve the very same files, so ``ETag`` and ``Last-Modified`` are compared too.
"""

from __future__ import annotations

import os
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.differential.frameworks import load_framework

from . import DATA_BIN, FRAMEWORKS, Pair, make_site, snapshot


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def pair(root: Path) -> Pair:
    return Pair(root)


def etag_of(path: Path) -> str:
    st = os.stat(path)
    return f'"{st.st_mtime}-{st.st_size}-{zlib.adler32(str(path).encode()) & 0xFFFFFFFF}"'


APP_FILES = [
    "hello.txt",
    "style.css",
    "app.js",
    "data.json",
    "data.bin",
    "empty.txt",
    "noext",
    "archive.tar.gz",
    "UPPER.TXT",
    ".hidden",
    "space name.txt",
    "ünïcødé.txt",
    "sub/inner.txt",
    "sub/deeper/deep.html",
]

STATIC_URLS = [f"/static/{quote(name)}" for name in APP_FILES] + ["/bp/assets/bp.css"]


@pytest.mark.parametrize("url", STATIC_URLS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_static_file_matches_flask(pair: Pair, url: str, method: str) -> None:
    result = pair.compare(url, method=method)
    assert result["status"] == "200 OK"
    headers = dict(result["headers"])
    assert headers["cache-control"] == "no-cache"
    assert headers["accept-ranges"] == "bytes"
    assert headers["content-disposition"].startswith("inline; filename=")


def test_static_file_content_and_validators(pair: Pair, root: Path) -> None:
    result = pair.compare("/static/data.bin")
    assert result["body"] == DATA_BIN
    headers = dict(result["headers"])
    assert headers["etag"] == etag_of(root / "static" / "data.bin")
    assert headers["last-modified"] == "Tue, 02 Jan 2024 03:04:05 GMT"
    assert headers["content-type"] == "application/octet-stream"
    assert pair.compare("/bp/assets/bp.css")["body"] == b".bp { margin: 0; }\n"


@pytest.mark.parametrize(
    "url",
    [
        "/static/missing.txt",
        "/static/sub",
        "/static/sub/",
        "/static/",
        "/static",
        "/static/HELLO.TXT",
        "/static/bp.css",
        "/bp/assets/hello.txt",
        "/bp/assets/",
        "/bp/static/bp.css",
        "/static/static-evil/x.txt",
    ],
)
def test_missing_files_match_flask(pair: Pair, url: str) -> None:
    result = pair.compare(url)
    assert result["status"] in ("404 NOT FOUND", "308 PERMANENT REDIRECT")


def test_trailing_slash_after_a_file_name_matches_flask(pair: Pair) -> None:
    # The joined path is normalized, so "hello.txt/" names the file, as in Werkzeug.
    result = pair.compare("/static/hello.txt/")
    assert result["body"] == b"Hello, static world!\n"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_match_flask(pair: Pair, method: str) -> None:
    pair.compare("/static/hello.txt", method=method)
    pair.compare("/bp/assets/bp.css", method=method)


def conditional_headers(etag: str) -> list[dict[str, str]]:
    return [
        {"If-None-Match": etag},
        {"If-None-Match": f"W/{etag}"},
        {"If-None-Match": '"stale"'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": "Tue, 02 Jan 2024 03:04:05 GMT"},
        {"If-Modified-Since": "Mon, 01 Jan 2024 03:04:05 GMT"},
        {"If-Modified-Since": "Tue, 02 Jan 2024 03:04:05 +0100"},
        {"If-Match": etag},
        {"If-Match": '"stale"'},
        {"If-Match": "*"},
        {"Range": "bytes=0-9", "If-Range": etag},
        {"Range": "bytes=0-9", "If-Range": '"stale"'},
        {"Range": "bytes=0-9", "If-None-Match": etag},
        {"Range": "bytes=9999-", "If-None-Match": etag},
    ]


@pytest.mark.parametrize("case", range(len(conditional_headers('"x"'))))
@pytest.mark.parametrize("url", ["/static/data.bin", "/bp/assets/bp.css"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_conditional_static_matches_flask(
    pair: Pair, root: Path, url: str, case: int, method: str
) -> None:
    if url.startswith("/bp/"):
        etag = etag_of(root / "bp" / "static" / "bp.css")
    else:
        etag = etag_of(root / "static" / "data.bin")
    pair.compare(url, method=method, headers=conditional_headers(etag)[case])


def test_not_modified_static(pair: Pair, root: Path) -> None:
    etag = etag_of(root / "static" / "hello.txt")
    result = pair.compare("/static/hello.txt", headers={"If-None-Match": etag})
    assert result["status"] == "304 NOT MODIFIED"
    assert result["body"] == b""
    result = pair.compare(
        "/static/hello.txt", headers={"If-Modified-Since": "Tue, 02 Jan 2024 03:04:05 GMT"}
    )
    assert result["status"] == "304 NOT MODIFIED"
    result = pair.compare("/static/hello.txt", headers={"If-Match": '"stale"'})
    assert result["status"] == "412 PRECONDITION FAILED"


RANGES = [
    "bytes=0-0",
    "bytes=0-99",
    "bytes=100-199",
    "bytes=1000-",
    "bytes=-24",
    "bytes=-2000",
    "bytes=0-5000",
    "bytes=1024-",
    "bytes=2000-3000",
    "bytes=0-1,5-6",
    "bytes=-",
    "bytes=x-y",
    "bits=0-9",
    "bytes=10-5",
]


@pytest.mark.parametrize("range_header", RANGES)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_static_range_matches_flask(pair: Pair, range_header: str, method: str) -> None:
    pair.compare("/static/data.bin", method=method, headers={"Range": range_header})


def test_static_range_body(pair: Pair) -> None:
    result = pair.compare("/static/data.bin", headers={"Range": "bytes=100-199"})
    assert result["status"] == "206 PARTIAL CONTENT"
    assert result["body"] == DATA_BIN[100:200]
    assert dict(result["headers"])["content-range"] == "bytes 100-199/1024"
    result = pair.compare("/static/data.bin", headers={"Range": "bytes=2000-3000"})
    assert result["status"] == "416 REQUESTED RANGE NOT SATISFIABLE"


# --------------------------------------------------------------------------------------
# SEND_FILE_MAX_AGE_DEFAULT and get_send_file_max_age
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cache_control"),
    [
        (None, "no-cache"),
        (0, "no-cache, max-age=0"),
        (60, "public, max-age=60"),
        (timedelta(hours=12), "public, max-age=43200"),
        (timedelta(seconds=90.7), "public, max-age=90"),
        (timedelta(0), "no-cache, max-age=0"),
    ],
    ids=["none", "zero", "int", "timedelta", "fractional-timedelta", "zero-timedelta"],
)
@pytest.mark.parametrize(
    "url", ["/static/hello.txt", "/bp/assets/bp.css", "/file/hello.txt", "/from-dir/hello.txt"]
)
def test_max_age_config_matches_flask(root: Path, value: Any, cache_control: str, url: str) -> None:
    pair = Pair(root, {"SEND_FILE_MAX_AGE_DEFAULT": value})
    result = pair.compare(url)
    headers = dict(result["headers"])
    assert headers["cache-control"] == cache_control
    assert ("expires" in headers) == (value is not None)


def test_max_age_config_changed_at_runtime(root: Path) -> None:
    pair = Pair(root)
    for fw_name in FRAMEWORKS:
        pair.apps[fw_name].config["SEND_FILE_MAX_AGE_DEFAULT"] = 5
    assert dict(pair.compare("/static/hello.txt")["headers"])["cache-control"] == (
        "public, max-age=5"
    )


def build_custom(fw_name: str, root: Path) -> Any:
    """Subclasses overriding ``get_send_file_max_age``, and a static folder at ``/``."""
    fw = load_framework(fw_name)

    class App(fw.App):  # type: ignore[name-defined, misc]
        def get_send_file_max_age(self, filename: str | None) -> int | None:
            if filename and filename.endswith(".js"):
                return 3600
            return super().get_send_file_max_age(filename)

    class Blueprint(fw.Blueprint):  # type: ignore[name-defined, misc]
        def get_send_file_max_age(self, filename: str | None) -> int | None:
            return 7

    app = App("custom_site", root_path=str(root), static_url_path="")
    app.register_blueprint(
        Blueprint(
            "bp",
            "custom_site",
            root_path=str(root / "bp"),
            static_folder="static",
            url_prefix="/bp",
        )
    )

    @app.route("/send/<name>")
    def send(name: str) -> Any:
        return fw.send_file(f"static/{name}")

    return app


@pytest.mark.parametrize(
    "url",
    [
        "/hello.txt",
        "/app.js",
        "/sub/inner.txt",
        "/missing.txt",
        "/bp/static/bp.css",
        "/send/app.js",
        "/send/hello.txt",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
    ],
)
def test_overridden_max_age_and_root_static_url_match_flask(root: Path, url: str) -> None:
    results = {}
    for fw_name in FRAMEWORKS:
        client = build_custom(fw_name, root).test_client()
        results[fw_name] = snapshot(client.get(url))
    assert results["erlen"] == results["flask"]


def test_overridden_max_age_values(root: Path) -> None:
    client = build_custom("erlen", root).test_client()
    assert client.get("/app.js").headers["Cache-Control"] == "public, max-age=3600"
    assert client.get("/hello.txt").headers["Cache-Control"] == "no-cache"
    assert client.get("/bp/static/bp.css").headers["Cache-Control"] == "public, max-age=7"
    # send_file asks the app, with the full path.
    assert client.get("/send/app.js").headers["Cache-Control"] == "public, max-age=3600"


def test_url_for_static_round_trip(root: Path) -> None:
    for fw_name in FRAMEWORKS:
        fw = load_framework(fw_name)
        pair = Pair(root)
        app = pair.apps[fw_name]
        with app.test_request_context():
            urls = [fw.url_for("static", filename=name) for name in APP_FILES]
            urls.append(fw.url_for("bp.static", filename="bp.css"))
        client = app.test_client()
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (fw_name, url)
            response.close()


def test_no_static_folder_means_no_static_route(root: Path) -> None:
    results = {}
    for fw_name in FRAMEWORKS:
        fw = load_framework(fw_name)
        app = fw.App("bare_site", root_path=str(root), static_folder=None)
        assert not app.has_static_folder
        with app.test_request_context(), pytest.raises(RuntimeError):
            app.send_static_file("hello.txt")
        results[fw_name] = snapshot(app.test_client().get("/static/hello.txt"))
    assert results["erlen"] == results["flask"]
