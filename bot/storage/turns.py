"""People's transactions before background work (bulk sending, timers).

- SQLite (`PriorityTurns`): turns at the one writer; a background transaction waits while a person's
  transaction or an answer's is waiting for its turn, so a broadcast's claims and records never stand in
  front of an answer.
- PostgreSQL (`ForegroundFirst`): transactions run side by side, but in one process they share the event loop,
  and on a small machine the server's cores: a background transaction starts only when no person's is running
  in this process, waiting at most half a second so that a busy process still sends its bulk and
  fires its timers.
"""

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


class ForegroundFirst:
    """Lets background transactions start only while no foreground one runs, or after `patience` seconds."""

    def __init__(self, patience: float = 0.5) -> None:
        self.patience = patience
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def turn(self, priority: int = FOREGROUND):
        if priority == FOREGROUND:
            self._running += 1
            self._idle.clear()
            try:
                yield
            finally:
                self._running -= 1
                if not self._running:
                    self._idle.set()
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.patience):
                await self._idle.wait()
        yield
