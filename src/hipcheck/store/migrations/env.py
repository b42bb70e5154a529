"""Alembic environment. hipcheck passes its own connection in `config.attributes["connection"]`
(see store/db.py); run from the `alembic` command line (store/alembic.ini) it connects to the URL
hipcheck would use (HIPCHECK_DATABASE_URL or the SQLite file in HIPCHECK_HOME)."""
from __future__ import annotations

from alembic import context
from sqlalchemy import text

from hipcheck.store.db import _PG_MIGRATION_LOCK, get_database
from hipcheck.store import web_models  # noqa: F401  (registers the web tables on Base.metadata)
from hipcheck.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two processes starting on a fresh database must not both create the tables.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        context.run_migrations()


def run_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or str(get_database().url)
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
    else:
        url = config.get_main_option("sqlalchemy.url") or None
        with get_database(url).engine.connect() as conn:
            run_migrations(conn)
            conn.commit()
