"""Dagster's SQLite event log, with its database connections kept open instead of opened per event.

Dagster's own ``SqliteEventLogStorage`` creates a SQLAlchemy engine, opens the file, and disposes of both for
every read and every write: a run of the whole warehouse stores ~1,300 events (a dbt model's materialization, a
dbt test's check result, each step's start and end), most of them written to two files (the run's and the
index), so a month's `cpt run` opened ~4,200 SQLite connections, about 4 ms each. This subclass keeps an engine
(and its connection pool) per database file for the most recently used files, and is otherwise Dagster's: the
same files, the same schema and migrations, the same locking (WAL; a busy file waits), so the webserver, the
daemon and a storage configured the default way read what it writes.

``cpt`` and ``make ui`` name it in the ``dagster.yaml`` they write into a new DAGSTER_HOME
(``orchestration/housekeeping.py``).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

# A run writes to its own file and the index; the webserver reads a few runs at once. Engines beyond these are
# disposed of (their connections closed), oldest first, so a long-lived process never holds every run's file.
KEPT_ENGINES = 8


def _without_flush_per_commit(dbapi_connection: Any, _record: Any) -> None:
    # In WAL mode, NORMAL syncs at checkpoints, not at every commit: a killed process loses nothing; only a power
    # loss may lose the last events (run history, never the warehouse's data).
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class KeptConnectionsSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` whose engines (one per database file, with their pooled connections) are kept
    for the ``KEPT_ENGINES`` most recently used files."""

    def __init__(self, base_dir: str, inst_data: Any = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        # Reentrant, and in place before Dagster's __init__ first connects (it sets up a new index there):
        # Dagster asks has_table while it holds a connection (the lock) of its own.
        self._reentrant_lock = threading.RLock()
        super().__init__(base_dir, inst_data)

    @property  # type: ignore[override]
    def _db_lock(self) -> threading.RLock:
        return self._reentrant_lock

    @_db_lock.setter
    def _db_lock(self, _plain_lock: Any) -> None:
        pass  # Dagster's __init__ assigns a plain Lock here: the reentrant one stays

    @classmethod
    def config_type(cls) -> dict:
        return {"base_dir": dg.Field(dg.StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> KeptConnectionsSqliteEventLogStorage:
        base_dir = config_value.get("base_dir")
        if not base_dir:
            home = os.environ.get("DAGSTER_HOME")
            if not home:
                raise dg.DagsterInvariantViolationError(
                    f"{cls.__name__} needs DAGSTER_HOME (or a base_dir in dagster.yaml) to find the event log"
                )
            # Where Dagster keeps the event log by default: a DAGSTER_HOME reads the same with or without this class.
            base_dir = os.path.join(home, "history", "runs", "")
        return cls(base_dir=base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            # A file database gets SQLAlchemy's QueuePool (connections reused, usable from any thread).
            engine = create_engine(
                self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
            )
            event.listen(engine, "connect", _without_flush_per_commit)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine  # most recently used last
        while len(self._engines) > KEPT_ENGINES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def has_table(self, table_name: str) -> bool:
        with self.index_connection() as conn:
            return bool(conn.dialect.has_table(conn, table_name))

    def _dispose_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._dispose_engines()  # the files are deleted: no connection may outlive them
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()
