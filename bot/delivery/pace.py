"""Rate limits and back-off.

- `ChannelPace`: a channel's limit (messages per second) held across every worker process: each batch reserves
  its slots on the channel's `delivery_pace` row (locked on PostgreSQL), then each message waits for its slot.
  A platform's "too fast" pauses the channel for the time it names, for all workers.
- `SlotPool`: the slots a process reserved, given to its most urgent messages first.
- `SendWindow`: the same limit kept over this process's own sends in any second, whatever the timing of the
  slots; answers use the room in it at once.
- `ChatPace`: one chat's limit (Telegram: about one message a second per chat), with a short burst so that a
  multi-part answer goes at once. Kept per process: one person's messages go one at a time, in order, so a
  second worker rarely sends to the same chat at the same moment, and the platform's own 429 covers the rest.
- `backoff`: the wait before retrying a failed send, growing with each attempt, with jitter, up to a cap.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import heapq
import itertools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DeliveryPace, as_utc


@dataclass(frozen=True)
class Limits:
    per_second: float | None  # the channel's messages per second; None: no limit
    per_chat_per_second: float | None = None
    chat_burst: int = 3


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


class ChannelPace:
    async def reserve(
        self, session: AsyncSession, channel: str, count: int, per_second: float | None, now: datetime
    ) -> list[datetime]:
        """The moments at which `count` messages of `channel` may go, reserved for this worker. Without a limit
        there is nothing to reserve: they may all go now (a paused channel is not claimed from at all), and the
        channel's row is not even read, nor locked against the other workers' claims."""
        if not per_second:
            return [now] * count
        row = await self._row(session, channel, now)
        start = max(now, _aware(row.next_slot), _aware(row.paused_until) or now)
        interval = timedelta(seconds=1 / per_second)
        row.next_slot = start + interval * count
        return [start + interval * number for number in range(count)]

    async def pause(self, session: AsyncSession, channel: str, until: datetime, reason: str, now: datetime) -> None:
        row = await self._row(session, channel, now)
        if _aware(row.paused_until) is None or _aware(row.paused_until) < until:
            row.paused_until, row.pause_reason = until, reason[:200]

    async def paused(self, session: AsyncSession, now: datetime) -> dict[str, datetime]:
        """The channels the platform has paused ("too fast") at `now`, each with when its pause ends."""
        return {channel: _aware(until) for channel, until in await session.execute(_PAUSED, {"now": now})}

    @staticmethod
    async def _row(session: AsyncSession, channel: str, now: datetime) -> DeliveryPace:
        query = _LOCKED_ROW if session.bind.dialect.name == "postgresql" else _ROW
        row = await session.scalar(query, {"channel": channel})
        if row is None:  # the channel's first batch; another worker (or lane) may be making the row right now
            dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
            await session.execute(
                dialect.insert(DeliveryPace.__table__).values(channel=channel, next_slot=now).on_conflict_do_nothing()
            )
            row = await session.scalar(query.execution_options(populate_existing=True), {"channel": channel})
        return row


# Built once: every claim reads the pauses, and a rate-limited channel's claim its row (building a statement
# cost more than running it).
_PAUSED = select(DeliveryPace.channel, DeliveryPace.paused_until).where(DeliveryPace.paused_until > bindparam("now"))
_ROW = select(DeliveryPace).where(DeliveryPace.channel == bindparam("channel"))
_LOCKED_ROW = _ROW.with_for_update()


class ChatPace:
    """A generic cell rate algorithm per chat: `per_second` on average, `burst` at once."""

    def __init__(self, per_second: float | None, burst: int = 3):
        self.interval = 1 / per_second if per_second else 0.0
        self.tolerance = self.interval * max(burst - 1, 0)
        self._arrival: dict[str, float] = {}

    def delay(self, chat: str, now: float) -> float:
        """Seconds to wait before sending to `chat`; reserves the slot."""
        if not self.interval:
            return 0.0
        arrival = max(self._arrival.get(chat, now), now)
        wait = max(0.0, arrival - self.tolerance - now)
        self._arrival[chat] = arrival + self.interval
        if len(self._arrival) > 100_000:  # forget chats long idle, so memory does not grow with every person
            self._arrival = {key: value for key, value in self._arrival.items() if value > now}
        return wait


def backoff(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds before attempt `attempt + 1`: base·2^(attempt-1), at most `cap`, times a jitter in [0.5, 1]."""
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return ceiling * (rng or random).uniform(0.5, 1.0)


class SendWindow:
    """Within one process, at most `per_second` messages of a channel in any second (a 1 % margin for the
    network's jitter), counted from when they actually left. Bulk also goes evenly: one interval (with the same
    margin) after the bulk message before it was planned to go, so a sleep that wakes a little late does not add
    up over thousands of messages, and a batch delayed by a pause is not made up in a burst that the network's
    jitter could squeeze into one second at the platform. An answer goes at once while the last second has room
    for it (a broadcast paced below the limit leaves some), else when the oldest message falls out of it."""

    MARGIN = 1.01

    def __init__(self) -> None:
        self._left: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._turns: dict[str, asyncio.Lock] = collections.defaultdict(asyncio.Lock)
        self._next: dict[str, float] = {}  # when the next bulk message is planned to go, at the earliest

    def has_room(self, channel: str, per_second: float, now: float) -> bool:
        return self._wait(channel, per_second, now) <= 0

    async def wait_turn(self, channel: str, per_second: float | None, evenly: bool = True) -> None:
        if not per_second:
            return
        loop = asyncio.get_running_loop()
        ready = loop.time()
        async with self._turns[channel] if evenly else contextlib.nullcontext():
            planned = ready
            if evenly:
                planned = max(self._next.get(channel, ready), ready)
                self._next[channel] = planned + self.MARGIN / per_second
            while (wait := max(planned - loop.time(), self._wait(channel, per_second, loop.time()))) > 0:
                await asyncio.sleep(wait)
            self._left[channel].append(loop.time())

    def _wait(self, channel: str, per_second: float, now: float) -> float:
        """Seconds until the last second has room: 30/s → 30 in any 1.01 s; 0.5/s → 1 in any 2.02 s."""
        count = max(1, int(per_second))
        seconds = self.MARGIN * count / per_second
        left = self._left[channel]
        while left and left[0] <= now - seconds:
            left.popleft()
        return left[0] + seconds - now if len(left) >= count else 0.0


class SlotPool:
    """The slots one process reserved on a channel, given out by priority: each message brings the slot it
    reserved and waits; whenever the earliest slot in the pool is due, the most urgent waiting message (lowest
    priority number, then the first come) goes in it. An answer reserved behind a batch of notices thus goes in
    the first notice's slot, and that notice in the answer's later one: the process sends at exactly the moments
    it reserved, so the channel's limit across processes holds, and answers do not wait for bulk."""

    def __init__(self) -> None:
        self._slots: list[float] = []  # loop times
        self._waiting: list[tuple[int, int]] = []  # (priority, arrival)
        self._arrivals = itertools.count()
        self._changed = asyncio.Condition()

    async def give(self, at: float) -> None:
        """A slot reserved by a message that went without it (an answer, in the room beside the slots) is left
        to the others: the process sends no more messages than it reserved slots."""
        heapq.heappush(self._slots, at)
        async with self._changed:
            self._changed.notify_all()

    async def take(self, at: float, priority: int) -> None:
        """Brings the slot at loop time `at` and returns when this message may go."""
        me = (priority, next(self._arrivals))
        heapq.heappush(self._slots, at)
        heapq.heappush(self._waiting, me)
        loop = asyncio.get_running_loop()
        async with self._changed:
            self._changed.notify_all()  # a more urgent waiter may now be first
            try:
                while True:
                    wait = self._slots[0] - loop.time()
                    if self._waiting[0] == me and wait <= 0:
                        heapq.heappop(self._slots)
                        heapq.heappop(self._waiting)
                        self._changed.notify_all()
                        return
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(wait if self._waiting[0] == me else None):
                            await self._changed.wait()
            except asyncio.CancelledError:  # leaves, with the slot it brought, for the others
                self._waiting.remove(me)
                heapq.heapify(self._waiting)
                self._changed.notify_all()
                raise
