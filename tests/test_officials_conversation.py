"""Officials in the messenger, in kk, ru and ky: an invite redeemed by a Telegram deep link and by a code
typed on WhatsApp, the Officials screen, suspending, reinstating and revoking, /mydata and /forget."""

from datetime import timedelta

import pytest
from aiogram.types import Update
from sqlalchemy import select

from bot import places
from bot.channels.telegram import incoming_from
from bot.i18n import USER_LANGUAGES, texts
from bot.officials import invites
from bot.storage.models import AuditEntry, Contact, Official
from handlers.officials import LISTED, NOT_ALLOWED, REFUSED_CODES
from tests.fake_telegram import FakeBotAPI
from tests.officials import WEEK, areas, make_official
from tests.people import Person, main_menu_ids
from tests.test_whatsapp_render import problems


def tr(language: str, message: str) -> str:
    return texts(language).gettext(message)


async def invite(database, now, role: str, area: str | None = None, by: Official | None = None, valid=WEEK):
    """An invite as `joldas officials invite` makes it; returns its code and the areas."""
    async with database.transaction() as session:
        where = await areas(session)
        made = await invites.create(session, by, role, area or where.region, "Akimat", now, valid)
    return made.code, where


async def official_of(database, channel: str, user_id: str) -> Official | None:
    async with database.transaction() as session:
        return await session.scalar(
            select(Official)
            .join(Contact, Contact.id == Official.contact_id)
            .where(Contact.channel == channel, Contact.external_id == user_id)
            .order_by(Official.id.desc())
        )


async def place_name(database, place_id: str, language: str) -> str:
    async with database.transaction() as session:
        return places.display_name(await places.get(session, place_id), language)


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_invite_suspend_reinstate_revoke(engine, database, clock, language):
    code, where = await invite(database, clock.now(), "official")
    # A Telegram deep link: the app sends `/start <code>`; the channel passes it on as it came.
    update = Update.model_validate(FakeBotAPI().message_update(501, f"/start {code}", language_code=language))
    replies = await engine.handle(incoming_from(update))
    region = await place_name(database, where.region, language)
    welcome = tr(language, "Welcome! You are now {role} for {area}.")
    assert replies[0].text == welcome.format(role=tr(language, "official"), area=region)
    assert [button.id for button in replies[1].buttons[0]] == [f"lang:{language}"]  # then the usual first steps
    official = Person(engine, "telegram", "501")
    await official.press(f"lang:{language}")
    await official.press("consent:yes")
    assert "off" in official.button_ids and "off" not in main_menu_ids()

    # The official brings in a focal point, who types the code on WhatsApp (any case, any spacing).
    regional = await official_of(database, "telegram", "501")
    focal_code, _ = await invite(database, clock.now(), "focal_point", where.district, by=regional)
    focal = Person(engine, "whatsapp", "996700000001")
    await focal.onboard(language)
    await focal.say(focal_code.lower().replace("-", " "))
    district = await place_name(database, where.district, language)
    assert focal.last[0].text == welcome.format(role=tr(language, "focal point"), area=district)
    assert "off" not in focal.button_ids  # a focal point manages nobody
    held = await official_of(database, "whatsapp", "996700000001")

    await official.press("off")
    assert (
        tr(language, "You are {role} for {area}.").format(role=tr(language, "official"), area=region) in official.text
    )
    assert (
        f"#{held.id} · {tr(language, 'focal point')} · {district} · {tr(language, 'active')} · Akimat" in official.text
    )
    await official.press(f"off:o:{held.id}")
    assert official.button_ids == [f"off:s:{held.id}", f"off:r:{held.id}", "off"]
    await official.press(f"off:s:{held.id}")
    assert official.text.startswith(tr(language, "Suspended."))
    await focal.say("/mydata")
    status = tr(language, "suspended")
    role_line = tr(language, "Role: {role} for {area}, {status}")
    assert role_line.format(role=tr(language, "focal point"), area=district, status=status) in focal.text
    await official.press(f"off:u:{held.id}")
    assert official.text.startswith(tr(language, "Reinstated."))
    await official.press(f"off:r:{held.id}")
    assert official.text.startswith(tr(language, "Revoke this role for good? It cannot be reinstated."))
    assert official.button_ids == [f"off:ry:{held.id}", f"off:o:{held.id}"]
    await official.press(f"off:ry:{held.id}")
    assert official.text.startswith(tr(language, "Revoked."))
    await official.press(f"off:u:{held.id}")
    assert official.text.startswith(tr(language, "Nothing changed: this role is {status}.").split("{")[0])

    async with database.transaction() as session:
        actions = [
            (entry.action, entry.details.get("outcome"))
            for entry in await session.scalars(select(AuditEntry).where(AuditEntry.official_id == regional.id))
        ]
    for action in ("officials.invite", "officials.suspend", "officials.reinstate", "officials.revoke"):
        assert (action, "allowed") in actions


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_a_bad_code_is_refused_politely_and_a_person_without_a_role_gets_no_screen(
    engine, database, clock, language
):
    code, _ = await invite(database, clock.now(), "official", valid=timedelta(minutes=10))
    person = Person(engine, "console", "aibek")
    await person.onboard(language)
    clock.advance(timedelta(hours=1))
    await person.say(code)
    assert person.last[0].text == tr(language, REFUSED_CODES["expired"])
    assert person.button_ids == main_menu_ids()  # the menu follows: nothing is lost
    await person.say("/start JOL-2345-6789-ABCD")
    assert person.last[0].text == tr(language, REFUSED_CODES["unknown"])
    await person.press("off")
    assert person.last[0].text == tr(language, NOT_ALLOWED)
    await person.press("off:zz:1")  # a malformed button is an out-of-date one
    assert person.text == tr(language, "That button is out of date. Here is the current menu.")


async def test_forget_revokes_the_role_and_keeps_the_audit_without_the_person(engine, database, clock):
    code, where = await invite(database, clock.now(), "official")
    person = Person(engine, "console", "asel")
    await person.onboard("kk")
    await person.say(code)
    official = await official_of(database, "console", "asel")
    await person.press("off")
    await person.say("/forget")
    await person.press("forget:yes")
    async with database.transaction() as session:
        kept = await session.get(Official, official.id)
        assert (kept.status, kept.contact_id) == ("revoked", None)
        entries = list(await session.scalars(select(AuditEntry).where(AuditEntry.official_id == official.id)))
    assert [entry.action for entry in entries] == ["officials.redeem", "officials.list", "officials.forgotten"]
    assert all(entry.contact_id is None for entry in entries)


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_every_officials_screen_fits_whatsapp(engine, database, clock, language):
    code, where = await invite(database, clock.now(), "official")
    official = Person(engine, "whatsapp", f"99655500000{USER_LANGUAGES.index(language)}")
    await official.onboard(language)
    replies = await official.say(code)
    regional = await official_of(database, "whatsapp", official.user_id)
    async with database.transaction() as session:  # more than one screen of buttons, more than one message lists
        for number in range(LISTED + 2):
            await make_official(session, f"focal{number}", "focal_point", where.district, clock.now(), by=regional)
    replies += await official.press("off")
    assert official.button_ids[-1] == "menu" and len(official.button_ids) == 10
    assert texts(language).ngettext("…and {n} more.", "…and {n} more.", 2).format(n=2) in official.text
    first = official.button_ids[0].rsplit(":", 1)[1]
    await official.say("²")  # a digit to Python, but no number: answered like any text, nothing breaks
    assert official.text
    replies += await official.say(first)  # a number typed opens one
    for button in official.button_ids:
        replies += await official.press(button)
    assert [problem for reply in replies for problem in problems(reply, language)] == []


async def test_a_role_written_after_the_holders_were_read_shows_at_the_next_message(engine, database):
    person = Person(engine, "console", "marat")
    await person.onboard("ru")
    assert "off" not in person.button_ids  # the holders of roles were read: marat is none
    async with database.transaction() as session:
        contact = await session.scalar(select(Contact).where(Contact.external_id == "marat"))
        session.add(Official(contact_id=contact.id, role="official", area_id=(await areas(session)).region))
    await person.press("menu")
    assert "off" in person.button_ids
