"""Shared fixtures. Every test runs with its own HIPCHECK_HOME so no real user data is touched."""
from __future__ import annotations

import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def hipcheck_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "hipcheck-home"
    monkeypatch.setenv("HIPCHECK_HOME", str(home))
    monkeypatch.delenv("HIPCHECK_DATABASE_URL", raising=False)
    return home


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys):
    """Run `hipcheck ARGS...` in-process and return its exit code and output."""
    from hipcheck.cli import main

    def _run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return _run


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared material not found at {SHARED}")
    return SHARED


# -- databases ------------------------------------------------------------------------------------------
# Store tests run against a real SQLite file and a real PostgreSQL server. Each PostgreSQL test gets its
# own freshly created database, dropped afterwards.
PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(autouse=True)
def _close_databases():
    """Close the engines a test opened (each test has its own database, so nothing is reused)."""
    yield
    store_db = sys.modules.get("hipcheck.store.db")
    if store_db is not None:
        store_db.forget_all_databases()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_server_url():
    """The PostgreSQL server for tests; skipped when it does not answer, except in CI where that fails."""
    import psycopg
    from hipcheck.store.db import mask, resolve_url

    url = resolve_url(os.environ.get("HIPCHECK_TEST_PG_URL") or PG_DEFAULT_URL)
    try:
        psycopg.connect(_libpq(url), connect_timeout=3, autocommit=True).close()
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        msg = (f"PostgreSQL at {mask(url)} does not answer ({reason}): start it (`bash .ci/run` does) "
               "or point HIPCHECK_TEST_PG_URL at a server")
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"CI is set, so PostgreSQL tests may not be skipped: {msg}")
        pytest.skip(msg)
    return url


@pytest.fixture
def pg_url(pg_server_url) -> str:
    """A fresh, uniquely named, empty PostgreSQL database; dropped after the test."""
    import psycopg
    from hipcheck.store.db import forget_database

    name = f"hipcheck_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_libpq(pg_server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_server_url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        forget_database(url)
        with psycopg.connect(_libpq(pg_server_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def database(db_url):
    """A migrated Database on each backend."""
    from hipcheck.store import get_database

    db = get_database(db_url)
    db.upgrade()
    return db
