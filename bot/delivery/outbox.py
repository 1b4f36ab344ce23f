"""The outbox: every message to a person is a row, written in the transaction of the change that caused it.

Handlers return replies and the engine queues them here as answers; a feature that speaks first (a reminder,
a status notice, a relayed message, a broadcast) calls `queue_for_contact` and nothing else. Each row is one
platform message, already rendered for its channel (`bot.channels.rendering`), so a retry sends exactly one
message again, never the parts before it.

Ordering: messages to one address go in id order, one at a time (a row is claimed only when no earlier row
of its address is waiting or in flight). Across addresses: by priority (answers, relays, notices, broadcasts),
then age. Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of workers share the queue, and a
lease that expires when a worker dies.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.channels.rendering import render
from bot.conversation import Reply
from bot.delivery import registry
from bot.delivery.wakeup import wake_after_commit
from bot.i18n import texts
from bot.storage.models import Contact, OutboxMessage


class Kind(enum.StrEnum):
    ANSWER = "answer"  # a reply to what the person just sent
    RELAY = "relay"  # a message from a person (an official, a focal point) passed on
    NOTICE = "notice"  # a reminder, a status change: one person, caused by the bot
    BROADCAST = "broadcast"  # one part of a notice to many


PRIORITY = {Kind.ANSWER: 0, Kind.RELAY: 1, Kind.NOTICE: 2, Kind.BROADCAST: 3}


@dataclass(frozen=True)
class Lane:
    """Kinds the worker claims and sends together, in a loop of their own, woken by `topic`: answers never wait
    for a batch of bulk messages to be sent and recorded before they are claimed."""

    topic: str
    kinds: tuple[Kind, ...]

    @property
    def priorities(self) -> list[int]:
        return [PRIORITY[kind] for kind in self.kinds]


URGENT = (Kind.ANSWER, Kind.RELAY)  # someone is waiting for these now
LANES = (Lane("outbox", URGENT), Lane("bulk", (Kind.NOTICE, Kind.BROADCAST)))


def wake(session: AsyncSession, *kinds: Kind | str) -> None:
    """Wakes, once the transaction commits, the worker lanes that send these kinds (all of them when none named)."""
    for lane in LANES:
        if not kinds or any(Kind(kind) in lane.kinds for kind in kinds):
            wake_after_commit(session, lane.topic)


WAITING = ("pending", "sending")
FINISHED = ("sent", "dead", "dropped")


@dataclass(frozen=True)
class Outgoing:
    """A claimed row, as the sender sees it."""

    id: int
    channel: str
    address: str
    kind: str
    payload: dict[str, Any]
    contact_id: int | None
    attempts: int
    last_inbound_at: datetime | None = None  # when the person last wrote (WhatsApp's 24-hour window)
    not_before: datetime | None = None  # claimed a little ahead (bulk): not to go before this

    @property
    def priority(self) -> int:
        return PRIORITY[Kind(self.kind)]

    @property
    def urgent(self) -> bool:
        """An answer or a relay: someone is waiting for it now."""
        return Kind(self.kind) in URGENT


def _insert(session: AsyncSession):
    """A Core insert into the table (not the ORM's bulk insert of the entity: a fraction of the cost per row)."""
    return (postgresql if session.bind.dialect.name == "postgresql" else sqlite).insert(OutboxMessage.__table__)


async def queue(
    session: AsyncSession,
    *,
    now: datetime,
    channel: str,
    address: str,
    language: str,
    replies: Sequence[Reply],
    kind: Kind = Kind.ANSWER,
    contact_id: int | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    receipt: dict[str, Any] | None = None,
) -> int:
    """Queues replies to one address, rendered for its channel (after the platform's `receipt`, if any);
    returns the number of rows written.

    With `dedupe_key`, queuing the same thing twice (a timer fired again, a retried request) writes nothing
    the second time: each rendered message gets the key and its position.
    """
    t = texts(language)
    messages = [receipt] if receipt else []
    messages += [payload for reply in replies for payload in render(channel, reply, t, language)]
    if not messages:
        return 0
    rows = [
        {
            "contact_id": contact_id,
            "channel": channel,
            "address": address,
            "kind": kind.value,
            "priority": PRIORITY[kind],
            "payload": payload,
            "dedupe_key": f"{dedupe_key}#{number}" if dedupe_key else None,
            "not_before": not_before or now,
            "created_at": now,
        }
        for number, payload in enumerate(messages)
    ]
    statement = _insert(session).values(rows)
    if dedupe_key:
        statement = statement.on_conflict_do_nothing()
    result = await session.execute(statement)
    wake(session, kind)
    return result.rowcount if dedupe_key else len(rows)


@dataclass(frozen=True)
class Addressed:
    """One message already rendered for its channel, to one person: a row of `queue_many`."""

    contact_id: int | None
    channel: str
    address: str
    payload: dict[str, Any]
    dedupe_key: str
    not_before: datetime | None = None  # when it may go (a broadcast paced below the channel's limit)


async def queue_many(session: AsyncSession, messages: Sequence[Addressed], kind: Kind, now: datetime) -> dict[str, int]:
    """Queues many messages in one statement (a chunk of a broadcast: the caller checked consent, /stop and
    reachability in its query). A dedupe key already in the outbox is skipped; returns the new rows' ids by key."""
    if not messages:
        return {}
    rows = [
        {
            "contact_id": message.contact_id,
            "channel": message.channel,
            "address": message.address,
            "kind": kind.value,
            "priority": PRIORITY[kind],
            "payload": message.payload,
            "dedupe_key": message.dedupe_key,
            "not_before": message.not_before or now,
            "created_at": now,
        }
        for message in messages
    ]
    statement = (
        _insert(session).values(rows).on_conflict_do_nothing().returning(OutboxMessage.id, OutboxMessage.dedupe_key)
    )
    written = {key: row_id for row_id, key in await session.execute(statement)}
    wake(session, kind)
    return written


class NotQueued(enum.StrEnum):
    NO_CONSENT = "no consent to notices"
    STOPPED = "the person said /stop"
    UNREACHABLE = "the platform said the person cannot be reached"


def not_to_notify(contact: Contact) -> NotQueued | None:
    """Why a person may not be told anything now (no consent, /stop, unreachable), or None."""
    if contact.consent != "granted":
        return NotQueued.NO_CONSENT
    if contact.status == "stopped":
        return NotQueued.STOPPED
    if contact.unreachable_since is not None:
        return NotQueued.UNREACHABLE
    return None


async def queue_for_contact(
    session: AsyncSession,
    contact: Contact,
    replies: Sequence[Reply],
    now: datetime,
    kind: Kind = Kind.NOTICE,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> NotQueued | None:
    """What a feature calls to speak first. Respects consent, /stop and reachability; returns why a message
    was not queued, or None when it was."""
    if (reason := not_to_notify(contact)) is not None:
        return reason
    await queue(
        session,
        now=now,
        channel=contact.channel,
        address=contact.external_id,
        language=contact.language or "kk",
        replies=replies,
        kind=kind,
        contact_id=contact.id,
        dedupe_key=dedupe_key,
        not_before=not_before,
    )
    return None


async def claim(
    session: AsyncSession,
    channels: Iterable[str],
    limit: int,
    now: datetime,
    lease: timedelta,
    lane: Lane | None = None,
    ahead: timedelta = timedelta(0),
) -> list[Outgoing]:
    """Takes up to `limit` rows that may go within `ahead` of now (of `lane`'s kinds, else of any), the first
    waiting row of each address, for this worker."""
    query = _claim_query(session.bind.dialect.name, lane)
    parameters = {"until": now + ahead, "channels": list(channels), "limit": limit}
    ids = list((await session.scalars(query, parameters)).all())
    if not ids:
        return []
    await session.execute(_TAKE, {"ids": ids, "lease_until": now + lease})
    return [Outgoing(*row) for row in await session.execute(_TAKEN, {"ids": ids})]


@cache
def _claim_query(dialect_name: str, lane: Lane | None):
    """Built once per lane (building it, with its alias, cost more than running it): the moment, the channels and
    the limit are parameters."""
    earlier = aliased(OutboxMessage)
    blocked = exists().where(
        earlier.channel == OutboxMessage.channel,
        earlier.address == OutboxMessage.address,
        earlier.id < OutboxMessage.id,
        earlier.status.in_(WAITING),
    )
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.not_before <= bindparam("until"),
            OutboxMessage.channel.in_(bindparam("channels", expanding=True)),
            _of(lane),
            ~blocked,
        )
        .order_by(OutboxMessage.priority, OutboxMessage.id)
        .limit(bindparam("limit"))
    )
    return query.with_for_update(skip_locked=True) if dialect_name == "postgresql" else query


# The rest of a claim, built once too: the rows taken, then what the senders need of them.
_TAKE = (
    update(OutboxMessage)
    .where(OutboxMessage.id.in_(bindparam("ids", expanding=True)))
    .values(status="sending", lease_until=bindparam("lease_until"), attempts=OutboxMessage.attempts + 1)
    .execution_options(synchronize_session=False)
)
_TAKEN = (
    select(
        OutboxMessage.id,
        OutboxMessage.channel,
        OutboxMessage.address,
        OutboxMessage.kind,
        OutboxMessage.payload,
        OutboxMessage.contact_id,
        OutboxMessage.attempts,
        Contact.last_inbound_at,
        OutboxMessage.not_before,
    )
    .outerjoin(Contact, Contact.id == OutboxMessage.contact_id)
    .where(OutboxMessage.id.in_(bindparam("ids", expanding=True)))
    .order_by(OutboxMessage.priority, OutboxMessage.id)
)


async def release_expired_leases(session: AsyncSession, now: datetime) -> int:
    """Rows whose worker died mid-send go back to the queue (they may have reached the platform: at least once)."""
    return await registry.release_expired_leases(session, OutboxMessage, "sending", now)


def _of(lane: Lane | None):
    return OutboxMessage.priority.in_(lane.priorities) if lane else and_(True)


async def next_due(session: AsyncSession, channels: Iterable[str], lane: Lane) -> datetime | None:
    """When the earliest waiting row (of `lane`'s kinds) may go: how long an idle worker may sleep."""
    return await session.scalar(_next_due_query(lane), {"channels": list(channels)})


@cache
def _next_due_query(lane: Lane):
    return select(func.min(OutboxMessage.not_before)).where(
        OutboxMessage.status == "pending",
        OutboxMessage.channel.in_(bindparam("channels", expanding=True)),
        _of(lane),
    )


# --- results -------------------------------------------------------------------------------------------------


async def mark_sent(session: AsyncSession, sent: Sequence[tuple[int, str | None]], now: datetime) -> None:
    if sent:
        await session.execute(
            update(OutboxMessage),
            [
                {
                    "id": row_id,
                    "status": "sent",
                    "platform_message_id": message_id,
                    "finished_at": now,
                    "lease_until": None,
                    "last_error": None,
                }
                for row_id, message_id in sent
            ],
        )


async def retry_later(session: AsyncSession, row_id: int, at: datetime, reason: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status="pending", not_before=at, lease_until=None, last_error=reason[:500])
    )


async def replace_payload(session: AsyncSession, row_id: int, payload: dict[str, Any], reason: str) -> None:
    """Sends something else in the row's place (WhatsApp's template outside the 24-hour window), at once."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status="pending", payload=payload, lease_until=None, last_error=reason[:500])
    )


async def mark_dead(session: AsyncSession, row_id: int, reason: str, now: datetime) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status="dead", finished_at=now, lease_until=None, last_error=reason[:500])
    )


async def recipient_gone(session: AsyncSession, channel: str, address: str, reason: str, now: datetime) -> int:
    """The platform says this person cannot be reached: the contact becomes unreachable (a state apart from
    /stop) and everything queued for them is dropped, with the reason. Returns the rows dropped."""
    await session.execute(
        update(Contact)
        .where(Contact.channel == channel, Contact.external_id == address)
        .values(unreachable_since=now, unreachable_reason=reason[:200])
    )
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.address == address,
            OutboxMessage.status.in_(WAITING),
        )
        .values(status="dropped", finished_at=now, lease_until=None, last_error=reason[:500])
    )
    return result.rowcount


# --- operations ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    oldest_pending: datetime | None
    dead: list[tuple[int, str, str, str | None]]  # id, channel, kind, last error


async def summary(session: AsyncSession, dead_limit: int = 20) -> Summary:
    counts = dict(
        (await session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))).all()
    )
    oldest = await session.scalar(select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(WAITING)))
    dead = (
        await session.execute(
            select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.kind, OutboxMessage.last_error)
            .where(OutboxMessage.status == "dead")
            .order_by(OutboxMessage.id.desc())
            .limit(dead_limit)
        )
    ).all()
    return Summary(counts, oldest, [tuple(row) for row in dead])


def _chosen(ids: Sequence[int] | None):
    return OutboxMessage.id.in_(ids) if ids else and_(True)


async def retry_dead(session: AsyncSession, now: datetime, ids: Sequence[int] | None = None) -> int:
    """Dead rows (all, or those named) go back to the queue with a fresh count of attempts."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "dead", _chosen(ids))
        .values(status="pending", attempts=0, not_before=now, finished_at=None)
    )
    wake(session)
    return result.rowcount


async def drop_dead(session: AsyncSession, ids: Sequence[int] | None = None) -> int:
    result = await session.execute(delete(OutboxMessage).where(OutboxMessage.status == "dead", _chosen(ids)))
    return result.rowcount


async def prune_finished(session: AsyncSession, older_than: datetime) -> int:
    """Sent and dropped rows are kept a while for `joldas outbox` and delivery statuses, then deleted."""
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_(("sent", "dropped")), OutboxMessage.finished_at < older_than
        )
    )
    return result.rowcount
