"""The outbox, the worker and timers on both databases: order, priority, leases, retries, rate limits, timers,
and `joldas outbox`. The platform is a recording sender (the network edge); everything else is the real code."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import event, select

from bot.clock import SystemClock
from bot.conversation import Incoming, Reply
from bot.delivery import documents, operations, outbox, timers
from bot.delivery.outbox import Kind, Outgoing
from bot.delivery.pace import ChannelPace, ChatPace, Limits, SlotPool, backoff
from bot.delivery.senders import Failed, RetryLater, SendResult, Sent
from bot.delivery.worker import MAINTENANCE, Worker
from bot.engine import Engine
from bot.storage.database import Database
from bot.storage.models import OutboxMessage, Timer
from handlers import build_router
from tests.delivery import quick, running_worker, settled
from tests.tcp_proxy import TcpProxy


@dataclass
class Platform:
    """Accepts every message and notes what came, when; `refuse` lines up answers for the next sends."""

    channel: str = "telegram"
    received: list[tuple[str, str, float]] = field(default_factory=list)  # address, text, loop time
    refuse: list[SendResult] = field(default_factory=list)

    async def send(self, message: Outgoing) -> SendResult:
        if self.refuse:
            return self.refuse.pop(0)
        self.received.append((message.address, message.payload.get("text", ""), asyncio.get_running_loop().time()))
        return Sent(f"id{len(self.received)}")

    def instead_outside_window(self, message: Outgoing) -> None:
        return None

    async def close(self) -> None:
        return None

    @property
    def texts(self) -> list[str]:
        return [text for _, text, _ in self.received]


async def put(engine, address: str, *texts: str, kind: Kind = Kind.ANSWER, key: str | None = None) -> int:
    async with engine.database.transaction() as session:
        return await outbox.queue(
            session,
            now=engine.clock.now(),
            channel="telegram",
            address=address,
            language="kk",
            replies=[Reply(text) for text in texts],
            kind=kind,
            dedupe_key=key,
        )


async def rows(database) -> list[OutboxMessage]:
    async with database.transaction() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_one_persons_messages_go_in_order_and_answers_before_broadcasts(engine, database):
    platform = Platform()
    for number in range(5):
        await put(engine, f"b{number}", f"broadcast {number}", kind=Kind.BROADCAST)
    await put(engine, "a", "one", "two", "three")
    async with running_worker(engine, {"telegram": platform}, quick(batch_size=2)):
        await settled(database)
    # The answer was claimed before older broadcast parts: at most the bulk lane's first two batches (claimed
    # at once, in a loop of their own) went beside it.
    assert platform.texts.index("one") <= 4
    assert [text for address, text, _ in platform.received if address == "a"] == ["one", "two", "three"]
    assert len(platform.received) == 8


async def test_a_dedupe_key_queues_a_thing_once(engine, database):
    assert await put(engine, "a", "reminder", kind=Kind.NOTICE, key="remind:1") == 1
    assert await put(engine, "a", "reminder", kind=Kind.NOTICE, key="remind:1") == 0
    assert len(await rows(database)) == 1


async def test_a_paused_channel_is_not_claimed_from_and_its_lane_sleeps_until_the_pause_ends(engine, database, clock):
    await put(engine, "a", "hello")
    async with database.transaction() as session:
        await ChannelPace().pause(session, "telegram", clock.now() + timedelta(seconds=30), "429", clock.now())
    commits = [0]

    @event.listens_for(database.engine.sync_engine, "commit")
    def committed(_connection) -> None:
        commits[0] += 1

    platform = Platform()
    # A poll of 1 s: a lane that took "due now" for a reason to look again would claim nothing, again and again.
    async with running_worker(engine, {"telegram": platform}, quick(idle_poll=1.0)):
        await asyncio.sleep(0.3)  # started: its loops' first looks (again when LISTEN connects, on PostgreSQL)
        commits[0] = 0
        await asyncio.sleep(0.5)
        assert platform.received == []
        assert commits[0] < 25  # a few looks, not a spin of empty claims through the pause (180-190 before)
        clock.advance(seconds=31)
        database.wakeups.set(["outbox"])
        await settled(database, clock)
    assert platform.texts == ["hello"]


async def test_a_row_whose_worker_died_is_sent_again_after_its_lease(engine, database, clock):
    await put(engine, "a", "hello")
    async with database.transaction() as session:
        [claimed] = await outbox.claim(session, ["telegram"], 10, clock.now(), timedelta(seconds=30))
    assert claimed.attempts == 1  # a worker took it, then died: nobody marks it
    platform = Platform()
    async with running_worker(engine, {"telegram": platform}, quick(lease=timedelta(seconds=30))):
        await asyncio.sleep(0.2)
        assert platform.received == []  # still leased
        clock.advance(seconds=31)
        await settled(database, clock)
    assert platform.texts == ["hello"]


async def test_failures_back_off_then_the_row_is_dead_with_its_reason(engine, database, clock):
    platform = Platform(refuse=[RetryLater("502: Bad Gateway")] * 3)
    await put(engine, "a", "hello")
    async with running_worker(engine, {"telegram": platform}, quick(max_attempts=3)):
        for _ in range(3):
            await asyncio.sleep(0.15)
            clock.advance(seconds=1)  # past the tests' back-off
            database.wakeups.set(["outbox"])
        await settled(database, clock)
    [row] = await rows(database)
    assert row.status == "dead" and row.last_error == "gave up after 3 attempts: 502: Bad Gateway"
    assert platform.received == []


async def test_a_permanent_failure_is_dead_at_once_and_the_next_message_goes(engine, database):
    platform = Platform(refuse=[Failed("400: message is too long")])
    await put(engine, "a", "too long", "fine")
    async with running_worker(engine, {"telegram": platform}):
        await settled(database)
    assert [row.status for row in await rows(database)] == ["dead", "sent"]
    assert platform.texts == ["fine"]


async def test_the_channel_limit_holds_across_batches_and_answers_use_the_room_at_once(database):
    """25 broadcast parts at 10 a second: at the reserved slots, never more than 10 in any second, no dawdling;
    an answer queued meanwhile goes at once in the room the limit leaves, never over it."""
    platform = Platform()
    live = Engine(database, build_router(), clock=SystemClock())  # real time: the pace is measured
    for number in range(25):
        await put(live, f"p{number}", f"m{number}", kind=Kind.BROADCAST)
    async with running_worker(live, {"telegram": platform}, quick(limits={"telegram": Limits(10)})):
        await asyncio.sleep(0.55)
        queued = asyncio.get_running_loop().time()
        await put(live, "a", "answer")
        await settled(database)
    times = sorted(at for _, _, at in platform.received)
    assert len(times) == 26
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 10
    assert times[-1] - times[0] < 3.5
    answered = next(at for address, _, at in platform.received if address == "a")
    assert answered - queued < 0.5  # not behind the 19 parts still waiting (1.9 s of slots)


async def test_an_answer_goes_while_a_broadcast_part_is_still_being_sent(engine, database):
    """The answers' lane claims and sends on its own: a bulk send that hangs never holds an answer back."""
    platform = Platform()
    hanging, release = asyncio.Event(), asyncio.Event()

    async def send(message: Outgoing) -> SendResult:
        if message.kind == Kind.BROADCAST:
            hanging.set()
            await release.wait()
        return await Platform.send(platform, message)

    platform.send = send
    await put(engine, "b", "broadcast", kind=Kind.BROADCAST)
    async with running_worker(engine, {"telegram": platform}):
        await asyncio.wait_for(hanging.wait(), 5)
        await put(engine, "a", "answer")
        async with asyncio.timeout(5):
            while platform.texts != ["answer"]:
                await asyncio.sleep(0.01)
        release.set()
        await settled(database)
    assert platform.texts == ["answer", "broadcast"]


async def test_an_answer_goes_in_the_first_reserved_slot_ahead_of_waiting_bulk():
    """`SlotPool`: slots are used at their moments, each by the most urgent message waiting (lowest priority
    number, then the first come); a message that leaves leaves its slot to the others."""
    pool, went = SlotPool(), []
    start = asyncio.get_running_loop().time() + 0.05

    async def take(name: str, slot: float, priority: int) -> None:
        await pool.take(start + slot, priority)
        went.append((name, round(asyncio.get_running_loop().time() - start, 2)))

    bulk = [asyncio.create_task(take(f"notice {number}", 0.05 * number, 3)) for number in range(3)]
    await asyncio.sleep(0.01)
    leaving = asyncio.create_task(take("cancelled answer", 0.2, 0))
    await asyncio.sleep(0)
    leaving.cancel()
    answer = asyncio.create_task(take("answer", 0.25, 0))
    await asyncio.gather(*bulk, answer)
    assert [name for name, _ in went] == ["answer", "notice 0", "notice 1", "notice 2"]
    moments = [moment for _, moment in went]
    assert moments[1] >= 0.05 - 0.01 and moments[2] >= 0.1 - 0.01  # never before a slot: the first was the answer's


def test_one_chat_gets_a_short_burst_then_one_message_a_second():
    pace = ChatPace(per_second=1, burst=3)
    delays = [pace.delay("chat", now=100.0) for _ in range(5)]
    assert delays == [0.0, 0.0, 0.0, 1.0, 2.0]
    assert pace.delay("another chat", now=100.0) == 0.0


def test_back_off_grows_with_jitter_up_to_the_cap():
    rng = random.Random(7)
    waits = [backoff(attempt, base=2, cap=60, rng=rng) for attempt in range(1, 10)]
    assert all(1 <= wait <= 60 for wait in waits)
    assert waits[0] <= 2 and waits[3] >= 8 and max(waits) <= 60


# --- timers ------------------------------------------------------------------------------------------------

FIRED: list[dict] = []


@timers.on_timer("test.remind")
async def remind(session, timer: Timer, now) -> None:
    FIRED.append(timer.payload)
    await outbox.queue(
        session, now=now, channel="telegram", address="a", language="kk", replies=[Reply(timer.payload["text"])]
    )


async def test_a_due_timer_fires_once_and_what_it_queues_is_sent(engine, database, clock):
    FIRED.clear()
    platform = Platform()
    async with database.transaction() as session:
        await timers.schedule(
            session, "test.remind", clock.now() + timedelta(hours=1), key="r1", payload={"text": "Ертең"}
        )
        await timers.schedule(session, "test.remind", clock.now() + timedelta(hours=2), key="r2", payload={"text": "x"})
        assert await timers.cancel(session, "r2")
    async with running_worker(engine, {"telegram": platform}):
        await asyncio.sleep(0.2)
        assert FIRED == []  # not due yet
        clock.advance(hours=1)
        database.wakeups.set(["timers"])
        await settled(database, clock)
        await asyncio.sleep(0.2)
    assert FIRED == [{"text": "Ертең"}]
    assert platform.texts == ["Ертең"]


async def test_rescheduling_by_key_moves_the_timer(engine, database, clock):
    async with database.transaction() as session:
        await timers.schedule(session, "test.remind", clock.now() + timedelta(days=1), key="k", payload={"text": "a"})
        await timers.schedule(session, "test.remind", clock.now() + timedelta(days=2), key="k", payload={"text": "b"})
        [timer] = (await session.scalars(select(Timer).where(Timer.key == "k"))).all()
    assert timer.payload == {"text": "b"} and timer.due_at.replace(tzinfo=None) == (
        clock.now() + timedelta(days=2)
    ).replace(tzinfo=None)


async def timer_once(database, key: str, done) -> Timer:
    """The timer, once `done(timer)` holds (the worker fires it in the background)."""
    for _ in range(200):
        async with database.transaction() as session:
            timer = await session.scalar(select(Timer).where(Timer.key == key))
        if timer is not None and done(timer):
            return timer
        await asyncio.sleep(0.05)
    raise AssertionError(f"timer {key} never got there: {timer and timer.status}")


async def test_a_timer_of_an_unknown_kind_fails_with_the_reason(engine, database, clock):
    async with database.transaction() as session:
        await timers.schedule(session, "nobody.knows", clock.now(), key="u")
    async with running_worker(engine, {"telegram": Platform()}):
        timer = await timer_once(database, "u", lambda timer: timer.status == "failed")
    assert "no action registered" in timer.last_error


async def test_maintenance_prunes_on_a_timer_and_schedules_itself_again(engine, database, clock):
    next_hour = (clock.now() + timedelta(hours=1)).replace(tzinfo=None)
    async with running_worker(engine, {"telegram": Platform()}):
        # scheduled at start for now, fired, and due again an hour later
        timer = await timer_once(database, MAINTENANCE, lambda timer: timer.due_at.replace(tzinfo=None) == next_hour)
    assert timer.status == "pending" and timer.attempts == 0


# --- `joldas outbox` --------------------------------------------------------------------------------------


async def test_workers_starting_together_schedule_one_maintenance_timer(engine, database):
    """Several `joldas worker` started at once on one PostgreSQL each schedule the maintenance timer: the
    database keeps one, and none of them fails to start."""
    workers = [Worker(engine, {}, quick()) for _ in range(3)]
    try:
        await asyncio.gather(*(worker.start() for worker in workers))
    finally:
        await asyncio.gather(*(worker.stop() for worker in workers))
    async with database.transaction() as session:
        keys = list(await session.scalars(select(Timer.key).where(Timer.kind == MAINTENANCE)))
    assert keys == [MAINTENANCE]


async def test_every_loop_of_the_worker_lives_through_the_database_going_away_at_any_moment(
    engine, database, database_url
):
    """The database cut again and again under a worker whose loops claim and go idle every 50 ms: wherever a
    cut lands (a claim, the idle loop's look at what falls due next, a record), the loop says so and goes on,
    and work queued afterwards is done."""
    if database.is_sqlite:
        pytest.skip("a database server that goes away: PostgreSQL")
    address = urlsplit(database_url)
    proxy = TcpProxy(address.hostname, address.port or 5432)
    await proxy.start()
    proxied = Database(urlunsplit(address._replace(netloc=f"{address.username}@127.0.0.1:{proxy.port}")))
    platform, rng = Platform(), random.Random(7)
    try:
        leased_briefly = quick(lease=timedelta(seconds=2))  # what a cut left claimed comes back soon
        async with running_worker(
            Engine(proxied, build_router(), clock=SystemClock()), {"telegram": platform}, leased_briefly
        ):
            for _ in range(120):
                await asyncio.sleep(rng.uniform(0.0, 0.1))
                await proxy.cut()
                await asyncio.sleep(0.02)
                await proxy.restore()
            # Queued through another connection pool: the worker learns of it only by looking.
            await put(engine, "a", "after the outage")
            await put(engine, "b", "a notice", kind=Kind.NOTICE)
            await engine.receive([Incoming("telegram", "c", "u-after", text="/start")])
            await settled(database)
    finally:
        await proxied.dispose()
        await proxy.cut()
    assert {"after the outage", "a notice"} <= set(platform.texts)
    assert "c" in {address for address, _, _ in platform.received}


async def test_the_outbox_command_shows_retries_and_drops_dead_rows(engine, database):
    platform = Platform(refuse=[Failed("400: chat not found"), Failed("400: bad")])
    await put(engine, "a", "one")
    await put(engine, "b", "two")
    await put(engine, "c", "three", kind=Kind.BROADCAST)
    async with running_worker(engine, {"telegram": platform}):
        await settled(database)
    shown = await operations.run(engine, "show")
    assert "dead      2" in shown and "sent      1" in shown and "400: chat not found" in shown
    first_dead = next(row.id for row in await rows(database) if row.status == "dead")
    assert await operations.run(engine, "retry", [first_dead]) == "1 dead row(s) queued again"
    async with running_worker(engine, {"telegram": platform}):
        await settled(database)
    assert await operations.run(engine, "drop") == "1 dead row(s) deleted"
    assert {row.status for row in await rows(database)} == {"sent"}


@pytest.mark.parametrize("command", [["outbox"], ["outbox", "show"]])
def test_joldas_outbox_runs_from_the_shell(tmp_path, command):
    from tests.test_cli import run_joldas

    result = run_joldas(*command, env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'o.db'}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("status    rows")


async def test_a_document_no_process_can_build_is_dead_at_once(engine, database, clock):
    from bot.conversation import Document

    platform = PdfPlatform()
    async with engine.database.transaction() as session:
        await outbox.queue(
            session,
            now=clock.now(),
            channel="telegram",
            address="a",
            language="kk",
            replies=[Reply("", document=Document("x.pdf", "no.such.builder"))],
        )
    async with running_worker(engine, {"telegram": platform}):
        await settled(database)
    [row] = await rows(database)
    assert row.status == "dead" and row.last_error == "no document builder 'no.such.builder'"


class PdfPlatform(Platform):
    """Builds the documents it is given, as the real senders do, before it 'sends' them."""

    async def send(self, message: Outgoing) -> SendResult:
        await documents.build(documents.from_payload(message.payload["document"]))
        return await super().send(message)
