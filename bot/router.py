"""Routes an incoming message to a handler: by button id, by command, or by the person's saved state.

Button ids are `prefix` or `prefix:argument`; the prefix picks the handler, which gets the argument.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.i18n import typed_as

if TYPE_CHECKING:
    from bot.context import Conversation

Handler = Callable[["Conversation", str], Awaitable[None]]
Reask = Callable[["Conversation"], Awaitable[None]]
Guard = Callable[["Conversation"], Awaitable[bool]]
Fallback = Callable[["Conversation", str], Awaitable[None]]


class NotUnderstood(Exception):
    """Raised by routing (or a handler) when an input means nothing here: the fallback answers it.

    `reason` is one of: `text`, `empty`, `unsupported`, `command`, `button`.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MenuEntry:
    button_id: str
    label: str  # an msgid, translated when the menu is shown
    order: int
    visible: Callable[[Conversation], bool] | None = None
    short_label: str | None = None  # an msgid of at most 20 characters in every language (see Button.short_label)


class Router:
    def __init__(self) -> None:
        self.commands: dict[str, Handler] = {}
        self.buttons: dict[str, Handler] = {}
        self.states: dict[str, Handler] = {}
        self.reasks: dict[str, Reask] = {}
        self.guards: list[Guard] = []
        self.menu_entries: list[MenuEntry] = []
        self.fallback: Fallback | None = None

    def command(self, *names: str) -> Callable[[Handler], Handler]:
        return self._register(self.commands, names)

    def button(self, *prefixes: str) -> Callable[[Handler], Handler]:
        return self._register(self.buttons, prefixes)

    def state(self, *names: str) -> Callable[[Handler], Handler]:
        return self._register(self.states, names)

    def reask(self, *states: str) -> Callable[[Reask], Reask]:
        """Registers how a flow shows its current question again, from its saved state alone.

        `Conversation.ask_again()` calls it: after `/lang` (in the new language), after a side question
        (a typed question answered in the middle of a flow), or wherever a person must be put back where
        they were. It must not change the answers the state holds, only ask.
        """
        return self._register(self.reasks, states)

    def guard(self, guard: Guard) -> Guard:
        """A guard runs before routing and returns True when it has answered the message itself."""
        self.guards.append(guard)
        return guard

    def fallback_handler(self, fallback: Fallback) -> Fallback:
        self.fallback = fallback
        return fallback

    def menu(
        self,
        button_id: str,
        label: str,
        order: int,
        visible: Callable[[Conversation], bool] | None = None,
        short_label: str | None = None,
    ):
        """Adds an entry to the main menu. Only a working feature registers one, so no button is dead."""
        self.menu_entries.append(MenuEntry(button_id, label, order, visible, short_label))

    def include(self, other: Router) -> None:
        for mine, theirs in (
            (self.commands, other.commands),
            (self.buttons, other.buttons),
            (self.states, other.states),
            (self.reasks, other.reasks),
        ):
            clash = mine.keys() & theirs.keys()
            if clash:
                raise ValueError(f"routes registered twice: {sorted(clash)}")
            mine.update(theirs)
        self.guards.extend(other.guards)
        self.menu_entries.extend(other.menu_entries)
        if other.fallback is not None:
            if self.fallback is not None:
                raise ValueError("two fallback handlers")
            self.fallback = other.fallback

    async def dispatch(self, ctx: Conversation) -> None:
        for guard in self.guards:
            if await guard(ctx):
                return
        incoming = ctx.incoming
        if incoming.button is not None:
            prefix, _, argument = incoming.button.partition(":")
            return await self._call(self.buttons, prefix, ctx, argument, "button")
        command = incoming.command
        if command is not None:
            return await self._call(self.commands, command[0], ctx, command[1], "command")
        if incoming.text is None:
            raise NotUnderstood("empty")
        entry = self.menu_entry_typed(ctx, incoming.text)
        if entry is not None:  # a menu label typed, in any language, works as the menu button
            prefix, _, argument = entry.button_id.partition(":")
            return await self._call(self.buttons, prefix, ctx, argument, "button")
        if ctx.state is not None and ctx.state in self.states:
            return await self.states[ctx.state](ctx, incoming.text)
        raise NotUnderstood("text")

    def menu_entry_typed(self, ctx: Conversation, text: str) -> MenuEntry | None:
        """The visible menu entry whose label (or short label) is the typed text, in any user language."""
        for entry in self.menu_entries:
            labels = [entry.label] + ([entry.short_label] if entry.short_label else [])
            if (entry.visible is None or entry.visible(ctx)) and typed_as(text, *labels):
                return entry
        return None

    @staticmethod
    async def _call(table: dict[str, Handler], key: str, ctx: Conversation, argument: str, reason: str) -> None:
        handler = table.get(key)
        if handler is None:
            raise NotUnderstood(reason)
        await handler(ctx, argument)

    @staticmethod
    def _register(table: dict, keys: tuple[str, ...]) -> Callable:
        def decorator(handler):
            for key in keys:
                if key in table:
                    raise ValueError(f"{key!r} registered twice")
                table[key] = handler
            return handler

        return decorator
