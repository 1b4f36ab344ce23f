"""Keeping a person's place: a flow registers how to ask its current question again (`Router.reask`), and
`/lang` in the middle of the pre-check or the package shows that question again in the new language."""

import pytest

from bot.i18n import texts
from bot.router import Router

# The engine's clock (tests/conftest.py) says it is 1 March 2026: the year of the quota the answers assume.


def tr(language: str, message: str) -> str:
    return texts(language).gettext(message)


def test_reask_is_registered_once_and_merged():
    first, second = Router(), Router()

    @first.reask("flow")
    async def again(ctx):
        return None

    root = Router()
    root.include(first)
    assert root.reasks == {"flow": again}
    second.reask("flow")(again)
    with pytest.raises(ValueError):
        root.include(second)


@pytest.mark.parametrize("switch", ["/lang ky", "picker"])
async def test_lang_in_the_pre_check_asks_the_same_question_in_the_new_language(person, switch):
    await person.onboard("ru")
    await person.press("elig")
    await person.press("elig:a:foreign")
    asked = person.button_ids
    assert tr("ru", "Are you an ethnic Kazakh (of Kazakh nationality)?") in person.text
    if switch == "picker":
        await person.say("/lang")
        await person.say("что-то не то")  # a wrong answer to the picker keeps the place too
        await person.press("lang:ky")
    else:
        await person.say(switch)
    assert tr("ky", "Are you an ethnic Kazakh (of Kazakh nationality)?") in person.text
    assert person.button_ids == asked
    await person.press("elig:a:kazakh")  # the answers so far are kept: the next question follows
    assert tr("ky", "Where do you live now?") in person.text
    await person.press("elig:back")
    await person.press("elig:back")
    assert tr("ky", "What is your citizenship?") in person.text


async def test_lang_on_the_pre_check_summary_and_result_shows_them_again(person):
    await person.onboard("kk")
    await person.press("elig")
    for value in ("foreign", "other"):
        await person.press(f"elig:a:{value}")
    assert "elig:go" in person.button_ids
    await person.say("/lang ru")
    assert tr("ru", "Your answers:") in person.text and "elig:go" in person.button_ids
    await person.press("elig:go")
    await person.say("/lang ky")
    assert "elig:restart" in person.button_ids and tr("ky", "Why:") in person.text


async def test_lang_in_the_package_questions_and_reading(person):
    await person.onboard("kk")
    await person.press("pkg")
    await person.press("pkg:track:in_migrant")
    await person.say("/lang ru")
    assert tr("ru", "Which region are you moving from? Choose or type its name.") in person.text
    await person.press("pkg:orig:turkistan")
    await person.say("/lang ky")
    assert "pkg:dest:pavlodar" in person.button_ids
    await person.press("pkg:dest:pavlodar")
    await person.say("/lang kk")
    assert "pkg:hh:done" in person.button_ids
    await person.press("pkg:hh:done")
    await person.press("pkg:sec:1")
    await person.say("/lang ru")
    assert person.last[-1].text.startswith("2/") and "pkg:toc" in person.button_ids


async def test_lang_outside_a_flow_shows_the_menu(person):
    await person.onboard("kk")
    await person.say("/lang ru")
    assert tr("ru", "Main menu. Choose what you need:") in person.text
    await person.say("/lang")
    await person.press("lang:ky")
    assert tr("ky", "Main menu. Choose what you need:") in person.text
