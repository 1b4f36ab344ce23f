"""The official's Notices flow in kk, ru and ky, as a person would go through it: write the notice in two
languages (skipping one), choose the language for everyone else, the area and the audience, read the preview,
send; the people get it with the organisation named, the official gets the report when it is done; a
resident stops that organisation's notices and takes it back; a notice scheduled for a local time, weekly;
bad input on the way loses nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.storage.models import Broadcast, Contact
from tests.broadcasting import load_places
from tests.delivery import running_worker, settled
from tests.officials import make_official
from tests.people import Person
from tests.test_whatsapp_render import problems
from tests.test_worker import Platform

SAYS = {
    "kk": {
        "ask": "Хабарландыруды мына тілде жазыңыз",
        "on_its_way": "жіберілуде",
        "sent": "Жіберілді: 2",
        "stopped": "Енді Akmola akimat хабарландыруларын алмайсыз",
        "scheduled": "сағат 10:00 жіберіледі (Апта сайын)",
        "too_long": "Тым ұзын",
        "cancelled": "тоқтатылды",
    },
    "ru": {
        "ask": "Напишите объявление на языке",
        "on_its_way": "отправляется",
        "sent": "Отправлено: 2",
        "stopped": "Вы больше не будете получать объявления от «Akmola akimat»",
        "scheduled": "в 10:00 (Каждую неделю)",
        "too_long": "Слишком длинно",
        "cancelled": "отменено",
    },
    "ky": {
        "ask": "Кулактандырууну бул тилде жазыңыз",
        "on_its_way": "жөнөтүлүүдө",
        "sent": "Жөнөтүлдү: 2",
        "stopped": "Мындан ары Akmola akimat кулактандырууларын албайсыз",
        "scheduled": "саат 10:00 жөнөтүлөт (Жума сайын)",
        "too_long": "Өтө узун",
        "cancelled": "токтотулду",
    },
}


class Official(Person):
    """A person whose every reply is checked against WhatsApp's limits as it comes (labels, lists, bodies)."""

    async def _send(self, incoming):
        replies = await super()._send(incoming)
        language = incoming.user_id.rsplit("-", 1)[-1]
        assert [problem for reply in replies for problem in problems(reply, language)] == []
        return replies


async def official_and_residents(engine, database, clock, language: str) -> tuple[Person, list[Person]]:
    await load_places(database)
    official = Official(engine, "console", f"akim-{language}")
    await official.onboard(language)
    async with database.transaction() as session:
        await make_official(session, official.user_id, "official", "KZ-AKM", clock.now(), organisation="Akmola akimat")
    residents = [Person(engine, "console", f"resident-{language}-{n}") for n in range(2)]
    for resident, spoken in zip(residents, ("kk", "ky"), strict=True):
        await resident.onboard(spoken)
    async with database.transaction() as session:
        await session.execute(
            update(Contact)
            .where(Contact.external_id.in_([each.user_id for each in residents]))
            .values(place_id="KZ-AKM-T1")
        )
    return official, residents


@pytest.mark.parametrize("language", ["kk", "ru", "ky"])
async def test_an_official_writes_previews_and_sends_a_notice_and_gets_the_report(engine, database, clock, language):
    says = SAYS[language]
    official, residents = await official_and_residents(engine, database, clock, language)
    await official.press("menu")
    assert "ntc" in official.button_ids
    await official.press("ntc")
    await official.press("ntc:new")
    assert says["ask"] in official.text and "Қазақша" in official.text
    await official.say("x" * 801)
    assert says["too_long"] in official.text and says["ask"] in official.text  # asked again, nothing lost
    await official.say("Ертең сағат 10-да әкімдікте жиналыс.")
    await official.press("ntc:skip")  # no Russian text
    assert "Кыргызча" in official.text
    await official.say("Эртең саат 10до акимчиликте жыйын.")
    assert official.button_ids[:2] == ["ntc:fb:kk", "ntc:fb:ky"]
    await official.press("ntc:fb:kk")
    assert official.button_ids[0] == "ntc:area:KZ-AKM" and "ntc:area:KZ-AKM-AKKOL" in official.button_ids
    await official.press("ntc:area:KZ-AKM")
    await official.say("всем")  # a button was expected: the question again
    assert "ntc:aud:everyone" in official.button_ids
    await official.press("ntc:aud:everyone")
    assert "📢 Akmola akimat\n\nЕртең сағат 10-да әкімдікте жиналыс." in official.text
    assert "📢 Akmola akimat\n\nЭртең саат 10до акимчиликте жыйын." in official.text
    assert "kk 1, ky 1" in official.text and "console 2" in official.text
    await official.press("ntc:send")
    assert says["on_its_way"] in official.text
    broadcast_id = int(official.button_ids[0].rsplit(":", 1)[1])

    platform = Platform(channel="console")
    async with running_worker(engine, {"console": platform}):
        await settled(database)
        clock.advance(seconds=2)  # the timer looks again: the last message is out
        await settled(database, clock)
    got = {address: text for address, text, _ in platform.received}
    assert got[residents[0].user_id] == "📢 Akmola akimat\n\nЕртең сағат 10-да әкімдікте жиналыс."
    assert got[residents[1].user_id] == "📢 Akmola akimat\n\nЭртең саат 10до акимчиликте жыйын."
    assert says["sent"] in got[official.user_id]  # the report, in the official's language
    async with database.transaction() as session:
        assert (await session.get(Broadcast, broadcast_id)).status == "done"

    await official.press(f"ntc:report:{broadcast_id}")
    assert says["sent"] in official.text

    resident = residents[1]
    resident.language_hint = None
    await resident.press(f"ntc:stop:{broadcast_id}")
    assert SAYS["ky"]["stopped"] in resident.text
    await resident.say("/mydata")
    assert "Токтоткон кулактандырууларыңыз: akmola akimat" in resident.text
    await resident.press(f"ntc:undo:{broadcast_id}")
    assert "Akmola akimat" in resident.text


@pytest.mark.parametrize("language", ["kk", "ru", "ky"])
async def test_a_notice_to_an_application_stage_scheduled_for_a_local_time_every_week(
    engine, database, clock, language
):
    official, _ = await official_and_residents(engine, database, clock, language)
    await official.press("ntc:new")
    await official.say("Апта сайынғы қабылдау")
    await official.press("ntc:skip")
    await official.press("ntc:skip")
    await official.press("ntc:area:KZ-AKM-T1")
    await official.press("ntc:aud:stage")  # people at an application stage: which?
    assert "ntc:aud:stage:at_commission" in official.button_ids
    await official.press("ntc:aud:stage:at_commission")
    await official.press("ntc:when")
    await official.say("бүгін кешке")  # not a time
    await official.say("31.02.2026 10:00")  # no such day
    await official.say("10:00")  # 11:00 in Almaty now: tomorrow at 10:00
    await official.press("ntc:rep:weekly")
    assert SAYS[language]["scheduled"] in official.text
    cancel = next(button for button in official.button_ids if button.startswith("ntc:cancel:"))
    await official.press(cancel)  # stopped before it ever went: no repetition either
    await official.press(cancel.replace("cancel", "report"))
    assert SAYS[language]["cancelled"] in official.text


async def test_people_without_a_role_and_stale_buttons_get_the_menu(engine, database, clock, person):
    await load_places(database)
    await person.onboard("ru")
    await person.press("menu")
    assert "ntc" not in person.button_ids  # the entry is for officials only
    for button in ("ntc", "ntc:new", "ntc:report:5", "ntc:stop:12345", "ntc:fb:xx", "ntc:report:abc"):
        await person.press(button)
        assert person.button_ids, button  # an answer with the menu, never a crash
