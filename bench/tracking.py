"""Benchmark of a status import: `--rows` applications (seeded directly), then one CSV moving each of them on
through `joldas tracking import`'s code (checked first, applied in one transaction, each person told once),
and the same file again (which changes nothing).

    python bench/tracking.py                          # 100,000 rows on SQLite
    python bench/tracking.py --database postgresql
    python bench/tracking.py --rows 10000 --bad 100

Prints the seconds to seed, to import (rows/s) and to import again, the rows applied and refused, and the
notices and timers the import queued. A tool, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import time

from common import POSTGRES_URL, scratch_database
from sqlalchemy import func, insert, select

from bot import places
from bot.storage.models import Application, Contact, OutboxMessage, Timer
from bot.tracking.csv_import import import_statuses

LODGED = dt.datetime(2026, 2, 27, 5, 0, tzinfo=dt.UTC)  # 10:00 in Almaty
NOW = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)
CHUNK = 5000


async def seed(database, rows: int) -> list[int]:
    """People in Pavlodar region, each with an application at `submitted`."""
    async with database.transaction() as session:
        await places.ensure_loaded(session)
    for first in range(0, rows, CHUNK):
        count = min(CHUNK, rows - first)
        async with database.transaction() as session:
            contacts = [
                {
                    "channel": "telegram",
                    "external_id": str(100_000_000 + first + n),
                    "language": ("kk", "ru", "ky")[n % 3],
                    "consent": "granted",
                    "status": "active",
                    "kind": "relocant",
                    "place_id": "KZ-PAV",
                    "created_at": LODGED,
                }
                for n in range(count)
            ]
            ids = list(await session.scalars(insert(Contact).returning(Contact.id), contacts))
            await session.execute(
                insert(Application),
                [
                    {
                        "contact_id": contact_id,
                        "path": "kandas_in_country",
                        "rules_version": "2026.01",
                        "office": "akimat",
                        "destination": "pavlodar",
                        "place_id": "KZ-PAV",
                        "number": f"PAV-{first + n:07d}",
                        "lodged_at": LODGED,
                        "counts_from": LODGED.date(),
                        "status": "submitted",
                        "status_at": LODGED,
                        "created_at": LODGED,
                    }
                    for n, contact_id in enumerate(ids)
                ],
            )
    async with database.transaction() as session:
        return list(await session.scalars(select(Application.id).order_by(Application.id)))


def csv_text(ids: list[int], bad: int) -> str:
    lines = ["application,status,note"]
    lines += [f"{application_id},accepted,Қабылданды" for application_id in ids[bad:]]
    lines += [f"{application_id},delivered," for application_id in ids[:bad]]  # past the decision: refused
    return "\n".join(lines) + "\n"


async def count(database, model, *where) -> int:
    async with database.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def run(args) -> None:
    async with scratch_database(args.database, args.postgres_url) as database:
        started = time.perf_counter()
        ids = await seed(database, args.rows)
        seeded = time.perf_counter() - started
        content = csv_text(ids, args.bad)
        started = time.perf_counter()
        async with database.transaction() as session:
            report = await import_statuses(session, content, None, NOW)
        first = time.perf_counter() - started
        started = time.perf_counter()
        async with database.transaction() as session:
            again = await import_statuses(session, content, None, NOW)
        second = time.perf_counter() - started
        notices = await count(database, OutboxMessage, OutboxMessage.kind == "notice")
        timers = await count(database, Timer, Timer.key.like("trk:%"))
    print(f"database: {args.database}, rows: {args.rows:,} ({args.bad:,} bad)")
    print(f"seeded {args.rows:,} people with an application in {seeded:.1f} s")
    rate = args.rows / first
    print(f"import: {first:.1f} s, {rate:,.0f} rows/s; applied {report.applied:,}, refused {len(report.refused):,}")
    print(f"queued: {notices:,} notices (people told: {report.notified:,}), {timers:,} timers")
    print(f"the same file again: {second:.1f} s; applied {again.applied:,}, unchanged {again.unchanged:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad", type=int, default=1_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
