"""`joldas tracking …` (timeline, import, token) and `joldas report retention`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from bot.tracking.deadlines import timeline_data
from bot.tracking.steps import tracking


def add_arguments(commands) -> None:
    """Adds `tracking` and `report` to the `joldas` subcommands."""
    root = commands.add_parser("tracking", help="application tracking: timelines, status imports, API tokens")
    sub = root.add_subparsers(dest="tracking_command", required=True)
    timeline = sub.add_parser("timeline", help="each step of a path with its limit, due date and source")
    timeline.add_argument("--path", required=True, choices=tracking().path_ids)
    timeline.add_argument(
        "--submitted", required=True, help="when it was lodged: YYYY-MM-DDTHH:MM (Almaty time) or with an offset"
    )
    timeline.add_argument("--office", default="egov", choices=sorted(tracking().data.offices))
    timeline.add_argument("--json", action="store_true")


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


def main(args: argparse.Namespace) -> int:
    return {"timeline": timeline}[args.tracking_command](args)
