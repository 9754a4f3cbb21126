"""Hostile paths: nothing outside the served directory is ever opened or served.

Every hostile input is sent through the ``static`` endpoints (app and blueprint) and
through views calling ``send_from_directory``, on Flask and on erlen. Each must be a
404 (or a redirect that ends in one), the secret files next to and above the static
folder must never appear in a body, and an audit hook proves that no file outside
the served directory was even opened. Direct calls then cover inputs a URL cannot
carry, and ``safe_join`` is compared with Werkzeug's.
"""

from __future__ import annotations

import mimetypes
import os
import posixpath
from pathlib import Path
from typing import Any

import pytest
from werkzeug.security import safe_join as werkzeug_safe_join

from erlen import static as erlen_static
from erlen.exceptions import NotFound
from erlen.testing import create_environ
from erlen.utils import safe_join

from . import FRAMEWORKS, SECRET, build_app, is_inside, make_site, record_opens

# Reading the system's MIME tables opens files outside the site; do it up front so the
# audit hook only sees what serving a request opens.
mimetypes.init()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    make_site(base)
    return base


@pytest.fixture(scope="module")
def root(base: Path) -> Path:
    return base / "app"


@pytest.fixture(scope="module")
def apps(root: Path) -> dict[str, Any]:
    return {name: build_app(name, root) for name in FRAMEWORKS}


@pytest.fixture
def stats(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths passed to ``os.stat`` meanwhile (``os.path.isfile`` goes through it too)."""
    seen: list[str] = []
    real_stat = os.stat

    def spy(path: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(path, int):
            seen.append(os.fsdecode(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", spy)
    return seen


def served_directories(root: Path) -> list[Path]:
    return [root / "static", root / "bp" / "static", root / "downloads"]


def assert_nothing_outside(paths: list[str], base: Path, root: Path) -> None:
    """No path inside the site may lie outside the served directories."""
    allowed = served_directories(root)
    for path in paths:
        full = os.path.join(os.getcwd(), path)
        if is_inside(full, base):
            assert any(is_inside(full, directory) for directory in allowed), path


SECRET_TARGETS = ["secret.txt", "../secret.txt", "../../outside.txt"]

# (url, why). Each must answer 404 on both frameworks, unless listed in REDIRECTS or
# INVALID_UTF8 below.
HOSTILE_URLS: list[tuple[str, str]] = [
    ("/static/../secret.txt", "plain dot-dot"),
    ("/static/../../outside.txt", "two levels up"),
    ("/static/sub/../../secret.txt", "dot-dot after a real folder"),
    ("/static/sub/deeper/../../../secret.txt", "dot-dot after two folders"),
    ("/static/../static-evil/x.txt", "sibling folder with the same prefix"),
    ("/static/%2e%2e/secret.txt", "percent-encoded dots"),
    ("/static/%2E%2E/secret.txt", "upper-case percent-encoding"),
    ("/static/.%2e/secret.txt", "half-encoded dots"),
    ("/static/..%2fsecret.txt", "encoded slash"),
    ("/static/..%2Fsecret.txt", "encoded slash, upper case"),
    ("/static/%2e%2e%2fsecret.txt", "fully encoded"),
    ("/static/%2e%2e%2f%2e%2e%2foutside.txt", "fully encoded, two levels"),
    ("/static/sub/%2e%2e/%2e%2e/secret.txt", "encoded dots after a folder"),
    ("/static/%252e%252e/secret.txt", "double encoding"),
    ("/static/%252e%252e%252fsecret.txt", "double encoding with slash"),
    ("/static/..%252fsecret.txt", "double-encoded slash"),
    ("/static/%25%32%65%25%32%65/secret.txt", "double encoding, spelled out"),
    ("/static/..%5csecret.txt", "encoded backslash"),
    ("/static/..%5C..%5Coutside.txt", "encoded backslashes"),
    ("/static/..\\secret.txt", "raw backslash"),
    ("/static/%5c..%5csecret.txt", "leading backslash"),
    ("/static/sub%5c..%5c..%5csecret.txt", "backslashes after a folder"),
    ("/static/%00", "NUL"),
    ("/static/hello.txt%00", "NUL after a real name"),
    ("/static/..%00/secret.txt", "NUL in dot-dot"),
    ("/static/secret.txt%00.css", "NUL extension trick"),
    ("/static/C:/Windows/win.ini", "drive letter"),
    ("/static/c:%5cwindows%5cwin.ini", "drive letter and backslashes"),
    ("/static/C:secret.txt", "drive-relative"),
    ("/static/%5c%5cserver%5cshare%5csecret.txt", "UNC path"),
    ("/static/CON", "device name"),
    ("/static/con.txt", "device name with extension"),
    ("/static/NUL", "NUL device"),
    ("/static/aux.js", "AUX device"),
    ("/static/COM1", "COM port"),
    ("/static/LPT1.txt", "LPT port"),
    ("/static/COM%C2%B9", "COM with superscript digit"),
    ("/static/CONIN$", "console input"),
    ("/static/con%20.txt", "device name, trailing space"),
    ("/static/CON:", "device name, empty stream"),
    ("/static/sub/PRN", "device name in a subfolder"),
    ("/static/...", "three dots"),
    ("/static/.../secret.txt", "three dots as a folder"),
    ("/static/..%20/secret.txt", "dot-dot-space"),
    ("/static/.%20./secret.txt", "dot-space-dot"),
    ("/static/....//secret.txt", "four dots and a double slash"),
    ("/static/..;/secret.txt", "semicolon path parameter"),
    ("/static/%u002e%u002e/secret.txt", "IIS %u encoding"),
    ("/static/%E2%80%A5/secret.txt", "two-dot leader"),
    ("/static/%EF%BC%8E%EF%BC%8E/secret.txt", "full-width dots"),
    ("/static/..%EF%BC%8Fsecret.txt", "full-width solidus"),
    ("/static/..%E2%88%95secret.txt", "division slash"),
    ("/static/%2e%2e", "bare encoded dot-dot"),
    ("/static/.", "the folder itself"),
    ("/static/%", "lone percent"),
    ("/static/%zz", "invalid escape"),
    ("/static/" + "../" * 40 + "etc/passwd", "many levels up"),
    ("/static/" + "a/" * 500 + "../" * 501 + "secret.txt", "long path that climbs out"),
    ("/bp/assets/../../secret.txt", "blueprint static"),
    ("/bp/assets/%2e%2e/%2e%2e/secret.txt", "blueprint static, encoded"),
    ("/bp/assets/../../static/hello.txt", "from one static folder into another"),
    ("/download/../secret.txt", "send_from_directory view"),
    ("/download/..%2f..%2foutside.txt", "send_from_directory view, encoded"),
    ("/download/%2e%2e/static/hello.txt", "send_from_directory view, sideways"),
    ("/from-dir/../secret.txt", "absolute directory view"),
    ("/from-dir/%2e%2e%2fsecret.txt", "absolute directory view, encoded"),
]

#: Paths with an empty segment are redirected (merge_slashes) to a path that is
#: then a plain 404 inside the static folder.
REDIRECTS = [
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static//SECRET_ABS",
    "/static/%2fSECRET_ABS",
]

#: Overlong or invalid UTF-8 after percent-decoding: Flask 404, erlen 400 (its router
#: refuses paths that are not UTF-8 before any view runs).
INVALID_UTF8 = [
    "/static/%c0%ae%c0%ae/secret.txt",
    "/static/%c0%ae%c0%ae%c0%afsecret.txt",
    "/static/%e0%80%ae%e0%80%ae/secret.txt",
    "/static/%f0%80%80%ae%f0%80%80%ae/secret.txt",
    "/static/..%c0%afsecret.txt",
    "/static/..%c1%9csecret.txt",
    "/static/%ff",
    "/static/%ed%a0%80",
]


def _request(app: Any, url: str, **kwargs: Any) -> tuple[int, bytes, str | None]:
    response = app.test_client().get(url, **kwargs)
    try:
        return response.status_code, response.get_data(), response.headers.get("Location")
    finally:
        response.close()


@pytest.mark.parametrize(("url", "why"), HOSTILE_URLS, ids=[why for _, why in HOSTILE_URLS])
@pytest.mark.parametrize("fw_name", FRAMEWORKS)
def test_hostile_url_is_404_and_opens_nothing_outside(
    apps: dict[str, Any], base: Path, root: Path, stats: list[str], url: str, why: str, fw_name: str
) -> None:
    with record_opens() as opened:
        status, body, _ = _request(apps[fw_name], url)
    assert status == 404, why
    assert SECRET not in body
    assert_nothing_outside(opened, base, root)
    if fw_name == "erlen":
        # erlen refuses before asking the file system about anything outside.
        assert_nothing_outside(stats, base, root)


@pytest.mark.parametrize("url", REDIRECTS)
@pytest.mark.parametrize("fw_name", FRAMEWORKS)
def test_empty_segments_redirect_inside_the_folder(
    apps: dict[str, Any], base: Path, root: Path, url: str, fw_name: str
) -> None:
    secret = str(root / "secret.txt")
    url = url.replace("/SECRET_ABS", secret).replace("%2fSECRET_ABS", "%2f" + secret[1:])
    with record_opens() as opened:
        status, body, location = _request(apps[fw_name], url)
        assert status == 308
        assert location is not None and location.startswith("http://localhost/static/")
        final_status, final_body, _ = _request(apps[fw_name], url, follow_redirects=True)
    assert final_status == 404
    assert SECRET not in body + final_body
    assert_nothing_outside(opened, base, root)


@pytest.mark.parametrize("url", INVALID_UTF8)
@pytest.mark.parametrize("fw_name", FRAMEWORKS)
def test_invalid_utf8_paths_are_refused(
    apps: dict[str, Any], base: Path, root: Path, url: str, fw_name: str
) -> None:
    with record_opens() as opened:
        status, body, _ = _request(apps[fw_name], url)
    assert status == (404 if fw_name == "flask" else 400)
    assert SECRET not in body
    assert_nothing_outside(opened, base, root)


@pytest.mark.parametrize("url", [url for url, _ in HOSTILE_URLS] + REDIRECTS)
def test_hostile_responses_match_flask(apps: dict[str, Any], root: Path, url: str) -> None:
    secret = str(root / "secret.txt")
    url = url.replace("/SECRET_ABS", secret).replace("%2fSECRET_ABS", "%2f" + secret[1:])
    assert _request(apps["erlen"], url) == _request(apps["flask"], url)


# --------------------------------------------------------------------------------------
# Direct calls: inputs no URL can carry
# --------------------------------------------------------------------------------------

HOSTILE_NAMES: list[str] = [
    "../secret.txt",
    "../../outside.txt",
    "sub/../../secret.txt",
    "sub/./../../secret.txt",
    "./../secret.txt",
    "..",
    "../",
    "/etc/passwd",
    "//etc/passwd",
    "///etc/passwd",
    "..\\secret.txt",
    "\\..\\secret.txt",
    "sub\\..\\..\\secret.txt",
    "\\\\server\\share\\secret.txt",
    "\\\\?\\C:\\secret.txt",
    "C:\\Windows\\win.ini",
    "C:/Windows/win.ini",
    "c:secret.txt",
    "Z:",
    "\x00",
    "hello.txt\x00",
    "hello.txt\x00.png",
    "..\x00/secret.txt",
    "CON",
    "con",
    "con.txt",
    "CON.tar.gz",
    "CON:",
    "CON::$DATA",
    "con .txt",
    "Con  ",
    "AUX",
    "NUL",
    "nul.txt",
    "PRN",
    "COM1",
    "COM9.log",
    "LPT3",
    "COM¹",
    "LPT².txt",
    "CONIN$",
    "CONOUT$",
    "sub/CON",
    "sub/nul.txt",
    "...",
    "....",
    ". .",
    ".. ",
    "... /secret.txt",
    "sub/.../x",
    "\ufffd\ufffd/secret.txt",
    "\udcc0\udcae\udcc0\udcae/secret.txt",
    "\udcff",
    "\ud800",
    "",
    ".",
    "./",
    "sub",
    "sub/",
    "missing.txt",
    "hello.txt/..",
    "../" * 10_000 + "etc/passwd",
    "a/" * 10_000 + "../" * 10_001 + "secret.txt",
    "x" * 100_000,
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n)[:40] for n in HOSTILE_NAMES])
def test_send_from_directory_refuses(base: Path, root: Path, stats: list[str], name: str) -> None:
    environ = create_environ("/")
    with record_opens() as opened:
        with pytest.raises(NotFound):
            erlen_static.send_from_directory(root / "static", name, environ)
        with pytest.raises(NotFound):
            erlen_static.send_from_directory("static", name, environ, _root_path=str(root))
    assert_nothing_outside(opened, base, root)
    assert_nothing_outside(stats, base, root)
    # Nothing at all was opened: a refusal never gets as far as open().
    assert not [path for path in opened if is_inside(path, base)]


def test_pathlike_hostile_name_is_refused(root: Path) -> None:
    with pytest.raises(NotFound):
        erlen_static.send_from_directory(
            root / "static", Path("../secret.txt"), create_environ("/")
        )


def test_symlinks_inside_the_folder_are_trusted(tmp_path: Path) -> None:
    # Like Werkzeug, the directory's own content is trusted: a link the developer put
    # there is followed. Hostile *paths* cannot create links.
    site = make_site(tmp_path)
    link = site / "static" / "linked.txt"
    link.symlink_to(site / "secret.txt")
    for fw_name in FRAMEWORKS:
        status, body, _ = _request(build_app(fw_name, site), "/static/linked.txt")
        assert (status, body) == (200, SECRET)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("fw_name", FRAMEWORKS)
def test_special_files_are_404_and_not_opened(tmp_path: Path, fw_name: str) -> None:
    site = make_site(tmp_path)
    fifo = site / "static" / "pipe.txt"
    os.mkfifo(fifo)
    # Hold the pipe open for writing: were it opened for reading, that would not hang.
    keep = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        with record_opens() as opened:
            status, _, _ = _request(build_app(fw_name, site), "/static/pipe.txt")
    finally:
        os.close(keep)
    assert status == 404
    assert str(fifo) not in opened


# --------------------------------------------------------------------------------------
# Names that exist inside the folder but are refused by erlen on every platform
# --------------------------------------------------------------------------------------

WINDOWS_UNSAFE_FILES = ["con.txt", "aux.js", "...", "a\\b.txt"]


@pytest.mark.skipif(os.name == "nt", reason="these names cannot be created on Windows")
@pytest.mark.parametrize("filename", WINDOWS_UNSAFE_FILES)
def test_windows_unsafe_names_are_404_on_every_platform(tmp_path: Path, filename: str) -> None:
    site = make_site(tmp_path)
    (site / "static" / filename).write_bytes(b"exists")
    url = "/static/" + filename.replace("\\", "%5c")
    flask_status, _, _ = _request(build_app("flask", site), url)
    erlen_status, _, _ = _request(build_app("erlen", site), url)
    # Werkzeug refuses these on Windows only; on this platform Flask serves the file.
    assert flask_status == 200
    assert erlen_status == 404


# --------------------------------------------------------------------------------------
# safe_join against werkzeug.security.safe_join
# --------------------------------------------------------------------------------------

SAME_AS_WERKZEUG: list[tuple[str, tuple[str, ...]]] = [
    ("static", ("hello.txt",)),
    ("static", ("sub/inner.txt",)),
    ("static", ("sub", "inner.txt")),
    ("static", ("sub/../hello.txt",)),
    ("static", ("./hello.txt",)),
    ("static", ("hello.txt/",)),
    ("static", ("a//b",)),
    ("static", ("",)),
    ("static", ("", "hello.txt")),
    ("static", ()),
    ("", ("hello.txt",)),
    ("", ("../x",)),
    ("/abs/static", ("x.css",)),
    ("static", ("..",)),
    ("static", ("../x",)),
    ("static", ("sub/../../x",)),
    ("static", ("/etc/passwd",)),
    ("static", ("//etc/passwd",)),
    ("static", ("ok", "../../x")),
    ("static", ("ok", "/x")),
    ("static", (".hidden",)),
    ("static", ("ünïcødé.txt",)),
    ("static", ("file:stream",)),
]


@pytest.mark.parametrize(("directory", "parts"), SAME_AS_WERKZEUG)
def test_safe_join_matches_werkzeug(directory: str, parts: tuple[str, ...]) -> None:
    assert safe_join(directory, *parts) == werkzeug_safe_join(directory, *parts)


# Refused by erlen everywhere; Werkzeug refuses them only on Windows (or not at all).
ERLEN_ONLY_REFUSALS = [
    "a\\b",
    "..\\x",
    "C:x",
    "C:/x",
    "x\x00",
    "CON",
    "sub/con.txt",
    "LPT¹",
    "CON:",
    "...",
    ".. ",
    "sub/. ./x",
]


@pytest.mark.parametrize("part", ERLEN_ONLY_REFUSALS)
def test_safe_join_refuses_windows_hazards_everywhere(part: str) -> None:
    assert safe_join("static", part) is None
    if os.name != "nt":
        assert werkzeug_safe_join("static", part) == posixpath.join("static", part)


def test_safe_join_accepts_names_that_merely_look_alike() -> None:
    for name in ("console.txt", "conn", "com10", "lpt", "nul_file", "a.b.c", ".x", "x.", "x.."):
        assert safe_join("static", name) == f"static/{name}"
