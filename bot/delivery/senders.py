"""What every channel's sender does, and the typed results it answers with.

A sender sends one outbox row (one platform message) and says what happened; the worker decides what follows
(mark sent, wait and retry, drop the person's queue, send a template instead, give up). The mapping of each
platform's documented errors to these results lives with the sender, tested code by code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.delivery.outbox import Outgoing


@dataclass(frozen=True)
class Sent:
    message_id: str | None = None  # the platform's id (Telegram message_id, WhatsApp wamid)


@dataclass(frozen=True)
class RetryLater:
    """Try again: after `after` seconds when the platform named the time (Telegram 429 retry_after), else after
    the worker's back-off. `pause_channel`: the platform said "too fast" for the whole bot, not one message."""

    reason: str
    after: float | None = None
    pause_channel: bool = False


@dataclass(frozen=True)
class RecipientGone:
    """The person cannot be reached (blocked the bot, deleted the account, a number WhatsApp cannot deliver to)."""

    reason: str


@dataclass(frozen=True)
class OutsideWindow:
    """WhatsApp: the person last wrote more than 24 hours ago; only an approved template may go."""

    reason: str


@dataclass(frozen=True)
class Failed:
    """Permanent: sending the same again would fail the same way."""

    reason: str


SendResult = Sent | RetryLater | RecipientGone | OutsideWindow | Failed


class Sender(Protocol):
    channel: str

    async def send(self, message: Outgoing) -> SendResult: ...

    def instead_outside_window(self, message: Outgoing) -> dict[str, Any] | None:
        """The payload to send in the row's place when the window is closed (a template), or None."""
        ...

    async def close(self) -> None: ...
