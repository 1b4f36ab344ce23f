"""A broadcast to an area of about 10,000 synthetic people on PostgreSQL, sent by a real `joldas worker` process
to the loopback fake Bot API: the preview's count is what is delivered, nobody outside the area or opted out
gets it, a worker SIGKILLed mid-way and started again loses nobody, and the rate limit holds — at a raised
limit for the large set, and at Telegram's real 30 messages/s on a smaller one."""

from __future__ import annotations

import gc
import time
from collections import Counter

import pytest
from sqlalchemy import select

from bot import heap
from bot.broadcasts import demo, manage
from bot.clock import SystemClock
from bot.storage.models import Broadcast, Contact, Place
from tests.broadcasting import load_places
from tests.fake_telegram import FakeBotAPI
from tests.test_durability import bot_env, kill, start, stop, until

pytestmark = pytest.mark.slow

AREA = "KG"  # 10,500 people seeded in Kyrgyzstan and 5,500 in Kazakhstan, whose people must not get it
PEOPLE = {"KG": 10_500, "KZ": 5_500}
FAST = 500  # messages/s: a raised limit, so that 10,000 go in seconds (at 1,000/s the two cores were overcommitted)


@pytest.fixture
async def api():
    """The fake Bot API in this process, its receive times counted against the limit: the test process's heap is
    set aside from the collector as the bot's is (bot.heap), else a full collection (~100 ms) holds the fake's
    requests and stamps them all at once when it ends."""
    fake = FakeBotAPI()
    await fake.start()
    heap.settle()
    try:
        yield fake
    finally:
        gc.unfreeze()
        await fake.close()


async def seeded(database, people: dict[str, int]) -> None:
    """People spread over the places of each area, in blocks of chat ids one after another."""
    await load_places(database)
    first = demo.FIRST_ID
    async with database.transaction() as session:
        for area, count in people.items():
            await demo.seed(session, count, "telegram", first, _now(), area=area)
            first += count


def _now():
    return SystemClock().now()


async def expected_chats(database, area: str) -> set[int]:
    """Who should get it, by a query of its own: consented, not stopped, living in the area."""
    async with database.transaction() as session:
        area_path = await session.scalar(select(Place.path).where(Place.id == area))
        rows = await session.scalars(
            select(Contact.external_id)
            .join(Place, Place.id == Contact.place_id)
            .where(Contact.consent == "granted", Contact.status == "active", Place.path.startswith(area_path))
        )
        return {int(chat) for chat in rows}


async def send(database, area: str) -> tuple[int, int]:
    """Creates and sends a broadcast as the command line does; returns its id and the preview's count."""
    now = _now()
    async with database.transaction() as session:
        made = await manage.create(
            session,
            None,
            area_id=area,
            audience_kind="everyone",
            texts={"ky": "Эртең жыйын", "ru": "Завтра собрание"},
            now=now,
        )
        preview = await manage.preview(session, made, now)
        await manage.send(session, None, made, now)
    return made.id, preview.total


async def finished(database, broadcast_id: int) -> bool:
    async with database.transaction() as session:
        return (await session.get(Broadcast, broadcast_id)).status == "done"


def most_in_any_window(moments: list[float], width: float = 1.0) -> int:
    """The most moments in any sliding window of `width` seconds."""
    ordered, most, first = sorted(moments), 0, 0
    for last, moment in enumerate(ordered):
        while ordered[first] <= moment - width:
            first += 1
        most = max(most, last - first + 1)
    return most


async def test_ten_thousand_people_a_worker_killed_mid_way_and_nobody_lost(database, database_url, api):
    if database.is_sqlite:
        pytest.skip("the issue's trial is on PostgreSQL")
    await seeded(database, PEOPLE)
    expected = await expected_chats(database, AREA)
    assert len(expected) > 9000
    broadcast_id, previewed = await send(database, AREA)
    env = bot_env(database_url, api, TELEGRAM_RATE_LIMIT=str(FAST), DELIVERY_BATCH_SIZE="200")
    worker = await start("worker", env=env)
    try:
        await until(lambda: _delivered_at_least(api, previewed // 3), timeout=120)
        await kill(worker)
        worker = await start("worker", env=env)
        await until(lambda: finished(database, broadcast_id), timeout=180)
    finally:
        await stop(worker)
    chats = Counter(int(call.params["chat_id"]) for call in api.delivered)
    assert previewed == len(expected)
    assert set(chats) == expected  # everyone in the area, nobody outside it, nobody who said /stop
    assert max(chats.values()) <= 2  # a repeat only for a message in flight at the kill
    assert sum(chats.values()) - len(chats) <= 200  # at most a batch
    # The worker keeps to the limit by its own departures (tests/test_worker.py, and Telegram's 30/s in the test
    # below, counted to the second here too). At 500 a second the fake's own receive times bunch whenever this
    # process (the fake, and the test polling the database) waits for one of the two cores: a wait of 100 ms
    # moves 50 stamps into the next second, 10 % of a one-second window (551 of 500 was seen in CI). Counted over
    # two seconds the same wait is 5 %, while a restarted worker that ignored the pace (a batch of 200 at once)
    # would still be 20 % over.
    assert most_in_any_window([call.at for call in api.delivered], width=2.0) <= 2 * FAST * 1.10
    async with database.transaction() as session:
        report = (await session.get(Broadcast, broadcast_id)).report
    assert report["sent"] == previewed and report["skipped"]["opted_out"] > 0


async def test_at_telegrams_own_pace_no_second_holds_more_than_thirty(database, database_url, api):
    if database.is_sqlite:
        pytest.skip("the pace across processes is kept in PostgreSQL here; SQLite's is the same code")
    await seeded(database, {"KZ": 120, "KG": 80})
    broadcast_id, previewed = await send(database, "KZ")
    assert previewed >= 60
    env = bot_env(database_url, api, TELEGRAM_RATE_LIMIT="30", TELEGRAM_CHAT_RATE_LIMIT="1")
    started = time.monotonic()
    worker = await start("worker", env=env)
    try:
        await until(lambda: finished(database, broadcast_id), timeout=60)
    finally:
        await stop(worker)
    moments = [call.at for call in api.delivered]
    assert len(moments) == previewed
    assert most_in_any_window(moments) <= 30
    assert time.monotonic() - started >= (previewed - 30) / 30  # it did wait for the pace


async def _delivered_at_least(api: FakeBotAPI, n: int) -> bool:
    return len(api.delivered) >= n
