"""Rate limits and back-off.

- `ChannelPace`: a channel's limit (messages per second) held across every worker process: each batch reserves
  its slots on the channel's `delivery_pace` row (locked on PostgreSQL), then each message waits for its slot.
  A platform's "too fast" pauses the channel for the time it names, for all workers.
- `Spacing`: the same limit kept between this process's own sends, whatever the timing of the slots.
- `ChatPace`: one chat's limit (Telegram: about one message a second per chat), with a short burst so that a
  multi-part answer goes at once. Kept per process: one person's messages go one at a time, in order, so a
  second worker rarely sends to the same chat at the same moment, and the platform's own 429 covers the rest.
- `backoff`: the wait before retrying a failed send, growing with each attempt, with jitter, up to a cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
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
        """The moments at which `count` messages of `channel` may go, reserved for this worker."""
        row = await self._row(session, channel, now)
        start = max(now, _aware(row.next_slot), _aware(row.paused_until) or now)
        if not per_second:
            return [start] * count
        interval = timedelta(seconds=1 / per_second)
        row.next_slot = start + interval * count
        return [start + interval * number for number in range(count)]

    async def pause(self, session: AsyncSession, channel: str, until: datetime, reason: str, now: datetime) -> None:
        row = await self._row(session, channel, now)
        if _aware(row.paused_until) is None or _aware(row.paused_until) < until:
            row.paused_until, row.pause_reason = until, reason[:200]

    async def paused_until(self, session: AsyncSession, channel: str) -> datetime | None:
        return _aware(await session.scalar(select(DeliveryPace.paused_until).where(DeliveryPace.channel == channel)))

    @staticmethod
    async def _row(session: AsyncSession, channel: str, now: datetime) -> DeliveryPace:
        query = select(DeliveryPace).where(DeliveryPace.channel == channel)
        if session.bind.dialect.name == "postgresql":
            query = query.with_for_update()
        row = await session.scalar(query)
        if row is None:
            row = DeliveryPace(channel=channel, next_slot=now)
            session.add(row)
            await session.flush()
            if session.bind.dialect.name == "postgresql":  # another worker may have made it meanwhile
                row = await session.scalar(query.execution_options(populate_existing=True))
        return row


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


class Spacing:
    """Within one process, never two messages of a channel closer than its limit allows, measured from when the
    previous one actually left (not when it was planned to), with a 1 % margin for the network's jitter: a late
    message pushes the ones after it, never crowds them.

    The turns go by priority, then arrival: an answer to a person who is chatting takes the next turn ahead of
    broadcast parts already waiting for theirs, so a broadcast never makes an answer wait more than one gap."""

    MARGIN = 1.01

    def __init__(self) -> None:
        self._left: dict[str, float] = {}
        self._turns: dict[str, PriorityTurns] = {}

    async def wait_turn(self, channel: str, per_second: float | None, priority: int = 0) -> None:
        if not per_second:
            return
        loop = asyncio.get_running_loop()
        async with self._turns.setdefault(channel, PriorityTurns()).turn(priority):
            wait = self._left.get(channel, float("-inf")) + self.MARGIN / per_second - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._left[channel] = loop.time()


class PriorityTurns:
    """A lock whose waiters get it lowest priority first, then in the order they came."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: list[tuple[int, int, asyncio.Future]] = []
        self._arrivals = itertools.count()

    @contextlib.asynccontextmanager
    async def turn(self, priority: int):
        if self._held or self._waiting:
            ready = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (priority, next(self._arrivals), ready))
            try:
                await ready
            except asyncio.CancelledError:
                if ready.done() and not ready.cancelled():  # the turn was handed over just now: pass it on
                    self._hand_over()
                raise
        self._held = True
        try:
            yield
        finally:
            self._hand_over()

    def _hand_over(self) -> None:
        while self._waiting:
            *_, ready = heapq.heappop(self._waiting)
            if not ready.done():
                ready.set_result(None)
                return
        self._held = False
