"""PostgreSQL connections that died while resting in the pool (the server restarted) are replaced before use;
busy ones are not checked on every checkout (a round trip per transaction), so the first statement on a dead
one fails and marks the pool stale, and the next transaction has a fresh connection."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.conversation import Incoming
from bot.engine import APOLOGY, Engine
from bot.i18n import texts
from bot.storage import database as database_module
from bot.storage.database import Database
from handlers import build_router
from tests.tcp_proxy import TcpProxy


@pytest.fixture
async def proxied(postgres_url):
    """A Database reaching the test server through a proxy whose connections can be cut."""
    address = urlsplit(postgres_url)
    proxy = TcpProxy(address.hostname, address.port or 5432)
    await proxy.start()
    database = Database(urlunsplit(address._replace(netloc=f"{address.username}@127.0.0.1:{proxy.port}")))
    yield database, proxy
    await database.dispose()
    await proxy.cut()


async def select_one(database: Database) -> int:
    async with database.transaction() as session:
        return await session.scalar(text("SELECT 1"))


async def drop_connections(proxy: TcpProxy) -> None:
    await proxy.cut()
    await proxy.restore()


async def test_a_connection_that_died_while_resting_is_replaced_before_use(proxied, monkeypatch):
    database, proxy = proxied
    assert await select_one(database) == 1  # one connection, now resting in the pool
    await drop_connections(proxy)
    monkeypatch.setattr(database_module, "IDLE_BEFORE_PING", 0.0)  # it has rested long enough to be checked
    assert await select_one(database) == 1


async def test_a_busy_connection_that_died_fails_one_transaction_and_the_next_has_a_fresh_one(proxied):
    database, proxy = proxied
    assert await select_one(database) == 1  # checked in just now: not checked at the next checkout
    await drop_connections(proxy)
    with pytest.raises(DBAPIError):  # the driver says the connection is closed
        await select_one(database)
    assert await select_one(database) == 1


async def test_the_engine_on_a_connection_that_died_apologises_on_a_fresh_one(proxied):
    """The engine's fixed statements run on the driver (`Driver`), past SQLAlchemy's disconnect handling: the
    pool is renewed all the same, so the apology (and every update after) gets a fresh connection."""
    database, proxy = proxied
    await database.upgrade()
    engine = Engine(database, build_router())
    first = await engine.handle(Incoming("telegram", "5", "u1", text="/start"))  # the connection rests in the pool
    await drop_connections(proxy)
    [apology] = await engine.handle(Incoming("telegram", "5", "u2", text="/start"))
    assert apology.text == texts("kk").gettext(APOLOGY)
    assert await engine.handle(Incoming("telegram", "5", "u3", text="/start")) == first
