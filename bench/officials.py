"""Benchmark of what the officials' guard costs each message of everyone (it decides whether the menu shows
Officials and Notices): a lookup of the person's role per message, against the per-process set of role
holders (bot/officials/holders.py) that spares the lookup to everyone who holds no role.

    python bench/officials.py                         # SQLite file, 2,000 people, 20 of them officials
    python bench/officials.py --database postgresql   # POSTGRES_URL (a database of its own, dropped after)

Each message is one transaction, as in the engine: the guard's work alone, for people taken round-robin.
Prints the time and CPU per message both ways, and the mean of the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import places  # noqa: E402
from bot.officials import access, holders  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.storage.models import Contact, Official  # noqa: E402

POSTGRES_URL = os.environ.get("POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def fill(database: Database, people: int, officials: int) -> list[Contact]:
    async with database.transaction() as session:
        await places.ensure_loaded(session)
        contacts = [Contact(channel="console", external_id=f"p{n}", status="active") for n in range(people)]
        session.add_all(contacts)
        await session.flush()
        for contact in contacts[:: people // officials]:
            session.add(Official(contact_id=contact.id, role="official", area_id="KZ", status="active"))
    return contacts


async def per_message(database: Database, contacts: list[Contact], messages: int, cached: bool) -> tuple[float, float]:
    """Mean wall time and CPU time per message, in microseconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(messages):
        contact = contacts[n % len(contacts)]
        async with database.transaction() as session:
            if not cached or await holders.may_hold_role(session, contact.id):
                await access.acting_official(session, contact)
    return (time.perf_counter() - wall) / messages * 1e6, (time.process_time() - cpu) / messages * 1e6


async def run(url: str, people: int, officials: int, messages: int) -> None:
    database = Database(url)
    try:
        await database.upgrade()
        contacts = await fill(database, people, officials)
        await per_message(database, contacts, 200, cached=True)  # warm-up: connections, the holders' set
        rows = []
        for cached in (False, True, False, True):
            rows.append((cached, *await per_message(database, contacts, messages, cached)))
        for cached, wall, cpu in rows:
            name = "holders set, then lookup" if cached else "lookup every message"
            print(f"{name:26} {wall:8.0f} µs per message   {cpu:8.0f} µs CPU")
        saved = [b[2] - a[2] for a, b in zip(rows[1::2], rows[0::2], strict=True)]
        print(f"CPU saved per message      {sum(saved) / len(saved):8.0f} µs  ({people} people, {officials} officials)")
    finally:
        await database.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--officials", type=int, default=20)
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args()
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            await run(f"sqlite+aiosqlite:///{folder}/bench.db", args.people, args.officials, args.messages)
        return
    name = f"joldas_bench_{uuid.uuid4().hex[:8]}"
    admin = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    try:
        await run(POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}", args.people, args.officials, args.messages)
    finally:
        connection = await asyncpg.connect(admin)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


if __name__ == "__main__":
    asyncio.run(main())
