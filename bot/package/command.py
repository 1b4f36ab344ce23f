"""`joldas package`: a personal package's contents, and its PDF, from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bot.clock import SystemClock, local_today
from bot.content.regions import find_region, find_regions
from bot.i18n import USER_LANGUAGES
from bot.package.library import Profile, assemble, profile_summary
from bot.package.pdf import build_pdf
from bot.package.schema import HOUSEHOLDS, TRACKS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--track", choices=TRACKS, required=True)
    parser.add_argument("--from", dest="origin", help="region of departure (id or name), or `abroad` for a kandas")
    parser.add_argument("--to", dest="destination", help="destination region (id or name)")
    parser.add_argument("--household", choices=HOUSEHOLDS, action="append", default=[])
    parser.add_argument("--lang", choices=USER_LANGUAGES, default="kk")
    parser.add_argument("--pdf", type=Path, help="write the whole package as a PDF to this file")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")


def region_id(name: str | None, what: str) -> str | None:
    if name is None or name == "abroad":
        return name
    found = find_region(name)
    if found is None:
        candidates = [f"{candidate.id} ({candidate.names.en})" for candidate in find_regions(name)]
        if candidates:
            raise ValueError(f"{what} {name!r} may mean: {', '.join(candidates)}; give one of these ids")
        raise ValueError(f"no region matches {what} {name!r}")
    return found.id


def main(args: argparse.Namespace) -> int:
    try:
        origin, destination = region_id(args.origin, "--from"), region_id(args.destination, "--to")
    except ValueError as error:
        print(f"joldas package: {error}", file=sys.stderr)
        return 2
    profile = Profile(args.track, origin, destination, frozenset(args.household))
    today = args.today or local_today(SystemClock(), "KZ")
    sections = assemble(profile, today=today)
    print("\n".join(profile_summary(profile, args.lang)))
    for number, section in enumerate(sections, start=1):
        print(f"{number:2}. {section.title(args.lang)}")
    if args.pdf:
        content = build_pdf(sections, profile, profile_summary(profile, args.lang), args.lang, today)
        try:
            args.pdf.write_bytes(content)
        except OSError as error:
            print(f"joldas package: --pdf: cannot write {args.pdf}: {error.strerror}", file=sys.stderr)
            return 2
        print(f"PDF: {args.pdf}")
    return 0
