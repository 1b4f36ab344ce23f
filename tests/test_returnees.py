"""Returnees: "I've come back" (needs, services), referrals to focal points (routing, acceptance, escalation,
closing, follow-up), the conversation both ways, the report, /mydata and /forget — through the engine, on
SQLite and PostgreSQL, in kk, ru and ky."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.returnees import referrals
from bot.storage.models import AuditEntry, OutboxMessage, Referral, ReferralMessage, ReturneeProfile
from tests.officials import make_official
from tests.people import Person

VILLAGE_AA = "KG-O-KARASUU-JANYARYK"
DISTRICT = "KG-O-KARASUU"
REGION = "KG-O"


async def focal_point(engine, name: str, area: str, language: str = "ru", organisation: str | None = None) -> Person:
    """Someone on Telegram who onboarded and was made the focal point of `area`."""
    person = Person(engine, "telegram", name)
    await person.onboard(language)
    async with engine.database.transaction() as session:
        now = engine.clock.now()
        await make_official(session, name, "focal_point", area, now, organisation=organisation, channel="telegram")
    return person


async def outbox_texts(engine, address: str) -> list[str]:
    async with engine.database.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.address == address).order_by(OutboxMessage.id)
        rows = await session.scalars(query)
        return [row.payload.get("text") or str(row.payload) for row in rows]


async def pick_place(person: Person, typed: str, place_id: str) -> None:
    """Through the place picker (handlers/places.py): type, then confirm the one hit or pick it among several."""
    await person.say(typed)
    chosen = next(button for button in person.button_ids if button in (f"pl:yes:{place_id}", f"pl:pick:{place_id}"))
    await person.press(chosen)


async def come_back(person: Person, place_text: str = "Жаны-Арык", needs=("documents", "work")) -> None:
    await person.press("ret:start")
    await pick_place(person, place_text, VILLAGE_AA)
    await person.press("ret:when:0")
    await person.press("ret:from:ru")
    for need in needs:
        await person.press(f"ret:need:{need}")
    await person.press("ret:need:done")
    await person.say("Паспорт жоголду, жумуш керек")


async def test_needs_services_and_a_referral_to_the_ayil_aimak(engine):
    await focal_point(engine, "fp_village", VILLAGE_AA, organisation="Жаны-Арык АО")
    person = Person(engine, "whatsapp", "996700000001")
    await person.onboard("ky")
    await come_back(person)
    assert "айыл өкмөтү" in person.text.lower()
    assert "ret:send:yes" in person.button_ids
    await person.press("ret:send:yes")
    async with engine.database.transaction() as session:
        referral = await session.scalar(select(Referral))
        kept = await session.get(ReturneeProfile, referral.contact_id)
    assert referral.area_id == VILLAGE_AA and referral.status == "waiting"
    assert kept.needs == ["documents", "work"] and kept.came_from == "ru"
    sent = await outbox_texts(engine, "fp_village")
    assert any("Паспорт жоголду" in text for text in sent)


async def fire_due_timers(engine) -> None:
    """What the worker does with due timers, for the engine-level tests (the worker itself: the e2e test)."""
    from bot.delivery import timers
    from bot.storage.models import Timer

    async with engine.database.transaction() as session:
        due = await session.scalars(select(Timer).where(Timer.status == "pending", Timer.due_at <= engine.clock.now()))
        for timer in list(due):
            await timers.action_for(timer.kind)(session, timer, engine.clock.now())
            timer.status = "done"


async def a_referral(engine, language: str = "ru") -> tuple[Person, Person, int]:
    fp = await focal_point(engine, "fp_village", VILLAGE_AA, organisation="АО Жаны-Арык")
    person = Person(engine, "whatsapp", "996700000002")
    await person.onboard(language)
    await come_back(person)
    await person.press("ret:send:yes")
    async with engine.database.transaction() as session:
        number = await session.scalar(select(Referral.id))
    return person, fp, number


async def test_accept_then_the_conversation_goes_both_ways_in_order_and_commands_stay_with_the_focal_point(engine):
    person, fp, number = await a_referral(engine, "ky")
    await fp.press(f"fp:acc:{number}")
    assert "/referrals" in fp.text
    await person.say("Саламатсызбы, качан келсем болот?")
    await fp.say("Здравствуйте, приходите в понедельник к 10:00.")
    await fp.say("/referrals")  # a command: answered to the focal point, never passed on
    await person.say("Рахмат!")
    to_person = await outbox_texts(engine, person.user_id)
    to_fp = await outbox_texts(engine, "fp_village")
    assert any("приходите в понедельник" in text for text in to_person)
    assert not any("/referrals" in text for text in to_person)
    relayed = [text for text in to_fp if "Саламатсызбы" in text or "Рахмат" in text]
    assert len(relayed) == 2 and "Саламатсызбы" in relayed[0]
    async with engine.database.transaction() as session:
        kept = list(await session.scalars(select(ReferralMessage).order_by(ReferralMessage.id)))
    assert [message.sender for message in kept] == ["person", "focal_point", "person"]


async def test_a_message_at_night_says_when_to_expect_an_answer(engine, clock):
    person, fp, number = await a_referral(engine)
    await fp.press(f"fp:acc:{number}")
    clock.set("2026-03-02T17:30:00+00:00")  # Monday 23:30 in Bishkek
    await person.say("Извините, что поздно")
    assert "09:00" in person.text


async def test_not_accepted_in_two_working_days_it_moves_up_and_the_person_is_told(engine, clock):
    district = await focal_point(engine, "fp_district", DISTRICT, organisation="Кара-Суу райаким")
    person, fp, number = await a_referral(engine)
    # Made on Sunday 1 March: received Monday (not counted), so Tuesday and Wednesday are its 2 working days.
    clock.set("2026-03-04T11:59:00+00:00")  # Wednesday 17:59 in Bishkek
    await fire_due_timers(engine)
    async with engine.database.transaction() as session:
        assert (await session.get(Referral, number)).area_id == VILLAGE_AA
    clock.set("2026-03-04T12:01:00+00:00")  # 18:01: the end of the second working day has passed
    await fire_due_timers(engine)
    async with engine.database.transaction() as session:
        referral = await session.get(Referral, number)
        assert referral.area_id == DISTRICT and referral.escalations == 1
    assert any("Кара-Суу" in text for text in await outbox_texts(engine, person.user_id))
    await fp.press(f"fp:acc:{number}")  # too late for the village: it is the district's now
    async with engine.database.transaction() as session:
        assert (await session.get(Referral, number)).status == "waiting"
    await district.press(f"fp:acc:{number}")
    async with engine.database.transaction() as session:
        assert (await session.get(Referral, number)).status == "accepted"
        denied = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "referral.accept")
        )
    assert denied == 2  # the refused attempt and the accepted one, both audited


async def test_closing_with_a_reason_then_the_follow_up_is_kept_with_the_outcome(engine, clock):
    person, fp, number = await a_referral(engine)
    await fp.press(f"fp:acc:{number}")
    await fp.press(f"fp:close:{number}")
    await fp.press(f"fp:out:{number}:sent_elsewhere")
    await fp.say("Обратитесь в районный ЗАГС")
    assert any("ЗАГС" in text for text in await outbox_texts(engine, person.user_id))
    await person.say("А что дальше?")  # closed: no longer passed on
    clock.advance(days=14, minutes=1)
    await fire_due_timers(engine)
    async with engine.database.transaction() as session:
        payloads = await session.scalars(select(OutboxMessage.payload).where(OutboxMessage.address == person.user_id))
        assert any(f"ret:fu:{number}:yes" in str(payload) for payload in payloads)
    await person.press(f"ret:fu:{number}:partly")
    async with engine.database.transaction() as session:
        referral = await session.get(Referral, number)
    assert referral.outcome == "sent_elsewhere" and referral.outcome_reason == "Обратитесь в районный ЗАГС"
    assert referral.followup == "partly"
    await fp.press("fp:report")  # the area's figures, in the focal point's language
    assert "Итоги: направили дальше 1" in fp.text and "закрыто: 1" in fp.text


async def test_answers_are_kept_with_consent_shown_again_and_can_be_changed(engine):
    person = Person(engine, "console", "returnee_again")
    await person.onboard("kk")
    await come_back(person, needs=("land",))
    await person.press("ret:send:no")
    await person.press("ret:start")  # kept: the services come again, with the offer
    assert "Жер" in person.text and "ret:edit" in person.button_ids
    await person.press("ret:edit")
    assert person.button_ids == ["pl:cancel"]
    await pick_place(person, "Ноокат", "KG-O-NOOKAT-NOOKAT")
    await person.press("ret:when:skip")
    await person.press("ret:from:skip")
    await person.press("ret:need:business")
    await person.press("ret:need:done")
    await person.press("ret:note:skip")
    assert "мэриясы" in person.text  # Nookat's own service comes first
    async with engine.database.transaction() as session:
        kept = await session.scalar(select(ReturneeProfile))
    assert (kept.place_id, kept.needs, kept.note) == ("KG-O-NOOKAT-NOOKAT", ["business"], None)


async def test_without_consent_the_services_are_shown_but_nothing_is_kept_or_passed_on(engine):
    person = Person(engine, "console", "returnee_anonymous")
    await person.onboard("ru", consent="no")
    await come_back(person)
    assert "айыл окмоту" in person.text.lower()
    await person.press("ret:send:yes")
    assert "consent" in person.button_ids
    async with engine.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(ReturneeProfile)) == 0
        assert await session.scalar(select(func.count()).select_from(Referral)) == 0


async def test_mydata_shows_the_requests_and_forget_keeps_only_the_outcome(engine):
    person, fp, number = await a_referral(engine, "kk")
    await fp.press(f"fp:acc:{number}")
    await person.say("Құжатым жоқ")
    await person.say("/mydata")
    assert "Құжатым жоқ" in person.text and str(number) in person.text
    await person.say("/forget")
    await person.press("forget:yes")
    async with engine.database.transaction() as session:
        referral = await session.get(Referral, number)
        messages = await session.scalar(select(func.count()).select_from(ReferralMessage))
    assert referral.contact_id is None and referral.needs == ["documents", "work"] and messages == 0
    await fp.press("fp:list")  # the focal point can still close it, with nothing about the person shown
    assert f"fp:close:{number}" in fp.button_ids and "Құжатым" not in fp.text
    await fp.press(f"fp:close:{number}")
    await fp.press(f"fp:out:{number}:could_not_help")
    await fp.say("Человек удалил данные")
    async with engine.database.transaction() as session:
        referral = await session.get(Referral, number)
    assert (referral.status, referral.outcome) == ("closed", "could_not_help")


async def test_a_message_to_someone_who_cannot_be_reached_is_kept_and_the_writer_told(engine):
    from bot.storage.models import Contact

    person, fp, number = await a_referral(engine, "ky")
    await fp.press(f"fp:acc:{number}")
    async with engine.database.transaction() as session:
        contact = await session.scalar(select(Contact).where(Contact.external_id == person.user_id))
        contact.unreachable_since = engine.clock.now()
    await fp.say("Эртең келиңиз")
    assert "не дойти" in fp.text
    async with engine.database.transaction() as session:
        [kept] = (await session.scalars(select(ReferralMessage))).all()
    assert (kept.sender, kept.text) == ("focal_point", "Эртең келиңиз")


@pytest.mark.parametrize("language", ["kk", "ru", "ky"])
async def test_no_focal_point_anywhere_up_the_lineage_says_whom_to_ask(engine, language):
    person = Person(engine, "whatsapp", f"99670000001{language}")
    await person.onboard(language)
    await come_back(person)
    await person.press("ret:send:yes")
    async with engine.database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Referral)) == 0
    assert person.text


async def test_routing_picks_the_least_busy_focal_point_and_walks_up(engine):
    await focal_point(engine, "fp_a", DISTRICT)
    await focal_point(engine, "fp_b", DISTRICT)
    async with engine.database.transaction() as session:
        first = await referrals.find_holder(session, VILLAGE_AA)
        assert first.area.id == DISTRICT
        session.add(Referral(official_id=first.official.id, area_id=DISTRICT, country="KG", needs=[], status="waiting"))
        await session.flush()
        second = await referrals.find_holder(session, VILLAGE_AA)
        assert second.official.id != first.official.id
        assert await referrals.find_holder(session, VILLAGE_AA, above=DISTRICT) is None


@pytest.mark.parametrize("language", ["kk", "ru", "ky"])
async def test_every_button_of_both_sides_fits_whatsapp(engine, language):
    from tests.test_whatsapp_render import problems

    person = Person(engine, "whatsapp", f"99670000002{language}")
    fp = Person(engine, "whatsapp", f"99670000003{language}")
    await fp.onboard(language)
    async with engine.database.transaction() as session:
        await make_official(session, fp.user_id, "focal_point", VILLAGE_AA, engine.clock.now(), channel="whatsapp")
    replies = await person.onboard(language)
    replies += await person.press("ret:start")
    replies += await person.say("Кызыл")  # several places: a choice
    replies += await person.press("pl:change")
    replies += await person.say("Жаңы-Арык")
    replies += await person.press(f"pl:yes:{VILLAGE_AA}")
    replies += await person.press("ret:when:skip")
    replies += await person.press("ret:from:kz")
    for need in ("documents", "child_docs", "psych", "entry_ban", "benefits"):
        replies += await person.press(f"ret:need:{need}")
    replies += await person.press("ret:need:done")
    replies += await person.press("ret:note:skip")
    replies += await person.press("ret:send:yes")
    replies += await person.press("ret:status")
    async with engine.database.transaction() as session:
        number = await session.scalar(select(Referral.id))
    for pressed in ("fp:list", f"fp:acc:{number}", f"fp:close:{number}", "fp:report"):
        replies += await fp.press(pressed)
    assert [problem for reply in replies for problem in problems(reply, language)] == []


async def test_kazakhstan_a_kandas_family_after_the_move_gets_its_region_services_and_focal_point(engine):
    await focal_point(engine, "fp_akmola", "KZ-AKM", language="kk", organisation="Ақмола облысының әкімдігі")
    person = Person(engine, "telegram", "5550777", language_hint="kk")
    await person.onboard("kk")
    await person.press("ret:start")
    await pick_place(person, "Ақмола", "KZ-AKM")
    await person.press("ret:when:skip")
    assert "ret:from:kz" not in person.button_ids and "ret:from:kg" in person.button_ids
    await person.press("ret:from:other")
    for need in ("work", "school"):
        await person.press(f"ret:need:{need}")
    await person.press("ret:need:done")
    await person.press("ret:note:skip")
    assert "мансап" in person.text and "1414" not in person.text  # the employment centre; no documents asked
    await person.press("ret:send:yes")
    assert "Ақмола" in person.text
    async with engine.database.transaction() as session:
        referral = await session.scalar(select(Referral))
        kept = await session.get(ReturneeProfile, referral.contact_id)
    assert (referral.area_id, referral.country, kept.came_from) == ("KZ-AKM", "KZ", "other")
    assert any("№" in text for text in await outbox_texts(engine, "fp_akmola"))


async def test_services_name_the_nearest_office_and_what_the_place_itself_has(engine):
    from bot.returnees import offices

    async with engine.database.transaction() as session:
        row = {
            "need": "psych",
            "area_id": "KG-B-KADAMJAY",
            "source": "sample data: not a real office",
            "phone": "+996 000 000 001",
            "hours": "",
            **{f"name_{lang}": f"Sample centre {lang}" for lang in ("kk", "ru", "ky")},
            **{f"address_{lang}": f"Sample street {lang}" for lang in ("kk", "ru", "ky")},
            **{f"bring_{lang}": "" for lang in ("kk", "ru", "ky")},
        }
        await offices.replace_all(session, [row], engine.clock.now())
    person = Person(engine, "console", "returnee_batken")
    await person.onboard("ru")
    await person.press("ret:start")
    await pick_place(person, "Ак-Турпак айыл аймагы", "KG-B-KADAMJAY-AKTURPAK")
    await person.press("ret:when:skip")
    await person.press("ret:from:skip")
    await person.press("ret:need:psych")
    await person.press("ret:need:done")
    await person.press("ret:note:skip")
    [service] = [reply.text for reply in person.last if "Психологическая" in reply.text]
    assert service.index("В Ак-Турпаке местный кенеш") < service.index("Стресс, депрессия")  # the place's first
    assert "Sample centre ru, Sample street ru, +996 000 000 001" in service
    assert "sample data: not a real office" in service


async def test_a_request_is_accepted_once_and_a_later_pass_it_on_uses_the_kept_answers(engine):
    other = await focal_point(engine, "fp_other", VILLAGE_AA)
    person = Person(engine, "whatsapp", "996700000099")
    await person.onboard("ru")
    fp = await focal_point(engine, "fp_village", VILLAGE_AA)
    await come_back(person)
    await person.press("ret:send:no")
    await person.say("/menu")
    await person.press("ret:send:yes")  # pressed later, from the message above: the kept answers go
    async with engine.database.transaction() as session:
        number = await session.scalar(select(Referral.id))
    await fp.press(f"fp:acc:{number}")
    await other.press(f"fp:acc:{number}")
    assert "уже принят" in other.text
    async with engine.database.transaction() as session:
        referral = await session.get(Referral, number)
        holder = await referrals.holder_of(session, referral)
    assert holder.official.contact_id is not None and referral.status == "accepted"
    await other.say("Я тоже здесь")  # not in a conversation: nothing goes to the person
    assert not any("Я тоже здесь" in text for text in await outbox_texts(engine, person.user_id))


async def test_with_an_open_request_the_menu_entry_shows_where_it_is_then_the_services_on_demand(engine):
    person, fp, number = await a_referral(engine, "ky")
    await person.press("ret:start")
    assert f"№ {number}" in person.text and "ret:services" in person.button_ids
    assert f"ret:end:{number}" in person.button_ids
    await person.press(f"ret:end:{number}")
    await person.say("Бул суроо эч кимге барбайт")  # the conversation is off: not passed on
    assert not any("эч кимге" in text for text in await outbox_texts(engine, "fp_village"))
    await person.press("ret:start")
    await person.press(f"ret:chat:{number}")
    await person.press("ret:services")
    assert "айыл өкмөтү" in person.text.lower() and "ret:send:yes" not in person.button_ids
