"""The focal point's side of referrals: their open requests (`/referrals`), accepting one, the conversation
with the person, ending it, closing with an outcome, and their area's figures (`/report`).

Every action goes through `bot.officials.access.authorise`, which checks the area and audits the attempt.
While a focal point answers a request (state `fp_chat`), what they type goes to the person; commands and
buttons never do. Button ids: `bot.returnees.buttons` (`fp:…`).
"""

from __future__ import annotations

from sqlalchemy import select

from bot import places
from bot.clock import local_time
from bot.context import Conversation
from bot.conversation import Button
from bot.i18n import N_
from bot.officials import access
from bot.returnees import relay
from bot.returnees import report as figures
from bot.returnees.buttons import Fp, fp
from bot.returnees.referrals import OPEN, OUTCOMES, STATUSES, accept, close, needs_text
from bot.router import NotUnderstood, Router
from bot.storage.models import Official, Referral, as_utc
from handlers.officials import NOT_ALLOWED, acting
from handlers.returnees import ATTACHMENTS

router = Router()

SHOWN = 8  # requests on one screen
MAX_REASON = 500
NOT_YOURS = N_("This request is not in your area any more, or you may not act on it.")


def is_official(ctx: Conversation) -> bool:
    return acting(ctx) is not None


router.menu(fp("list"), N_("Referrals"), order=72, visible=is_official)


async def actor(ctx: Conversation, action: str) -> Official | None:
    """The role the person acts as (refused and audited when they hold none: then None)."""
    try:
        return await access.actor_in_messenger(ctx.session, ctx.contact, action, ctx.clock.now())
    except access.Denied:
        return None


async def own_area(ctx: Conversation, action: str) -> Official | None:
    """The official, allowed `action` on their own area; None (and the menu) when they may not."""
    official = await actor(ctx, action)
    try:
        if official is None:
            raise access.Denied("not_an_official")
        await access.authorise(ctx.session, official, action, official.area_id, ctx.clock.now())
    except access.Denied:
        ctx.show_menu(ctx._(NOT_ALLOWED))
        return None
    return official


async def actor_and_referral(ctx: Conversation, pressed: Fp) -> tuple[Official, Referral]:
    official = await actor(ctx, f"referral.{pressed.action}")
    referral = await ctx.session.get(Referral, pressed.referral()) if pressed.referral() is not None else None
    if official is None or referral is None:
        raise NotUnderstood("button")
    return official, referral


@router.command("referrals")
async def referrals_command(ctx: Conversation, _argument: str) -> None:
    await show_list(ctx)


@router.button("fp")
async def focal_button(ctx: Conversation, argument: str) -> None:
    pressed = Fp.parse(argument)
    if pressed is None:
        raise NotUnderstood("button")
    if pressed.action == "list":
        return await show_list(ctx)
    if pressed.action == "report":
        return await show_report(ctx)
    official, referral = await actor_and_referral(ctx, pressed)
    try:
        await act(ctx, pressed, official, referral)
    except access.Denied:
        ctx.show_menu(ctx._(NOT_YOURS))


async def act(ctx: Conversation, pressed: Fp, official: Official, referral: Referral) -> None:
    now = ctx.clock.now()
    match pressed.action, pressed.args[1:]:
        case "acc", ():
            await accept(ctx.session, referral, official, now)
            if referral.official_id != official.id:
                ctx.show_menu(
                    ctx._("Another focal point has already accepted request No. {number}.").format(number=referral.id)
                )
            else:
                await start_chat(ctx, official, referral)
        case "reply", ():
            await access.authorise(
                ctx.session, official, "referral.answer", referral.area_id, now, referral=referral.id
            )
            await start_chat(ctx, official, referral)
        case "end", ():
            await access.authorise(
                ctx.session, official, "referral.end_chat", referral.area_id, now, referral=referral.id
            )
            referral.chatting = False
            ctx.show_menu(ctx._("The conversation of request No. {number} has ended.").format(number=referral.id))
        case "close", ():
            await access.authorise(ctx.session, official, "referral.view", referral.area_id, now, referral=referral.id)
            rows = [[Button(fp("out", referral.id, key), ctx._(label))] for key, label in OUTCOMES.items()]
            ctx.say(ctx._("How did request No. {number} end?").format(number=referral.id), rows)
        case "out", (outcome,) if outcome in OUTCOMES and referral.status != "closed":
            if outcome == "helped":
                await close(ctx.session, referral, official, outcome, None, now)
                ctx.show_menu(ctx._("Request No. {number} is closed.").format(number=referral.id))
            else:
                await access.authorise(
                    ctx.session, official, "referral.view", referral.area_id, now, referral=referral.id
                )
                ctx.goto("fp_reason", referral=referral.id, outcome=outcome)
                ctx.say(ctx._("Write the reason in one message: the person will see it."))
        case _:
            raise NotUnderstood("button")


async def start_chat(ctx: Conversation, official: Official, referral: Referral) -> None:
    if referral.status == "closed" or referral.contact_id is None:
        ctx.show_menu(ctx._("This request is closed."))
        return
    referral.chatting = True
    ctx.goto("fp_chat", referral=referral.id)
    ctx.say(
        ctx._(
            "Request No. {number}: what you write now goes to the person, labelled with your area. "
            "Commands such as /referrals or /menu are not passed on."
        ).format(number=referral.id),
        [
            [Button(fp("end", referral.id), ctx._("End the conversation"), ctx._("End conversation"))],
            [Button(fp("close", referral.id), ctx._("Close the request"), ctx._("Close request"))],
        ],
    )


@router.guard
async def relay_to_person(ctx: Conversation) -> bool:
    """In a conversation, the focal point's words (and what they attach) go to the person; nothing else does."""
    incoming = ctx.incoming
    if ctx.state != "fp_chat" or incoming.button is not None or incoming.command is not None:
        return False
    if not incoming.text and incoming.attachment not in ATTACHMENTS:
        return False
    official = await actor(ctx, "referral.answer")
    referral = await ctx.session.get(Referral, ctx.data.get("referral") or 0)
    if official is None or referral is None or referral.status == "closed":
        ctx.show_menu(ctx._("This request is closed."))
        return True
    now = ctx.clock.now()
    try:
        await access.authorise(ctx.session, official, "referral.answer", referral.area_id, now, referral=referral.id)
    except access.Denied:
        ctx.show_menu(ctx._(NOT_YOURS))
        return True
    referral.chatting = True
    why = await relay.from_focal_point(ctx.session, referral, official, incoming, now)
    if why is None:
        ctx.say(ctx._("Sent to the person of request No. {number}.").format(number=referral.id))
    else:
        ctx.say(ctx._("Kept with the request, but the person cannot be reached right now."))
    return True


@router.state("fp_reason")
async def reason_text(ctx: Conversation, text: str) -> None:
    official = await actor(ctx, "referral.close")
    referral = await ctx.session.get(Referral, ctx.data.get("referral") or 0)
    outcome = ctx.data.get("outcome")
    if official is None or referral is None or outcome not in OUTCOMES:
        ctx.show_menu()
        return
    try:
        await close(ctx.session, referral, official, outcome, text[:MAX_REASON], ctx.clock.now())
    except access.Denied:
        ctx.show_menu(ctx._(NOT_YOURS))
        return
    ctx.show_menu(ctx._("Request No. {number} is closed.").format(number=referral.id))


async def show_list(ctx: Conversation) -> None:
    official = await own_area(ctx, "referral.list")
    if official is None:
        return
    found = list(await ctx.session.scalars(select_open(official.id).limit(SHOWN)))
    lines = [ctx._("Your open requests:") if found else ctx._("You have no open requests.")]
    rows = []
    for referral in found:
        state = ctx._(STATUSES[referral.status])
        day = ctx.t.date(local_time(as_utc(referral.created_at), referral.country).date())
        lines.append(f"№ {referral.id} · {day} · {state} · {needs_text(ctx.t, referral.needs)}")
        if referral.contact_id is None:  # the person deleted their data: all that is left is to close it
            lines[-1] += " · " + ctx._("the person deleted their data")
            rows.append([Button(fp("close", referral.id), ctx._("Close No. {number}").format(number=referral.id))])
        elif referral.status == "waiting":
            rows.append([Button(fp("acc", referral.id), ctx._("Accept No. {number}").format(number=referral.id))])
        else:
            rows.append([Button(fp("reply", referral.id), ctx._("Answer No. {number}").format(number=referral.id))])
    rows.append([Button(fp("report"), ctx._("Figures of my area"), ctx._("Area figures"))])
    rows.append([Button("menu", "◀ " + ctx._("Main menu"))])
    ctx.say("\n".join(lines), rows)


def select_open(official_id: int):
    return select(Referral).where(Referral.official_id == official_id, Referral.status.in_(OPEN)).order_by(Referral.id)


async def show_report(ctx: Conversation) -> None:
    official = await own_area(ctx, "report.referrals")
    if official is None:
        return
    found = await figures.referral_figures(ctx.session, official.area_id)
    area = await places.get(ctx.session, official.area_id)
    lines = [
        ctx._("Requests in {area}: {total}").format(area=places.display_name(area, ctx.language), total=found.total),
        ctx._("Open: {waiting} waiting, {accepted} accepted; closed: {closed}").format(
            waiting=found.by_status.get("waiting", 0),
            accepted=found.by_status.get("accepted", 0),
            closed=found.by_status.get("closed", 0),
        ),
        ctx._("By need: {needs}").format(
            needs=", ".join(f"{needs_text(ctx.t, [key])} {count}" for key, count in found.by_need.items()) or "—"
        ),
        ctx._("Outcomes: {outcomes}").format(
            outcomes=", ".join(f"{ctx._(OUTCOMES[key])} {count}" for key, count in found.outcomes.items()) or "—"
        ),
        ctx._("Median hours to accept: {accept}; to close: {close}").format(
            accept=found.hours_to_accept_median if found.hours_to_accept_median is not None else "—",
            close=found.hours_to_close_median if found.hours_to_close_median is not None else "—",
        ),
    ]
    ctx.show_menu("\n".join(lines))
