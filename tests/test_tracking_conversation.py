"""The person's side of tracking, in kk, ru and ky: recording an application (the path from the pre-check
when there is one), the timeline with done, now, next and by when, news recorded by the person, the notices
when a step is late and of their own deadlines, and a check-in answered with free text."""

import datetime as dt

import pytest
from sqlalchemy import select

from bot.channels.rendering import reply_from_payload
from bot.delivery.worker import Worker
from bot.i18n import USER_LANGUAGES, texts
from bot.storage.models import Application, ApplicationEvent, CheckIn, Contact, EligibilityResult, OutboxMessage, Timer
from tests.broadcasting import load_places
from tests.delivery import QUICK
from tests.people import Person
from tests.test_eligibility_conversation import KANDAS_IN_COUNTRY, run


@pytest.fixture(autouse=True)
async def places_loaded(database):
    await load_places(database)


def tr(language: str, message: str) -> str:
    return texts(language).gettext(message)


async def record(person: Person, path="kandas_in_country", office="akimat", when="27.02.2026 10:00", dest="Павлодар"):
    await person.press("trk")
    await person.press(f"trk:path:{path}")
    await person.press(f"trk:office:{office}")
    await person.say(when)
    await person.say(dest)
    await person.say("KZ-2026-0001")
    return await person.say("+7 701 123 45 67")


async def application_of(database) -> Application:
    async with database.transaction() as session:
        return await session.scalar(select(Application))


async def notices(database, since: int = 0) -> list[str]:
    async with database.transaction() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "notice", OutboxMessage.id > since)
            .order_by(OutboxMessage.id)
        )
        return [reply_from_payload(row.payload).text for row in rows]


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_recording_an_application_and_its_timeline(person, database, language):
    await person.onboard(language)
    await person.press("trk")
    assert "trk:path:in_migrant_moved" in person.button_ids
    await person.press("trk:path:kandas_in_country")
    assert person.button_ids[:3] == ["trk:office:akimat", "trk:office:state_corporation", "trk:office:egov"]
    await person.press("trk:office:akimat")
    await person.say("31.02.2026")  # no such day
    assert tr(language, "That is not a date I can use (not in the future).") in person.text
    await person.say("27.02.2026 10:00")
    await person.say("Павлодар")
    await person.say("KZ-2026-0001")
    await person.say("+7 701 123 45 67")
    text = person.text
    assert tr(language, "Saved. The bot will tell you when a step is late.") in text
    assert "KZ-2026-0001" in text
    assert texts(language).date(dt.date(2026, 2, 27)) in text  # lodged and counted from that Friday
    assert texts(language).date(dt.date(2026, 3, 5)) in text  # at the commission within 3 working days of 2 March
    assert "✅" not in text and "▶" in text and "⏭" in text
    application = await application_of(database)
    assert (application.path, application.office, application.status) == ("kandas_in_country", "akimat", "submitted")
    assert (application.destination, application.phone, application.rules_version) == (
        "pavlodar",
        "77011234567",
        "2026.01",
    )
    assert application.counts_from == dt.date(2026, 2, 27)
    await person.press("menu")
    await person.press("trk")  # again: the timeline, not the questions
    assert "KZ-2026-0001" in person.text and "trk:news" in person.button_ids


async def test_an_eligible_pre_check_offers_to_follow_the_application(person, database):
    await person.onboard("ru")
    await run(person, KANDAS_IN_COUNTRY + ["!elig:go"])
    assert "trk:new" in person.button_ids
    await person.press("trk:new")
    assert person.button_ids[0] == "trk:office:akimat"  # the path came from the check: not asked
    await person.press("trk:office:akimat")
    await person.press("trk:today")
    assert "trk:skip" in person.button_ids  # the destination came from the check too
    application_path = "kandas_in_country"
    await person.press("trk:skip")
    await person.press("trk:skip")
    application = await application_of(database)
    assert (application.path, application.destination) == (application_path, "pavlodar")


async def test_the_departure_region_of_an_in_migrant_comes_from_the_pre_check(person, database):
    await person.onboard("ru")
    async with database.transaction() as session:
        contact = await session.scalar(select(Contact).where(Contact.external_id == person.user_id))
        session.add(
            EligibilityResult(
                contact_id=contact.id,
                rules_version="2026.01",
                outcome="eligible",
                answers={"destination_region": "pavlodar", "departure_region": "turkistan"},
                result={"path": "in_migrant_standard"},
            )
        )
    await person.press("trk")
    assert "trk:office:state_corporation" in person.button_ids  # the path was not asked
    await person.press("trk:office:egov")
    await person.press("trk:today")
    assert "trk:skip" in person.button_ids  # the destination was not asked either: the number is
    await person.press("trk:skip")
    await person.press("trk:skip")
    application = await application_of(database)
    assert (application.path, application.region, application.destination) == (
        "in_migrant_standard",
        "turkistan",
        "pavlodar",
    )
    assert application.number is None and application.phone is None


async def test_back_and_bad_input_lose_nothing(person, database):
    await person.onboard("kk")
    await person.press("trk")
    await person.press("trk:path:kandas_abroad")
    await person.press("trk:back")
    assert "trk:path:kandas_abroad" in person.button_ids  # the path question again
    await person.press("trk:path:kandas_abroad")
    await person.press("trk:office:akimat")  # not an office of this path? still an office: refused or taken
    await person.say("завтра")
    assert tr("kk", "That is not a date I can use (not in the future).") in person.text
    await person.say("01.01.2030")  # in the future
    assert tr("kk", "That is not a date I can use (not in the future).") in person.text
    await person.press("trk:set:included")  # a forged button before there is an application
    assert person.last  # answered, not crashed


async def test_news_from_the_person_moves_the_timeline(person, database):
    await person.onboard("ru")
    await record(person)
    await person.press("trk:news")
    assert "trk:set:accepted" in person.button_ids and "trk:set:intake_refused" in person.button_ids
    assert "trk:set:delivered" not in person.button_ids  # never past the decision
    await person.press("trk:set:at_commission")
    assert tr("ru", "Saved: {status}.").format(status="На рассмотрении комиссии") in person.text
    await person.press("trk:set:submitted")  # going back is not offered, and a forged button does nothing
    assert (await application_of(database)).status == "at_commission"


async def test_a_late_step_and_an_own_deadline_are_told_once(person, database, engine, clock):
    await person.onboard("ky")
    await record(person)
    worker = Worker(engine, {}, QUICK)
    await worker.fire_due_timers()  # 1 March: «accepted» was due on 27 February
    late = await notices(database)
    assert len(late) == 1 and tr("ky", "How to complain:") in late[0]
    assert "5" in late[0] and "15" in late[0]  # the head of the body, then the quality-control body
    await worker.fire_due_timers()
    assert len(await notices(database)) == 1  # told once
    await person.press("trk:news")
    await person.press("trk:set:hearing")  # a preliminary refusal: objections within 1 working day
    async with database.transaction() as session:
        keys = set(await session.scalars(select(Timer.key).where(Timer.status == "pending")))
    assert any(key.startswith("trk:own:") for key in keys)
    clock.set("2026-03-03T06:00:00+00:00")
    await worker.fire_due_timers()
    told = await notices(database)
    assert len(told) == 2 and tr("ky", "A reminder about your application ({status}):").split("(")[0] in told[1]


async def test_a_check_in_answered_with_free_text(person, database, engine, clock):
    await person.onboard("kk")
    await record(person)
    await person.press("trk:news")
    await person.press("trk:set:included")
    await person.press("trk:news")
    await person.press("trk:set:relocated")
    application = await application_of(database)
    assert application.moved_on == dt.date(2026, 3, 1)
    async with database.transaction() as session:
        months = sorted(
            int(key.rsplit(":", 1)[1])
            for key in await session.scalars(select(Timer.key).where(Timer.key.like("trk:ci:%")))
        )
    assert months == [1, 3, 6, 12, 18, 24]
    clock.set("2026-04-01T06:00:00+00:00")
    await Worker(engine, {}, QUICK).fire_due_timers()
    asked = await notices(database)
    assert tr("kk", "Are you still living in the region you moved to?") in asked[-1]
    await person.say("/lang ru")  # the question again, in Russian
    assert tr("ru", "Are you still living in the region you moved to?") in person.text
    await person.say("/lang kk")
    await person.say("Иә")  # typed: the button's label
    await person.say("жұмыс әлі жоқ, іздеп жүрмін")  # free text instead of yes or no
    await person.press("trk:ci:1:h:rent")
    await person.say("Пәтерақы субсидиясы әлі төленбеді")
    assert tr("kk", "Thank you for your answers.") in person.text
    async with database.transaction() as session:
        checkin = await session.scalar(select(CheckIn))
    assert (checkin.month, checkin.in_region, checkin.employed, checkin.housing) == (1, True, None, "rented")
    assert "іздеп жүрмін" in checkin.problem and "субсидиясы" in checkin.problem


async def test_without_consent_nothing_is_kept(person, database):
    await person.onboard("ru", consent="no")
    await person.press("trk")
    assert tr("ru", "To follow an application Joldas must keep its details: give your consent first.") in person.text
    assert await application_of(database) is None


async def test_mydata_shows_the_number_and_phone_and_forget_deletes_them(person, database):
    await person.onboard("kk")
    await record(person)
    await person.say("/mydata")
    assert "KZ-2026-0001" in person.text and "+77011234567" in person.text
    await person.say("/forget")
    await person.press("forget:yes")
    async with database.transaction() as session:
        assert await session.scalar(select(Application)) is None
        assert await session.scalar(select(ApplicationEvent)) is None
        assert await session.scalar(select(Timer).where(Timer.key.like("trk:%"))) is None


async def test_withdrawing_consent_deletes_the_application(person, database):
    await person.onboard("ru")
    await record(person)
    await person.press("consent")
    await person.press("consent:no")
    assert await application_of(database) is None
