"""A scripted person talking to the engine, as the console or a messenger would pass their messages on."""

from __future__ import annotations

import itertools

from bot.conversation import Incoming, Reply
from bot.engine import Engine

_update_ids = itertools.count(1)


class Person:
    def __init__(self, engine: Engine, channel: str, user_id: str, language_hint: str | None = None):
        self.engine = engine
        self.channel = channel
        self.user_id = user_id
        self.language_hint = language_hint
        self.last: list[Reply] = []

    async def say(self, text: str | None) -> list[Reply]:
        return await self._send(
            Incoming(self.channel, self.user_id, self._next_id(), text=text, language_hint=self.language_hint)
        )

    async def press(self, button_id: str) -> list[Reply]:
        return await self._send(
            Incoming(self.channel, self.user_id, self._next_id(), button=button_id, language_hint=self.language_hint)
        )

    async def onboard(self, language: str, consent: str = "yes") -> list[Reply]:
        await self.say("/start")
        await self.press(f"lang:{language}")
        return await self.press(f"consent:{consent}")

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.last)

    @property
    def button_ids(self) -> list[str]:
        return [button.id for reply in self.last for button in reply.all_buttons()]

    async def _send(self, incoming: Incoming) -> list[Reply]:
        self.last = await self.engine.handle(incoming)
        return self.last

    @staticmethod
    def _next_id() -> str:
        return f"u{next(_update_ids)}"


def main_menu_ids() -> list[str]:
    """The main menu's button ids a newcomer sees, in order, as the features register them (entries shown only
    on a condition, such as the officials' screen, left out)."""
    from handlers import build_router

    entries = sorted(build_router().menu_entries, key=lambda entry: entry.order)
    return [entry.button_id for entry in entries if entry.visible is None]
