"""A throwaway PostgreSQL server for the db tests.

``initdb`` into a temporary directory, ``pg_ctl start`` on a free loopback port with
its unix socket in that directory, and remove everything afterwards.  PostgreSQL
refuses to run as root, so as root the server runs as the ``postgres`` user Debian's
package creates (or an ``erlen-pg`` system user made for the purpose).  Speed over
durability: ``fsync`` and friends are off.

Set ``ERLEN_TEST_POSTGRES_URL`` to use an existing server instead (the tests create
and drop their own databases on it).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

__all__ = ["PostgresCluster", "PostgresUnavailable", "find_pg_bin"]

SUPERUSER = "erlen"
_FALLBACK_OS_USER = "erlen-pg"


class PostgresUnavailable(RuntimeError):
    """The server could not be found or started; the message says why."""


def find_pg_bin() -> str:
    """The directory holding ``initdb`` and ``pg_ctl``."""
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(os.path.realpath(initdb))
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(path.split("/")[4]) if path.split("/")[4].isdigit() else 0,
    )
    if candidates:
        return os.path.dirname(candidates[-1])
    raise PostgresUnavailable(
        "initdb was not found (PATH or /usr/lib/postgresql/*/bin). Install the server:"
        " scripts/ensure-postgres.sh (apt-get install -y postgresql)."
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> str | None:
    """The OS user to run the server as, or ``None`` to run as ourselves (not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", _FALLBACK_OS_USER):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/bin/false", _FALLBACK_OS_USER],
        check=True,
        capture_output=True,
    )
    return _FALLBACK_OS_USER


class PostgresCluster:
    """One running server; :meth:`start` and :meth:`stop` it, :attr:`url` to use it."""

    def __init__(self) -> None:
        self.bin = find_pg_bin()
        self.user = _server_user()
        self.root = tempfile.mkdtemp(prefix="erlen-pg-", dir="/tmp" if self.user else None)
        self.data = os.path.join(self.root, "data")
        self.log = os.path.join(self.root, "server.log")
        self.port = 0
        if self.user:
            record = pwd.getpwnam(self.user)
            os.chown(self.root, record.pw_uid, record.pw_gid)

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [os.path.join(self.bin, args[0]), *args[1:]]
        if self.user:
            runuser = shutil.which("runuser")
            if runuser:
                command = [runuser, "-u", self.user, "--", *command]
            else:
                quoted = " ".join(f"'{part}'" for part in command)
                command = ["su", self.user, "-s", "/bin/sh", "-c", quoted]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)

    def start(self) -> None:
        result = self._run(
            "initdb", "-D", self.data, "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-sync"
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        last_error = ""
        for _attempt in range(3):
            self.port = _free_port()
            options = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                " -c max_connections=200"
            )
            result = self._run(
                "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "30", "-o", options, "start"
            )
            if result.returncode == 0:
                return
            last_error = result.stdout + result.stderr + self._log_tail()
            time.sleep(0.2)
        raise PostgresUnavailable(f"pg_ctl start failed:\n{last_error}")

    def _log_tail(self) -> str:
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            if os.path.isdir(self.data):
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
