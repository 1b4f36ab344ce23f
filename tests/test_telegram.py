"""Telegram end to end: aiogram's real client polls, or is called by webhook, against a loopback fake
of the Bot API; the updates go to the inbox, the worker processes them and sends the outbox through the
real sender; a scripted person talks to the bot through it."""

import asyncio
import contextlib
import json
from datetime import date

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.app import build_web_app
from bot.channels.telegram import TelegramChannel, TelegramSender, bot_for
from bot.clock import SystemClock
from bot.conversation import Button, Reply
from bot.delivery import outbox
from bot.engine import Engine
from bot.package.library import Profile
from bot.package.pdf import pdf_document
from bot.storage.models import Contact, OutboxMessage
from handlers import build_router
from tests.delivery import running_worker, settled
from tests.fake_telegram import TOKEN, FakeBotAPI
from tests.people import Person, main_menu_ids

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
    bot = bot_for(TOKEN, fake_api.base_url)
    async with running_worker(engine, {"telegram": TelegramSender(bot)}):
        yield TelegramChannel(engine, bot)
    await bot.session.close()


@pytest.fixture
async def polling(telegram):
    task = asyncio.create_task(telegram.run_polling(polling_timeout=1))
    yield telegram
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def queue(engine, *replies: Reply) -> None:
    async with engine.database.transaction() as session:
        now = engine.clock.now()
        await outbox.queue(session, now=now, channel="telegram", address=str(CHAT), language="kk", replies=replies)
    await settled(engine.database)


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


async def test_long_texts_are_split_and_the_keyboard_goes_last(telegram, fake_api, engine):
    paragraph = "Сөз " * 300
    reply = Reply(text="\n\n".join([paragraph] * 5), buttons=[[Button("menu", "Мәзір")]])
    await queue(engine, reply)
    sent = [call for call in fake_api.calls if call.method == "sendMessage"]
    assert len(sent) == 2
    assert all(len(call.text) <= 4096 for call in sent)
    assert [call.button_ids for call in sent] == [[], ["menu"]]


async def test_documents_are_built_by_the_sender_and_sent_as_files(telegram, fake_api, engine):
    pdf = pdf_document(
        "package.pdf", Profile("in_migrant", "turkistan", "pavlodar"), "kk", date(2026, 3, 1), frozenset(), "Пакет"
    )
    await queue(engine, Reply(text="Сіздің пакетіңіз", document=pdf))
    document, message = fake_api.calls
    assert document.method == "sendDocument"
    assert document.params["document"]["filename"] == "package.pdf"
    assert document.params["document"]["content"].startswith(b"%PDF")
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


async def test_webhook_with_the_secret_is_handled(webhook, fake_api, database):
    assert await post_update(webhook, fake_api.message_update(CHAT, "/start")) == 200
    await settled(database)
    [picker] = [call for call in fake_api.calls if call.method == "sendMessage"]
    assert picker.button_ids == ["lang:kk", "lang:ru", "lang:ky"]


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
async def test_webhook_without_the_right_secret_is_refused(webhook, fake_api, secret):
    assert await post_update(webhook, fake_api.message_update(CHAT, "/start"), secret=secret) == 401
    assert fake_api.calls == []


async def test_a_redelivered_webhook_update_is_answered_once(webhook, fake_api, database):
    update = fake_api.message_update(CHAT, "/start")
    assert await post_update(webhook, update) == 200
    assert await post_update(webhook, update) == 200
    await settled(database)
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


# --- what Telegram's refusals do to the queue -----------------------------------------------------------


async def telegram_contact(database) -> Contact:
    async with database.transaction() as session:
        return await session.scalar(select(Contact).where(Contact.channel == "telegram"))


async def test_429_pauses_sending_for_the_time_telegram_names_and_drops_nothing(fake_api, database):
    live = Engine(database, build_router(), clock=SystemClock())  # real time: the wait is measured
    bot = bot_for(TOKEN, fake_api.base_url)
    fake_api.fail_next(429, "Too Many Requests: retry after 1", retry_after=1)
    async with running_worker(live, {"telegram": TelegramSender(bot)}):
        await queue(live, Reply("бір"), Reply("екі"), Reply("үш"))
    await bot.session.close()
    refused, *delivered = fake_api.calls
    assert refused.answered == 429 and refused.params["text"] == "бір"
    assert [call.params["text"] for call in delivered] == ["бір", "екі", "үш"]  # in order, none lost
    assert delivered[0].at - refused.at >= 1.0  # the next attempt waited the time Telegram named


async def test_403_makes_the_person_unreachable_drops_their_queue_and_a_message_from_them_undoes_it(
    telegram, fake_api, engine, database
):
    person = Person(engine, "telegram", str(CHAT))
    await person.onboard("kk")
    await settled(database)
    fake_api.fail_next(403, "Forbidden: bot was blocked by the user")
    sent_before = len(fake_api.calls)
    contact = await telegram_contact(database)
    async with database.transaction() as session:
        contact = await session.merge(contact)
        for text in ("Ескерту 1", "Ескерту 2", "Ескерту 3"):
            assert await outbox.queue_for_contact(session, contact, [Reply(text)], engine.clock.now()) is None
    await settled(database)
    assert len(fake_api.calls) == sent_before + 1  # one refusal, then nothing more to them
    contact = await telegram_contact(database)
    assert contact.unreachable_since is not None and "blocked by the user" in contact.unreachable_reason
    assert contact.status == "active"  # a state apart from /stop
    async with database.transaction() as session:
        rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "notice"))).all()
        assert {row.status for row in rows} == {"dropped"} and len(rows) == 3
        assert all("403" in row.last_error for row in rows)
        contact = await session.merge(contact)
        assert await outbox.queue_for_contact(session, contact, [Reply("Тағы")], engine.clock.now()) is (
            outbox.NotQueued.UNREACHABLE
        )
    await person.say("/start")  # they unblocked the bot and wrote again
    await settled(database)
    assert (await telegram_contact(database)).unreachable_since is None
    assert fake_api.delivered[-1].params["chat_id"] == str(CHAT)
