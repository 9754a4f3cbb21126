"""The PostgreSQL fixtures every database test shares (registered in tests/conftest.py).

``database_url`` runs a test twice, on SQLite (a file in ``tmp_path``) and on a real
PostgreSQL server that the session starts itself (:mod:`tests.db.pgcluster`), each
test in a schema of its own.  One server serves the whole session, whichever test
directories use it.  If it cannot be started the PostgreSQL runs are skipped with the
reason, and a warning says so in the summary: never silently.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import typing as t
import warnings

import pytest

from tests.db.pgcluster import PostgresCluster, PostgresUnavailable

BACKENDS = ["sqlite", "postgresql"]


class PostgresServer:
    """A running server with one database for the session; each test gets a schema.

    A test's URL puts its schema first on ``search_path`` (and names it as the
    connections' ``application_name``), so unqualified table names, Alembic's
    ``alembic_version`` and SQLAlchemy's inspector all stay inside the schema.
    Creating a schema takes milliseconds where ``CREATE DATABASE`` takes a checkpoint.
    """

    DATABASE = "erlen_test"

    def __init__(self, url_for_database: t.Callable[[str], str]) -> None:
        self._url_for = url_for_database
        self._names = itertools.count(1)
        import psycopg

        self.admin = psycopg.connect(self.libpq_url("postgres"), autocommit=True)
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.DATABASE}" WITH (FORCE)')
        self.admin.execute(f'CREATE DATABASE "{self.DATABASE}"')
        self.test_admin = psycopg.connect(self.libpq_url(self.DATABASE), autocommit=True)

    def url(self, database: str) -> str:
        """The SQLAlchemy URL (psycopg 3 driver) of *database*."""
        return self._url_for(database)

    def libpq_url(self, database: str) -> str:
        return self.url(database).replace("postgresql+psycopg://", "postgresql://", 1)

    def create_schema(self) -> tuple[str, str]:
        """A fresh schema and the URL whose connections use it."""
        name = f"t{os.getpid()}_{next(self._names)}"
        self.test_admin.execute(f'CREATE SCHEMA "{name}"')
        url = f"{self.url(self.DATABASE)}?options=-csearch_path%3D{name}&application_name={name}"
        return name, url

    def drop_schema(self, name: str) -> None:
        self.test_admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (name,),
        )
        self.test_admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    def close(self) -> None:
        self.test_admin.close()
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.DATABASE}" WITH (FORCE)')
        self.admin.close()


def _external_server(url: str) -> PostgresServer:
    base = url.rsplit("/", 1)[0]
    if base.startswith("postgresql://"):
        base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    return PostgresServer(lambda database: f"{base}/{database}")


@pytest.fixture(scope="session")
def postgres() -> t.Iterator[PostgresServer]:
    """The session's PostgreSQL server (started here unless ERLEN_TEST_POSTGRES_URL)."""
    external = os.environ.get("ERLEN_TEST_POSTGRES_URL")
    cluster: PostgresCluster | None = None
    try:
        if external:
            server = _external_server(external)
        else:
            cluster = PostgresCluster()
            cluster.start()
            server = PostgresServer(cluster.url)
    except (PostgresUnavailable, OSError, subprocess.SubprocessError, ImportError) as e:
        if cluster is not None:
            cluster.stop()
        message = (
            "PostgreSQL COULD NOT BE STARTED: every PostgreSQL run of tests/db is SKIPPED."
            f" Install it with scripts/ensure-postgres.sh. Cause: {e}"
        )
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    try:
        yield server
    finally:
        server.close()
        if cluster is not None:
            cluster.stop()


@pytest.fixture
def postgres_database(postgres: PostgresServer) -> t.Iterator[str]:
    """The URL of an empty PostgreSQL schema of this test's own, dropped afterwards."""
    name, url = postgres.create_schema()
    try:
        yield url
    finally:
        postgres.drop_schema(name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: t.Any) -> str:
    """A fresh database on each backend: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return t.cast(str, request.getfixturevalue("postgres_database"))
