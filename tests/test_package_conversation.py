"""The package in conversation, on the real content: questions, reading section by section, resuming
after a restart, the PDF as a document, and the checklist kept across restarts."""

import datetime as dt
import re
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from bot.delivery import documents
from bot.engine import Engine
from bot.i18n import USER_LANGUAGES, texts
from bot.package.library import Profile, assemble
from bot.storage.database import Database
from bot.storage.models import ChecklistTick, PackageProfile
from handlers import build_router
from tests.people import Person

DAY = dt.date(2026, 3, 1)  # the day of the engine's clock in tests/conftest.py


def tr(language: str, message: str) -> str:
    return texts(language).gettext(message)


async def build_package(person: Person, track="in_migrant", origin="Шымкент", destination="pkg:dest:pavlodar"):
    await person.press("pkg")
    await person.press(f"pkg:track:{track}")
    if track != "abroad":
        await person.say(origin)
        await person.press(destination)
    await person.press("pkg:hh:children")
    return await person.press("pkg:hh:done")


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_questions_then_contents_in_each_language(person, language):
    await person.onboard(language)
    await person.press("pkg")
    assert person.button_ids == ["pkg:track:in_migrant", "pkg:track:kandas", "pkg:track:abroad", "pkg:back"]
    await person.press("pkg:track:in_migrant")
    assert "pkg:orig:turkistan" in person.button_ids
    await person.say("Түркістан облысы")  # typed, matched fuzzily
    assert "pkg:dest:north_kazakhstan" in person.button_ids  # regions receiving in-migrants this year
    assert "pkg:dest:akmola" not in person.button_ids  # Akmola takes kandases only in 2026
    await person.press("pkg:dest:north_kazakhstan")
    await person.press("pkg:hh:woman_alone")
    assert person.last[0].buttons[2][0].label.startswith("✅ ")
    await person.press("pkg:hh:done")
    sections = assemble(Profile("in_migrant", "turkistan", "north_kazakhstan", frozenset({"woman_alone"})), today=DAY)
    assert person.button_ids[: len(sections)] == [f"pkg:sec:{n}" for n in range(len(sections))]
    assert tr(language, "Your pre-departure package") in person.text
    assert "Солтүстік" in person.text or "Северо" in person.text or "Түндүк" in person.text


async def test_reading_next_and_back_with_sources(person):
    await person.onboard("ru")
    await build_package(person)
    await person.press("pkg:sec:0")
    assert person.text.startswith("1/")
    assert "Источники:" in person.text
    assert person.button_ids[:2] == ["pkg:toc", "pkg:sec:1"]
    await person.press("pkg:sec:1")
    assert person.button_ids[:3] == ["pkg:sec:0", "pkg:toc", "pkg:sec:2"]


async def test_ambiguous_and_unknown_region_names_are_asked_again(person):
    await person.onboard("kk")
    await person.press("pkg")
    await person.press("pkg:track:in_migrant")
    await person.say("Алматы")
    assert person.button_ids == ["pkg:orig:almaty_region", "pkg:orig:almaty_city", "pkg:back"]
    await person.say("Атлантида")
    assert person.text == tr(
        "kk", "I could not find a region by that name. Please type it again, for example “Pavlodar”."
    )
    await person.press("pkg:orig:almaty_city")
    assert any(button.startswith("pkg:dest:") for button in person.button_ids)


async def test_reading_resumes_where_it_stopped_after_a_restart(database_url, database):
    person = Person(Engine(database, build_router()), "telegram", "501")
    await person.onboard("ky")
    await build_package(person)
    await person.press("pkg:sec:2")
    await person.say("/menu")
    await database.dispose()

    restarted = Database(database_url)
    try:
        again = Person(Engine(restarted, build_router()), "telegram", "501")
        await again.press("pkg")
        assert again.button_ids[0] == "pkg:sec:2"
        assert again.last[0].buttons[0][0].label == tr("ky", "Continue reading")
        await again.press("pkg:sec:2")
        assert again.text.startswith("3/")
    finally:
        await restarted.dispose()


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_the_pdf_is_sent_as_a_document(person, language):
    await person.onboard(language)
    await build_package(person)
    await person.press("pkg:pdf")
    [reply] = person.last
    assert reply.document.filename == f"joldas-package-in_migrant-pavlodar-{language}.pdf"
    # A reference in the outbox: the sender builds the PDF when it sends it, off the event loop.
    content = await documents.build(reply.document)
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    assert tr(language, "Your pre-departure package") in text
    for section in assemble(Profile("in_migrant", "shymkent", "pavlodar", frozenset({"children"})), today=DAY):
        assert section.title(language) in text


async def test_checklist_ticks_survive_a_restart(database_url, database):
    person = Person(Engine(database, build_router()), "console", "ck")
    await person.onboard("ru")
    await build_package(person, track="abroad")
    await person.press("pkg:ck")
    items = [button for button in person.button_ids if button.startswith("pkg:tick:")]
    assert items
    await person.press(items[0])
    assert person.last[0].buttons[0][0].label.startswith("✅")
    await database.dispose()

    restarted = Database(database_url)
    try:
        again = Person(Engine(restarted, build_router()), "console", "ck")
        await again.press("pkg:ck")
        assert again.last[0].buttons[0][0].label.startswith("✅")
        assert f"Готово документов: 1/{len(items)}" in again.text
        await again.press(items[0])  # untick
        assert again.last[0].buttons[0][0].label.startswith("⬜")
    finally:
        await restarted.dispose()


async def test_without_consent_the_package_is_readable_and_nothing_is_kept(person, database):
    await person.onboard("kk", consent="no")
    await build_package(person, track="abroad")
    await person.press("pkg:ck")
    items = [button for button in person.button_ids if button.startswith("pkg:tick:")]
    await person.press(items[0])
    assert (
        tr("kk", "Ticks are kept only with your consent to keep data (Privacy and consent in the menu).") in person.text
    )
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(PackageProfile)) == 0
        assert await session.scalar(select(func.count()).select_from(ChecklistTick)) == 0


async def test_withdrawing_consent_deletes_the_package_profile_and_ticks(person, database):
    await person.onboard("ru")
    await build_package(person, track="abroad")
    await person.press("pkg:ck")
    await person.press(next(button for button in person.button_ids if button.startswith("pkg:tick:")))
    await person.press("consent:no")
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(PackageProfile)) == 0
        assert await session.scalar(select(func.count()).select_from(ChecklistTick)) == 0


@pytest.mark.parametrize("stale", ["pkg:sec:999", "pkg:tick:nothing", "pkg:dest:atlantis", "pkg:orig:", "pkg:zzz"])
async def test_stale_and_forged_package_buttons_are_answered(person, stale):
    await person.onboard("ru")
    await build_package(person)
    await person.press(stale)
    assert person.text == tr("ru", "That button is out of date. Here is the current menu.")


async def test_mydata_shows_who_and_where_the_package_says(person):
    await person.onboard("ru")
    await build_package(person)
    await person.say("/mydata")
    assert "Кто вы: переселенец по региональной квоте" in person.text
    assert "Регион: город Шымкент, Казахстан" in person.text  # no raw codes
    assert "Пакет перед переездом: " in person.text and "Павлодарская область" in person.text
    assert "Отмечено документов в списке: 0" in person.text


async def test_mydata_shows_ticks_and_kept_pre_checks(person):
    await person.onboard("ru")
    await build_package(person)
    await person.press("pkg:ck")
    await person.press(next(button for button in person.button_ids if button.startswith("pkg:tick:")))
    await person.press("elig")
    for value in ("foreign", "other"):
        await person.press(f"elig:a:{value}")
    await person.press("elig:go")
    await person.say("/mydata")
    assert "Отмечено документов в списке: 1" in person.text
    assert "Сохранена 1 предварительная проверка права на квоту:" in person.text
    assert tr("ru", "Another procedure applies") in person.text and "(2026.01)" in person.text


async def test_mydata_after_declining_says_notices_are_off(person):
    await person.onboard("ru", consent="no")
    await person.say("/mydata")
    assert "Уведомления: " + tr("ru", "off") in person.text
    assert "Пакет перед переездом" not in person.text


async def test_the_eligibility_result_opens_the_package_for_that_move(person):
    await person.onboard("kk")
    await person.press("pkg:for:kandas:abroad:akmola")
    assert person.button_ids[-2:] == ["pkg:hh:done", "pkg:back"]
    await person.press("pkg:hh:done")
    assert "Ақмола облысы" in person.text
    await person.press("pkg:for:kandas:abroad:atlantis")
    assert person.text == tr("kk", "That button is out of date. Here is the current menu.")


async def test_back_on_every_question_of_the_package(person):
    await person.onboard("ru")
    await person.press("pkg")
    await person.press("pkg:track:in_migrant")
    await person.press("pkg:orig:turkistan")
    await person.press("pkg:dest:pavlodar")
    await person.press("pkg:hh:children")
    for expected in (
        "Which region are you moving to? These regions receive people of your category in {year}; "
        "you may also type another region's name.",
        "Which region are you moving from? Choose or type its name.",
        "Let us put together your pre-departure package. Who are you?",
        "Main menu. Choose what you need:",
    ):
        assert "pkg:back" in person.button_ids
        await person.press("pkg:back")
        assert tr("ru", expected).format(year=2026) in person.text
    await person.press("pkg")
    await person.press("pkg:track:abroad")
    assert "pkg:dest:ru" in person.button_ids
    await person.say("Назад")  # typed, in any language
    assert tr("ru", "Let us put together your pre-departure package. Who are you?") in person.text


@pytest.mark.parametrize(
    ("language", "typed_in", "label"),
    [("kk", "ru", "I am going abroad to work"), ("ru", "ky", "Work abroad"), ("ky", "en", "I am going abroad to work")],
)
async def test_typed_labels_work_as_their_buttons_in_any_language(person, language, typed_in, label):
    await person.onboard(language)
    await person.say(tr("kk", "Pre-departure package"))  # a menu label typed in another language than the chat's
    assert "pkg:track:abroad" in person.button_ids
    await person.say(label if typed_in == "en" else tr(typed_in, label))
    assert "pkg:dest:ru" in person.button_ids
    for country in ("Өзбекстан", "Узбекистан", "Uzbekistan"):
        await person.say(country)
        assert "pkg:hh:done" in person.button_ids, country
        await person.press("pkg:back")
    await person.say("Ресей")
    await person.say(tr("ky", "We have children"))
    await person.say(tr("ru", "Done"))
    assert tr(language, "Your pre-departure package") in person.text


async def test_going_abroad_asks_the_country_and_shows_what_applies(person):
    await person.onboard("ru")
    await person.press("pkg")
    await person.press("pkg:track:abroad")
    assert person.button_ids == ["pkg:dest:ru", "pkg:dest:kz", "pkg:dest:tr", "pkg:dest:other", "pkg:back"]
    await person.press("pkg:dest:tr")
    assert [button for button in person.button_ids if button.startswith("pkg:hh:")] == [
        "pkg:hh:children",
        "pkg:hh:single_parent",
        "pkg:hh:done",
    ]
    await person.press("pkg:hh:done")
    assert "Куда: Турция" in person.text
    await person.press("pkg:sec:0")
    assert "30 000" in person.text and "метро" not in person.text  # Turkey's figure; Russia's metro checks are not
    assert "Турция: в источниках этого пакета нет правил въезда" in person.text
    await person.press("pkg:ck")
    checklist = person.text
    assert "Паспорт" in checklist and "Деньги на дорогу" not in checklist  # the checklist holds documents only
    assert "Документы ваших детей" not in checklist  # no children: not their papers
    await person.press("pkg:pdf")
    assert person.last[0].document.filename == "joldas-package-abroad-tr-ru.pdf"


def test_the_household_changes_the_abroad_package():
    day = dt.date(2026, 3, 1)
    alone = assemble(Profile("abroad", None, "ru", frozenset()), today=day)
    with_children = assemble(Profile("abroad", None, "ru", frozenset({"children"})), today=day)
    texts_of = [
        [item.id or item.text("ru") for section in package for item in section.items]
        for package in (alone, with_children)
    ]
    assert set(texts_of[0]) < set(texts_of[1])
    assert "children_documents" in texts_of[1]


async def test_chat_citations_carry_no_line_numbers(person):
    await person.onboard("kk")
    await build_package(person)
    for number in range(3):
        await person.press(f"pkg:sec:{number}")
        assert not re.search(r"\bL\d", person.text), person.text[-200:]
