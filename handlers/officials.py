"""Officials in the messenger: redeeming an invite code, and the "Officials" screen where an admin or an
official sees whom they manage and the invites not yet used, suspends, revokes or reinstates them, and invites
someone: the role, their organisation, then the area (theirs, a place directly within it, or one typed and
found by the place picker within it) makes the one-time code, shown with its expiry and a message to forward.

Nothing here decides who may do what: every action goes through `bot.officials.access` (through `roster`),
which refuses and audits. Button ids are built and read in `bot.officials.buttons`.
"""

from __future__ import annotations

from typing import Any

from bot import places
from bot.broadcasts.manage import areas_within
from bot.clock import country_code, local_time
from bot.config import get_settings
from bot.context import Conversation
from bot.conversation import Button
from bot.i18n import N_
from bot.officials import access, holders, invites, roster
from bot.officials.buttons import Press, is_number, parse
from bot.router import NotUnderstood, Router
from bot.storage.models import Invite, Official, Place, as_utc
from handlers import places as place_picker
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
SHOWN = 8  # officials offered as buttons on one screen (a WhatsApp list holds ten rows, with Invite and Menu)
INVITE = "officials_invite"  # the state of an invite being made: step role | org | area, and the answers so far
PICKER = "officials_invite"  # the place picker's continuation, for an area typed by name
SHOWN_AREAS = 7  # the official's area and up to this many places within it, with "type a place" and Back
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
        elif press.action in INVITING:
            await INVITING[press.action](ctx, actor, press)
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
    """Whom the person manages within an area, and the invites not yet used; past `SHOWN` of them, the number
    is typed to open one."""
    ctx.goto(None)
    found = await roster.managed(ctx.session, actor, ctx.clock.now(), area_id)
    waiting = await roster.pending(ctx.session, actor, area_id, ctx.clock.now())
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
    if waiting:
        lines += [
            "",
            ctx._("Invites not yet used:"),
            *[await describe_invite(ctx, invite) for invite in waiting[:LISTED]],
        ]
    buttons = [[Button(Press("show", official_id=official.id).id, f"#{official.id}")] for official in found[:SHOWN]]
    if access.invitable_roles(actor):
        buttons.insert(0, [Button(Press("invite").id, ctx._("Invite someone"))])
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


# --- inviting --------------------------------------------------------------------------------------------------


def expiry(ctx: Conversation, invite: Invite, area: Place) -> str:
    """When an invite expires, as the date and time of its area's country."""
    local = local_time(as_utc(invite.expires_at), country_code(area.country))
    return ctx._("{date} at {time}").format(date=ctx.t.date(local.date()), time=local.strftime("%H:%M"))


async def describe_invite(ctx: Conversation, invite: Invite) -> str:
    area = await places.get(ctx.session, invite.area_id)
    line = ctx._("{role} · {area} · until {when}").format(
        role=ctx._(ROLE_NAMES[invite.role]),
        area=places.display_name(area, ctx.language),
        when=expiry(ctx, invite, area),
    )
    return line + (f" · {invite.organisation}" if invite.organisation else "")


def inviting(ctx: Conversation, step: str) -> dict[str, Any] | None:
    """The invite being made, when the person is at this step of it (else a button of it is out of date)."""
    return ctx.data if ctx.state == INVITE and ctx.data.get("step") == step else None


async def start_invite(ctx: Conversation, actor: Official, _press: Press) -> None:
    await access.authorise(ctx.session, actor, "officials.invite", actor.area_id, ctx.clock.now(), step="start")
    ctx.goto(INVITE, step="role")
    await ask_invite(ctx, actor)


async def ask_invite(ctx: Conversation, actor: Official) -> None:
    """The question of the invite's current step, again from the saved state."""
    step, back = ctx.data.get("step"), [back_button(ctx)]
    if step == "role":
        roles = access.invitable_roles(actor)
        ctx.say(
            ctx._("Whom do you invite?"),
            [[Button(Press("invite_role", role=role).id, ctx._(ROLE_NAMES[role]))] for role in roles] + [back],
        )
    elif step == "org":
        mine = []
        if actor.organisation:
            label = ctx._("As mine: {organisation}").format(organisation=actor.organisation)
            mine = [[Button(Press("invite_org", choice="mine").id, label, ctx._("As mine"))]]
        ctx.say(
            ctx._("Which organisation do they work for? Type its name (people see it in notices), or choose:"),
            mine + [[Button(Press("invite_org", choice="none").id, ctx._("No organisation"))], back],
        )
    else:
        area = await places.get(ctx.session, actor.area_id)
        choices = [area, *await areas_within(ctx.session, area.id, SHOWN_AREAS)]
        ctx.say(
            ctx._("For which area? {area} or a place within it.").format(area=places.display_name(area, ctx.language)),
            [
                [Button(Press("invite_area", area_id=place.id).id, places.display_name(place, ctx.language))]
                for place in choices
            ]
            + [[Button(Press("invite_typed").id, ctx._("Another place: type its name"), ctx._("Type a place"))]]
            + [back],
        )


@router.reask(INVITE)
async def reask_invite(ctx: Conversation) -> None:
    actor = acting(ctx)
    if actor is None:
        return ctx.show_menu(ctx._(NOT_ALLOWED))
    await ask_invite(ctx, actor)


async def choose_role(ctx: Conversation, actor: Official, press: Press) -> None:
    if inviting(ctx, "role") is None:
        raise NotUnderstood("button")
    await access.authorise_invite(ctx.session, actor, press.role, actor.area_id, ctx.clock.now(), step="role")
    ctx.goto(INVITE, step="org", role=press.role)
    await ask_invite(ctx, actor)


@router.state(INVITE)
async def invite_typed(ctx: Conversation, text: str) -> None:
    actor = acting(ctx)
    if actor is None:
        return ctx.show_menu(ctx._(NOT_ALLOWED))
    if ctx.data.get("step") != "org":
        return await ask_invite(ctx, actor)  # a button was expected: the question again
    name = invites.organisation_name(text)
    if name is None:
        ctx.say(
            ctx._("Please give the organisation's name in at most {n} characters.").format(n=invites.MAX_ORGANISATION)
        )
        return await ask_invite(ctx, actor)
    ctx.data.update(step="area", org=name)
    await ask_invite(ctx, actor)


async def choose_organisation(ctx: Conversation, actor: Official, press: Press) -> None:
    if inviting(ctx, "org") is None:
        raise NotUnderstood("button")
    ctx.data.update(step="area", org=actor.organisation if press.choice == "mine" else None)
    await ask_invite(ctx, actor)


async def choose_area(ctx: Conversation, actor: Official, press: Press) -> None:
    """Makes the invite. A button naming an area outside the person's is refused and audited by `access`, in
    the flow or out of it (a forged one); out of it, one within their area is only out of date."""
    draft = inviting(ctx, "area")
    if draft is None:
        await access.authorise(ctx.session, actor, "officials.invite", press.area_id, ctx.clock.now(), step="area")
        raise NotUnderstood("button")
    await make_invite(ctx, actor, draft, press.area_id)


async def type_area(ctx: Conversation, actor: Official, _press: Press) -> None:
    draft = inviting(ctx, "area")
    if draft is None:
        raise NotUnderstood("button")
    await place_picker.ask(
        ctx,
        then=PICKER,
        question=N_("Type the name of the district, town or village."),
        within=actor.area_id,
        role=draft["role"],
        org=draft.get("org"),
    )


@place_picker.picked(PICKER)
async def area_picked(ctx: Conversation, place_id: str | None, data: dict[str, Any]) -> None:
    if place_id is None:
        return await act(ctx, Press("screen"))
    try:
        actor = await access.actor_in_messenger(ctx.session, ctx.contact, "officials.invite", ctx.clock.now())
        await make_invite(ctx, actor, data, place_id)
    except access.Denied:
        ctx.show_menu(ctx._(NOT_ALLOWED))


async def make_invite(ctx: Conversation, actor: Official, draft: dict[str, Any], area_id: str) -> None:
    """The invite (authorised and audited by `invites.offer`, as at the command line), then what to pass on:
    the code and its expiry, the Telegram link on Telegram, and a message to forward."""
    role, organisation = draft.get("role"), draft.get("org")
    if role not in access.ROLES:
        raise NotUnderstood("button")
    made = await invites.offer(ctx.session, actor, role, area_id, organisation, ctx.clock.now(), get_settings())
    ctx.goto(None)
    area = await places.get(ctx.session, area_id)
    values = {
        "role": ctx._(ROLE_NAMES[role]),
        "area": places.display_name(area, ctx.language),
        "when": expiry(ctx, made.invite, area),
        "code": made.code,
    }
    lines = [ctx._("Invite made: {role} for {area}.").format(**values)]
    if organisation:
        lines.append(ctx._("Organisation: {organisation}").format(organisation=organisation))
    lines.append(ctx._("The code works once, until {when} (local time):").format(**values))
    lines.append(made.code)
    if made.link and ctx.incoming.channel == "telegram":
        lines += ["", ctx._("Send them this link: it opens the bot with the code."), made.link]
    lines += ["", ctx._("Or forward them the next message. Anyone who has the code can use it: send it only to them.")]
    ctx.say("\n".join(lines))
    forward = [ctx._("You are invited to Joldas as {role} for {area}.").format(**values)]
    if made.link:
        forward.append(ctx._("On Telegram, open: {link}").format(link=made.link))
    forward.append(
        ctx._("Or send this code to the bot on WhatsApp or Telegram: {code}. It works once, until {when}.").format(
            **values
        )
    )
    ctx.say("\n".join(forward), [[back_button(ctx)], [Button("menu", ctx._("Main menu"))]])


INVITING = {
    "invite": start_invite,
    "invite_role": choose_role,
    "invite_org": choose_organisation,
    "invite_area": choose_area,
    "invite_typed": type_area,
}


async def what_is_kept(ctx: Conversation, held: frozenset[str]) -> list[str]:
    """For /mydata: the role the person holds (a suspended one too)."""
    lines = []
    for official in await access.held_by(ctx.session, ctx.contact) if "role" in held else []:
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
