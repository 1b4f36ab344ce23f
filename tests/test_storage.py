"""The schema: Alembic's migrations build exactly the models, both ways, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from bot.conversation import Incoming
from bot.delivery import inbox
from bot.storage.database import Database
from bot.storage.models import Base, InboxUpdate, utcnow


async def test_migrations_match_the_models(database):
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert differences == []


async def test_downgrade_to_base_and_up_again(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'cycle.db'}")
    try:
        await database.upgrade()
        assert set(await database.current_revisions()) == set(database.newest_revisions())
        await database.downgrade("base")
        async with database.engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert tables == ["alembic_version"]
        await database.upgrade()
        assert set(await database.current_revisions()) == set(database.newest_revisions())
    finally:
        await database.dispose()


def joldas(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=60, env={**os.environ, **env}
    )


def test_db_commands(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    assert joldas("db", "current", env=env).stdout.strip() == "base (empty)"
    newest = Database(env["DATABASE_URL"]).newest_revisions()
    assert set(joldas("db", "upgrade", env=env).stdout.split()) == set(newest)
    assert joldas("db", "downgrade", "base", env=env).stdout.strip() == "base (empty)"


async def test_processed_updates_are_pruned_after_a_week(database):
    now = utcnow()
    async with database.transaction() as session:
        await inbox.record_processed(session, Incoming("telegram", "1", "old"), now - timedelta(days=8))
        await inbox.record_processed(session, Incoming("telegram", "1", "new"), now - timedelta(days=6))
        await inbox.store(session, [Incoming("telegram", "1", "waiting")], now - timedelta(days=9))
    async with database.transaction() as session:
        assert await inbox.prune(session, now) == 1
        assert sorted((await session.scalars(select(InboxUpdate.update_id))).all()) == ["new", "waiting"]
