"""Conversations through the engine, as a person has them, in each of the three languages."""

import pytest
from sqlalchemy import func, select

from bot.i18n import USER_LANGUAGES, texts
from bot.storage.models import AuditEntry, Contact, ConversationState
from handlers.start import CONSENT_TEXT
from tests.people import Person, main_menu_ids

MENU = main_menu_ids()


def tr(language: str, message: str) -> str:
    return texts(language).gettext(message)


async def count(database, model) -> int:
    async with database.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_first_contact_shows_language_picker_with_hint_preselected(engine):
    person = Person(engine, "telegram", "1", language_hint="ky-KG")
    await person.say("/start")
    assert person.button_ids == ["lang:ky", "lang:kk", "lang:ru"]
    assert person.last[0].buttons[0][0].label == "✓ Кыргызча"
    assert person.text == "Тилди тандаңыз / Тілді таңдаңыз / Выберите язык"


async def test_anything_before_a_language_brings_the_picker(person):
    await person.say("hello")
    assert person.button_ids == ["lang:kk", "lang:ru", "lang:ky"]
    await person.press("mydata")
    assert person.button_ids == ["lang:kk", "lang:ru", "lang:ky"]


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_start_language_consent_menu(person, database, language):
    await person.say("/start")
    await person.press(f"lang:{language}")
    assert tr(language, CONSENT_TEXT) in person.text
    assert tr(language, CONSENT_TEXT) != CONSENT_TEXT
    assert person.button_ids == ["consent:yes", "consent:no"]
    await person.press("consent:yes")
    assert person.button_ids == MENU
    labels = {button.id: button.label for button in person.last[-1].all_buttons()}
    assert labels["lang"] == tr(language, "Change language")
    async with database.transaction() as session:
        contact = await session.scalar(select(Contact))
        assert (contact.language, contact.consent, contact.status) == (language, "granted", "active")
        assert contact.consent_at is not None


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_declining_consent_still_opens_the_menu(person, database, language):
    await person.onboard(language, consent="no")
    assert person.button_ids == MENU
    assert (
        tr(language, "Understood. We keep nothing about you but your language and place in the conversation.")
        in person.text
    )
    async with database.transaction() as session:
        contact = await session.scalar(select(Contact))
        assert (contact.consent, contact.consent_at) == ("declined", None)


async def test_consent_is_asked_until_answered(person):
    await person.say("/start")
    await person.press("lang:ru")
    await person.say("/menu")
    assert person.button_ids == ["consent:yes", "consent:no"]
    await person.say("что это?")
    assert person.button_ids == ["consent:yes", "consent:no"]
    await person.say("/help")  # help is readable before answering
    assert "/mydata" in person.text


async def test_withdrawing_consent_clears_what_was_told(person, database):
    await person.onboard("kk")
    async with database.transaction() as session:
        contact = await session.scalar(select(Contact))
        contact.region, contact.kind = "pavlodar", "relocant"
    await person.press("consent")
    await person.press("consent:no")
    async with database.transaction() as session:
        contact = await session.scalar(select(Contact))
        assert (contact.region, contact.kind, contact.consent) == (None, "unknown", "declined")
        actions = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
    assert actions == ["consent.granted", "consent.withdrawn"]


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_lang_changes_language_at_any_time(person, language):
    await person.onboard("ru")
    await person.say("/lang")
    assert person.button_ids[0] == "lang:ru"  # the current language comes first
    await person.press(f"lang:{language}")
    assert person.button_ids == MENU
    assert tr(language, "Main menu. Choose what you need:") in person.text


async def test_lang_with_a_code_switches_at_once_and_garbage_shows_the_picker(person):
    await person.onboard("ru")
    await person.say("/lang ky")
    assert "Тил: Кыргызча" in person.text
    await person.say("/lang ☃☃ '; DROP TABLE contacts; --")
    assert person.button_ids == ["lang:ky", "lang:kk", "lang:ru"]
    await person.say("русский")  # a typed language name works in the picker
    assert "Язык: Русский" in person.text


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_mydata_lists_what_is_kept(person, language):
    await person.onboard(language)
    await person.say("/mydata")
    text = person.text
    assert tr(language, "Everything Joldas keeps about you:") in text
    assert "console, aigerim" in text
    assert (
        texts(language)
        .ngettext("{n} entry in the log of your actions", "{n} entries in the log of your actions", 1)
        .format(n=1)
        in text
    )
    assert "2026" in text or "20" in text  # the consent date, formatted for the locale


async def test_mydata_uses_plural_forms(person):
    await person.onboard("ru")
    await person.say("/stop")
    await person.say("/start")
    await person.say("/mydata")
    assert "3 записи в журнале ваших действий" in person.text


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_forget_deletes_everything_after_confirmation(person, database, language):
    await person.onboard(language)
    await person.say("/forget")
    assert person.button_ids == ["forget:yes", "forget:no"]
    await person.press("forget:yes")
    assert (
        tr(language, "Done: everything Joldas kept about you is deleted. Send /start if you want to begin again.")
        in person.text
    )
    assert await count(database, Contact) == 0
    assert await count(database, ConversationState) == 0
    async with database.transaction() as session:
        entries = (await session.scalars(select(AuditEntry))).all()
    assert [(entry.action, entry.contact_id) for entry in entries] == [("contact.forgotten", None)]
    await person.say("/start")  # a new beginning
    assert person.button_ids == ["lang:kk", "lang:ru", "lang:ky"]


async def test_forget_can_be_cancelled_and_a_stale_yes_deletes_nothing(person, database):
    await person.onboard("kk")
    await person.press("forget")
    await person.press("forget:no")
    assert tr("kk", "Nothing was deleted.") in person.text
    await person.press("forget:yes")  # the old confirmation button, pressed again later
    assert person.button_ids == ["forget:yes", "forget:no"]  # asked again, not deleted
    assert await count(database, Contact) == 1


async def test_stop_and_start_again(person, database):
    await person.onboard("ky")
    await person.say("/stop")
    assert (
        tr("ky", "You will receive no more notices. You can still use Joldas; send /start to turn notices on.")
        in person.text
    )
    async with database.transaction() as session:
        assert (await session.scalar(select(Contact))).status == "stopped"
    await person.say("/start")
    assert tr("ky", "Welcome back! Notices are on again.") in person.text
    async with database.transaction() as session:
        assert (await session.scalar(select(Contact))).status == "active"


UNEXPECTED = [
    ("text", "😀🙏🏽🇰🇿", "Sorry, I did not understand that. Choose from the menu below, or send /help."),
    ("text", "   \n\t ", "I can read text messages and button presses. Choose from the menu below, or send /help."),
    ("text", None, "I can read text messages and button presses. Choose from the menu below, or send /help."),
    ("text", "/frobnicate now", "I do not know that command. Send /help to see the commands I know."),
    ("text", "/", "Sorry, I did not understand that. Choose from the menu below, or send /help."),
    ("button", "package:next:999", "That button is out of date. Here is the current menu."),
    ("button", "lang:zz", "That button is out of date. Here is the current menu."),
    ("button", "consent:maybe", "That button is out of date. Here is the current menu."),
    ("button", "", "I can read text messages and button presses. Choose from the menu below, or send /help."),
]


@pytest.mark.parametrize("language", USER_LANGUAGES)
@pytest.mark.parametrize(("kind", "value", "expected"), UNEXPECTED)
async def test_unexpected_input_gets_a_helpful_reply_and_the_menu(person, language, kind, value, expected):
    await person.onboard(language)
    if kind == "text":
        await person.say(value)
    else:
        await person.press(value)
    assert person.text == tr(language, expected)
    assert person.button_ids == MENU


async def test_start_with_garbage_arguments_is_a_plain_start(person):
    await person.onboard("kk")
    await person.say("/start @@@ ../../etc/passwd")
    assert person.button_ids == MENU
