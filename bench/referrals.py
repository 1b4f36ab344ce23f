"""Benchmark of returnees' referrals: relaying a returnee's message to the focal point through the engine,
routing a new request (the least busy focal point up the lineage), and the referral report.

    python bench/referrals.py                          # SQLite file
    python bench/referrals.py --database postgresql    # POSTGRES_URL (a database of its own, dropped after)
    python bench/referrals.py --referrals 100000       # more rows behind routing and the report

Relaying: people with an open request each send messages in turn, handled as the engine handles an update (one
transaction: the guard finds the open request, keeps the message, queues it for the focal point and the "passed
on" for the person). Prints messages/s and p50/p99 per message; the time to route one request among
`--focal-points` focal points of one district holding `--referrals` requests between them; and the time of
`joldas report referrals` over them, for the whole country and for the district.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import POSTGRES_URL, scratch_database  # noqa: E402
from bot import places  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.conversation import Incoming  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.returnees import referrals  # noqa: E402
from bot.returnees.report import referral_figures  # noqa: E402
from bot.storage.models import Contact, Official, Referral, ReferralDetails  # noqa: E402
from handlers import build_router  # noqa: E402

VILLAGE_AA, DISTRICT = "KG-O-KARASUU-JANYARYK", "KG-O-KARASUU"
NEEDS = (["documents"], ["work", "loan"], ["psych"], ["school", "child_docs"])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def fill(engine: Engine, people: int, focal_points: int, extra: int) -> list[str]:
    """Focal points of the district, `people` returnees with an open request each, `extra` older requests."""
    now = engine.clock.now()
    async with engine.database.transaction() as session:
        await places.ensure_loaded(session)
        officials = []
        for number in range(focal_points):
            contact = Contact(channel="console", external_id=f"fp{number}", status="active", consent="granted")
            contact.language = "ru"
            session.add(contact)
            await session.flush()
            official = Official(contact_id=contact.id, role="focal_point", area_id=DISTRICT, status="active")
            session.add(official)
            officials.append(official)
        await session.flush()
        session.add_all(
            Referral(
                official_id=officials[n % focal_points].id,
                area_id=DISTRICT,
                country="KG",
                needs=NEEDS[n % len(NEEDS)],
                status=("waiting", "accepted", "closed")[n % 3],
                created_at=now,
                outcome="helped" if n % 3 == 2 else None,
            )
            for n in range(extra)
        )
        users = []
        for number in range(people):
            user = f"r{number}"
            contact = Contact(channel="console", external_id=user, status="active", consent="granted", kind="returnee")
            contact.language = "ky"
            session.add(contact)
            await session.flush()
            referral = Referral(
                contact_id=contact.id,
                official_id=officials[number % focal_points].id,
                area_id=DISTRICT,
                country="KG",
                needs=["documents"],
                status="accepted",
                created_at=now,
            )
            session.add(referral)
            await session.flush()
            session.add(
                ReferralDetails(referral_id=referral.id, contact_id=contact.id, place_id=VILLAGE_AA, language="ky")
            )
            users.append(user)
    return users


async def run(kind: str, people: int, messages: int, focal_points: int, extra: int) -> None:
    async with scratch_database(kind, POSTGRES_URL) as database:
        clock = ManualClock("2026-03-02T05:00:00+00:00")  # Monday 11:00 in Bishkek: working hours
        engine = Engine(database, build_router(), "kk", clock)
        users = await fill(engine, people, focal_points, extra)
        times = []
        started = time.perf_counter()
        for number in range(messages):
            user = users[number % len(users)]
            incoming = Incoming("console", user, f"b{number}", text=f"Саламатсызбы, {number}")
            begun = time.perf_counter()
            await engine.handle(incoming)
            times.append(time.perf_counter() - begun)
        elapsed = time.perf_counter() - started
        print(
            f"relay ({kind}): {messages} messages from {people} people in {elapsed:.2f} s "
            f"= {messages / elapsed:.0f}/s; "
            f"p50 {percentile(times, 0.5) * 1000:.1f} ms, p99 {percentile(times, 0.99) * 1000:.1f} ms"
        )
        routed = []
        for _ in range(20):
            async with database.transaction() as session:
                begun = time.perf_counter()
                holder = await referrals.find_holder(session, VILLAGE_AA)
                routed.append(time.perf_counter() - begun)
        total = extra + people
        print(
            f"routing ({kind}): {focal_points} focal points holding {total} requests: "
            f"median {statistics.median(routed) * 1000:.1f} ms (to focal point {holder.official.id})"
        )
        for area in (None, DISTRICT):
            async with database.transaction() as session:
                begun = time.perf_counter()
                figures = await referral_figures(session, area)
                took = time.perf_counter() - begun
            print(f"report ({kind}) for {area or 'everywhere'}: {figures.total} requests in {took * 1000:.0f} ms")


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    arguments.add_argument("--people", type=int, default=200)
    arguments.add_argument("--messages", type=int, default=2000)
    arguments.add_argument("--focal-points", type=int, default=5)
    arguments.add_argument("--referrals", type=int, default=20000, help="older requests behind routing and report")
    args = arguments.parse_args()
    asyncio.run(run(args.database, args.people, args.messages, args.focal_points, args.referrals))


if __name__ == "__main__":
    main()
