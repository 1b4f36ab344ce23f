"""The "I've come back" flow: where the person lives now, when and from where they came back, what they need; then
what exists for each need and where, and — with their agreement — a request to the focal point of their ayil
aimak or district, with whom they can then write here. Button ids: `bot.returnees.buttons` (`ret:…`).

The answers live in the conversation's data while they are given; with consent they are kept
(`returnee_profiles`), and only with consent can a request be passed on (it must be kept to be passed).
"""

from __future__ import annotations

import datetime as dt

from bot import places
from bot.clock import local_time
from bot.content.sources import cite_parts
from bot.context import Conversation
from bot.conversation import Button
from bot.eligibility.answers import parse_when
from bot.i18n import N_
from bot.media import store as media_store
from bot.returnees import offices, profile, referrals, relay
from bot.returnees.buttons import Ret, ret
from bot.returnees.needs import BY_KEY, CAME_FROM, NEEDS, known_needs
from bot.returnees.services import catalogue, services_for
from bot.router import NotUnderstood, Router
from bot.storage.models import ReturneeProfile, as_utc
from handlers import places as place_picker

router = Router()

START = N_("I've come back")
MAX_NOTE = 1000
PICKER = "returnee"  # the place picker's continuation (handlers/places.py)
WHERE = N_("Where do you live now? Type your village, town or district as you write it.")
ATTACHMENTS = ("voice", "audio", "photo", "video", "document")


def back_row(ctx: Conversation) -> list[Button]:
    return [Button("menu", "◀ " + ctx._("Main menu"))]


# --- the questions ---------------------------------------------------------------------------------------


async def ask_place(ctx: Conversation) -> None:
    """Where they live: the place they gave before (My place), else the place picker's question."""
    data = answers(ctx)
    if ctx.contact.place_id and await places.get(ctx.session, ctx.contact.place_id) is not None:
        await place_chosen(ctx, ctx.contact.place_id, data)
    else:
        await place_picker.ask(ctx, then=PICKER, question=WHERE, **data)


@place_picker.picked(PICKER)
async def place_chosen(ctx: Conversation, place_id: str | None, data: dict) -> None:
    if place_id is None:
        ctx.show_menu()
        return
    lineage = await places.lineage(ctx.session, place_id)
    ctx.goto(None, **{**data, "place": place_id, "country": lineage[-1].id})
    ctx.say(ctx._("Your place: {place}.").format(place=await places.label(ctx.session, place_id, ctx.language)))
    ask_when(ctx)


def ask_when(ctx: Conversation) -> None:
    ctx.goto("ret_when", **answers(ctx))
    ctx.say(
        ctx._("When did you come back? Press a button or type the month, for example 03.2026."),
        [
            [Button(ret("when", 0), ctx._("This month"))],
            [Button(ret("when", 1), ctx._("Last month"))],
            [Button(ret("when", "skip"), ctx._("Skip"))],
        ],
    )


def ask_from(ctx: Conversation) -> None:
    data = answers(ctx)
    ctx.goto("ret_from", **data)
    home = (data.get("country") or "").lower()
    rows = [[Button(ret("from", key), ctx._(label))] for key, label in CAME_FROM.items() if key != home]
    ctx.say(ctx._("Which country did you come back from?"), rows + [[Button(ret("from", "skip"), ctx._("Skip"))]])


def ask_needs(ctx: Conversation, note: str | None = None) -> None:
    data = answers(ctx)
    ctx.goto("ret_needs", **data)
    chosen = set(data.get("needs") or [])
    rows = []
    for need in NEEDS:
        mark = "✅ " if need.key in chosen else ""
        rows.append([Button(ret("need", need.key), mark + ctx._(need.label), mark + ctx._(need.short))])
    rows.append([Button(ret("need", "done"), ctx._("Done"))])
    question = ctx._("What do you need? Choose one or several, then press Done.")
    ctx.say("\n\n".join(part for part in (note, question) if part), rows)


def ask_note(ctx: Conversation) -> None:
    ctx.goto("ret_note", **answers(ctx))
    ctx.say(
        ctx._("Anything to add in your own words? Write it in one message, or press Skip."),
        [[Button(ret("note", "skip"), ctx._("Skip"))]],
    )


ASKS = {
    "ret_when": ask_when,
    "ret_from": ask_from,
    "ret_needs": ask_needs,
    "ret_note": ask_note,
}


def answers(ctx: Conversation) -> dict:
    """The answers given so far (the conversation's data while in the flow)."""
    keys = ("place", "country", "when", "from", "needs", "note")
    return {key: ctx.data[key] for key in keys if ctx.data.get(key) is not None}


@router.reask(*ASKS)
async def ask_again(ctx: Conversation) -> None:
    ASKS[ctx.state](ctx)


# --- entering ---------------------------------------------------------------------------------------------


@router.button("ret")
async def returnee_button(ctx: Conversation, argument: str) -> None:
    pressed = Ret.parse(argument)
    if pressed is None:
        raise NotUnderstood("button")
    match pressed.action, pressed.args:
        case "start", ():
            await start(ctx)
        case "when", (value,) if ctx.state == "ret_when":
            take_when(ctx, value)
        case "from", (value,) if ctx.state == "ret_from" and (value in CAME_FROM or value == "skip"):
            ctx.data["from"] = None if value == "skip" else value
            ask_needs(ctx)
        case "need", (value,) if ctx.state == "ret_needs":
            take_need(ctx, value)
        case "note", ("skip",) if ctx.state == "ret_note":
            ctx.data.pop("note", None)
            await finish(ctx)
        case "send", (value,):
            await send(ctx, value == "yes")
        case "status", ():
            await show_status(ctx)
        case "services", ():
            data = answers(ctx) or profile.as_answers(await profile.load(ctx.session, ctx.contact) or ReturneeProfile())
            ctx.goto(None, **data)
            await show_services(ctx, offer=False)
        case "edit", ():
            ctx.goto(None)
            await place_picker.ask(ctx, then=PICKER, question=WHERE)
        case (("end" | "chat" | "fu"), _) if pressed.referral() is not None:
            await on_referral(ctx, pressed)
        case _:
            raise NotUnderstood("button")


router.menu(ret("start"), START, order=30, short_label=N_("I've come back"))


async def start(ctx: Conversation) -> None:
    """Someone with an open request sees where it is; someone who answered before sees the services again."""
    kept = await profile.load(ctx.session, ctx.contact)
    if kept is not None:
        ctx.goto(None, **profile.as_answers(kept))
        if await referrals.open_for(ctx.session, ctx.contact) is not None:
            await show_status(ctx)
        else:
            await show_services(ctx)
        return
    ctx.goto(None)
    await ask_place(ctx)


# --- taking answers ---------------------------------------------------------------------------------------


def take_when(ctx: Conversation, value: str) -> None:
    today = ctx.today
    if value == "0":
        ctx.data["when"] = today.strftime("%Y-%m")
    elif value == "1":
        ctx.data["when"] = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    elif value != "skip":
        raise NotUnderstood("button")
    ask_from(ctx)


@router.state("ret_when")
async def when_text(ctx: Conversation, text: str) -> None:
    span = parse_when(text, ctx.today)
    if span is None:
        raise NotUnderstood("text")
    ctx.data["when"] = span.latest.strftime("%Y-%m")
    ask_from(ctx)


def take_need(ctx: Conversation, value: str) -> None:
    chosen = list(ctx.data.get("needs") or [])
    if value == "done":
        if not chosen:
            ask_needs(ctx, ctx._("Choose at least one need."))
        else:
            ask_note(ctx)
        return
    if value not in BY_KEY:
        raise NotUnderstood("button")
    ctx.data["needs"] = known_needs([key for key in chosen if key != value] + ([] if value in chosen else [value]))
    ask_needs(ctx)


@router.state("ret_note")
async def note_text(ctx: Conversation, text: str) -> None:
    ctx.data["note"] = text[:MAX_NOTE]
    await finish(ctx)


async def finish(ctx: Conversation) -> None:
    """All asked: keep the answers (with consent) and show the services."""
    data = answers(ctx)
    if ctx.has_consent:
        await profile.save(ctx.session, ctx.contact, data)
    ctx.goto(None, **data)
    await show_services(ctx)


# --- services ---------------------------------------------------------------------------------------------


async def show_services(ctx: Conversation, offer: bool = True) -> None:
    """One message per need: what to do, where (the nearest office the operator loaded, else the kind of
    office), what to bring, whom to ask, and the sources; then the offer to pass the request on."""
    data = answers(ctx)
    if not data.get("place") or not data.get("country"):
        await ask_place(ctx)
        return
    lineage = [place.id for place in await places.lineage(ctx.session, data["place"])]
    country = data["country"]
    for key in known_needs(data.get("needs")):
        ctx.say(await service_text(ctx, key, country, lineage))
    if offer:
        await offer_referral(ctx)
    else:
        ctx.show_menu()


async def service_text(ctx: Conversation, need: str, country: str, lineage: list[str]) -> str:
    language = ctx.language
    items = services_for(need, country, lineage)
    lines = [f"• {ctx._(BY_KEY[need].label)}"]
    lines += [item.what(language) for item in items]
    nearest = await offices.nearest(ctx.session, need, lineage)
    if nearest:
        for office in nearest:
            parts = [office.name.get(language), office.address.get(language), office.phone, office.hours]
            lines.append(ctx._("Where: {where}").format(where=", ".join(part for part in parts if part)))
    elif items:
        lines.append(ctx._("Where: {where}").format(where=items[0].where(language)))
    bring = [office.bring.get(language) for office in nearest if office.bring.get(language)]
    bring += [item.bring(language) for item in items if item.bring is not None]
    if bring:
        lines.append(ctx._("What to bring: {what}").format(what=" ".join(dict.fromkeys(bring))))
    if country in catalogue():
        lines.append(ctx._("Whom to ask: {whom}").format(whom=catalogue()[country].ask(language)))
    cited: dict[str, list[str]] = {}  # a document's title → its lines, in order, each once
    for source in (source for item in items for source in item.sources):
        title, where = cite_parts(source, language)
        cited.setdefault(title, [])
        if where and where not in cited[title]:
            cited[title].append(where)
    for office in nearest:
        cited.setdefault(office.source, [])
    if cited:
        shown = "; ".join(", ".join([title, *where]) for title, where in cited.items())
        lines.append(ctx._("Sources: {sources}").format(sources=shown))
    return "\n".join(lines)


async def offer_referral(ctx: Conversation) -> None:
    existing = await referrals.open_for(ctx.session, ctx.contact) if ctx.has_consent else None
    if existing is not None:
        await show_status(ctx, existing)
        return
    rows = [
        [Button(ret("send", "yes"), ctx._("Yes, pass it on"))],
        [Button(ret("send", "no"), ctx._("No, thanks"))],
        [Button(ret("edit"), ctx._("Change my answers"), ctx._("Change answers"))],
    ]
    ctx.say(
        ctx._(
            "Shall I pass your request to the focal point of your ayil aimak or district? They get your needs, "
            "your place, your language and your note, and answer you here."
        ),
        rows,
    )


async def send(ctx: Conversation, agreed: bool) -> None:
    data = answers(ctx)
    if not data.get("place") and (kept := await profile.load(ctx.session, ctx.contact)) is not None:
        data = profile.as_answers(kept)  # a "pass it on" pressed later, from the kept answers
    if not agreed or not data.get("place") or not data.get("needs"):
        ctx.show_menu(ctx._("Nothing was passed on."))
        return
    if not ctx.has_consent:
        ctx.say(
            ctx._("To pass a request on, Joldas must keep it, and it may only with your consent."),
            [[Button("consent", ctx._("Privacy and consent"), ctx._("Privacy"))], back_row(ctx)],
        )
        return
    if await referrals.open_for(ctx.session, ctx.contact) is not None:
        await show_status(ctx)
        return
    created = await referrals.create(
        ctx.session, ctx.contact, data["place"], known_needs(data["needs"]), data.get("note"), ctx.clock.now()
    )
    ctx.contact.kind = "returnee"
    if created is None:
        whom = catalogue()[data["country"]].ask(ctx.language) if data["country"] in catalogue() else ""
        ctx.show_menu(
            ctx._("No focal point serves your place in Joldas yet, so nothing was passed on. {whom}").format(whom=whom)
        )
        return
    referral, holder = created
    ctx.show_menu(
        ctx._(
            "Request No. {number} is passed to {who}. They have 2 working days to accept it; if they do not, it goes "
            "a level up and I will tell you. You can already write here: your messages go to them."
        ).format(number=referral.id, who=referrals.area_label(ctx.t, holder.area, holder.official))
    )


# --- an open referral -------------------------------------------------------------------------------------


async def show_status(ctx: Conversation, referral=None) -> None:
    referral = referral or (await referrals.open_for(ctx.session, ctx.contact) if ctx.has_consent else None)
    if referral is None:
        ctx.show_menu(ctx._("You have no open request."))
        return
    holder = await referrals.holder_of(ctx.session, referral)
    who = referrals.area_label(ctx.t, holder.area if holder else None, holder.official if holder else None)
    state = ctx._(referrals.STATUSES[referral.status])
    text = ctx._("Your request No. {number} is with {who}: {state}.").format(number=referral.id, who=who, state=state)
    if referral.chatting:
        row = [Button(ret("end", referral.id), ctx._("End the conversation"), ctx._("End conversation"))]
        text += "\n" + ctx._("Write here: your messages go to them.")
    else:
        row = [Button(ret("chat", referral.id), ctx._("Write to them"))]
    services = [Button(ret("services"), ctx._("What exists for my needs"), ctx._("Services"))]
    ctx.say(text, [row, services, back_row(ctx)])


async def on_referral(ctx: Conversation, pressed: Ret) -> None:
    referral = await profile.referral_of(ctx.session, ctx.contact, pressed.referral())
    if referral is None:
        raise NotUnderstood("button")
    if pressed.action == "fu":
        answer = pressed.args[1] if len(pressed.args) == 2 else None
        if answer not in referrals.FOLLOW_UPS or referral.status != "closed":
            raise NotUnderstood("button")
        await referrals.record_follow_up(ctx.session, referral, answer, ctx.clock.now())
        ctx.show_menu(ctx._("Thank you, your answer is kept with the request."))
    elif referral.status == "closed":
        ctx.show_menu(ctx._("This request is closed."))
    elif pressed.action == "end":
        referral.chatting = False
        ctx.show_menu(ctx._("The conversation has ended; the request stays open. You can write again from the menu."))
    else:
        referral.chatting = True
        ctx.goto(None)
        ctx.say(ctx._("Write here: your messages go to them."), [back_row(ctx)])


@router.guard
async def relay_to_focal_point(ctx: Conversation) -> bool:
    """While a request is open and its conversation on, what the person writes outside any flow goes to the
    focal point; the person is told it went, and, outside working hours, when to expect an answer."""
    incoming = ctx.incoming
    if ctx.contact.kind != "returnee" or not ctx.has_consent or ctx.state is not None:
        return False
    if incoming.button is not None or incoming.command is not None:
        return False
    if not incoming.text and incoming.attachment not in ATTACHMENTS:
        return False
    if incoming.text and ctx.router.menu_entry_typed(ctx, incoming.text) is not None:
        return False
    referral = await referrals.open_for(ctx.session, ctx.contact)
    if referral is None or not referral.chatting:
        return False
    now = ctx.clock.now()
    why = await relay.from_person(ctx.session, referral, ctx.contact, incoming, now)
    if why is not None:
        ctx.say(ctx._("Your message is kept with the request, but the focal point cannot be reached right now."))
        return True
    expected = referrals.answer_expected(now, referral.country)
    if expected is None:
        ctx.say(ctx._("Passed on to the focal point."))
    else:
        local = local_time(expected, referral.country)
        ctx.say(
            ctx._(
                "Passed on. The focal point works on working days from 9:00 to 18:00: expect an answer from "
                "{day}, {time}."
            ).format(day=ctx.t.date(local.date()), time=local.strftime("%H:%M"))
        )
    return True


async def what_is_kept(ctx: Conversation, held: frozenset[str]) -> list[str]:
    """Lines for /mydata: the answers kept and every request with its messages."""
    lines = []
    kept = await profile.load(ctx.session, ctx.contact) if "returnee" in held else None
    if kept is not None:
        place = await places.label(ctx.session, kept.place_id, ctx.language) or "—"
        needs = ", ".join(ctx._(BY_KEY[key].label) for key in known_needs(kept.needs))
        lines.append("• " + ctx._("I've come back: {place}; needs: {needs}").format(place=place, needs=needs))
        if kept.note:
            lines.append("  – " + ctx._("Your note: {note}").format(note=kept.note))
    for referral in await profile.referrals_of(ctx.session, ctx.contact) if "referrals" in held else []:
        lines.append(
            "• "
            + ctx._("Request No. {number} of {date}: {status}").format(
                number=referral.id,
                date=ctx.t.date(local_time(as_utc(referral.created_at), referral.country).date()),
                status=ctx._(referrals.STATUSES[referral.status]),
            )
        )
    for message in await relay.messages_of(ctx.session, ctx.contact) if "relayed" in held else []:
        who = ctx._("you") if message.sender == "person" else ctx._("focal point")
        lines.append(f"  – {who}: {relay.shown(ctx.t, message.text, message.attachment)}")
    for kept in await media_store.of_contact(ctx.session, ctx.contact) if "files" in held else []:
        what = relay.shown(ctx.t, "", kept.kind)
        if kept.size is None:  # not fetched yet
            line = ctx._("File kept until it is passed on: {what}").format(what=what)
        else:
            size = ctx.t.number(max(1, round(kept.size / 1024)))
            line = ctx._("File kept until it is passed on: {what}, {size} KB").format(what=what, size=size)
        lines.append("  – " + line)
    return lines
