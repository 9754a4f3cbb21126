"""The development server for real: ``erlen run`` in a subprocess answering HTTP (and
HTTPS) requests, the reloader restarting it after an edit; and, in-process, the
pieces the reloader is made of (file watching, finding the app again)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import click
import pytest

import erlen.serving
from erlen import Erlen
from erlen.cli import ScriptInfo
from erlen.serving import SourceWatcher, reference_from_script_info

# -- SourceWatcher --------------------------------------------------------------------------


def _bump(path, seconds=10):
    """Move a file's modification time forward (no sleeping needed)."""
    stat = os.stat(path)
    os.utime(path, (stat.st_atime, stat.st_mtime + seconds))


@pytest.fixture
def project(isolated_process):
    root = isolated_process / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "main.py").write_text("")
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "views.py").write_text("")
    (root / "pkg" / "notes.txt").write_text("")
    for hidden in (".git", "__pycache__", "node_modules"):
        (root / hidden).mkdir()
        (root / hidden / "ignored.py").write_text("")
    return root


def test_watcher_finds_python_files_on_sys_path(project, monkeypatch):
    monkeypatch.syspath_prepend(str(project))
    paths = SourceWatcher().paths()
    assert {str(project / "main.py"), str(project / "pkg" / "views.py")} <= paths
    assert str(project / "pkg" / "notes.txt") not in paths
    assert not any(part in path for path in paths for part in (".git", "__pycache__/ign"))
    assert str(project / "node_modules" / "ignored.py") not in paths


def test_watcher_watches_imported_modules_outside_python():
    paths = SourceWatcher().paths()
    assert os.path.abspath(erlen.serving.__file__) in paths
    assert os.path.abspath(os.__file__) not in paths  # the standard library is not watched


def test_watcher_reports_changes_once(project):
    watcher = SourceWatcher(extra_files=[str(project)])
    assert watcher.changed() == []  # first look: remembered only
    _bump(project / "pkg" / "views.py")
    assert watcher.changed() == [str(project / "pkg" / "views.py")]
    assert watcher.changed() == []
    (project / "pkg" / "new.py").write_text("")
    assert watcher.changed() == []  # a new file is remembered, not reported
    _bump(project / "pkg" / "new.py")
    assert watcher.changed() == [str(project / "pkg" / "new.py")]


def test_watcher_extra_files_and_exclude_patterns(project):
    notes = project / "pkg" / "notes.txt"
    watcher = SourceWatcher(extra_files=[str(notes), str(project)], exclude_patterns=["*/pkg/v*"])
    paths = watcher.paths()
    assert str(notes) in paths and str(project / "main.py") in paths
    assert str(project / "pkg" / "views.py") not in paths
    watcher.changed()
    _bump(notes)
    _bump(project / "pkg" / "views.py")
    assert watcher.changed() == [str(notes)]


def test_watcher_does_not_walk_deep_trees_without_python(isolated_process):
    deep = isolated_process / "home" / "docs" / "photos" / "2020"
    deep.mkdir(parents=True)
    (deep / "lost.py").write_text("")
    (isolated_process / "home" / "top.py").write_text("")
    paths = SourceWatcher(extra_files=[str(isolated_process / "home")]).paths()
    assert str(isolated_process / "home" / "top.py") in paths
    assert str(deep / "lost.py") not in paths


def test_watcher_ignores_files_that_vanish(project):
    watcher = SourceWatcher(extra_files=[str(project / "main.py")])
    watcher.changed()
    (project / "main.py").unlink()
    assert watcher.changed() == []


# -- finding the app again in the reloaded process --------------------------------------------


def _factory_with(monkeypatch, spec):
    monkeypatch.setenv("ERLEN_RELOAD_SPEC", json.dumps(spec))
    return erlen.serving._reload_factory()


def test_reload_factory_imports_the_app(apps, monkeypatch):
    spec = {"app": str(apps / "cliapp_hello.py"), "debug": True, "interface": "asgi3"}
    target = _factory_with(monkeypatch, spec)
    app = sys.modules["cliapp_hello"].app
    assert target is app.asgi and app.debug is True
    app.debug = False
    spec["interface"] = "wsgi"
    assert _factory_with(monkeypatch, spec) is app


def test_reload_factory_calls_a_factory_reference(apps, monkeypatch):
    spec = {"factory": f"{apps / 'cliapp_factory.py'}:create_app", "debug": False}
    target = _factory_with(monkeypatch, {**spec, "interface": "wsgi"})
    assert isinstance(target, Erlen) and target.config["MADE_BY"] == "create_app"


def test_reload_factory_serves_the_import_error(apps, monkeypatch, capsys):
    spec = {"app": str(apps / "cliapp_factory_typeerror.py"), "debug": True, "interface": "wsgi"}
    wsgi_app = _factory_with(monkeypatch, spec)
    assert "TypeError" in capsys.readouterr().err
    with pytest.raises(TypeError):
        wsgi_app({}, None)
    asgi_app = _factory_with(monkeypatch, {**spec, "interface": "asgi3"})
    import asyncio

    with pytest.raises(TypeError):
        asyncio.run(asgi_app({"type": "http"}, None, None))


def test_reference_from_script_info(apps):
    assert reference_from_script_info(ScriptInfo("hello:app")) == {"app": "hello:app"}
    sys.path.insert(0, str(apps))
    import cliapp_factory

    info = ScriptInfo(create_app=cliapp_factory.create_app)
    assert reference_from_script_info(info) == {"factory": "cliapp_factory:create_app"}
    with pytest.raises(click.UsageError, match="define it at module level, or run with"):
        reference_from_script_info(ScriptInfo(create_app=lambda: None))


def test_reference_from_app(apps, monkeypatch):
    reference = erlen.serving._reference_from_app
    sys.path.insert(0, str(apps))
    import cliapp_factory
    import cliapp_single

    assert reference(cliapp_single.web) == {"app": "cliapp_single:web"}
    # Not bound to a name (made by a factory): discovery finds the factory again.
    assert reference(cliapp_factory.create_app()) == {"app": "cliapp_factory"}
    # Created in a script run as __main__: the script's path.
    script = type(sys)("__main__")
    script.__file__ = str(apps / "cliapp_single.py")
    script.app = app = Erlen("__main__")
    monkeypatch.setitem(sys.modules, "__main__", script)
    assert reference(app) == {"app": f"{apps / 'cliapp_single.py'}:app"}
    del script.__file__
    with pytest.raises(RuntimeError, match="interactive session"):
        reference(app)
    monkeypatch.delitem(sys.modules, "__main__")
    with pytest.raises(RuntimeError, match="Pass use_reloader=False"):
        reference(Erlen("cliapp_nowhere_to_be_found"))


# -- real servers ------------------------------------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``python -m erlen ... run`` in a subprocess, stopped with SIGINT."""

    def __init__(self, args, cwd, scheme="http"):
        self.port = _free_port()
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "erlen", *args, "--port", str(self.port)],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def get(self, path="/", context=None, deadline=60.0):
        """The body at ``path``, retrying until the server answers."""
        give_up = time.monotonic() + deadline
        while True:
            try:
                with urllib.request.urlopen(self.url + path, timeout=5, context=context) as r:
                    return r.read().decode()
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None:
                    pytest.fail(f"the server exited:\n{self.process.stdout.read()}")
                if time.monotonic() > give_up:
                    self.stop()
                    pytest.fail(f"no answer from {self.url}:\n{self.process.stdout.read()}")
                time.sleep(0.1)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.process.returncode, self.process.stdout.read()


def test_erlen_run_serves_http(apps, isolated_process):
    server = Server(["--app", str(apps / "cliapp_hello.py"), "run"], cwd=isolated_process)
    try:
        assert server.get("/") == "hello from erlen"
        assert server.get("/debug") == "debug=False"
    finally:
        returncode, output = server.stop()
    assert returncode == 0, output
    assert " * Serving Erlen app" in output and " * Debug mode: off" in output
    assert f" * Running on http://127.0.0.1:{server.port}" in output
    assert "WARNING: This is a development server." in output


def test_reloader_restarts_after_an_edit(apps, isolated_process):
    source = isolated_process / "cliapp_edited.py"
    shutil.copy(apps / "cliapp_hello.py", source)
    server = Server(["--app", "cliapp_edited.py", "--debug", "run"], cwd=isolated_process)
    try:
        assert server.get("/debug") == "debug=True"
        assert server.get("/") == "hello from erlen"
        source.write_text(source.read_text().replace("hello from erlen", "edited"))
        _bump(source)
        give_up = time.monotonic() + 60
        while server.get("/") != "edited":
            assert time.monotonic() < give_up, "the reloader did not pick up the edit"
            time.sleep(0.2)
        assert server.get("/debug") == "debug=True"
    finally:
        returncode, output = server.stop()
    assert returncode == 0, output
    # The reloader names what changed (one or more files, in one or more batches).
    assert re.search(r"detected changes in [^\n]*'cliapp_edited\.py'[^\n]*\. Reloading", output), (
        output
    )


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_erlen_run_serves_https(apps, isolated_process):
    cert, key = isolated_process / "cert.pem", isolated_process / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    args = ["--app", str(apps / "cliapp_hello.py"), "run", "--cert", str(cert), "--key", str(key)]
    server = Server(args, cwd=isolated_process, scheme="https")
    context = ssl.create_default_context(cafile=str(cert))
    context.check_hostname = False
    try:
        assert server.get("/", context=context) == "hello from erlen"
    finally:
        returncode, output = server.stop()
    assert returncode == 0, output
    assert f" * Running on https://127.0.0.1:{server.port}" in output
