"""Check-ins after the move, at months 1, 3, 6, 12, 18 and 24: still in the region? officially employed?
housing? anything wrong? Buttons or free text; what is wrong goes to the officials of the area."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import Button, Reply
from bot.delivery import outbox, timers
from bot.eligibility.evaluator import add_months
from bot.i18n import N_, Texts, texts
from bot.officials import access
from bot.storage.models import Application, CheckIn, Contact, ConversationState, Timer
from bot.tracking.buttons import PersonButton
from bot.tracking.notices import language_of, morning

MONTHS = (1, 3, 6, 12, 18, 24)
CHECKIN = "tracking.checkin"
STATE = "trk_ci"  # a person answering a check-in: typed text is their answer
# question → (its text, its answers: value → label); "p" (anything wrong?) also takes free text
QUESTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "r": (N_("Are you still living in the region you moved to?"), {"y": N_("Yes"), "n": N_("No, I left")}),
    "e": (N_("Are you officially employed?"), {"y": N_("Yes"), "n": N_("No")}),
    "h": (
        N_("Where do you live?"),
        {"own": N_("My own home"), "rent": N_("Rented"), "temp": N_("Temporary centre"), "none": N_("No housing")},
    ),
    "p": (N_("Is anything wrong? Write it in your own words, or press the button."), {"none": N_("All is well")}),
}
ORDER = list(QUESTIONS)
HOUSING = {"own": "own", "rent": "rented", "temp": "temporary", "none": "none"}


async def schedule_all(session: AsyncSession, application: Application, contact: Contact) -> None:
    for month in MONTHS:
        await timers.schedule(
            session,
            CHECKIN,
            morning(add_months(application.moved_on, month)),
            key=f"trk:ci:{application.id}:{month}",
            contact=contact,
            payload={"application": application.id, "month": month},
        )


def question(t: Texts, checkin: CheckIn, key: str, intro: bool = False) -> Reply:
    text, answers = QUESTIONS[key]
    lines = [t.gettext(text)]
    if intro:
        head = t.ngettext(
            "It has been {n} month since your move. A few questions, so that help comes where it is needed:",
            "It has been {n} months since your move. A few questions, so that help comes where it is needed:",
            checkin.month,
        )
        lines.insert(0, head.format(n=t.number(checkin.month)))
    rows = [
        [Button(PersonButton("ci", (str(checkin.id), key, value)).id, t.gettext(label))]
        for value, label in answers.items()
    ]
    return Reply("\n".join(lines), rows)


def next_question(key: str) -> str | None:
    position = ORDER.index(key) + 1
    return ORDER[position] if position < len(ORDER) else None


def record(checkin: CheckIn, key: str, value: str | None, words: str | None, now: dt.datetime) -> None:
    """Keeps an answer: a button's value, or what the person typed (kept as their words about what is wrong)."""
    checkin.answered_at = now
    if key == "r" and value in ("y", "n"):
        checkin.in_region = value == "y"
    elif key == "e" and value in ("y", "n"):
        checkin.employed = value == "y"
    elif key == "h" and value in HOUSING:
        checkin.housing = HOUSING[value]
    if words:
        checkin.problem = "\n".join(part for part in (checkin.problem, words.strip()) if part)[:1000]


async def relay_problem(session: AsyncSession, application: Application, words: str, now: dt.datetime) -> int:
    """Passes what a person says is wrong to the officials of their application's area; how many got it."""
    officials = await access.officials_for(session, application.place_id, "official")
    sent = 0
    for official in officials:
        contact = await session.get(Contact, official.contact_id)
        t = texts(language_of(contact))
        text = t.gettext("A person in your area writes after the move (application #{id}):\n«{words}»").format(
            id=application.id, words=words
        )
        reason = await outbox.queue_for_contact(session, contact, [Reply(text)], now, kind=outbox.Kind.RELAY)
        sent += reason is None
    return sent


@timers.on_timer(CHECKIN)
async def ask(session: AsyncSession, timer: Timer, now: dt.datetime) -> None:
    application = await session.get(Application, timer.payload.get("application"))
    if application is None or application.status == "left_region":
        return
    contact = await session.get(Contact, application.contact_id)
    month = timer.payload["month"]
    checkin = await session.scalar(
        select(CheckIn).where(CheckIn.application_id == application.id, CheckIn.month == month)
    )
    if checkin is None:
        checkin = CheckIn(application_id=application.id, month=month, asked_at=now)
        session.add(checkin)
        await session.flush()
    t = texts(language_of(contact))
    queued = await outbox.queue_for_contact(
        session, contact, [question(t, checkin, ORDER[0], intro=True)], now, dedupe_key=f"trk:ci:{checkin.id}"
    )
    state = await session.get(ConversationState, contact.id)
    if queued is None and (state is None or state.state is None):  # an idle person may answer by typing
        state = state or ConversationState(contact_id=contact.id)
        state.state, state.data = STATE, {"checkin": checkin.id, "q": ORDER[0]}
        session.add(state)
