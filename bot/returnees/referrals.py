"""Referrals: a returnee's request passed to the focal point of their ayil aimak, else their district's, else
their oblast's (up the place's lineage); accepted in the bot, moved up a level when nobody accepts it within
2 working days, closed with an outcome, and followed up two weeks after closing.

Who may act on a referral is checked by `bot.officials.access.authorise` (which audits every attempt);
everything said to either side is queued in the outbox (`queue_for_contact`), in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import places
from bot.clock import local_time, zone_for
from bot.conversation import Button, Reply
from bot.delivery import outbox, timers
from bot.i18n import LANGUAGE_NAMES, N_, texts
from bot.officials import access
from bot.returnees import buttons
from bot.returnees.needs import BY_KEY
from bot.storage.models import Contact, Official, Place, Referral, ReferralDetails, Timer
from bot.workdays import WORKING_HOURS, add_working_days, calendar, received_on

ACCEPT_WITHIN = 2  # working days
FOLLOW_UP_AFTER = timedelta(days=14)
OPEN = ("waiting", "accepted")
STATUSES = {"waiting": N_("waiting to be accepted"), "accepted": N_("accepted"), "closed": N_("closed")}
OUTCOMES = {
    "helped": N_("helped"),
    "sent_elsewhere": N_("sent elsewhere"),
    "could_not_help": N_("could not help"),
}
FOLLOW_UPS = {"yes": N_("Yes, it helped"), "partly": N_("Partly"), "no": N_("No")}
ESCALATE = "returnees.escalate"
FOLLOW_UP = "returnees.followup"


@dataclass(frozen=True)
class Holder:
    """Who has a referral: the focal point and the area they serve."""

    official: Official
    area: Place


async def open_counts(session: AsyncSession, official_ids: list[int]) -> dict[int, int]:
    """How many open requests each of these officials holds (one query)."""
    rows = await session.execute(
        select(Referral.official_id, func.count())
        .where(Referral.official_id.in_(official_ids), Referral.status.in_(OPEN))
        .group_by(Referral.official_id)
    )
    return dict(rows.all())


async def find_holder(session: AsyncSession, place_id: str, above: str | None = None) -> Holder | None:
    """The focal point for a place: the first level of its lineage (the place, its ayil aimak, district, oblast)
    with an active focal point; with `above`, only levels above that area. Several at one level: the one with
    the fewest open referrals (then the longest serving)."""
    lineage = await places.lineage(session, place_id)
    ids = [place.id for place in lineage]
    start = ids.index(above) + 1 if above in ids else 0
    for area in lineage[start:]:
        candidates = await access.officials_for(session, area.id, "focal_point")
        if candidates:
            counts = await open_counts(session, [official.id for official in candidates])
            return Holder(min(candidates, key=lambda official: (counts.get(official.id, 0), official.id)), area)
    return None


def accept_by(created: datetime, country: str) -> datetime:
    """The end of the second working day after the referral counts as received (after hours: the next one)."""
    day = add_working_days(received_on(created, country), ACCEPT_WITHIN, country)
    local = datetime.combine(day, WORKING_HOURS[1], tzinfo=zone_for(country))
    return local.astimezone(created.tzinfo)


def answer_expected(now: datetime, country: str) -> datetime | None:
    """When a message written now can expect an answer, if now is outside working hours; None within them."""
    local = local_time(now, country)
    opening, closing = WORKING_HOURS
    working = calendar(country).is_working_day(local.date())
    if working and opening <= local.time() < closing:
        return None
    day = received_on(now, country)
    return datetime.combine(day, opening, tzinfo=zone_for(country))


async def contact_of(session: AsyncSession, official: Official | None) -> Contact | None:
    return await session.get(Contact, official.contact_id) if official and official.contact_id else None


def area_label(t, area: Place | None, official: Official | None) -> str:
    """Who has a request, as people are shown it ("the focal point of Jany-Aryk, its ayil okmotu"), in the
    reader's language."""
    name = places.display_name(area, t.language) if area is not None else "—"
    if official is not None and official.organisation:
        name = f"{name}, {official.organisation}"
    return t.gettext("the focal point of {area}").format(area=name)


def needs_text(t, needs: list[str]) -> str:
    return ", ".join(t.gettext(BY_KEY[key].label) for key in needs if key in BY_KEY)


async def notify_holder(session: AsyncSession, referral: Referral, holder: Holder, now: datetime) -> None:
    """Tells the focal point a referral is theirs, with what they need to judge it and a button to accept."""
    contact = await contact_of(session, holder.official)
    if contact is None:
        return
    t = texts(contact.language or "ru")
    details = await session.get(ReferralDetails, referral.id)
    place = await places.label(session, details.place_id, t.language) if details else None
    lines = [
        t.gettext("New request No. {number} from a person who came back.").format(number=referral.id),
        t.gettext("Needs: {needs}").format(needs=needs_text(t, referral.needs)),
        t.gettext("Place: {place}").format(place=place or "—"),
        t.gettext("Language: {language}").format(
            language=LANGUAGE_NAMES.get(details.language, "—") if details else "—"
        ),
    ]
    if details and details.note:
        lines.append(t.gettext("Their note: {note}").format(note=details.note))
    if referral.escalations:
        lines.append(t.gettext("Nobody accepted it within 2 working days at the level below."))
    lines.append(
        t.gettext("Please accept it by {deadline}.").format(
            deadline=t.date(local_time(accept_by(now, referral.country), referral.country).date())
        )
    )
    reply = Reply(
        "\n".join(lines),
        [
            [Button(buttons.fp("acc", referral.id), t.gettext("Accept"))],
            [Button(buttons.fp("list"), t.gettext("My referrals"), t.gettext("My referrals"))],
        ],
    )
    why = await outbox.queue_for_contact(
        session, contact, [reply], now, dedupe_key=f"referral:{referral.id}:to:{holder.official.id}"
    )
    if why is not None:  # they will not see it: the request moves up when its time is out, as for a silent one
        await access.audit(
            session,
            None,
            "referral.notice_not_queued",
            holder.area.id,
            now,
            referral=referral.id,
            reason=why.value,
            by="bot",
        )


async def tell_person(
    session: AsyncSession, referral: Referral, now: datetime, message: str, dedupe: str, **values
) -> None:
    """A notice to the person in their language; `values` that are callables get the person's Texts."""
    contact = await session.get(Contact, referral.contact_id) if referral.contact_id else None
    if contact is None:
        return
    t = texts(contact.language or "ru")
    shown = {key: value(t) if callable(value) else value for key, value in values.items()}
    await outbox.queue_for_contact(
        session,
        contact,
        [Reply(t.gettext(message).format(**shown))],
        now,
        dedupe_key=f"referral:{referral.id}:{dedupe}",
    )


async def create(
    session: AsyncSession, contact: Contact, place_id: str, needs: list[str], note: str | None, now: datetime
) -> tuple[Referral, Holder] | None:
    """Passes a request to the focal point of the person's place; None when no level of it has one."""
    holder = await find_holder(session, place_id)
    if holder is None:
        return None
    country = (await places.lineage(session, place_id))[-1].id
    referral = Referral(
        contact_id=contact.id,
        official_id=holder.official.id,
        area_id=holder.area.id,
        country=country,
        needs=list(needs),
        status="waiting",
        escalations=0,
        chatting=True,
        created_at=now,
    )
    session.add(referral)
    await session.flush()
    session.add(
        ReferralDetails(
            referral_id=referral.id,
            contact_id=contact.id,
            place_id=place_id,
            language=contact.language or "ru",
            note=note,
        )
    )
    await session.flush()
    await access.audit(session, None, "referral.created", holder.area.id, now, contact=contact, referral=referral.id)
    await notify_holder(session, referral, holder, now)
    await timers.schedule(
        session,
        ESCALATE,
        accept_by(now, country),
        key=f"referral:{referral.id}:accept",
        payload={"referral": referral.id},
    )
    return referral, holder


async def open_for(session: AsyncSession, contact: Contact) -> Referral | None:
    """The person's open referral (the newest), if any."""
    return await session.scalar(
        select(Referral)
        .where(Referral.contact_id == contact.id, Referral.status.in_(OPEN))
        .order_by(Referral.id.desc())
        .limit(1)
    )


async def holder_of(session: AsyncSession, referral: Referral) -> Holder | None:
    official = await session.get(Official, referral.official_id) if referral.official_id else None
    area = await places.get(session, referral.area_id) if referral.area_id else None
    return Holder(official, area) if official is not None and area is not None else None


async def accept(session: AsyncSession, referral: Referral, actor: Official | None, now: datetime) -> None:
    """Raises access.Denied when the actor may not (not a focal point of the area, or it has moved on)."""
    await access.authorise(session, actor, "referral.accept", referral.area_id, now, referral=referral.id)
    if referral.status != "waiting":
        return
    referral.status, referral.accepted_at, referral.official_id = (
        "accepted",
        now,
        actor.id if actor else referral.official_id,
    )
    await timers.cancel(session, f"referral:{referral.id}:accept")
    area = await places.get(session, referral.area_id)
    await tell_person(
        session,
        referral,
        now,
        N_(
            "Your request No. {number} was accepted by {who}. Write here: your messages go to them, "
            "and their answers come back here."
        ),
        "accepted",
        number=referral.id,
        who=lambda t: area_label(t, area, actor),
    )


@timers.on_timer(ESCALATE)
async def escalate(session: AsyncSession, timer: Timer, now: datetime) -> None:
    """Not accepted in time: the referral goes up a level, and the person is told who has it now."""
    referral = await session.get(Referral, (timer.payload or {}).get("referral"))
    if referral is None or referral.status != "waiting" or referral.contact_id is None:
        return
    details = await session.get(ReferralDetails, referral.id)
    place_id = details.place_id if details is not None else referral.area_id
    holder = await find_holder(session, place_id, above=referral.area_id) if place_id else None
    if holder is None:
        await access.audit(
            session,
            None,
            "referral.not_escalated",
            referral.area_id,
            now,
            referral=referral.id,
            reason="no focal point above",
            by="timer",
        )
        return
    await access.audit(
        session,
        None,
        "referral.escalated",
        holder.area.id,
        now,
        referral=referral.id,
        moved_from=referral.area_id,
        by="timer",
    )
    referral.area_id, referral.official_id = holder.area.id, holder.official.id
    referral.escalations += 1
    await notify_holder(session, referral, holder, now)
    await tell_person(
        session,
        referral,
        now,
        N_("Your request No. {number} was not accepted within 2 working days, so it has been passed to {who}."),
        f"escalated:{referral.escalations}",
        number=referral.id,
        who=lambda t: area_label(t, holder.area, holder.official),
    )
    await timers.schedule(
        session,
        ESCALATE,
        accept_by(now, referral.country),
        key=f"referral:{referral.id}:accept",
        payload={"referral": referral.id},
    )


async def close(
    session: AsyncSession, referral: Referral, actor: Official | None, outcome: str, reason: str | None, now: datetime
) -> None:
    """Closes with an outcome; the conversation ends and the person is asked in two weeks whether it helped."""
    await access.authorise(
        session, actor, "referral.close", referral.area_id, now, referral=referral.id, closed_as=outcome
    )
    if referral.status == "closed":
        return
    referral.status, referral.closed_at, referral.chatting = "closed", now, False
    referral.outcome, referral.outcome_reason = outcome, reason
    await timers.cancel(session, f"referral:{referral.id}:accept")
    message = N_("Your request No. {number} is closed: {outcome}.")
    if reason:
        message = N_("Your request No. {number} is closed: {outcome}. Reason: {reason}")
    await tell_person(
        session,
        referral,
        now,
        message,
        "closed",
        number=referral.id,
        outcome=lambda t: t.gettext(OUTCOMES[outcome]),
        reason=reason or "",
    )
    await timers.schedule(
        session,
        FOLLOW_UP,
        now + FOLLOW_UP_AFTER,
        key=f"referral:{referral.id}:followup",
        payload={"referral": referral.id},
    )


@timers.on_timer(FOLLOW_UP)
async def follow_up(session: AsyncSession, timer: Timer, now: datetime) -> None:
    referral = await session.get(Referral, (timer.payload or {}).get("referral"))
    if referral is None or referral.contact_id is None or referral.followup is not None:
        return
    contact = await session.get(Contact, referral.contact_id)
    t = texts(contact.language or "ru")
    choices = [[Button(buttons.ret("fu", referral.id, key), t.gettext(label))] for key, label in FOLLOW_UPS.items()]
    question = t.gettext("Two weeks ago your request No. {number} was closed. Did it help?").format(number=referral.id)
    await outbox.queue_for_contact(
        session, contact, [Reply(question, choices)], now, dedupe_key=f"referral:{referral.id}:followup"
    )


async def record_follow_up(session: AsyncSession, referral: Referral, answer: str, now: datetime) -> None:
    referral.followup, referral.followup_at = answer, now
