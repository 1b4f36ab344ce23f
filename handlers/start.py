"""First contact and the way home: /start, the language picker, consent to keep data, the menu, /help."""

from bot.context import Conversation
from bot.conversation import Button
from bot.i18n import LANGUAGE_NAMES, N_, USER_LANGUAGES, normalise_language, texts
from bot.router import NotUnderstood, Router
from bot.storage import repository

router = Router()

# Before a person has answered the consent question, only these still work (reading what is kept and why,
# switching language, deleting what little there is).
ALLOWED_BEFORE_CONSENT = {"commands": {"lang", "help", "mydata", "forget"}, "buttons": {"lang", "consent", "forget"}}

CONSENT_TEXT = N_(
    "Before we go on: may Joldas keep a little data about you?\n\n"
    "What we keep: your messenger account id, your language, where you are in a conversation, and what you "
    "choose to tell the bot later (for example your region or the stage of your application). We never ask "
    "for your IIN or passport number.\n\n"
    "Why: to answer you, to remember your progress, and to send you the notices you ask for.\n\n"
    "You can see everything with /mydata and delete it with /forget at any time. If you decline, you can "
    "still read all the information anonymously; we then keep only your language and place in the "
    "conversation, and send you no notices."
)


def ask_language(ctx: Conversation) -> None:
    """Offers the three languages, each in its own name; the messenger's language, if any, comes first."""
    preselected = ctx.contact.language or normalise_language(ctx.incoming.language_hint)
    order = sorted(USER_LANGUAGES, key=lambda code: code != preselected)
    prompt = " / ".join(texts(code).gettext("Choose your language") for code in order)
    buttons = [[Button(f"lang:{code}", ("✓ " if code == preselected else "") + LANGUAGE_NAMES[code])] for code in order]
    ctx.detour("choose_language")  # the place in a flow is kept: after the choice its question comes again
    ctx.say(prompt, buttons)


def ask_consent(ctx: Conversation) -> None:
    ctx.goto("consent")
    ctx.say(
        ctx._(CONSENT_TEXT),
        [
            [Button("consent:yes", ctx._("Yes, I agree"))],
            [Button("consent:no", ctx._("No, keep nothing"), ctx._("No, do not keep"))],
        ],
    )


@router.guard
async def onboarding(ctx: Conversation) -> bool:
    """Takes a new person through language and consent before anything else."""
    incoming = ctx.incoming
    button_prefix = incoming.button.partition(":")[0] if incoming.button else None
    if ctx.contact.language is None:
        if button_prefix == "lang" and incoming.button != "lang":
            return False
        ask_language(ctx)
        return True
    if ctx.contact.consent is None:
        command = incoming.command[0] if incoming.command else None
        if button_prefix in ALLOWED_BEFORE_CONSENT["buttons"] or command in ALLOWED_BEFORE_CONSENT["commands"]:
            return False
        ask_consent(ctx)
        return True
    return False


@router.command("start")
async def start(ctx: Conversation, _argument: str) -> None:
    """Also the way back in after /stop: notices are turned on again."""
    if ctx.contact.status == "stopped":
        ctx.contact.status = "active"
        await repository.audit(ctx.session, "notices.resumed", ctx.contact)
        ctx.say(ctx._("Welcome back! Notices are on again."))
    ctx.show_menu(ctx._("Joldas is with you. Choose what you need:"))


@router.command("lang")
async def language_command(ctx: Conversation, argument: str) -> None:
    """`/lang` shows the picker; `/lang kk` switches at once; anything else after it shows the picker."""
    code = normalise_language(argument)
    if code is None:
        ask_language(ctx)
    else:
        await set_language(ctx, code)


@router.button("lang")
async def language_button(ctx: Conversation, argument: str) -> None:
    if argument == "":
        ask_language(ctx)
    elif argument in USER_LANGUAGES:
        await set_language(ctx, argument)
    else:
        raise NotUnderstood("button")


router.menu("lang", N_("Change language"), order=80)


async def set_language(ctx: Conversation, code: str) -> None:
    """Switches the language; in the middle of a flow its current question is shown again, in the new one."""
    ctx.contact.language = code
    ctx.say(ctx._("Language: {name}").format(name=LANGUAGE_NAMES[code]))
    if ctx.contact.consent is None:
        ask_consent(ctx)
    elif not await ctx.ask_again():
        ctx.show_menu()


@router.state("choose_language")
async def language_typed(ctx: Conversation, text: str) -> None:
    """A typed language name or code works as well as a button."""
    typed = text.strip().lower()
    for code, name in LANGUAGE_NAMES.items():
        if typed in (code, name.lower()):
            return await set_language(ctx, code)
    ask_language(ctx)


@router.button("consent")
async def consent_button(ctx: Conversation, argument: str) -> None:
    if argument == "":
        return ask_consent(ctx)
    if argument == "yes":
        ctx.contact.consent, ctx.contact.consent_at = "granted", ctx.clock.now()
        await repository.audit(ctx.session, "consent.granted", ctx.contact)
        return ctx.show_menu(ctx._("Thank you. You can change your mind at any time with /forget."))
    if argument == "no":
        withdrawn = ctx.contact.consent == "granted"
        ctx.contact.consent, ctx.contact.consent_at = "declined", None
        await repository.clear_what_was_told(ctx.session, ctx.contact)
        await repository.audit(ctx.session, "consent.withdrawn" if withdrawn else "consent.declined", ctx.contact)
        return ctx.show_menu(
            ctx._("Understood. We keep nothing about you but your language and place in the conversation.")
        )
    raise NotUnderstood("button")


@router.state("consent")
async def consent_typed(ctx: Conversation, _text: str) -> None:
    ask_consent(ctx)


router.menu("consent", N_("Privacy and consent"), order=85, short_label=N_("Privacy"))


@router.command("menu")
@router.button("menu")
async def main_menu(ctx: Conversation, _argument: str) -> None:
    ctx.show_menu()


HELP_TEXT = N_(
    "Joldas is a companion for people who move for work or to a new region, in Kazakh, Russian and Kyrgyz.\n\n"
    "Commands:\n"
    "/menu — the main menu\n"
    "/lang — change the language\n"
    "/mydata — see everything Joldas keeps about you\n"
    "/forget — delete all of it\n"
    "/stop — receive no more notices\n"
    "/start — start again and turn notices back on\n"
    "/help — this help"
)


@router.command("help")
@router.button("help")
async def help_(ctx: Conversation, _argument: str) -> None:
    ctx.say(ctx._(HELP_TEXT), ctx.menu_buttons())


router.menu("help", N_("Help"), order=99)
