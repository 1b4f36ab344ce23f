"""`joldas tracking timeline|import|token` and `joldas report retention`."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from pathlib import Path

from bot.tracking.deadlines import timeline_data
from bot.tracking.steps import tracking


def add_arguments(commands, reports) -> None:
    """Adds `tracking` to the `joldas` subcommands and `retention` to `joldas report`."""
    root = commands.add_parser("tracking", help="application tracking: timelines, status imports, API tokens")
    sub = root.add_subparsers(dest="tracking_command", required=True)
    timeline = sub.add_parser("timeline", help="each step of a path with its limit, due date and source")
    timeline.add_argument("--path", required=True, choices=tracking().path_ids)
    timeline.add_argument(
        "--submitted", required=True, help="when it was lodged: YYYY-MM-DDTHH:MM (Almaty time) or with an offset"
    )
    timeline.add_argument("--office", default="egov", choices=sorted(tracking().data.offices))
    timeline.add_argument("--json", action="store_true")
    statuses = sub.add_parser("import", help="statuses from a CSV file: checked, then applied as a whole")
    statuses.add_argument("file", type=Path)
    statuses.add_argument("--official", type=int, help="act as this official (their area); default: the operator")
    token = sub.add_parser("token", help="a token for an organisation's status API client (shown once)")
    token.add_argument("--organisation", required=True)
    token.add_argument("--area", required=True, help="a place id: the organisation's area")

    retention = reports.add_parser("retention", help="retention at 12 and 24 months per region and cohort")
    retention.add_argument("--area", help="a place id (default: everything)")
    retention.add_argument("--chart", type=Path, default=Path("retention.svg"), help="where to write the SVG chart")
    retention.add_argument("--lang", choices=("kk", "ru", "ky", "en"), default="en")


def _lodged(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--submitted {text!r} is not a date and time like 2026-03-20T17:45") from None


def timeline(args: argparse.Namespace) -> int:
    try:
        data = timeline_data(tracking(), args.path, _lodged(args.submitted), args.office)
    except ValueError as error:
        print(f"joldas tracking: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"{data['path']} (rules {data['rules_version']}), lodged {data['lodged']} at {data['office']}")
    print(f"counts from {data['counts_from']} (that day not counted)")
    for step in data["steps"]:
        limit = step["limit"]
        shown = "no limit in the Rules" if limit is None else " ".join(str(v) for v in limit.values() if v is not None)
        due = step["due"] or "—"
        mark = " (proposed, not law)" if step["proposed"] else ""
        print(f"  {step['status']:<24} by {step['by']:<24} {shown:<20} due {due:<10}  {step['source']}{mark}")
    if data["standard"]:
        standard = data["standard"]
        print(f"service standard: a decision by {standard['due']} ({standard['source']})")
    if data["continues_as"]:
        print(f"then the second stage: {data['continues_as']}")
    return 0


async def _with_database(work) -> int:
    from bot.app import open_engine
    from bot.config import get_settings

    engine = await open_engine(get_settings())
    try:
        async with engine.database.transaction() as session:
            return await work(session, engine.clock.now())
    finally:
        await engine.database.dispose()


def import_file(args: argparse.Namespace) -> int:
    from bot.officials import access
    from bot.storage.models import Official
    from bot.tracking.csv_import import BadFile, import_statuses

    try:
        content = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        print(f"joldas tracking import: cannot read {args.file}: {error}", file=sys.stderr)
        return 2

    async def work(session, now) -> int:
        official = await session.get(Official, args.official) if args.official else None
        if args.official and official is None:
            print(f"joldas tracking import: no official {args.official}", file=sys.stderr)
            return 2
        try:
            report = await import_statuses(session, content, official, now)
        except BadFile as error:
            print(f"joldas tracking import: {args.file}: {error}", file=sys.stderr)
            return 2
        except access.Denied as denied:
            print(f"joldas tracking import: refused: {denied.reason}", file=sys.stderr)
            return 2
        print("\n".join(report.lines()))
        return 0

    return asyncio.run(_with_database(work))


def issue_token(args: argparse.Namespace) -> int:
    from bot.officials import access
    from bot.tracking.api import issue

    async def work(session, now) -> int:
        try:
            token = await issue(session, args.organisation, args.area, now)
        except access.Denied as denied:
            print(f"joldas tracking token: {args.area}: {denied.reason}", file=sys.stderr)
            return 2
        print(token)
        print("keep it secret: it is shown once; only its hash is stored", file=sys.stderr)
        return 0

    return asyncio.run(_with_database(work))


def report_retention(args: argparse.Namespace) -> int:
    from bot import places
    from bot.clock import local_time
    from bot.i18n import texts
    from bot.tracking import retention

    t = texts(args.lang)

    async def work(session, now) -> int:
        area = await places.get(session, args.area) if args.area else None
        if args.area and area is None:
            print(f"joldas report retention: no place {args.area!r}", file=sys.stderr)
            return 2
        rows = await retention.table(session, area, local_time(now, "KZ").date())
        print(retention.as_text(t, rows))
        if rows:
            try:
                args.chart.write_bytes(retention.chart(retention.chart_args(t, rows)))
            except OSError as error:
                print(f"joldas report retention: --chart: cannot write {args.chart}: {error.strerror}", file=sys.stderr)
                return 2
            print(f"chart: {args.chart}")
        return 0

    return asyncio.run(_with_database(work))


def main(args: argparse.Namespace) -> int:
    if args.command == "report":
        return {"retention": report_retention}[args.report_command](args)
    return {"timeline": timeline, "import": import_file, "token": issue_token}[args.tracking_command](args)
