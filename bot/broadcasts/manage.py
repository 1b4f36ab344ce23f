"""What officials and operators do with broadcasts: write one, preview it, send or schedule it, stop it, read
its report, send it again to those it failed for. Every step is authorised (and so audited) by
`bot.officials.access`, on the broadcast's area; `actor=None` is the operator at the command line.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import places
from bot.broadcasts import audience, notice, report, schedule
from bot.broadcasts.report import CANCELLED, Preview
from bot.clock import country_code
from bot.config import get_settings
from bot.delivery import outbox, timers
from bot.delivery.outbox import Kind
from bot.i18n import USER_LANGUAGES
from bot.officials import access
from bot.storage.models import Broadcast, BroadcastDelivery, Contact, NoticeOptOut, Official, OutboxMessage, Place

RUN = "broadcast.run"


class Invalid(Exception):
    """A broadcast that cannot be made as asked. `reason`: no_text, too_long, unknown_language, fallback,
    unknown_audience, unknown_area, in_the_past, unknown_repeat, not_draft, organisation_too_long."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def timer_key(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"


def template_languages() -> set[str]:
    """The languages with an approved WhatsApp template configured (notices outside the 24-hour window)."""
    return set(get_settings().whatsapp_templates)


async def area_of(session: AsyncSession, broadcast: Broadcast) -> Place:
    return await places.get(session, broadcast.area_id)


def country_of(area: Place) -> str:
    return country_code(area.country)


def check_texts(texts: dict[str, str], fallback: str | None) -> tuple[dict[str, str], str]:
    """The texts cleaned (blank ones left out) and the fallback language; raises Invalid."""
    cleaned = {language: text.strip() for language, text in texts.items() if text and text.strip()}
    if not cleaned:
        raise Invalid("no_text")
    if set(cleaned) - set(USER_LANGUAGES):
        raise Invalid("unknown_language")
    if any(len(text) > notice.MAX_TEXT for text in cleaned.values()):
        raise Invalid("too_long")
    fallback = fallback or next(language for language in USER_LANGUAGES if language in cleaned)
    if fallback not in cleaned:
        raise Invalid("fallback")
    return cleaned, fallback


async def create(
    session: AsyncSession,
    actor: Official | None,
    *,
    area_id: str,
    audience_kind: str,
    texts: dict[str, str],
    now: datetime,
    fallback: str | None = None,
    organisation: str | None = None,
    silent_months: int | None = None,
) -> Broadcast:
    """A draft, authorised for the actor's scope; an official's notices carry their organisation."""
    await access.authorise(session, actor, "broadcast.create", area_id, now, audience=audience_kind)
    if not audience.known(audience_kind):
        raise Invalid("unknown_audience")
    cleaned, fallback = check_texts(texts, fallback)
    organisation = (actor.organisation if actor is not None else organisation) or None
    if organisation and len(organisation) > notice.MAX_ORGANISATION:
        raise Invalid("organisation_too_long")
    broadcast = Broadcast(
        area_id=area_id,
        audience=audience_kind,
        texts=cleaned,
        fallback_language=fallback,
        organisation=organisation,
        official_id=actor.id if actor is not None else None,
        silent_months=silent_months,
        status="draft",
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def find(
    session: AsyncSession, actor: Official | None, action: str, broadcast_id: int, now: datetime
) -> Broadcast:
    """The broadcast, if the actor may take `action` on it (its area is theirs); raises access.Denied."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        await access.refuse(session, actor, action, None, now, "unknown_broadcast", broadcast=broadcast_id)
    await access.authorise(session, actor, action, broadcast.area_id, now, broadcast=broadcast.id)
    return broadcast


async def preview(session: AsyncSession, broadcast: Broadcast, now: datetime) -> Preview:
    area = await area_of(session, broadcast)
    keys = await audience.region_keys_within(session, area)
    return await report.preview(session, broadcast, area, keys, now, template_languages())


async def send(
    session: AsyncSession,
    actor: Official | None,
    broadcast: Broadcast,
    now: datetime,
    at: datetime | None = None,
    repeat: str = "once",
) -> None:
    """Sends a draft now, or at `at` (UTC), once or repeating; the worker's timer does the rest."""
    action = "broadcast.send" if at is None else "broadcast.schedule"
    await access.authorise(
        session, actor, action, broadcast.area_id, now, broadcast=broadcast.id, at=at.isoformat() if at else None
    )
    if broadcast.status != "draft":
        raise Invalid("not_draft")
    if repeat not in schedule.REPEATS:
        raise Invalid("unknown_repeat")
    if at is not None and at <= now:
        raise Invalid("in_the_past")
    broadcast.first_at = broadcast.next_at = at or now
    broadcast.repeat, broadcast.status = repeat, "scheduled"
    await timers.schedule(session, RUN, broadcast.next_at, key=timer_key(broadcast.id), payload={"id": broadcast.id})


async def cancel(session: AsyncSession, actor: Official | None, broadcast: Broadcast, now: datetime) -> int:
    """Stops what is not yet sent (messages in flight still go) and every later repetition; returns how many
    messages were stopped."""
    await access.authorise(session, actor, "broadcast.cancel", broadcast.area_id, now, broadcast=broadcast.id)
    if broadcast.status in ("done", "cancelled"):
        return 0
    broadcast.status, broadcast.next_at, broadcast.finished_at = "cancelled", None, now
    await timers.cancel(session, timer_key(broadcast.id))
    ours = select(BroadcastDelivery.outbox_id).where(BroadcastDelivery.broadcast_id == broadcast.id)
    stopped = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ours), OutboxMessage.status == "pending")
        .values(status="dropped", finished_at=now, last_error=CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return stopped.rowcount


async def send_again(session: AsyncSession, actor: Official | None, broadcast: Broadcast, now: datetime) -> int:
    """Queues again the notices of the last round that failed for a reason that has passed; returns how many."""
    await access.authorise(session, actor, "broadcast.send_again", broadcast.area_id, now, broadcast=broadcast.id)
    if broadcast.status == "cancelled":
        return 0
    again = (
        select(OutboxMessage.id)
        .join(BroadcastDelivery, BroadcastDelivery.outbox_id == OutboxMessage.id)
        .join(Contact, Contact.id == BroadcastDelivery.contact_id)
        .where(
            BroadcastDelivery.broadcast_id == broadcast.id,
            BroadcastDelivery.round == broadcast.round,
            report.passing_failure(),
        )
    )
    ids = list(await session.scalars(again))
    if not ids:
        return 0
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(status="pending", attempts=0, not_before=now, finished_at=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    outbox.wake(session, Kind.BROADCAST)
    broadcast.status, broadcast.queuing = "sending", False  # watched until these are out, then reported again
    await timers.schedule(session, RUN, now, key=timer_key(broadcast.id), payload={"id": broadcast.id})
    return len(ids)


async def stop_notices(session: AsyncSession, contact: Contact, broadcast: Broadcast, now: datetime) -> None:
    """The person wants no more notices from this broadcast's organisation: none are queued for them from
    now on, and those of its broadcasts still waiting are dropped."""
    key = audience.organisation_key(broadcast.organisation)
    if await session.get(NoticeOptOut, (contact.id, key)) is None:
        session.add(NoticeOptOut(contact_id=contact.id, organisation=key, created_at=now))
    same_organisation = select(Broadcast.id).where(
        Broadcast.organisation == broadcast.organisation
        if broadcast.organisation is not None
        else Broadcast.organisation.is_(None)
    )
    waiting = select(BroadcastDelivery.outbox_id).where(
        BroadcastDelivery.contact_id == contact.id, BroadcastDelivery.broadcast_id.in_(same_organisation)
    )
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(waiting), OutboxMessage.status == "pending")
        .values(status="dropped", finished_at=now, last_error="the person stopped these notices")
        .execution_options(synchronize_session=False)
    )


async def undo_stop(session: AsyncSession, contact: Contact, broadcast: Broadcast) -> None:
    key = audience.organisation_key(broadcast.organisation)
    await session.execute(
        delete(NoticeOptOut).where(NoticeOptOut.contact_id == contact.id, NoticeOptOut.organisation == key)
    )


async def stopped_organisations(session: AsyncSession, contact: Contact) -> list[str]:
    """The organisations whose notices a person stopped (their names folded; the operator's shown as Joldas)."""
    found = await session.scalars(
        select(NoticeOptOut.organisation)
        .where(NoticeOptOut.contact_id == contact.id)
        .order_by(NoticeOptOut.organisation)
    )
    return [organisation or notice.OPERATOR for organisation in found]


async def areas_within(session: AsyncSession, area_id: str, limit: int) -> list[Place]:
    """The places directly under an area, by name: the narrower areas an official may choose."""
    found = await session.scalars(
        select(Place).where(Place.parent_id == area_id).order_by(Place.name_latin).limit(limit)
    )
    return list(found)


async def of_official(session: AsyncSession, official: Official, limit: int = 5) -> list[Broadcast]:
    """An official's newest broadcasts."""
    found = await session.scalars(
        select(Broadcast).where(Broadcast.official_id == official.id).order_by(Broadcast.id.desc()).limit(limit)
    )
    return list(found)
