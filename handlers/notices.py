"""Notices: an official writes a notice in one, two or three languages (the bot asks for each), chooses the
language for everyone else, the area (theirs or a place within it) and the audience, sees the preview —
counts per language and messenger, the notice as people will get it — and sends it now or at a local time
of the area, once or every week or month; then reads the report, stops it, or sends it again to those it
failed for. People who get a notice can stop that organisation's notices.

Nothing here decides who may do what: every step goes through `bot.officials.access` (by way of
`bot.broadcasts.manage`), which refuses and audits. Button ids are built and read in `bot.broadcasts.notice`.
State `ntc` keeps the draft: the texts so far, the language being asked, the fallback, area and audience.
"""

from __future__ import annotations

from datetime import datetime
from textwrap import shorten

from bot import places
from bot.broadcasts import audience, manage, notice, schedule
from bot.broadcasts.notice import NoticeButton
from bot.broadcasts.report import STATUSES, preview_text, report, report_reply
from bot.clock import local_time
from bot.context import Conversation
from bot.conversation import Button
from bot.i18n import LANGUAGE_NAMES, N_, USER_LANGUAGES
from bot.officials import access
from bot.router import NotUnderstood, Router
from bot.storage import repository
from bot.storage.models import Broadcast, Official
from bot.tracking.steps import tracking
from handlers.officials import NOT_ALLOWED, acting

router = Router()
STATE = "ntc"
SHOWN_AREAS = 8  # the official's area and up to this many places within it, as buttons
SHOWN_BROADCASTS = 5
REPEAT_LABELS = {"once": N_("Once"), "weekly": N_("Every week"), "monthly": N_("Every month")}
STAGE_SHORT = N_("Application stage")
SHORT = 20  # characters of a WhatsApp button's short label
TOO_LONG = N_("That is too long: a notice holds at most {n} characters. Please shorten it.")
IN_THE_PAST = N_("That time has passed. Please give a time in the future.")


def press(action: str, value: str = "") -> str:
    return NoticeButton(action, value).id  # type: ignore[arg-type]


def official_may_broadcast(ctx: Conversation) -> bool:
    return acting(ctx) is not None


router.menu(STATE, N_("Notices"), order=72, visible=official_may_broadcast)


@router.button(STATE)
async def notices_button(ctx: Conversation, argument: str) -> None:
    if argument == "":
        return await open_screen(ctx)
    pressed = NoticeButton.parse(argument)
    if pressed is None:
        raise NotUnderstood("button")
    if pressed.action in ("stop", "undo"):  # the person who got a notice: no role needed
        return await stop_or_undo(ctx, pressed)
    official = acting(ctx)
    if official is None:
        await access.audit(
            ctx.session, None, f"broadcast.{pressed.action}", None, ctx.clock.now(), contact=ctx.contact,
            outcome="denied", reason="not_an_official",
        )  # fmt: skip
        return ctx.show_menu(ctx._(NOT_ALLOWED))
    try:
        await ACTIONS[pressed.action](ctx, official, pressed.value)
    except access.Denied:
        ctx.show_menu(ctx._(NOT_ALLOWED))
    except manage.Invalid:  # a button pressed twice (Send now on a notice already sent, say)
        ctx.show_menu(ctx._("That notice cannot be changed any more."))


async def open_screen(ctx: Conversation) -> None:
    official = acting(ctx)
    if official is None:
        raise NotUnderstood("button")
    area = await places.get(ctx.session, official.area_id)
    ctx.goto(None)
    ctx.say(
        ctx._("Notices to the people of {area}.").format(area=places.display_name(area, ctx.language)),
        [
            [Button(press("new"), ctx._("Write a notice"))],
            [Button(press("list"), ctx._("My notices"))],
            [Button("menu", ctx._("Main menu"))],
        ],
    )


# --- writing ---------------------------------------------------------------------------------------------------


async def new(ctx: Conversation, official: Official, _value: str) -> None:
    await access.authorise(ctx.session, official, "broadcast.draft", official.area_id, ctx.clock.now())
    ctx.goto(STATE, step="text", lang=USER_LANGUAGES[0], texts={})
    ask(ctx)


def draft(ctx: Conversation) -> dict:
    return ctx.data if ctx.state == STATE else {}


def ask(ctx: Conversation) -> None:
    """The question of the draft's current step, again from the saved state."""
    step = draft(ctx).get("step")
    cancel = [Button(press("drop"), ctx._("Cancel"))]
    if step == "text":
        language = ctx.data["lang"]
        ctx.say(
            ctx._("Write the notice in {language} (at most {n} characters), or skip this language.").format(
                language=LANGUAGE_NAMES[language], n=notice.MAX_TEXT
            ),
            [[Button(press("skip"), ctx._("Skip this language"), ctx._("Skip"))], cancel],
        )
    elif step == "fallback":
        ctx.say(
            ctx._("People whose language has no text get the notice in:"),
            [[Button(press("fb", language), LANGUAGE_NAMES[language])] for language in ctx.data["texts"]] + [cancel],
        )
    elif step == "when":
        ctx.say(
            ctx._("When should it go? Write the local time of the area, e.g. 05.12.2026 10:00, or only 10:00."),
            [cancel],
        )
    else:
        ctx.show_menu()


@router.reask(STATE)
async def reask(ctx: Conversation) -> None:
    if draft(ctx).get("step") in ("area", "audience"):
        official = acting(ctx)
        if official is not None:
            return await (ask_area if ctx.data["step"] == "area" else ask_audience)(ctx, official)
    ask(ctx)


@router.state(STATE)
async def typed(ctx: Conversation, text: str) -> None:
    official = acting(ctx)
    if official is None:
        return ctx.show_menu(ctx._(NOT_ALLOWED))
    step = ctx.data.get("step")
    if step == "text":
        await access.authorise(ctx.session, official, "broadcast.draft", official.area_id, ctx.clock.now())
        if len(text) > notice.MAX_TEXT:
            ctx.say(ctx._(TOO_LONG).format(n=notice.MAX_TEXT))
            return ask(ctx)
        ctx.data["texts"][ctx.data["lang"]] = text
        return await next_language(ctx, official)
    if step == "when":
        return await when_typed(ctx, official, text)
    await reask(ctx)  # a button was expected: the question again


async def skip(ctx: Conversation, official: Official, _value: str) -> None:
    if draft(ctx).get("step") != "text":
        raise NotUnderstood("button")
    await next_language(ctx, official)


async def next_language(ctx: Conversation, official: Official) -> None:
    later = USER_LANGUAGES[USER_LANGUAGES.index(ctx.data["lang"]) + 1 :]
    if later:
        ctx.data["lang"] = later[0]
        return ask(ctx)
    if not ctx.data["texts"]:
        ctx.say(ctx._("A notice needs a text in at least one language."))
        ctx.data["lang"] = USER_LANGUAGES[0]
        return ask(ctx)
    if len(ctx.data["texts"]) == 1:
        ctx.data["fallback"] = next(iter(ctx.data["texts"]))
        return await ask_area(ctx, official)
    ctx.data["step"] = "fallback"
    ask(ctx)


async def fallback(ctx: Conversation, official: Official, language: str) -> None:
    if draft(ctx).get("step") != "fallback" or language not in ctx.data["texts"]:
        raise NotUnderstood("button")
    ctx.data["fallback"] = language
    await ask_area(ctx, official)


async def ask_area(ctx: Conversation, official: Official) -> None:
    """The official's area, or a place within it (the places directly under it, as buttons)."""
    ctx.data["step"] = "area"
    area = await places.get(ctx.session, official.area_id)
    choices = [area, *await manage.areas_within(ctx.session, area.id, SHOWN_AREAS)]
    ctx.say(
        ctx._("To the people of which area?"),
        [[Button(press("area", place.id), places.display_name(place, ctx.language))] for place in choices]
        + [[Button(press("drop"), ctx._("Cancel"))]],
    )


async def choose_area(ctx: Conversation, official: Official, area_id: str) -> None:
    """A forged button naming an area outside the official's is refused (and audited) here."""
    await access.authorise(ctx.session, official, "broadcast.draft", area_id, ctx.clock.now())
    if draft(ctx).get("step") != "area":
        raise NotUnderstood("button")
    ctx.data["area"] = area_id
    await ask_audience(ctx, official)


async def ask_audience(ctx: Conversation, official: Official) -> None:
    ctx.data["step"] = "audience"
    ctx.say(
        ctx._("Who should get it?"),
        [[Button(press("aud", kind), ctx._(label))] for kind, label in audience.AUDIENCES.items()]
        + [[Button(press("aud", audience.STAGE), ctx._(audience.STAGE_LABEL), ctx._(STAGE_SHORT))]]
        + [[Button(press("drop"), ctx._("Cancel"))]],
    )


def ask_stage(ctx: Conversation) -> None:
    """The statuses of an application (tracking), for "people at an application stage"."""
    names = {status: tracking().status_name(status, ctx.language) for status in audience.stages()}
    ctx.say(
        ctx._("People whose application is at which stage?"),
        [
            [Button(press("aud", f"{audience.STAGE}:{status}"), name, shorten(name, SHORT, placeholder="…"))]
            for status, name in names.items()
        ]
        + [[Button(press("drop"), ctx._("Cancel"))]],
    )


async def choose_audience(ctx: Conversation, official: Official, kind: str) -> None:
    if draft(ctx).get("step") != "audience":
        raise NotUnderstood("button")
    if kind == audience.STAGE:
        return ask_stage(ctx)
    if not audience.known(kind):
        raise NotUnderstood("button")
    now = ctx.clock.now()
    broadcast = await manage.create(
        ctx.session,
        official,
        area_id=ctx.data["area"],
        audience_kind=kind,
        texts=ctx.data["texts"],
        now=now,
        fallback=ctx.data["fallback"],
    )
    ctx.goto(STATE, step="preview", id=broadcast.id)
    await show_preview(ctx, official, broadcast)


async def show_preview(ctx: Conversation, official: Official, broadcast: Broadcast) -> None:
    now = ctx.clock.now()
    await access.authorise(ctx.session, official, "broadcast.preview", broadcast.area_id, now, broadcast=broadcast.id)
    found = await manage.preview(ctx.session, broadcast, now)
    area = await places.get(ctx.session, broadcast.area_id)
    head = ctx._("Preview: {audience}, {area}.").format(
        audience=audience.label(broadcast.audience, ctx.language), area=places.display_name(area, ctx.language)
    )
    ctx.say(head + "\n" + preview_text(ctx.t, found))
    for language in broadcast.texts:
        shown = notice.reply(broadcast, language)
        ctx.say(
            ctx._("As people get it in {language}:").format(language=LANGUAGE_NAMES[language]) + "\n\n" + shown.text
        )
    ctx.say(
        ctx._("Send it?"),
        [
            [Button(press("send"), ctx._("Send now"))],
            [Button(press("when"), ctx._("Schedule"))],
            [Button(press("drop"), ctx._("Discard"))],
        ],
    )


async def current_draft(ctx: Conversation, official: Official, action: str) -> Broadcast:
    broadcast_id = draft(ctx).get("id")
    if not isinstance(broadcast_id, int):
        raise NotUnderstood("button")
    return await manage.find(ctx.session, official, action, broadcast_id, ctx.clock.now())


async def send_now(ctx: Conversation, official: Official, _value: str) -> None:
    broadcast = await current_draft(ctx, official, "broadcast.send")
    await manage.send(ctx.session, official, broadcast, ctx.clock.now())
    ctx.goto(None)
    ctx.say(
        ctx._("Notice #{id} is on its way. You will get the report when the last message has gone.").format(
            id=broadcast.id
        ),
        following(ctx, broadcast),
    )


async def ask_when(ctx: Conversation, official: Official, _value: str) -> None:
    await current_draft(ctx, official, "broadcast.schedule")
    ctx.data["step"] = "when"
    ask(ctx)


async def when_typed(ctx: Conversation, official: Official, text: str) -> None:
    broadcast = await current_draft(ctx, official, "broadcast.schedule")
    area = await places.get(ctx.session, broadcast.area_id)
    at = schedule.parse_local(text, manage.country_of(area), ctx.clock.now())
    if at is None or at <= ctx.clock.now():
        ctx.say(ctx._(IN_THE_PAST) if at is not None else ctx._("I could not read that time."))
        return ask(ctx)
    ctx.data.update(step="repeat", at=at.isoformat())
    ctx.say(
        ctx._("Once, or again and again?"),
        [[Button(press("rep", repeat), ctx._(label))] for repeat, label in REPEAT_LABELS.items()],
    )


async def repeat(ctx: Conversation, official: Official, value: str) -> None:
    if draft(ctx).get("step") != "repeat" or value not in REPEAT_LABELS:
        raise NotUnderstood("button")
    broadcast = await current_draft(ctx, official, "broadcast.schedule")
    at = datetime.fromisoformat(ctx.data["at"])
    await manage.send(ctx.session, official, broadcast, ctx.clock.now(), at=at, repeat=value)
    area = await places.get(ctx.session, broadcast.area_id)
    local = local_time(at, manage.country_of(area))
    ctx.goto(None)
    ctx.say(
        ctx._("Notice #{id} will go on {date} at {time} ({repeat}).").format(
            id=broadcast.id,
            date=ctx.t.date(local.date()),
            time=local.strftime("%H:%M"),
            repeat=ctx._(REPEAT_LABELS[value]),
        ),
        following(ctx, broadcast),
    )


async def drop(ctx: Conversation, official: Official, _value: str) -> None:
    broadcast_id = draft(ctx).get("id")
    if isinstance(broadcast_id, int):
        broadcast = await manage.find(ctx.session, official, "broadcast.discard", broadcast_id, ctx.clock.now())
        if broadcast.status == "draft":
            await manage.cancel(ctx.session, official, broadcast, ctx.clock.now())
    ctx.show_menu(ctx._("The notice was not sent."))


# --- after sending -----------------------------------------------------------------------------------------------


def following(ctx: Conversation, broadcast: Broadcast) -> list[list[Button]]:
    return [
        [Button(press("report", str(broadcast.id)), ctx._("Report"))],
        [Button(press("cancel", str(broadcast.id)), ctx._("Stop sending"))],
        [Button("menu", ctx._("Main menu"))],
    ]


async def show_report(ctx: Conversation, official: Official, value: str) -> None:
    broadcast = await manage.find(ctx.session, official, "broadcast.report", int(value), ctx.clock.now())
    shown = report_reply(ctx.t, broadcast, await report(ctx.session, broadcast))
    ctx.say(shown.text, shown.buttons + [[Button("menu", ctx._("Main menu"))]])


async def cancel(ctx: Conversation, official: Official, value: str) -> None:
    broadcast = await manage.find(ctx.session, official, "broadcast.cancel", int(value), ctx.clock.now())
    if broadcast.status in ("done", "cancelled"):
        return ctx.show_menu(ctx._("Notice #{id} has already finished.").format(id=broadcast.id))
    stopped = await manage.cancel(ctx.session, official, broadcast, ctx.clock.now())
    ctx.show_menu(
        ctx._("Notice #{id} is stopped: {n} messages will not be sent.").format(
            id=broadcast.id, n=ctx.t.number(stopped)
        )
    )


async def again(ctx: Conversation, official: Official, value: str) -> None:
    broadcast = await manage.find(ctx.session, official, "broadcast.send_again", int(value), ctx.clock.now())
    queued = await manage.send_again(ctx.session, official, broadcast, ctx.clock.now())
    ctx.say(
        ctx._("Notice #{id}: {n} messages are sent again.").format(id=broadcast.id, n=ctx.t.number(queued)),
        following(ctx, broadcast),
    )


async def list_mine(ctx: Conversation, official: Official, _value: str) -> None:
    await access.authorise(ctx.session, official, "broadcast.list", official.area_id, ctx.clock.now())
    mine = await manage.of_official(ctx.session, official, SHOWN_BROADCASTS)
    if not mine:
        return ctx.say(ctx._("You have sent no notices yet."), [[Button(press("new"), ctx._("Write a notice"))]])
    ctx.say(
        ctx._("Your latest notices:"),
        [[Button(press("report", str(each.id)), f"#{each.id} · {ctx._(STATUSES[each.status])}")] for each in mine]
        + [[Button("menu", ctx._("Main menu"))]],
    )


# --- the person who got a notice ---------------------------------------------------------------------------------


async def stop_or_undo(ctx: Conversation, pressed: NoticeButton) -> None:
    broadcast = await ctx.session.get(Broadcast, pressed.broadcast_id)
    if broadcast is None:
        raise NotUnderstood("button")
    sender = notice.sender_name(broadcast)
    if pressed.action == "stop":
        await manage.stop_notices(ctx.session, ctx.contact, broadcast, ctx.clock.now())
        await repository.audit(ctx.session, "notices.organisation_stopped", ctx.contact, organisation=sender)
        ctx.say(
            ctx._("You will get no more notices from {sender}. To stop every notice, send /stop.").format(
                sender=sender
            ),
            [[Button(press("undo", str(broadcast.id)), ctx._("Undo"))], [Button("menu", ctx._("Main menu"))]],
        )
    else:
        await manage.undo_stop(ctx.session, ctx.contact, broadcast)
        await repository.audit(ctx.session, "notices.organisation_resumed", ctx.contact, organisation=sender)
        ctx.show_menu(ctx._("Notices from {sender} are on again.").format(sender=sender))


async def what_is_kept(ctx: Conversation, held: frozenset[str]) -> list[str]:
    """For /mydata: whose notices the person stopped."""
    stopped = await manage.stopped_organisations(ctx.session, ctx.contact) if "opt_outs" in held else []
    if not stopped:
        return []
    return ["• " + ctx._("Notices you stopped: {names}").format(names=", ".join(stopped))]


ACTIONS = {
    "new": new,
    "skip": skip,
    "fb": fallback,
    "area": choose_area,
    "aud": choose_audience,
    "send": send_now,
    "when": ask_when,
    "rep": repeat,
    "drop": drop,
    "list": list_mine,
    "report": show_report,
    "cancel": cancel,
    "again": again,
}
