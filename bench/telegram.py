"""Benchmark of the Telegram path beside a bare aiogram bot, on the same loopback fake Bot API (a separate
process, zero latency, at most 100 updates per getUpdates as Telegram), rate limits lifted.

    python bench/telegram.py                       # SQLite file
    python bench/telegram.py --database postgresql

N people (500) press /start at once: their updates are pushed to the fake's getUpdates queue together.
- bare: aiogram's Dispatcher with one handler answering /start with an inline keyboard (`dp.start_polling`).
- Joldas: `TelegramChannel.run_polling()` stores the updates in the inbox, the in-process `Worker` processes
  them through the engine and sends the answers (the language picker) with `TelegramSender`.
Each side gets a fresh fake and a warm-up of 20 other people first. Answers/s: people answered over the time
from the push to the first answer reaching the last of them, counted on the fake; CPU per answer: this process's
over the same time (the fake's own is not counted). A tool, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time

from aiogram import Dispatcher
from aiogram.filters import CommandStart
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from common import POSTGRES_URL, TOKEN, FakeBotAPIProcess, cpu_seconds, scratch_database

from bot import heap
from bot.channels.telegram import TelegramChannel, TelegramSender, bot_for
from bot.delivery.pace import Limits
from bot.delivery.worker import Worker
from bot.delivery.worker_settings import WorkerSettings
from bot.engine import Engine
from handlers import build_router

WARM_UP = 20


async def answered(fake: FakeBotAPIProcess, chats: set[int], since: float, timeout: float = 300) -> dict[int, float]:
    """Waits until every chat in `chats` got a message after `since`; returns the moment of each one's first."""
    deadline = time.monotonic() + timeout
    while True:
        first: dict[int, float] = {}
        for moment, chat in await fake.sends():
            if chat in chats and moment >= since:
                first.setdefault(chat, moment)
        if len(first) == len(chats) or time.monotonic() > deadline:
            return first
        await asyncio.sleep(0.1)


async def press_start(fake: FakeBotAPIProcess, people: int, label: str) -> float:
    """The warm-up, then `people` /start at once; prints and returns answers/s."""
    warm = set(range(1, WARM_UP + 1))
    await answered(fake, warm, await fake.push(sorted(warm)))
    chats = set(range(10_000, 10_000 + people))
    cpu_started = cpu_seconds()
    pushed = await fake.push(sorted(chats))
    first = await answered(fake, chats, pushed)
    cpu = cpu_seconds() - cpu_started
    sends = [moment for moment, chat in await fake.sends() if chat in chats]
    took = max(first.values()) - pushed
    rate = len(first) / took
    print(
        f"{label:<8} {len(first)}/{people} answered in {took:.2f} s: {rate:,.0f} answers/s "
        f"({len(sends)} messages; first answer after {(min(first.values()) - pushed) * 1000:.0f} ms)\n"
        f"{'':<8} cpu {cpu / len(first) * 1000:.2f} ms per answer (this process, all threads; not the fake's)"
    )
    return rate


async def bare(people: int) -> float:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=f"lang:{code}")]
            for code, label in (("kk", "Қазақша"), ("ru", "Русский"), ("ky", "Кыргызча"))
        ]
    )
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Тілді таңдаңыз · Выберите язык · Тилди тандаңыз", reply_markup=keyboard)

    with FakeBotAPIProcess() as fake:
        bot = bot_for(TOKEN, fake.base_url)
        heap.settle()  # the same for both sides: this process imported Joldas too
        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False))
        try:
            return await press_start(fake, people, "bare")
        finally:
            with contextlib.suppress(RuntimeError):
                await dp.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(polling, 15)
            await bot.session.close()


async def joldas(people: int, database_kind: str, postgres_url: str) -> float:
    with FakeBotAPIProcess() as fake:
        async with scratch_database(database_kind, postgres_url) as database:
            engine = Engine(database, build_router())
            bot = bot_for(TOKEN, fake.base_url)
            channel = TelegramChannel(engine, bot)
            worker = Worker(
                engine, {"telegram": TelegramSender(bot)}, WorkerSettings(limits={"telegram": Limits(None)})
            )
            heap.settle()  # as the long-running commands do (bot.heap)
            await worker.start()
            polling = asyncio.create_task(channel.run_polling())
            try:
                return await press_start(fake, people, "Joldas")
            finally:
                polling.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await polling
                await worker.stop()
                await bot.session.close()


async def run(args) -> None:
    print(f"database {args.database}; {args.people} people press /start at once; limits lifted")
    bare_rate = await bare(args.people)
    joldas_rate = await joldas(args.people, args.database, args.postgres_url)
    print(f"ratio    Joldas / bare = {joldas_rate / bare_rate:.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--people", type=int, default=500)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
