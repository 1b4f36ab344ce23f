"""Waking the worker the moment there is work, so a queued answer adds no polling delay.

A transaction that queues work names its topic (`wake_after_commit(session, "outbox")`). When it commits,
`Database.transaction` sets the topic's event in this process and, on PostgreSQL, sends `NOTIFY joldas_<topic>`
inside the transaction, so workers in other processes (listening with `Listener`) wake too, once it commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

# "outbox": answers and relays to send; "bulk": notices and broadcast parts (the worker's two lanes of the outbox).
TOPICS = ("inbox", "outbox", "bulk", "timers")


def wake_after_commit(session: AsyncSession, topic: str) -> None:
    session.info.setdefault("wake", set()).add(topic)


def channel_name(topic: str) -> str:
    return f"joldas_{topic}"


class Wakeups:
    """One event per topic in this process."""

    def __init__(self) -> None:
        self._events = {topic: asyncio.Event() for topic in TOPICS}

    def set(self, topics) -> None:
        for topic in topics:
            self._events[topic].set()

    async def wait(self, topic: str, timeout: float) -> bool:
        """Waits until the topic is woken or `timeout` seconds pass; True when woken. Clears the event."""
        event = self._events[topic]
        if not event.is_set():
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation that arrives as
            # the event is set, and a worker being stopped would then run on.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await event.wait()
        woken = event.is_set()
        event.clear()
        return woken


class Listener:
    """LISTENs on PostgreSQL for the other processes' NOTIFYs and sets this process's events; reconnects
    after a lost connection (the worker also polls, so a missed wake-up only delays, never loses, work)."""

    def __init__(self, dsn: str, wakeups: Wakeups, retry_every: float = 2.0):
        self.dsn = dsn
        self.wakeups = wakeups
        self.retry_every = retry_every
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="joldas-listener")

    async def _run(self) -> None:
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(self.dsn, timeout=10)
                await self._listen(connection)
            except (OSError, asyncpg.PostgresError, TimeoutError) as error:
                log.warning("LISTEN connection failed (%s); retrying in %.0f s", error, self.retry_every)
            finally:
                if connection is not None and not connection.is_closed():
                    await connection.close()
            await asyncio.sleep(self.retry_every)

    async def _listen(self, connection: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        for topic in TOPICS:
            await connection.add_listener(channel_name(topic), self._notified)
        self.wakeups.set(TOPICS)  # whatever was queued while we were not listening
        while not lost.is_set():  # a server gone away is noticed here, not only when it says goodbye
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(10):
                    await lost.wait()
            if not lost.is_set():
                await connection.execute("SELECT 1")

    def _notified(self, _connection, _pid, channel: str, _payload: str) -> None:
        self.wakeups.set([channel.removeprefix("joldas_")])

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            while not self._task.done():
                await asyncio.wait({self._task}, timeout=1)
                self._task.cancel()
