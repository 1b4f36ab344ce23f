"""What the WhatsApp channel keeps: the delivery status of each message it sent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.whatsapp_inbound import CHANNEL, StatusUpdate
from bot.storage.models import Contact, OutboxMessage, WhatsAppMessage, utcnow

# Statuses may arrive out of order (read before delivered); a later stage never goes back to an earlier one.
STAGES = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


async def find_contact(session: AsyncSession, external_id: str) -> Contact | None:
    return await session.scalar(select(Contact).where(Contact.channel == CHANNEL, Contact.external_id == external_id))


async def record_status(session: AsyncSession, status: StatusUpdate) -> None:
    """Records a delivery status against its message (what a failure means for the outbox is the channel's)."""
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


async def outbox_row(session: AsyncSession, wamid: str) -> OutboxMessage | None:
    return await session.scalar(
        select(OutboxMessage).where(OutboxMessage.channel == CHANNEL, OutboxMessage.platform_message_id == wamid)
    )
