"""What the bot tells a person about their application without being asked, and the timers behind it: a
status changed, a step is overdue, their own deadline comes. Everything goes through the outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import zone_for
from bot.content.sources import cite
from bot.conversation import Button, Reply
from bot.delivery import outbox, timers
from bot.i18n import Texts, texts
from bot.storage.models import Application, ApplicationEvent, Contact, Timer
from bot.tracking.deadlines import COUNTRY, due_after, kz_days
from bot.tracking.steps import tracking
from bot.tracking.texts import expected, limit_words, sources_words, status_day, status_name

OVERDUE, OWN = "tracking.overdue", "tracking.own"
NOTICE_HOUR = dt.time(10, 0)  # notices go in the morning, Almaty time
# A person's own step the Rules set no limit for (documents to bring again, the second stage) is recalled
# once after this many working days.
REMIND_WITHOUT_LIMIT = 5
MENU_BUTTON = "trk"


def morning(day: dt.date) -> dt.datetime:
    """10:00 in Almaty on `day`, in UTC (as every stored time is)."""
    return dt.datetime.combine(day, NOTICE_HOUR, tzinfo=zone_for(COUNTRY)).astimezone(dt.UTC)


def language_of(contact: Contact) -> str:
    return contact.language or "kk"


def buttons(t: Texts) -> list[list[Button]]:
    return [[Button(MENU_BUTTON, t.gettext("My application"))]]


def status_notice(t: Texts, application: Application, event: ApplicationEvent) -> Reply:
    language = t.language
    lines = [
        t.gettext("Your application has a new status: {status}.").format(status=status_name(event.status, language))
    ]
    if event.note:
        lines.append(t.gettext("Note: {note}").format(note=event.note))
    waiting = expected(application)
    if waiting is not None:
        lines.append(
            t.gettext("Next: {step} — by {date} ({who}).").format(
                step=status_name(waiting.step.status, language),
                date=t.date(waiting.due),
                who=tracking().actor_name(waiting.step.by, language),
            )
        )
    own = tracking().data.own_deadlines.get(application.status)
    if own is not None:
        lines.append(own.text(language))
    return Reply("\n".join(lines), buttons(t))


def complaints_words(t: Texts) -> str:
    """Where to complain and how long each body has, with the Rules' paragraphs."""
    steps = tracking()
    parts = [
        t.gettext("{body}: an answer within {limit} ({source})").format(
            body=steps.actor_name(complaint.body, t.language),
            limit=limit_words(t, complaint.limit),
            source="; ".join(cite(source, t.language) for source in complaint.sources),
        )
        for complaint in steps.data.complaints
    ]
    return "\n".join(f"• {part}" for part in parts)


def overdue_notice(t: Texts, application: Application, status: str, due: dt.date) -> Reply:
    steps, language = tracking(), t.language
    step = steps.path(application.path, application.rules_version).step(status)
    lines = [
        t.gettext("Your application: «{step}» was due by {date} ({limit}; {source}), and there is no news yet.").format(
            step=status_name(status, language),
            date=t.date(due),
            limit=limit_words(t, step.limit),
            source=sources_words(step, language),
        ),
        t.gettext(
            "What it means: {who} has not reported this step within the time the Rules give. It is a delay, "
            "not a refusal: your application stays valid."
        ).format(who=steps.actor_name(step.by, language)),
        t.gettext("Whom to ask: {office}, where you lodged it; have your application number ready.").format(
            office=steps.office_name(application.office, language)
        ),
        t.gettext("How to complain:"),
        complaints_words(t),
        t.gettext("If you already have news, open «My application» and press «I have news»."),
    ]
    return Reply("\n".join(lines), buttons(t))


def own_reminder(t: Texts, application: Application, due: dt.date | None) -> Reply:
    own = tracking().data.own_deadlines[application.status]
    head = t.gettext("A reminder about your application ({status}):").format(
        status=status_name(application.status, t.language)
    )
    lines = [head, own.text(t.language)]
    if due is not None:
        lines.append(t.gettext("The last day: {date}.").format(date=t.date(due)))
    sources = "; ".join(cite(source, t.language) for source in own.sources)
    lines.append(t.gettext("Source: {source}").format(source=sources))
    return Reply("\n".join(lines), buttons(t))


async def after_change(session: AsyncSession, application: Application, contact: Contact) -> None:
    """Moves the application's timers to its new status: the overdue check for the step it waits for, and the
    reminder of what the person must do themselves."""
    await timers.cancel(session, f"trk:due:{application.id}")
    await timers.cancel(session, f"trk:own:{application.id}")
    waiting = expected(application)
    payload = {"application": application.id, "status": application.status}
    if waiting is not None:
        await timers.schedule(
            session,
            OVERDUE,
            morning(waiting.due + dt.timedelta(days=1)),
            key=f"trk:due:{application.id}",
            contact=contact,
            payload={**payload, "step": waiting.step.status, "due": waiting.due.isoformat()},
        )
    own = tracking().data.own_deadlines.get(application.status)
    if own is not None:
        start = status_day(application)
        due = due_after(start, own.limit) if own.limit is not None else None
        remind_on = due if due is not None else kz_days().add_working_days(start, REMIND_WITHOUT_LIMIT)
        await timers.schedule(
            session,
            OWN,
            morning(remind_on),
            key=f"trk:own:{application.id}",
            contact=contact,
            payload={**payload, "due": due.isoformat() if due else None},
        )


async def notify_status(
    session: AsyncSession, application: Application, contact: Contact, event: ApplicationEvent, now: dt.datetime
) -> None:
    t = texts(language_of(contact))
    await outbox.queue_for_contact(
        session, contact, [status_notice(t, application, event)], now, dedupe_key=f"trk:ev:{event.id}"
    )


async def _still_at(session: AsyncSession, timer: Timer) -> tuple[Application, Contact] | None:
    """The application and person a timer is about, when the application is still where it was."""
    application = await session.get(Application, timer.payload.get("application"))
    if application is None or application.status != timer.payload.get("status"):
        return None
    contact = await session.get(Contact, application.contact_id)
    return (application, contact) if contact is not None else None


@timers.on_timer(OVERDUE)
async def overdue(session: AsyncSession, timer: Timer, now: dt.datetime) -> None:
    found = await _still_at(session, timer)
    if found is None:
        return
    application, contact = found
    step, due = timer.payload["step"], dt.date.fromisoformat(timer.payload["due"])
    reply = overdue_notice(texts(language_of(contact)), application, step, due)
    key = f"trk:late:{application.id}:{application.status}:{step}"
    await outbox.queue_for_contact(session, contact, [reply], now, dedupe_key=key)


@timers.on_timer(OWN)
async def own_deadline(session: AsyncSession, timer: Timer, now: dt.datetime) -> None:
    found = await _still_at(session, timer)
    if found is None:
        return
    application, contact = found
    due = dt.date.fromisoformat(timer.payload["due"]) if timer.payload.get("due") else None
    reply = own_reminder(texts(language_of(contact)), application, due)
    key = f"trk:own:{application.id}:{application.status}"
    await outbox.queue_for_contact(session, contact, [reply], now, dedupe_key=key)
