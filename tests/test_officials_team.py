"""Officials invite colleagues in the messenger (issue 11), in kk, ru and ky, through the real engine: a region's
official invites a focal point for a district under them, who redeems the code on another channel and appears
in the list; suspended (the Notices menu stops at once), reinstated, revoked; forged buttons refused and
audited; a code made in the messenger is refused when used twice or late."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot import places
from bot.clock import local_time
from bot.config import get_settings
from bot.i18n import USER_LANGUAGES, texts
from bot.officials import buttons
from bot.storage.models import AuditEntry, Invite
from handlers.officials import NOT_ALLOWED, REFUSED_CODES
from tests.officials import areas, make_official
from tests.people import Person
from tests.test_officials_conversation import official_of, place_name
from tests.test_whatsapp_render import problems

BOT = "JoldasTestBot"
CODE = re.compile(r"JOL-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")
OUT_OF_DATE = "That button is out of date. Here is the current menu."


def tr(language: str, message: str) -> str:
    return texts(language).gettext(message)


@pytest.fixture
def bot_username(monkeypatch):
    """The settings the bot reads at run time, with a Telegram username for the deep links."""
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", BOT)
    monkeypatch.setenv("INVITE_VALID_HOURS", "72")
    get_settings.cache_clear()
    yield BOT
    get_settings.cache_clear()


async def regional_official(engine, database, clock, channel: str, user_id: str, language: str):
    """The official of a region (invited by the operator, organisation "Akimat"), onboarded in `language`."""
    async with database.transaction() as session:
        where = await areas(session)
        await make_official(session, user_id, "official", where.region, clock.now(), None, "Akimat", channel)
    person = Person(engine, channel, user_id)
    await person.onboard(language)
    return person, where


async def start_invite(person: Person, role: str, organisation: str | None = None) -> None:
    """Invite → role → organisation (typed, else "none")."""
    await person.press("off")
    await person.press("off:i")
    await person.press(f"off:ir:{role}")
    if organisation is None:
        await person.press("off:io:none")
    else:
        await person.say(organisation)


def the_code(person: Person) -> str:
    found = CODE.findall(person.text)
    assert found, person.text
    return found[0]


async def expiry(database, clock, place_id: str, language: str, hours: float = 72) -> str:
    async with database.transaction() as session:
        area = await places.get(session, place_id)
    local = local_time(clock.now() + timedelta(hours=hours), area.country)
    return tr(language, "{date} at {time}").format(
        date=texts(language).date(local.date()), time=local.strftime("%H:%M")
    )


async def audited(database, official_id: int) -> list[tuple]:
    async with database.transaction() as session:
        entries = await session.scalars(
            select(AuditEntry).where(AuditEntry.official_id == official_id).order_by(AuditEntry.id)
        )
        return [(entry.action, entry.details.get("outcome"), entry.details.get("reason")) for entry in entries]


async def pick_place(person: Person, name: str, place_id: str) -> None:
    """Types a place's name in the picker and presses it among the hits."""
    await person.say(name)
    chosen = [button for button in person.button_ids if button in (f"pl:yes:{place_id}", f"pl:pick:{place_id}")]
    assert chosen, (name, person.button_ids)
    await person.press(chosen[0])


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_a_region_official_invites_a_focal_point_who_joins_on_another_channel(
    engine, database, clock, bot_username, language
):
    official, where = await regional_official(engine, database, clock, "telegram", "701", language)
    regional = await official_of(database, "telegram", "701")
    await official.press("off")
    assert official.button_ids[0] == "off:i"
    await official.press("off:i")
    assert tr(language, "Whom do you invite?") in official.text
    assert official.button_ids == ["off:ir:official", "off:ir:focal_point", "off"]  # never an admin
    await official.press("off:ir:focal_point")
    assert official.button_ids == ["off:io:mine", "off:io:none", "off"]
    await official.say("x" * 201)  # too long for the column: asked again, nothing stored
    assert tr(language, "Please give the organisation's name in at most {n} characters.").format(n=200) in (
        official.text
    )
    await official.say("  Ayil   okmotu ")
    region = await place_name(database, where.region, language)
    assert official.text == tr(language, "For which area? {area} or a place within it.").format(area=region)
    assert official.button_ids[0] == f"off:ia:{where.region}" and official.button_ids[-2:] == ["off:it", "off"]

    # The district is typed: the picker offers only places within the official's region.
    await official.press("off:it")
    async with database.transaction() as session:
        outside = await places.get(session, where.other_region)
        district = await places.get(session, where.district)
    await official.say(places.display_name(outside, language))
    assert not any(where.other_region in button for button in official.button_ids)
    await official.press("pl:change")
    await pick_place(official, places.display_name(district, language), where.district)

    district_name = places.display_name(district, language)
    made, forward = official.last
    code = the_code(official)
    when = await expiry(database, clock, where.district, language)
    assert made.text.startswith(
        tr(language, "Invite made: {role} for {area}.").format(role=tr(language, "focal point"), area=district_name)
    )
    assert tr(language, "Organisation: {organisation}").format(organisation="Ayil okmotu") in made.text
    assert tr(language, "The code works once, until {when} (local time):").format(when=when) in made.text
    assert f"https://t.me/{BOT}?start={code}" in made.text  # on Telegram, the deep link to pass on
    assert forward.text.startswith(
        tr(language, "You are invited to Joldas as {role} for {area}.").format(
            role=tr(language, "focal point"), area=district_name
        )
    )
    assert code in forward.text and [button.id for row in forward.buttons for button in row] == ["off", "menu"]

    await official.press("off")  # waiting to be redeemed
    assert tr(language, "Invites not yet used:") in official.text
    line = tr(language, "{role} · {area} · until {when}").format(
        role=tr(language, "focal point"), area=district_name, when=when
    )
    assert f"{line} · Ayil okmotu" in official.text

    # The focal point is on WhatsApp: the code typed, in any case and spacing.
    focal = Person(engine, "whatsapp", "996700000011")
    await focal.onboard(language)
    await focal.say(code.lower().replace("-", " "))
    welcome = tr(language, "Welcome! You are now {role} for {area}.")
    assert focal.last[0].text == welcome.format(role=tr(language, "focal point"), area=district_name)
    held = await official_of(database, "whatsapp", "996700000011")
    assert (held.invited_by, held.organisation) == (regional.id, "Ayil okmotu")
    assert "ntc" in focal.button_ids  # a focal point writes notices

    await official.press("off")
    status = tr(language, "active")
    assert f"#{held.id} · {tr(language, 'focal point')} · {district_name} · {status} · Ayil okmotu" in official.text
    assert tr(language, "Invites not yet used:") not in official.text

    # Suspended: the focal point's Notices stop at once, the menu entry goes.
    await official.press(f"off:s:{held.id}")
    assert official.text.startswith(tr(language, "Suspended."))
    await focal.press("ntc:new")
    assert focal.last[0].text == tr(language, NOT_ALLOWED)
    assert "ntc" not in focal.button_ids
    await focal.press("ntc")
    assert focal.text == tr(language, OUT_OF_DATE)
    await focal.say(code)  # the used code gives nothing back
    assert focal.last[0].text == tr(language, REFUSED_CODES["used"])

    await official.press(f"off:u:{held.id}")
    assert official.text.startswith(tr(language, "Reinstated."))
    await focal.press("menu")
    assert "ntc" in focal.button_ids
    await focal.press("ntc:new")
    assert focal.last[0].text != tr(language, NOT_ALLOWED)

    await official.press(f"off:r:{held.id}")  # asks first
    assert official.button_ids == [f"off:ry:{held.id}", f"off:o:{held.id}"]
    await official.press(f"off:ry:{held.id}")
    assert official.text.startswith(tr(language, "Revoked."))
    await focal.press("menu")
    assert "ntc" not in focal.button_ids

    actions = await audited(database, regional.id)
    for action in ("officials.invite", "officials.suspend", "officials.reinstate", "officials.revoke"):
        assert (action, "allowed", None) in actions
    assert not [entry for entry in actions if entry[1] == "denied"]


async def test_a_code_made_in_the_messenger_works_once_and_not_late(engine, database, clock, bot_username):
    """On WhatsApp the inviter gets the code and a message to forward (with the link for Telegram users)."""
    official, where = await regional_official(engine, database, clock, "whatsapp", "77010000001", "ru")
    replies = await official.press("off")
    await start_invite(official, "official")
    replies += official.last
    await official.press("off:ia:" + where.region)  # their own area, by its button
    replies += official.last
    made, forward = official.last
    code = the_code(official)
    assert f"https://t.me/{BOT}" not in made.text and f"https://t.me/{BOT}?start={code}" in forward.text
    assert [problem for reply in replies for problem in problems(reply, "ru")] == []

    first, second = Person(engine, "console", "first"), Person(engine, "telegram", "702")
    await first.onboard("kk")
    await first.say(code)
    assert (await official_of(database, "console", "first")).area_id == where.region
    await second.say(f"/start {code}")
    assert second.last[0].text == tr("kk", REFUSED_CODES["used"])

    await start_invite(official, "focal_point", organisation="Akimat")
    await official.press("off:io:mine")  # a button of a step passed: out of date
    assert official.text == tr("ru", OUT_OF_DATE)
    await start_invite(official, "focal_point")
    await official.press("off:ia:" + where.district)
    late = the_code(official)
    clock.advance(timedelta(hours=72, minutes=1))
    await second.say(f"/start {late}")
    assert second.last[0].text == tr("kk", REFUSED_CODES["expired"])
    assert await official_of(database, "telegram", "702") is None
    async with database.transaction() as session:
        redeemed = await session.scalar(select(func.count()).select_from(Invite).where(Invite.used_at.is_not(None)))
        refusals = await session.scalars(select(AuditEntry.details).where(AuditEntry.action == "officials.redeem"))
        reasons = sorted(details.get("reason") or "" for details in refusals)
    assert redeemed == 2 and reasons == ["", "", "expired", "used"]  # the regional official's own, and first's


async def test_forged_invite_buttons_are_refused_and_audited(engine, database, clock):
    official, where = await regional_official(engine, database, clock, "console", "regional", "ky")
    regional = await official_of(database, "console", "regional")
    async with database.transaction() as session:
        focal = await make_official(session, "focal", "focal_point", where.district, clock.now(), by=regional)
        other = await make_official(session, "other", "official", where.other_region, clock.now())
    for forged in (f"off:s:{other.id}", f"off:ry:{other.id}", f"off:ry:{regional.id}", f"off:u:{regional.id}"):
        await official.press(forged)  # an official of another region, or oneself
        assert official.last[0].text == tr("ky", NOT_ALLOWED), forged
    await start_invite(official, "focal_point")
    await official.press(f"off:ia:{where.other_region}")  # another region, in the flow
    assert official.last[0].text == tr("ky", NOT_ALLOWED)
    await official.press(f"off:ia:{where.abroad}")  # another country, out of the flow
    assert official.last[0].text == tr("ky", NOT_ALLOWED)
    await official.press("off:i")
    await official.press("off:ir:admin")  # never offered: an official invites no admin
    assert official.last[0].text == tr("ky", NOT_ALLOWED)
    await official.press(f"off:ia:{where.district}")  # within the area but out of the flow: only out of date
    assert official.text == tr("ky", OUT_OF_DATE)
    for malformed in ("off:i:1", "off:ir:", "off:ir:mayor", "off:io:maybe", "off:ia:", "off:it:x"):
        await official.press(malformed)
        assert official.text == tr("ky", OUT_OF_DATE), malformed
    focal_person = Person(engine, "console", "focal")
    await focal_person.onboard("ky")
    await focal_person.press("off:i")  # a focal point invites nobody
    assert focal_person.last[0].text == tr("ky", NOT_ALLOWED)

    denied = [entry for entry in await audited(database, regional.id) if entry[1] == "denied"]
    assert denied == [
        ("officials.suspend", "denied", "outside_area"),
        ("officials.revoke", "denied", "outside_area"),
        ("officials.revoke", "denied", "not_yours"),
        ("officials.reinstate", "denied", "not_yours"),
        ("officials.invite", "denied", "outside_area"),
        ("officials.invite", "denied", "outside_area"),
        ("officials.invite", "denied", "role_too_high"),
    ]
    assert ("officials.invite", "denied", "not_allowed") in await audited(database, focal.id)
    assert (await official_of(database, "console", "other")).status == "active"
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Invite)) == 3  # the fixture's


def test_invite_button_ids_read_back_and_odd_ones_are_no_press():
    for press in (
        buttons.Press("invite"),
        buttons.Press("invite_typed"),
        buttons.Press("invite_role", role="focal_point"),
        *(buttons.Press("invite_org", choice=choice) for choice in buttons.ORGANISATION_CHOICES),
        buttons.Press("invite_area", area_id="KG-O-KARASUU"),
    ):
        assert buttons.parse(press.id.removeprefix("off:")) == press
    for argument in ("i:", "i:1", "it:x", "ir:", "ir:mayor", "io:", "io:yours", "ia:", "ia"):
        assert buttons.parse(argument) is None, argument


async def test_the_list_shows_the_invites_of_those_one_manages_only(engine, database, clock):
    official, where = await regional_official(engine, database, clock, "console", "regional", "kk")
    regional = await official_of(database, "console", "regional")
    async with database.transaction() as session:
        district = await make_official(session, "district", "official", where.district, clock.now(), by=regional)
        await make_official(session, "colleague", "official", where.region, clock.now())
        await make_official(session, "admin", "admin", where.country, clock.now())
    district_person, colleague_person = Person(engine, "console", "district"), Person(engine, "console", "colleague")
    admin = Person(engine, "console", "admin")
    for person in (district_person, colleague_person, admin):
        await person.onboard("kk")
    await district_person.press("off:i")
    await district_person.say("сәлем")  # a button was expected: the question again
    assert district_person.text == tr("kk", "Whom do you invite?")
    await start_invite(district_person, "focal_point")
    await district_person.press("off:it")
    await district_person.press("pl:cancel")  # the picker cancelled: back to the list, no invite
    assert tr("kk", "Invites not yet used:") not in district_person.text
    assert district_person.button_ids[0] == "off:i"
    await start_invite(district_person, "focal_point", organisation="Ауыл әкімдігі")
    await district_person.press(f"off:ia:{where.district}")
    the_code(district_person)
    await official.press("off")  # the district's official is regional's: their invite shows
    assert "Ауыл әкімдігі" in official.text and f"#{district.id}" in official.text
    await colleague_person.press("off")  # a colleague of the same area manages neither
    assert "Ауыл әкімдігі" not in colleague_person.text and f"#{district.id}" not in colleague_person.text
    await admin.press("off")  # the country's admin sees every invite in it
    assert "Ауыл әкімдігі" in admin.text
