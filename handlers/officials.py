"""Officials in the messenger: redeeming an invite code, and the "Officials" screen where an admin or an
official sees whom they manage and suspends, revokes or reinstates them.

Nothing here decides who may do what: every action goes through `bot.officials.access` (through `roster`),
which refuses and audits. Button ids are built and read in `bot.officials.buttons`.
"""

from __future__ import annotations

from bot import places
from bot.context import Conversation
from bot.conversation import Button
from bot.i18n import N_
from bot.officials import access, holders, invites, roster
from bot.officials.buttons import Press, is_number, parse
from bot.router import NotUnderstood, Router
from bot.storage.models import Official
from handlers.start import ask_consent, ask_language

router = Router()

ROLE_NAMES = {
    "admin": N_("administrator"),
    "official": N_("official"),
    "focal_point": N_("focal point"),
}
STATUS_NAMES = {"active": N_("active"), "suspended": N_("suspended"), "revoked": N_("revoked")}
REFUSED_CODES = {
    "unknown": N_("This invite code is not valid. Check it, or ask the person who invited you for a new one."),
    "expired": N_("This invite code has expired. Ask the person who invited you for a new one."),
    "used": N_("This invite code has already been used. Ask the person who invited you for a new one."),
    "inviter_inactive": N_("This invite code can no longer be used. Ask the person who invited you for a new one."),
}
NOT_ALLOWED = N_("Sorry, you cannot do that. Here is the menu.")
LISTED = 40  # officials listed in one message (a district's focal points fit; a country's admin types a number)
SHOWN = 9  # officials offered as buttons on one screen (a WhatsApp list holds ten rows, with Menu)
MANAGERS = {"admin", "official"}  # the roles that manage others and see the Officials screen
_ACTING = "officials.acting"  # where the guard keeps the person's active role for this message


def acting(ctx: Conversation) -> Official | None:
    """The person's active role, as the guard found it for this message (None for everyone else)."""
    return ctx.session.info.get(_ACTING, {}).get(ctx.contact.id)


def remember(ctx: Conversation, official: Official | None) -> None:
    ctx.session.info.setdefault(_ACTING, {})[ctx.contact.id] = official


def invite_code(ctx: Conversation) -> str | None:
    """The invite code a message carries: `/start <code>` (a Telegram deep link), or the code typed alone."""
    command = ctx.incoming.command
    if command is not None:
        return invites.canonical(command[1]) if command[0] == "start" else None
    return invites.canonical(ctx.incoming.text) if ctx.incoming.text else None


@router.guard
async def roles_and_invites(ctx: Conversation) -> bool:
    """Runs first, for everyone: an invite code is redeemed whatever the person was doing (even before they
    chose a language); otherwise it notes the person's role, so the menu shows what it allows."""
    code = invite_code(ctx)
    if code is None:
        holds = await holders.may_hold_role(ctx.session, ctx.contact.id)
        remember(ctx, await access.acting_official(ctx.session, ctx.contact) if holds else None)
        return False
    try:
        official = await invites.redeem(ctx.session, ctx.contact, code, ctx.clock.now())
    except invites.Refused as refused:
        ctx.say(ctx._(REFUSED_CODES[refused.reason]))
    else:
        remember(ctx, official)
        area = await places.get(ctx.session, official.area_id)
        ctx.say(
            ctx._("Welcome! You are now {role} for {area}.").format(
                role=ctx._(ROLE_NAMES[official.role]), area=places.display_name(area, ctx.language)
            )
        )
    if ctx.contact.language is None:
        ask_language(ctx)
    elif ctx.contact.consent is None:
        ask_consent(ctx)
    else:
        ctx.show_menu()
    return True


def may_manage(ctx: Conversation) -> bool:
    official = acting(ctx)
    return official is not None and official.role in MANAGERS


router.menu(Press("screen").id, N_("Officials"), order=70, visible=may_manage)


@router.button("off")
async def officials_button(ctx: Conversation, argument: str) -> None:
    press = parse(argument)
    if press is None:
        raise NotUnderstood("button")
    await act(ctx, press)


async def act(ctx: Conversation, press: Press) -> None:
    now = ctx.clock.now()
    try:
        actor = await access.actor_in_messenger(ctx.session, ctx.contact, f"officials.{press.action}", now)
        if press.action in ("screen", "list"):
            await show_list(ctx, actor, press.area_id or actor.area_id)
        elif press.action == "show":
            await show_official(ctx, actor, press.official_id)
        elif press.action == "ask_revoke":
            await ask_revoke(ctx, actor, press.official_id)
        else:
            await change(ctx, actor, press)
    except access.Denied:
        ctx.show_menu(ctx._(NOT_ALLOWED))


async def describe(ctx: Conversation, official: Official) -> str:
    area = await places.get(ctx.session, official.area_id)
    role, status = ctx._(ROLE_NAMES[official.role]), ctx._(STATUS_NAMES[official.status])
    line = f"#{official.id} · {role} · {places.display_name(area, ctx.language)} · {status}"
    return line + (f" · {official.organisation}" if official.organisation else "")


async def show_list(ctx: Conversation, actor: Official, area_id: str) -> None:
    """Whom the person manages within an area; past `SHOWN` of them, the number is typed to open one."""
    found = await roster.managed(ctx.session, actor, ctx.clock.now(), area_id)
    area = await places.get(ctx.session, area_id)
    own_area = await places.get(ctx.session, actor.area_id)
    lines = [
        ctx._("You are {role} for {area}.").format(
            role=ctx._(ROLE_NAMES[actor.role]), area=places.display_name(own_area, ctx.language)
        ),
        "",
        ctx.ngettext(
            "{n} official or focal point you manage, in {area}:",
            "{n} officials and focal points you manage, in {area}:",
            len(found),
        ).format(n=ctx.t.number(len(found)), area=places.display_name(area, ctx.language)),
        *[await describe(ctx, official) for official in found[:LISTED]],
    ]
    if len(found) > LISTED:
        hidden = len(found) - LISTED
        lines.append(ctx.ngettext("…and {n} more.", "…and {n} more.", hidden).format(n=ctx.t.number(hidden)))
    buttons = [[Button(Press("show", official_id=official.id).id, f"#{official.id}")] for official in found[:SHOWN]]
    if len(found) > SHOWN:
        lines += [
            "",
            ctx._("Send the number of an official to open them, for example {example}.").format(example=found[0].id),
        ]
        ctx.goto("officials_pick")
    ctx.say("\n".join(lines), buttons + [[Button("menu", ctx._("Main menu"))]])


@router.state("officials_pick")
async def official_typed(ctx: Conversation, text: str) -> None:
    number = text.strip().lstrip("#")
    if not is_number(number):
        raise NotUnderstood("text")
    await act(ctx, Press("show", official_id=int(number)))


def back_button(ctx: Conversation) -> Button:
    return Button(Press("screen").id, ctx._("Back"))


async def show_official(ctx: Conversation, actor: Official, official_id: int) -> None:
    target = await roster.viewed(ctx.session, actor, official_id, ctx.clock.now())
    actions = {
        "active": [("suspend", N_("Suspend")), ("ask_revoke", N_("Revoke"))],
        "suspended": [("reinstate", N_("Reinstate")), ("ask_revoke", N_("Revoke"))],
        "revoked": [],
    }[target.status]
    buttons = [[Button(Press(action, official_id=target.id).id, ctx._(label))] for action, label in actions]
    ctx.say(await describe(ctx, target), buttons + [[back_button(ctx)]])


async def ask_revoke(ctx: Conversation, actor: Official, official_id: int) -> None:
    target = await roster.viewed(ctx.session, actor, official_id, ctx.clock.now())
    ctx.say(
        ctx._("Revoke this role for good? It cannot be reinstated.") + "\n" + await describe(ctx, target),
        [
            [Button(Press("revoke", official_id=target.id).id, ctx._("Yes, revoke"))],
            [Button(Press("show", official_id=target.id).id, ctx._("No, keep it"))],
        ],
    )


async def change(ctx: Conversation, actor: Official, press: Press) -> None:
    try:
        target = await roster.change(ctx.session, actor, press.official_id, press.action, ctx.clock.now())
    except roster.NotPossible as impossible:
        status = ctx._(STATUS_NAMES[impossible.status])
        ctx.say(ctx._("Nothing changed: this role is {status}.").format(status=status), [[back_button(ctx)]])
        return
    done = {"suspend": N_("Suspended."), "revoke": N_("Revoked."), "reinstate": N_("Reinstated.")}[press.action]
    ctx.say(ctx._(done) + "\n" + await describe(ctx, target), [[back_button(ctx)]])


async def what_is_kept(ctx: Conversation) -> list[str]:
    """For /mydata: the role the person holds (a suspended one too)."""
    lines = []
    for official in await access.held_by(ctx.session, ctx.contact):
        area = await places.get(ctx.session, official.area_id)
        lines.append(
            "• "
            + ctx._("Role: {role} for {area}, {status}").format(
                role=ctx._(ROLE_NAMES[official.role]),
                area=places.display_name(area, ctx.language),
                status=ctx._(STATUS_NAMES[official.status]),
            )
        )
    return lines


async def forgotten(ctx: Conversation) -> None:
    """For /forget: the person's role is revoked (see `roster.forgotten`)."""
    await roster.forgotten(ctx.session, ctx.contact, ctx.clock.now())
