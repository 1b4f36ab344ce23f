"""The `joldas` command: chat in the terminal, run Telegram, serve webhooks, migrate the database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from aiohttp import web

from bot.app import build_web_app, open_engine
from bot.channels.console import ConsoleChat
from bot.config import Settings, get_settings
from bot.i18n import USER_LANGUAGES
from bot.storage.database import Database

log = logging.getLogger("joldas")


class UsageError(Exception):
    """A setting or argument that makes the command impossible: printed plainly, exit status 2."""


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="joldas", description="Joldas, the messenger assistant for people who move.")
    commands = root.add_subparsers(dest="command", required=True)

    chat = commands.add_parser("chat", help="chat with the bot in this terminal (stdin may be a pipe)")
    chat.add_argument("--user", default="me", help="who you are; use different names to play several people")
    chat.add_argument("--lang", choices=USER_LANGUAGES, help="your messenger's language: preselected in the picker")

    run = commands.add_parser("run", help="run a channel by long polling")
    run.add_argument("channel", choices=["telegram"])

    serve = commands.add_parser("serve", help="serve the webhooks of every configured channel, and GET /health")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)

    db = commands.add_parser("db", help="database schema (Alembic)")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="migrate to the newest schema (or to REVISION)")
    upgrade.add_argument("revision", nargs="?", default="heads")
    downgrade = db_commands.add_parser("downgrade", help="migrate back to REVISION (`base` empties the database)")
    downgrade.add_argument("revision")
    db_commands.add_parser("current", help="print the schema revision the database is at")

    content = commands.add_parser("content", help="the facts in content/")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_check = content_commands.add_parser("check", help="validate every content file; exit 1 on problems")
    content_check.add_argument("--dir", type=Path, default=None, help="another content folder to check")

    from bot.package.command import add_arguments as package_arguments

    package_arguments(commands.add_parser("package", help="a personal pre-departure package: contents, and a PDF"))

    from bot.faq.command import add_arguments as faq_arguments

    faq_arguments(commands)  # `joldas ask`

    eligibility = commands.add_parser("eligibility", help="the regional quota pre-check for a profile, as JSON")
    eligibility.add_argument("--profile", type=Path, required=True, help="the profile, a JSON file (see README)")
    eligibility.add_argument("--quota", type=Path, help="a quota file like content/data/quota-2026.yaml")
    eligibility.add_argument("--today", help="the day of the check, YYYY-MM-DD (default: today)")
    eligibility.add_argument("--lang", choices=USER_LANGUAGES, default="kk", help="the language of the texts")
    return root


async def chat(settings: Settings, args: argparse.Namespace) -> None:
    engine = await open_engine(settings)
    try:
        await ConsoleChat(engine, args.user, args.lang, Path(settings.console_files_dir)).run()
    finally:
        await engine.database.dispose()


def telegram_channel(settings: Settings, engine):
    if not settings.telegram_enabled:
        raise UsageError("TELEGRAM_BOT_TOKEN is not set (see .env.example)")
    from bot.channels.telegram import TelegramChannel  # aiogram takes seconds to import: only when needed

    return TelegramChannel(engine, settings.telegram_bot_token, settings.telegram_api_base)


def whatsapp_channel(settings: Settings, engine):
    if not (settings.whatsapp_app_secret and settings.whatsapp_verify_token):
        raise UsageError("WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN are required to serve the WhatsApp webhook")
    from bot.channels.whatsapp import WhatsAppChannel

    try:
        return WhatsAppChannel(
            engine,
            settings.whatsapp_token,
            settings.whatsapp_phone_number_id,
            settings.whatsapp_api_base,
            settings.whatsapp_templates,
        )
    except ValueError as error:
        raise UsageError(f"WHATSAPP_TEMPLATE_*: a language code WhatsApp does not know: {error}") from error


async def run_channel(settings: Settings, args: argparse.Namespace) -> None:
    engine = await open_engine(settings)
    telegram = telegram_channel(settings, engine)
    try:
        await telegram.run_polling()
    finally:
        await telegram.close()
        await engine.database.dispose()


async def serve(settings: Settings, args: argparse.Namespace) -> None:
    engine = await open_engine(settings)
    channels: list[str] = []
    telegram = whatsapp = None
    if settings.telegram_enabled:
        if not settings.telegram_webhook_secret:
            raise UsageError("TELEGRAM_WEBHOOK_SECRET is required to serve the Telegram webhook")
        telegram = telegram_channel(settings, engine)
        channels.append("telegram")
    if settings.whatsapp_enabled:
        whatsapp = whatsapp_channel(settings, engine)
        channels.append("whatsapp")
    app = build_web_app(engine, channels)
    if telegram is not None:
        telegram.mount_webhook(app, settings.telegram_webhook_secret, settings.telegram_webhook_url)
    if whatsapp is not None:
        whatsapp.mount_webhook(app, settings.whatsapp_app_secret, settings.whatsapp_verify_token)
    log.info("serving on %s:%s, channels: %s", args.host, args.port, ", ".join(channels) or "none (health only)")
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, args.host, args.port).start()
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        for channel in (telegram, whatsapp):
            if channel is not None:
                await channel.close()
        await engine.database.dispose()


async def database(settings: Settings, args: argparse.Namespace) -> None:
    db = Database(settings.database_url)
    try:
        if args.db_command == "upgrade":
            await db.upgrade(args.revision)
        elif args.db_command == "downgrade":
            await db.downgrade(args.revision)
        print(" ".join(await db.current_revisions()) or "base (empty)")
    finally:
        await db.dispose()


COMMANDS = {"chat": chat, "run": run_channel, "serve": serve, "db": database}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "content":
        from bot.content import CONTENT_DIR, check

        return check.main(args.dir or CONTENT_DIR)
    if args.command == "eligibility":
        from bot.eligibility import command

        return command.main(args)
    if args.command == "package":
        from bot.package import command

        return command.main(args)
    if args.command == "ask":
        from bot.faq import command

        return command.ask(args)
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    if args.command == "chat":
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))  # keep the transcript clean
    try:
        asyncio.run(COMMANDS[args.command](settings, args))
    except UsageError as error:
        print(f"joldas: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
