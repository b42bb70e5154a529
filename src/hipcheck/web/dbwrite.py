"""Writes from web requests: one at a time within the server process, retried when SQLite says "busy".

On SQLite (WAL), readers never block, but a transaction that reads and then writes fails at once with
"database is locked" when another connection committed in between (SQLITE_BUSY_SNAPSHOT), and writers
that do wait are woken by SQLite's sleep-based busy handler, which adds tens of milliseconds. Taking a
Python lock around each write from the request threads removes both within this process; the retry
covers the rare overlap with the job worker's process. A transaction that failed this way was rolled
back whole, so running the call again is safe. On PostgreSQL the lock only costs a little concurrency
between writes, which are short. Services that read and then write also open their transactions with
`Database.session(write=True)` (BEGIN IMMEDIATE on SQLite), which covers the CLI and the job worker too.
"""
from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from ..errors import HipcheckError

T = TypeVar("T")
ATTEMPTS = 5
_LOCK = threading.RLock()  # re-entrant: a write may call another service that writes


def is_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked/busy" (raised as a HipcheckError by the store, or raw)."""
    cause = exc if isinstance(exc, OperationalError) else exc.__cause__
    text = str(getattr(cause, "orig", cause) or "")
    return isinstance(cause, OperationalError) and ("locked" in text or "busy" in text)


def write(fn: Callable[..., T], *args, **kwargs) -> T:
    """Run `fn` (a service call that writes) under the write lock, retrying while the database is busy."""
    for attempt in range(1, ATTEMPTS + 1):
        with _LOCK:
            try:
                return fn(*args, **kwargs)
            except (HipcheckError, OperationalError) as exc:
                if attempt == ATTEMPTS or not is_busy(exc):
                    raise
        time.sleep(0.02 * attempt + random.random() * 0.03)
    raise AssertionError("unreachable")
