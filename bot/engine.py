"""The conversation engine: one incoming message in, the replies queued in the outbox.

For each message it: waits its turn behind the same person's earlier messages, drops a redelivered
update, loads the person and their saved state, routes to a handler, saves the new state, queues the
replies, and commits all of that in one transaction (under load shared with other people's updates, each
still kept or dropped as a whole: `bot.storage.group_commit`). A handler's failure is logged with context and
answered with an apology. Nothing is sent from here: the worker sends what the outbox holds.

Updates reach it two ways: stored in the inbox by a webhook or long polling and processed by the worker
(`process`), or processed at once as they arrive, as the console and tests do (`handle`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.rendering import render
from bot.clock import Clock, SystemClock
from bot.context import Conversation
from bot.conversation import MAX_INCOMING_TEXT, Incoming, Reply
from bot.delivery import inbox
from bot.i18n import N_
from bot.router import NotUnderstood, Router
from bot.storage import repository
from bot.storage.database import Database
from bot.storage.group_commit import GroupCommit, RunAlone
from bot.storage.models import InboxUpdate

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
        self.groups = GroupCommit(database)

    async def receive(self, updates: list[Incoming]) -> int:
        """Stores updates in the inbox for the worker (a webhook, long polling); returns how many were new.
        Raises when the database cannot store them: the caller must then not acknowledge them."""
        async with self.database.transaction() as session:
            return await inbox.store(session, [clean(incoming) for incoming in updates], self.clock.now())

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Processes an update as it arrives; returns the replies, which are queued in the outbox too."""
        return await self._handle(clean(incoming), inbox_id=None)

    async def process(self, row: InboxUpdate) -> list[Reply]:
        """Processes an update the inbox holds, marking it done in the same transaction."""
        return await self._handle(inbox.incoming_of(row), inbox_id=row.id)

    async def _handle(self, incoming: Incoming, inbox_id: int | None) -> list[Reply]:
        async with self.people.hold((incoming.channel, incoming.user_id)):
            handled = functools.partial(self._turn, incoming, inbox_id, self.router.dispatch)
            try:
                try:
                    return await self.groups.run(handled)
                except RunAlone:  # another update of its group failed, or the commit did: nothing was kept
                    return await self._alone(handled)
            except Exception:
                log.exception(
                    "handler failed: channel=%s user=%s update=%s button=%r command=%r",
                    incoming.channel,
                    incoming.user_id,
                    incoming.update_id,
                    incoming.button,
                    incoming.command,
                )
            # The apology is queued like any answer; if even that fails (the database is gone), the exception
            # reaches the caller: the worker keeps the update for another try, the console says so.
            return await self._alone(functools.partial(self._turn, incoming, inbox_id, self._apologise))

    async def _alone(self, turn: Callable[[AsyncSession], Awaitable[list[Reply]]]) -> list[Reply]:
        async with self.database.transaction() as session:
            return await turn(session)

    async def _turn(
        self,
        incoming: Incoming,
        inbox_id: int | None,
        action: Callable[[Conversation], Awaitable[None]],
        session: AsyncSession,
    ) -> list[Reply]:
        """One update's part of a transaction (its own, or shared by a group: `bot.storage.group_commit`)."""
        now = self.clock.now()
        driver = await self.database.driver(session)
        done = inbox.done_statement(driver.dialect, incoming, inbox_id, now)
        person = await repository.enter_person(session, driver, incoming.channel, incoming.user_id, done, now)
        if person is None:
            log.info("redelivered update dropped: channel=%s update=%s", incoming.channel, incoming.update_id)
            return []
        contact = person.contact
        ctx = Conversation(
            incoming,
            contact,
            person.state,
            dict(person.data),
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
        # The answers, rendered for the channel (after the platform's receipt), queued as `outbox.queue` does.
        answers = [incoming.receipt] if incoming.receipt else []
        answers += [
            payload for reply in ctx.replies for payload in render(incoming.channel, reply, ctx.t, ctx.language)
        ]
        await repository.finish_person(
            session,
            driver,
            person,
            None if ctx.forgotten else (ctx.state, ctx.data),
            answers,
            address=incoming.user_id,
            contact_id=None if ctx.forgotten else contact.id,
            now=now,
        )
        return ctx.replies

    async def _apologise(self, ctx: Conversation) -> None:
        ctx.say(ctx._(APOLOGY), ctx.menu_buttons() if ctx.contact.language else [])
