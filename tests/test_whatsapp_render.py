"""Replies rendered for WhatsApp keep to its limits: the rules on made-up replies, then every reply of the real
conversations, in each language, walked button by button (so a new feature's long label is caught here)."""

import pytest

from bot.channels.whatsapp_render import (
    BODY_LIMIT,
    BUTTON_TITLE_LIMIT,
    LIST_BUTTON_LIMIT,
    MAX_LIST_ROWS,
    MAX_REPLY_BUTTONS,
    ROW_DESCRIPTION_LIMIT,
    ROW_TITLE_LIMIT,
    TEXT_LIMIT,
    ButtonsMessage,
    DocumentMessage,
    ListMessage,
    Row,
    TextMessage,
    render,
    shortened,
)
from bot.conversation import Button, Document, Reply
from bot.i18n import USER_LANGUAGES, texts
from tests.people import Person

T = texts("ru")


def buttons(count: int, label: str = "Вариант {n}", short: str | None = None) -> list[list[Button]]:
    return [[Button(f"b:{n}", label.format(n=n), short.format(n=n) if short else None)] for n in range(1, count + 1)]


def test_up_to_three_choices_are_reply_buttons():
    [message] = render(Reply("Выберите", buttons(3)), T)
    assert message == ButtonsMessage("Выберите", (("b:1", "Вариант 1"), ("b:2", "Вариант 2"), ("b:3", "Вариант 3")))


def test_a_label_too_long_for_a_button_uses_its_short_label():
    reply = Reply("?", buttons(2, "Конфиденциальность и согласие {n}", "Приватность {n}"))
    [message] = render(reply, T)
    assert message.buttons == (("b:1", "Приватность 1"), ("b:2", "Приватность 2"))


def test_a_label_without_a_short_form_that_fits_goes_to_a_list_row_whole():
    reply = Reply("?", buttons(2, "Очень длинная кнопка {n}"))  # 23 characters: too long for a button, fits a row
    [message] = render(reply, T)
    assert isinstance(message, ListMessage)
    assert message.rows[0] == Row("b:1", "Очень длинная кнопка 1")


def test_four_to_ten_choices_are_one_list():
    reply = Reply("Меню", buttons(10, "Очень подробное название пункта {n}", "Пункт {n}"))
    [message] = render(reply, T)
    assert message.button == "Выбрать"
    assert len(message.rows) == 10
    assert message.rows[9] == Row("b:10", "Пункт 10", "Очень подробное название пункта 10")


def test_more_than_ten_choices_follow_as_further_pages():
    pages = render(Reply("Меню", buttons(23)), T)
    assert [len(page.rows) for page in pages] == [10, 10, 3]
    assert [page.body for page in pages] == ["Меню", "Ещё варианты (2 из 3)", "Ещё варианты (3 из 3)"]
    assert [row.id for page in pages for row in page.rows] == [f"b:{n}" for n in range(1, 24)]


def test_a_label_with_no_short_form_is_cut_at_a_word_as_a_last_resort():
    label = "Самый длинный пункт меню без короткой формы"
    [message] = render(Reply("?", [[Button("x", label)]] * 4), T)
    assert message.rows[0] == Row("x", "Самый длинный пункт…", label)
    assert shortened("Одно", 24) == "Одно"
    assert len(shortened("Н" * 100, 72)) == 72


def test_long_texts_are_split_and_the_choices_get_a_body_within_the_interactive_limit():
    text = "\n\n".join(["Абзац " * 100] * 12)  # about 7 200 characters
    messages = render(Reply(text, buttons(2)), T)
    assert all(isinstance(message, TextMessage) for message in messages[:-1])
    assert all(len(message.body) <= TEXT_LIMIT for message in messages)
    assert len(messages[-1].body) <= BODY_LIMIT
    assert " ".join(" ".join(message.body.split()) for message in messages) == " ".join(text.split())


def test_choices_without_a_text_get_a_body():
    [message] = render(Reply("", buttons(1)), T)
    assert message.body == "Выбрать"


def test_a_document_comes_first_and_an_oversized_caption_follows_as_text():
    document = Document("package.pdf", "package.pdf", {}, "Подпись " * 200)
    first, *rest = render(Reply("Готово", document=document), T)
    assert first == DocumentMessage(document, None)
    assert "".join(message.body for message in rest).startswith("Подпись")
    assert rest[-1] == TextMessage("Готово")


def problems(reply: Reply, language: str) -> list[str]:
    """Every way a reply, rendered for WhatsApp, breaks its limits or cuts a label blindly."""
    found: list[str] = []
    titles: dict[str, tuple[str, int]] = {}
    for message in render(reply, texts(language)):
        if isinstance(message, TextMessage) and len(message.body) > TEXT_LIMIT:
            found.append(f"text of {len(message.body)} characters")
        if isinstance(message, ButtonsMessage):
            found += [f"{len(message.buttons)} buttons"] * (len(message.buttons) > MAX_REPLY_BUTTONS)
            titles.update((button_id, (title, BUTTON_TITLE_LIMIT)) for button_id, title in message.buttons)
        if isinstance(message, ListMessage):
            found += [f"{len(message.rows)} rows"] * (len(message.rows) > MAX_LIST_ROWS)
            found += [f"list button {message.button!r}"] * (len(message.button) > LIST_BUTTON_LIMIT)
            titles.update((row.id, (row.title, ROW_TITLE_LIMIT)) for row in message.rows)
            found += [
                f"description {row.description!r}"
                for row in message.rows
                if row.description and len(row.description) > ROW_DESCRIPTION_LIMIT
            ]
        if isinstance(message, ButtonsMessage | ListMessage) and len(message.body) > BODY_LIMIT:
            found.append(f"body of {len(message.body)} characters")
    for button in reply.all_buttons():
        title, limit = titles[button.id]
        if title not in (button.label, button.short_label) or len(title) > limit:
            found.append(f"{language}: {button.id} {button.label!r} has no short label of at most {limit} characters")
    return found


COMMANDS = ["/start", "/menu", "/help", "/mydata", "/lang", "/forget", "/stop", "hello", None]


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_every_button_of_the_real_conversations_fits_whatsapp(engine, language):
    person = Person(engine, "whatsapp", f"77010000{USER_LANGUAGES.index(language)}")
    replies = await person.say("/start")
    replies += await person.press(f"lang:{language}")
    for command in COMMANDS:
        replies += await person.say(command)
    replies += await person.press("consent:yes")
    pressed: set[str] = set()
    waiting = [button.id for reply in replies for button in reply.all_buttons()]
    while waiting and len(pressed) < 200:
        button_id = waiting.pop(0)
        other_language = button_id.startswith("lang:") and button_id != f"lang:{language}"
        if button_id in pressed or other_language or button_id == "forget:yes":
            continue
        pressed.add(button_id)
        answer = await person.press(button_id)
        replies += answer
        waiting += [button.id for reply in answer for button in reply.all_buttons()]
    assert len(pressed) > 5
    assert [problem for reply in replies for problem in problems(reply, language)] == []


def test_the_walk_catches_a_long_label_without_a_short_form():
    reply = Reply("?", [[Button("x", "Кнопка с очень длинной надписью без короткой")]])
    assert problems(reply, "ru") == [
        "ru: x 'Кнопка с очень длинной надписью без короткой' has no short label of at most 24 characters"
    ]
