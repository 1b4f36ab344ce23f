"""Typed questions: the best answer from the content with its source, "Did this help?", up to three other likely
questions as buttons; or, when nothing is good enough, an honest "I do not know this yet" with the menu and a
person to turn to. A question typed in the middle of a flow gets its answer, then the flow's question again.

Button ids: `faq:show:<answer>`, `faq:yes:<answer>`, `faq:no:<answer>` (see `FaqButton`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from bot.context import Conversation
from bot.conversation import Button
from bot.faq import gaps
from bot.faq.library import Answer, answers, contacts
from bot.faq.search import Hit, editors_text, search
from bot.faq.text import words
from bot.i18n import N_
from bot.package.library import render_amounts
from bot.router import NotUnderstood, Router

router = Router()
PREFIX = "faq"
ASKED = "faq_asked"  # in the conversation's data: the last question, as editors may see it, and its answer's id
Action = Literal["show", "yes", "no"]
OFFERS = {
    "eligibility": ("elig", N_("Check whether I qualify"), N_("Check if I qualify")),
    "package": ("pkg", N_("Open my pre-departure package"), N_("My package")),
}


@dataclass(frozen=True)
class FaqButton:
    """The one place where this feature's button ids are made and read."""

    action: Action
    answer_id: str

    @property
    def id(self) -> str:
        return f"{PREFIX}:{self.action}:{self.answer_id}"

    @classmethod
    def parse(cls, argument: str) -> FaqButton | None:
        """`show:<answer>` (what follows `faq:`), or None for anything else."""
        action, _, answer_id = argument.partition(":")
        if action not in get_args(Action) or answer(answer_id) is None:
            return None
        return cls(action, answer_id)


def answer(answer_id: str) -> Answer | None:
    return next((candidate for candidate in answers() if candidate.id == answer_id), None)


def is_typed_question(ctx: Conversation) -> bool:
    """Plain text with at least one word in it: not a command, not only emoji or punctuation."""
    incoming = ctx.incoming
    return incoming.button is None and incoming.command is None and bool(incoming.text and words(incoming.text))


async def answer_typed(ctx: Conversation, text: str) -> None:
    """Answers a typed question; in a flow, its question comes again after the answer."""
    result = search(text)
    asked = editors_text(text)
    if result.best is not None:
        show(ctx, result.best.answer, result.alternatives)
    else:
        if asked:  # a question of names and digits only tells editors nothing
            await gaps.record(ctx.session, gaps.UNANSWERED, asked, ctx.language, None, ctx.clock.now())
        dont_know(ctx, result.alternatives)
    await back_to_the_flow(ctx)
    ctx.data[ASKED] = {"text": asked, "answer": result.best.answer.id if result.best else None}


def show(ctx: Conversation, found: Answer, alternatives: tuple[Hit, ...] = ()) -> None:
    language = ctx.language
    parts = [
        found.label(language),
        render_amounts(found.text(language), language, ctx.today),
        ctx._("Source: {sources}").format(sources="; ".join(found.citations(language, with_lines=False))),
    ]
    rows = [
        [
            Button(FaqButton("yes", found.id).id, ctx._("Yes, it helped"), ctx._("Helped")),
            Button(FaqButton("no", found.id).id, ctx._("No"), ctx._("No")),
        ]
    ]
    if found.offer in OFFERS:
        button_id, label, short = OFFERS[found.offer]
        rows.append([Button(button_id, ctx._(label), ctx._(short))])
    rows += alternative_rows(ctx, alternatives)
    if alternatives:
        parts.append(ctx._("Other questions that may be close are below."))
    parts.append(ctx._("Did this help?"))
    ctx.say("\n\n".join(parts), rows)


def alternative_rows(ctx: Conversation, alternatives: tuple[Hit, ...]) -> list[list[Button]]:
    return [
        [
            Button(
                FaqButton("show", hit.answer.id).id,
                hit.answer.label(ctx.language),
                ctx._("Question {number}").format(number=number),
            )
        ]
        for number, hit in enumerate(alternatives, start=1)
    ]


def dont_know(ctx: Conversation, alternatives: tuple[Hit, ...]) -> None:
    parts = [ctx._("I do not know the answer to this yet. I have noted the question for the editors.")]
    if alternatives:
        parts.append(ctx._("Perhaps one of these questions is close to yours:"))
    person = whom_to_ask(ctx)
    if person:
        parts.append(ctx._("You can also ask a person: {contact}").format(contact=person))
    ctx.say("\n\n".join(parts), alternative_rows(ctx, alternatives))


def whom_to_ask(ctx: Conversation) -> str | None:
    """The employment centre for relocants, the aiyl okmotu for returned and departing migrants; else no one."""
    contact = contacts().contacts.get(ctx.contact.kind)
    return contact.text(ctx.language) if contact else None


async def back_to_the_flow(ctx: Conversation) -> None:
    """In a flow: its question again. Elsewhere: the menu, as its own message."""
    if not await ctx.ask_again():
        ctx.say(ctx._("Ask another question, or choose from the menu:"), ctx.menu_buttons())


@router.button(PREFIX)
async def faq_button(ctx: Conversation, argument: str) -> None:
    pressed = FaqButton.parse(argument)
    if pressed is None:
        raise NotUnderstood("button")
    found = answer(pressed.answer_id)
    asked = ctx.data.get(ASKED) or {}
    if pressed.action == "show":
        show(ctx, found)
        await back_to_the_flow(ctx)
        ctx.data[ASKED] = {"text": asked.get("text", ""), "answer": found.id}
        return
    if pressed.action == "no":
        text = asked.get("text", "") if asked.get("answer") == found.id else ""
        await gaps.record(ctx.session, gaps.UNHELPFUL, text, ctx.language, found.id, ctx.clock.now())
        reply = [ctx._("Thank you for saying so: the editors will see that this answer did not help.")]
        person = whom_to_ask(ctx)
        if person:
            reply.append(ctx._("You can also ask a person: {contact}").format(contact=person))
        ctx.say("\n\n".join(reply))
    else:
        ctx.say(ctx._("Glad it helped."))
    await back_to_the_flow(ctx)
