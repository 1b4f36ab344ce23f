"""Turns at SQLite's one writer, people first: a transaction of background work (bulk sending, timers) waits
while a person's transaction or an answer's is waiting for its turn, so a broadcast's claims and records never
stand in front of an answer."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools

FOREGROUND, BACKGROUND = 0, 1


class PriorityTurns:
    """A lock whose waiters get it lowest priority first, then in the order they came."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: list[tuple[int, int, asyncio.Future]] = []
        self._arrivals = itertools.count()

    @contextlib.asynccontextmanager
    async def turn(self, priority: int = FOREGROUND):
        if self._held or self._waiting:
            ready = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (priority, next(self._arrivals), ready))
            try:
                await ready
            except asyncio.CancelledError:
                if ready.done() and not ready.cancelled():  # the turn was handed over just now: pass it on
                    self._hand_over()
                raise
        self._held = True
        try:
            yield
        finally:
            self._hand_over()

    def _hand_over(self) -> None:
        while self._waiting:
            *_, ready = heapq.heappop(self._waiting)
            if not ready.done():
                ready.set_result(None)
                return
        self._held = False
