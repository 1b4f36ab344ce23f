"""`joldas services import FILE.csv [--check]` (the operator's offices, checked then applied as a whole) and
`joldas report referrals [--area A] [--json]` (referral figures)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import get_settings
from bot.returnees import offices, report
from bot.storage.database import Database


def add_arguments(commands, reports) -> None:
    """Adds `services` to the `joldas` subcommands and `referrals` to `joldas report`."""
    services = commands.add_parser("services", help="returnees' services: the operator's offices")
    sub = services.add_subparsers(dest="services_command", required=True)
    load = sub.add_parser("import", help="replace every office with those of a CSV file (all or nothing)")
    load.add_argument("file", type=Path, help="CSV with the columns listed in README (Returnees)")
    load.add_argument("--check", action="store_true", help="only check the file, change nothing")
    services.set_defaults(run_returnees=import_offices)
    referrals = reports.add_parser("referrals", help="returnees' referrals: by need, area, times, outcomes")
    referrals.add_argument("--area", help="a place id: only referrals within it")
    referrals.add_argument("--json", action="store_true")
    referrals.set_defaults(run_returnees=print_report)


async def _database() -> Database:
    from bot.app import load_places

    settings = get_settings()
    database = Database(settings.database_url)
    if database.is_sqlite:
        await database.upgrade()  # as the bot does at every start on SQLite
    await load_places(database)
    return database


async def _import(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        print(f"joldas services: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    rows, problems = offices.read(text)
    database = await _database()
    try:
        async with database.transaction() as session:
            problems += await offices.check(session, rows)
            if problems:
                for problem in sorted(problems, key=lambda each: each.line):
                    print(f"{args.file}: {problem}", file=sys.stderr)
                print(f"joldas services: {len(problems)} problem(s); nothing changed", file=sys.stderr)
                return 1
            if args.check:
                print(f"{len(rows)} office(s) checked, 0 problems; nothing changed (--check)")
                return 0
            count = await offices.replace_all(session, rows, SystemClock().now())
    finally:
        await database.dispose()
    print(f"{count} office(s) imported; the previous ones are replaced")
    return 0


def import_offices(args: argparse.Namespace) -> int:
    return asyncio.run(_import(args))


async def _report(args: argparse.Namespace) -> int:
    database = await _database()
    try:
        async with database.transaction() as session:
            figures = await report.referral_figures(session, args.area)
    except ValueError as error:
        print(f"joldas report: {error}", file=sys.stderr)
        return 2
    finally:
        await database.dispose()
    if args.json:
        print(json.dumps(figures.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"referrals{' in ' + args.area if args.area else ''}: {figures.total}")
    print("by status: " + _pairs(figures.by_status))
    print("by need: " + _pairs(figures.by_need))
    print("by area: " + _pairs(figures.by_area))
    print("outcomes: " + _pairs(figures.outcomes))
    print("asked two weeks later, did it help: " + _pairs(figures.follow_ups))
    print(f"moved up a level: {figures.escalated}")
    print(f"median hours to acceptance: {_value(figures.hours_to_accept_median)}")
    print(f"median hours to closing: {_value(figures.hours_to_close_median)}")
    return 0


def print_report(args: argparse.Namespace) -> int:
    return asyncio.run(_report(args))


def _pairs(counts: dict) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items()) or "—"


def _value(value: float | None) -> str:
    return "—" if value is None else str(value)
