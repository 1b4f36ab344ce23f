"""The composition root: settings in, a working engine (and the web app for webhooks) out."""

from __future__ import annotations

import logging
from datetime import timedelta

from aiohttp import web
from sqlalchemy import text

from bot.config import Settings
from bot.engine import Engine
from bot.storage import repository
from bot.storage.database import Database
from bot.storage.models import utcnow
from handlers import build_router

log = logging.getLogger(__name__)

PROCESSED_UPDATES_KEPT = timedelta(days=7)
MAX_WEBHOOK_BODY = 1024 * 1024  # no real update comes near this; larger bodies are refused with 413


async def open_engine(settings: Settings) -> Engine:
    """On SQLite the schema is migrated here, so a newcomer needs no extra step; PostgreSQL is migrated by
    the operator with `joldas db upgrade`, so several processes never race to migrate."""
    database = Database(settings.database_url)
    if settings.is_sqlite:
        await database.upgrade()
    async with database.transaction() as session:
        await repository.prune_processed(session, utcnow() - PROCESSED_UPDATES_KEPT)
    return Engine(database, build_router(), settings.default_language)


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
    return app
