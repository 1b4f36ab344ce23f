"""Benchmark of the conversation engine: many simulated people at once, each going
/start → language → consent → menu → a few menu entries, straight through the engine.

    python bench/engine.py                      # SQLite file in a temporary folder
    python bench/engine.py --database postgresql --users 500

Prints updates per second, p50/p99 time per update and the peak memory of the process. A tool to see
where the time goes, not a test: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.conversation import Incoming  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from handlers import build_router  # noqa: E402

MENU_ENTRIES = ["mydata", "help", "consent", "lang", "menu"]


def script(rng: random.Random, entries: int) -> list[dict]:
    language = rng.choice(["kk", "ru", "ky"])
    steps = [{"text": "/start"}, {"button": f"lang:{language}"}, {"button": "consent:yes"}, {"text": "/menu"}]
    steps += [{"button": rng.choice(MENU_ENTRIES)} for _ in range(entries)]
    return steps


async def person(engine: Engine, name: str, steps: list[dict], timings: list[float]) -> None:
    for number, step in enumerate(steps):
        started = time.perf_counter()
        await engine.handle(Incoming("bench", name, f"{name}-{number}", language_hint="ru", **step))
        timings.append(time.perf_counter() - started)


async def run(database_url: str, users: int, entries: int, seed: int) -> None:
    database = Database(database_url)
    await database.upgrade()
    engine = Engine(database, build_router())
    rng = random.Random(seed)
    scripts = [script(rng, entries) for _ in range(users)]
    timings: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(person(engine, f"user{n}", steps, timings) for n, steps in enumerate(scripts)))
    elapsed = time.perf_counter() - started
    await database.dispose()

    quantiles = statistics.quantiles(timings, n=100)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database      {database_url.split('://')[0]}")
    print(f"people        {users} at once, {len(timings)} updates")
    print(f"throughput    {len(timings) / elapsed:,.0f} updates/s  ({elapsed:.2f} s in all)")
    print(
        f"per update    p50 {quantiles[49] * 1000:.1f} ms   p99 {quantiles[98] * 1000:.1f} ms   "
        f"max {max(timings) * 1000:.1f} ms"
    )
    print(f"peak memory   {peak_mib:.0f} MiB (process RSS)")


async def with_postgres(base_url: str, users: int, entries: int, seed: int) -> None:
    name = f"joldas_bench_{uuid.uuid4().hex[:8]}"
    plain = base_url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(plain)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        await run(base_url.rsplit("/", 1)[0] + f"/{name}", users, entries, seed)
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--entries", type=int, default=4, help="menu entries each person opens after the menu")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.database == "postgresql":
        asyncio.run(with_postgres(args.postgres_url, args.users, args.entries, args.seed))
    else:
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(run(f"sqlite+aiosqlite:///{folder}/bench.db", args.users, args.entries, args.seed))


if __name__ == "__main__":
    main()
