"""`joldas broadcast create|send|cancel|again|status` for operators and scripts, and `joldas demo seed` (synthetic
people for demos and benchmarks). The worker (`joldas worker`, `joldas serve`) does the sending."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from bot.app import open_engine
from bot.broadcasts import audience, demo, manage, schedule
from bot.broadcasts.report import report
from bot.config import Settings, get_settings
from bot.engine import Engine
from bot.i18n import USER_LANGUAGES
from bot.officials import access
from bot.storage.models import Broadcast, Official, as_utc

BAR = 30  # characters of the progress bar


def add_arguments(commands) -> None:
    broadcast = commands.add_parser("broadcast", help="notices to the people of an area (see README: Broadcasts)")
    actions = broadcast.add_subparsers(dest="broadcast_command", required=True)
    create = actions.add_parser("create", help="write a broadcast; prints its id and recipients as JSON")
    create.add_argument("--area", required=True, help="a place id (KZ, KG, a region, district, ...)")
    create.add_argument(
        "--audience",
        default="everyone",
        help=f"{', '.join(audience.AUDIENCES)}, or stage:STATUS (people whose application is at STATUS)",
    )
    create.add_argument("--text", action="append", required=True, metavar="LANG=TEXT", help="kk=…, ru=…, ky=…")
    create.add_argument("--fallback", choices=USER_LANGUAGES, help="for people whose language has no text")
    create.add_argument("--at", help="send at this local time of the area (YYYY-MM-DD HH:MM); without it: a draft")
    create.add_argument("--repeat", choices=schedule.REPEATS, default="once", help="with --at: weekly or monthly")
    create.add_argument("--org", help="the organisation named in the notice (an official's own is used with --as)")
    create.add_argument("--silent-months", type=int, help="leave out people silent for longer than this")
    for name, what in (
        ("send", "send a draft now"),
        ("cancel", "stop what is not yet sent, and every repetition"),
        ("again", "send again to those it failed for a reason that has passed"),
        ("status", "the report (a progress bar while it sends)"),
    ):
        action = actions.add_parser(name, help=what)
        action.add_argument("id", type=int)
        if name == "status":
            action.add_argument("--json", action="store_true", help="print the report as JSON, once")
    for action in actions.choices.values():
        action.add_argument("--as", dest="actor", type=int, metavar="OFFICIAL", help="act as this official (id)")

    demo_parser = commands.add_parser("demo", help="synthetic data for demos and benchmarks")
    demo_actions = demo_parser.add_subparsers(dest="demo_command", required=True)
    seed = demo_actions.add_parser("seed", help="make synthetic people: consented, spread over areas, kinds, languages")
    seed.add_argument("--contacts", type=int, required=True)
    seed.add_argument("--channel", choices=demo.CHANNELS, default="telegram")
    seed.add_argument("--first-id", type=int, default=demo.FIRST_ID, help="the first messenger id")
    seed.add_argument("--area", help="only places within this area (KZ, KG, a region...)")


class Refused(Exception):
    """Not allowed (audited), or impossible as asked."""


def main(args: argparse.Namespace) -> int:
    try:
        asyncio.run(run(get_settings(), args))
    except Refused as error:
        print(f"joldas: {error}", file=sys.stderr)
        return 2
    return 0


async def run(settings: Settings, args: argparse.Namespace) -> None:
    """Raises Refused (said in a line, exit status 2) for what may not or cannot be done."""
    engine = await open_engine(settings)
    try:
        if args.command == "demo":
            try:
                async with engine.database.transaction() as session:
                    made = await demo.seed(
                        session, args.contacts, args.channel, args.first_id, engine.clock.now(), args.area
                    )
            except (demo.Taken, LookupError) as error:
                raise Refused(str(error)) from error
            print(demo.describe(made))
        elif args.broadcast_command == "status":
            await status(engine, args)
        else:
            print(json.dumps(await act(engine, args), ensure_ascii=False, indent=2))
    finally:
        await engine.database.dispose()


async def act(engine: Engine, args: argparse.Namespace) -> dict:
    now = engine.clock.now()
    async with engine.database.transaction() as session:
        try:
            actor = await _actor(session, args.actor, now)
            if args.broadcast_command == "create":
                broadcast = await _create(session, actor, args, now)
                return {**_summary(broadcast), "recipients": (await manage.preview(session, broadcast, now)).as_dict()}
            action = {"send": "broadcast.send", "cancel": "broadcast.cancel", "again": "broadcast.send_again"}
            broadcast = await manage.find(session, actor, action[args.broadcast_command], args.id, now)
            if args.broadcast_command == "send":
                await manage.send(session, actor, broadcast, now)
                return {**_summary(broadcast), "recipients": (await manage.preview(session, broadcast, now)).as_dict()}
            if args.broadcast_command == "cancel":
                stopped = await manage.cancel(session, actor, broadcast, now)
                return {**_summary(broadcast), "stopped": stopped}
            queued = await manage.send_again(session, actor, broadcast, now)
            return {**_summary(broadcast), "queued_again": queued}
        except access.Denied as error:
            denied = error
        except manage.Invalid as error:
            raise Refused(f"cannot do that: {error.reason}") from error
    raise Refused(f"refused: {denied.reason} (the attempt is in the audit log)")  # after the audit is committed


async def _actor(session, official_id: int | None, now) -> Official | None:
    if official_id is None:
        return None
    official = await session.get(Official, official_id)
    if official is None:
        await access.refuse(session, None, "broadcast.act_as", None, now, "unknown_official", official=official_id)
    return official


async def _create(session, actor: Official | None, args: argparse.Namespace, now) -> Broadcast:
    texts = {}
    for given in args.text:
        language, separator, text = given.partition("=")
        if not separator or language not in USER_LANGUAGES:
            raise manage.Invalid(f"--text {given!r}: expected LANG=TEXT with LANG one of {', '.join(USER_LANGUAGES)}")
        texts[language] = text
    broadcast = await manage.create(
        session,
        actor,
        area_id=args.area,
        audience_kind=args.audience,
        texts=texts,
        now=now,
        fallback=args.fallback,
        organisation=args.org,
        silent_months=args.silent_months,
    )
    if args.at:
        area = await manage.area_of(session, broadcast)
        at = schedule.parse_local(args.at, manage.country_of(area), now)
        if at is None:
            raise manage.Invalid(f"--at {args.at!r}: expected YYYY-MM-DD HH:MM (the area's local time)")
        await manage.send(session, actor, broadcast, now, at=at, repeat=args.repeat)
    return broadcast


def _summary(broadcast: Broadcast) -> dict:
    return {
        "id": broadcast.id,
        "status": broadcast.status,
        "area": broadcast.area_id,
        "audience": broadcast.audience,
        "languages": sorted(broadcast.texts),
        "fallback": broadcast.fallback_language,
        "organisation": broadcast.organisation,
        "at": as_utc(broadcast.next_at).isoformat() if broadcast.next_at else None,
        "repeat": broadcast.repeat,
    }


async def status(engine: Engine, args: argparse.Namespace) -> None:
    """The report; on a terminal, redrawn every second while the broadcast sends (authorised once)."""
    now = engine.clock.now()
    async with engine.database.transaction() as session:
        try:
            await manage.find(session, await _actor(session, args.actor, now), "broadcast.report", args.id, now)
            denied = None
        except access.Denied as error:
            denied = error
    if denied is not None:
        raise Refused(f"refused: {denied.reason} (the attempt is in the audit log)")
    live = sys.stdout.isatty() and not args.json
    while True:
        async with engine.database.transaction() as session:
            found = await report(session, await session.get(Broadcast, args.id))
        if args.json:
            print(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
            return
        line = progress(found.finished, found.queued, found.status)
        if not live or found.status != "sending":
            print(("\r" if live else "") + line)
            print(report_lines(found))
            return
        print("\r" + line, end="", flush=True)
        await asyncio.sleep(1)


def progress(done: int, total: int, status: str) -> str:
    share = done / total if total else float(status == "done")
    filled = int(share * BAR)
    return f"[{'#' * filled}{'.' * (BAR - filled)}] {done:,}/{total:,} {status}"


def report_lines(found) -> str:
    lines = [
        f"queued {found.queued:,}  sent {found.sent:,}  delivered {found.delivered:,}  read {found.read:,}",
        f"waiting {found.waiting:,}  failed {found.failed:,}  cancelled {found.cancelled:,}",
        "skipped " + (", ".join(f"{why} {n:,}" for why, n in sorted(found.skipped.items())) or "none"),
    ]
    lines += [f"  failed: {reason} ({n:,})" for reason, n in found.failed_reasons.most_common(10)]
    if found.can_send_again:
        lines.append(f"can be sent again: {found.can_send_again:,} (joldas broadcast again {found.id})")
    if found.next_at:
        lines.append(f"next sending: {found.next_at}")
    return "\n".join(lines)
