"""Telegram end to end: aiogram's real client polls, or is called by webhook, against a loopback fake
of the Bot API; a scripted person talks to the bot through it."""

import asyncio
import json

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.app import build_web_app
from bot.channels.telegram import TelegramChannel
from bot.conversation import Button, Document, Reply
from tests.fake_telegram import TOKEN, FakeBotAPI
from tests.people import main_menu_ids

CHAT = 5550001
MENU = main_menu_ids()
SECRET = "s3cret-Token_1"


@pytest.fixture
async def fake_api():
    api = FakeBotAPI()
    await api.start()
    yield api
    await api.close()


@pytest.fixture
async def telegram(engine, fake_api):
    channel = TelegramChannel(engine, TOKEN, fake_api.base_url)
    yield channel
    await channel.close()


@pytest.fixture
async def polling(telegram):
    task = asyncio.create_task(telegram.run_polling(polling_timeout=1, handle_signals=False))
    yield telegram
    await telegram.dispatcher.stop_polling()
    await asyncio.wait_for(task, 10)


class ScriptedPerson:
    def __init__(self, api: FakeBotAPI):
        self.api = api

    async def say(self, text: str, at_least: int = 1):
        return await self._send(self.api.message_update(CHAT, text), at_least)

    async def press(self, data: str, at_least: int = 1):
        return await self._send(self.api.callback_update(CHAT, data), at_least)

    async def _send(self, update: dict, at_least: int):
        start = len(self.api.calls)
        await self.api.push(update)
        return await self.api.sent_after(start, at_least)


async def test_a_whole_conversation_over_long_polling(polling, fake_api):
    person = ScriptedPerson(fake_api)

    [picker] = await person.say("/start")
    assert picker.button_ids == ["lang:kk", "lang:ru", "lang:ky"]  # language_code "kk" preselected
    assert picker.params["chat_id"] == str(CHAT)

    sent = await person.press("lang:kk", at_least=2)
    assert sent[0].text == "Тіл: Қазақша"
    assert sent[-1].button_ids == ["consent:yes", "consent:no"]
    assert any(call.method == "answerCallbackQuery" for call in fake_api.calls)

    [menu] = await person.press("consent:yes")
    assert menu.button_ids == MENU
    labels = {
        button["callback_data"]: button["text"]
        for row in menu.params["reply_markup"]["inline_keyboard"]
        for button in row
    }
    assert labels["lang"] == "Тілді өзгерту"

    [picker] = await person.say("/lang")
    sent = await person.press("lang:ru", at_least=2)
    assert sent[-1].text == "Главное меню. Выберите, что вам нужно:"

    [my_data] = await person.say("/mydata")
    assert f"telegram, {CHAT}" in my_data.text
    assert "Язык: Русский" in my_data.text

    [question] = await person.say("/forget")
    assert question.button_ids == ["forget:yes", "forget:no"]
    [done] = await person.press("forget:yes")
    assert done.text.startswith("Готово")

    [picker] = await person.say("/start")
    assert picker.button_ids[0] == "lang:kk"  # a stranger again


async def test_group_messages_are_ignored(polling, fake_api):
    update = fake_api.message_update(-100200, "/start")
    update["message"]["chat"]["type"] = "supergroup"
    start = len(fake_api.calls)
    await fake_api.push(update)
    await fake_api.push(fake_api.message_update(CHAT, "/start"))
    sent = await fake_api.sent_after(start)
    assert [call.params["chat_id"] for call in sent] == [str(CHAT)]


async def test_long_texts_are_split_and_the_keyboard_goes_last(telegram, fake_api):
    paragraph = "Сөз " * 300
    reply = Reply(text="\n\n".join([paragraph] * 5), buttons=[[Button("menu", "Мәзір")]])
    await telegram.send(CHAT, [reply])
    sent = [call for call in fake_api.calls if call.method == "sendMessage"]
    assert len(sent) == 2
    assert all(len(call.text) <= 4096 for call in sent)
    assert [call.button_ids for call in sent] == [[], ["menu"]]


async def test_documents_are_sent_as_files(telegram, fake_api):
    await telegram.send(
        CHAT, [Reply(text="Сіздің пакетіңіз", document=Document("package.pdf", b"%PDF-1.4 test", "Пакет"))]
    )
    document, message = fake_api.calls
    assert document.method == "sendDocument"
    assert document.params["document"] == {"filename": "package.pdf", "content": b"%PDF-1.4 test"}
    assert document.params["caption"] == "Пакет"
    assert message.text == "Сіздің пакетіңіз"


@pytest.fixture
async def webhook(engine, telegram):
    app = build_web_app(engine, ["telegram"])
    telegram.mount_webhook(app, SECRET)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession(base_url=str(server.make_url(""))) as client:
        yield client
    await server.close()


async def post_update(client, update, secret: str | None = SECRET, body: bytes | None = None):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with client.post("/webhook/telegram", data=body or json.dumps(update).encode(), headers=headers) as response:
        return response.status


async def test_webhook_with_the_secret_is_handled(webhook, fake_api):
    assert await post_update(webhook, fake_api.message_update(CHAT, "/start")) == 200
    [picker] = [call for call in fake_api.calls if call.method == "sendMessage"]
    assert picker.button_ids == ["lang:kk", "lang:ru", "lang:ky"]


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
async def test_webhook_without_the_right_secret_is_refused(webhook, fake_api, secret):
    assert await post_update(webhook, fake_api.message_update(CHAT, "/start"), secret=secret) == 401
    assert fake_api.calls == []


async def test_a_redelivered_webhook_update_is_answered_once(webhook, fake_api):
    update = fake_api.message_update(CHAT, "/start")
    assert await post_update(webhook, update) == 200
    assert await post_update(webhook, update) == 200
    assert len([call for call in fake_api.calls if call.method == "sendMessage"]) == 1


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"update_id": "x"}', b"{}"])
async def test_a_malformed_webhook_body_is_refused_cleanly(webhook, fake_api, body):
    assert await post_update(webhook, None, body=body) == 400
    assert fake_api.calls == []


async def test_an_oversized_webhook_body_is_refused(webhook, fake_api):
    assert await post_update(webhook, None, body=b"{" + b" " * (2 * 1024 * 1024) + b"}") == 413


async def test_health(webhook):
    async with webhook.get("/health") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok", "database": "ok", "channels": ["telegram"]}
