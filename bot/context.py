"""The conversation a handler works in: who is talking, where they are, and what to answer."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from bot.clock import Clock, SystemClock, country_code, local_today
from bot.conversation import Button, Document, Incoming, Reply
from bot.i18n import Texts, normalise_language, texts
from bot.storage.models import Contact

RETURN_TO = "_return_to"  # the key a detour keeps the place to go back to under, in the state's data

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.router import Router


class Conversation:
    def __init__(
        self,
        incoming: Incoming,
        contact: Contact,
        state: str | None,
        data: dict[str, Any],
        session: AsyncSession,
        router: Router,
        default_language: str,
        clock: Clock | None = None,
    ):
        self.incoming = incoming
        self.contact = contact
        self.state = state
        self.data = data
        self.session = session
        self.router = router
        self.default_language = default_language
        self.clock = clock or SystemClock()
        self.replies: list[Reply] = []
        self.forgotten = False  # set when the contact was deleted: nothing is saved afterwards

    @property
    def language(self) -> str:
        return self.contact.language or normalise_language(self.incoming.language_hint) or self.default_language

    @property
    def country(self) -> str:
        """The country whose time and working days the person lives by: the one they told us, else a guess
        from their language (Kyrgyz: Kyrgyzstan), else Kazakhstan."""
        if self.contact.country:
            return country_code(self.contact.country)
        return "KG" if self.language == "ky" else "KZ"

    @property
    def today(self) -> dt.date:
        """Today's date where the person is, by the engine's clock (never the server's own date)."""
        return local_today(self.clock, self.country)

    @property
    def t(self) -> Texts:
        return texts(self.language)

    def _(self, message: str) -> str:
        return self.t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.t.ngettext(singular, plural, n)

    @property
    def has_consent(self) -> bool:
        return self.contact.consent == "granted"

    def say(self, text: str, buttons: list[list[Button]] | None = None, document: Document | None = None) -> None:
        self.replies.append(Reply(text=text, buttons=buttons or [], document=document))

    def goto(self, state: str | None, **data: Any) -> None:
        """Moves the person to a state; text they send next goes to that state's handler."""
        self.state = state
        self.data = data

    def detour(self, state: str, **data: Any) -> None:
        """Moves to a side question (the language picker, say) and keeps the place the person was in, so
        that `ask_again()` after it takes them back there. A detour from a detour keeps the first place."""
        place = self.data.get(RETURN_TO) if RETURN_TO in self.data else {"state": self.state, "data": self.data}
        self.goto(state, **data, **{RETURN_TO: place})

    async def ask_again(self) -> bool:
        """Shows the question of the flow the person is in again (ending a detour first), in their current
        language, through the flow's `Router.reask`. False when they are in no flow that can: then the caller
        decides what to show (usually the menu)."""
        place = self.data.get(RETURN_TO)
        if isinstance(place, dict):
            self.goto(place.get("state"), **(place.get("data") or {}))
        reask = self.router.reasks.get(self.state) if self.state else None
        if reask is None:
            return False
        await reask(self)
        return True

    def menu_buttons(self) -> list[list[Button]]:
        entries = sorted(self.router.menu_entries, key=lambda entry: entry.order)
        return [
            [Button(entry.button_id, self._(entry.label), self._(entry.short_label) if entry.short_label else None)]
            for entry in entries
            if entry.visible is None or entry.visible(self)
        ]

    def show_menu(self, text: str | None = None) -> None:
        self.goto(None)
        self.say(text or self._("Main menu. Choose what you need:"), self.menu_buttons())
