"""Queries the engine and handlers share, so no SQL is written twice."""

from __future__ import annotations

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    Application,
    AuditEntry,
    ChecklistTick,
    Contact,
    ConversationState,
    EligibilityResult,
    InboxUpdate,
    OutboxMessage,
    PackageProfile,
    ReturneeProfile,
)

# Tables holding what a person told the bot, deleted when they withdraw consent.
TOLD_BY_THE_PERSON = (PackageProfile, ChecklistTick, EligibilityResult, ReturneeProfile, Application)


async def lock_person(session: AsyncSession, channel: str, external_id: str) -> None:
    """On PostgreSQL, holds a transaction-scoped lock on one person across all bot processes."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"{channel}:{external_id}"}
        )


async def load_person(session: AsyncSession, channel: str, external_id: str) -> tuple[Contact, ConversationState]:
    """The person (created at first contact) and their saved state, in one query. A new state is stored only
    when the caller adds it to the session."""
    found = (
        await session.execute(
            select(Contact, ConversationState)
            .outerjoin(ConversationState, ConversationState.contact_id == Contact.id)
            .where(Contact.channel == channel, Contact.external_id == external_id)
        )
    ).first()
    if found is None:
        contact = Contact(channel=channel, external_id=external_id, status="active", kind="unknown")
        session.add(contact)
        await session.flush()
        state = None
    else:
        contact, state = found
    return contact, state if state is not None else ConversationState(contact_id=contact.id, state=None, data={})


async def audit(session: AsyncSession, action: str, contact: Contact | None = None, **details) -> None:
    session.add(AuditEntry(action=action, contact_id=contact.id if contact else None, details=details))


async def count_audit_entries(session: AsyncSession, contact: Contact) -> int:
    return await session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.contact_id == contact.id))


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
