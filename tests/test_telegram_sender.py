"""What each documented Bot API refusal means for an outbox row: aiogram's real client against the loopback
fake, which answers as the Bot API does (https://core.telegram.org/bots/api#making-requests)."""

import pytest

from bot.channels.telegram import TelegramSender, bot_for
from bot.delivery.outbox import Outgoing
from bot.delivery.senders import Failed, RecipientGone, RetryLater, Sent
from tests.fake_telegram import TOKEN, FakeBotAPI

CHAT = "5550001"


@pytest.fixture
async def api():
    fake = FakeBotAPI()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def sender(api):
    sender = TelegramSender(bot_for(TOKEN, api.base_url))
    yield sender
    await sender.close()


def text_row(text: str = "Сәлем") -> Outgoing:
    return Outgoing(1, "telegram", CHAT, "answer", {"type": "text", "text": text}, 7, 1)


REFUSALS = [
    # (HTTP code, description as Telegram words it, parameters) → what the worker is told
    (429, "Too Many Requests: retry after 7", {"retry_after": 7}, RetryLater),
    (403, "Forbidden: bot was blocked by the user", {}, RecipientGone),
    (403, "Forbidden: user is deactivated", {}, RecipientGone),
    (403, "Forbidden: bot can't initiate conversation with a user", {}, RecipientGone),
    (400, "Bad Request: chat not found", {}, RecipientGone),
    (400, "Bad Request: message is too long", {}, Failed),
    (400, "Bad Request: can't parse entities", {}, Failed),
    (401, "Unauthorized", {}, RetryLater),
    (500, "Internal Server Error", {}, RetryLater),
    (502, "Bad Gateway", {}, RetryLater),
]


@pytest.mark.parametrize(("code", "description", "parameters", "expected"), REFUSALS, ids=[r[1] for r in REFUSALS])
async def test_each_refusal_maps_to_what_the_worker_should_do(api, sender, code, description, parameters, expected):
    api.fail_next(code, description, **parameters)
    result = await sender.send(text_row())
    assert type(result) is expected
    assert str(code) in result.reason or expected is RetryLater


async def test_429_names_the_wait_and_pauses_the_channel(api, sender):
    api.fail_next(429, "Too Many Requests: retry after 7", retry_after=7)
    result = await sender.send(text_row())
    assert isinstance(result, RetryLater) and (result.after, result.pause_channel) == (7.0, True)
    assert result.reason.startswith("429")


async def test_a_server_error_retries_with_back_off_not_a_pause(api, sender):
    api.fail_next(500, "Internal Server Error")
    result = await sender.send(text_row())
    assert result.after is None and not result.pause_channel


async def test_an_accepted_message_returns_telegrams_message_id(api, sender):
    result = await sender.send(text_row())
    assert isinstance(result, Sent) and result.message_id.isdigit()
    assert api.calls[-1].params["text"] == "Сәлем"


async def test_a_callback_answer_stops_the_spinner(api, sender):
    row = Outgoing(2, "telegram", CHAT, "answer", {"type": "callback_answer", "id": "cq1"}, 7, 1)
    assert await sender.send(row) == Sent()
    assert api.calls[-1].method == "answerCallbackQuery" and api.calls[-1].params["callback_query_id"] == "cq1"


async def test_an_unreachable_api_is_retried(sender):
    await sender.close()
    unreachable = TelegramSender(bot_for(TOKEN, "http://127.0.0.1:9"))  # nothing listens on the discard port
    try:
        result = await unreachable.send(text_row())
    finally:
        await unreachable.close()
    assert isinstance(result, RetryLater) and result.after is None
