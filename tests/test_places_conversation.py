"""A person's place in conversation: "My place" shows it, the picker changes it (typed name, hits as buttons,
confirmation), the package and the pre-check give one, /mydata shows it, withdrawing consent and /forget
remove it (issue 11)."""

import pytest
from sqlalchemy import select

from bot.i18n import USER_LANGUAGES, texts
from bot.places.importer import check
from bot.places.store import stored_paths, write
from bot.storage.models import Contact
from tests.test_eligibility_conversation import PATHS, run
from tests.test_package_conversation import build_package
from tests.test_whatsapp_render import problems as whatsapp_problems

KYZYL_ADYR = "KG-T-KARABUURA-KARABUURA-KYZYLADYR"
ASK = "Where do you live now? Type the name of your village, town, district or region as you write it."
# What each language shows of Kyzyl-Adyr with its areas.
KYZYL_ADYR_SHOWN = {
    "kk": "Қызыл-Адыр, Қара-Бура ауылдық аймағы, Қара-Бура ауданы, Талас облысы",
    "ru": "Кызыл-Адыр, айылный аймак Кара-Буура, Кара-Бууринский район, Таласская область",
    "ky": "Кызыл-Адыр, Кара-Буура айыл аймагы, Кара-Буура району, Талас облусу",
}


def tr(language: str, message: str) -> str:
    return texts(language).gettext(message)


async def choose_place(person, typed: str, place_id: str) -> None:
    """My place → Change, the name typed, the one clear hit confirmed."""
    await person.press("pl:change")
    await person.say(typed)
    await person.press(f"pl:yes:{place_id}")


async def place_of(database, user_id: str = "aigerim") -> str | None:
    async with database.transaction() as session:
        return await session.scalar(select(Contact.place_id).where(Contact.external_id == user_id))


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_see_and_change_my_place_in_each_language(person, database, language):
    await person.onboard(language)
    assert "pl:show" in person.button_ids  # "My place" is in the menu
    await person.press("pl:show")
    assert tr(language, "You have not told me where you live.") in person.text
    await person.press("pl:change")
    assert tr(language, ASK) in person.text
    await person.say("Кызыладыр")
    assert person.button_ids[0] == f"pl:yes:{KYZYL_ADYR}"  # one clear hit: asked to confirm
    assert KYZYL_ADYR_SHOWN[language].split(", ")[2] in person.text  # with its district, to tell namesakes apart
    await person.press(f"pl:yes:{KYZYL_ADYR}")
    assert tr(language, "Saved. Your place: {place}.").format(place=KYZYL_ADYR_SHOWN[language]) in person.text
    assert await place_of(database) == KYZYL_ADYR
    await person.press("pl:show")
    assert tr(language, "Your place: {place}.").format(place=KYZYL_ADYR_SHOWN[language]) in person.text
    await person.say("/mydata")
    assert tr(language, "Your place: {place}.").format(place=KYZYL_ADYR_SHOWN[language]) in person.text


async def test_namesakes_are_offered_with_their_districts_and_the_pick_is_kept(person, database):
    async with database.transaction() as session:
        rows = [
            {"id": "KG-O-NOOKAT-JANYARYK", "parent_id": "KG-O-NOOKAT", "kind": "village", "name_ru": "Жаны-Арык"},
            {"id": "KG-O-UZGEN-JANYARYK", "parent_id": "KG-O-UZGEN", "kind": "village", "name_ru": "Жаны-Арык"},
        ]
        await write(session, check(rows, await stored_paths(session), "test").records)
    await person.onboard("ky")
    await person.press("pl:change")
    await person.say("jany aryk")
    assert tr("ky", "Several places have that name. Which one is yours?") in person.text
    offered = [button for reply in person.last for row in reply.buttons for button in row]
    by_id = {button.id: button for button in offered}
    assert {"pl:pick:KG-O-NOOKAT-JANYARYK", "pl:pick:KG-O-UZGEN-JANYARYK", "pl:pick:KG-O-KARASUU-JANYARYK"} <= set(
        by_id
    )
    assert "Ноокат району" in by_id["pl:pick:KG-O-NOOKAT-JANYARYK"].label
    assert "Өзгөн району" in by_id["pl:pick:KG-O-UZGEN-JANYARYK"].label
    assert all(len(button.short_label or button.label) <= 20 for button in offered)
    assert [problem for reply in person.last for problem in whatsapp_problems(reply, "ky")] == []
    await person.press("pl:pick:KG-O-UZGEN-JANYARYK")
    assert await place_of(database) == "KG-O-UZGEN-JANYARYK"


async def test_an_unknown_name_is_asked_again_and_cancel_keeps_the_old_place(person, database):
    await person.onboard("ru")
    await choose_place(person, "Кызыл-Адыр", KYZYL_ADYR)
    await person.press("pl:change")
    await person.say("Атлантида-на-Луне")
    assert (
        tr("ru", "I could not find a place by that name. Check the spelling, or type the district instead.")
        in person.text
    )
    await person.press("pl:cancel")
    assert await place_of(database) == KYZYL_ADYR
    assert tr("ru", "Your place: {place}.").format(place=KYZYL_ADYR_SHOWN["ru"]) in person.text


@pytest.mark.parametrize("stale", [f"pl:yes:{KYZYL_ADYR}", "pl:pick:KG-O", "pl:yes:", "pl:zzz", "pl:pick:KG-NOWHERE"])
async def test_stale_and_forged_place_buttons_change_nothing(person, database, stale):
    await person.onboard("kk")
    await person.press(stale)
    assert person.text == tr("kk", "That button is out of date. Here is the current menu.")
    assert await place_of(database) is None


async def test_a_place_not_offered_cannot_be_pressed_in(person, database):
    await person.onboard("kk")
    await person.press("pl:change")
    await person.say("Кызыл-Адыр")
    await person.press("pl:yes:KG-O")  # forged: Osh oblast was not offered
    assert await place_of(database) is None


async def test_without_consent_no_place_is_kept(person, database):
    await person.onboard("ru", consent="no")
    await person.press("pl:change")
    assert (
        tr("ru", "I keep your place only with your consent to keep data (Menu → Privacy and consent).") in person.text
    )
    assert await place_of(database) is None


async def test_the_package_gives_the_region_of_departure_and_withdrawing_consent_removes_it(person, database):
    await person.onboard("ru")
    await build_package(person, origin="Шымкент")
    assert await place_of(database) == "KZ-SHY"
    await person.press("pl:show")
    assert "город Шымкент" in person.text
    await person.press("consent:no")
    assert await place_of(database) is None


async def test_a_place_chosen_is_not_replaced_by_the_package(person, database):
    await person.onboard("kk")
    await choose_place(person, "Павлодар", "KZ-PAV")
    assert await place_of(database) == "KZ-PAV"
    await build_package(person, origin="Шымкент")
    assert await place_of(database) == "KZ-PAV"


async def test_forget_deletes_the_person_with_their_place(person, database):
    await person.onboard("ky")
    await choose_place(person, "Kyzyl-Adyr", KYZYL_ADYR)
    await person.press("forget:yes")  # without the question: stale, nothing deleted
    await person.say("/forget")
    await person.press("forget:yes")
    async with database.transaction() as session:
        assert await session.scalar(select(Contact)) is None


@pytest.mark.parametrize(
    ("path", "lives_in"),
    [("in_migrant_standard", "KZ-TUR"), ("in_migrant_moved", "KZ-SEV"), ("kandas_abroad", None)],
)
async def test_the_pre_check_gives_the_region_the_person_lives_in(person, database, path, lives_in):
    """Before the move the region of departure, after it the new one; abroad, none."""
    await person.onboard("ru")
    await run(person, PATHS[path][0])
    await person.press("elig:go")  # the summary confirmed: the result is kept
    assert await place_of(database) == lives_in


async def test_the_start_of_a_name_offers_the_places_it_may_mean(person, database):
    await person.onboard("ky")
    await person.press("pl:change")
    await person.say("Кызыл")
    assert tr("ky", "Did you mean one of these?") in person.text
    assert {"pl:pick:KZ-KZY", f"pl:pick:{KYZYL_ADYR}"} <= set(person.button_ids)
    await person.say("Кызыл-Адыр, Талас")  # typed again, with the oblast: one clear place
    await person.press(f"pl:yes:{KYZYL_ADYR}")
    assert await place_of(database) == KYZYL_ADYR


async def test_the_question_comes_again_in_the_new_language_after_lang(person, database):
    await person.onboard("ru")
    await person.press("pl:change")
    await person.say("/lang")
    await person.press("lang:ky")
    assert tr("ky", ASK) in person.text
    await choose_place(person, "Кызыл-Адыр", KYZYL_ADYR)
    assert await place_of(database) == KYZYL_ADYR
