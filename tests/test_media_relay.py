"""Files in a returnee's conversation with their focal point, through the real channels: the WhatsApp webhook
(signed calls to the running app, the Graph API a loopback fake that serves and takes media), Telegram polled
from a loopback fake Bot API that serves getFile and the file endpoint, one worker sending for both with the
media store attached as in production (bot.app). Each file must arrive with the same bytes it left with."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import func, select

from bot.media import formats
from bot.media import store as media_store
from bot.storage.models import MediaFile, OutboxMessage, Referral
from tests import test_returnees_e2e as e2e
from tests.delivery import settled
from tests.fake_graph import FakeGraphAPI
from tests.fake_telegram import FakeBotAPI
from tests.officials import make_official
from tests.test_returnees_e2e import RETURNEE, VILLAGE_AA, VILLAGE_FP, TelegramFocalPoint, ask_for_help
from tests.whatsapp_people import WhatsAppPerson, _single_message, post

MB = formats.MB
apis, channels = e2e.apis, e2e.channels  # the fixtures: both channels served, the worker sending
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 64  # a JPEG's first bytes and 16 KB more
VOICE = b"OggS\x00\x02" + bytes(range(255, -1, -1)) * 32
PDF = b"%PDF-1.4\n" + b"spravka " * 1000
WHATSAPP_FP = "996555000111"


# --- people ----------------------------------------------------------------------------------------------


async def quiet(database) -> None:
    """Everything processed and sent, including Telegram updates still on their way through polling."""
    await settled(database)
    await asyncio.sleep(0.4)
    await settled(database)


async def telegram_focal_point(telegram, database, clock, chat: int = VILLAGE_FP) -> TelegramFocalPoint:
    focal = TelegramFocalPoint(telegram, chat)
    await focal.say("/start")
    await focal.press("lang:ru")
    await focal.press("consent:yes")
    async with database.transaction() as session:
        await make_official(session, str(chat), "focal_point", VILLAGE_AA, clock.now(), channel="telegram")
    return focal


async def whatsapp_returnee(channels, graph, database, user: str = RETURNEE) -> WhatsAppPerson:
    """A returnee in Jany-Aryk whose request went to the village's focal point."""
    person = WhatsAppPerson(channels, graph, user, settle=lambda: settled(database))
    await person.say("Салам")
    await person.press("lang:ky")
    await person.press("consent:yes")
    await ask_for_help(person, "Dzhany Aryk", when="1", need="documents")
    return person


async def request_number(database) -> int:
    async with database.transaction() as session:
        return await session.scalar(select(Referral.id))


async def accepted_between_whatsapp_and_telegram(channels, apis, database, clock):
    graph, telegram = apis
    focal = await telegram_focal_point(telegram, database, clock)
    person = await whatsapp_returnee(channels, graph, database)
    number = await request_number(database)
    await focal.press(f"fp:acc:{number}")
    await quiet(database)
    return person, focal, number


def whatsapp_media(user: str, kind: str, media: dict) -> bytes:
    """A webhook call with one media message (`kind`: image, audio, video, document), as the Cloud API sends it."""
    payload, message = _single_message("image", user)
    message.pop("image")
    message["type"], message[kind] = kind, media
    return json.dumps(payload).encode()


def telegram_media(api: FakeBotAPI, chat: int, field: str, value, caption: str | None = None) -> dict:
    update = api.message_update(chat, "", "ru")
    update["message"].pop("text")
    update["message"][field] = value
    if caption:
        update["message"]["caption"] = caption
    return update


def to_chat(telegram: FakeBotAPI, chat: int, method: str | None = None):
    return [
        call
        for call in telegram.delivered
        if call.params.get("chat_id") == str(chat) and (method is None or call.method == method)
    ]


def to_user(graph: FakeGraphAPI, user: str, kind: str | None = None):
    return [call for call in graph.sent if call.json.get("to") == user and (kind is None or call.kind == kind)]


async def files_kept(database) -> list[MediaFile]:
    async with database.transaction() as session:
        return list(await session.scalars(select(MediaFile).order_by(MediaFile.id)))


# --- across platforms ------------------------------------------------------------------------------------


async def test_a_photo_with_its_caption_and_a_voice_note_from_whatsapp_reach_telegram_as_files(
    engine, database, clock, apis, channels
):
    graph, telegram = apis
    _person, focal, number = await accepted_between_whatsapp_and_telegram(channels, apis, database, clock)
    graph.add_media("wa-photo-1", PHOTO, "image/jpeg")
    graph.add_media("wa-voice-1", VOICE, "audio/ogg; codecs=opus")
    start = len(telegram.calls)

    image = {"id": "wa-photo-1", "mime_type": "image/jpeg", "sha256": "x", "caption": "Менин паспортум"}
    assert await post(channels, whatsapp_media(RETURNEE, "image", image)) == 200
    voice = {"id": "wa-voice-1", "mime_type": "audio/ogg; codecs=opus", "sha256": "y", "voice": True}
    assert await post(channels, whatsapp_media(RETURNEE, "audio", voice)) == 200
    await quiet(database)

    sent = [call for call in telegram.calls[start:] if call.params.get("chat_id") == str(focal.chat)]
    assert [call.method for call in sent] == ["sendMessage", "sendPhoto", "sendMessage", "sendVoice"]
    assert f"№ {number}" in sent[0].text and "[фото] Менин паспортум" in sent[0].text
    photo, voice_note = sent[1].params, sent[3].params
    assert (photo["photo"]["content"], photo["caption"]) == (PHOTO, "Менин паспортум")
    assert "[голосовое сообщение]" in sent[2].text
    assert voice_note["voice"]["content"] == VOICE
    assert graph.downloads == ["wa-photo-1", "wa-voice-1"]
    assert await files_kept(database) == []  # delivered: nothing kept


async def test_the_focal_points_document_and_voice_from_telegram_reach_whatsapp_as_media(
    engine, database, clock, apis, channels
):
    graph, telegram = apis
    _person, focal, _number = await accepted_between_whatsapp_and_telegram(channels, apis, database, clock)
    telegram.add_file("tg-doc-1", PDF)
    telegram.add_file("tg-voice-1", VOICE)
    document = {
        "file_id": "tg-doc-1",
        "file_unique_id": "d1",
        "file_name": "spravka.pdf",
        "mime_type": "application/pdf",
        "file_size": len(PDF),
    }
    await telegram.push(telegram_media(telegram, focal.chat, "document", document, caption="Справка для вас"))
    voice = {"file_id": "tg-voice-1", "file_unique_id": "v1", "duration": 3, "mime_type": "audio/ogg"}
    await telegram.push(telegram_media(telegram, focal.chat, "voice", {**voice, "file_size": len(VOICE)}))
    await quiet(database)

    kinds = [call.kind for call in to_user(graph, RETURNEE)][-4:]
    assert kinds == ["interactive:button", "document", "interactive:button", "audio"]
    [sent_document] = to_user(graph, RETURNEE, "document")
    assert sent_document.json["document"]["caption"] == "Справка для вас"
    assert sent_document.json["document"]["filename"] == "spravka.pdf"
    uploaded = graph.uploaded(sent_document.json["document"]["id"])
    assert (uploaded["content"], uploaded["content_type"]) == (PDF, "application/pdf")
    [sent_voice] = to_user(graph, RETURNEE, "audio")
    assert sent_voice.json["audio"].get("voice") is True
    uploaded = graph.uploaded(sent_voice.json["audio"]["id"])
    assert (uploaded["content"], uploaded["content_type"]) == (VOICE, "audio/ogg")
    assert any("Справка для вас" in call.body for call in to_user(graph, RETURNEE, "interactive:button"))
    assert sorted(telegram.downloads) == ["files/tg-doc-1", "files/tg-voice-1"]
    assert await files_kept(database) == []


async def test_from_whatsapp_to_whatsapp_a_photo_is_downloaded_and_uploaded_again(
    engine, database, clock, apis, channels
):
    graph, _telegram = apis
    focal = WhatsAppPerson(channels, graph, WHATSAPP_FP, settle=lambda: settled(database))
    await focal.say("Салам")
    await focal.press("lang:ru")
    await focal.press("consent:yes")
    async with database.transaction() as session:
        await make_official(session, WHATSAPP_FP, "focal_point", VILLAGE_AA, clock.now(), channel="whatsapp")
    await whatsapp_returnee(channels, graph, database)
    await focal.press(f"fp:acc:{await request_number(database)}")
    graph.add_media("wa-photo-2", PHOTO, "image/png")

    image = {"id": "wa-photo-2", "mime_type": "image/png", "sha256": "z", "caption": "Маалымкат"}
    assert await post(channels, whatsapp_media(RETURNEE, "image", image)) == 200
    await quiet(database)

    [sent] = to_user(graph, WHATSAPP_FP, "image")
    assert sent.json["image"]["caption"] == "Маалымкат"
    uploaded = graph.uploaded(sent.json["image"]["id"])
    assert (uploaded["content"], uploaded["content_type"]) == (PHOTO, "image/png")
    assert graph.downloads == ["wa-photo-2"]


async def test_from_telegram_to_telegram_a_file_still_goes_by_its_file_id_without_a_download(
    engine, database, clock, apis, channels
):
    _graph, telegram = apis
    focal = await telegram_focal_point(telegram, database, clock)
    person = TelegramFocalPoint(telegram, 7000003)  # a returnee on Telegram, driven the same way
    await person.say("/start")
    await person.press("lang:ru")
    await person.press("consent:yes")
    await ask_for_help(person, "Жаны-Арык", when="skip", need="psych")
    await focal.press(f"fp:acc:{await request_number(database)}")
    photo = [{"file_id": "AgADsmall", "file_unique_id": "s", "width": 9, "height": 9, "file_size": 100}]
    photo.append({"file_id": "AgADlarge", "file_unique_id": "l", "width": 90, "height": 90, "file_size": 900})
    await telegram.push(telegram_media(telegram, person.chat, "photo", photo, caption="Вот справка"))
    await quiet(database)

    [sent] = to_chat(telegram, focal.chat, "sendPhoto")
    assert (sent.params["photo"], sent.params["caption"]) == ("AgADlarge", "Вот справка")
    assert not [call for call in telegram.calls if call.method == "getFile"] and telegram.downloads == []
    assert await files_kept(database) == []


# --- limits and failures ---------------------------------------------------------------------------------


async def test_a_file_too_large_to_pass_on_is_explained_to_its_sender_and_the_words_still_go(
    engine, database, clock, apis, channels
):
    graph, telegram = apis
    _person, focal, number = await accepted_between_whatsapp_and_telegram(channels, apis, database, clock)
    graph.add_media("wa-video-big", b"\x00" * 1024, "video/mp4", size=60 * MB)  # Telegram takes 50 MB
    start = len(graph.calls)

    video = {"id": "wa-video-big", "mime_type": "video/mp4", "sha256": "v", "caption": "Видео из офиса"}
    assert await post(channels, whatsapp_media(RETURNEE, "video", video)) == 200
    await quiet(database)

    assert any("[видео] Видео из офиса" in call.text for call in to_chat(telegram, focal.chat, "sendMessage"))
    assert not to_chat(telegram, focal.chat, "sendVideo") and not to_chat(telegram, focal.chat, "sendDocument")
    told = [call.body for call in graph.sent_since(start) if call.json.get("to") == RETURNEE]
    assert any("60" in body and "50" in body and "МБ" in body for body in told), told
    assert graph.downloads == []  # the size said it: nothing downloaded
    assert await files_kept(database) == []


async def test_a_file_telegram_says_is_too_large_to_download_is_not_fetched_and_the_focal_point_is_told(
    engine, database, clock, apis, channels
):
    graph, telegram = apis
    _person, focal, _number = await accepted_between_whatsapp_and_telegram(channels, apis, database, clock)
    telegram.add_file("tg-doc-big", b"%PDF", size=25 * MB)  # bots download up to 20 MB
    document = {"file_id": "tg-doc-big", "file_unique_id": "b", "file_name": "scan.pdf", "file_size": 25 * MB}
    start = len(telegram.calls)
    await telegram.push(telegram_media(telegram, focal.chat, "document", document, caption="Скан паспорта"))
    await quiet(database)

    assert any("Скан паспорта" in call.body for call in to_user(graph, RETURNEE, "interactive:button"))
    assert not to_user(graph, RETURNEE, "document") and not [call for call in graph.calls if call.form is not None]
    assert not [call for call in telegram.calls if call.method == "getFile"]
    told = [call.text for call in telegram.calls[start:] if call.params.get("chat_id") == str(focal.chat)]
    assert any("слишком большой" in text and "до 20 МБ" in text for text in told), told
    assert await files_kept(database) == []


async def test_a_failed_upload_is_tried_again_with_the_file_kept_and_not_fetched_twice(
    engine, database, clock, apis, channels
):
    graph, telegram = apis
    _person, focal, _number = await accepted_between_whatsapp_and_telegram(channels, apis, database, clock)
    telegram.add_file("tg-voice-2", VOICE)
    graph.fail_uploads(131000)  # "Something went wrong": retried after the back-off

    voice = {"file_id": "tg-voice-2", "file_unique_id": "v2", "duration": 3, "mime_type": "audio/ogg"}
    await telegram.push(telegram_media(telegram, focal.chat, "voice", voice))
    row = await waiting_with_error(database, "131000")
    [kept] = await files_kept(database)
    assert (kept.content, kept.size, kept.channel) == (VOICE, len(VOICE), "telegram")
    assert row.payload == {"type": "media", "kind": "voice", "stored": kept.id, "label": None, "language": "ky"}

    clock.advance(seconds=1)  # the tests' back-off is at most 0.05 s
    database.wakeups.set(["outbox"])
    await quiet(database)
    uploads = [call for call in graph.calls if call.form is not None]
    assert [call.answered for call in uploads] == [500, 200]
    assert all(call.form["file"]["content"] == VOICE for call in uploads)
    assert len(to_user(graph, RETURNEE, "audio")) == 1
    assert telegram.downloads == ["files/tg-voice-2"]  # fetched once, kept for the second try
    assert await files_kept(database) == []


async def waiting_with_error(database, code: str, timeout: float = 10) -> OutboxMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with database.transaction() as session:
            row = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.status == "pending", OutboxMessage.last_error.contains(code))
            )
        if row is not None:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"no outbox row waiting after {code}")


async def test_forget_deletes_the_files_kept_and_mydata_lists_them(engine, database, clock, apis, channels):
    graph, telegram = apis
    person, focal, _number = await accepted_between_whatsapp_and_telegram(channels, apis, database, clock)
    graph.add_media("wa-photo-3", PHOTO, "image/jpeg")
    telegram.fail_next(429, "Too Many Requests: retry after 600", retry_after=600)  # Telegram waits: the file too

    image = {"id": "wa-photo-3", "mime_type": "image/jpeg", "sha256": "x"}
    person.settle = lambda: settled_on(database, "whatsapp")
    assert await post(channels, whatsapp_media(RETURNEE, "image", image)) == 200
    await settled_on(database, "whatsapp")
    [kept] = await files_kept(database)
    assert kept.content is None and kept.kind == "photo"

    shown = "\n".join(call.body for call in await person.say("/mydata"))
    assert "[сүрөт]" in shown and "файл" in shown.lower()
    await person.say("/forget")
    await person.press("forget:yes")
    assert await files_kept(database) == []

    clock.advance(seconds=601)  # Telegram takes messages again: the label goes, the file is no longer there
    database.wakeups.set(["outbox"])
    await quiet(database)
    assert not to_chat(telegram, focal.chat, "sendPhoto") and graph.downloads == []
    async with database.transaction() as session:
        dead = await session.scalar(select(OutboxMessage.last_error).where(OutboxMessage.status == "dead"))
    assert "no longer kept" in dead


async def settled_on(database, channel: str, timeout: float = 10) -> None:
    """The inbox processed and `channel`'s messages sent (another channel's may wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with database.transaction() as session:
            from bot.storage.models import InboxUpdate

            updates = await session.scalar(
                select(func.count()).select_from(InboxUpdate).where(InboxUpdate.status != "done")
            )
            messages = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.channel == channel, OutboxMessage.status.in_(("pending", "sending")))
            )
        if updates + messages == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{channel}: still waiting after {timeout} s")


async def test_a_media_message_without_an_id_is_named_and_never_breaks_the_conversation(
    engine, database, clock, apis, channels
):
    graph, telegram = apis
    person, focal, _number = await accepted_between_whatsapp_and_telegram(channels, apis, database, clock)
    start = len(graph.calls)
    broken = {"mime_type": "image/jpeg", "caption": "Сүрөт жок"}
    assert await post(channels, whatsapp_media(RETURNEE, "image", broken)) == 200
    assert await post(channels, whatsapp_media(RETURNEE, "document", "not an object")) == 200
    await quiet(database)
    assert any("[фото] Сүрөт жок" in call.text for call in to_chat(telegram, focal.chat, "sendMessage"))
    assert any("[файл]" in call.text for call in to_chat(telegram, focal.chat, "sendMessage"))
    assert len([call for call in graph.sent_since(start) if call.json.get("to") == RETURNEE]) == 2  # "passed on"
    assert await files_kept(database) == []
    await person.say("Дагы бир суроо")
    await quiet(database)
    assert any("Дагы бир суроо" in call.text for call in to_chat(telegram, focal.chat, "sendMessage"))


# --- the rules -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("destination", "kind", "mime_type", "size", "expected"),
    [
        ("telegram", "voice", "audio/ogg; codecs=opus", 100_000, "voice"),
        ("whatsapp", "voice", "audio/ogg", 100_000, "voice"),
        ("whatsapp", "voice", "audio/x-wav", 100_000, "document"),
        ("whatsapp", "audio", "audio/mpeg", 17 * MB, "document"),  # over 16 MB: a document, up to 100 MB
        ("whatsapp", "photo", "image/jpeg", 6 * MB, "document"),  # over 5 MB
        ("whatsapp", "photo", "image/webp", 1000, "document"),
        ("telegram", "photo", "image/jpeg", 11 * MB, "document"),  # over 10 MB
        ("telegram", "video", "video/3gpp", 1000, "document"),
        ("telegram", "document", "application/zip", 51 * MB, None),
        ("whatsapp", "document", "application/pdf", 101 * MB, None),
    ],
)
def test_a_file_goes_as_what_it_is_where_the_platform_takes_it_else_as_a_document(
    destination, kind, mime_type, size, expected
):
    assert formats.send_as(destination, kind, mime_type, size) == expected


def test_the_largest_file_that_can_pass_is_the_smaller_of_download_and_upload_limits():
    assert formats.largest("telegram", "whatsapp") == 20 * MB  # a bot downloads up to 20 MB
    assert formats.largest("whatsapp", "telegram") == 50 * MB  # a bot uploads up to 50 MB
    assert formats.largest("whatsapp", "whatsapp") == 100 * MB


async def test_files_never_passed_on_are_pruned_after_the_retention(database, clock):
    from bot.storage.models import Contact

    async with database.transaction() as session:
        person = Contact(channel="whatsapp", external_id=RETURNEE, language="ky", consent="granted")
        session.add(person)
        await session.flush()
        for channel in ("whatsapp", "telegram"):
            await media_store.register(
                session,
                owner=person,
                writer=person,
                channel=channel,
                ref="x",
                kind="photo",
                mime_type=None,
                file_name=None,
                size=None,
                now=clock.now(),
            )
    async with database.transaction() as session:
        assert await media_store.prune(session, clock.now() + media_store.KEPT) == 0
        assert await media_store.prune(session, clock.now() + media_store.KEPT + media_store.KEPT / 14) == 2
