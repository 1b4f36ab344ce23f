"""Typed questions in the chat, through the engine, on SQLite and PostgreSQL: the answer with its source and
buttons, the honest "I do not know", a person to ask, the question typed in the middle of a flow, feedback, and
what editors see."""

import pytest
from sqlalchemy import select

from bot.faq import gaps
from bot.faq.library import contacts
from bot.i18n import texts
from bot.storage.models import Contact, FaqGap
from handlers.faq import FaqButton
from tests.people import Person, main_menu_ids
from tests.test_whatsapp_render import problems

DONT_KNOW = "I do not know the answer to this yet. I have noted the question for the editors."


async def kept_gaps(engine) -> list[FaqGap]:
    async with engine.database.transaction() as session:
        return list((await session.execute(select(FaqGap).order_by(FaqGap.id))).scalars())


async def set_kind(engine, person: Person, kind: str) -> None:
    async with engine.database.transaction() as session:
        contact = (await session.execute(select(Contact).where(Contact.external_id == person.user_id))).scalar_one()
        contact.kind = kind


async def test_a_typed_question_gets_the_answer_its_source_feedback_and_other_questions(person):
    await person.onboard("ru")
    replies = await person.say("какие документы нужны для квоты?")
    answer, menu = replies
    assert "Удостоверения личности ваши и членов семьи" in answer.text
    assert "Источник: Приказ № 20" in answer.text and "Это помогло?" in answer.text
    ids = [button.id for button in answer.all_buttons()]
    assert ids[:2] == ["faq:yes:documents_needed", "faq:no:documents_needed"]
    assert "pkg" in ids  # the answer leads into the package, where the documents checklist is
    assert 1 <= sum(button_id.startswith("faq:show:") for button_id in ids) <= 3
    assert [button.id for button in menu.all_buttons()] == main_menu_ids()


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("kk", "сколько денег дают на переезд", "Көшуге арналған біржолғы субсидия"),
        ("ky", "көшуге қанша ақша береді", "Көчүүгө бир жолку субсидия"),
        ("ru", "kochuuge kancha aksha berishet", "Единовременная субсидия на переезд"),
    ],
)
async def test_the_answer_comes_in_the_persons_language_whatever_they_typed_in(person, language, typed, expected):
    await person.onboard(language)
    await person.say(typed)
    assert expected in person.last[0].text
    assert "302\u00a0750" in person.last[0].text  # 70 MCI in tenge for 2026, from the operator's MCI file


@pytest.mark.parametrize(
    ("language", "typed", "honest"),
    [
        ("ru", "какая погода будет завтра", "пока не знаю ответа"),
        ("kk", "сәлем", "әзірге білмеймін"),
        ("ky", "сен келесоосуң", "азырынча билбейм"),
    ],
)
async def test_off_topic_gets_an_honest_i_do_not_know_with_the_menu_and_is_noted_for_editors(
    engine, person, language, typed, honest
):
    await person.onboard(language)
    replies = await person.say(typed)
    assert honest in replies[0].text
    assert not [button for button in replies[0].all_buttons() if button.id.startswith("faq:yes")]
    assert [button.id for button in replies[-1].all_buttons()] == main_menu_ids()
    [gap] = await kept_gaps(engine)
    assert (gap.kind, gap.answer_id, gap.language) == ("unanswered", None, language)


async def test_i_do_not_know_names_a_person_to_ask_where_there_is_one(engine, person):
    await person.onboard("ru")
    await person.say("какая погода будет завтра")
    assert "спросить и у человека" not in person.text  # who they are is not known: no one to name
    for kind in ("relocant", "returnee", "labour_migrant"):
        await set_kind(engine, person, kind)
        await person.say("какая погода будет завтра")
        assert contacts().contacts[kind].text("ru") in person.text


@pytest.mark.parametrize(
    ("language", "opening", "typed", "expected"),
    [
        ("ru", ["pkg"], "а сколько дают денег на переезд?", "Единовременная субсидия на переезд"),
        ("ru", ["pkg", "pkg:track:in_migrant"], "сколько денег дают на переезд?", "Единовременная субсидия"),
        ("kk", ["elig"], "квотаға қандай құжаттар керек?", "Сіздің және отбасы мүшелеріңіздің жеке басын"),
    ],
)
async def test_a_question_in_the_middle_of_a_flow_is_answered_then_the_flow_asks_again(
    person, language, opening, typed, expected
):
    await person.onboard(language)
    for button_id in opening:
        asked = await person.press(button_id)
    replies = await person.say(typed)
    assert expected in replies[0].text
    assert replies[-1].text == asked[-1].text
    assert [button.id for button in replies[-1].all_buttons()] == [button.id for button in asked[-1].all_buttons()]


async def test_after_the_answer_the_flow_goes_on_where_it_was(person):
    await person.onboard("ru")
    await person.press("pkg")
    await person.say("а сколько дают денег на переезд?")
    await person.press("pkg:track:in_migrant")
    assert "Из какого региона" in person.text


async def test_a_wrong_answer_that_is_no_question_still_gets_the_flows_own_note(person):
    await person.onboard("kk")
    await person.press("elig")
    await person.say("бірдеңе")
    assert texts("kk").gettext("Please choose one of the answers below.") in person.text
    assert texts("kk").gettext(DONT_KNOW) not in person.text


async def test_feedback_no_is_counted_with_the_question_and_yes_thanks(engine, person):
    await person.onboard("kk")
    await person.say("Меня зовут Айгерим, 8 701 555 44 33, квотаға қандай құжаттар керек")
    await person.press("faq:no:documents_needed")
    assert "редакторлар бұл жауаптың көмектеспегенін көреді" in person.text
    await person.press("faq:yes:documents_needed")
    assert "Көмектескеніне қуаныштымын" in person.text
    [gap] = await kept_gaps(engine)
    assert (gap.kind, gap.answer_id) == ("unhelpful", "documents_needed")
    assert gap.text == "зовут квотаға қандай құжаттар керек"
    async with engine.database.transaction() as session:
        listed = await gaps.gaps(session)
    assert [(item.kind, item.count) for item in listed] == [("unhelpful", 1)]


async def test_an_other_question_button_shows_that_answer(person):
    await person.onboard("ky")
    await person.say("квотага кандай документтер керек")
    other = next(button for button in person.last[0].all_buttons() if button.id.startswith("faq:show:"))
    await person.press(other.id)
    assert other.label in person.last[0].text and "Булагы:" in person.last[0].text


@pytest.mark.parametrize("button_id", ["faq:show:no_such_answer", "faq:maybe:documents_needed", "faq", "faq:yes:"])
async def test_stale_or_forged_buttons_get_the_out_of_date_answer(person, button_id):
    await person.onboard("ru")
    await person.press(button_id)
    assert "Эта кнопка устарела" in person.text


def test_button_ids_are_built_and_read_in_one_place():
    button = FaqButton("show", "r.kandas.second_application.after_arrival")
    assert FaqButton.parse(button.id.removeprefix("faq:")) == button
    assert len(button.id.encode()) <= 64 and button.id.isascii()


@pytest.mark.parametrize("language", ["kk", "ru", "ky"])
async def test_answers_fit_whatsapp(engine, language):
    person = Person(engine, "whatsapp", f"7701555000{language}")
    await person.onboard(language)
    for typed in ("какие документы нужны для квоты", "Россияга кетсем патент керекпи", "погода", "квота"):
        replies = await person.say(typed)
        assert [problem for reply in replies for problem in problems(reply, language)] == []


@pytest.mark.parametrize("language", ["kk", "ru", "ky"])
@pytest.mark.parametrize("typed", ["what is this?", "x" * 100_000])
async def test_unknown_text_is_taken_as_a_question_and_answered_honestly_with_the_menu(person, language, typed):
    await person.onboard(language)
    await person.say(typed)
    assert person.text.startswith(texts(language).gettext(DONT_KNOW))
    assert person.button_ids == main_menu_ids()


@pytest.mark.parametrize("typed", ["😀🙏🏽🇰🇿", "/", "?!", "/frobnicate какие документы"])
async def test_no_words_or_a_command_is_no_question(engine, person, typed):
    await person.onboard("ru")
    await person.say(typed)
    assert texts("ru").gettext(DONT_KNOW) not in person.text
    assert await kept_gaps(engine) == []
