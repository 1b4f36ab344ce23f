"""The conversation of an open referral: what the person writes goes to the focal point and the answers come
back, each kept (`referral_messages`, in order) and queued through the outbox, labelled with who wrote it;
a file goes after its text, between platforms through `bot.media`. Either side can end it. A message to
someone the platform cannot reach is kept and the writer is told."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import places
from bot.conversation import Button, Incoming, Media, Reply
from bot.delivery import outbox
from bot.i18n import N_, texts
from bot.media import formats
from bot.media import store as media_store
from bot.returnees import buttons
from bot.returnees.referrals import area_label, contact_of, holder_of
from bot.storage.models import Contact, Official, Referral, ReferralMessage

ATTACHMENT_LABELS = {
    "voice": N_("[voice note]"),
    "audio": N_("[audio]"),
    "photo": N_("[photo]"),
    "video": N_("[video]"),
    "document": N_("[file]"),
}


def shown(t, text: str, attachment: str | None) -> str:
    """The words of a message, with what it carried that cannot be passed on written as a label."""
    label = t.gettext(ATTACHMENT_LABELS.get(attachment, N_("[file]"))) if attachment else ""
    return " ".join(part for part in (label, text) if part)


def keep(
    session: AsyncSession, referral: Referral, person: Contact, sender: str, text: str, attachment: str | None, now
) -> None:
    """Keeps a message of the conversation under the person (it goes with them on /forget), whoever wrote it."""
    session.add(
        ReferralMessage(
            referral_id=referral.id,
            contact_id=person.id,
            sender=sender,
            text=text,
            attachment=attachment,
            created_at=now,
        )
    )


def words(incoming: Incoming) -> str:
    """What a message says: its text, or the caption of the file it carried."""
    return (incoming.text or (incoming.caption or "").strip())[: ReferralMessage.text.type.length]


async def media_of(
    session: AsyncSession, incoming: Incoming, person: Contact, writer: Contact | None, recipient: Contact, now
) -> Media | None:
    """The file a message carried, to go after the text about it: from Telegram to Telegram by its file_id, else
    through `bot.media.store` (the recipient's sender fetches it where it came from and uploads it). None when
    nothing can go: no file id (a malformed update, a video note), a side without files (the console), or a
    recipient nothing may be queued for."""
    if not incoming.attachment or not incoming.attachment_ref or outbox.not_to_notify(recipient) is not None:
        return None
    caption = words(incoming)
    if incoming.channel == recipient.channel == "telegram":
        return Media(incoming.channel, incoming.attachment, incoming.attachment_ref, caption=caption)
    if incoming.channel not in formats.DOWNLOAD_LIMIT or recipient.channel not in formats.UPLOAD:
        return None
    stored = await media_store.register(
        session,
        owner=person,
        writer=writer,
        channel=incoming.channel,
        ref=incoming.attachment_ref,
        kind=incoming.attachment,
        mime_type=incoming.attachment_mime,
        file_name=incoming.attachment_name,
        size=incoming.attachment_size,
        now=now,
    )
    return Media(incoming.channel, incoming.attachment, incoming.attachment_ref, stored=stored, caption=caption)


async def from_person(
    session: AsyncSession, referral: Referral, person: Contact, incoming: Incoming, now: datetime
) -> outbox.NotQueued | None:
    """Passes the person's message to the focal point who has the referral; why not, when it could not be."""
    text, attachment = words(incoming), incoming.attachment
    keep(session, referral, person, "person", text, attachment, now)
    holder = await holder_of(session, referral)
    contact = await contact_of(session, holder.official if holder else None)
    if contact is None:
        return outbox.NotQueued.UNREACHABLE
    t = texts(contact.language or "ru")
    place = await places.get(session, referral.area_id)
    heading = t.gettext("Request No. {number} ({area}), the person writes:").format(
        number=referral.id, area=places.display_name(place, t.language) if place else "—"
    )
    media = await media_of(session, incoming, person, person, contact, now)
    choices = [
        [Button(buttons.fp("reply", referral.id), t.gettext("Answer"))],
        [Button(buttons.fp("close", referral.id), t.gettext("Close the request"), t.gettext("Close request"))],
    ]
    return await outbox.queue_for_contact(
        session,
        contact,
        [Reply(f"{heading}\n{shown(t, text, attachment)}", choices, media=media)],
        now,
        kind=outbox.Kind.RELAY,
    )


async def from_focal_point(
    session: AsyncSession, referral: Referral, official: Official, incoming: Incoming, now: datetime
) -> outbox.NotQueued | None:
    """Passes the focal point's answer to the person, labelled with who answers."""
    text, attachment = words(incoming), incoming.attachment
    person = await session.get(Contact, referral.contact_id) if referral.contact_id else None
    if person is None:
        return outbox.NotQueued.UNREACHABLE
    keep(session, referral, person, "focal_point", text, attachment, now)
    t = texts(person.language or "ru")
    area = await places.get(session, referral.area_id)
    heading = t.gettext("Answer from {who} (request No. {number}):").format(
        who=area_label(t, area, official), number=referral.id
    )
    writer = await contact_of(session, official)
    media = await media_of(session, incoming, person, writer, person, now)
    choices = [
        [Button(buttons.ret("end", referral.id), t.gettext("End the conversation"), t.gettext("End conversation"))]
    ]
    return await outbox.queue_for_contact(
        session,
        person,
        [Reply(f"{heading}\n{shown(t, text, attachment)}", choices, media=media)],
        now,
        kind=outbox.Kind.RELAY,
    )


async def messages_of(session: AsyncSession, contact: Contact) -> list[ReferralMessage]:
    return list(
        await session.scalars(
            select(ReferralMessage).where(ReferralMessage.contact_id == contact.id).order_by(ReferralMessage.id)
        )
    )


async def count_for(session: AsyncSession, contact: Contact) -> int:
    return await session.scalar(
        select(func.count()).select_from(ReferralMessage).where(ReferralMessage.contact_id == contact.id)
    )
