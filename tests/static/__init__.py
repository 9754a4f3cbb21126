"""Tests of static files and downloads: ``send_file``, ``send_from_directory``, ``static``.

The helpers here are shared by the test modules of this package: a site on disk (an
app root with a static folder, a blueprint static folder, a download folder and secret
files next to them), the same application built on Flask (the oracle) and on erlen,
response snapshots to compare them, and a spy that records every file the process
opens, to prove that a hostile path never reaches a file outside the directory.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tests.differential.frameworks import load_framework
from tests.differential.snapshots import snapshot_headers

FRAMEWORKS = ("flask", "erlen")

#: Bytes 0..255 four times: every offset of a range is recognisable.
DATA_BIN = bytes(range(256)) * 4
SECRET = b"TOP SECRET: never served\n"

#: A fixed moment for ``last_modified=``.
FIXED_DATE = datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def make_site(base: Path) -> Path:
    """Create the files both apps serve; returns the app root.

    Layout::

        base/outside.txt                 secret, above the app root
        base/app/secret.txt              secret, next to the static folder
        base/app/static/...              the app's static files
        base/app/static-evil/x.txt       a sibling whose name starts like "static"
        base/app/bp/static/bp.css        the blueprint's static folder
        base/app/downloads/report.csv    served by a send_from_directory view
    """
    root = base / "app"
    static = root / "static"
    (static / "sub" / "deeper").mkdir(parents=True)
    (root / "bp" / "static").mkdir(parents=True)
    (root / "downloads").mkdir()
    (root / "static-evil").mkdir()
    (base / "outside.txt").write_bytes(SECRET)
    (root / "secret.txt").write_bytes(SECRET)
    (root / "static-evil" / "x.txt").write_bytes(SECRET)
    (static / "hello.txt").write_bytes(b"Hello, static world!\n")
    (static / "style.css").write_bytes(b"body { color: #333; }\n")
    (static / "app.js").write_bytes(b"console.log('hi');\n")
    (static / "data.json").write_bytes(b'{"a": 1}\n')
    (static / "data.bin").write_bytes(DATA_BIN)
    (static / "empty.txt").write_bytes(b"")
    (static / "noext").write_bytes(b"no extension\n")
    (static / "archive.tar.gz").write_bytes(b"\x1f\x8b pretend gzip")
    (static / "space name.txt").write_bytes(b"spaces\n")
    (static / "ünïcødé.txt").write_bytes(b"unicode name\n")
    (static / "UPPER.TXT").write_bytes(b"upper\n")
    (static / ".hidden").write_bytes(b"dotfile\n")
    (static / "sub" / "inner.txt").write_bytes(b"inner\n")
    (static / "sub" / "deeper" / "deep.html").write_bytes(b"<p>deep</p>\n")
    (root / "bp" / "static" / "bp.css").write_bytes(b".bp { margin: 0; }\n")
    (root / "downloads" / "report.csv").write_bytes(b"a,b\n1,2\n")
    # Fixed modification times: Last-Modified and If-Modified-Since are predictable.
    stamp = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc).timestamp()
    for path in base.rglob("*"):
        if path.is_file():
            os.utime(path, (stamp, stamp))
    return root


def build_app(fw_name: str, root: Path, config: dict[str, Any] | None = None) -> Any:
    """The test application, defined once and built on Flask or on erlen.

    Besides the ``static`` endpoints of the app and of a blueprint, it has views that
    call ``send_file``/``send_from_directory`` with each option.
    """
    fw = load_framework(fw_name)
    app = fw.App("static_site", root_path=str(root))
    app.config["TESTING"] = True
    if config:
        app.config.update(config)
    static = root / "static"

    bp = fw.Blueprint(
        "bp",
        "static_site",
        root_path=str(root / "bp"),
        static_folder="static",
        static_url_path="/assets",
        url_prefix="/bp",
    )
    app.register_blueprint(bp)

    send_file = fw.send_file

    @app.route("/download/<path:name>")
    def download(name: str) -> Any:
        return fw.send_from_directory("downloads", name, as_attachment=True)

    @app.route("/file/<path:name>")
    def relative_file(name: str) -> Any:
        # Trusted by construction in these tests: a relative path from the app root.
        return send_file(f"static/{name}")

    @app.route("/attachment")
    def attachment() -> Any:
        name = fw.request.args.get("name")
        return send_file(str(static / "hello.txt"), as_attachment=True, download_name=name)

    @app.route("/inline-named")
    def inline_named() -> Any:
        return send_file(str(static / "hello.txt"), download_name=fw.request.args["name"])

    @app.route("/bytes")
    def bytes_io() -> Any:
        kwargs = dict(fw.request.args)
        if "as_attachment" in kwargs:
            kwargs["as_attachment"] = True
        return send_file(io.BytesIO(DATA_BIN), **kwargs)

    @app.route("/bytes-seeked")
    def bytes_seeked() -> Any:
        buffer = io.BytesIO(b"0123456789")
        buffer.seek(4)
        return send_file(buffer, mimetype="text/plain")

    @app.route("/open-file")
    def open_file() -> Any:
        return send_file(open(static / "data.bin", "rb"), mimetype="application/x-data")

    @app.route("/etag/<tag>")
    def custom_etag(tag: str) -> Any:
        return send_file(str(static / "hello.txt"), etag=tag)

    @app.route("/no-etag")
    def no_etag() -> Any:
        return send_file(str(static / "hello.txt"), etag=False)

    @app.route("/last-modified")
    def last_modified() -> Any:
        return send_file(str(static / "hello.txt"), last_modified=FIXED_DATE)

    @app.route("/last-modified-ts")
    def last_modified_timestamp() -> Any:
        return send_file(str(static / "hello.txt"), last_modified=FIXED_DATE.timestamp())

    @app.route("/max-age/<int(signed=True):seconds>")
    def max_age(seconds: int) -> Any:
        return send_file(str(static / "hello.txt"), max_age=seconds)

    @app.route("/max-age-callable")
    def max_age_callable() -> Any:
        seen = []

        def choose(path: str | None) -> int:
            seen.append(path)
            return 33

        response = send_file(str(static / "style.css"), max_age=choose)
        response.headers["X-Seen"] = repr(seen)
        return response

    @app.route("/unconditional")
    def unconditional() -> Any:
        return send_file(str(static / "data.bin"), conditional=False)

    @app.route("/mimetype")
    def explicit_mimetype() -> Any:
        return send_file(str(static / "archive.tar.gz"), mimetype="application/x-custom")

    @app.route("/from-dir/<path:name>")
    def from_directory(name: str) -> Any:
        return fw.send_from_directory(str(static), name)

    return app


def snapshot(response: Any) -> dict[str, Any]:
    """Status, headers (without Date/Server; Expires made relative) and body bytes."""
    try:
        return {
            "status": response.status,
            "headers": snapshot_headers(response.headers.items()),
            "body": response.get_data(),
        }
    finally:
        response.close()


class Pair:
    """The same app on Flask and on erlen, with a request method that compares them."""

    def __init__(self, root: Path, config: dict[str, Any] | None = None) -> None:
        self.root = root
        self.apps = {name: build_app(name, root, config) for name in FRAMEWORKS}
        self.clients = {name: app.test_client() for name, app in self.apps.items()}

    def fetch(self, fw_name: str, path: str, method: str = "GET", **kwargs: Any) -> dict:
        return snapshot(self.clients[fw_name].open(path, method=method, **kwargs))

    def compare(self, path: str, method: str = "GET", **kwargs: Any) -> dict[str, Any]:
        """Send one request to both apps; assert equal snapshots; return Flask's."""
        flask_result = self.fetch("flask", path, method, **kwargs)
        erlen_result = self.fetch("erlen", path, method, **kwargs)
        assert erlen_result == flask_result, f"{method} {path} {kwargs}"
        return flask_result


# --------------------------------------------------------------------------------------
# Watching the file system
# --------------------------------------------------------------------------------------

_opened: list[str] | None = None
_lock = threading.Lock()
_hook_installed = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _opened is not None and args and args[0] is not None:
        path = args[0]
        if isinstance(path, int):
            return  # an already open file descriptor
        _opened.append(os.fsdecode(path))


@contextlib.contextmanager
def record_opens() -> Iterator[list[str]]:
    """Record the path of every file opened meanwhile (``open`` audit events).

    Audit hooks see every open in the process (builtin ``open``, ``io.open``,
    ``os.open``), whoever calls it; unlike file permissions they also work for root.
    """
    global _opened, _hook_installed
    with _lock:
        if not _hook_installed:
            sys.addaudithook(_audit)
            _hook_installed = True
        seen: list[str] = []
        _opened = seen
        try:
            yield seen
        finally:
            _opened = None


def is_inside(path: str, directory: Path) -> bool:
    """Whether ``path`` (resolved, symlinks followed) is inside ``directory``."""
    try:
        real = os.path.realpath(path)
    except ValueError:  # NUL or a lone surrogate: the OS cannot name it, compare as text
        real = os.path.abspath(path)
    base = os.path.realpath(directory)
    return os.path.commonpath([real, base]) == base


__all__ = [
    "DATA_BIN",
    "FIXED_DATE",
    "FRAMEWORKS",
    "SECRET",
    "Pair",
    "build_app",
    "is_inside",
    "make_site",
    "record_opens",
    "snapshot",
]
