"""Shared fixtures. Every database test runs twice: on a SQLite file and on the machine's PostgreSQL.

PostgreSQL is reached at POSTGRES_URL (default: postgres@127.0.0.1:5432/test); each run creates a
database of its own there and drops it at the end. When PostgreSQL cannot be reached its tests are
skipped, unless JOLDAS_REQUIRE_POSTGRES=1 (CI sets it), which makes that a failure.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg
import pytest
from sqlalchemy import text

from bot.app import load_places
from bot.clock import ManualClock
from bot.engine import Engine
from bot.storage.database import Database
from bot.storage.models import Base
from handlers import build_router
from tests.people import Person

POSTGRES_URL = os.environ.get("POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("JOLDAS_REQUIRE_POSTGRES") == "1"


def _plain_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _create_database(name: str) -> None:
    connection = await asyncpg.connect(_plain_dsn(POSTGRES_URL), timeout=5)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _drop_database(name: str) -> None:
    connection = await asyncpg.connect(_plain_dsn(POSTGRES_URL), timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh, migrated PostgreSQL database for this test run."""
    name = f"joldas_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_create_database(name))
    except (OSError, asyncpg.PostgresError) as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (JOLDAS_REQUIRE_POSTGRES=1) but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}: {error}")
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"

    async def migrate() -> None:
        database = Database(url)
        await database.upgrade()
        await database.dispose()

    asyncio.run(migrate())
    yield url
    asyncio.run(_drop_database(name))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'joldas.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def database(database_url):
    """A migrated database, empty but for the places."""
    database = Database(database_url)
    if database.is_sqlite:
        await database.upgrade()
    else:
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await load_places(database)  # every fresh database has the places of content/places/, as the bot's have
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    """The time conversation tests run at, so dates and the year's quota do not depend on the day they run:
    Sunday 1 March 2026, 11:00 in Almaty. A test moves it with `clock.set(...)` or `clock.advance(...)`."""
    return ManualClock("2026-03-01T06:00:00+00:00")


@pytest.fixture
def engine(database, clock) -> Engine:
    return Engine(database, build_router(), default_language="kk", clock=clock)


@pytest.fixture
def person(engine) -> Person:
    return Person(engine, "console", "aigerim")
