"""Returnees end to end through the real channels: a returnee in a village writes on WhatsApp (signed webhook
calls to the running app, the Graph API a loopback fake), the focal points are on Telegram (aiogram polling a
loopback fake Bot API), one worker sends for both and fires the timers by the injected clock. A referral goes
to the ayil aimak's focal point, moves up to the district after 2 working days, is accepted there, the two
write to each other in Kyrgyz and Russian, and it is closed; the report counts it."""

from __future__ import annotations

import asyncio
import contextlib
import json

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.app import build_web_app
from bot.channels.telegram import TelegramChannel, TelegramSender, bot_for
from bot.channels.whatsapp import Templates, WhatsAppChannel, WhatsAppSender
from bot.media.files import attach
from bot.returnees.report import referral_figures
from bot.storage.models import Referral, ReferralDetails, ReferralMessage
from tests.delivery import running_worker, settled
from tests.fake_graph import PHONE_NUMBER_ID, FakeGraphAPI
from tests.fake_graph import TOKEN as GRAPH_TOKEN
from tests.fake_telegram import TOKEN, FakeBotAPI
from tests.officials import make_official
from tests.whatsapp_people import APP_SECRET, VERIFY_TOKEN, WhatsAppPerson, _single_message, post

VILLAGE_AA = "KG-O-KARASUU-JANYARYK"
DISTRICT = "KG-O-KARASUU"
RETURNEE = "996770123456"
VILLAGE_FP, DISTRICT_FP = 7000001, 7000002
TEMPLATES = Templates({"ky": ("joldas_notice", "ky_KG")})  # notices to a person silent for more than 24 hours


@pytest.fixture
async def apis():
    graph, telegram = FakeGraphAPI(), FakeBotAPI()
    await graph.start()
    await telegram.start()
    yield graph, telegram
    await graph.close()
    await telegram.close()


@pytest.fixture
async def channels(engine, apis):
    """The worker sending for WhatsApp and Telegram (files passed on as `bot.app` wires them), the WhatsApp webhook
    served, Telegram polled."""
    graph, telegram = apis
    bot = bot_for(TOKEN, telegram.base_url)
    whatsapp_sender = WhatsAppSender(GRAPH_TOKEN, PHONE_NUMBER_ID, TEMPLATES, graph.base_url, engine.clock)
    senders = {"whatsapp": whatsapp_sender, "telegram": TelegramSender(bot)}
    attach(senders, engine.database, engine.clock)
    app = build_web_app(engine, ["whatsapp"])
    WhatsAppChannel(engine, PHONE_NUMBER_ID, TEMPLATES).mount_webhook(app, APP_SECRET, VERIFY_TOKEN)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    polling = asyncio.create_task(TelegramChannel(engine, bot).run_polling(polling_timeout=1))
    async with running_worker(engine, senders), aiohttp.ClientSession(base_url=str(server.make_url(""))) as client:
        yield client
    polling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await polling
    await server.close()
    await whatsapp_sender.close()
    await bot.session.close()


async def ask_for_help(person, typed_place: str, when: str, need: str) -> None:
    """From the menu to a request sent: the village typed and confirmed, back from Russia, one need, no note."""
    await person.press("ret:start")
    await person.say(typed_place)
    for step in (f"pl:yes:{VILLAGE_AA}", f"ret:when:{when}", "ret:from:ru", f"ret:need:{need}", "ret:need:done"):
        await person.press(step)
    await person.press("ret:note:skip")
    await person.press("ret:send:yes")


class TelegramFocalPoint:
    def __init__(self, api: FakeBotAPI, chat: int):
        self.api, self.chat = api, chat

    async def say(self, text: str):
        return await self._send(self.api.message_update(self.chat, text, "ru"))

    async def press(self, data: str):
        return await self._send(self.api.callback_update(self.chat, data, "ru"))

    async def _send(self, update: dict):
        start = len(self.api.calls)
        await self.api.push(update)
        return await self.api.sent_after(start)

    def received(self) -> list[str]:
        return [call.text for call in self.api.delivered if str(call.params.get("chat_id")) == str(self.chat)]


def texts_to(graph: FakeGraphAPI, user: str) -> list[str]:
    """What reached the person: messages, and notices sent as the template outside the 24-hour window."""
    return [
        call.body or json.dumps(call.json.get("template"), ensure_ascii=False)
        for call in graph.sent
        if call.json.get("to") == user
    ]


async def test_a_whatsapp_returnee_and_telegram_focal_points_from_request_to_closing(
    engine, database, clock, apis, channels
):
    graph, telegram = apis
    village, district = TelegramFocalPoint(telegram, VILLAGE_FP), TelegramFocalPoint(telegram, DISTRICT_FP)
    for focal, area in ((village, VILLAGE_AA), (district, DISTRICT)):
        await focal.say("/start")
        await focal.press("lang:ru")
        await focal.press("consent:yes")
        async with database.transaction() as session:
            await make_official(session, str(focal.chat), "focal_point", area, clock.now(), channel="telegram")

    person = WhatsAppPerson(channels, graph, RETURNEE, settle=lambda: settled(database))
    await person.say("Салам")
    await person.press("lang:ky")
    await person.press("consent:yes")
    await person.press("ret:start")
    asked = await person.say("Dzhany Aryk")
    assert f"pl:yes:{VILLAGE_AA}" in [choice for call in asked for choice in call.choice_ids]
    await person.press(f"pl:yes:{VILLAGE_AA}")
    await person.press("ret:when:1")
    await person.press("ret:from:ru")
    await person.press("ret:need:documents")
    await person.press("ret:need:child_docs")
    await person.press("ret:need:done")
    services = await person.say("Баламдын документтери Орусияда калды")
    assert any("айыл өкмөтү" in call.body.lower() for call in services)
    await person.press("ret:send:yes")
    await settled(database)
    async with database.transaction() as session:
        number = await session.scalar(select(Referral.id))
    assert any(f"№ {number}" in text and "Баламдын документтери" in text for text in village.received())

    # Nobody in the ayil aimak accepts it: at the end of the second working day it goes to the district.
    clock.set("2026-03-04T12:01:00+00:00")  # Wednesday 18:01 in Bishkek (made on Sunday 1 March)
    database.wakeups.set(["timers"])
    await settled(database, clock)
    await asyncio.sleep(0.3)
    await settled(database)
    assert any(f"№ {number}" in text for text in district.received())
    assert any("Кара-Суу" in text for text in texts_to(graph, RETURNEE))

    accepted = await district.press(f"fp:acc:{number}")
    assert any("/referrals" in call.text for call in accepted)
    await settled(database)
    assert any("кабыл алды" in text for text in texts_to(graph, RETURNEE))

    # The conversation, both ways, each side in its own language, in order.
    await person.say("Качан барсам болот?")
    await settled(database)
    assert any("Качан барсам болот?" in text for text in district.received())
    await district.say("Приходите в среду к 10:00, возьмите свидетельство о рождении ребёнка.")
    await district.say("/referrals")
    await settled(database)
    to_person = texts_to(graph, RETURNEE)
    assert any("свидетельство о рождении" in text for text in to_person)
    assert not any("/referrals" in text for text in to_person)
    await person.say("Рахмат, барам")
    await settled(database)
    relayed = [text for text in district.received() if "Качан барсам" in text or "Рахмат, барам" in text]
    assert len(relayed) == 2 and "Качан барсам" in relayed[0]

    # A voice note and a photo: named for the other side (the files themselves: tests/test_media_relay.py).
    voice, message = _single_message("audio", RETURNEE)
    message["audio"]["voice"] = True
    assert await post(channels, json.dumps(voice).encode()) == 200
    photo = telegram.message_update(DISTRICT_FP, "", "ru")
    photo["message"].pop("text")
    photo["message"]["photo"] = [{"file_id": "AgAD1", "file_unique_id": "u1", "width": 90, "height": 90}]
    await telegram.push(photo)
    await settled(database)
    await asyncio.sleep(0.5)
    await settled(database)
    assert any("[голосовое сообщение]" in text for text in district.received())
    assert any("[сүрөт]" in text for text in texts_to(graph, RETURNEE))

    await district.press(f"fp:close:{number}")
    await district.press(f"fp:out:{number}:helped")
    await settled(database)
    assert any(f"№ {number}" in text and "жабылды" in text for text in texts_to(graph, RETURNEE))

    async with database.transaction() as session:
        figures = await referral_figures(session, "KG-O")
    assert figures.total == 1 and figures.escalated == 1 and figures.outcomes == {"helped": 1}
    assert figures.by_need == {"documents": 1, "child_docs": 1} and figures.by_area == {DISTRICT: 1}
    assert figures.hours_to_accept_median is not None and figures.hours_to_close_median is not None
    assert json.dumps(figures.as_dict())

    # What is kept, then forgotten: the focal point's record keeps the outcome and nothing of the person.
    shown = await person.say("/mydata")
    kept = "\n".join(call.body for call in shown)
    assert f"№ {number}" in kept and "Качан барсам болот?" in kept and "свидетельство о рождении" in kept
    await person.say("/forget")
    await person.press("forget:yes")
    async with database.transaction() as session:
        referral = await session.get(Referral, number)
        left = await session.scalar(select(func.count()).select_from(ReferralMessage))
        details = await session.get(ReferralDetails, number)
    assert (referral.contact_id, referral.outcome, left, details) == (None, "helped", 0, None)


async def test_on_telegram_both_ways_a_voice_note_and_a_photo_go_on_as_files(engine, database, clock, apis, channels):
    _graph, telegram = apis
    focal, person = TelegramFocalPoint(telegram, VILLAGE_FP), TelegramFocalPoint(telegram, 7000003)
    for side in (focal, person):
        await side.say("/start")
        await side.press("lang:ru")
        await side.press("consent:yes")
    async with database.transaction() as session:
        await make_official(session, str(focal.chat), "focal_point", VILLAGE_AA, clock.now(), channel="telegram")
    await ask_for_help(person, "Жаны-Арык", when="skip", need="psych")
    async with database.transaction() as session:
        number = await session.scalar(select(Referral.id))
    await focal.press(f"fp:acc:{number}")
    voice = telegram.message_update(person.chat, "", "ru")
    voice["message"].pop("text")
    voice["message"]["voice"] = {"file_id": "AwACAgIAAxkBAAIBvoice", "file_unique_id": "v1", "duration": 7}
    start = len(telegram.calls)
    await telegram.push(voice)
    await telegram.sent_after(start, at_least=3)  # "passed on" to the person; the label and the file to the focal point
    [sent] = [call for call in telegram.calls[start:] if call.method == "sendVoice"]
    assert (sent.params["chat_id"], sent.params["voice"]) == (str(focal.chat), "AwACAgIAAxkBAAIBvoice")
    photo = telegram.message_update(focal.chat, "", "ru")
    photo["message"].pop("text")
    small, large = ({"file_id": f"AgAD{size}", "file_unique_id": size, "width": 9, "height": 9} for size in "sl")
    photo["message"]["photo"] = [small, large]
    start = len(telegram.calls)
    await telegram.push(photo)
    await telegram.sent_after(start, at_least=3)
    [sent] = [call for call in telegram.calls[start:] if call.method == "sendPhoto"]
    assert (sent.params["chat_id"], sent.params["photo"]) == (str(person.chat), "AgADl")
    assert any("[фото]" in call.text for call in telegram.calls[start:] if call.method == "sendMessage")
