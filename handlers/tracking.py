""" "My application": a person records where and when they lodged their application (the path taken from
their pre-check when there is one), then sees its timeline — done, now, next and by when — and may record
news themselves when no official does. Check-ins after the move are answered here too.

Button ids: `bot.tracking.buttons.PersonButton` (`trk`, `trk:new`, `trk:path:<path>`, `trk:office:<office>`,
`trk:today`, `trk:dest:<region>`, `trk:skip`, `trk:back`, `trk:news`, `trk:set:<status>`,
`trk:ci:<check-in>:<question>:<answer>`). State `trk` keeps the answers while an application is recorded;
state `trk_ci` a check-in being answered.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.clock import local_time, zone_for
from bot.content.regions import find_region, region_name
from bot.context import Conversation
from bot.conversation import Button
from bot.eligibility import store as checks
from bot.eligibility.rules import rules_file
from bot.i18n import N_, typed_as
from bot.router import NotUnderstood, Router
from bot.storage.models import Application, CheckIn
from bot.tracking import checkins, notices, store, updates
from bot.tracking.buttons import PersonButton, row_id
from bot.tracking.deadlines import COUNTRY
from bot.tracking.steps import tracking
from bot.tracking.texts import local_day, status_name, timeline
from handlers.region_choice import offer_candidates

router = Router()
STATE = "trk"
ASKED = ("path", "office", "when", "dest", "number", "phone")  # the questions, in order
BACK, SKIP, MENU = N_("Back"), N_("Skip"), N_("Menu")
MENU_LABEL = N_("My application")
EARLIEST = dt.date(2021, 8, 22)  # the first rules version in force (content/eligibility/rules.yaml)
_WHEN = re.compile(
    r"^\s*(?:(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})|(\d{4})-(\d{1,2})-(\d{1,2}))(?:[ ,T]+(\d{1,2})[:.](\d{2}))?\s*$"
)


def button(action: str, *args: str) -> str:
    return PersonButton(action, args).id


def lodged_from(text: str, now: dt.datetime) -> dt.datetime | None:
    """`20.03.2026 17:45`, `20.03.26`, `2026-03-20 17:45` as Almaty time; a date without a time is taken as
    lodged at noon, during office hours. None for anything else, a future time or one before the Rules."""
    match = _WHEN.match(text)
    if match is None:
        return None
    day, month, year, iso_year, iso_month, iso_day, hour, minute = match.groups()
    year, month, day = (int(iso_year), int(iso_month), int(iso_day)) if iso_year else (int(year), int(month), int(day))
    year += 2000 if year < 100 else 0
    try:
        when = dt.datetime(year, month, day, int(hour or 12), int(minute or 0))
    except ValueError:
        return None
    local_now = local_time(now, COUNTRY).replace(tzinfo=None)
    if when.date() > local_now.date() or when.date() < EARLIEST:
        return None
    return min(when, local_now)


def controls(ctx: Conversation, skip: bool = False) -> list[list[Button]]:
    row = [Button(button("skip"), ctx._(SKIP))] if skip else []
    return [row + [Button(button("back"), ctx._(BACK))]]


# --- recording an application ---------------------------------------------------------------------------------


async def start(ctx: Conversation) -> None:
    """Records a new application, with what the person's latest pre-check knows."""
    answers: dict = {}
    kept = await checks.latest(ctx.session, ctx.contact, 1)
    if kept and kept[0].result.get("path") in tracking().path_ids:
        said = kept[0].answers
        answers = {"path": kept[0].result["path"], "dest": said.get("destination_region")}
        answers["region"] = said.get("departure_region") if answers["path"] == "in_migrant_standard" else None
    ask(ctx, answers)


def ask(ctx: Conversation, answers: dict, note: str | None = None) -> None:
    """Asks the first question not answered yet, or records the application when none is left."""
    pending = [key for key in ASKED if key not in answers]
    if not pending:
        raise RuntimeError("nothing left to ask: the caller records the application")
    key = pending[0]
    ctx.goto(STATE, answers=answers, asking=key)
    lines = [note] if note else []
    steps = tracking()
    if key == "path":
        lines.append(ctx._("Which way did you apply?"))
        rows = [
            [Button(button("path", path), steps.path_name(path, ctx.language), steps.short_name(path, ctx.language))]
            for path in steps.path_ids
        ]
        return ctx.say("\n".join(lines), rows + [[Button("menu", ctx._(MENU))]])
    if key == "office":
        lines.append(ctx._("Where did you lodge it?"))
        where = rules_file().book(ctx.today).where[answers["path"]]
        offices = [place.office for place in where if place.office in steps.data.offices]
        rows = [
            [
                Button(
                    button("office", office),
                    steps.office_name(office, ctx.language),
                    steps.data.offices[office].short(ctx.language),
                )
            ]
            for office in dict.fromkeys(offices)
        ]
        return ctx.say("\n".join(lines), rows + controls(ctx))
    texts = {
        "when": N_("When did you lodge it? Type the date, and the time if you know it: 20.03.2026 17:45"),
        "dest": N_("Which region are you moving to? Type its name."),
        "number": N_("Your application number, if you have one (on the stamped copy, the receipt or the portal)."),
        "phone": N_("The phone number given in the application: officials of your area find it by this number."),
    }
    lines.append(ctx._(texts[key]))
    rows = [[Button(button("today"), ctx._("Just now"))]] if key == "when" else []
    ctx.say("\n".join(lines), rows + controls(ctx, skip=key in ("number", "phone")))


async def answer(ctx: Conversation, key: str, value) -> None:
    answers = {**ctx.data.get("answers", {}), key: value}
    if any(name not in answers for name in ASKED):
        return ask(ctx, answers)
    lodged = dt.datetime.fromisoformat(answers["when"]).replace(tzinfo=zone_for(COUNTRY)).astimezone(dt.UTC)
    application = await store.create(
        ctx.session,
        ctx.contact,
        path=answers["path"],
        office=answers["office"],
        lodged_at=lodged,
        now=ctx.clock.now(),
        region=answers.get("region"),
        destination=answers.get("dest"),
        number=answers.get("number"),
        phone=answers.get("phone"),
    )
    await notices.after_change(ctx.session, application, ctx.contact)
    await show(ctx, application, ctx._("Saved. The bot will tell you when a step is late."))


def go_back(ctx: Conversation) -> None:
    answers, asking = dict(ctx.data.get("answers", {})), ctx.data.get("asking")
    earlier = [key for key in ASKED[: ASKED.index(asking)] if key in answers] if asking in ASKED else []
    if not earlier:
        return ctx.show_menu()
    answers.pop(earlier[-1])
    ask(ctx, answers)


# --- the timeline and news ------------------------------------------------------------------------------------


async def show(ctx: Conversation, application: Application, note: str | None = None) -> None:
    ctx.goto(None)
    steps = tracking()
    head = ctx._("My application: {path}").format(path=steps.path_name(application.path, ctx.language))
    history = await store.events(ctx.session, application)
    text = "\n".join(part for part in (note, head, timeline(ctx.t, application, history, ctx.today)) if part)
    rows = [[Button(button("news"), ctx._("I have news"))]] if updates.allowed(application) else []
    rows += [[Button(button("new"), ctx._("Record another application"), ctx._("Another application"))]]
    ctx.say(text, rows + [[Button("menu", ctx._(MENU))]])


def offer_news(ctx: Conversation, application: Application) -> None:
    rows = [
        [
            Button(
                button("set", status),
                status_name(status, ctx.language),
                tracking().data.statuses[status].short(ctx.language),
            )
        ]
        for status in updates.allowed(application)
    ]
    ctx.say(ctx._("What has happened? The bot will count the next deadlines from today."), rows + controls(ctx))


async def set_status(ctx: Conversation, application: Application, status: str) -> None:
    if status not in updates.allowed(application):
        raise NotUnderstood("button")  # a stale button: the application moved on
    await updates.apply(ctx.session, application, status, ctx.clock.now(), updates.PERSON, notify=False)
    await show(ctx, application, ctx._("Saved: {status}.").format(status=status_name(status, ctx.language)))


# --- check-ins ------------------------------------------------------------------------------------------------


async def checkin_of(ctx: Conversation, checkin_id: str) -> CheckIn | None:
    """A check-in of this person's, or None (a forged or stale id)."""
    checkin = await ctx.session.get(CheckIn, number) if (number := row_id(checkin_id)) is not None else None
    if checkin is None:
        return None
    application = await ctx.session.get(Application, checkin.application_id)
    return checkin if application is not None and application.contact_id == ctx.contact.id else None


async def checkin_answer(ctx: Conversation, checkin: CheckIn, key: str, value: str | None, words: str | None):
    now = ctx.clock.now()
    checkins.record(checkin, key, value, words, now)
    if words:
        application = await ctx.session.get(Application, checkin.application_id)
        relayed = await checkins.relay_problem(ctx.session, application, words, now)
        ctx.say(
            ctx._("Thank you. Your words were passed to the officials of your area.")
            if relayed
            else ctx._("Thank you. No official of your area uses Joldas yet: please tell the employment centre.")
        )
    following = checkins.next_question(key)
    if following is None:
        return ctx.show_menu(ctx._("Thank you for your answers."))
    ctx.goto(checkins.STATE, checkin=checkin.id, q=following)
    ctx.replies.append(checkins.question(ctx.t, checkin, following))


# --- routing --------------------------------------------------------------------------------------------------


@router.button("trk")
async def tracking_button(ctx: Conversation, argument: str) -> None:
    pressed = PersonButton.parse(argument)
    if pressed is None:
        raise NotUnderstood("button")
    if pressed.action == "ci":
        checkin = await checkin_of(ctx, pressed.args[0])
        key, value = pressed.args[1], pressed.args[2]
        if checkin is None or key not in checkins.QUESTIONS or value not in checkins.QUESTIONS[key][1]:
            raise NotUnderstood("button")
        return await checkin_answer(ctx, checkin, key, value, None)
    if not ctx.has_consent:
        return ctx.show_menu(ctx._("To follow an application Joldas must keep its details: give your consent first."))
    application = await store.of_contact(ctx.session, ctx.contact)
    recording = ctx.state == STATE
    if pressed.action == "" and application is not None:
        return await show(ctx, application)
    if pressed.action in ("", "new"):
        return await start(ctx)
    if pressed.action == "news" and application is not None:
        return offer_news(ctx, application)
    if pressed.action == "set" and application is not None:
        return await set_status(ctx, application, pressed.args[0])
    if pressed.action == "back" and recording:
        return go_back(ctx)
    if pressed.action == "back" and application is not None:
        return await show(ctx, application)
    asking = ctx.data.get("asking") if recording else None
    if pressed.action == "path" == asking and pressed.args[0] in tracking().path_ids:
        return await answer(ctx, "path", pressed.args[0])
    if pressed.action == "office" == asking and pressed.args[0] in tracking().data.offices:
        return await answer(ctx, "office", pressed.args[0])
    if pressed.action == "today" and asking == "when":
        return await answer(ctx, "when", local_time(ctx.clock.now(), COUNTRY).replace(tzinfo=None).isoformat())
    if pressed.action == "dest" and asking == "dest" and region_name(pressed.args[0], ctx.language):
        return await answer(ctx, "dest", pressed.args[0])
    if pressed.action == "skip" and asking in ("number", "phone"):
        return await answer(ctx, asking, None)
    raise NotUnderstood("button")


@router.state(STATE)
async def tracking_text(ctx: Conversation, text: str) -> None:
    asking = ctx.data.get("asking")
    for control, label in (("back", BACK), ("skip", SKIP)):
        if typed_as(text, label):
            return await tracking_button(ctx, control)
    if asking == "when":
        lodged = lodged_from(text, ctx.clock.now())
        if lodged is None:
            return ask(ctx, ctx.data.get("answers", {}), ctx._("That is not a date I can use (not in the future)."))
        return await answer(ctx, "when", lodged.isoformat())
    if asking == "dest":
        found = find_region(text)
        if found is not None:
            return await answer(ctx, "dest", found.id)
        if offer_candidates(ctx, text, PersonButton.prefix_of("dest"), controls(ctx)):
            return None
        return ask(ctx, ctx.data.get("answers", {}), ctx._("I do not know a region by that name."))
    if asking == "number":
        return await answer(ctx, "number", store.clean_number(text))
    if asking == "phone":
        phone = store.phone_digits(text)
        if phone is None:
            return ask(ctx, ctx.data.get("answers", {}), ctx._("That does not look like a phone number."))
        return await answer(ctx, "phone", phone)
    raise NotUnderstood("text")


@router.reask(STATE)
async def ask_again(ctx: Conversation) -> None:
    ask(ctx, dict(ctx.data.get("answers", {})))


@router.state(checkins.STATE)
async def checkin_text(ctx: Conversation, text: str) -> None:
    """A check-in answered by typing: a button's label is that answer; other words are kept as what the person
    says about their life after the move, and passed to the officials of their area."""
    checkin = await checkin_of(ctx, str(ctx.data.get("checkin", "")))
    key = ctx.data.get("q")
    if checkin is None or key not in checkins.QUESTIONS:
        raise NotUnderstood("text")
    value = next((value for value, label in checkins.QUESTIONS[key][1].items() if typed_as(text, label)), None)
    await checkin_answer(ctx, checkin, key, value, None if value else text)


@router.reask(checkins.STATE)
async def checkin_again(ctx: Conversation) -> None:
    """The check-in question being answered, again (after /lang, in the new language)."""
    checkin = await checkin_of(ctx, str(ctx.data.get("checkin", "")))
    if checkin is None or ctx.data.get("q") not in checkins.QUESTIONS:
        return ctx.show_menu()
    ctx.replies.append(checkins.question(ctx.t, checkin, ctx.data["q"]))


router.menu("trk", MENU_LABEL, order=25)


def track_button(ctx: Conversation) -> Button:
    """The button under an eligible pre-check: record the application, its path taken from the check."""
    return Button(button("new"), ctx._("Follow my application"), ctx._("Follow application"))


async def what_is_kept(ctx: Conversation, held: frozenset[str]) -> list[str]:
    """For /mydata: the person's application, with its number and phone (shown to them and to officials of
    its area only)."""
    application = await store.of_contact(ctx.session, ctx.contact) if "application" in held else None
    if application is None:
        return []
    lines = [
        "• "
        + ctx._("Application followed: {path}, lodged {date}, now: {status}").format(
            path=tracking().path_name(application.path, ctx.language),
            date=ctx.t.date(local_day(application.lodged_at)),
            status=status_name(application.status, ctx.language),
        )
    ]
    if application.number:
        lines.append("  – " + ctx._("Application number: {number}").format(number=application.number))
    if application.phone:
        lines.append("  – " + ctx._("Phone in the application: +{phone}").format(phone=application.phone))
    return lines
