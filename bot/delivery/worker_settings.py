"""How a worker runs: leases, batches, retries and each channel's rate limits (from `bot.config`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.delivery.pace import Limits


@dataclass(frozen=True)
class WorkerSettings:
    lease: timedelta = timedelta(seconds=60)
    batch_size: int = 200  # outbox rows claimed at once (fewer when a rate limit is on)
    inbox_batch_size: int = 50
    max_attempts: int = 8  # failed sends before a row is dead (a platform's "wait N seconds" does not count)
    backoff_base: float = 2.0
    backoff_cap: float = 600.0
    idle_poll: float = 1.0  # the longest an idle worker sleeps without a wake-up
    limits: dict[str, Limits] = field(default_factory=dict)  # per channel; absent: no limit
    process_inbox: bool = True
