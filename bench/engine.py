"""Benchmark of the conversation engine with delivery: many simulated people at once, each going
/start → language → consent → menu → a few menu entries, through the engine and the outbox to the worker,
which hands every message to an in-process sender that records the moment and sends nothing.

    python bench/engine.py                                   # closed loop: 200 people at once, SQLite file
    python bench/engine.py --database postgresql
    python bench/engine.py --database postgresql --processes 2    # two engines and workers, one database
    python bench/engine.py --open-loop 100 --seconds 30      # 100 updates/s offered, as a webhook stores them
                                                             # (after a 5 s warm-up at the same rate, not counted)
    python bench/engine.py --open-loop 100 --path handle     # ... processed at once, as the console does
    python bench/engine.py --no-worker                       # the engine alone (replies only queued)

Closed loop: each person sends their next update as soon as `Engine.handle` returned for the previous one;
prints updates/s (all updates handled), and the time until the worker had handed every message on.
Open loop: updates arrive at the rate offered whatever the bot does, round-robin over the people, either
stored with `Engine.receive` for the worker (`--path inbox`, what Telegram and WhatsApp do) or processed at
once with `Engine.handle` (`--path handle`).

Latency "received → handed to the sender" runs from the call of receive/handle to the moment the sender was
called with the update's first (and last) message. An outbox row is matched to its update in the database:
the engine writes the row's `created_at` and the inbox row's `done_at` from the same clock reading.
Also prints the peak memory of the process. A tool to see where the time goes, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import multiprocessing
import random
import resource
import time

from common import POSTGRES_URL, RecordingSender, cpu_seconds, percentile, scratch_database
from sqlalchemy import and_, func, select

from bot import heap
from bot.conversation import Incoming
from bot.delivery.worker import Worker
from bot.delivery.worker_settings import WorkerSettings
from bot.engine import Engine
from bot.storage.database import Database
from bot.storage.models import InboxUpdate, OutboxMessage
from handlers import build_router

MENU_ENTRIES = ["mydata", "help", "consent", "lang", "menu"]
CHANNEL = "telegram"  # rendered as for Telegram (split texts, inline keyboards); no callback receipts


def script(rng: random.Random, entries: int) -> list[dict]:
    language = rng.choice(["kk", "ru", "ky"])
    steps = [{"text": "/start"}, {"button": f"lang:{language}"}, {"button": "consent:yes"}, {"text": "/menu"}]
    steps += [{"button": rng.choice(MENU_ENTRIES)} for _ in range(entries)]
    return steps


def incoming(person: int, number: int, step: dict) -> Incoming:
    return Incoming(CHANNEL, str(700_000_000 + person), f"p{person}-{number}", language_hint="ru", **step)


class Run:
    def __init__(self, engine: Engine, sender: RecordingSender):
        self.engine = engine
        self.sender = sender
        self.received: dict[str, float] = {}  # update id → perf_counter() when receive/handle was called
        self.handle_times: list[float] = []

    async def handle(self, update: Incoming) -> None:
        started = self.received[update.update_id] = time.perf_counter()
        await self.engine.handle(update)
        self.handle_times.append(time.perf_counter() - started)

    async def receive(self, update: Incoming) -> None:
        self.received[update.update_id] = time.perf_counter()
        await self.engine.receive([update])


async def waiting(database) -> int:
    async with database.transaction() as session:
        updates = await session.scalar(select(func.count()).where(InboxUpdate.status != "done"))
        messages = await session.scalar(select(func.count()).where(OutboxMessage.status.in_(("pending", "sending"))))
    return updates + messages


async def drained(database, sender: RecordingSender, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while await waiting(database):
        if time.monotonic() > deadline:
            raise SystemExit(f"still {await waiting(database)} rows waiting after {timeout:.0f} s")
        await asyncio.sleep(0.1)


async def latencies(
    database, run: Run, timeline: float = 0, skip: set[str] = frozenset()
) -> tuple[list[float], list[float]]:
    """Per update: seconds from received to its first and to its last message handed to the sender."""
    query = (
        select(InboxUpdate.update_id, OutboxMessage.id)
        .join(
            OutboxMessage,
            and_(
                OutboxMessage.channel == InboxUpdate.channel,
                OutboxMessage.address == InboxUpdate.user_id,
                OutboxMessage.created_at == InboxUpdate.done_at,
            ),
        )
        .where(InboxUpdate.channel == CHANNEL)
    )
    handed: dict[str, list[float]] = {}
    async with database.transaction() as session:
        for update_id, row_id in (await session.execute(query)).all():
            handed.setdefault(update_id, []).append(run.sender.handed[row_id])
    unmatched = len(run.received) - len(handed)
    if unmatched:
        print(f"note          {unmatched} updates without a message matched to them")
    measured = {update_id: moments for update_id, moments in handed.items() if update_id not in skip}
    first = [min(moments) - run.received[update_id] for update_id, moments in measured.items()]
    last = [max(moments) - run.received[update_id] for update_id, moments in measured.items()]
    if timeline:
        start = min(run.received.values())
        slices: dict[int, list[float]] = {}
        for update_id, moments in handed.items():
            slices.setdefault(int((run.received[update_id] - start) // timeline), []).append(
                min(moments) - run.received[update_id]
            )
        for number, values in sorted(slices.items()):
            print(f"  {number * timeline:5.0f} s+  {len(values):5d} updates, first message {ms(values)}")
    return first, last


def ms(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 0.5) * 1000:.1f} ms   p99 {percentile(values, 0.99) * 1000:.1f} ms   "
        f"max {max(values) * 1000:.1f} ms"
    )


def scripts_for(args, first: int, users: int) -> dict[int, list[dict]]:
    rng = random.Random(args.seed if first == 0 else f"{args.seed}:{first}")
    return {first + number: script(rng, args.entries) for number in range(users)}


async def people_at_once(engine: Engine, sender: RecordingSender, args, first: int, users: int) -> tuple[Run, float]:
    """`users` people from number `first` on, each sending their next update when the last was handled;
    returns the run and when the last update was handled (perf_counter, the same clock in every process)."""
    run = Run(engine, sender)

    async def person(number: int, steps: list[dict]) -> None:
        for step_number, step in enumerate(steps):
            await run.handle(incoming(number, step_number, step))

    await asyncio.gather(*(person(number, steps) for number, steps in scripts_for(args, first, users).items()))
    return run, time.perf_counter()


async def closed_loop(database, args) -> None:
    if args.processes > 1:
        return await closed_loop_in_processes(database, args)
    engine = Engine(database, build_router())
    sender = RecordingSender(CHANNEL)
    worker = None if args.no_worker else Worker(engine, {CHANNEL: sender}, WorkerSettings())
    heap.settle()  # as the long-running commands do (bot.heap)
    if worker:
        await worker.start()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    run, ended = await people_at_once(engine, sender, args, 0, args.users)
    handled, cpu = ended - started, cpu_seconds() - cpu_started
    print(f"database      {args.database}")
    print(f"people        {args.users} at once (closed loop), {len(run.handle_times)} updates")
    print(f"throughput    {len(run.handle_times) / handled:,.0f} updates/s  ({handled:.2f} s in all)")
    print(f"cpu           {cpu / len(run.handle_times) * 1000:.2f} ms per update (this process, all threads)")
    print(f"Engine.handle {ms(run.handle_times)}")
    if worker:
        await drained(database, sender)
        delivered = max(sender.handed.values()) - started
        await worker.stop()
        print(
            f"delivery      {len(sender.handed)} messages handed to the sender, the last {delivered:.2f} s after "
            f"the start: {len(run.handle_times) / delivered:,.0f} updates/s end to end"
        )
        first, last = await latencies(database, run)
        print(f"to sender     first message of each update: {ms(first)}")
        print(f"to sender     last message of each update:  {ms(last)}")
    else:
        print("delivery      no worker: replies only queued")


def one_of_processes(url: str, args, first: int, users: int, start_at: float) -> dict:
    """A process of `--processes`: an engine and a worker of its own on the shared PostgreSQL database (as
    several `joldas serve` would run), its share of the people, all processes starting at `start_at`."""

    async def part() -> dict:
        database = Database(url)
        engine = Engine(database, build_router())
        sender = RecordingSender(CHANNEL)
        worker = Worker(engine, {CHANNEL: sender}, WorkerSettings())
        heap.settle()
        await worker.start()
        await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
        cpu_started = cpu_seconds()
        run, ended = await people_at_once(engine, sender, args, first, users)
        cpu = cpu_seconds() - cpu_started
        await drained(database, sender)
        await worker.stop()
        await database.dispose()
        return {
            "updates": len(run.handle_times),
            "ended": ended,
            "cpu": cpu,
            "handed": len(sender.handed),
            "last_handed": max(sender.handed.values(), default=start_at),
            "handle_times": run.handle_times,
        }

    return asyncio.run(part())


async def closed_loop_in_processes(database, args) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    share = -(-args.users // args.processes)
    start_at = time.perf_counter() + 3 + args.processes  # every process imported, connected and settled by then
    loop = asyncio.get_running_loop()
    with concurrent.futures.ProcessPoolExecutor(
        args.processes, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        parts = await asyncio.gather(
            *(
                loop.run_in_executor(pool, one_of_processes, url, args, first, min(share, args.users - first), start_at)
                for first in range(0, args.users, share)
            )
        )
    updates = sum(part["updates"] for part in parts)
    handled = max(part["ended"] for part in parts) - start_at
    delivered = max(part["last_handed"] for part in parts) - start_at
    print(f"database      {args.database}, {args.processes} processes (each an engine and a worker)")
    print(f"people        {args.users} at once (closed loop), {updates} updates")
    print(f"throughput    {updates / handled:,.0f} updates/s  ({handled:.2f} s in all)")
    cpu = sum(part["cpu"] for part in parts)
    print(f"cpu           {cpu / updates * 1000:.2f} ms per update (the bot's processes, all threads)")
    print(f"Engine.handle {ms([value for part in parts for value in part['handle_times']])}")
    print(
        f"delivery      {sum(part['handed'] for part in parts)} messages handed to the senders, the last "
        f"{delivered:.2f} s after the start: {updates / delivered:,.0f} updates/s end to end"
    )


async def open_loop(database, args) -> None:
    engine = Engine(database, build_router())
    sender = RecordingSender(CHANNEL)
    worker = Worker(engine, {CHANNEL: sender}, WorkerSettings())
    run = Run(engine, sender)
    warm_up = int(args.open_loop * args.warm_up)
    total = warm_up + int(args.open_loop * args.seconds)
    steps_each = -(-total // args.users)
    rng = random.Random(args.seed)
    scripts = [script(rng, max(0, steps_each - 4)) for _ in range(args.users)]
    updates = [
        incoming(person, step, scripts[person][step])
        for person, step in ((n % args.users, n // args.users) for n in range(total))
    ]
    offer = run.receive if args.path == "inbox" else run.handle

    heap.settle()  # as the long-running commands do (bot.heap)
    await worker.start()
    tasks: set[asyncio.Task] = set()
    lag: list[float] = []
    started = time.perf_counter()
    for number, update in enumerate(updates):
        due = started + number / args.open_loop
        wait = due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        lag.append(time.perf_counter() - due)
        task = asyncio.create_task(offer(update))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    offered_for = time.perf_counter() - started
    await asyncio.gather(*tasks)
    await drained(database, sender)
    done = max(sender.handed.values()) - started
    await worker.stop()

    first, last = await latencies(database, run, args.timeline, skip={update.update_id for update in updates[:warm_up]})
    print(f"database      {args.database}")
    print(
        f"offered       {total} updates at {args.open_loop:g}/s over {offered_for:.1f} s ({total / offered_for:.1f}/s "
        f"achieved; offering late by p99 {percentile(lag, 0.99) * 1000:.1f} ms), {args.users} people round-robin"
    )
    print(f"measured      the {total - warm_up} updates after a warm-up of {args.warm_up:g} s ({warm_up} updates)")
    print(f"path          {'Engine.receive → inbox → worker' if args.path == 'inbox' else 'Engine.handle'}")
    print(f"delivery      {len(sender.handed)} messages handed to the sender; the last {done:.1f} s after the start")
    print(f"to sender     first message of each update: {ms(first)}")
    print(f"to sender     last message of each update:  {ms(last)}")
    if run.handle_times:
        print(f"Engine.handle {ms(run.handle_times)}")


async def main_async(args) -> None:
    async with scratch_database(args.database, args.postgres_url) as database:
        await (open_loop if args.open_loop else closed_loop)(database, args)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory   {peak_mib:.0f} MiB (process RSS)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--entries", type=int, default=4, help="menu entries each person opens after the menu")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument(
        "--processes", type=int, default=1, help="closed loop, PostgreSQL: processes sharing the database"
    )
    parser.add_argument("--no-worker", action="store_true", help="closed loop: the engine alone, nothing delivered")
    parser.add_argument("--open-loop", type=float, default=0, metavar="RATE", help="updates/s offered (open loop)")
    parser.add_argument("--seconds", type=float, default=30, help="open loop: how long updates are offered")
    parser.add_argument("--path", choices=["inbox", "handle"], default="inbox", help="open loop: how updates enter")
    parser.add_argument("--warm-up", type=float, default=5, help="open loop: seconds offered before measuring")
    parser.add_argument("--timeline", type=float, default=0, help="open loop: latency per slice of this many s")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.processes > 1 and (args.database != "postgresql" or args.open_loop or args.no_worker):
        parser.error("--processes: the closed loop with its workers on PostgreSQL only (SQLite has one writer)")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
