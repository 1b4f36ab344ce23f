"""Where a file of the conversation waits between the outbox's tries (`media_files`): written without its
bytes when the message is relayed, filled by the sender's first try, deleted when the other side has it, with
the person (/forget, by the foreign key) or after `KEPT`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Contact, MediaFile

KEPT = timedelta(days=14)  # longer than the outbox's tries last; WhatsApp keeps received media about as long


@dataclass(frozen=True)
class Kept:
    """A stored file as /mydata names it: no bytes."""

    kind: str
    size: int | None
    created_at: datetime


async def register(
    session: AsyncSession,
    *,
    owner: Contact,
    writer: Contact | None,
    channel: str,
    ref: str,
    kind: str,
    mime_type: str | None,
    file_name: str | None,
    size: int | None,
    now: datetime,
) -> int:
    """A file to fetch from `channel` by `ref` when it is sent; returns its id for the outbox row."""
    row = MediaFile(
        contact_id=owner.id,
        writer_id=writer.id if writer else None,
        channel=channel,
        ref=ref[:256],
        kind=kind,
        mime_type=(mime_type or None) and mime_type[:128],
        file_name=(file_name or None) and file_name[:256],
        size=size,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row.id


async def load(session: AsyncSession, file_id: int) -> MediaFile | None:
    return await session.get(MediaFile, file_id)


async def keep_content(
    session: AsyncSession, file_id: int, content: bytes, mime_type: str | None, file_name: str | None, now: datetime
) -> bool:
    """Keeps the fetched bytes for the retries; False when the row is gone meanwhile (/forget)."""
    values = {
        "content": content,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "fetched_at": now,
    }
    if mime_type:
        values["mime_type"] = mime_type[:128]
    if file_name:
        values["file_name"] = file_name[:256]
    result = await session.execute(update(MediaFile).where(MediaFile.id == file_id).values(**values))
    return result.rowcount == 1


async def discard(session: AsyncSession, file_id: int) -> None:
    """Delivered (or not passable at all): nothing of it is kept."""
    await session.execute(delete(MediaFile).where(MediaFile.id == file_id))


async def of_contact(session: AsyncSession, contact: Contact) -> list[Kept]:
    rows = await session.execute(
        select(MediaFile.kind, MediaFile.size, MediaFile.created_at)
        .where(MediaFile.contact_id == contact.id)
        .order_by(MediaFile.id)
    )
    return [Kept(*row) for row in rows]


async def prune(session: AsyncSession, now: datetime) -> int:
    """Files older than `KEPT`: their messages died or were never claimed; the bytes must not outlive them."""
    result = await session.execute(delete(MediaFile).where(MediaFile.created_at < now - KEPT))
    return result.rowcount
