"""WhatsApp end to end: signed webhook calls shaped like the Cloud API's (tests/fixtures/whatsapp/) are posted
to the running app, which stores them in the inbox; the worker processes them and pywa's real client sends
the outbox to a loopback fake of the Graph API."""

import asyncio
import json
import os
import sys
from datetime import date, timedelta

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.app import build_web_app
from bot.channels.whatsapp import Templates, WhatsAppChannel, WhatsAppSender
from bot.channels.whatsapp_render import BODY_LIMIT, TEXT_LIMIT
from bot.conversation import Button, Reply
from bot.delivery import outbox
from bot.delivery.outbox import Kind, NotQueued
from bot.eligibility.render import OUTCOMES
from bot.i18n import texts
from bot.package.library import Profile
from bot.package.pdf import pdf_document
from bot.storage.models import Contact, DeliveryPace, OutboxMessage, WhatsAppMessage, as_utc
from handlers.fallback import EXPLANATIONS
from handlers.start import HELP_TEXT
from tests.delivery import running_worker, settled
from tests.fake_graph import PHONE_NUMBER_ID, TOKEN, FakeGraphAPI
from tests.test_cli import free_port, health_once_up, run_joldas
from tests.whatsapp_people import (
    APP_SECRET,
    USER,
    VERIFY_TOKEN,
    WhatsAppPerson,
    fixture,
    post,
    sign,
    text_payload,
)

MENU = ["lang", "consent", "mydata", "forget", "help"]  # and whatever other features add
kk = texts("kk").gettext


@pytest.fixture
async def graph():
    api = FakeGraphAPI()
    await api.start()
    yield api
    await api.close()


TEMPLATES = Templates({"kk": ("joldas_notice", "kk"), "ky": ("joldas_notice", "ky_KG")})


@pytest.fixture
async def whatsapp(engine, graph):
    sender = WhatsAppSender(TOKEN, PHONE_NUMBER_ID, TEMPLATES, graph.base_url, engine.clock)
    async with running_worker(engine, {"whatsapp": sender}):
        yield WhatsAppChannel(engine, PHONE_NUMBER_ID, TEMPLATES)
    await sender.close()


@pytest.fixture
async def client(engine, whatsapp):
    app = build_web_app(engine, ["whatsapp"])
    whatsapp.mount_webhook(app, APP_SECRET, VERIFY_TOKEN)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession(base_url=str(server.make_url(""))) as session:
        yield session
    await server.close()


@pytest.fixture
def person(client, graph, database) -> WhatsAppPerson:
    return WhatsAppPerson(client, graph, settle=lambda: settled(database))


@pytest.fixture
async def onboarded(person, graph) -> WhatsAppPerson:
    await person.say("hello")
    await person.press("lang:kk")
    await person.press("consent:yes")
    graph.calls.clear()
    return person


async def contact(database, user: str = USER) -> Contact | None:
    async with database.transaction() as session:
        return await session.scalar(select(Contact).where(Contact.channel == "whatsapp", Contact.external_id == user))


# --- verification and signatures ------------------------------------------------------------------------


async def verify(client, **query) -> tuple[int, str]:
    async with client.get("/webhook/whatsapp", params=query) as response:
        return response.status, await response.text()


async def test_verification_echoes_the_challenge(client):
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    assert await verify(client, **query) == (200, "1158201444")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
        {},
    ],
)
async def test_anything_else_is_refused_verification(client, query):
    status, text = await verify(client, **query)
    assert status == 403
    assert "1" not in text


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "sha256=",
        "sha256=" + "0" * 64,
        sign(b"{}"),  # a real signature, of another body
        sign(json.dumps(fixture("text")).encode(), secret="another-app-secret"),
        sign(json.dumps(fixture("text")).encode()).removeprefix("sha256="),
        "sha1=" + "0" * 40,
        "sha256=ИИИ",
    ],
)
async def test_a_missing_or_wrong_signature_is_refused_with_nothing_processed(client, graph, database, signature):
    body = json.dumps(fixture("text")).encode()
    assert await post(client, body, signature=signature) == 401
    assert graph.calls == []
    assert await contact(database) is None


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"'])
async def test_a_signed_but_malformed_body_is_refused_cleanly(client, graph, body):
    assert await post(client, body) == 400
    assert graph.calls == []


async def test_an_oversized_body_is_refused(client, graph):
    assert await post(client, b"{" + b" " * (2 * 1024 * 1024) + b"}") == 413


# --- incoming messages, table-driven over the fixtures --------------------------------------------------

NOT_UNDERSTOOD = kk(EXPLANATIONS["empty"])

CASES = [
    ("text", ["interactive:list"], kk(HELP_TEXT)),
    ("button_reply", ["text", "interactive:list"], "Язык: Русский"),
    ("list_reply", ["interactive:list"], f"whatsapp, {USER}"),
    ("image", ["interactive:list"], NOT_UNDERSTOOD),
    ("audio", ["interactive:list"], NOT_UNDERSTOOD),
    ("location", ["interactive:list"], NOT_UNDERSTOOD),
    ("sticker", ["interactive:list"], NOT_UNDERSTOOD),
    ("contacts", ["interactive:list"], NOT_UNDERSTOOD),
    ("unsupported", ["interactive:list"], NOT_UNDERSTOOD),
]


@pytest.mark.parametrize(("name", "kinds", "expected"), CASES, ids=[case[0] for case in CASES])
async def test_incoming_messages(onboarded, client, graph, database, name, kinds, expected):
    assert await post(client, json.dumps(fixture(name)).encode()) == 200
    await settled(database)
    sent = graph.sent
    assert [call.kind for call in sent] == kinds
    assert expected in "\n".join(call.body for call in sent)
    assert all(call.json["to"] == USER for call in sent)
    assert set(MENU) <= set(sent[-1].choice_ids)


async def test_the_same_message_delivered_twice_is_handled_once(onboarded, client, graph, database):
    body = json.dumps(fixture("text")).encode()
    assert await post(client, body) == 200
    assert await post(client, body) == 200
    await settled(database)
    assert len(graph.sent) == 1


async def test_a_batched_payload_is_handled_whole(client, graph, database):
    assert await post(client, json.dumps(fixture("batched")).encode()) == 200
    await settled(database)
    to = [(call.json["to"], call.kind) for call in graph.sent]
    # /start and /mydata from the first person (both bring the language picker: no language chosen yet);
    # a greeting from the second, a Kyrgyz number, whose picker puts Kyrgyz first.
    # (people are answered side by side, so only each person's own order is fixed)
    assert sorted(to) == [
        (USER, "interactive:button"),
        (USER, "interactive:button"),
        ("996700123456", "interactive:button"),
    ]
    pickers = {call.json["to"]: call.choice_ids for call in graph.sent}
    assert pickers["996700123456"] == ["lang:ky", "lang:kk", "lang:ru"]
    assert pickers[USER] == ["lang:kk", "lang:ru", "lang:ky"]
    assert await contact(database, "996700123456") is not None


async def test_changes_for_another_phone_number_are_left_alone(client, graph, database):
    assert await post(client, json.dumps(fixture("other_phone_number")).encode()) == 200
    await settled(database)
    assert graph.calls == []
    assert await contact(database) is None


# --- statuses -------------------------------------------------------------------------------------------


async def message_statuses(database) -> dict[str, tuple[str, int | None]]:
    async with database.transaction() as session:
        rows = (await session.scalars(select(WhatsAppMessage))).all()
    return {row.wamid: (row.status, row.error_code) for row in rows}


async def outbox_rows(database) -> list[OutboxMessage]:
    async with database.transaction() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


def statuses_fixture() -> tuple[dict, list[dict]]:
    payload = fixture("statuses")
    return payload, payload["entry"][0]["changes"][0]["value"]["statuses"]


async def test_statuses_are_recorded_against_their_messages(onboarded, client, database):
    payload, statuses = statuses_fixture()
    sent, read, failed = statuses[0]["id"], statuses[2]["id"], statuses[4]["id"]
    person = await contact(database)
    async with database.transaction() as session:
        session.add_all(
            WhatsAppMessage(wamid=wamid, contact_id=person.id, status="accepted") for wamid in (sent, read, failed)
        )
    assert await post(client, json.dumps(payload).encode()) == 200
    recorded = await message_statuses(database)
    assert recorded[sent] == ("delivered", None)
    assert recorded[read] == ("read", None)  # a late "delivered" does not undo "read"
    assert recorded[failed] == ("failed", 131026)
    person = await contact(database)
    assert person.unreachable_since is not None and "131026" in person.unreachable_reason
    assert person.status == "active"  # unreachable is not /stop
    await onboarded.say("/menu")  # writing to us again makes a person reachable again
    assert (await contact(database)).unreachable_since is None


async def test_sent_messages_keep_their_wamid_and_a_status_arriving_first_is_kept(onboarded, client, database):
    await onboarded.say("/help")
    sent = [row for row in await outbox_rows(database) if row.status == "sent"]
    assert sent and all(row.platform_message_id.startswith("wamid.FAKE") for row in sent)
    payload, statuses = statuses_fixture()
    statuses[:] = [{**statuses[2], "id": "wamid.EARLY"}]  # "read" for a message we never noted
    assert await post(client, json.dumps(payload).encode()) == 200
    assert (await message_statuses(database))["wamid.EARLY"] == ("read", None)


def failed_status(wamid: str, code: int) -> dict:
    payload, statuses = statuses_fixture()
    statuses[:] = [{**statuses[4], "id": wamid, "errors": [{"code": code, "title": "failed"}]}]
    return payload


async def test_a_failed_status_marks_its_outbox_row(onboarded, client, database):
    await onboarded.say("/help")
    row = next(row for row in await outbox_rows(database) if row.status == "sent")
    assert await post(client, json.dumps(failed_status(row.platform_message_id, 131051)).encode()) == 200
    row = next(found for found in await outbox_rows(database) if found.id == row.id)
    assert row.status == "dead" and "131051" in row.last_error


async def test_a_re_engagement_status_sends_the_template_instead(onboarded, client, database, graph):
    await queue_notice(database, await contact(database), "Ертең қабылдау жоқ.")
    row = next(row for row in await outbox_rows(database) if row.kind == "notice")
    assert await post(client, json.dumps(failed_status(row.platform_message_id, 131047)).encode()) == 200
    await settled(database)
    assert graph.sent[-1].kind == "template"
    assert graph.sent[-1].json["template"]["components"][0]["parameters"][0]["text"] == "Ертең қабылдау жоқ."


async def test_forget_deletes_the_delivery_records_and_the_messages_kept(onboarded, client, database):
    await onboarded.say("/help")
    row = next(row for row in await outbox_rows(database) if row.status == "sent")
    payload, statuses = statuses_fixture()
    statuses[:] = [{**statuses[2], "id": row.platform_message_id}]
    assert await post(client, json.dumps(payload).encode()) == 200
    assert await message_statuses(database)
    await onboarded.say("/forget")
    await onboarded.press("forget:yes")
    assert await message_statuses(database) == {}
    [confirmation] = await outbox_rows(database)  # only "done, deleted" is left, tied to no one
    assert confirmation.contact_id is None


# --- sending: shapes and limits -------------------------------------------------------------------------


async def queue(engine, language: str, *replies: Reply) -> None:
    async with engine.database.transaction() as session:
        await outbox.queue(
            session, now=engine.clock.now(), channel="whatsapp", address=USER, language=language, replies=replies
        )
    await settled(engine.database)


async def test_long_texts_are_split_and_the_choices_ride_on_the_last_part(whatsapp, engine, graph):
    paragraph = "Сөз " * 300
    reply = Reply(text="\n\n".join([paragraph] * 5), buttons=[[Button("menu", "Мәзір")]])
    await queue(engine, "kk", reply)
    kinds = [call.kind for call in graph.sent]
    assert kinds[-1] == "interactive:button" and set(kinds[:-1]) == {"text"}
    assert all(len(call.body) <= TEXT_LIMIT for call in graph.sent)
    assert len(graph.sent[-1].body) <= BODY_LIMIT
    assert " ".join(" ".join(call.body.split()) for call in graph.sent) == " ".join(reply.text.split())


async def test_reply_buttons_and_lists_keep_to_whatsapp_limits(whatsapp, engine, graph):
    few = [[Button("consent:no", "Жок, эч нерсе сактабаңыз", "Жок, сактабаңыз")], [Button("ok", "Ооба")]]
    many = [[Button(f"item:{n}", f"Вариант номер {n} с длинным названием", f"Вариант {n}")] for n in range(1, 13)]
    await queue(engine, "ky", Reply("Эки", few), Reply("Көп", many))
    buttons, first_page, second_page = graph.sent
    assert buttons.kind == "interactive:button"
    assert buttons.choices == [("consent:no", "Жок, сактабаңыз"), ("ok", "Ооба")]
    assert first_page.kind == second_page.kind == "interactive:list"
    action = first_page.json["interactive"]["action"]
    assert action["button"] == "Тандоо"
    rows = action["sections"][0]["rows"]
    assert len(rows) == 10
    assert rows[0] == {"id": "item:1", "title": "Вариант 1", "description": "Вариант номер 1 с длинным названием"}
    assert second_page.choice_ids == ["item:11", "item:12"]
    assert second_page.body == "Дагы варианттар (2/2)"


async def test_documents_are_built_by_the_sender_uploaded_then_sent(whatsapp, engine, graph):
    profile = Profile("in_migrant", "turkistan", "pavlodar")
    pdf = pdf_document("package.pdf", profile, "kk", date(2026, 3, 1), frozenset(), "Пакет")
    await queue(engine, "kk", Reply(text="Сіздің пакетіңіз", document=pdf))
    upload, document, text = graph.calls
    assert upload.path == f"/v26.0/{PHONE_NUMBER_ID}/media"
    assert upload.form["file"]["filename"] == "package.pdf"
    assert upload.form["file"]["content"].startswith(b"%PDF")
    assert upload.form["file"]["content_type"] == "application/pdf"
    assert upload.form["messaging_product"] == "whatsapp"
    assert document.json["document"] == {"id": "media-1", "caption": "Пакет", "filename": "package.pdf"}
    assert text.body == "Сіздің пакетіңіз"


# --- notices, the 24-hour window and the Graph API's errors -----------------------------------------------


async def stored(database, **changes) -> Contact:
    async with database.transaction() as session:
        person = await session.scalar(select(Contact).where(Contact.external_id == USER))
        for key, value in changes.items():
            setattr(person, key, value)
    return person


async def queue_notice(database, person: Contact, text: str, now=None, settle: bool = True) -> NotQueued | None:
    async with database.transaction() as session:
        person = await session.merge(person)
        refused = await outbox.queue_for_contact(
            session, person, [Reply(text)], now or person.last_inbound_at, Kind.NOTICE
        )
    if settle:
        await settled(database)
    return refused


async def test_a_notice_inside_the_window_is_a_plain_message(onboarded, whatsapp, graph, database):
    person = await stored(database)
    assert await queue_notice(database, person, "Ертең қабылдау жоқ.") is None
    [message] = graph.sent
    assert message.kind == "text" and message.body == "Ертең қабылдау жоқ."
    [row] = [row for row in await outbox_rows(database) if row.kind == "notice"]
    assert row.status == "sent" and row.platform_message_id == message.wamid


async def test_a_notice_outside_the_window_is_the_template_of_the_persons_language(
    onboarded, whatsapp, graph, database, clock
):
    person = await stored(database, last_inbound_at=clock.now() - timedelta(hours=24, seconds=1))
    await queue_notice(database, person, "Ертең қабылдау жоқ.\n\nАкимат  жабық.", now=clock.now())
    [message] = graph.sent
    assert message.json["template"] == {
        "name": "joldas_notice",
        "language": {"code": "kk"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ертең қабылдау жоқ. Акимат жабық."}]}],
    }


async def test_without_a_template_for_the_language_the_row_is_dead_with_the_reason(
    onboarded, whatsapp, graph, database, clock
):
    person = await stored(database, language="ru", last_inbound_at=clock.now() - timedelta(days=2))
    await queue_notice(database, person, "Завтра приёма нет.", now=clock.now())
    assert graph.calls == []
    [row] = [row for row in await outbox_rows(database) if row.kind == "notice"]
    assert row.status == "dead" and row.last_error == "outside the 24-hour window; no template to send instead"


async def test_re_engagement_required_takes_the_template_path(onboarded, whatsapp, graph, database):
    person = await stored(database)
    graph.fail_next(131047)
    await queue_notice(database, person, "Хабарландыру")
    assert [call.answered for call in graph.calls] == [400, 200]
    assert graph.sent[0].kind == "template"


async def wait_for_pending(database, kind: str = "notice") -> OutboxMessage:
    """The row once a send failed: waiting for its retry (or, bulk being claimed a moment ahead, claimed for it)."""
    for _ in range(200):
        rows = [row for row in await outbox_rows(database) if row.kind == kind and row.status in ("pending", "sending")]
        if rows and rows[0].last_error:
            return rows[0]
        await asyncio.sleep(0.02)
    raise AssertionError("the row was not tried")


@pytest.mark.parametrize("code", [130429, 80007, 4])
async def test_throttling_pauses_the_channel_for_a_while_and_loses_nothing(
    onboarded, whatsapp, graph, database, clock, code
):
    person = await stored(database)
    graph.fail_next(code)
    await queue_notice(database, person, "Хабарландыру", settle=False)
    row = await wait_for_pending(database)
    assert row.not_before.replace(tzinfo=None) == (clock.now() + timedelta(seconds=5)).replace(tzinfo=None)
    clock.advance(seconds=5)
    database.wakeups.set(["outbox"])
    await settled(database, clock)
    assert [call.answered for call in graph.calls] == [429, 200]


async def test_too_many_messages_to_one_person_waits_for_that_person_only(onboarded, whatsapp, graph, database, clock):
    person = await stored(database)
    graph.fail_next(131056)
    await queue_notice(database, person, "Хабарландыру", settle=False)
    row = await wait_for_pending(database)
    assert "131056" in row.last_error
    async with database.transaction() as session:
        assert await whatsapp_paused(session) is None
    clock.advance(seconds=6)
    database.wakeups.set(["outbox"])
    await settled(database, clock)
    assert [call.answered for call in graph.calls] == [429, 200]


async def whatsapp_paused(session):
    paused = await session.scalar(select(DeliveryPace.paused_until).where(DeliveryPace.channel == "whatsapp"))
    return None if paused is None else as_utc(paused)


@pytest.mark.parametrize("code", [1, 2, 131000, 131016, 133004])
async def test_a_passing_error_is_retried_with_back_off(onboarded, whatsapp, graph, database, clock, code):
    person = await stored(database)
    graph.fail_next(code)
    await queue_notice(database, person, "Хабарландыру", settle=False)
    row = await wait_for_pending(database)
    assert str(code) in row.last_error
    clock.advance(seconds=1)  # the tests' back-off is at most 0.05 s
    database.wakeups.set(["outbox"])
    await settled(database, clock)
    assert graph.sent[-1].body == "Хабарландыру"


async def test_an_undeliverable_contact_is_marked_its_queue_dropped_and_skipped_afterwards(
    onboarded, whatsapp, graph, database
):
    person = await stored(database)
    graph.fail_next(131026)
    await queue_notice(database, person, "Хабарландыру")
    [row] = [row for row in await outbox_rows(database) if row.kind == "notice"]
    assert row.status == "dropped" and "131026" in row.last_error
    person = await contact(database)
    assert person.unreachable_since is not None
    assert await queue_notice(database, person, "Тағы") is NotQueued.UNREACHABLE
    assert len(graph.calls) == 1
    await onboarded.say("/menu")  # they write again: reachable again
    assert (await contact(database)).unreachable_since is None


@pytest.mark.parametrize(
    ("field", "value", "refused"),
    [("consent", "declined", NotQueued.NO_CONSENT), ("status", "stopped", NotQueued.STOPPED)],
)
async def test_no_notice_without_consent_or_after_stop(onboarded, whatsapp, graph, database, field, value, refused):
    person = await stored(database, **{field: value})
    assert await queue_notice(database, person, "Хабарландыру") is refused
    assert graph.calls == []


async def test_a_permanent_error_makes_the_row_dead_with_the_reason(onboarded, whatsapp, graph, database):
    person = await stored(database)
    graph.fail_next(131051)
    await queue_notice(database, person, "Хабарландыру")
    [row] = [row for row in await outbox_rows(database) if row.kind == "notice"]
    assert row.status == "dead" and row.last_error.startswith("131051")


async def test_a_rejected_token_is_a_loud_operator_error_that_pauses_sending(
    onboarded, whatsapp, graph, database, clock, caplog
):
    person = await stored(database)
    graph.fail_next(190)
    await queue_notice(database, person, "Хабарландыру", settle=False)
    await wait_for_pending(database)
    assert any(record.levelname == "CRITICAL" and "WHATSAPP_TOKEN" in record.message for record in caplog.records)
    async with database.transaction() as session:
        assert await whatsapp_paused(session) == clock.now() + timedelta(seconds=60)
    assert await post(onboarded.client, json.dumps(text_payload("/help")).encode()) == 200  # still stored
    await asyncio.sleep(0.3)
    assert len(graph.calls) == 1
    assert {row.status for row in await outbox_rows(database) if row.kind == "answer" and row.status != "sent"} == {
        "pending"
    }


async def test_a_wrong_token_is_refused_by_the_graph_api_the_same_way(engine, graph, database):
    sender = WhatsAppSender("EAAG-wrong", PHONE_NUMBER_ID, TEMPLATES, graph.base_url, engine.clock)
    try:
        async with running_worker(engine, {"whatsapp": sender}):
            async with database.transaction() as session:
                now = engine.clock.now()
                await outbox.queue(
                    session, now=now, channel="whatsapp", address=USER, language="kk", replies=[Reply("Сәлем")]
                )
            row = await wait_for_pending(database, kind="answer")
            assert row.last_error.startswith("190")
    finally:
        await sender.close()


# --- a whole conversation -------------------------------------------------------------------------------


async def test_a_whole_conversation_over_whatsapp(person, graph, database):
    [picker] = await person.say("Сәлеметсіз бе")
    assert picker.kind == "interactive:button"
    assert picker.choices == [("lang:kk", "✓ Қазақша"), ("lang:ru", "Русский"), ("lang:ky", "Кыргызча")]

    chosen, consent = await person.press("lang:kk")
    assert chosen.body == "Тіл: Қазақша"
    assert consent.kind == "interactive:button"
    assert consent.choices == [("consent:yes", "Иә, келісемін"), ("consent:no", "Жоқ, сақтамаңыз")]  # the short form

    [menu] = await person.press("consent:yes")
    assert menu.kind == "interactive:list"
    rows = {row["id"]: row for row in menu.json["interactive"]["action"]["sections"][0]["rows"]}
    assert rows["consent"] == {"id": "consent", "title": "Құпиялық және келісім"}  # 21 characters fit a row
    assert rows["forget"]["title"] == "Деректерімді өшіру"

    [my_data] = await person.press("mydata")  # a list row is pressed like a button
    assert f"whatsapp, {USER}" in my_data.body
    assert "Тіл: Қазақша" in my_data.body

    await person.say("/lang ky")
    [question] = await person.say("/forget")
    assert question.choices == [("forget:yes", "Ооба, өчүрүлсүн"), ("forget:no", "Жок, калсын")]
    [done] = await person.press("forget:yes")
    assert done.kind == "text" and done.body.startswith("Даяр")
    assert await contact(database) is None


# The pre-check's answers for an in-migrant who moved to North Kazakhstan four months ago (see
# tests/test_eligibility_conversation.py): a button id, or `"text` for a typed answer.
MOVED_IN_MIGRANT = ["kz", "in_kz", "no", "yes", '"Жамбыл облысы', '"4', "north_kazakhstan", "unemployed", "yes", "2"]
MOVED_IN_MIGRANT += ["yes", "no", "no"]


async def test_a_whole_conversation_language_consent_eligibility_result_package_pdf(person, graph):
    """Language → consent → the eligibility pre-check → its result → the package for that region → its PDF."""
    await person.say("Сәлем")
    await person.press("lang:kk")
    await person.press("consent:yes")

    offered = (await person.press("elig"))[-1].choice_ids
    for step in MOVED_IN_MIGRANT:
        if step.startswith('"'):
            sent = await person.say(step[1:])
        else:
            assert f"elig:a:{step}" in offered, (step, offered)
            sent = await person.press(f"elig:a:{step}")
        offered = [choice for call in sent for choice in call.choice_ids]
    assert "elig:go" in offered
    result = await person.press("elig:go")
    text = "\n".join(call.body for call in result)
    assert texts("kk").gettext(OUTCOMES["eligible"]) in text
    assert all(len(call.body) <= BODY_LIMIT for call in result if call.kind.startswith("interactive"))
    offered = [choice for call in result for choice in call.choice_ids]
    assert "pkg:for:in_migrant:jambyl:north_kazakhstan" in offered  # the package, already for this move

    offered = (await person.press("pkg:for:in_migrant:jambyl:north_kazakhstan"))[-1].choice_ids
    assert "pkg:hh:done" in offered  # only the household is left to ask
    await person.press("pkg:hh:done")
    start = len(graph.calls)
    await person.press("pkg:pdf")
    upload, document = graph.calls[start : start + 2]
    assert upload.kind == "media"
    assert upload.form["file"]["content"].startswith(b"%PDF")
    assert upload.form["file"]["content_type"] == "application/pdf"
    assert document.kind == "document"
    assert document.json["document"]["id"].startswith("media-")  # the id the upload answered
    assert document.json["document"]["filename"] == "joldas-package-in_migrant-north_kazakhstan-kk.pdf"


# --- `joldas serve` -------------------------------------------------------------------------------------

SERVE_ENV = {
    "WHATSAPP_TOKEN": TOKEN,
    "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
    "WHATSAPP_APP_SECRET": APP_SECRET,
    "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
    "WHATSAPP_TEMPLATE_KK": "joldas_notice:kk",
}


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"WHATSAPP_APP_SECRET": ""}, "WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN are required"),
        ({"WHATSAPP_TEMPLATE_KY": "joldas_notice:xx"}, "WHATSAPP_TEMPLATE_*"),
        ({"WHATSAPP_TEMPLATE_RU": "joldas_notice"}, "template_name:language_code"),
    ],
)
def test_serve_refuses_an_incomplete_whatsapp_configuration(tmp_path, missing, message):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", **SERVE_ENV, **missing}
    result = run_joldas("serve", "--port", "1", env=env)
    assert result.returncode != 0
    assert message in result.stderr


async def test_serve_answers_the_whatsapp_webhook(tmp_path, graph):
    port = free_port()
    env = {
        **os.environ,
        **SERVE_ENV,
        "TELEGRAM_BOT_TOKEN": "",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "WHATSAPP_API_BASE": graph.base_url,
    }
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "serve", "--port", str(port), env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await health_once_up(client))["channels"] == ["whatsapp"]
            query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
            assert await verify(client, **query) == (200, "42")
            assert await post(client, json.dumps(fixture("text")).encode()) == 200
        for _ in range(100):  # stored and answered 200 first; the worker in the process answers the person
            if graph.sent:
                break
            await asyncio.sleep(0.1)
        [picker] = graph.sent
        assert picker.choice_ids == ["lang:kk", "lang:ru", "lang:ky"]
    finally:
        server.terminate()
        await server.wait()
