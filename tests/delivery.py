"""A worker for tests: the real one, with short waits, and a way to wait until everything is delivered."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import and_, func, or_, select

from bot.clock import Clock
from bot.delivery.worker import Worker
from bot.delivery.worker_settings import WorkerSettings
from bot.engine import Engine
from bot.storage.database import Database
from bot.storage.models import InboxUpdate, OutboxMessage, Timer

QUICK = WorkerSettings(lease=timedelta(seconds=30), idle_poll=0.05, backoff_base=0.01, backoff_cap=0.05, max_attempts=3)


def quick(**changes) -> WorkerSettings:
    return replace(QUICK, **changes)


@contextlib.asynccontextmanager
async def running_worker(engine: Engine, senders: dict, settings: WorkerSettings = QUICK) -> AsyncIterator[Worker]:
    worker = Worker(engine, senders, settings)
    await worker.start()
    try:
        yield worker
    finally:
        await worker.stop()


async def waiting_work(database: Database, clock: Clock | None = None) -> int:
    """Updates not yet processed, messages not yet sent (or waiting for a retry), timers firing, and with the
    test's `clock`, timers due by it."""
    async with database.transaction() as session:
        updates = await session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.status != "done")
        )
        messages = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status.in_(("pending", "sending")))
        )
        firing = Timer.status == "running"
        if clock is not None:
            firing = or_(firing, and_(Timer.status == "pending", Timer.due_at <= clock.now()))
        timers = await session.scalar(select(func.count()).select_from(Timer).where(firing))
    return updates + messages + timers


async def settled(database: Database, clock: Clock | None = None, timeout: float = 15, quiet: float = 0.05) -> None:
    """Waits until nothing is left to process or send (or to fire, by `clock`: a test that moved it on)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await waiting_work(database, clock) == 0:
            await asyncio.sleep(quiet)
            if await waiting_work(database, clock) == 0:
                return
        await asyncio.sleep(quiet)
    raise AssertionError(f"still {await waiting_work(database, clock)} rows waiting after {timeout} s")
