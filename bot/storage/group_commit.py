"""Group commit: several people's updates handled one after another in one shared transaction.

A transaction of its own costs each update about half a millisecond of CPU on top of its work (a session, a
pooled connection checked out and back, BEGIN and COMMIT with their round trips, and the commit's flush to
disk), as much as the whole of a short answer. Under load, updates that wait while a transaction runs are
taken together by the next one: each still runs alone in it (one after another, the session emptied between
them, so each sees the database as a fresh session would), and their writes commit together.

A lone update is never held back to wait for company: a group is started at once while fewer than
`at_once` run, and takes whatever is waiting when its transaction begins.

All or nothing, per update: when the work of one fails, the group is rolled back; that work's caller gets its
error (the engine answers with an apology, as it would have alone), and every other caller gets `RunAlone`
and does its work again in a transaction of its own, as if it had never been grouped. A failed commit (the
database gone, a deadlock) sends all of them back the same way.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.database import Database


class RunAlone(Exception):
    """The shared transaction was rolled back because of other work, or failed to commit: nothing of this
    work was kept; do it again in a transaction of its own."""


@dataclass(eq=False)
class _Work:
    run: Callable[[AsyncSession], Awaitable[Any]]
    done: asyncio.Future
    started: bool = field(default=False)


class GroupCommit:
    def __init__(self, database: Database, size: int = 16, at_once: int = 4):
        self.database = database
        self.size = size  # the most updates one transaction takes
        self.at_once = at_once  # groups running side by side (on SQLite they take turns at the one writer)
        self._waiting: collections.deque[_Work] = collections.deque()
        self._serving = 0  # runners serving the queue; one stops, in the same step, when it finds it empty
        self._runners: set[asyncio.Task] = set()  # kept referenced while they run

    async def run(self, work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        """Runs `work(session)` in a shared transaction and returns its result once that committed. Raises
        `RunAlone` when the group failed because of other work or at commit, or the work's own error."""
        loop = asyncio.get_running_loop()
        item = _Work(work, loop.create_future())
        self._waiting.append(item)
        if self._serving < self.at_once:
            self._serving += 1
            runner = loop.create_task(self._serve(), name="group-commit")
            self._runners.add(runner)
            runner.add_done_callback(self._runners.discard)
        try:
            return await asyncio.shield(item.done)
        except asyncio.CancelledError:
            # The caller holds the person's turn until this work is settled: never two of one person's at once.
            if item.started:
                await asyncio.wait({item.done})
                if not item.done.cancelled():
                    item.done.exception()  # seen: its outcome goes nowhere now
            else:
                self._waiting.remove(item)
            raise

    async def _serve(self) -> None:
        try:
            while self._waiting:
                await self._one_group()
        finally:  # counted off with no step between the last look at the queue and this: nothing is left unserved
            self._serving -= 1

    async def _one_group(self) -> None:
        taken: list[_Work] = []
        results: list[Any] = []
        failed: tuple[int, Exception] | None = None
        try:
            async with self.database.transaction() as session:
                # Taken once the transaction has its turn (on SQLite, after waiting for the writer): all that
                # came meanwhile go in this group.
                while self._waiting and len(taken) < self.size:
                    item = self._waiting.popleft()
                    item.started = True
                    taken.append(item)
                for index, item in enumerate(taken):
                    try:
                        results.append(await item.run(session))
                        await session.flush()  # its writes, before the session forgets its objects
                    except Exception as error:
                        failed = (index, error)
                        raise
                    session.expunge_all()  # the next update starts as in a fresh session
        except Exception as error:
            for index, item in enumerate(taken):
                own = failed is not None and failed[0] == index
                _settle(item, exception=failed[1] if own else RunAlone(f"{type(error).__name__}: {error}"))
            return
        except BaseException:  # cancelled (the process stopping): rolled back, the callers are told
            for item in taken:
                if not item.done.done():
                    item.done.cancel()
            raise
        for item, result in zip(taken, results, strict=True):
            _settle(item, result=result)


def _settle(item: _Work, result: Any = None, exception: BaseException | None = None) -> None:
    if item.done.done():
        return
    if exception is not None:
        item.done.set_exception(exception)
    else:
        item.done.set_result(result)
