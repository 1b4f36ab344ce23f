"""The inbox: an update is stored before the platform is told it arrived, and processed after.

A webhook stores and answers 200 (5xx when the database is down, so the platform sends it again); long
polling confirms an offset only once the updates before it are stored. (channel, update id) is unique, so a
redelivered update is stored once; the worker processes each row once, in the transaction that marks it done.
One person's updates are processed in the order they came, one at a time, whatever the number of workers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.conversation import Incoming
from bot.delivery import registry
from bot.delivery.wakeup import wake_after_commit
from bot.storage.models import InboxUpdate

KEPT_AFTER_PROCESSING = timedelta(days=7)  # longer than any platform redelivers (Telegram: a day)


def _insert(session: AsyncSession):
    """A Core insert into the table (not the ORM's bulk insert of the entity: a fraction of the cost per row)."""
    return (postgresql if session.bind.dialect.name == "postgresql" else sqlite).insert(InboxUpdate.__table__)


_PAYLOAD = tuple(field.name for field in fields(Incoming) if field.name not in ("channel", "update_id", "user_id"))


def _row(incoming: Incoming, now: datetime, status: str) -> dict:
    return {
        "channel": incoming.channel,
        "update_id": incoming.update_id,
        "user_id": incoming.user_id,
        "payload": {key: getattr(incoming, key) for key in _PAYLOAD},  # stored as JSON: no deep copy needed
        "status": status,
        "received_at": now,
        "done_at": now if status == "done" else None,
    }


async def store(session: AsyncSession, updates: Sequence[Incoming], now: datetime) -> int:
    """Stores updates for processing; a redelivered one is ignored. Returns how many were new."""
    if not updates:
        return 0
    statement = _insert(session).values([_row(incoming, now, "pending") for incoming in updates])
    result = await session.execute(statement.on_conflict_do_nothing())
    wake_after_commit(session, "inbox")
    return result.rowcount


async def record_processed(session: AsyncSession, incoming: Incoming, now: datetime) -> bool:
    """For an update processed as it arrives (the console, tests): stored already done. False when it was
    seen before."""
    statement = _insert(session).values(_row(incoming, now, "done")).on_conflict_do_nothing()
    return (await session.execute(statement)).rowcount == 1


_INBOX_COLUMNS = "channel, update_id, user_id, payload, status, attempts, received_at, done_at"
_SQLITE_PROCESSED = f"INSERT INTO inbox ({_INBOX_COLUMNS}) VALUES (?, ?, ?, ?, 'done', 0, ?, ?) ON CONFLICT DO NOTHING"
_SQLITE_DONE = "UPDATE inbox SET status = 'done', done_at = ?, lease_until = NULL WHERE id = ?"
# On PostgreSQL the same statement first takes the person's lock, held until the transaction ends, across all bot
# processes (one round trip for both).
_PERSON_LOCK = "(SELECT pg_advisory_xact_lock(hashtextextended({}, 0))) AS locked"
_POSTGRESQL_PROCESSED = (
    f"INSERT INTO inbox ({_INBOX_COLUMNS}) SELECT $1, $2, $3, $4, 'done', 0, $5, $6 "
    f"FROM {_PERSON_LOCK.format('$7')} ON CONFLICT DO NOTHING"
)
_POSTGRESQL_DONE = (
    f"UPDATE inbox SET status = 'done', done_at = $1, lease_until = NULL FROM {_PERSON_LOCK.format('$3')} "
    "WHERE inbox.id = $2"
)


def done_statement(dialect: Dialect, incoming: Incoming, row_id: int | None, now: datetime) -> tuple[str, tuple, bool]:
    """The first statement of an update's transaction, for `repository.enter_person` to run on the driver (SQL,
    parameters, whether it must write a row): a row the worker claimed marked done, or an update processed as it
    arrives stored already done (as `record_processed`: nothing written when it was seen before). On PostgreSQL
    it takes the person's lock first. Values converted as SQLAlchemy does."""
    moment = _moment(dialect)
    at = moment(now) if moment else now
    lock = () if dialect.name == "sqlite" else (f"{incoming.channel}:{incoming.user_id}",)
    if row_id is not None:
        return (_POSTGRESQL_DONE if lock else _SQLITE_DONE), (at, row_id, *lock), False
    row = _row(incoming, now, "done")
    params = (row["channel"], row["update_id"], row["user_id"], json.dumps(row["payload"]), at, at, *lock)
    return (_POSTGRESQL_PROCESSED if lock else _SQLITE_PROCESSED), params, True


@cache
def _moment(dialect: Dialect):
    return InboxUpdate.__table__.c.done_at.type._cached_bind_processor(dialect)


def incoming_of(row: InboxUpdate) -> Incoming:
    return Incoming(row.channel, row.user_id, row.update_id, **row.payload)


@cache
def _claim_query(dialect_name: str):
    """Built once (building it, with its alias, cost more than running it): the limit is a parameter."""
    earlier = aliased(InboxUpdate)
    blocked = exists().where(
        earlier.channel == InboxUpdate.channel,
        earlier.user_id == InboxUpdate.user_id,
        earlier.id < InboxUpdate.id,
        earlier.status != "done",
    )
    query = (
        select(InboxUpdate)
        .where(InboxUpdate.status == "pending", ~blocked)
        .order_by(InboxUpdate.id)
        .limit(bindparam("limit"))
    )
    return query.with_for_update(skip_locked=True) if dialect_name == "postgresql" else query


async def claim(session: AsyncSession, limit: int, now: datetime, lease: timedelta) -> list[InboxUpdate]:
    """The first waiting update of up to `limit` people, for this worker."""
    query = _claim_query(session.bind.dialect.name)
    rows = list((await session.scalars(query, {"limit": limit})).all())
    for row in rows:
        row.status, row.lease_until, row.attempts = "processing", now + lease, row.attempts + 1
    return rows


async def release(session: AsyncSession, row_id: int, error: str) -> None:
    """Processing failed outside the handler (the database went away): the update waits for another try."""
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.id == row_id)
        .values(status="pending", lease_until=None, last_error=error[:500])
    )


async def release_expired_leases(session: AsyncSession, now: datetime) -> int:
    return await registry.release_expired_leases(session, InboxUpdate, "processing", now)


async def prune(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(InboxUpdate).where(InboxUpdate.status == "done", InboxUpdate.done_at < now - KEPT_AFTER_PROCESSING)
    )
    return result.rowcount
