"""Benchmark of the delivery worker: a large queue of broadcast messages through the real worker and
aiogram's real client to a zero-latency fake Bot API on loopback (a separate process).

    python bench/delivery.py                                  # 100,000 messages, limits off, SQLite
    python bench/delivery.py --database postgresql
    python bench/delivery.py --limit 30 --seconds 60          # the sustained rate under the 30/s limit
    python bench/delivery.py --database postgresql --analyze  # ANALYZE outbox after queuing (fresh statistics)

Each message goes to a different chat (a broadcast), queued with `outbox.queue` as a feature would, one
transaction per 1,000 chats. Limits off: the worker's own ceiling, messages/s from the first send to the
last. With `--limit`: the worker runs `--seconds` and stops; the rate is counted on the fake's receive times,
per whole second from the first and in any sliding one-second window. A tool, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime

from common import POSTGRES_URL, TOKEN, FakeBotAPIProcess, cpu_seconds, most_in_any_window, scratch_database
from sqlalchemy import text

from bot import heap
from bot.channels.telegram import TelegramSender, bot_for
from bot.conversation import Reply
from bot.delivery import outbox
from bot.delivery.outbox import Kind
from bot.delivery.pace import Limits
from bot.delivery.worker import Worker
from bot.delivery.worker_settings import WorkerSettings
from bot.engine import Engine
from handlers import build_router

TEXT = "Құрметті жерлес! Квота бойынша өтінімдерді қабылдау 1 наурызда басталады. Толығырақ: /menu"


async def fill(database, messages: int, per_transaction: int = 1000) -> float:
    """Queues one broadcast message to each of `messages` chats; returns the seconds it took."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    for first in range(0, messages, per_transaction):
        async with database.transaction() as session:
            for chat in range(first, min(messages, first + per_transaction)):
                await outbox.queue(
                    session,
                    now=now,
                    channel="telegram",
                    address=str(100_000_000 + chat),
                    language="kk",
                    replies=[Reply(TEXT)],
                    kind=Kind.BROADCAST,
                )
    return time.perf_counter() - started


async def run(args) -> None:
    limits = Limits(args.limit, 1.0, 3) if args.limit else Limits(None)
    with FakeBotAPIProcess() as fake:
        async with scratch_database(args.database, args.postgres_url) as database:
            queued_in = await fill(database, args.messages)
            if args.analyze:  # fresh planner statistics for the table just filled (see docs/performance.md)
                async with database.transaction() as session:
                    await session.execute(text("ANALYZE outbox"))
            engine = Engine(database, build_router())
            bot = bot_for(TOKEN, fake.base_url)
            settings = WorkerSettings(batch_size=args.batch_size, limits={"telegram": limits})
            worker = Worker(engine, {"telegram": TelegramSender(bot)}, settings)
            started, cpu_started = time.monotonic(), cpu_seconds()
            heap.settle()  # as the long-running commands do (bot.heap)
            await worker.start()
            deadline = started + (args.seconds or 1e9)
            while worker.sent < args.messages and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await worker.stop()
            stopped, cpu = time.monotonic(), cpu_seconds() - cpu_started
            await bot.session.close()
            sends = await fake.sends()

    moments = sorted(moment for moment, _chat in sends)
    print(f"database      {args.database}")
    print(f"queued        {args.messages:,} messages to {args.messages:,} chats in {queued_in:.1f} s (outbox.queue)")
    print(f"limit         {f'{args.limit:g} messages/s (1/s per chat)' if args.limit else 'off'}")
    if args.batch_size != 200:
        print(f"batch size    {args.batch_size} rows claimed at once (default 200)")
    if args.analyze:
        print("statistics    ANALYZE outbox run after queuing")
    print(f"worker        ran {stopped - started:.1f} s; {worker.sent:,} accepted, {len(moments):,} seen by the fake")
    if worker.sent:
        print(
            f"cpu           {cpu / worker.sent * 1e6:.0f} µs per message (this process: worker, aiogram, the database "
            f"driver; not the fake's): {worker.sent / cpu:,.0f} messages per CPU second"
        )
    if len(moments) < 2:
        return
    span = moments[-1] - moments[0]
    print(f"rate          {(len(moments) - 1) / span:,.1f} messages/s from the first send to the last ({span:.1f} s)")
    print(f"first send    {moments[0] - started:.3f} s after worker.start()")
    whole = int(span)
    if whole >= 1:
        per_second = [0] * (whole + 1)
        for moment in moments:
            per_second[int(moment - moments[0])] += 1
        counted = per_second[:whole]  # whole seconds only; the last one is cut short
        print(
            f"per second    whole seconds from the first send: min {min(counted)}, "
            f"mean {sum(counted) / len(counted):.2f}, max {max(counted)} ({len(counted)} seconds)"
        )
        print(f"any window    most in any sliding one-second window: {most_in_any_window(moments)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--limit", type=float, default=0, help="telegram messages/s (0: no limit)")
    parser.add_argument("--batch-size", type=int, default=200, help="the worker's batch_size (its default: 200)")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE outbox after queuing, before the worker")
    parser.add_argument("--seconds", type=float, default=0, help="stop the worker after this long (0: when all sent)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
