"""What the delivery benchmarks share: a scratch database, a sender that records when it is called, a lean
fake Telegram Bot API in a process of its own, and percentiles.

The fake runs in a separate process (`FakeBotAPIProcess`) so that its own work does not eat the event loop of
the bot it measures; it records the moment (CLOCK_MONOTONIC, comparable across processes) and the chat of
every send, and serves `getUpdates` (at most 100 updates a call, as Telegram) from updates the benchmark
pushes. It is lean on purpose: no form parsing beyond the chat id, no record beyond (moment, chat).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import multiprocessing
import re
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.delivery.outbox import Outgoing  # noqa: E402
from bot.delivery.senders import Sent  # noqa: E402
from bot.storage.database import Database  # noqa: E402

POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TOKEN = "123456:BENCH-token_for-the-fake"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Joldas", "username": "JoldasBenchBot"}


@contextlib.asynccontextmanager
async def scratch_database(kind: str, postgres_url: str = POSTGRES_URL) -> AsyncIterator[Database]:
    """A fresh, migrated database: a SQLite file in a temporary folder, or a PostgreSQL database created for
    the run and dropped after it."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            database = Database(f"sqlite+aiosqlite:///{folder}/bench.db")
            await database.upgrade()
            try:
                yield database
            finally:
                await database.dispose()
        return
    name = f"joldas_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg://", "postgresql://"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        database = Database(postgres_url.rsplit("/", 1)[0] + f"/{name}")
        await database.upgrade()
        try:
            yield database
        finally:
            await database.dispose()
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


class RecordingSender:
    """A real in-process sender (the `bot.delivery.senders.Sender` protocol) that sends nothing: it records
    when each outbox row was handed to it and says the platform accepted it."""

    def __init__(self, channel: str = "telegram"):
        self.channel = channel
        self.handed: dict[int, float] = {}  # outbox row id → time.perf_counter() when send() was called
        self.arrived = asyncio.Event()

    async def send(self, message: Outgoing) -> Sent:
        self.handed.setdefault(message.id, time.perf_counter())
        self.arrived.set()
        return Sent(str(message.id))

    def instead_outside_window(self, message: Outgoing) -> None:
        return None

    async def close(self) -> None:
        pass


def cpu_seconds() -> float:
    """CPU time of this process so far, all its threads (aiosqlite's too), user and system; not the
    PostgreSQL server's nor the fake Bot API's. On a machine shared with other work, a steadier figure than rates."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered) + 0.5)) - 1))]


class LoopLag:
    """How late the event loop runs a task that wants to run every `every` seconds: the time anything ready
    (an answer) waits behind whatever holds the loop. `lateness()` gives the samples since the last call."""

    def __init__(self, every: float = 0.005):
        self.every = every
        self.samples: list[float] = []
        self._task: asyncio.Task | None = None

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self.every
            await asyncio.sleep(self.every)
            self.samples.append(loop.time() - due)

    def __enter__(self) -> LoopLag:
        self._task = asyncio.get_running_loop().create_task(self._watch())
        return self

    def __exit__(self, *_exc) -> None:
        self._task.cancel()

    def lateness(self) -> list[float]:
        taken, self.samples = self.samples, []
        return taken


def most_in_any_window(moments: list[float], width: float = 1.0) -> int:
    """The most events in any half-open window [t, t + width) (a sliding window, not whole seconds)."""
    ordered = sorted(moments)
    most = start = 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - width:
            start += 1
        most = max(most, end - start + 1)
    return most


# --- the fake Bot API, in its own process ---------------------------------------------------------------------

CHAT_ID = re.compile(rb'chat_id(?:=|"\r\n\r\n|":\s*)(-?\d+)')  # a form, multipart or JSON
LIMIT = re.compile(rb'(?:^|&|")limit(?:=|"\r\n\r\n)(\d+)')
OFFSET = re.compile(rb'offset(?:=|"\r\n\r\n)(-?\d+)')
TIMEOUT = re.compile(rb'timeout(?:=|"\r\n\r\n)(\d+)')


def _serve(port_pipe, latency: float) -> None:
    """The fake's process: an aiohttp server on 127.0.0.1 at a free port (sent back through the pipe)."""
    from aiohttp import web

    sends: list[tuple[float, int]] = []  # (time.monotonic(), chat id) of every accepted send
    updates: list[dict] = []
    arrived = asyncio.Condition()
    message_ids = itertools.count(1)
    update_ids = itertools.count(1)

    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await request.read()
        if method in ("sendMessage", "sendDocument"):
            if latency:
                await asyncio.sleep(latency)
            found = CHAT_ID.search(body)
            chat = int(found.group(1)) if found else 0
            sends.append((time.monotonic(), chat))
            result = (
                f'{{"ok":true,"result":{{"message_id":{next(message_ids)},"date":{int(time.time())},'
                f'"chat":{{"id":{chat},"type":"private"}},'
                '"from":{"id":123456,"is_bot":true,"first_name":"Joldas"},"text":"ok"}}'
            )
            return web.Response(text=result, content_type="application/json")
        if method == "getUpdates":
            offset = int(found.group(1)) if (found := OFFSET.search(body)) else 0
            limit = int(found.group(1)) if (found := LIMIT.search(body)) else 100
            timeout = int(found.group(1)) if (found := TIMEOUT.search(body)) else 0
            async with arrived:
                updates[:] = [update for update in updates if update["update_id"] >= offset]
                if not updates and timeout:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(arrived.wait(), timeout)
                result = updates[: max(1, min(limit, 100))]
            return web.json_response({"ok": True, "result": result})
        answers: dict[str, Any] = {"getMe": BOT_USER, "deleteWebhook": True, "answerCallbackQuery": True}
        if method in answers:
            return web.json_response({"ok": True, "result": answers[method]})
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    async def push(request: web.Request) -> web.Response:
        """Body: a list of chat ids, each pressing /start."""
        chats = await request.json()
        now = int(time.time())
        async with arrived:
            for chat in chats:
                update_id = next(update_ids)
                user = {"id": chat, "is_bot": False, "first_name": "Aigerim", "language_code": "kk"}
                message = {
                    "message_id": update_id,
                    "date": now,
                    "chat": {"id": chat, "type": "private", "first_name": "Aigerim"},
                    "from": user,
                    "text": "/start",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                }
                updates.append({"update_id": update_id, "message": message})
            arrived.notify_all()
        return web.json_response({"pushed": len(chats), "at": time.monotonic()})

    async def stats(_request: web.Request) -> web.Response:
        return web.Response(body=json.dumps(sends).encode(), content_type="application/json")

    async def main() -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", api)
        app.router.add_post("/bench/push", push)
        app.router.add_get("/bench/sends", stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_pipe.send(site._server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


class FakeBotAPIProcess:
    """Starts the fake in a child process; `.base_url` for aiogram, `.push(chats)`, `.sends()`."""

    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.process: multiprocessing.Process | None = None
        self.port = 0

    def __enter__(self) -> FakeBotAPIProcess:
        receiving, sending = multiprocessing.Pipe(duplex=False)
        self.process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(sending, self.latency), daemon=True
        )
        self.process.start()
        if not receiving.poll(30):
            raise RuntimeError("the fake Bot API did not start")
        self.port = receiving.recv()
        return self

    def __exit__(self, *_exc) -> None:
        self.process.terminate()
        self.process.join(5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        import aiohttp

        async with aiohttp.ClientSession() as http, http.request(method, self.base_url + path, json=body) as answer:
            return await answer.json(content_type=None)

    async def push(self, chats: list[int]) -> float:
        """Queues a /start from each chat for getUpdates; returns the fake's monotonic time of the push."""
        return (await self._call("POST", "/bench/push", chats))["at"]

    async def sends(self) -> list[tuple[float, int]]:
        """(time.monotonic(), chat id) of every send the fake accepted, in order of arrival."""
        return [tuple(pair) for pair in await self._call("GET", "/bench/sends")]
