"""Benchmark of a broadcast: `joldas demo seed` people, one broadcast to all of them through the real worker
and aiogram's real client to the lean fake Bot API (a process of its own), and people chatting meanwhile.

    python bench/broadcast.py --database postgresql                     # 100,000 people at 30/s (about an hour)
    python bench/broadcast.py --database postgresql --limit 1000        # the fake's rate raised, so it finishes
    python bench/broadcast.py --database postgresql --no-wait           # only the answer times, not the end

Prints: how long seeding took; the time from "send" until every notice was queued in the outbox and until the
last one reached the fake; and the answer time of people chatting — from storing their update in the inbox
(as a webhook does) to the fake receiving the answer — for `--chat-seconds` without a broadcast, then as long
again while the broadcast sends: p50 and p99, and their ratio (the target: p99 unchanged within 20 %).
Chatting people are new people pressing /start (one answer each: the language picker), spread over enough
chats that Telegram's one message a second per chat never holds them back. A tool, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from common import POSTGRES_URL, TOKEN, FakeBotAPIProcess, LoopLag, most_in_any_window, percentile, scratch_database
from sqlalchemy import select

from bot import heap, places
from bot.broadcasts import demo, manage
from bot.channels.telegram import TelegramSender, bot_for
from bot.clock import SystemClock
from bot.conversation import Incoming
from bot.delivery.pace import Limits
from bot.delivery.worker import Worker
from bot.delivery.worker_settings import WorkerSettings
from bot.engine import Engine
from bot.storage.models import Broadcast, InboxUpdate, OutboxMessage
from handlers import build_router

FIRST_CHAT = 100_000_000  # the seeded people
CHATTERS = 800_000_000  # people chatting: other chat ids


class Chat:
    """An open loop of /start presses at `rate` per second, each from a chat of its own for a while."""

    def __init__(self, engine: Engine, rate: float):
        self.engine = engine
        self.rate = rate
        self.pressed: dict[int, float] = {}  # chat → time.monotonic() when its update was stored

    async def run(self, seconds: float, first: int) -> list[int]:
        chats = []
        started = time.monotonic()
        for number in range(int(seconds * self.rate)):
            await asyncio.sleep(max(0.0, started + number / self.rate - time.monotonic()))
            chat = CHATTERS + first + number
            self.pressed[chat] = time.monotonic()
            await self.engine.receive([Incoming("telegram", str(chat), f"b{chat}", text="/start", language_hint="ru")])
            chats.append(chat)
        return chats


async def watched(database, broadcast_id: int, forever: bool) -> float | None:
    """Polls the broadcast until it is done; returns when all of it was queued (time.monotonic())."""
    queued_at = None
    while True:
        async with database.transaction() as session:
            state = await session.get(Broadcast, broadcast_id)
        if queued_at is None and state.status in ("sending", "done") and not state.queuing:
            queued_at = time.monotonic()
        if state.status == "done" and not forever:
            return queued_at
        await asyncio.sleep(0.2)


async def answer_stages(database, alone: list[int], during: list[int]) -> dict[str, tuple[list, list]]:
    """Where an answer's time goes, alone and during: waiting in the inbox (stored → handled) and in the outbox
    (queued → the platform accepted it), by the database's own timestamps."""
    stages = {}
    async with database.transaction() as session:
        for name, query in (
            ("in the inbox ", select(InboxUpdate.user_id, InboxUpdate.received_at, InboxUpdate.done_at)),
            (
                "in the outbox",
                select(OutboxMessage.address, OutboxMessage.created_at, OutboxMessage.finished_at).where(
                    OutboxMessage.kind == "answer"
                ),
            ),
        ):
            spans = {
                int(chat): (end - start).total_seconds() for chat, start, end in await session.execute(query) if end
            }
            stages[name] = ([spans[c] for c in alone if c in spans], [spans[c] for c in during if c in spans])
    return stages


def answer_times(chats: list[int], pressed: dict[int, float], sends: list[tuple[float, int]]) -> list[float]:
    first_answer: dict[int, float] = {}
    for moment, chat in sends:
        first_answer.setdefault(chat, moment)
    return [first_answer[chat] - pressed[chat] for chat in chats if chat in first_answer]


def ms(values: list[float]) -> str:
    if not values:
        return "no answers"
    return f"p50 {percentile(values, 0.5) * 1000:.0f} ms, p99 {percentile(values, 0.99) * 1000:.0f} ms ({len(values)})"


async def run(args) -> None:
    limits = Limits(args.limit, 1.0, 3)
    with FakeBotAPIProcess() as fake:
        async with scratch_database(args.database, args.postgres_url) as database:
            engine = Engine(database, build_router(), clock=SystemClock())
            seeding = time.monotonic()
            async with database.transaction() as session:
                await places.ensure_loaded(session)
                made = await demo.seed(session, args.people, "telegram", FIRST_CHAT, engine.clock.now(), args.area)
            seeded_in = time.monotonic() - seeding
            bot = bot_for(TOKEN, fake.base_url)
            worker = Worker(engine, {"telegram": TelegramSender(bot)}, WorkerSettings(limits={"telegram": limits}))
            heap.settle()  # as the long-running commands do (bot.heap)
            await worker.start()
            chat = Chat(engine, args.chat_rate)
            lag = LoopLag()
            with lag:
                alone = await chat.run(args.chat_seconds, 0)
                await asyncio.sleep(2)  # the last answers of the quiet phase
                lag_alone = lag.lateness()

            async with database.transaction() as session:
                broadcast = await manage.create(
                    session,
                    None,
                    area_id=args.area,
                    audience_kind="everyone",
                    texts={"kk": "Ертең жиналыс.", "ru": "Завтра собрание.", "ky": "Эртең жыйын."},
                    now=engine.clock.now(),
                    organisation="Bench akimat",
                )
                preview = await manage.preview(session, broadcast, engine.clock.now())
                sent_at = time.monotonic()
                await manage.send(session, None, broadcast, engine.clock.now())
            watch = asyncio.create_task(watched(database, broadcast.id, args.no_wait))
            with lag:
                during = await chat.run(args.chat_seconds, len(alone))
                lag_during = lag.lateness()
            if args.no_wait:
                await asyncio.sleep(2)  # the last answers
                watch.cancel()
                queued_at = None
            else:
                queued_at = await watch
            await asyncio.sleep(1)
            await worker.stop()
            stages = await answer_stages(database, alone, during)
            await bot.session.close()
            sends = await fake.sends()

    notices = sorted(moment for moment, chat in sends if FIRST_CHAT <= chat < CHATTERS)
    print(f"database      {args.database}; limit {args.limit:g} messages/s (1/s per chat)")
    print(f"seeded        {made.total:,} people in {seeded_in:.1f} s (joldas demo seed); {made.stopped:,} said /stop")
    print(f"broadcast     area {args.area}: {preview.total:,} recipients by the preview")
    if queued_at:
        print(f"queued        all in the outbox {queued_at - sent_at:.1f} s after send (chunks of 1,000, by the timer)")
    if notices:
        print(
            f"delivered     {len(notices):,} notices; the last {notices[-1] - sent_at:.1f} s after send "
            f"({(len(notices) - 1) / max(notices[-1] - notices[0], 1e-9):,.1f}/s; busiest second "
            f"{most_in_any_window([moment for moment, _ in sends])} messages in all)"
        )
    quiet, busy = answer_times(alone, chat.pressed, sends), answer_times(during, chat.pressed, sends)
    print(f"chatting      {args.chat_rate:g} /start a second for {args.chat_seconds:g} s, each answered once")
    print(f"  alone       {ms(quiet)}")
    print(f"  broadcast   {ms(busy)}")
    if quiet and busy:
        print(f"  p99 ratio   {percentile(busy, 0.99) / percentile(quiet, 0.99):.2f} (target ≤ 1.20)")
    print(f"  loop late   alone {ms(lag_alone)}; during {ms(lag_during)} (a task due every 5 ms)")
    for name, (quiet_part, busy_part) in stages.items():
        print(f"  {name} alone {ms(quiet_part)}; during {ms(busy_part)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--area", default="KZ", help="where the people live, and the broadcast's area (default KZ)")
    parser.add_argument("--limit", type=float, default=30, help="telegram messages/s (the platform's is 30)")
    parser.add_argument("--chat-rate", type=float, default=5, help="people pressing /start per second")
    parser.add_argument("--chat-seconds", type=float, default=20, help="how long people chat, alone and during")
    parser.add_argument("--no-wait", action="store_true", help="stop after the chatting, not at the last notice")
    args = parser.parse_args()
    os.environ["TELEGRAM_RATE_LIMIT"] = str(args.limit)  # the broadcast paces itself by the configured limit
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
