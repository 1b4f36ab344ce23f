"""Telegram through aiogram 3's client: updates in (long polling or webhook) to the inbox, outbox rows out.

Receiving only stores: the webhook answers 200 once the update is in the inbox (503 when it cannot be stored,
so Telegram sends it again); long polling confirms an offset only after the updates before it are stored.
Sending is `TelegramSender`'s, called by the worker, one outbox row at a time, each Bot API error mapped to
what the worker should do (docs: https://core.telegram.org/bots/api#making-requests and the error table in
`tests/test_telegram_sender.py`).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from aiogram.types import BufferedInputFile, Update
from aiohttp import web
from pydantic import ValidationError

from bot.channels import telegram_media
from bot.channels.telegram_render import CHANNEL, callback_answer
from bot.conversation import Incoming
from bot.delivery import documents
from bot.delivery.outbox import Outgoing
from bot.delivery.senders import Failed, RecipientGone, RetryLater, SendResult, Sent
from bot.engine import Engine
from bot.media.files import Fetched, MediaFiles, Ready

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
# What a message may carry besides text, and the Message field that holds it (the first present is named).
ATTACHMENTS = (
    ("voice", "voice"),
    ("audio", "audio"),
    ("photo", "photo"),
    ("video", "video"),
    ("video", "video_note"),
    ("document", "document"),
)
JSON_BODY = {"Content-Type": "application/json"}
WEBHOOK_PATH = "/webhook/telegram"
TOKEN_PAUSE = 60.0  # seconds the channel waits after Telegram refused the token, before trying again
# A 400 that means the person is gone rather than that the message was wrong.
GONE_DESCRIPTIONS = ("chat not found", "user not found", "peer_id_invalid", "user is deactivated")


def bot_for(token: str, api_base: str | None = None) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base)) if api_base else AiohttpSession()
    return Bot(token, session=session)


def incoming_from(update: Update) -> Incoming | None:
    """A private message or a pressed button, as the engine reads it; None for anything else (groups,
    channel posts, edits), which the bot does not answer."""
    update_id = str(update.update_id)
    if update.message is not None:
        message = update.message
        if message.chat.type != "private":
            return None  # in a group the bot would answer everyone's every message
        language = message.from_user.language_code if message.from_user else None
        kind, field = next(((kind, name) for kind, name in ATTACHMENTS if getattr(message, name, None)), (None, None))
        file = carried(message, field)
        return Incoming(
            CHANNEL,
            str(message.chat.id),
            update_id,
            text=message.text,
            language_hint=language,
            attachment=kind,
            # a video note cannot be sent again as a video: it is passed on as a label only
            attachment_ref=file.file_id if file is not None and field != "video_note" else None,
            attachment_mime=getattr(file, "mime_type", None),
            attachment_name=getattr(file, "file_name", None),
            attachment_size=getattr(file, "file_size", None),
            caption=message.caption,
        )
    if update.callback_query is not None:
        query = update.callback_query
        chat_id = query.message.chat.id if query.message else query.from_user.id
        return Incoming(
            CHANNEL,
            str(chat_id),
            update_id,
            button=query.data or "",
            language_hint=query.from_user.language_code,
            receipt=callback_answer(query.id),
        )
    return None


def carried(message, field: str | None):
    """The file a message carried (of a photo, the largest size), or None."""
    if field is None:
        return None
    found = getattr(message, field)
    return found[-1] if isinstance(found, list) else found


class TelegramChannel:
    """Receives: long polling or the webhook, into the inbox."""

    def __init__(self, engine: Engine, bot: Bot):
        self.engine = engine
        self.bot = bot

    async def store(self, updates: list[Update]) -> None:
        await self.engine.receive([incoming for update in updates if (incoming := incoming_from(update))])

    async def run_polling(self, polling_timeout: int = 30, retry_every: float = 2.0) -> None:
        """Long polling. An offset is confirmed (by asking from the next one) only after the updates before
        it are stored; while the database is away the same updates are stored again and again, never lost."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        offset: int | None = None
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=polling_timeout, allowed_updates=ALLOWED_UPDATES
                )
            except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter, aiohttp.ClientError) as error:
                wait = error.retry_after if isinstance(error, TelegramRetryAfter) else retry_every
                log.warning("getUpdates failed (%s); again in %.0f s", error, wait)
                await asyncio.sleep(wait)
                continue
            if not updates:
                continue
            while True:
                try:
                    await self.store(updates)
                    break
                except Exception:
                    log.exception("could not store %d updates; trying again in %.0f s", len(updates), retry_every)
                    await asyncio.sleep(retry_every)
            offset = updates[-1].update_id + 1

    def mount_webhook(self, app: web.Application, secret: str) -> None:
        """Serves POST /webhook/telegram on `app`: the secret header checked, the update stored, 200."""

        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                log.warning("telegram webhook call without the right secret refused")
                return web.Response(status=401, text="unauthorized")
            body = await request.read()
            try:
                update = Update.model_validate_json(body, context={"bot": self.bot})
            except (ValidationError, ValueError) as error:
                log.warning("malformed telegram webhook body: %s", str(error)[:200])
                return web.Response(status=400, text="malformed update")
            try:
                await self.store([update])
            except Exception:
                log.exception("telegram update %s could not be stored; Telegram will send it again", update.update_id)
                return web.Response(status=503, text="try again")
            return web.Response(text="ok")

        app.router.add_post(WEBHOOK_PATH, receive)

    async def close(self) -> None:
        await self.bot.session.close()


async def set_webhook(bot: Bot, url: str, secret: str) -> None:
    """Registers the webhook with Telegram: a one-off command, not something every process does at start."""
    await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)


def inline_keyboard(rows: list[list[dict]]) -> dict:
    """A rendered keyboard as the Bot API's `reply_markup` object."""
    return {
        "inline_keyboard": [
            [{"text": button["text"], "callback_data": button["data"]} for button in row] for row in rows
        ]
    }


class TelegramSender:
    channel = CHANNEL

    def __init__(self, bot: Bot, media: MediaFiles | None = None):
        self.bot = bot
        self.media = media  # files from other platforms (bot.media.files.attach sets it)

    async def send(self, message: Outgoing) -> SendResult:
        try:
            return await self._send(int(message.address), message.payload)
        except TelegramRetryAfter as error:
            return RetryLater(f"429: {error.message}", after=float(error.retry_after), pause_channel=True)
        except TelegramForbiddenError as error:  # 403: blocked by the user, deactivated, cannot initiate
            return RecipientGone(f"403: {error.message}")
        except TelegramUnauthorizedError as error:
            log.critical("Telegram refused the bot token (%s): set a valid TELEGRAM_BOT_TOKEN", error.message)
            return RetryLater(f"401: {error.message}", after=TOKEN_PAUSE, pause_channel=True)
        except TelegramEntityTooLarge as error:
            return Failed(f"413: {error.message}")
        except (TelegramBadRequest, TelegramNotFound) as error:
            if any(gone in error.message.lower() for gone in GONE_DESCRIPTIONS):
                return RecipientGone(f"400: {error.message}")
            return Failed(f"400: {error.message}")
        except (TelegramServerError, TelegramNetworkError, aiohttp.ClientError, TimeoutError) as error:
            return RetryLater(f"{type(error).__name__}: {error}")
        except TelegramAPIError as error:  # anything else Telegram said no to: sending it again will not help
            return Failed(f"{type(error).__name__}: {error.message}")

    async def _send(self, chat_id: int, payload: dict) -> SendResult:
        match payload["type"]:
            case "text":
                fields = {"chat_id": chat_id, "text": payload["text"]}
                if payload.get("keyboard"):
                    fields["reply_markup"] = inline_keyboard(payload["keyboard"])
                result = await self._call(SendMessage, fields)
                return Sent(str(result["message_id"]))
            case "document":
                document = documents.from_payload(payload["document"])
                content = await documents.build(document)
                file = BufferedInputFile(content, filename=document.filename)
                sent = await self.bot.send_document(chat_id, file, caption=payload.get("caption") or None)
            case "media" if "stored" in payload:
                return await self._send_stored(chat_id, payload)
            case "media":  # a file that came by Telegram goes on by its file_id, without a download
                send = getattr(self.bot, telegram_media.UPLOAD[payload["kind"]])
                sent = await send(chat_id, payload["file_id"], caption=payload.get("label") or None)
            case "callback_answer":
                await self._call(AnswerCallbackQuery, {"callback_query_id": payload["id"]})
                return Sent()
            case other:
                return Failed(f"not a telegram payload: {other!r}")
        return Sent(str(sent.message_id))

    async def _send_stored(self, chat_id: int, payload: dict) -> SendResult:
        """A file from another platform (bot.media): fetched there at the first try, uploaded here."""
        if self.media is None:
            return Failed("no media store in this process")
        file = await self.media.ready(payload["stored"], CHANNEL)
        if not isinstance(file, Ready):
            return file
        sent = await telegram_media.upload(self.bot, chat_id, file, payload.get("label"))
        await self.media.delivered(file.id)
        return Sent(str(sent.message_id))

    async def fetch(self, file_id: str, limit: int) -> Fetched:
        """A file a person sent here, for another platform (bot.media.files.Fetcher)."""
        return await telegram_media.fetch(self.bot, file_id, limit)

    async def _call(self, method: type[TelegramMethod], fields: dict[str, Any]) -> Any:
        """Calls the Bot API with a JSON body through the bot's own aiohttp session and returns the `result`.

        aiogram's own call encodes a form and builds pydantic models of the answer, most of the worker's time
        per message (docs/performance.md); this skips both. A refusal is read by aiogram's `check_response`, so
        every error is the aiogram exception it would be for aiogram's own call, mapped in `send` as before.
        """
        session = self.bot.session
        http = await session.create_session()
        url = session.api.api_url(token=self.bot.token, method=method.__api_method__)
        async with http.post(
            url, data=json.dumps(fields), headers=JSON_BODY, timeout=aiohttp.ClientTimeout(total=session.timeout)
        ) as response:
            status, content = response.status, await response.text()
        try:
            answer = json.loads(content)
        except ValueError:
            answer = None
        if not (200 <= status < 300 and isinstance(answer, dict) and answer.get("ok")):
            session.check_response(self.bot, method(**fields), status, content)  # raises the refusal's exception
        return answer["result"]

    def instead_outside_window(self, message: Outgoing) -> None:
        return None  # Telegram has no such window

    async def close(self) -> None:
        await self.bot.session.close()
