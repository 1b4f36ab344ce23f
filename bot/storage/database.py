"""The database handle: an async SQLAlchemy engine, sessions, and schema migrations through Alembic."""

from __future__ import annotations

import collections
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, exc, text
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_cursor
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bot.delivery.wakeup import Wakeups, channel_name
from bot.storage.turns import BACKGROUND, FOREGROUND, ForegroundFirst, PriorityTurns

T = TypeVar("T")
# What asyncpg raises when the server went away under a statement (SQLAlchemy's own statements raise DBAPIError).
LOST_CONNECTION = (asyncpg.exceptions.ConnectionDoesNotExistError, asyncpg.exceptions.InterfaceError, ConnectionError)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
IDLE_BEFORE_PING = 10.0  # seconds a PostgreSQL connection may rest in the pool before it is checked on checkout


@dataclass(frozen=True)
class PoolSettings:
    """Connections to PostgreSQL (settings `DATABASE_POOL_*`); on SQLite only `timeout` applies (its busy wait)."""

    size: int = 10
    max_overflow: int = 10
    timeout: float = 30.0  # seconds to wait for a free connection
    connect_timeout: float = 10.0
    command_timeout: float = 60.0


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class Database:
    def __init__(self, url: str, pool: PoolSettings | None = None):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        pool = pool or PoolSettings()
        if self.is_sqlite:
            options: dict = {"connect_args": {"timeout": pool.timeout}}
        else:
            options = {
                "pool_size": pool.size,
                "max_overflow": pool.max_overflow,
                "pool_timeout": pool.timeout,
                "connect_args": {"timeout": pool.connect_timeout, "command_timeout": pool.command_timeout},
            }
        self.engine = create_async_engine(url, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            _ping_after_rest(self.engine.sync_engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.wakeups = Wakeups()
        # SQLite has one writer at a time; taking turns here is cheaper than its busy-wait and never deadlocks.
        # PostgreSQL runs transactions side by side: background ones only wait for people's (bot.storage.turns).
        self._turns = PriorityTurns() if self.is_sqlite else ForegroundFirst()

    @contextlib.asynccontextmanager
    async def transaction(self, background: bool = False) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed when the block ends, rolled back on an exception.

        Work queued in it (`bot.delivery.wakeup.wake_after_commit`) wakes the workers once it commits. A
        `background` transaction (bulk sending, timers) gives way to people's (`bot.storage.turns`).
        """
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(self._turns.turn(BACKGROUND if background else FOREGROUND))
            session = await stack.enter_async_context(self.sessions())
            try:
                async with session.begin():
                    yield session
                    topics = session.info.pop("wake", ())
                    notified = session.info.pop("notified", ())
                    if topics and not self.is_sqlite:
                        notify = (await self.driver(session)).asyncpg.execute
                        for topic in topics.difference(notified):
                            await notify(f"NOTIFY {channel_name(topic)}")
            except Exception as error:
                if self._lost_on_the_driver(error):
                    # SQLAlchemy did not see it: the pool is renewed as it would have been after a disconnect,
                    # so the next transaction has a fresh connection.
                    await self.engine.dispose(close=False)
                raise
        self.wakeups.set(topics)

    def _lost_on_the_driver(self, error: Exception) -> bool:
        """The connection was lost under a statement run on the driver (`Driver`), or while beginning its
        transaction there."""
        if self.is_sqlite or isinstance(error, exc.DBAPIError):  # SQLAlchemy's own statements: handled by it
            return False
        return isinstance(error, LOST_CONNECTION) or self.engine.dialect.is_disconnect(error, None, None)

    async def upgrade(self, revision: str = "heads") -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(_run_alembic, self.url, "upgrade", revision)

    async def downgrade(self, revision: str) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(_run_alembic, self.url, "downgrade", revision)

    async def current_revisions(self) -> tuple[str, ...]:
        async with self.engine.connect() as connection:
            return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_heads())

    def newest_revisions(self) -> tuple[str, ...]:
        return tuple(ScriptDirectory.from_config(alembic_config(self.url)).get_heads())

    async def driver(self, session: AsyncSession) -> Driver:
        """The driver's own connection under the session's transaction (see `Driver`)."""
        raw = await (await session.connection()).get_raw_connection()
        if self.is_sqlite:
            return Driver(raw.driver_connection, None, session.bind.dialect)
        adapted = raw.dbapi_connection
        if adapted._transaction is None:  # SQLAlchemy's asyncpg adapter begins at its first statement
            await adapted._start_transaction()
        return Driver(None, raw.driver_connection, session.bind.dialect)

    @property
    def dsn(self) -> str:
        """The URL as a plain PostgreSQL DSN, for a raw asyncpg connection (LISTEN)."""
        return self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def refresh_statistics(session: AsyncSession, *tables: type) -> None:
    """After a bulk load (thousands of rows at once): PostgreSQL's planner statistics of these tables now,
    not when autovacuum gets to them (never, where it is off). Without them a broadcast's audience query read
    all 55,000 people of a region and sorted them for every chunk of 200 (60 ms instead of 0.5 ms, beside the
    answers of people chatting). SQLite's planner goes by its indexes without statistics: nothing to do there."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("ANALYZE " + ", ".join(table.__tablename__ for table in tables)))


def notified_in_transaction(session: AsyncSession, topic: str) -> None:
    """A statement of the transaction ran `pg_notify` for `topic` already: no NOTIFY of its own at the end."""
    session.info.setdefault("notified", set()).add(topic)


class Driver:
    """The database driver's own connection inside a session's transaction, for the engine's few fixed
    statements at every update (the inbox row, the person, their state).

    Through SQLAlchemy each statement costs a few hundred µs of CPU (the session, compilation cache look-ups,
    parameter and result processing, and on SQLite 3–4 hand-offs to aiosqlite's thread and back); straight on
    the driver: asyncpg's prepared statements, and on SQLite a plain function run in aiosqlite's thread, several
    statements in one hand-off. The transaction stays the session's: committed or rolled back with it, and
    what is written here is seen by the session's own queries after it.
    """

    def __init__(self, sqlite: Any, asyncpg: Any, dialect: Any):
        self.sqlite = sqlite  # aiosqlite.Connection, or None
        self.asyncpg = asyncpg  # asyncpg.Connection, or None
        self.dialect = dialect

    async def in_sqlite_thread(self, function: Callable[..., T], *args: Any) -> T:
        """Runs `function(sqlite3_connection, *args)` in aiosqlite's thread: one hand-off for all it does.
        (aiosqlite's own queue, as SQLAlchemy's adapter uses it too.)"""
        return await self.sqlite._execute(function, self.sqlite._conn, *args)


def _run_alembic(sync_connection, url: str, action: str, revision: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = sync_connection
    getattr(command, action)(config, revision)


def _ping_after_rest(engine) -> None:
    """A connection that rested in the pool is checked before use, so one dropped while the database restarted
    is replaced, not used. A busy connection is not (SQLAlchemy's `pool_pre_ping` checks every checkout: a round
    trip per transaction); if the database goes away while connections are busy, the first statement that fails
    marks the whole pool stale, and that transaction fails as it would have mid-way."""

    @event.listens_for(engine, "checkin")
    def rested_from(_dbapi_connection, record) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def check_after_rest(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("checked_in", float("inf")) < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError(f"connection lost while idle: {error}") from error  # the pool reconnects


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
    dbapi_connection.__class__ = _OneHandOffConnection


class _OneHandOffCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor makes four hand-offs to aiosqlite's thread per statement (cursor, execute,
    fetch, close; 28 µs of CPU each and the waits between): this one makes one, running all four there."""

    __slots__ = ("_result",)

    def __init__(self, adapt_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None
        self._soft_closed_memoized = {}
        self._rows = collections.deque()
        self._result = (None, -1, None)

    @property
    def description(self):
        return self._result[0]

    @property
    def rowcount(self) -> int:
        return self._result[1]

    @property
    def lastrowid(self):
        return self._result[2]

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation, parameters):
        async with self._adapt_connection._execute_mutex:
            description, rowcount, lastrowid, rows = await self._connection._execute(
                _in_one_go, self._connection._conn, "execute", operation, () if parameters is None else parameters
            )
        self._result = (description, rowcount, lastrowid)
        self._rows = collections.deque(rows or ())

    async def _executemany_async(self, operation, seq_of_parameters):
        async with self._adapt_connection._execute_mutex:
            description, rowcount, lastrowid, rows = await self._connection._execute(
                _in_one_go, self._connection._conn, "executemany", operation, seq_of_parameters
            )
        self._result = (description, rowcount, lastrowid)
        self._rows = collections.deque(rows or ())


def _in_one_go(connection: sqlite3.Connection, method: str, operation: str, parameters) -> tuple:
    cursor = connection.cursor()
    try:
        getattr(cursor, method)(operation, parameters)
        rows = cursor.fetchall() if cursor.description else None
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class _OneHandOffConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _OneHandOffCursor
