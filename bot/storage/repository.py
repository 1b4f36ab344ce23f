"""Queries the engine and handlers share, so no SQL is written twice."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict

from bot.delivery.outbox import PRIORITY, Kind
from bot.delivery.wakeup import channel_name, wake_after_commit
from bot.storage.database import Driver, notified_in_transaction
from bot.storage.models import (
    Application,
    AuditEntry,
    ChecklistTick,
    Contact,
    ConversationState,
    EligibilityResult,
    InboxUpdate,
    MediaFile,
    NoticeOptOut,
    Official,
    OutboxMessage,
    PackageProfile,
    Referral,
    ReferralMessage,
    ReturneeProfile,
)

# Tables holding what a person told the bot, deleted when they withdraw consent.
TOLD_BY_THE_PERSON = (PackageProfile, ChecklistTick, EligibilityResult, ReturneeProfile, Application)


@dataclass
class Person:
    """Who wrote, and where they are in a conversation: the contact (in the session, as if loaded by it) and
    their saved state as plain values (written back by `save_state` only when it changed)."""

    contact: Contact
    state: str | None
    data: dict[str, Any]
    stored_data: str | None  # the state's data as stored (JSON), None when the person has no state row yet


CONTACT_COLUMNS = tuple(Contact.__table__.c.keys())
_TOUCH = "SET last_inbound_at = {}, unreachable_since = NULL, unreachable_reason = NULL"  # they wrote: reachable


def _find(contacts: str) -> str:
    columns = ", ".join(f"c.{name}" for name in CONTACT_COLUMNS)
    return (
        f"SELECT {columns}, s.state, s.data, s.contact_id "
        f"FROM {contacts} AS c LEFT OUTER JOIN conversation_states AS s ON s.contact_id = c.id"
    )


_SQLITE_FIND = _find("contacts") + " WHERE c.channel = ? AND c.external_id = ?"
_SQLITE_TOUCH = f"UPDATE contacts {_TOUCH.format('?')} WHERE id = ?"
_CREATE = (
    "INSERT INTO contacts (channel, external_id, status, kind, created_at, last_inbound_at) "
    "VALUES ({}, {}, 'active', 'unknown', {}, {})"
)
_SQLITE_CREATE = _CREATE.format("?", "?", "?", "?")
_POSTGRESQL_CREATE = (
    _CREATE.format("$1", "$2", "$3", "$3")
    + " RETURNING "
    + ", ".join(CONTACT_COLUMNS)
    + ", NULL::varchar, NULL::json, NULL::integer"
)
_POSTGRESQL_TOUCH = (
    f"WITH touched AS (UPDATE contacts {_TOUCH.format('$1')} WHERE channel = $2 AND external_id = $3 RETURNING *) "
    + _find("touched")
)
_CONTACTS = Contact.__mapper__.class_manager


@cache
def _processors(dialect: Dialect) -> tuple[Any, list]:
    """SQLAlchemy's own conversions of the columns read and written here (dates as SQLite stores them, JSON),
    so that rows written on the driver are the same as through the session. (Also readies the ORM's mappings,
    which building a contact as loaded needs, before anything else has.)"""
    configure_mappers()
    table = Contact.__table__
    reads = [column.type._cached_result_processor(dialect, None) for column in table.c]
    reads.append(None)  # the state's name
    reads.append(ConversationState.__table__.c.data.type._cached_result_processor(dialect, None))
    reads.append(None)  # whether they have a state row
    return table.c.last_inbound_at.type._cached_bind_processor(dialect), reads


def _enter_sqlite(connection, inbox_sql: str, inbox_params: tuple, must_write: bool, key: tuple, now) -> Any:
    """In aiosqlite's thread: the inbox row, then the person, found and marked as having written; one hand-off.
    False when the inbox row was there already (a redelivered update), None when the person is new."""
    if connection.execute(inbox_sql, inbox_params).rowcount != 1 and must_write:
        return False
    row = connection.execute(_SQLITE_FIND, key).fetchone()
    if row is None:  # first contact
        connection.execute(_SQLITE_CREATE, (*key, now, now))
        return connection.execute(_SQLITE_FIND, key).fetchone()
    connection.execute(_SQLITE_TOUCH, (now, row[0]))
    return row


async def enter_person(
    session: AsyncSession,
    driver: Driver,
    channel: str,
    external_id: str,
    inbox_statement: tuple[str, tuple, bool],
    now: datetime,
) -> Person | None:
    """The start of every update's transaction, on the driver: the inbox statement (`inbox.done_statement`, which
    on PostgreSQL takes the person's lock, held until the transaction ends, across all bot processes), and the
    person marked as having just written (which also makes them reachable again), created at first contact
    (stamped with the engine's clock). None when the inbox statement wrote nothing: the update was handled before."""
    moment, reads = _processors(driver.dialect)
    inbox_sql, inbox_params, must_write = inbox_statement
    if driver.sqlite is not None:
        row = await driver.in_sqlite_thread(
            _enter_sqlite, inbox_sql, inbox_params, must_write, (channel, external_id), moment(now) if moment else now
        )
        if row is False:
            return None
    else:
        if await driver.asyncpg.execute(inbox_sql, *inbox_params) != "INSERT 0 1" and must_write:
            return None
        row = await driver.asyncpg.fetchrow(_POSTGRESQL_TOUCH, now, channel, external_id)
        if row is None:  # first contact (no other transaction can create them: this one holds their lock)
            row = await driver.asyncpg.fetchrow(_POSTGRESQL_CREATE, channel, external_id, now)
    values = [value if read is None else read(value) for value, read in zip(row, reads, strict=True)]
    contact = _CONTACTS.new_instance()  # as the ORM loads a row: values without history, then in the session
    loaded = instance_dict(contact)
    loaded.update(zip(CONTACT_COLUMNS, values, strict=False))
    loaded.update(last_inbound_at=now, unreachable_since=None, unreachable_reason=None)  # as just written
    make_transient_to_detached(contact)
    session.add(contact)
    state, data, has_state = values[len(CONTACT_COLUMNS) :]
    if has_state is None:
        return Person(contact, None, {}, None)
    return Person(contact, state, data, json.dumps(data))


_SQLITE_SAVE = (
    "INSERT INTO conversation_states (contact_id, state, data, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (contact_id) DO UPDATE SET state = excluded.state, data = excluded.data, "
    "updated_at = excluded.updated_at"
)
_POSTGRESQL_SAVE = _SQLITE_SAVE.replace("?, ?, ?, ?", "$1, $2, $3, $4")
_OUTBOX_COLUMNS = "contact_id, channel, address, kind, priority, payload, not_before, status, attempts, created_at"
_SQLITE_ANSWER = f"INSERT INTO outbox ({_OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)"


@cache
def _postgresql_finish(save: bool, answers: int) -> str:
    """One statement: the state saved (when `save`), the answers queued and the workers told (NOTIFY, sent when
    the transaction commits)."""
    parts, number = [], 4 if save else 0
    if save:
        parts.append(f"saved AS ({_POSTGRESQL_SAVE})")
    if answers:
        rows = []
        for _ in range(answers):
            first = number + 1
            values = ", ".join(f"${first + offset}" for offset in range(7))
            rows.append(f"({values}, 'pending', 0, ${first + 7})")
            number += 8
        parts.append(f"answers AS (INSERT INTO outbox ({_OUTBOX_COLUMNS}) VALUES {', '.join(rows)})")
    wake = f"pg_notify('{channel_name('outbox')}', '')" if answers else "NULL"
    return f"WITH {', '.join(parts)} SELECT {wake}"


def _finish_sqlite(connection, state: tuple | None, answers: list[tuple]) -> None:
    if state is not None:
        connection.execute(_SQLITE_SAVE, state)
    if answers:
        connection.executemany(_SQLITE_ANSWER, answers)


async def finish_person(
    session: AsyncSession,
    driver: Driver,
    person: Person,
    state: tuple[str | None, dict[str, Any]] | None,
    answers: list[dict[str, Any]],
    address: str,
    contact_id: int | None,
    now: datetime,
) -> None:
    """The end of every update's transaction, on the driver: where the person is now (`state`, None when they
    were forgotten), stored when it changed or they had no state yet, and the answers (each one platform
    message, rendered) queued in the outbox to `address` as `bot.delivery.outbox.queue` queues them."""
    moment, _ = _processors(driver.dialect)
    at = moment(now) if moment else now
    saved = None
    if state is not None:
        stored = json.dumps(state[1])
        if person.stored_data is None or state[0] != person.state or stored != person.stored_data:
            saved = (person.contact.id, state[0], stored, at)
    channel = person.contact.channel
    kind, priority = Kind.ANSWER.value, PRIORITY[Kind.ANSWER]
    rows = [(contact_id, channel, address, kind, priority, json.dumps(payload), at, at) for payload in answers]
    if driver.sqlite is not None:
        if saved is not None or rows:
            await driver.in_sqlite_thread(_finish_sqlite, saved, rows)
    elif saved is not None or rows:
        params = [*(saved or ()), *(value for row in rows for value in row)]
        await driver.asyncpg.execute(_postgresql_finish(saved is not None, len(rows)), *params)
        if rows:
            notified_in_transaction(session, "outbox")
    if rows:
        wake_after_commit(session, "outbox")


async def audit(session: AsyncSession, action: str, contact: Contact | None = None, **details) -> None:
    session.add(AuditEntry(action=action, contact_id=contact.id if contact else None, details=details))


# What /mydata lists, by the name the features look it up by: the tables that hold something of a person's.
KEPT_ABOUT_A_PERSON = {
    "role": Official,
    "package": PackageProfile,
    "ticks": ChecklistTick,
    "checks": EligibilityResult,
    "returnee": ReturneeProfile,
    "referrals": Referral,
    "relayed": ReferralMessage,
    "files": MediaFile,
    "application": Application,
    "opt_outs": NoticeOptOut,
}


@dataclass(frozen=True)
class Kept:
    """At a glance, what the bot keeps about a person: their entries in the audit log, and which kinds of
    record (`KEPT_ABOUT_A_PERSON`) hold anything of theirs, so /mydata reads the details of those only."""

    audit_entries: int
    held: frozenset[str]


async def what_is_kept(session: AsyncSession, contact: Contact) -> Kept:
    """One query for all of it: most people have only a few of these records, and a query per kind made /mydata
    five times the cost of any other answer."""
    row = (await session.execute(_WHAT_IS_KEPT, {"contact_id": contact.id})).one()
    return Kept(row[0], frozenset(name for name, has in zip(KEPT_ABOUT_A_PERSON, row[1:], strict=True) if has))


def _what_is_kept_query():
    """Built once (building its eleven parts cost several times running it), the person as a parameter."""
    person = bindparam("contact_id")
    audit = select(func.count()).select_from(AuditEntry).where(AuditEntry.contact_id == person).scalar_subquery()
    return select(audit, *(exists().where(table.contact_id == person) for table in KEPT_ABOUT_A_PERSON.values()))


_WHAT_IS_KEPT = _what_is_kept_query()


async def clear_what_was_told(session: AsyncSession, contact: Contact) -> None:
    """Consent withdrawn: everything the person told the bot goes; language and conversation place stay."""
    contact.kind = "unknown"
    contact.country = contact.region = contact.district = contact.locality = contact.place_id = None
    for table in TOLD_BY_THE_PERSON:
        await session.execute(delete(table).where(table.contact_id == contact.id))


async def forget_contact(session: AsyncSession, contact: Contact) -> None:
    """Deletes a person and everything kept about them; the audit log keeps only that it happened.

    Their messages go too: what was sent or queued to them (the outbox), and the words of what they sent (the
    inbox keeps only the update ids, so that a late redelivery is still recognised and not answered again).
    """
    await session.execute(delete(AuditEntry).where(AuditEntry.contact_id == contact.id))
    await session.execute(delete(ConversationState).where(ConversationState.contact_id == contact.id))
    await session.execute(delete(OutboxMessage).where(OutboxMessage.contact_id == contact.id))
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.channel == contact.channel, InboxUpdate.user_id == contact.external_id)
        .values(payload={})
    )
    await session.delete(contact)
    await audit(session, "contact.forgotten", channel=contact.channel)
