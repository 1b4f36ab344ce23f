"""A person's place: "My place" shows it and lets them change it, through the place picker, which any flow
can use to ask where someone lives.

The picker: `await ask(ctx, then="name", question=N_("…"), **data)` asks the question; the person types a
name, picks one of the hits (or confirms the one clear hit), and the picker calls the function registered
with `@picked("name")` as `await fn(ctx, place_id, data)`. "Cancel" calls it with `place_id=None`. With
`within=<area id>` it offers only that area and the places in it (an official's scope, say). Button
ids: `pl:<action>[:<place id>]`, built and read by `Press` below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot import places
from bot.context import Conversation
from bot.conversation import Button
from bot.i18n import N_
from bot.router import NotUnderstood, Router
from bot.storage.models import Place

router = Router()
PREFIX = "pl"
TYPING, CHOOSING = "pl_typing", "pl_choosing"
MAX_CHOICES = 5
SCANNED = 50  # hits looked at when only the places of an area are offered
SHORT = 20  # WhatsApp's button titles
EXACT = 97  # a hit this good is the name typed (bot.places.search), not a guess
MINE = "mine"  # the continuation of "My place"
ONLY_WITH_CONSENT = N_("I keep your place only with your consent to keep data (Menu → Privacy and consent).")
ASK_MINE = N_("Where do you live now? Type the name of your village, town, district or region as you write it.")

Continuation = Callable[[Conversation, str | None, dict[str, Any]], Awaitable[None]]
_continuations: dict[str, Continuation] = {}


@dataclass(frozen=True)
class Press:
    """A button of this feature: `pl:show`, `pl:change`, `pl:clear`, `pl:cancel`, `pl:pick:<id>`, `pl:yes:<id>`."""

    action: str
    place_id: str = ""

    ACTIONS = ("show", "change", "clear", "cancel", "pick", "yes")

    @property
    def id(self) -> str:
        return f"{PREFIX}:{self.action}" + (f":{self.place_id}" if self.place_id else "")

    @classmethod
    def parse(cls, argument: str) -> Press:
        action, _, place_id = argument.partition(":")
        if action not in cls.ACTIONS or (action in ("pick", "yes")) != bool(place_id):
            raise NotUnderstood("button")
        return cls(action, place_id)


def picked(name: str) -> Callable[[Continuation], Continuation]:
    """Registers where a flow goes once the picker has its answer."""

    def register(continuation: Continuation) -> Continuation:
        if name in _continuations:
            raise ValueError(f"place picker continuation {name!r} registered twice")
        _continuations[name] = continuation
        return continuation

    return register


def short(text: str) -> str:
    return text if len(text) <= SHORT else text[: SHORT - 1].rstrip() + "…"


def cancel_row(ctx: Conversation) -> list[Button]:
    return [Button(Press("cancel").id, "◀ " + ctx._("Cancel"))]


async def ask(
    ctx: Conversation,
    then: str,
    question: str = ASK_MINE,
    note: str | None = None,
    within: str | None = None,
    **data: Any,
) -> None:
    """Asks where the person lives; `then` names the `@picked` function that gets the answer; `within`, an
    area whose places alone are offered."""
    if then not in _continuations:
        raise ValueError(f"no place picker continuation {then!r}")
    ctx.goto(TYPING, then=then, question=question, carry=data, within=within)
    ctx.say("\n\n".join(part for part in (note, ctx._(question)) if part), [cancel_row(ctx)])


async def ask_again(ctx: Conversation, note: str | None = None) -> None:
    """The picker's question again, for the flow it was asked for."""
    data = ctx.data
    carry = data.get("carry", {})
    await ask(ctx, data.get("then", MINE), data.get("question", ASK_MINE), note, data.get("within"), **carry)


router.reask(TYPING, CHOOSING)(ask_again)


@router.state(TYPING, CHOOSING)
async def typed(ctx: Conversation, text: str) -> None:
    hits = await search(ctx, text, ctx.data.get("within"))
    if not hits:
        note = ctx._("I could not find a place by that name. Check the spelling, or type the district instead.")
        return await ask_again(ctx, note)
    clear = places.clear_choice(hits)
    ctx.goto(CHOOSING, **{**ctx.data, "offered": [hit.place_id for hit in hits]})
    if clear is not None:
        ctx.say(
            ctx._("Is it {place}?").format(place=clear.label(ctx.language)),
            [
                [Button(Press("yes", clear.place_id).id, ctx._("Yes"))],
                [Button(Press("change").id, ctx._("No, type again"))],
                cancel_row(ctx),
            ],
        )
        return
    rows = [
        [Button(Press("pick", hit.place_id).id, hit.label(ctx.language), short(hit.names(ctx.language)))]
        for hit in hits
    ]
    rows += [[Button(Press("change").id, ctx._("None of these"))], cancel_row(ctx)]
    namesakes = places.ambiguous(hits) and hits[0].score >= EXACT
    if namesakes:
        ctx.say(ctx._("Several places have that name. Which one is yours?"), rows)
    else:
        ctx.say(ctx._("Did you mean one of these?"), rows)


async def search(ctx: Conversation, text: str, within: str | None) -> list[places.Hit]:
    """The best hits for what was typed; with `within`, only those in that area."""
    area = await places.get(ctx.session, within)
    if area is None:
        return await places.search(ctx.session, text, limit=MAX_CHOICES)
    hits = await places.search(ctx.session, text, country=area.country, limit=SCANNED)
    ids = [hit.place_id for hit in hits]
    inside = set(await ctx.session.scalars(select(Place.id).where(Place.id.in_(ids), Place.path.startswith(area.path))))
    return [hit for hit in hits if hit.place_id in inside][:MAX_CHOICES]


@router.button(PREFIX)
async def pressed(ctx: Conversation, argument: str) -> None:
    press = Press.parse(argument)
    if press.action == "show":
        return await show_mine(ctx)
    if press.action == "change":
        if ctx.state in (TYPING, CHOOSING):
            return await ask_again(ctx)
        return await ask(ctx, MINE) if ctx.has_consent else ctx.show_menu(ctx._(ONLY_WITH_CONSENT))
    if press.action == "clear":
        return await clear_mine(ctx)
    if ctx.state not in (TYPING, CHOOSING):
        raise NotUnderstood("button")  # a button of a question no longer asked
    continuation = _continuations[ctx.data.get("then", MINE)]
    if press.action == "cancel":
        return await continuation(ctx, None, ctx.data.get("carry", {}))
    if press.place_id not in ctx.data.get("offered", ()) or await places.get(ctx.session, press.place_id) is None:
        raise NotUnderstood("button")
    await continuation(ctx, press.place_id, ctx.data.get("carry", {}))


# --- "My place" ---------------------------------------------------------------------------------------------


async def show_mine(ctx: Conversation) -> None:
    shown = await places.label(ctx.session, ctx.contact.place_id, ctx.language)
    rows = [[Button(Press("change").id, ctx._("Change my place"), ctx._("Change"))]]
    if shown:
        text = ctx._("Your place: {place}.").format(place=shown)
        rows.append([Button(Press("clear").id, ctx._("Forget my place"), ctx._("Forget it"))])
    else:
        text = ctx._("You have not told me where you live.")
    text += "\n" + ctx._("Officials of your area can send you notices, and I show you the services near you.")
    ctx.goto(None)
    ctx.say(text, rows + [[Button("menu", ctx._("Menu"))]])


async def clear_mine(ctx: Conversation) -> None:
    ctx.contact.place_id = None
    ctx.show_menu(ctx._("Done: I no longer keep your place."))


@picked(MINE)
async def mine_picked(ctx: Conversation, place_id: str | None, _data: dict[str, Any]) -> None:
    if place_id is None:
        return await show_mine(ctx)
    if not ctx.has_consent:
        return ctx.show_menu(ctx._(ONLY_WITH_CONSENT))
    ctx.contact.place_id = place_id
    shown = await places.label(ctx.session, place_id, ctx.language)
    ctx.show_menu(ctx._("Saved. Your place: {place}.").format(place=shown))


router.menu(Press("show").id, N_("My place"), order=88)


async def what_is_kept(ctx: Conversation) -> list[str]:
    """For /mydata: the person's place."""
    shown = await places.label(ctx.session, ctx.contact.place_id, ctx.language)
    return ["• " + ctx._("Your place: {place}.").format(place=shown)] if shown else []
