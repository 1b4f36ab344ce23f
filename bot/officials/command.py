"""`joldas officials invite|list|suspend|revoke|reinstate|audit`: roles and areas from the command line.

The operator acts with the scope of both countries; `--as OFFICIAL_ID` acts as that official instead, with
their scope, exactly as they would in the messenger. A refusal is audited, then said plainly (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn

from bot.app import load_places
from bot.clock import SystemClock
from bot.config import Settings
from bot.officials import access, invites, journal, roster
from bot.storage.database import Database
from bot.storage.models import Official, as_utc


def add_arguments(commands) -> None:
    officials = commands.add_parser("officials", help="officials and focal points: invite, list, suspend, audit")
    actions = officials.add_subparsers(dest="officials_command", required=True)
    invite = actions.add_parser(
        "invite", help="a one-time code (and a Telegram link) that makes its holder an official"
    )
    invite.add_argument("--role", choices=access.ROLES, required=True)
    invite.add_argument("--area", required=True, help="the place id of their area, e.g. KZ or a region's id")
    invite.add_argument("--org", type=organisation, help="their organisation, named in what they send")
    acting(invite)
    listed = actions.add_parser("list", help="the officials of an area (default: everywhere, or the --as one's)")
    listed.add_argument("--area", help="a place id: officials of it and of the places within it")
    acting(listed)
    for name, what in (
        ("suspend", "stop an official acting until reinstated"),
        ("revoke", "end an official's role for good"),
        ("reinstate", "let a suspended official act again"),
    ):
        change = actions.add_parser(name, help=what)
        change.add_argument("id", type=int, help="the official's id (see `joldas officials list`)")
        acting(change)
    log = actions.add_parser("audit", help="what officials did and tried, newest first")
    log.add_argument("--area", help="only actions on this place and the places within it")
    log.add_argument("--limit", type=int, default=100, help="how many entries (default 100)")
    log.add_argument("--json", action="store_true", help="print JSON")


def organisation(text: str) -> str:
    name = invites.organisation_name(text)
    if name is None:
        raise argparse.ArgumentTypeError(f"give the organisation's name in 1 to {invites.MAX_ORGANISATION} characters")
    return name


def acting(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as", dest="as_official", type=int, metavar="OFFICIAL_ID", help="act as this official, with their scope"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


async def run(settings: Settings, args: argparse.Namespace) -> None:
    database = Database(settings.database_url)
    refusal = None
    try:
        if database.is_sqlite:
            await database.upgrade()  # as the bot does at every start on SQLite
        await load_places(database)
        async with database.transaction() as session:
            actor = None
            if getattr(args, "as_official", None) is not None:
                actor = await session.get(Official, args.as_official)
                if actor is None:
                    refuse(f"no official {args.as_official}")
            try:
                output = await ACTIONS[args.officials_command](session, actor, args, settings)
            except access.Denied as denied:  # caught inside the transaction, so that its audit entry is kept
                refusal = f"refused: {denied.reason} (the attempt is in the audit log)"
            except roster.NotPossible as impossible:
                refusal = f"nothing to do: official {args.id} is {impossible.status}"
    finally:
        await database.dispose()
    if refusal is not None:
        refuse(refusal)
    print(output)


def refuse(message: str) -> NoReturn:
    """Said plainly, with exit status 2 (as `joldas` says any impossible command)."""
    print(f"joldas: {message}", file=sys.stderr)
    raise SystemExit(2)


def shown(data, args: argparse.Namespace, text: str) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) if args.json else text


async def invite(session, actor, args, settings: Settings) -> str:
    made = await invites.offer(session, actor, args.role, args.area, args.org, SystemClock().now(), settings)
    link = made.link
    data = {
        "invite": made.invite.id,
        "role": args.role,
        "area": args.area,
        "organisation": args.org,
        "code": made.code,
        "telegram_link": link,
        "expires_at": as_utc(made.invite.expires_at).isoformat(),
    }
    lines = [
        f"invite {made.invite.id}: {args.role} of {args.area}" + (f" ({args.org})" if args.org else ""),
        f"code (shown once): {made.code}",
        f"Telegram: {link}" if link else "Telegram: set TELEGRAM_BOT_USERNAME for a link; the code works typed",
        "WhatsApp: the person sends the code as a message",
        f"expires: {data['expires_at']}",
    ]
    return shown(data, args, "\n".join(lines))


async def list_officials(session, actor, args, _settings: Settings) -> str:
    found = await roster.managed(session, actor, SystemClock().now(), args.area)
    rows = [
        {
            "id": official.id,
            "role": official.role,
            "area": official.area_id,
            "organisation": official.organisation,
            "status": official.status,
            "invited_by": official.invited_by,
            "since": as_utc(official.created_at).isoformat(),
            "has_contact": official.contact_id is not None,
        }
        for official in found
    ]
    lines = [
        f"{row['id']:5}  {row['role']:12} {row['area']:16} {row['status']:10} {row['organisation'] or '-'}"
        for row in rows
    ]
    return shown(rows, args, "\n".join(lines) or "no officials")


def change(action: str):
    async def run_change(session, actor, args, _settings: Settings) -> str:
        official = await roster.change(session, actor, args.id, action, SystemClock().now())
        data = {"id": official.id, "status": official.status}
        return shown(data, args, f"official {official.id} ({official.role} of {official.area_id}): {official.status}")

    return run_change


async def audit_log(session, _actor, args, _settings: Settings) -> str:
    rows = [journal.as_row(entry) for entry in await journal.entries(session, args.area, args.limit)]
    lines = [
        "  ".join(
            (
                row["at"][:19],
                f"{row['by'] or '-'}" + (f" #{row['official']}" if row["official"] else ""),
                row["action"],
                row["area"] or "-",
                row["outcome"] or "-",
                row["reason"] or "",
                json.dumps(row["details"], ensure_ascii=False) if row["details"] else "",
            )
        ).rstrip()
        for row in rows
    ]
    return shown(rows, args, "\n".join(lines) or "no entries")


ACTIONS = {
    "invite": invite,
    "list": list_officials,
    "suspend": change("suspend"),
    "revoke": change("revoke"),
    "reinstate": change("reinstate"),
    "audit": audit_log,
}
