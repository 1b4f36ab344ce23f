"""Nothing is lost when the bot dies or the database goes away: real processes (`joldas worker`, `joldas run
telegram`, `joldas serve`) killed with SIGKILL and started again, against the loopback fake Bot API, on SQLite
and on PostgreSQL. Every message is delivered; none twice beyond those in flight at the kill."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.conversation import Reply
from bot.delivery import outbox
from bot.delivery.outbox import Kind
from bot.storage.models import OutboxMessage, utcnow
from tests.fake_telegram import TOKEN, FakeBotAPI
from tests.tcp_proxy import TcpProxy
from tests.test_cli import free_port, health_once_up

pytestmark = pytest.mark.slow

MESSAGES = 2000


@pytest.fixture
async def api():
    fake = FakeBotAPI(latency=0.002)
    await fake.start()
    yield fake
    await fake.close()


def bot_env(database_url: str, api: FakeBotAPI, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": api.base_url,
        "TELEGRAM_RATE_LIMIT": "0",
        "TELEGRAM_CHAT_RATE_LIMIT": "0",
        "DELIVERY_LEASE_SECONDS": "2",
        "DELIVERY_BATCH_SIZE": "50",
        "WHATSAPP_TOKEN": "",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


async def start(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, env=env, stderr=asyncio.subprocess.DEVNULL
    )


async def kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    await process.wait()


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        await process.wait()


async def until(condition, timeout: float = 90, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(every)


async def count(database, *where) -> int:
    async with database.transaction() as session:
        return await session.scalar(select(func.count()).select_from(OutboxMessage).where(*where))


async def queue_messages(database, n: int) -> None:
    now = utcnow()
    async with database.transaction() as session:
        for number in range(n):
            await outbox.queue(
                session,
                now=now,
                channel="telegram",
                address=str(100_000 + number),
                language="kk",
                replies=[Reply(f"m{number}")],
                kind=Kind.BROADCAST,
            )


def delivered_texts(api: FakeBotAPI) -> Counter:
    return Counter(call.params["text"] for call in api.delivered)


@pytest.mark.parametrize("workers", [1, 2])
async def test_a_worker_killed_mid_queue_loses_nothing_and_repeats_only_what_was_in_flight(
    database, database_url, api, workers
):
    if workers == 2 and database.is_sqlite:
        pytest.skip("several workers share a queue on PostgreSQL; SQLite is the one-process default")
    await queue_messages(database, MESSAGES)
    env = bot_env(database_url, api)
    processes = [await start("worker", env=env) for _ in range(workers)]
    try:
        await until(lambda: _at_least(api, MESSAGES // 4))
        await kill(processes[0])
        in_flight = await count(database, OutboxMessage.status == "sending")
        processes[0] = await start("worker", env=env)
        await until(lambda: _all_sent(database), timeout=120)
    finally:
        for process in processes:
            await stop(process)
    texts = delivered_texts(api)
    assert set(texts) == {f"m{number}" for number in range(MESSAGES)}  # every one delivered
    repeated = sum(texts.values()) - MESSAGES
    assert repeated <= in_flight, (repeated, in_flight)


async def _at_least(api: FakeBotAPI, n: int) -> bool:
    return len(api.delivered) >= n


async def _all_sent(database) -> bool:
    return await count(database, OutboxMessage.status == "sent") == MESSAGES


async def test_sixty_people_press_start_the_bot_is_killed_after_sixteen_answers_and_everyone_is_answered(
    database, database_url, api
):
    """The issue's own trial: long polling, sends taking 50 ms, SIGKILL after 16 answers, then a restart."""
    api.latency = 0.05
    people = [7_000_000 + number for number in range(60)]
    for chat in people:
        await api.push(api.message_update(chat, "/start"))
    env = bot_env(database_url, api)
    bot = await start("run", "telegram", env=env)
    try:
        await until(lambda: _at_least(api, 16))
        await kill(bot)
        bot = await start("run", "telegram", env=env)
        await until(lambda: _everyone_answered(api, people), timeout=120)
    finally:
        await stop(bot)
    answered = Counter(int(call.params["chat_id"]) for call in api.delivered)
    assert set(answered) == set(people)


async def _everyone_answered(api: FakeBotAPI, people: list[int]) -> bool:
    return {int(call.params["chat_id"]) for call in api.delivered} >= set(people)


async def test_while_postgresql_is_away_webhooks_answer_5xx_and_after_it_is_back_each_update_is_handled_once(
    database, database_url, api
):
    if database.is_sqlite:
        pytest.skip("a database server that goes away: PostgreSQL")
    address = urlsplit(database_url)
    proxy = TcpProxy(address.hostname, address.port or 5432)
    await proxy.start()
    proxied = urlunsplit(address._replace(netloc=f"{address.username}@127.0.0.1:{proxy.port}"))
    port = free_port()
    env = bot_env(proxied, api, TELEGRAM_WEBHOOK_SECRET="abc", DATABASE_POOL_TIMEOUT="2", DATABASE_CONNECT_TIMEOUT="2")
    server = await start("serve", "--port", str(port), env=env)  # its worker runs in the same process
    before = [api.message_update(8_000_000 + number, "/start") for number in range(5)]
    during = [api.message_update(8_100_000 + number, "/start") for number in range(5)]
    try:
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await health_once_up(client))["database"] == "ok"
            assert [await post(client, update) for update in before] == [200] * 5
            await until(lambda: _at_least(api, 5))

            await proxy.cut()
            assert {await post(client, update) for update in during} <= {500, 502, 503}
            async with client.get("/health") as response:
                assert response.status == 503

            await proxy.restore()
            statuses = [await post(client, update) for update in during + before]  # Telegram sends again
            assert statuses == [200] * 10
            await until(lambda: _at_least(api, 10), timeout=60)
            await asyncio.sleep(1)  # anything answered twice would have come by now
    finally:
        await stop(server)
        await proxy.cut()
    answered = Counter(int(call.params["chat_id"]) for call in api.delivered)
    expected = {update["message"]["chat"]["id"] for update in before + during}
    assert set(answered) == expected and set(answered.values()) == {1}


async def post(client: aiohttp.ClientSession, update: dict) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": "abc", "Content-Type": "application/json"}
    async with client.post("/webhook/telegram", data=json.dumps(update), headers=headers) as response:
        return response.status
