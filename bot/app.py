"""The composition root: settings in, a working engine, the channels, their senders and the web app out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiohttp import web
from sqlalchemy import text

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.senders import Sender
from bot.engine import Engine
from bot.storage.database import Database
from handlers import build_router

log = logging.getLogger(__name__)

MAX_WEBHOOK_BODY = 1024 * 1024  # no real update comes near this; larger bodies are refused with 413


class NotConfigured(Exception):
    """A channel asked for whose settings are missing or wrong: said plainly to the operator."""


async def open_engine(settings: Settings, clock: Clock | None = None) -> Engine:
    """On SQLite the schema is migrated here, so a newcomer needs no extra step; PostgreSQL is migrated by
    the operator with `joldas db upgrade`, so several processes never race to migrate."""
    database = Database(settings.database_url, settings.pool)
    if settings.is_sqlite:
        await database.upgrade()
    await load_places(database)
    return Engine(database, build_router(), settings.default_language, clock)


async def load_places(database: Database) -> None:
    """The places of content/places/ that the database lacks (all, when it is new): see bot.places."""
    from bot.places import ensure_loaded

    async with database.transaction() as session:
        await ensure_loaded(session)


@dataclass
class Channels:
    """The messengers configured: what receives (for webhooks and polling) and what sends (for the worker)."""

    telegram: object | None = None  # bot.channels.telegram.TelegramChannel (aiogram is imported only when used)
    whatsapp: object | None = None  # bot.channels.whatsapp.WhatsAppChannel
    senders: dict[str, Sender] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [name for name in ("telegram", "whatsapp") if getattr(self, name) is not None]

    async def close(self) -> None:
        for sender in self.senders.values():
            await sender.close()


def open_channels(settings: Settings, engine: Engine, telegram: bool = True, whatsapp: bool = True) -> Channels:
    """Every configured messenger (of those asked for), with its sender."""
    channels = Channels()
    if telegram and settings.telegram_enabled:
        from bot.channels.telegram import TelegramChannel, TelegramSender, bot_for  # aiogram is slow to import

        bot = bot_for(settings.telegram_bot_token, settings.telegram_api_base)
        channels.telegram = TelegramChannel(engine, bot)
        channels.senders["telegram"] = TelegramSender(bot)
    if whatsapp and settings.whatsapp_enabled:
        from bot.channels.whatsapp import Templates, WhatsAppChannel, WhatsAppSender

        try:
            templates = Templates(settings.whatsapp_templates)
        except ValueError as error:
            raise NotConfigured(f"WHATSAPP_TEMPLATE_*: a language code WhatsApp does not know: {error}") from error
        channels.whatsapp = WhatsAppChannel(engine, settings.whatsapp_phone_number_id, templates)
        channels.senders["whatsapp"] = WhatsAppSender(
            settings.whatsapp_token,
            settings.whatsapp_phone_number_id,
            templates,
            settings.whatsapp_api_base,
            engine.clock,
        )
    from bot.media.files import attach

    attach(channels.senders, engine.database, engine.clock)  # files of conversations, fetched across channels
    return channels


def build_web_app(engine: Engine, channels: list[str]) -> web.Application:
    app = web.Application(client_max_size=MAX_WEBHOOK_BODY)

    async def health(_request: web.Request) -> web.Response:
        try:
            async with engine.database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            log.exception("health check: database unreachable")
            return web.json_response({"status": "error", "database": "unreachable", "channels": channels}, status=503)
        return web.json_response({"status": "ok", "database": "ok", "channels": channels})

    app.router.add_get("/health", health)
    from bot.tracking import api as tracking_api

    tracking_api.mount(app, engine.database, engine.clock)  # the status API for organisations (issue 12)
    return app


def mount_webhooks(app: web.Application, settings: Settings, channels: Channels) -> None:
    if channels.telegram is not None:
        if not settings.telegram_webhook_secret:
            raise NotConfigured("TELEGRAM_WEBHOOK_SECRET is required to serve the Telegram webhook")
        channels.telegram.mount_webhook(app, settings.telegram_webhook_secret)
    if channels.whatsapp is not None:
        if not (settings.whatsapp_app_secret and settings.whatsapp_verify_token):
            raise NotConfigured(
                "WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN are required to serve the WhatsApp webhook"
            )
        channels.whatsapp.mount_webhook(app, settings.whatsapp_app_secret, settings.whatsapp_verify_token)
