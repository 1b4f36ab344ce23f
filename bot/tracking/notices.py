"""What the bot tells a person about their application without being asked, and the timers behind it: a
status changed, a step is overdue, their own deadline comes. Everything goes through the outbox."""

from __future__ import annotations

import datetime as dt
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.rendering import render
from bot.clock import zone_for
from bot.content.sources import cite
from bot.conversation import Button, Reply
from bot.delivery import outbox, timers
from bot.i18n import Texts, texts
from bot.storage.models import Application, Contact, Timer
from bot.tracking.deadlines import COUNTRY, due_after, kz_days
from bot.tracking.steps import tracking
from bot.tracking.texts import expected, limit_words, sources_words, status_day, status_name

OVERDUE, OWN = "tracking.overdue", "tracking.own"
NOTICE_HOUR = dt.time(10, 0)  # notices go in the morning, Almaty time
# A person's own step the Rules set no limit for (documents to bring again, the second stage) is recalled
# once after this many working days.
REMIND_WITHOUT_LIMIT = 5
MENU_BUTTON = "trk"
BATCH = 1000  # outbox rows per statement when many people are told at once


def morning(day: dt.date) -> dt.datetime:
    """10:00 in Almaty on `day`, in UTC (as every stored time is)."""
    return dt.datetime.combine(day, NOTICE_HOUR, tzinfo=zone_for(COUNTRY)).astimezone(dt.UTC)


def language_of(contact: Contact) -> str:
    return contact.language or "kk"


def buttons(t: Texts) -> list[list[Button]]:
    return [[Button(MENU_BUTTON, t.gettext("My application"))]]


def status_notice(t: Texts, application: Application, note: str | None) -> Reply:
    language = t.language
    lines = [
        t.gettext("Your application has a new status: {status}.").format(
            status=status_name(application.status, language)
        )
    ]
    if note:
        lines.append(t.gettext("Note: {note}").format(note=note))
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


def timer_keys(application: Application) -> list[str]:
    return [f"trk:due:{application.id}", f"trk:own:{application.id}"]


def planned(application: Application) -> list[tuple[str, str, dt.datetime, dict]]:
    """The timers an application at its status needs, as (kind, key, due at, payload): the overdue check for
    the step it waits for, and the reminder of what the person must do themselves."""
    found = []
    payload = {"application": application.id, "status": application.status}
    waiting = expected(application)
    if waiting is not None:
        due = {"step": waiting.step.status, "due": waiting.due.isoformat()}
        found.append(
            (OVERDUE, f"trk:due:{application.id}", morning(waiting.due + dt.timedelta(days=1)), {**payload, **due})
        )
    own = tracking().data.own_deadlines.get(application.status)
    if own is not None:
        start = status_day(application)
        due = due_after(start, own.limit) if own.limit is not None else None
        remind_on = due if due is not None else kz_days().add_working_days(start, REMIND_WITHOUT_LIMIT)
        own_payload = {**payload, "due": due.isoformat() if due else None}
        found.append((OWN, f"trk:own:{application.id}", morning(remind_on), own_payload))
    return found


async def after_change(session: AsyncSession, application: Application, contact: Contact) -> None:
    """Moves the application's timers to its new status."""
    for key in timer_keys(application):
        await timers.cancel(session, key)
    for kind, key, due_at, payload in planned(application):
        await timers.schedule(session, kind, due_at, key=key, contact=contact, payload=payload)


async def after_many(session: AsyncSession, changed: list[Application]) -> None:
    """`after_change` for many applications at once (an import)."""
    rows = [
        Timer(kind=kind, key=key, due_at=due_at, payload=payload, contact_id=application.contact_id, status="pending")
        for application in changed
        for kind, key, due_at, payload in planned(application)
    ]
    await timers.schedule_many(session, rows, [key for application in changed for key in timer_keys(application)])


async def notify_status(
    session: AsyncSession, application: Application, contact: Contact, note: str | None, now: dt.datetime, key: str
) -> bool:
    """Tells the person their application's new status (once per `key`); False when it could not be queued."""
    reply = status_notice(texts(language_of(contact)), application, note)
    return await outbox.queue_for_contact(session, contact, [reply], now, dedupe_key=key) is None


async def notify_many(
    session: AsyncSession, told: list[tuple[Application, Contact, str | None, str]], now: dt.datetime
) -> int:
    """`notify_status` for many people at once (an import): (application, person, note, key) each; a few
    statements per thousand people. Returns how many could be told."""
    messages = []
    for application, contact, note, key in told:
        if outbox.not_to_notify(contact) is not None:
            continue
        language = language_of(contact)
        reply = status_notice(texts(language), application, note)
        payloads = render(contact.channel, reply, texts(language), language)
        messages += [
            outbox.Addressed(contact.id, contact.channel, contact.external_id, payload, f"{key}#{number}")
            for number, payload in enumerate(payloads)
        ]
    for start in range(0, len(messages), BATCH):
        await outbox.queue_many(session, messages[start : start + BATCH], outbox.Kind.NOTICE, now)
    return len({message.contact_id for message in messages})


async def _tell_if_still_there(session: AsyncSession, timer: Timer, now: dt.datetime, reply_for, key: str) -> None:
    """Queues `reply_for(texts, application)` to the person a timer is about, once per `key` (formatted with the
    application), if the application is still at the status the timer was set for."""
    application = await session.get(Application, timer.payload.get("application"))
    if application is None or application.status != timer.payload.get("status"):
        return
    contact = await session.get(Contact, application.contact_id)
    reply = reply_for(texts(language_of(contact)), application)
    key = key.format(id=application.id, status=application.status)
    await outbox.queue_for_contact(session, contact, [reply], now, dedupe_key=key)


@timers.on_timer(OVERDUE)
async def overdue(session: AsyncSession, timer: Timer, now: dt.datetime) -> None:
    step, due = timer.payload["step"], dt.date.fromisoformat(timer.payload["due"])
    reply = partial(overdue_notice, status=step, due=due)
    await _tell_if_still_there(session, timer, now, reply, "trk:late:{id}:{status}:" + step)


@timers.on_timer(OWN)
async def own_deadline(session: AsyncSession, timer: Timer, now: dt.datetime) -> None:
    due = dt.date.fromisoformat(timer.payload["due"]) if timer.payload.get("due") else None
    await _tell_if_still_there(session, timer, now, partial(own_reminder, due=due), "trk:own:{id}:{status}")
