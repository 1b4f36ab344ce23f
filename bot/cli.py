"""The `joldas` command: chat in the terminal, run Telegram, serve webhooks, run the delivery worker, look
after the outbox, migrate the database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

import asyncpg
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot import heap
from bot.app import (
    Channels,
    NotConfigured,
    build_web_app,
    load_places,
    mount_webhooks,
    open_channels,
    open_engine,
)
from bot.channels.console import ConsoleChat, ConsoleSender, valid_user
from bot.config import Settings, get_settings
from bot.delivery.worker import Worker
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
    serve.add_argument("--no-worker", action="store_true", help="only receive; `joldas worker` processes and sends")

    commands.add_parser("worker", help="process the inbox, send the outbox, fire timers (any number may run)")

    telegram = commands.add_parser("telegram", help="Telegram set-up")
    telegram_commands = telegram.add_subparsers(dest="telegram_command", required=True)
    telegram_commands.add_parser(
        "set-webhook", help="register TELEGRAM_WEBHOOK_URL with TELEGRAM_WEBHOOK_SECRET with Telegram (once)"
    )

    outbox = commands.add_parser("outbox", help="what waits to be sent: counts, the oldest, dead rows")
    outbox_commands = outbox.add_subparsers(dest="outbox_command")
    outbox_commands.add_parser("show", help="counts by status, the oldest waiting, the newest dead rows (default)")
    for name, what in (("retry", "queue dead rows again"), ("drop", "delete dead rows")):
        action = outbox_commands.add_parser(name, help=what)
        action.add_argument("ids", nargs="*", type=int, help="row ids (default: every dead row)")

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

    faq_arguments(commands)  # `joldas ask` and `joldas faq gaps`

    from bot.places.command import add_arguments as places_arguments

    places_arguments(commands)  # `joldas places search|import|load`

    from bot.officials.command import add_arguments as officials_arguments

    officials_arguments(commands)  # `joldas officials invite|list|suspend|revoke|reinstate|audit`

    reports = commands.add_parser("report", help="figures for operators and officials").add_subparsers(
        dest="report_command", required=True
    )

    from bot.tracking.command import add_arguments as tracking_arguments

    tracking_arguments(commands, reports)  # `joldas tracking …` and `joldas report retention`

    from bot.returnees.command import add_arguments as returnees_arguments

    returnees_arguments(commands, reports)  # `joldas services import` and `joldas report referrals`

    from bot.broadcasts.command import add_arguments as broadcast_arguments

    broadcast_arguments(commands)  # `joldas broadcast …` and `joldas demo seed`

    eligibility = commands.add_parser("eligibility", help="the regional quota pre-check for a profile, as JSON")
    eligibility.add_argument("--profile", type=Path, required=True, help="the profile, a JSON file (see README)")
    eligibility.add_argument("--quota", type=Path, help="a quota file like content/data/quota-2026.yaml")
    eligibility.add_argument("--today", help="the day of the check, YYYY-MM-DD (default: today)")
    eligibility.add_argument("--lang", choices=USER_LANGUAGES, default="kk", help="the language of the texts")
    return root


async def chat(settings: Settings, args: argparse.Namespace) -> None:
    try:
        valid_user(args.user)
    except ValueError as error:
        raise UsageError(str(error)) from error
    engine = await open_engine(settings)
    sender = ConsoleSender(sys.stdout, Path(settings.console_files_dir))
    worker = Worker(engine, {"console": sender}, settings.worker(process_inbox=False))
    heap.settle()
    await worker.start()
    try:
        await ConsoleChat(engine, sender, args.user, args.lang).run()
    finally:
        await worker.stop()
        await engine.database.dispose()


def configured(settings: Settings, engine, **which: bool) -> Channels:
    try:
        return open_channels(settings, engine, **which)
    except NotConfigured as error:
        raise UsageError(str(error)) from error


async def run_channel(settings: Settings, args: argparse.Namespace) -> None:
    engine = await open_engine(settings)
    if not settings.telegram_enabled:
        raise UsageError("TELEGRAM_BOT_TOKEN is not set (see .env.example)")
    channels = configured(settings, engine)
    worker = Worker(engine, channels.senders, settings.worker())
    heap.settle()
    await worker.start()
    try:
        await channels.telegram.run_polling()
    finally:
        await worker.stop()
        await channels.close()
        await engine.database.dispose()


async def serve(settings: Settings, args: argparse.Namespace) -> None:
    engine = await open_engine(settings)
    channels = configured(settings, engine)
    app = build_web_app(engine, channels.names)
    try:
        mount_webhooks(app, settings, channels)
    except NotConfigured as error:
        raise UsageError(str(error)) from error
    worker = None if args.no_worker else Worker(engine, channels.senders, settings.worker())
    runner = web.AppRunner(app)
    await runner.setup()
    heap.settle()
    try:
        await web.TCPSite(runner, args.host, args.port).start()
    except OSError as error:
        await runner.cleanup()
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from error
    log.info("serving on %s:%s, channels: %s", args.host, args.port, ", ".join(channels.names) or "none (health only)")
    if worker is not None:
        await worker.start()
    try:
        await asyncio.Event().wait()
    finally:
        if worker is not None:
            await worker.stop()
        await runner.cleanup()
        await channels.close()
        await engine.database.dispose()


async def work(settings: Settings, args: argparse.Namespace) -> None:
    engine = await open_engine(settings)
    channels = configured(settings, engine)
    log.info("worker started; sending for: %s", ", ".join(channels.senders) or "no channel configured")
    heap.settle()
    try:
        await Worker(engine, channels.senders, settings.worker()).run()
    finally:
        await channels.close()
        await engine.database.dispose()


async def telegram_setup(settings: Settings, args: argparse.Namespace) -> None:
    if not (settings.telegram_bot_token and settings.telegram_webhook_url and settings.telegram_webhook_secret):
        raise UsageError("set TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET first")
    from bot.channels.telegram import bot_for, set_webhook

    bot = bot_for(settings.telegram_bot_token, settings.telegram_api_base)
    try:
        await set_webhook(bot, settings.telegram_webhook_url, settings.telegram_webhook_secret)
    finally:
        await bot.session.close()
    print(f"webhook registered: {settings.telegram_webhook_url}")


async def outbox_command(settings: Settings, args: argparse.Namespace) -> None:
    from bot.delivery import operations

    engine = await open_engine(settings)
    try:
        print(await operations.run(engine, args.outbox_command or "show", getattr(args, "ids", None)))
    finally:
        await engine.database.dispose()


async def database(settings: Settings, args: argparse.Namespace) -> None:
    db = Database(settings.database_url)
    try:
        if args.db_command == "upgrade":
            await db.upgrade(args.revision)
            if args.revision == "heads":
                await load_places(db)
        elif args.db_command == "downgrade":
            await db.downgrade(args.revision)
        print(" ".join(await db.current_revisions()) or "base (empty)")
    finally:
        await db.dispose()


async def faq_gaps(settings: Settings, args: argparse.Namespace) -> None:
    from bot.faq.command import list_gaps

    await list_gaps(settings.database_url, args)


async def officials(settings: Settings, args: argparse.Namespace) -> None:
    from bot.officials import command

    await command.run(settings, args)


async def places_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.places import command

    return await command.run(settings.database_url, args)


COMMANDS = {
    "chat": chat,
    "run": run_channel,
    "serve": serve,
    "worker": work,
    "telegram": telegram_setup,
    "outbox": outbox_command,
    "db": database,
    "faq": faq_gaps,
    "places": places_command,
    "officials": officials,
}


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
    if getattr(args, "run_returnees", None) is not None:  # services import, report referrals
        return args.run_returnees(args)
    if args.command in ("broadcast", "demo"):
        from bot.broadcasts import command

        return command.main(args)
    if args.command in ("tracking", "report"):
        from bot.tracking import command

        return command.main(args)
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    if args.command == "chat":
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))  # keep the transcript clean
    status = 0
    try:
        status = asyncio.run(COMMANDS[args.command](settings, args)) or 0
    except UsageError as error:
        print(f"joldas: {error}", file=sys.stderr)
        return 2
    except (OSError, SQLAlchemyError, asyncpg.PostgresError) as error:
        said = str(getattr(error, "orig", None) or error).strip()
        reason = said.splitlines()[0] if said else type(error).__name__
        print(f"joldas: the database cannot be used: {reason}", file=sys.stderr)
        print("joldas: check DATABASE_URL, that the server runs and that the database exists", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return status


if __name__ == "__main__":
    sys.exit(main())
