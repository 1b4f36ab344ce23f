"""The database handle: an async SQLAlchemy engine, sessions, and schema migrations through Alembic."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class Database:
    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        connect_args = {"timeout": 30} if self.is_sqlite else {}
        self.engine = create_async_engine(url, connect_args=connect_args)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time; taking turns here is cheaper than its busy-wait and never deadlocks.
        self._sqlite_turn = asyncio.Lock() if self.is_sqlite else None

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed when the block ends, rolled back on an exception."""
        async with contextlib.AsyncExitStack() as stack:
            if self._sqlite_turn is not None:
                await stack.enter_async_context(self._sqlite_turn)
            session = await stack.enter_async_context(self.sessions())
            await stack.enter_async_context(session.begin())
            yield session

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

    async def dispose(self) -> None:
        await self.engine.dispose()


def _run_alembic(sync_connection, url: str, action: str, revision: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = sync_connection
    getattr(command, action)(config, revision)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
