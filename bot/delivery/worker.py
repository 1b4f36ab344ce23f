"""The worker: processes the inbox, sends the outbox, fires timers.

`joldas worker` runs one on its own; `joldas chat`, `joldas run telegram` and `joldas serve` run one in their
process, so the embedded default needs nothing more. On PostgreSQL any number of workers share the work
(rows are claimed with `FOR UPDATE SKIP LOCKED` under a lease that a dead worker's rows outlive), and wake
each other with LISTEN/NOTIFY; in one process a commit wakes the worker directly.

Delivery is at least once: a row is marked sent after the platform accepted it, so a worker killed between
the two sends that row again when its lease expires. Rows are marked in batches; `batch_size` bounds how many
a kill can repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery import inbox, outbox, timers
from bot.delivery.documents import UnknownDocument
from bot.delivery.outbox import LANES, Lane, Outgoing
from bot.delivery.pace import ChannelPace, ChatPace, Limits, SendWindow, SlotPool, backoff
from bot.delivery.senders import Failed, OutsideWindow, RecipientGone, RetryLater, Sender, SendResult, Sent
from bot.delivery.wakeup import TOPICS, Listener
from bot.delivery.worker_settings import WorkerSettings
from bot.engine import Engine
from bot.media import store as media_store
from bot.storage.database import refresh_statistics
from bot.storage.models import OutboxMessage, Timer, as_utc

log = logging.getLogger(__name__)

MAINTENANCE = "maintenance.prune"
MAINTENANCE_EVERY = timedelta(hours=1)
FINISHED_ROWS_KEPT = timedelta(days=30)
BATCHES_IN_FLIGHT = 2  # per lane: the next batch is claimed while the last one is still being sent
CLAIM_AHEAD = timedelta(seconds=0.1)  # ... once that one's last slot is this near, so the channel never idles
ZERO = timedelta(0)


@dataclass(frozen=True)
class Batching:
    """How a lane claims: what it claims at once, and when it claims the next batch."""

    seconds: float  # of a rate-limited channel's sending claimed at once
    ahead: timedelta  # rows due this soon are claimed with those due now (a paced broadcast: fewer claims)
    keeps_to_slots: bool  # the next batch only once the last one's slots are nearly used (else: when woken)
    background: bool  # its transactions give way to people's and answers' (bot.storage.turns)


# Answers are claimed the moment they are queued; bulk holds a fifth of a second of the channel at a time.
BATCHING = {
    "outbox": Batching(0.5, ZERO, keeps_to_slots=False, background=False),
    "bulk": Batching(0.2, timedelta(seconds=0.25), keeps_to_slots=True, background=True),
}
STOP_GRACE = 2.0  # seconds a stopping worker lets the batches in flight finish and be recorded
SLOW_CLAIM = 0.05  # seconds; a claim is an index range read of a few ms at most when the planner knows the table
FAILURE_PAUSE_CAP = 5.0  # seconds: a failing loop (the database away) tries again at least this often


class Worker:
    def __init__(
        self,
        engine: Engine,
        senders: dict[str, Sender],
        settings: WorkerSettings | None = None,
        rng: random.Random | None = None,
    ):
        self.engine = engine
        self.database = engine.database
        self.clock = engine.clock
        self.senders = senders
        self.settings = settings or WorkerSettings()
        self.rng = rng or random.Random()
        self.channel_pace = ChannelPace()
        self.window = SendWindow()
        self.slot_pools: dict[str, SlotPool] = defaultdict(SlotPool)
        self._analyzed = float("-inf")
        self.chat_pace = {
            channel: ChatPace(limits.per_chat_per_second, limits.chat_burst)
            for channel, limits in self.settings.limits.items()
        }
        self.wakeups = self.database.wakeups
        self._tasks: list[asyncio.Task] = []
        self._in_flight: dict[str, set[asyncio.Task]] = defaultdict(set)  # batches being sent, per lane
        self._last_slot: dict[str, datetime] = {}  # per lane: when its latest batch's last message may go
        self._listener: Listener | None = None
        self.sent = 0  # messages the platforms accepted, since start (benchmarks, logs)

    # --- running ------------------------------------------------------------------------------------------

    async def start(self) -> None:
        async with self.database.transaction() as session:
            await timers.schedule(session, MAINTENANCE, self.clock.now(), key=MAINTENANCE)
        if not self.database.is_sqlite:
            self._listener = Listener(self.database.dsn, self.wakeups)
            self._listener.start()
        loops: list[tuple[str, Callable[[], Awaitable[bool]], str]] = [
            *((lane.topic, functools.partial(self.deliver_once, lane), lane.topic) for lane in LANES),
            ("timers", self.fire_due_timers, "timers"),
            ("leases", self.release_expired_leases, ""),
        ]
        if self.settings.process_inbox:
            loops.append(("inbox", self.process_inbox_once, "inbox"))
        self._tasks = [
            asyncio.create_task(self._loop(name, step, topic), name=f"worker-{name}") for name, step, topic in loops
        ]

    async def stop(self) -> None:
        await cancel_and_wait(self._tasks)
        self._tasks = []
        batches = [task for tasks in self._in_flight.values() for task in tasks]
        if batches:  # sent messages recorded as sent; the rest wait for their lease, as after a kill
            await asyncio.wait(batches, timeout=STOP_GRACE)
            await cancel_and_wait(batches)
        if self._listener is not None:
            await self._listener.stop()

    async def run(self) -> None:
        """Runs until cancelled."""
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    async def _loop(self, name: str, step: Callable[[], Awaitable[bool]], topic: str) -> None:
        """Runs `step` while it finds work; when it finds none, sleeps until woken or the next poll. A failing
        step (the database away) is logged and tried again after a pause, never ends the loop."""
        failures = 0
        while True:
            try:  # the look at when work falls due next is inside: it reads the database too
                busy = await step()
                idle = await self._idle_wait(topic) if topic and not busy else None
                failures = 0
            except Exception:
                failures += 1
                log.exception("worker %s failed (%d in a row); trying again", name, failures)
                pause = min(FAILURE_PAUSE_CAP, 0.25 * 2 ** min(failures, 6))
                if topic:  # new work (the database is back: a webhook stored an update) ends the pause
                    await self.wakeups.wait(topic, pause)
                else:
                    await asyncio.sleep(pause)
                continue
            if busy:
                await asyncio.sleep(0)
            elif topic:
                await self.wakeups.wait(topic, idle)
            else:
                await asyncio.sleep(max(self.settings.lease.total_seconds() / 4, 0.05))

    async def _idle_wait(self, topic: str) -> float:
        """How long an idle loop may sleep: until the next row or timer falls due, at most `idle_poll`."""
        poll = self.settings.idle_poll
        lane = next((lane for lane in LANES if lane.topic == topic), None)
        if lane is None and topic != "timers":
            return poll
        async with self.database.transaction() as session:
            if lane is None:
                due = await timers.next_due(session)
            else:  # a paused channel's rows are due when its pause ends: not a reason to claim again at once
                paused = await self.channel_pace.paused(session, self.clock.now())
                active = [channel for channel in self.senders if channel not in paused]
                dues = [await outbox.next_due(session, active, lane) if active else None, *paused.values()]
                due = min((as_utc(moment) for moment in dues if moment is not None), default=None)
        if due is None:
            return poll
        return min(poll, max(0.0, (as_utc(due) - self.clock.now()).total_seconds()))

    # --- the inbox ----------------------------------------------------------------------------------------

    async def process_inbox_once(self) -> bool:
        async with self.database.transaction() as session:
            rows = await inbox.claim(session, self.settings.inbox_batch_size, self.clock.now(), self.settings.lease)
        await asyncio.gather(*(self._process(row) for row in rows))
        return bool(rows)

    async def _process(self, row) -> None:
        try:
            await self.engine.process(row)
        except Exception as error:
            log.exception("update %s of %s not processed; it waits for another try", row.update_id, row.channel)
            with contextlib.suppress(Exception):
                async with self.database.transaction() as session:
                    await inbox.release(session, row.id, f"{type(error).__name__}: {error}")

    # --- the outbox ---------------------------------------------------------------------------------------

    def _batch_size(self, lane: Lane) -> int:
        """With a rate limit, a fraction of a second's worth (`Batching.seconds`): the slots a batch reserves are
        taken before those of anything claimed after it, so bulk batches are short."""
        rates = [self._limits(channel).per_second for channel in self.senders]
        if rates and all(rates):
            return max(1, min(self.settings.batch_size, int(min(rates) * batching(lane).seconds)))
        return self.settings.batch_size

    def _limits(self, channel: str) -> Limits:
        return self.settings.limits.get(channel, Limits(None))

    async def deliver_once(self, lane: Lane) -> bool:
        """Claims one batch of `lane`'s kinds and starts sending it; True if it had any.
        The batch is sent and recorded in a task of its own, so the next claim does not wait for the record:
        a rate-limited channel gets its next batch just before the last one's slots run out."""
        how = batching(lane)
        await self._room_for_a_batch(lane.topic, how)
        async with self.database.transaction(background=how.background) as session:
            now = self.clock.now()  # read after the transaction's turn: a background one may have waited for it
            # A channel the platform paused ("too fast") is not even claimed from: when the pause ends, the
            # queue is taken in priority order again, so answers go before the bulk that was waiting.
            paused = await self.channel_pace.paused(session, now)
            channels = [channel for channel in self.senders if channel not in paused]
            started = loop_time()
            size = self._batch_size(lane)
            batch = await outbox.claim(session, channels, size, now, self.settings.lease, lane, how.ahead)
            await self._keep_statistics_fresh(session, loop_time() - started)
            by_channel: dict[str, list[Outgoing]] = defaultdict(list)
            for message in batch:
                by_channel[message.channel].append(message)
            slots: dict[int, datetime] = {}
            for channel, messages in by_channel.items():
                reserved = await self.channel_pace.reserve(
                    session, channel, len(messages), self._limits(channel).per_second, now
                )
                slots.update((message.id, slot) for message, slot in zip(messages, reserved, strict=True))
        if not batch:
            return False
        self._last_slot[lane.topic] = max(slots.values())
        task = asyncio.create_task(self._deliver(batch, slots, how.background), name=f"worker-batch-{lane.topic}")
        self._in_flight[lane.topic].add(task)
        task.add_done_callback(self._in_flight[lane.topic].discard)
        return True

    async def _room_for_a_batch(self, key: str, how: Batching) -> None:
        """Waits until the lane has fewer than `BATCHES_IN_FLIGHT` batches out and, if it keeps to its slots,
        until the last batch's last slot is near."""
        while len(flight := self._in_flight[key]) >= BATCHES_IN_FLIGHT:
            await asyncio.wait(flight, return_when=asyncio.FIRST_COMPLETED)
        if how.keeps_to_slots and flight and key in self._last_slot:
            wait = (self._last_slot[key] - CLAIM_AHEAD - self.clock.now()).total_seconds()
            if wait > 0:
                await asyncio.sleep(wait)

    async def _deliver(self, batch: list[Outgoing], slots: dict[int, datetime], background: bool) -> None:
        try:
            results = await asyncio.gather(*(self._send(message, slots[message.id]) for message in batch))
            await self._record(list(zip(batch, results, strict=True)), background)
        except Exception:  # the database away: the rows keep their lease and go again when it expires
            log.exception("a batch of %d outbox rows was not recorded; they go again after their lease", len(batch))

    async def _keep_statistics_fresh(self, session, claim_seconds: float) -> None:
        """After a bulk queue PostgreSQL plans the claim without statistics and scans every pending row
        (0.2 s a claim at 100,000 rows, 0.5 ms after ANALYZE): a slow claim refreshes them, at most once a minute."""
        if self.database.is_sqlite or claim_seconds < SLOW_CLAIM or loop_time() - self._analyzed < 60:
            return
        self._analyzed = loop_time()
        await refresh_statistics(session, OutboxMessage)
        log.info("outbox claim took %.0f ms: table statistics refreshed", claim_seconds * 1000)

    async def _send(self, message: Outgoing, slot: datetime) -> SendResult:
        if message.not_before is not None and (early := (as_utc(message.not_before) - self.clock.now())) > ZERO:
            await asyncio.sleep(early.total_seconds())  # claimed ahead (bulk paced by `not_before`)
        at = loop_time() + (slot - self.clock.now()).total_seconds()
        pace = self.chat_pace.get(message.channel)
        if pace is not None and (delay := pace.delay(message.address, loop_time())) > 0:
            await asyncio.sleep(delay)
        per_second = self._limits(message.channel).per_second
        if not per_second:
            if at > loop_time():  # no limit: the slot is now, or when the platform's pause ends
                await asyncio.sleep(at - loop_time())
        elif message.urgent and self.window.has_room(message.channel, per_second, loop_time()):
            await self.slot_pools[message.channel].give(at)  # an answer goes at once, in the room left by bulk
        else:  # the process's reserved slots go to its most urgent messages first
            await self.slot_pools[message.channel].take(at, message.priority)
        await self.window.wait_turn(message.channel, per_second, evenly=not message.urgent)
        try:
            return await self.senders[message.channel].send(message)
        except UnknownDocument as error:  # a row naming a builder no process has: trying again will not help
            return Failed(f"no document builder {str(error)!r}")
        except Exception as error:  # a bug in a sender: keep the row, retry with back-off, say why
            log.exception("sender %s failed on outbox row %s", message.channel, message.id)
            return RetryLater(f"{type(error).__name__}: {error}")

    async def _record(self, outcomes: list[tuple[Outgoing, SendResult]], background: bool) -> None:
        now = self.clock.now()
        async with self.database.transaction(background=background) as session:
            sent = [(message.id, result.message_id) for message, result in outcomes if isinstance(result, Sent)]
            await outbox.mark_sent(session, sent, now)
            self.sent += len(sent)
            for message, result in outcomes:
                match result:
                    case Sent():
                        pass
                    case RetryLater(reason=reason, after=after, pause_channel=pause):
                        await self._retry(session, message, reason, after, pause, now)
                    case RecipientGone(reason=reason):
                        dropped = await outbox.recipient_gone(session, message.channel, message.address, reason, now)
                        log.info("%s recipient gone (%s): %d queued messages dropped", message.channel, reason, dropped)
                    case OutsideWindow(reason=reason):
                        instead = self.senders[message.channel].instead_outside_window(message)
                        if instead is None:
                            await outbox.mark_dead(session, message.id, f"{reason}; no template to send instead", now)
                        else:
                            await outbox.replace_payload(session, message.id, instead, f"{reason}: template instead")
                    case Failed(reason=reason):
                        log.warning("outbox row %s failed for good: %s", message.id, reason)
                        await outbox.mark_dead(session, message.id, reason, now)

    async def _retry(
        self, session, message: Outgoing, reason: str, after: float | None, pause: bool, now: datetime
    ) -> None:
        if after is None and message.attempts >= self.settings.max_attempts:
            log.warning("outbox row %s dead after %d attempts: %s", message.id, message.attempts, reason)
            await outbox.mark_dead(session, message.id, f"gave up after {message.attempts} attempts: {reason}", now)
            return
        delay = (
            after
            if after is not None
            else backoff(message.attempts, self.settings.backoff_base, self.settings.backoff_cap, self.rng)
        )
        until = now + timedelta(seconds=delay)
        if pause:
            log.warning("%s says too fast: its queue pauses for %.1f s", message.channel, delay)
            await self.channel_pace.pause(session, message.channel, until, reason, now)
        await outbox.retry_later(session, message.id, until, reason)

    # --- timers and housekeeping ---------------------------------------------------------------------------

    async def fire_due_timers(self) -> bool:
        async with self.database.transaction(background=True) as session:
            due = await timers.claim_due(session, self.clock.now(), 50, self.settings.lease)
        for timer_id in due:
            await self._fire(timer_id)
        return bool(due)

    async def _fire(self, timer_id: int) -> None:
        try:  # a timer's work (a broadcast's next chunk, reminders) gives way to people's transactions
            async with self.database.transaction(background=True) as session:
                now = self.clock.now()
                timer = await session.get(Timer, timer_id)
                action = timers.action_for(timer.kind)
                if action is None:
                    raise LookupError(f"no action registered for timer kind {timer.kind!r}")
                timer.status, timer.fired_at, timer.lease_until = "done", now, None
                await action(session, timer, now)
        except Exception as error:
            log.exception("timer %s failed", timer_id)
            now = self.clock.now()
            async with self.database.transaction() as session:
                timer = await session.get(Timer, timer_id)
                if timer is None:
                    return
                timer.last_error, timer.lease_until = f"{type(error).__name__}: {error}"[:500], None
                if timer.attempts >= self.settings.max_attempts or isinstance(error, LookupError):
                    timer.status, timer.fired_at = "failed", now
                else:
                    delay = backoff(timer.attempts, self.settings.backoff_base, self.settings.backoff_cap, self.rng)
                    timer.status, timer.due_at = "pending", now + timedelta(seconds=delay)

    async def release_expired_leases(self) -> bool:
        now = self.clock.now()
        async with self.database.transaction() as session:
            released = (
                await outbox.release_expired_leases(session, now)
                + await inbox.release_expired_leases(session, now)
                + await timers.release_expired_leases(session, now)
            )
        if released:
            log.warning("%d rows of a worker that stopped mid-way are queued again", released)
            self.wakeups.set(TOPICS)
        return False


@timers.on_timer(MAINTENANCE)
async def prune(session, timer, now: datetime) -> None:
    """Every hour: forget processed updates after a week, finished messages and timers after a month."""
    pruned = (
        await inbox.prune(session, now)
        + await outbox.prune_finished(session, now - FINISHED_ROWS_KEPT)
        + await timers.prune(session, now - FINISHED_ROWS_KEPT)
        + await media_store.prune(session, now)  # conversation files never delivered (bot.media.store.KEPT)
    )
    if pruned:
        log.info("maintenance: %d old rows pruned", pruned)
    await timers.schedule(session, MAINTENANCE, now + MAINTENANCE_EVERY, key=MAINTENANCE)


def batching(lane: Lane) -> Batching:
    return BATCHING[lane.topic]


def loop_time() -> float:
    return asyncio.get_running_loop().time()


async def cancel_and_wait(tasks: list[asyncio.Task]) -> None:
    """Cancels tasks and waits until they are done, cancelling again a task that swallowed the first one
    (a library catching CancelledError must not keep a stopping worker alive)."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        while not task.done():
            await asyncio.wait({task}, timeout=1)
            task.cancel()
