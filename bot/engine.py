"""The conversation engine: one incoming message in, the replies out.

For each message it: waits its turn behind the same person's earlier messages, drops a redelivered
update, loads the person and their saved state, routes to a handler, saves the new state, and commits
all of that in one transaction. A handler's failure is logged with context and answered with an apology.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

from bot.clock import Clock, SystemClock
from bot.context import Conversation
from bot.conversation import MAX_INCOMING_TEXT, Incoming, Reply
from bot.i18n import N_, normalise_language, texts
from bot.router import NotUnderstood, Router
from bot.storage import repository
from bot.storage.database import Database
from bot.storage.models import utcnow

log = logging.getLogger(__name__)

APOLOGY = N_(
    "Sorry, something went wrong on our side and your request was not completed. Please try again in a moment."
)


class PersonLocks:
    """One asyncio lock per person, dropped when nobody waits on it, so memory does not grow with users."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: tuple[str, str]) -> AsyncIterator[None]:
        lock, waiting = self._locks.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[key] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._locks[key]
            if waiting == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, waiting - 1)

    def __len__(self) -> int:
        return len(self._locks)


def clean(incoming: Incoming) -> Incoming:
    """Trims whitespace, cuts an oversized text, and turns an empty one into no text at all."""
    text = incoming.text
    if text is not None:
        text = text.strip()[:MAX_INCOMING_TEXT] or None
    button = incoming.button.strip() if incoming.button else None
    return replace(incoming, text=text, button=button or None)


class Engine:
    def __init__(self, database: Database, router: Router, default_language: str = "kk", clock: Clock | None = None):
        if router.fallback is None:
            raise ValueError("the router needs a fallback handler")
        self.database = database
        self.router = router
        self.default_language = default_language
        self.clock = clock or SystemClock()
        self.people = PersonLocks()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        incoming = clean(incoming)
        async with self.people.hold((incoming.channel, incoming.user_id)):
            try:
                return await self._in_transaction(incoming, self.router.dispatch)
            except Exception:
                log.exception(
                    "handler failed: channel=%s user=%s update=%s button=%r command=%r",
                    incoming.channel,
                    incoming.user_id,
                    incoming.update_id,
                    incoming.button,
                    incoming.command,
                )
            try:
                return await self._in_transaction(incoming, self._apologise)
            except Exception:
                log.exception("could not even apologise: channel=%s user=%s", incoming.channel, incoming.user_id)
                language = normalise_language(incoming.language_hint) or self.default_language
                return [Reply(texts(language).gettext(APOLOGY))]

    async def _in_transaction(
        self, incoming: Incoming, action: Callable[[Conversation], Awaitable[None]]
    ) -> list[Reply]:
        async with self.database.transaction() as session:
            await repository.lock_person(session, incoming.channel, incoming.user_id)
            if not await repository.mark_processed(session, incoming.channel, incoming.update_id):
                log.info("redelivered update dropped: channel=%s update=%s", incoming.channel, incoming.update_id)
                return []
            contact = await repository.get_or_create_contact(session, incoming.channel, incoming.user_id)
            contact.last_inbound_at = utcnow()
            saved = await repository.load_state(session, contact)
            ctx = Conversation(
                incoming,
                contact,
                saved.state,
                dict(saved.data),
                session,
                self.router,
                self.default_language,
                clock=self.clock,
            )
            try:
                await action(ctx)
            except NotUnderstood as not_understood:
                ctx.replies.clear()
                await self.router.fallback(ctx, not_understood.reason)
            if not ctx.forgotten:
                saved.state, saved.data = ctx.state, ctx.data
                session.add(saved)
            return ctx.replies

    async def _apologise(self, ctx: Conversation) -> None:
        ctx.say(ctx._(APOLOGY), ctx.menu_buttons() if ctx.contact.language else [])
