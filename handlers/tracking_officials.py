"""Applications for officials: find one of their area by its number or the person's phone, see where it
stands, move it on to a status its path allows with a note for the person; retention in their area.

Button ids: `bot.tracking.buttons.OfficialButton` (`trko`, `trko:app:<id>`, `trko:to:<id>:<status>`,
`trko:skip`, `trko:ret`). State `trko` waits for a number or phone, `trko_note` for the note.
Every look and every change goes through `bot.officials.access` (authorised, audited).
"""

from __future__ import annotations

from bot import places
from bot.context import Conversation
from bot.conversation import Button
from bot.i18n import N_
from bot.officials import access
from bot.router import NotUnderstood, Router
from bot.storage.models import Application, Official
from bot.tracking import retention, store, updates
from bot.tracking.buttons import OfficialButton, row_id
from bot.tracking.steps import tracking
from bot.tracking.texts import status_name, timeline
from handlers.officials import acting

router = Router()
FIND, NOTE = "trko", "trko_note"
VIEW = "tracking.view"
SHOWN = 8  # applications offered at once
MENU = N_("Menu")


def button(action: str, *args: str) -> str:
    return OfficialButton(action, args).id


def is_official(ctx: Conversation) -> bool:
    return acting(ctx) is not None


async def official(ctx: Conversation, action: str) -> Official | None:
    """The role the person acts as; None (refused, audited, and said) when they hold none."""
    try:
        return await access.actor_in_messenger(ctx.session, ctx.contact, action, ctx.clock.now())
    except access.Denied:
        ctx.show_menu(ctx._("Sorry, only officials can do that. Here is the menu."))
        return None


async def allowed_to(ctx: Conversation, actor: Official, action: str, application: Application) -> bool:
    try:
        await access.authorise(
            ctx.session, actor, action, updates.area_of(application), ctx.clock.now(), application=application.id
        )
    except access.Denied:
        ctx.show_menu(ctx._("This application is not in your area."))
        return False
    return True


def ask_number(ctx: Conversation, note: str | None = None) -> None:
    ctx.goto(FIND)
    text = ctx._("Type the application's number or the phone number given in it (applications of your area).")
    rows = [[Button(button("ret"), ctx._("Retention in my area"), ctx._("Retention"))], [Button("menu", ctx._(MENU))]]
    ctx.say("\n".join(part for part in (note, text) if part), rows)


async def found(ctx: Conversation, text: str) -> None:
    actor = await official(ctx, VIEW)
    if actor is None:
        return
    area = await places.get(ctx.session, actor.area_id)
    hits = await store.find(ctx.session, text, area, limit=SHOWN)
    await access.audit(ctx.session, actor, "tracking.find", actor.area_id, ctx.clock.now(), found=len(hits))
    if not hits:
        return ask_number(ctx, ctx._("Nothing found in your area."))
    rows = [
        [
            Button(
                button("app", str(hit.id)),
                f"#{hit.id} · {status_name(hit.status, ctx.language)}",
                f"#{hit.id} {tracking().data.statuses[hit.status].short(ctx.language)}"[:20],
            )
        ]
        for hit in hits
    ]
    ctx.say(ctx._("Found in your area:"), rows + [[Button("menu", ctx._(MENU))]])


async def show(ctx: Conversation, application: Application, note: str | None = None) -> None:
    ctx.goto(None)
    steps = tracking()
    lines = [note] if note else []
    lines.append(
        ctx._("Application #{id}: {path}").format(
            id=application.id, path=steps.path_name(application.path, ctx.language)
        )
    )
    if application.phone:
        lines.append(ctx._("Phone: +{phone}").format(phone=application.phone))
    lines.append(timeline(ctx.t, application, await store.events(ctx.session, application), ctx.today))
    rows = [
        [
            Button(
                button("to", str(application.id), status),
                status_name(status, ctx.language),
                steps.data.statuses[status].short(ctx.language),
            )
        ]
        for status in updates.allowed(application)
    ]
    ctx.say("\n".join(lines), rows + [[Button(button(""), ctx._("Find another"))], [Button("menu", ctx._(MENU))]])


async def change(ctx: Conversation, application_id: int, status: str, note: str | None) -> None:
    actor = await official(ctx, updates.UPDATE)
    application = await ctx.session.get(Application, application_id)
    if actor is None or application is None:
        return
    try:
        await updates.apply(
            ctx.session, application, status, ctx.clock.now(), updates.Actor("official", actor), note=note
        )
    except access.Denied:
        return ctx.show_menu(ctx._("This application is not in your area."))
    except updates.NotAllowed:
        return await show(ctx, application, ctx._("This status cannot follow the current one."))
    done = ctx._("Saved: {status}. The person has been told.").format(status=status_name(status, ctx.language))
    await show(ctx, application, done)


async def show_retention(ctx: Conversation) -> None:
    actor = await official(ctx, "tracking.retention")
    if actor is None:
        return
    await access.audit(ctx.session, actor, "tracking.retention", actor.area_id, ctx.clock.now())
    area = await places.get(ctx.session, actor.area_id)
    rows = await retention.table(ctx.session, area, ctx.today)
    ctx.say(retention.as_text(ctx.t, rows), [[Button("menu", ctx._(MENU))]], retention.chart_document(ctx.t, rows))


@router.button("trko")
async def officials_button(ctx: Conversation, argument: str) -> None:
    pressed = OfficialButton.parse(argument)
    if pressed is None:
        raise NotUnderstood("button")
    if pressed.action == "":
        return ask_number(ctx) if await official(ctx, VIEW) is not None else None
    if pressed.action == "ret":
        return await show_retention(ctx)
    if pressed.action == "app":
        actor = await official(ctx, VIEW)
        number = row_id(pressed.args[0])
        application = await ctx.session.get(Application, number) if number is not None else None
        if actor is None:
            return None
        if application is None:
            raise NotUnderstood("button")
        if await allowed_to(ctx, actor, VIEW, application):
            await show(ctx, application)
        return None
    if pressed.action == "to" and row_id(pressed.args[0]) is not None:
        ctx.goto(NOTE, application=row_id(pressed.args[0]), status=pressed.args[1])
        question = ctx._("A note for the person (they will read it), or press Skip.")
        return ctx.say(question, [[Button(button("skip"), ctx._("Skip"))], [Button("menu", ctx._(MENU))]])
    if pressed.action == "skip" and ctx.state == NOTE:
        return await change(ctx, ctx.data["application"], ctx.data["status"], None)
    raise NotUnderstood("button")


@router.state(FIND)
async def find_text(ctx: Conversation, text: str) -> None:
    await found(ctx, text)


@router.state(NOTE)
async def note_text(ctx: Conversation, text: str) -> None:
    await change(ctx, ctx.data["application"], ctx.data["status"], text)


router.menu("trko", N_("Applications"), order=73, visible=is_official)
