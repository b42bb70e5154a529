"""Where the data lives: one Database per URL, migrated to the newest schema on first use.

The URL comes from, in order: the caller, env HIPCHECK_DATABASE_URL, else an SQLite file
`hipcheck.db` in HIPCHECK_HOME (default: the user data directory).
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import platformdirs
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from ..errors import HipcheckError, InputError

ENV_DATABASE_URL = "HIPCHECK_DATABASE_URL"
ENV_HOME = "HIPCHECK_HOME"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# How long a writer waits for another process's write to finish before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 10
# Any fixed number: serialises concurrent first-time migrations on one PostgreSQL database.
_PG_MIGRATION_LOCK = 4_471_326_001

_POSTGRES_DRIVERS = {"postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2"}


def hipcheck_home() -> Path:
    """The folder for hipcheck's own files (created when missing)."""
    home = Path(os.environ.get(ENV_HOME) or platformdirs.user_data_dir("hipcheck")).expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HipcheckError(f"cannot create the hipcheck folder {home} ({exc.strerror}): "
                            f"set {ENV_HOME} to a folder you can write to") from exc
    return home


def resolve_url(url: str | None = None) -> URL:
    """The database URL to use, normalised: PostgreSQL always through psycopg 3."""
    raw = url or os.environ.get(ENV_DATABASE_URL)
    origin = "database URL" if url else ENV_DATABASE_URL
    if not raw:
        return make_url(f"sqlite:///{hipcheck_home() / 'hipcheck.db'}")
    try:
        parsed = make_url(raw.strip())
    except ArgumentError as exc:
        raise InputError(f"{origin} {raw!r} is not a database URL: use sqlite:///path/to/file.db "
                         "or postgresql://user@host:5432/dbname") from exc
    if parsed.drivername in _POSTGRES_DRIVERS:
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return parsed
    raise InputError(f"{origin} {mask(parsed)!r} uses '{parsed.drivername}': hipcheck supports only "
                     "SQLite (sqlite:///path/to/file.db) and PostgreSQL (postgresql://user@host/dbname)")


def mask(url: URL) -> str:
    """The URL as text with any password replaced by ***."""
    return url.render_as_string(hide_password=True)


class Database:
    """One database: an Engine, the schema migrations, and transactional sessions.

    Use `get_database()` rather than constructing one, so each URL has a single engine per process.
    """

    def __init__(self, url: str | URL):
        self.url = url if isinstance(url, URL) else resolve_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = _make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._ready = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Database({mask(self.url)!r})"

    # -- schema ---------------------------------------------------------------------------------
    def upgrade(self, revision: str = "head") -> None:
        """Migrate the schema up to `revision` (default: the newest)."""
        self._migrate("upgrade", revision)
        self._ready = revision == "head"

    def downgrade(self, revision: str = "base") -> None:
        """Migrate the schema down to `revision` (default: empty). Deletes data; for tests and repairs."""
        self._migrate("downgrade", revision)
        self._ready = False

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self._connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @staticmethod
    def head_revision() -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(_alembic_config()).get_current_head()

    def ensure_ready(self) -> None:
        """Migrate to the newest schema once per process (cheap when already there)."""
        if self._ready:
            return
        with self._lock:
            if not self._ready:
                current, head = self.current_revision(), self.head_revision()
                if current != head:
                    if current is not None and not _known_revision(current):
                        raise HipcheckError(f"database {mask(self.url)} has schema revision {current}, "
                                            "written by a newer hipcheck: upgrade hipcheck to use it")
                    self.upgrade()
                self._ready = True

    # -- sessions -------------------------------------------------------------------------------
    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises.

        `write=True` for a transaction that reads and then writes. On SQLite it starts with BEGIN
        IMMEDIATE, so a concurrent writer in another connection or process makes it wait (up to the
        busy timeout) rather than fail half-way; readers are never blocked. No effect on PostgreSQL."""
        self.ensure_ready()
        session = self._sessions()
        try:
            if write and self.is_sqlite:
                session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE"})
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            explained = self._explain(exc, connecting=False) if isinstance(exc, OperationalError) else None
            if explained is not None:
                raise explained from exc
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection (the Database stays usable and reconnects on demand)."""
        self.engine.dispose()

    # -- internals ------------------------------------------------------------------------------
    def _migrate(self, direction: str, revision: str) -> None:
        from alembic import command

        cfg = _alembic_config()
        engine = self._migration_engine()
        try:
            with self._connect(engine) as conn:
                cfg.attributes["connection"] = conn
                getattr(command, direction)(cfg, revision)
                if self.is_sqlite:
                    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if bad:
                        raise HipcheckError(f"database {mask(self.url)}: migration left {len(bad)} rows "
                                            f"with broken references (first: {tuple(bad[0])})")
        finally:
            if engine is not self.engine:
                engine.dispose()

    def _migration_engine(self) -> Engine:
        if not self.is_sqlite or self.url.database in (None, "", ":memory:"):
            return self.engine  # PostgreSQL; or in-memory SQLite, where a new engine means a new database
        # SQLite migrations rebuild tables (copy, drop, rename); with foreign keys on, dropping the old
        # table would cascade-delete child rows. Migrate with them off, then check integrity.
        # BEGIN IMMEDIATE: a second process starting at the same time waits, then finds the work done.
        return _make_engine(self.url, foreign_keys=False, begin="BEGIN IMMEDIATE", poolclass=NullPool)

    @contextmanager
    def _connect(self, engine: Engine | None = None) -> Iterator[Connection]:
        try:
            conn = (engine or self.engine).connect()
        except DBAPIError as exc:
            raise self._explain(exc) from exc
        with conn:
            yield conn

    def _explain(self, exc: DBAPIError, connecting: bool = True) -> HipcheckError | None:
        """A one-line user error for a database that cannot be reached or is busy; None for other errors."""
        reason = " ".join(str(exc.orig).split()) if exc.orig is not None else str(exc)
        reason = reason.split(" Is the server running")[0]
        where = mask(self.url)
        if self.is_sqlite:
            if "locked" in reason or "busy" in reason:
                return HipcheckError(f"database {where} is busy ({reason}): another hipcheck is writing "
                                     "to it; try again when it has finished")
            if connecting or "unable to open" in reason or "readonly" in reason:
                return HipcheckError(f"cannot open the database {where} ({reason}): check that the folder "
                                     f"exists and is writable, or set {ENV_HOME} / {ENV_DATABASE_URL}")
            return None
        if connecting or exc.connection_invalidated or reason.startswith("connection"):
            return HipcheckError(f"cannot connect to the database {where} ({reason}): check that the "
                                 "PostgreSQL server is running and reachable, and that the user, password, "
                                 f"host, port and database name in {ENV_DATABASE_URL} are right")
        return None


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(_alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _make_engine(url: URL, foreign_keys: bool = True, begin: str = "BEGIN", **kwargs) -> Engine:
    if url.get_backend_name() != "sqlite":
        connect_args = {} if "connect_timeout" in url.query else {"connect_timeout": PG_CONNECT_TIMEOUT_S}
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)

    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Take over transaction control from the sqlite3 module (it would not BEGIN before reads or
        # DDL, which breaks SAVEPOINT); the "begin" listener below emits BEGIN instead.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cur.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL: still atomic and corruption-safe, but no fsync per commit (the load importer
        # commits once per file; FULL made 3,000 files spend most of their time in fsync).
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # a write session asks for BEGIN IMMEDIATE: it takes the write lock before its first read, so
        # it waits for another writer instead of failing with "database is locked" when it upgrades
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", begin))

    return engine


_databases: dict[str, Database] = {}
_databases_lock = threading.Lock()


def get_database(url: str | None = None) -> Database:
    """The Database for `url` (or HIPCHECK_DATABASE_URL, or the SQLite file in HIPCHECK_HOME)."""
    resolved = resolve_url(url)
    key = resolved.render_as_string(hide_password=False)
    with _databases_lock:
        db = _databases.get(key)
        if db is None:
            db = _databases[key] = Database(resolved)
        return db


def forget_database(url: str | None = None) -> None:
    """Dispose of the cached Database for `url` and drop it from the cache (tests, dropped databases)."""
    key = resolve_url(url).render_as_string(hide_password=False)
    with _databases_lock:
        db = _databases.pop(key, None)
    if db is not None:
        db.dispose()


def forget_all_databases() -> None:
    """Dispose of every cached Database."""
    with _databases_lock:
        dbs = list(_databases.values())
        _databases.clear()
    for db in dbs:
        db.dispose()


__all__ = ["Database", "get_database", "forget_database", "forget_all_databases", "hipcheck_home",
           "resolve_url", "mask"]
