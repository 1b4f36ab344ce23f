"""The answer to anything that means nothing here: it says why, politely, and offers the menu."""

from bot.context import Conversation
from bot.i18n import N_
from bot.router import Router
from handlers import faq

router = Router()

EXPLANATIONS = {
    "text": N_("Sorry, I did not understand that. Choose from the menu below, or send /help."),
    "empty": N_("I can read text messages and button presses. Choose from the menu below, or send /help."),
    "command": N_("I do not know that command. Send /help to see the commands I know."),
    "button": N_("That button is out of date. Here is the current menu."),
}


@router.fallback_handler
async def not_understood(ctx: Conversation, reason: str) -> None:
    """Keeps the person's place in a conversation: only the menu is offered, nothing is reset. A typed text that
    is no answer to anything is taken as a question and answered from the content (handlers/faq.py)."""
    if reason == "text" and faq.is_typed_question(ctx):
        return await faq.answer_typed(ctx, ctx.incoming.text)
    ctx.say(ctx._(EXPLANATIONS.get(reason, EXPLANATIONS["text"])), ctx.menu_buttons())
