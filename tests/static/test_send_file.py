"""``send_file`` and ``send_from_directory``: erlen against Flask 3.1, then erlen's own edges.

The differential tests send the same request to the same app built on Flask and on
erlen and compare status, every header but ``Date`` (``Expires`` made relative to
now) and the body. Both apps serve the very same files, so even ``ETag`` and
``Last-Modified`` must be identical.
"""

from __future__ import annotations

import io
import os
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug import utils as wz_utils
from werkzeug.test import create_environ as wz_create_environ

from erlen import static as erlen_static
from erlen.exceptions import NotFound, RequestedRangeNotSatisfiable
from erlen.testing import create_environ
from erlen.wrappers import Response

from . import DATA_BIN, Pair, make_site


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def pair(root: Path) -> Pair:
    return Pair(root)


def expected_etag(path: Path) -> str:
    """Werkzeug's ETag for a path: modification time, size, Adler-32 of the path."""
    st = os.stat(path)
    checksum = zlib.adler32(str(path).encode()) & 0xFFFFFFFF
    return f'"{st.st_mtime}-{st.st_size}-{checksum}"'


# --------------------------------------------------------------------------------------
# Differential: plain responses
# --------------------------------------------------------------------------------------

PLAIN_REQUESTS = [
    "/file/hello.txt",
    "/file/style.css",
    "/file/app.js",
    "/file/data.json",
    "/file/data.bin",
    "/file/noext",
    "/file/archive.tar.gz",
    "/file/empty.txt",
    "/file/UPPER.TXT",
    "/file/.hidden",
    "/file/" + quote("space name.txt"),
    "/file/" + quote("ünïcødé.txt"),
    "/file/sub/inner.txt",
    "/file/sub/deeper/deep.html",
    "/from-dir/hello.txt",
    "/from-dir/sub/inner.txt",
    "/from-dir/" + quote("ünïcødé.txt"),
    "/download/report.csv",
    "/attachment",
    "/inline-named?name=" + quote("Résumé 2024.txt"),
    "/inline-named?name=page.html",
    "/bytes?mimetype=text/plain",
    "/bytes?mimetype=application/json",
    "/bytes?download_name=data.json",
    "/bytes?download_name=data.bin&as_attachment=1",
    "/bytes?download_name=x.tar.gz",
    "/bytes?download_name=x.tar.gz&as_attachment=1",
    "/bytes?download_name=" + quote("日本語.csv"),
    "/open-file",
    "/etag/v1",
    "/etag/" + quote("weak-looking W"),
    "/no-etag",
    "/last-modified",
    "/last-modified-ts",
    "/max-age/0",
    "/max-age/1",
    "/max-age/60",
    "/max-age/31536000",
    "/max-age/-5",
    "/max-age-callable",
    "/unconditional",
    "/mimetype",
]


@pytest.mark.parametrize("path", PLAIN_REQUESTS)
def test_plain_response_matches_flask(pair: Pair, path: str) -> None:
    result = pair.compare(path)
    assert result["status"] == "200 OK"


@pytest.mark.parametrize("path", PLAIN_REQUESTS)
def test_head_matches_flask(pair: Pair, path: str) -> None:
    result = pair.compare(path, method="HEAD")
    assert result["body"] == b""


ATTACHMENT_NAMES = [
    "report.txt",
    "report",
    "my report.txt",
    'quote "inside".txt',
    "back\\slash.txt",
    "semi;colon,comma.txt",
    "percent%20.txt",
    "tab\tname.txt",
    "",
    "Résumé.pdf",
    "naïve café.tar.gz",
    "日本語のファイル.txt",
    "emoji 🎉.png",
    "Ünïcödé 'quote' \"dq\" (1).txt",
    "ﬁ ligature.txt",
    "café !#$&+^`|~ @=?*'%.txt",
    "a" * 300 + ".txt",
]


@pytest.mark.parametrize("name", ATTACHMENT_NAMES)
def test_attachment_names_match_flask(pair: Pair, name: str) -> None:
    result = pair.compare("/attachment", query_string={"name": name})
    disposition = dict(result["headers"])["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    if not name.isascii():
        assert "filename*=UTF-8''" in disposition


def test_non_ascii_name_has_ascii_fallback_and_rfc5987_form(pair: Pair) -> None:
    result = pair.compare("/attachment", query_string={"name": "Résumé 2024 ☃.txt"})
    assert dict(result["headers"])["content-disposition"] == (
        "attachment; filename=\"Resume 2024 .txt\"; filename*=UTF-8''R%C3%A9sum%C3%A9%202024%20%E2%98%83.txt"
    )


def test_etag_is_werkzeugs_formula(pair: Pair, root: Path) -> None:
    result = pair.compare("/file/hello.txt")
    assert dict(result["headers"])["etag"] == expected_etag(root / "static" / "hello.txt")


def test_max_age_callable_receives_the_full_path(pair: Pair, root: Path) -> None:
    result = pair.compare("/max-age-callable")
    headers = dict(result["headers"])
    assert headers["x-seen"] == repr([str(root / "static" / "style.css")])
    assert headers["cache-control"] == "public, max-age=33"


@pytest.mark.parametrize(
    ("seconds", "cache_control"),
    [(0, "no-cache, max-age=0"), (-5, "no-cache, max-age=-5"), (60, "public, max-age=60")],
)
def test_max_age_cache_control(pair: Pair, seconds: int, cache_control: str) -> None:
    headers = dict(pair.compare(f"/max-age/{seconds}")["headers"])
    assert headers["cache-control"] == cache_control
    assert "expires" in headers


def test_x_sendfile_matches_flask(root: Path) -> None:
    pair = Pair(root, {"USE_X_SENDFILE": True})
    result = pair.compare("/file/hello.txt")
    assert dict(result["headers"])["x-sendfile"] == str(root / "static" / "hello.txt")
    assert result["body"] == b""
    etag = expected_etag(root / "static" / "hello.txt")
    not_modified = pair.compare("/file/hello.txt", headers={"If-None-Match": etag})
    assert not_modified["status"] == "304 NOT MODIFIED"
    assert "x-sendfile" not in dict(not_modified["headers"])
    # File objects cannot be handed to the front server: they are streamed.
    assert pair.compare("/bytes?mimetype=text/plain")["body"] == DATA_BIN
    ranged = pair.compare("/file/hello.txt", headers={"Range": "bytes=0-4"})
    assert ranged["status"] == "206 PARTIAL CONTENT"


# --------------------------------------------------------------------------------------
# Differential: conditional requests
# --------------------------------------------------------------------------------------


def conditional_cases(etag: str) -> list[dict[str, str]]:
    bare = etag.strip('"')
    return [
        {"If-None-Match": etag},
        {"If-None-Match": f"W/{etag}"},
        {"If-None-Match": '"other"'},
        {"If-None-Match": f'"other", {etag}'},
        {"If-None-Match": "*"},
        {"If-None-Match": bare},
        {"If-None-Match": ""},
        {"If-Modified-Since": "Tue, 02 Jan 2024 03:04:05 GMT"},
        {"If-Modified-Since": "Tue, 02 Jan 2024 03:04:04 GMT"},
        {"If-Modified-Since": "Wed, 03 Jan 2024 00:00:00 GMT"},
        {"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"},
        {"If-Modified-Since": "not a date"},
        {"If-None-Match": '"other"', "If-Modified-Since": "Wed, 03 Jan 2024 00:00:00 GMT"},
        {"If-None-Match": etag, "If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"},
        {"If-Match": etag},
        {"If-Match": '"other"'},
        {"If-Match": f'"other", {etag}'},
        {"If-Match": f"W/{etag}"},
        {"If-Match": "*"},
        {"If-Match": '"other"', "If-None-Match": etag},
        {"If-Unmodified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"},
    ]


def _etag_for(root: Path, path: str) -> str:
    if path.startswith("/etag/"):
        return f'"{path.rsplit("/", 1)[1]}"'
    name = path.split("/", 2)[2]
    return expected_etag(root / "static" / name)


CONDITIONAL_VIEWS = ["/file/hello.txt", "/from-dir/data.bin", "/etag/v1", "/last-modified"]


@pytest.mark.parametrize("case", range(len(conditional_cases('"x"'))))
@pytest.mark.parametrize("path", CONDITIONAL_VIEWS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_conditional_matches_flask(
    pair: Pair, root: Path, path: str, case: int, method: str
) -> None:
    etag = _etag_for(root, path) if path != "/last-modified" else '"none"'
    headers = conditional_cases(etag)[case]
    result = pair.compare(path, method=method, headers=headers)
    assert result["status"] in ("200 OK", "304 NOT MODIFIED", "412 PRECONDITION FAILED")


def test_if_none_match_gives_304_without_body(pair: Pair, root: Path) -> None:
    etag = expected_etag(root / "static" / "hello.txt")
    result = pair.compare("/file/hello.txt", headers={"If-None-Match": etag})
    assert result["status"] == "304 NOT MODIFIED"
    assert result["body"] == b""
    headers = dict(result["headers"])
    assert headers["etag"] == etag
    assert "content-length" not in headers


def test_failed_if_match_gives_412(pair: Pair) -> None:
    result = pair.compare("/file/hello.txt", headers={"If-Match": '"nope"'})
    assert result["status"] == "412 PRECONDITION FAILED"


def test_conditional_ignored_for_other_methods(pair: Pair, root: Path) -> None:
    etag = expected_etag(root / "static" / "hello.txt")
    for method in ("POST", "PUT", "DELETE"):
        result = pair.compare("/file/hello.txt", method=method, headers={"If-None-Match": etag})
        assert result["status"] == "405 METHOD NOT ALLOWED"


def test_unconditional_ignores_validators_and_ranges(pair: Pair, root: Path) -> None:
    etag = expected_etag(root / "static" / "data.bin")
    result = pair.compare("/unconditional", headers={"If-None-Match": etag, "Range": "bytes=0-1"})
    assert result["status"] == "200 OK"
    assert result["body"] == DATA_BIN


# --------------------------------------------------------------------------------------
# Differential: ranges
# --------------------------------------------------------------------------------------

RANGES = [
    "bytes=0-0",
    "bytes=0-9",
    "bytes=10-19",
    "bytes=1000-",
    "bytes=1023-",
    "bytes=0-",
    "bytes=-1",
    "bytes=-10",
    "bytes=-1024",
    "bytes=-5000",
    "bytes=0-1023",
    "bytes=0-99999",
    "bytes=1000-5000",
    "bytes=1024-",
    "bytes=1024-2000",
    "bytes=5000-6000",
    "bytes=-0",
    "bytes=5-2",
    "bytes=0-1,4-5",
    "bytes=0-1, 10-20, 30-",
    "bytes=abc",
    "bytes=",
    "bytes=--1",
    "bytes=1-2-3",
    "bytes= 0-9",
    "bytes=0 -9",
    "BYTES=0-9",
    "items=0-9",
    "0-9",
    "bytes=99999999999999999999-",
    "bytes=0-" + "9" * 200,
]


@pytest.mark.parametrize("range_header", RANGES)
@pytest.mark.parametrize(
    "path", ["/file/data.bin", "/from-dir/data.bin", "/bytes?mimetype=x/y", "/open-file"]
)
def test_range_matches_flask(pair: Pair, path: str, range_header: str) -> None:
    result = pair.compare(path, headers={"Range": range_header})
    assert result["status"] in (
        "200 OK",
        "206 PARTIAL CONTENT",
        "416 REQUESTED RANGE NOT SATISFIABLE",
    )


@pytest.mark.parametrize("range_header", ["bytes=0-9", "bytes=-3", "bytes=5-"])
def test_range_on_empty_file_is_ignored(pair: Pair, range_header: str) -> None:
    result = pair.compare("/file/empty.txt", headers={"Range": range_header})
    assert result["status"] == "200 OK"
    assert result["body"] == b""


@pytest.mark.parametrize(
    ("range_header", "start", "stop"),
    [("bytes=0-9", 0, 10), ("bytes=1000-", 1000, 1024), ("bytes=-24", 1000, 1024)],
)
def test_range_body_and_content_range(pair: Pair, range_header: str, start: int, stop: int) -> None:
    result = pair.compare("/file/data.bin", headers={"Range": range_header})
    assert result["status"] == "206 PARTIAL CONTENT"
    assert result["body"] == DATA_BIN[start:stop]
    headers = dict(result["headers"])
    assert headers["content-range"] == f"bytes {start}-{stop - 1}/1024"
    assert headers["content-length"] == str(stop - start)


@pytest.mark.parametrize("range_header", ["bytes=1024-", "bytes=5000-6000", "bytes=0-1,4-5"])
def test_unsatisfiable_range_is_416(pair: Pair, range_header: str) -> None:
    result = pair.compare("/file/data.bin", headers={"Range": range_header})
    assert result["status"] == "416 REQUESTED RANGE NOT SATISFIABLE"
    assert dict(result["headers"])["content-range"] == "bytes */1024"


IF_RANGE_CASES = [
    lambda etag: {"Range": "bytes=0-9", "If-Range": etag},
    lambda etag: {"Range": "bytes=0-9", "If-Range": '"stale"'},
    lambda etag: {"Range": "bytes=0-9", "If-Range": f"W/{etag}"},
    lambda etag: {"Range": "bytes=0-9", "If-Range": "Tue, 02 Jan 2024 03:04:05 GMT"},
    lambda etag: {"Range": "bytes=0-9", "If-Range": "Mon, 01 Jan 2024 00:00:00 GMT"},
    lambda etag: {"Range": "bytes=0-9", "If-Range": "garbage"},
    lambda etag: {"If-Range": etag},
    lambda etag: {"Range": "bytes=0-9", "If-Range": etag, "If-None-Match": etag},
    lambda etag: {"Range": "bytes=5000-", "If-Range": '"stale"'},
    lambda etag: {"Range": "bytes=0-9", "If-Match": '"stale"'},
]


@pytest.mark.parametrize("case", range(len(IF_RANGE_CASES)))
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_range_matches_flask(pair: Pair, root: Path, case: int, method: str) -> None:
    etag = expected_etag(root / "static" / "data.bin")
    pair.compare("/file/data.bin", method=method, headers=IF_RANGE_CASES[case](etag))


# --------------------------------------------------------------------------------------
# Direct calls: errors, against werkzeug.utils.send_file
# --------------------------------------------------------------------------------------


def both(call: Any) -> tuple[Any, Any]:
    """Run ``call(module, environ)`` with Werkzeug and with erlen; results or exceptions."""
    results = []
    for module, environ in (
        (wz_utils, wz_create_environ("/")),
        (erlen_static, create_environ("/")),
    ):
        try:
            response = call(module, environ)
        except Exception as exc:
            results.append(type(exc))
        else:
            results.append(response)
    return results[0], results[1]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda m, env: m.send_file(io.BytesIO(b"x"), env), id="no-name"),
        pytest.param(
            lambda m, env: m.send_file(
                io.BytesIO(b"x"), env, mimetype="text/plain", as_attachment=True
            ),
            id="attachment-without-name",
        ),
        pytest.param(
            lambda m, env: m.send_file(io.StringIO("x"), env, mimetype="text/plain"),
            id="text-mode",
        ),
        pytest.param(lambda m, env: m.send_file(io.StringIO("x"), env), id="text-mode-no-name"),
        pytest.param(
            lambda m, env: m.send_file("/definitely/not/here.txt", env), id="missing-path"
        ),
        pytest.param(
            lambda m, env: m.send_file(io.BytesIO(b"x"), env, download_name="a\nb.txt"),
            id="newline-in-name",
        ),
        pytest.param(
            lambda m, env: m.send_file(io.BytesIO(b"x"), env, mimetype="a/b", etag='a"b'),
            id="quote-in-etag",
        ),
    ],
)
def test_errors_match_werkzeug(call: Any) -> None:
    werkzeug_result, erlen_result = both(call)
    assert isinstance(werkzeug_result, type) and issubclass(werkzeug_result, Exception)
    assert erlen_result is werkzeug_result


def test_text_mode_error_names_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("text")
    with open(path) as text_file, pytest.raises(ValueError, match="'rb'"):
        erlen_static.send_file(text_file, create_environ("/"), mimetype="text/plain")
    with pytest.raises(TypeError, match="mimetype"):
        erlen_static.send_file(io.BytesIO(b"x"), create_environ("/"))


def test_send_file_with_pathlike_and_relative_paths(root: Path, monkeypatch: Any) -> None:
    environ = create_environ("/")
    by_pathlike = erlen_static.send_file(root / "static" / "hello.txt", environ)
    assert by_pathlike.headers["Content-Disposition"] == "inline; filename=hello.txt"
    by_pathlike.close()
    by_root = erlen_static.send_file("static/hello.txt", environ, _root_path=root)
    assert by_root.headers["ETag"] == expected_etag(root / "static" / "hello.txt")
    by_root.close()
    monkeypatch.chdir(root)
    by_cwd = erlen_static.send_file("static/hello.txt", environ)
    assert by_cwd.headers["ETag"] == expected_etag(root / "static" / "hello.txt")
    by_cwd.close()


def test_response_class_is_used(root: Path) -> None:
    class MyResponse(Response):
        pass

    response = erlen_static.send_file(
        root / "static" / "hello.txt", create_environ("/"), response_class=MyResponse
    )
    assert type(response) is MyResponse
    response.close()


def test_send_from_directory_raises_not_found(root: Path) -> None:
    environ = create_environ("/")
    for name in ("missing.txt", "sub", "sub/", ".", "", "../secret.txt", "/etc/passwd"):
        with pytest.raises(NotFound):
            erlen_static.send_from_directory(root / "static", name, environ)
    with pytest.raises(NotFound):
        erlen_static.send_from_directory(root / "no-such-dir", "hello.txt", environ)


def test_send_from_directory_relative_to_root_path(root: Path) -> None:
    environ = create_environ("/")
    response = erlen_static.send_from_directory(
        "static", "sub/inner.txt", environ, _root_path=str(root)
    )
    assert response.headers["ETag"] == expected_etag(root / "static" / "sub" / "inner.txt")
    assert body_of(response, environ) == b"inner\n"


# --------------------------------------------------------------------------------------
# Streaming, wrappers and closing
# --------------------------------------------------------------------------------------


def body_of(response: Response, environ: dict[str, Any]) -> bytes:
    """The bytes a WSGI server would send for ``response``."""
    chunks: list[bytes] = []
    app_iter = response(environ, lambda status, headers, exc_info=None: None)
    try:
        chunks.extend(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    return b"".join(chunks)


class TrackingBytes(io.BytesIO):
    """A BytesIO that counts the bytes read from it and remembers being closed."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0
        self.largest_read = 0
        self.was_closed = False

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        self.largest_read = max(self.largest_read, len(chunk))
        return chunk

    def close(self) -> None:
        self.was_closed = True
        super().close()


def test_server_file_wrapper_is_used() -> None:
    calls: list[tuple[Any, int]] = []

    class ServerWrapper:
        def __init__(self, file: Any, block_size: int) -> None:
            calls.append((file, block_size))
            self.file = file

        def __iter__(self) -> Any:
            return iter(lambda: self.file.read(3), b"")

        def close(self) -> None:
            self.file.close()

    environ = create_environ("/")
    environ["wsgi.file_wrapper"] = ServerWrapper
    source = TrackingBytes(b"abcdefgh")
    response = erlen_static.send_file(source, environ, mimetype="text/plain")
    assert isinstance(response.response, ServerWrapper)
    assert calls and calls[0][0] is source
    assert body_of(response, environ) == b"abcdefgh"
    assert source.was_closed


def test_large_file_is_streamed_in_bounded_chunks(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    payload = os.urandom(3 * 1024 * 1024 + 17)
    big.write_bytes(payload)
    environ = create_environ("/")
    response = erlen_static.send_file(big, environ)
    chunks = []
    app_iter = response(environ, lambda *args: None)
    for chunk in app_iter:
        assert len(chunk) <= erlen_static.SEND_FILE_CHUNK_SIZE
        chunks.append(chunk)
    app_iter.close()
    assert b"".join(chunks) == payload


def test_range_seeks_instead_of_reading_the_start() -> None:
    source = TrackingBytes(b"x" * 1_000_000 + b"TAIL")
    environ = create_environ("/", headers={"Range": "bytes=-4"})
    response = erlen_static.send_file(source, environ, mimetype="application/octet-stream")
    assert response.status_code == 206
    assert body_of(response, environ) == b"TAIL"
    assert source.bytes_read == 4
    assert source.was_closed


@pytest.mark.parametrize(
    "headers",
    [{}, {"Range": "bytes=0-3"}, {"If-None-Match": '"t"'}, {"If-Match": '"other"'}],
    ids=["200", "206", "304", "412"],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_file_object_is_closed_after_the_response(headers: dict[str, str], method: str) -> None:
    source = TrackingBytes(b"0123456789")
    environ = create_environ("/", method=method, headers=headers)
    response = erlen_static.send_file(source, environ, mimetype="text/plain", etag="t")
    body_of(response, environ)
    assert source.was_closed


def test_file_is_closed_when_the_range_is_unsatisfiable() -> None:
    source = TrackingBytes(b"0123456789")
    environ = create_environ("/", headers={"Range": "bytes=50-60"})
    with pytest.raises(RequestedRangeNotSatisfiable) as info:
        erlen_static.send_file(source, environ, mimetype="text/plain")
    assert info.value.length == 10
    assert source.was_closed


def test_opened_path_is_closed(root: Path, monkeypatch: Any) -> None:
    opened: list[Any] = []

    def spy_open(*args: Any, **kwargs: Any) -> Any:
        handle = open(*args, **kwargs)  # noqa: SIM115
        opened.append(handle)
        return handle

    monkeypatch.setattr(erlen_static, "open", spy_open, raising=False)
    for headers in ({}, {"Range": "bytes=0-1"}, {"Range": "bytes=9999-"}, {"If-Match": '"x"'}):
        environ = create_environ("/", headers=headers)
        try:
            response = erlen_static.send_file(root / "static" / "data.bin", environ)
        except RequestedRangeNotSatisfiable:
            pass
        else:
            body_of(response, environ)
    assert len(opened) == 4
    assert all(handle.closed for handle in opened)


def test_replaced_body_still_closes_the_file() -> None:
    source = TrackingBytes(b"payload")
    environ = create_environ("/")
    response = erlen_static.send_file(source, environ, mimetype="text/plain")
    # An after_request hook that swaps the body drops the file wrapper...
    response.direct_passthrough = False
    response.set_data(b"replaced")
    assert body_of(response, environ) == b"replaced"
    # ... and the file is still closed through call_on_close.
    assert source.was_closed


def test_file_wrapper_api() -> None:
    source = TrackingBytes(b"abcdef")
    wrapper = erlen_static.FileWrapper(source, 4)
    assert iter(wrapper) is wrapper
    assert wrapper.seekable()
    wrapper.seek(2)
    assert wrapper.tell() == 2
    assert list(wrapper) == [b"cdef"]
    wrapper.close()
    assert source.was_closed

    class Plain:
        def read(self, size: int) -> bytes:
            return b""

    bare = erlen_static.FileWrapper(Plain())  # type: ignore[arg-type]
    assert not bare.seekable()
    assert bare.tell() is None
    bare.seek(1)
    bare.close()
    assert list(bare) == []
    environ = create_environ("/")
    assert isinstance(erlen_static.wrap_file(environ, io.BytesIO()), erlen_static.FileWrapper)


# --------------------------------------------------------------------------------------
# Deliberate difference: a BytesIO whose position is not at its start
# --------------------------------------------------------------------------------------


def test_seeked_bytes_io_announces_what_is_sent(pair: Pair) -> None:
    flask_result = pair.fetch("flask", "/bytes-seeked")
    erlen_result = pair.fetch("erlen", "/bytes-seeked")
    # Werkzeug announces the whole buffer but sends only the rest of it.
    assert dict(flask_result["headers"])["content-length"] == "10"
    assert flask_result["body"] == b"456789"
    # erlen announces exactly what it sends ...
    assert dict(erlen_result["headers"])["content-length"] == "6"
    assert erlen_result["body"] == b"456789"
    # ... and serves the whole rest for a Range, whose offsets would be ambiguous.
    ranged = pair.fetch("erlen", "/bytes-seeked", headers={"Range": "bytes=0-1"})
    assert ranged["status"] == "200 OK"
    assert ranged["body"] == b"456789"
