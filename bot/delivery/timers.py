"""Timers: things due at a time — remind, check in, send a scheduled broadcast — kept in the database and
fired by the worker, so a restart loses none.

A feature registers what a kind of timer does (`@on_timer("tracking.remind")`), and schedules or cancels
timers by key in its own transactions. The worker fires a due timer in a transaction of its own: what the
timer's function writes (outbox rows, a new timer) commits together with the timer being marked done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import registry
from bot.delivery.registry import Registry
from bot.delivery.wakeup import wake_after_commit
from bot.storage.models import Contact, Timer

TimerAction = Callable[[AsyncSession, Timer, datetime], Awaitable[None]]

_ACTIONS: Registry[TimerAction] = Registry("timer kind")
on_timer = _ACTIONS.register
action_for = _ACTIONS.get


async def schedule(
    session: AsyncSession,
    kind: str,
    due_at: datetime,
    *,
    key: str | None = None,
    contact: Contact | None = None,
    payload: dict[str, Any] | None = None,
) -> Timer:
    """Schedules a timer; with a `key`, an earlier timer of that key is moved instead (even one that fired)."""
    timer = await session.scalar(select(Timer).where(Timer.key == key)) if key else None
    if timer is None and key:
        timer = await _made_once(session, kind, key, due_at)
    elif timer is None:
        timer = Timer(kind=kind)
        session.add(timer)
    timer.kind, timer.due_at, timer.payload = kind, due_at, payload or {}
    timer.contact_id = contact.id if contact else None
    timer.status, timer.attempts, timer.last_error, timer.lease_until, timer.fired_at = "pending", 0, None, None, None
    await session.flush()
    wake_after_commit(session, "timers")
    return timer


async def _made_once(session: AsyncSession, kind: str, key: str, due_at: datetime) -> Timer:
    """The row of a new key, made even while another process makes it too (two workers starting together
    schedule the same maintenance timer): the database keeps one, and both go on with it."""
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    await session.execute(
        insert(Timer).values(kind=kind, key=key, due_at=due_at).on_conflict_do_nothing(index_elements=["key"])
    )
    return await session.scalar(select(Timer).where(Timer.key == key).execution_options(populate_existing=True))


async def schedule_many(session: AsyncSession, timers: list[Timer], replacing: list[str]) -> None:
    """Schedules many keyed timers at once (a bulk import), in a few statements instead of a few per timer:
    the timers of the keys `replacing` (which include the new timers' keys) go first, unless firing right now."""
    keys = list(replacing)
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        await session.execute(delete(Timer).where(Timer.key.in_(chunk), Timer.status != "running"))
    session.add_all(timers)
    await session.flush()
    if timers:
        wake_after_commit(session, "timers")


async def cancel(session: AsyncSession, key: str) -> bool:
    """Cancels a pending timer; False when there was none."""
    result = await session.execute(delete(Timer).where(Timer.key == key, Timer.status == "pending"))
    return result.rowcount > 0


async def claim_due(session: AsyncSession, now: datetime, limit: int, lease: timedelta) -> list[int]:
    query = select(Timer.id).where(Timer.status == "pending", Timer.due_at <= now).order_by(Timer.due_at).limit(limit)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list((await session.scalars(query)).all())
    if ids:
        await session.execute(
            update(Timer)
            .where(Timer.id.in_(ids))
            .values(status="running", lease_until=now + lease, attempts=Timer.attempts + 1)
        )
    return ids


async def release_expired_leases(session: AsyncSession, now: datetime) -> int:
    return await registry.release_expired_leases(session, Timer, "running", now)


async def next_due(session: AsyncSession) -> datetime | None:
    return await session.scalar(select(func.min(Timer.due_at)).where(Timer.status == "pending"))


async def prune(session: AsyncSession, older_than: datetime) -> int:
    result = await session.execute(
        delete(Timer).where(Timer.status.in_(("done", "failed")), Timer.fired_at < older_than)
    )
    return result.rowcount
