"""The pre-check as people have it: through the engine, each path, back and start over, bad input, every
outcome in each language, and what is stored (only with consent, deleted by /forget)."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from bot.eligibility.render import OUTCOMES
from bot.i18n import USER_LANGUAGES, texts
from bot.storage.models import EligibilityResult
from handlers import eligibility

# The engine's clock (tests/conftest.py) says it is 1 March 2026 in Almaty: the year of the quota the answers
# assume, and the day months are counted to.


def tr(language: str, message: str) -> str:
    return texts(language).gettext(message)


async def run(person, steps: list[str]) -> None:
    """Presses `elig:a:<value>` for plain values, sends `"text` as typed text, presses `!id` as a button id."""
    await person.press("elig")
    for step in steps:
        if step.startswith('"'):
            await person.say(step[1:])
        elif step.startswith("!"):
            await person.press(step[1:])
        else:
            assert f"elig:a:{step}" in person.button_ids, (step, person.text)
            await person.press(f"elig:a:{step}")


async def stored(database) -> list[EligibilityResult]:
    async with database.transaction() as session:
        return (await session.scalars(select(EligibilityResult))).all()


KANDAS_IN_COUNTRY = ["foreign", "kazakh", "in_kz", "yes", "no", "pavlodar", "1", "spouse", "foreign", "yes", "no", "no"]
PATHS = {
    "kandas_in_country": (KANDAS_IN_COUNTRY, "eligible"),
    "kandas_abroad": (["stateless", "kazakh", "abroad", "no", "abai", "0", "yes", "no", "no"], "eligible"),
    "kandas_second_application": (
        ["foreign", "kazakh", "in_kz", "yes", "yes", "akmola", "0", "yes", "no", "no"],
        "eligible",
    ),
    "in_migrant_standard": (
        ["kz", "in_kz", "no", "no", '"Туркестан', "yes", '"01.09.2025', "pavlodar", "job_seeker", "yes", "0"]
        + ["yes", "no", "no"],
        "not_yet",
    ),
    "in_migrant_moved": (
        ["kz", "in_kz", "no", "yes", '"Жамбыл облысы', '"4 месяца назад', "north_kazakhstan", "unemployed", "yes", "2"]
        + ["yes", "no", "no"],
        "eligible",
    ),
    "serpin_graduate": (
        ["kz", "in_kz", "yes", '"30.11.2025', '"Kyzylorda', "kostanay", "job_seeker", "yes", "0", "yes", "no", "no"],
        "eligible",
    ),
}


@pytest.mark.parametrize("path", PATHS)
async def test_each_path_summary_then_result(person, database, path):
    steps, outcome = PATHS[path]
    await person.onboard("ru")
    await run(person, steps)
    assert "Ваши ответы:" in person.text
    assert person.button_ids[0] == "elig:go"
    await person.press("elig:go")
    assert tr("ru", OUTCOMES[outcome]) in person.text
    assert "Почему:" in person.text
    assert len(person.last[0].text) <= eligibility.MAX_RESULT
    (result,) = await stored(database)
    assert (result.outcome, result.result["path"], result.rules_version) == (outcome, path, "2026.01")
    assert "elig:docs" in person.button_ids
    await person.press("elig:docs")
    assert "Документ, удостоверяющий личность" in person.text


async def test_the_result_then_each_reason_with_its_paragraph_under_sources(person):
    await person.onboard("kk")
    await run(person, PATHS["in_migrant_standard"][0] + ["!elig:go"])
    assert texts("kk").date(dt.date(2026, 9, 1)) in person.text  # a year after 01.09.2025
    await person.press("elig:src")
    assert "Павлодар облысы" in person.text  # the quota there, a reason that only explains
    assert "Қоныс аударушылар қағидалары, 3-тармақ" in person.text
    assert person.text.count("№ 20 бұйрық: қандастар мен қоныс аударушыларды") == 1  # the order named once
    assert not re.search(r"\bL\d", person.text)  # line numbers stay in the JSON and the PDF
    await person.press("elig:result")
    assert person.text.startswith(tr("kk", "Result: {outcome}").format(outcome=tr("kk", OUTCOMES["not_yet"])))


async def test_only_relevant_questions_are_asked(person):
    await person.onboard("ru")
    await run(person, ["foreign", "other"])  # not a kandas, not a citizen: nothing else matters
    assert "Ваши ответы:" in person.text
    await person.press("elig:go")
    assert tr("ru", OUTCOMES["other_procedure"]) in person.text


async def test_back_one_step_and_start_over(person):
    await person.onboard("ru")
    await run(person, ["kz", "in_kz"])
    assert person.text.startswith(
        tr("ru", "Are you a graduate of the Serpin project (Mangilik El Zhastary — Industriyaga)?")
    )
    await person.press("elig:back")
    assert person.text == tr("ru", "Where do you live now?")
    await person.press("elig:a:abroad")
    await person.press("elig:restart")
    assert tr("ru", "What is your citizenship?") in person.text
    assert "elig:back" not in person.button_ids


async def test_bad_typed_input_is_asked_again_politely(person):
    await person.onboard("ru")
    await run(person, ["kz", "in_kz", "no", "no", '"Туркестан', "yes"])
    for bad in ("31.02.2025", "когда-то", "01.01.2030"):
        await person.say(bad)
        assert tr(
            "ru",
            "Please send a past date like 15.03.2025, a month like 09.2025 or «September 2025», or how long "
            "ago («5 months»).",
        ) in (person.text)
    await person.say("Марс")
    assert "Марс" not in person.text
    await person.say("8")  # months as a number
    assert (
        tr("ru", "Which region are you moving to? Regions with a quota this year are below; you can also type a name.")
        in person.text
    )
    await person.say("Алматы")  # a city and a region: which one?
    assert {"elig:a:almaty_city", "elig:a:almaty_region"} <= set(person.button_ids)
    await person.say("Атлантида")
    assert tr("ru", "I could not find that region. Type its name again or choose below.") in person.text


async def test_typed_answer_to_a_choice_and_a_number(person):
    await person.onboard("ru")
    await person.press("elig")
    await person.say("Гражданин Казахстана")
    assert person.text.startswith(tr("ru", "Where do you live now?"))
    await person.say("не знаю")
    assert tr("ru", "Please choose one of the answers below.") in person.text


async def test_stale_and_forged_buttons_are_not_understood(person):
    await person.onboard("ru")
    await person.press("elig:a:kz")  # no check under way
    assert "elig:a:kz" not in person.button_ids
    await person.press("elig")
    await person.press("elig:a:martian")
    assert tr("ru", "That button is out of date. Here is the current menu.") in person.text
    await person.press("elig:go")
    assert tr("ru", "That button is out of date. Here is the current menu.") in person.text
    await person.press("elig:a:kz")  # the check kept its place
    assert tr("ru", "Where do you live now?") in person.text


async def test_without_consent_the_result_is_shown_but_not_stored(person, database):
    await person.onboard("ru", consent="no")
    await run(person, KANDAS_IN_COUNTRY + ["!elig:go"])
    assert tr("ru", OUTCOMES["eligible"]) in person.text
    assert await stored(database) == []


async def test_forget_deletes_stored_results(person, database):
    await person.onboard("ru")
    await run(person, KANDAS_IN_COUNTRY + ["!elig:go"])
    assert len(await stored(database)) == 1
    await person.say("/forget")
    await person.press("forget:yes")
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(EligibilityResult)) == 0


# Answers reaching each outcome, and a phrase of its reasons each language must show.
OUTCOME_STEPS = {
    "eligible": KANDAS_IN_COUNTRY,
    "not_yet": ["foreign", "kazakh", "in_kz", "applied", "pavlodar", "0", "yes", "no", "no"],
    "not_eligible": ["kz", "in_kz", "no", "yes", '"Жамбыл', '"9', "pavlodar", "unemployed", "yes", "0"]
    + ["yes", "no", "no"],
    "needs_more_info": ["kz", "in_kz", "no", "no", '"Туркестан', "yes", '"24', "pavlodar", "employed", "0"]
    + ["yes", "yes", "no"],
    "other_procedure": ["stateless", "other"],
}


@pytest.mark.parametrize("language", USER_LANGUAGES)
@pytest.mark.parametrize("outcome", OUTCOME_STEPS)
async def test_every_outcome_in_every_language(person, language, outcome):
    await person.onboard(language)
    await run(person, OUTCOME_STEPS[outcome] + ["!elig:go"])
    heading = tr(language, OUTCOMES[outcome])
    assert heading != OUTCOMES[outcome]
    assert person.text.startswith(tr(language, "Result: {outcome}").format(outcome=heading))
    assert tr(language, "Why:") in person.text
    assert len(person.text) <= eligibility.MAX_RESULT, len(person.text)
    assert not re.search(r"\bL\d", person.text)
    await person.press("elig:src")
    assert not re.search(r"\bL\d", person.text)


async def test_the_menu_offers_the_check(person):
    await person.onboard("ky")
    assert "elig" in person.button_ids
    await person.press("elig")
    assert tr("ky", "What is your citizenship?") in person.text


@pytest.mark.parametrize("language", USER_LANGUAGES)
@pytest.mark.parametrize("path", PATHS)
async def test_every_result_fits_a_phone_screen(person, language, path):
    await person.onboard(language)
    await run(person, PATHS[path][0] + ["!elig:go"])
    assert len(person.last[0].text) <= eligibility.MAX_RESULT, (language, path, len(person.last[0].text))
    await person.press("elig:docs")
    assert not re.search(r"\bL\d", person.text)


MOVED = ["kz", "in_kz", "no", "yes", '"Жамбыл облысы']


@pytest.mark.parametrize(
    ("typed", "last_day"),
    [
        ("02.09.2025", dt.date(2026, 3, 2)),  # the case: not 1 April
        ("сентябрь 2025", dt.date(2026, 3, 1)),  # the day unknown: counted from the 1st
        ("2025 жылдың қыркүйегі", dt.date(2026, 3, 1)),
        ("09.2025", dt.date(2026, 3, 1)),
        ("5 месяцев назад", dt.date(2026, 3, 2)),
    ],
)
async def test_the_move_is_asked_as_a_date_in_natural_words(person, typed, last_day):
    await person.onboard("ru")
    await run(person, MOVED + [f'"{typed}', "pavlodar", "unemployed", "yes", "0", "yes", "no", "no", "!elig:go"])
    assert tr("ru", OUTCOMES["eligible"]) in person.text
    assert texts("ru").date(last_day) in person.text


async def test_half_a_year_ago_has_closed_the_window(person):
    await person.onboard("ru")
    await run(person, MOVED + ['"полгода назад', "pavlodar", "unemployed", "yes", "0", "yes", "no", "no", "!elig:go"])
    assert tr("ru", OUTCOMES["not_eligible"]) in person.text


async def test_not_registered_at_the_career_centre_is_told_where_to_register(person):
    await person.onboard("ky")
    await run(person, PATHS["in_migrant_standard"][0][:9] + ["no", "0", "yes", "no", "no", "!elig:go"])
    assert tr("ky", OUTCOMES["not_yet"]) in person.text
    assert "ишке орноштуруу борбор" in person.text


async def test_a_family_member_is_asked_about_themselves(person):
    await person.onboard("kk")
    await run(person, ["foreign", "kazakh", "in_kz", "yes", "no", "pavlodar", "1", "spouse"])
    labels = [button.label for reply in person.last for button in reply.all_buttons()]
    assert tr("kk", "Has no citizenship") in labels
    assert tr("kk", "Stateless") not in labels
    assert "№1" in person.text


@pytest.mark.parametrize(
    "typed", ["Гражданин Казахстана", "Қазақстан азаматы", "Казакстан жараны", "Kazakhstan citizen"]
)
async def test_a_choice_typed_in_any_language(person, typed):
    await person.onboard("ru")
    await person.press("elig")
    await person.say(typed)
    assert person.text.startswith(tr("ru", "Where do you live now?"))


async def test_a_check_saved_while_it_asked_for_months_goes_on_with_the_date(person, database):
    """A conversation saved by the previous version, waiting for a number of months, asks for the date."""
    from bot.storage.models import ConversationState

    await person.onboard("ru")
    await person.press("elig")
    async with database.transaction() as session:
        saved = await session.scalar(select(ConversationState))
        answers = {"citizenship": "kz", "location": "in_kz", "serpin_graduate": "no", "already_moved": "yes"}
        answers |= {"departure_region": "jambyl"}
        saved.data = {"answers": answers, "history": list(answers), "asking": "months_in_reception_region"}
    await person.say("4")
    assert (
        tr(
            "ru",
            "When did you move to the new region? Send the date (01.02.2026), the month (02.2026, «February "
            "2026») or how long ago («3 months ago»).",
        )
        in person.text
    )
