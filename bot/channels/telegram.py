"""Telegram through aiogram 3: long polling or webhook, inline keyboards, callback queries answered."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.channels.text import split_text
from bot.conversation import Incoming, Reply
from bot.engine import Engine

log = logging.getLogger(__name__)

CHANNEL = "telegram"
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
ALLOWED_UPDATES = ["message", "callback_query"]


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=button.label, callback_data=button.id) for button in row]
            for row in reply.buttons
        ]
    )


class TelegramChannel:
    def __init__(self, engine: Engine, token: str, api_base: str | None = None):
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base)) if api_base else AiohttpSession()
        self.engine = engine
        self.bot = Bot(token, session=session)
        self.dispatcher = Dispatcher()
        # A private chat only: in a group the bot would answer everyone's every message.
        self.dispatcher.message.register(self.on_message, F.chat.type == "private")
        self.dispatcher.callback_query.register(self.on_callback)

    async def on_message(self, message: Message, event_update: Update) -> None:
        language = message.from_user.language_code if message.from_user else None
        incoming = Incoming(
            CHANNEL, str(message.chat.id), str(event_update.update_id), text=message.text, language_hint=language
        )
        await self.send(message.chat.id, await self.engine.handle(incoming))

    async def on_callback(self, query: CallbackQuery, event_update: Update) -> None:
        await query.answer()  # stops the button's spinner at once, whatever follows
        chat_id = query.message.chat.id if query.message else query.from_user.id
        incoming = Incoming(
            CHANNEL,
            str(chat_id),
            str(event_update.update_id),
            button=query.data or "",
            language_hint=query.from_user.language_code,
        )
        await self.send(chat_id, await self.engine.handle(incoming))

    async def send(self, chat_id: int, replies: list[Reply]) -> None:
        try:
            for reply in replies:
                if reply.document is not None:
                    file = BufferedInputFile(reply.document.content, filename=reply.document.filename)
                    await self.bot.send_document(chat_id, file, caption=reply.document.caption[:CAPTION_LIMIT] or None)
                parts = split_text(reply.text, MESSAGE_LIMIT)
                for number, part in enumerate(parts, start=1):
                    markup = keyboard(reply) if number == len(parts) else None
                    await self.bot.send_message(chat_id, part, reply_markup=markup)
        except TelegramAPIError:
            log.exception("could not send to telegram chat %s", chat_id)

    async def run_polling(self, polling_timeout: int = 30, handle_signals: bool = True) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        await self.dispatcher.start_polling(
            self.bot,
            allowed_updates=ALLOWED_UPDATES,
            polling_timeout=polling_timeout,
            handle_signals=handle_signals,
            close_bot_session=False,
        )

    def mount_webhook(self, app: web.Application, secret: str, public_url: str | None = None) -> None:
        """Serves POST /webhook/telegram on `app`; with `public_url`, registers it with Telegram at start."""
        WebhookHandler(self.dispatcher, self.bot, secret_token=secret).register(app, path="/webhook/telegram")
        if public_url:

            async def register_webhook(_app: web.Application) -> None:
                await self.bot.set_webhook(public_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

            app.on_startup.append(register_webhook)

    async def close(self) -> None:
        await self.bot.session.close()


class WebhookHandler(SimpleRequestHandler):
    """aiogram's handler, answering a malformed body with 400 instead of a server error."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret_token: str):
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret_token)

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            return await super()._handle_request(bot, request)
        except ValueError as error:  # bad JSON, or JSON that is no Update (pydantic's error is a ValueError)
            log.warning("malformed telegram webhook body: %s", str(error)[:200])
            return web.Response(status=400, text="malformed update")
