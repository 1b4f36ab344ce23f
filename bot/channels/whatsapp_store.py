"""What the WhatsApp channel keeps: the messages it sent and their delivery status, and who is unreachable."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.whatsapp_inbound import CHANNEL, StatusUpdate
from bot.storage.models import Contact, WhatsAppMessage, utcnow

UNDELIVERABLE = "undeliverable"  # a contacts.status: WhatsApp said 131026; a message from them makes it active
UNDELIVERABLE_CODE = 131026
# Statuses may arrive out of order (read before delivered); a later stage never goes back to an earlier one.
STAGES = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


async def find_contact(session: AsyncSession, external_id: str) -> Contact | None:
    return await session.scalar(select(Contact).where(Contact.channel == CHANNEL, Contact.external_id == external_id))


async def record_sent(session: AsyncSession, contact_id: int, wamids: list[str]) -> None:
    """Notes messages sent; a status that came back first is kept."""
    if not wamids:
        return
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    now = utcnow()
    rows = [
        {"wamid": wamid, "contact_id": contact_id, "status": "accepted", "created_at": now, "updated_at": now}
        for wamid in wamids
    ]
    await session.execute(dialect.insert(WhatsAppMessage).values(rows).on_conflict_do_nothing())


async def record_status(session: AsyncSession, status: StatusUpdate) -> None:
    """Records a delivery status against its message; a message failed as undeliverable marks its contact."""
    message = await session.get(WhatsAppMessage, status.wamid)
    if message is None:  # the status came before we noted the message as sent
        contact = await find_contact(session, status.recipient)
        if contact is None:
            return
        message = WhatsAppMessage(wamid=status.wamid, contact_id=contact.id, status="accepted")
        session.add(message)
    if STAGES.get(status.status, -1) > STAGES.get(message.status, -1):
        message.status = status.status
        message.error_code, message.error_title = status.error_code, status.error_title
        message.updated_at = utcnow()
    if status.status == "failed" and status.error_code == UNDELIVERABLE_CODE:
        await mark_undeliverable(session, message.contact_id)


async def mark_undeliverable(session: AsyncSession, contact_id: int) -> None:
    """Only an active contact: one who chose /stop stays stopped."""
    await session.execute(
        update(Contact).where(Contact.id == contact_id, Contact.status == "active").values(status=UNDELIVERABLE)
    )


async def reachable_again(session: AsyncSession, external_id: str) -> None:
    """A person who just wrote to us can be reached again."""
    await session.execute(
        update(Contact)
        .where(Contact.channel == CHANNEL, Contact.external_id == external_id, Contact.status == UNDELIVERABLE)
        .values(status="active")
    )
