"""`joldas places search TEXT [--country kg|kz] [--json]`, `joldas places import FILE.csv [--partial]` and
`joldas places load` (content/places/ again, after editing it)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot import places
from bot.places.content import content_places
from bot.places.importer import COLUMNS, PlacesFileError, import_file
from bot.places.store import write
from bot.storage.database import Database


def add_arguments(commands) -> None:
    parser = commands.add_parser("places", help="the places of both countries: search, import an official list")
    place_commands = parser.add_subparsers(dest="places_command", required=True)
    search = place_commands.add_parser("search", help="the places a typed name may mean, best first")
    search.add_argument("text", nargs="+", help="the name as a person would type it")
    search.add_argument("--country", choices=["kg", "kz"], help="only places of this country")
    search.add_argument("--limit", type=int, default=10, help="how many hits at most (default 10)")
    search.add_argument("--json", action="store_true", help="print JSON instead of a table")
    imported = place_commands.add_parser("import", help=f"add or update places from a CSV ({', '.join(COLUMNS)})")
    imported.add_argument("file", type=Path, help="the CSV file (see README, Places)")
    imported.add_argument("--partial", action="store_true", help="write the good rows even when some are refused")
    place_commands.add_parser("load", help="write content/places/ into the database again (after editing it)")


async def run(database_url: str, args: argparse.Namespace) -> int:
    database = Database(database_url)
    try:
        if database.is_sqlite:
            await database.upgrade()  # as the bot does at every start on SQLite
        async with database.transaction() as session:
            await places.ensure_loaded(session)
            if args.places_command == "search":
                return await _search(session, args)
            if args.places_command == "import":
                return await _import(session, args)
            written = await write(session, list(content_places()))
            print(f"content/places: {written.inserted} added, {written.updated} updated, {written.unchanged} unchanged")
            return 0
    finally:
        await database.dispose()


async def _search(session, args: argparse.Namespace) -> int:
    hits = await places.search(session, " ".join(args.text), args.country, args.limit)
    if args.json:
        data = {"hits": [hit.as_json() for hit in hits], "ambiguous": places.ambiguous(hits)}
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("no place matches")
    for hit in hits:
        around = ", ".join(names.ru for names in (hit.district, hit.region) if names) or "-"
        print(f"{hit.score:5.1f}  {hit.place_id:36}  {hit.kind:10}  {hit.names.ru} / {hit.names.ky} / {hit.names.kk}")
        print(f"{'':5}  {hit.names.latin:36}  {'':10}  {around}")
    if places.ambiguous(hits):
        print("ambiguous: the bot asks which one is meant")
    return 0


async def _import(session, args: argparse.Namespace) -> int:
    try:
        checked, written = await import_file(session, args.file, args.partial)
    except PlacesFileError as error:
        print(f"joldas: {error}")
        return 2
    for refused in checked.refused:
        print(f"refused: {refused}")
    if written is None:
        print(f"{len(checked.refused)} row(s) refused: nothing written (fix them, or --partial to write the rest)")
        return 1
    print(
        f"{len(checked.records)} row(s) written: {written.inserted} added, {written.updated} updated, "
        f"{written.unchanged} unchanged; {len(checked.refused)} refused"
    )
    return 1 if checked.refused else 0
