"""A notice as a person gets it: the organisation named, the text in their language, "Stop these notices".

Also the one place where this feature's button ids are made and read (`NoticeButton`), for the person's
button and the official's flow alike.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal, get_args

from bot.conversation import Button, Reply
from bot.i18n import N_, USER_LANGUAGES, texts
from bot.storage.models import Broadcast

PREFIX = "ntc"
MAX_TEXT = 800  # characters: with the organisation's name the notice stays one message everywhere and fits
# WhatsApp's template parameter (900) whole
MAX_ORGANISATION = 80
OPERATOR = "Joldas"  # who a notice is from when the operator sent it without an organisation
STOP = N_("Stop these notices")
STOP_SHORT = N_("Stop notices")

# The official's flow: `ntc` (open), `ntc:new`, `ntc:skip` (no text in this language), `ntc:fb:<lang>`,
# `ntc:area:<place>`, `ntc:aud:<kind>`, `ntc:send`, `ntc:when`, `ntc:rep:<once|weekly|monthly>`, `ntc:drop`
# (discard the draft), `ntc:list`; on a broadcast: `ntc:report:<id>`, `ntc:cancel:<id>`, `ntc:again:<id>`;
# the person's: `ntc:stop:<id>`, `ntc:undo:<id>`.
Action = Literal[
    "new",
    "skip",
    "fb",
    "area",
    "aud",
    "send",
    "when",
    "rep",
    "drop",
    "list",
    "report",
    "cancel",
    "again",
    "stop",
    "undo",
]
ON_BROADCAST = {"report", "cancel", "again", "stop", "undo"}


@dataclass(frozen=True)
class NoticeButton:
    action: Action
    value: str = ""

    @property
    def id(self) -> str:
        return f"{PREFIX}:{self.action}:{self.value}" if self.value else f"{PREFIX}:{self.action}"

    @property
    def broadcast_id(self) -> int:
        return int(self.value)

    @classmethod
    def parse(cls, argument: str) -> NoticeButton | None:
        """What follows `ntc:`; None for anything malformed (a broadcast id that is not a number, say)."""
        action, _, value = argument.partition(":")
        if action not in get_args(Action):
            return None
        if action in ON_BROADCAST and not (value.isascii() and value.isdigit() and len(value) < 10):
            return None
        if action == "fb" and value not in USER_LANGUAGES:
            return None
        return cls(action, value)  # type: ignore[arg-type]


def sender_name(broadcast: Broadcast) -> str:
    return broadcast.organisation or OPERATOR


def language_for(broadcast: Broadcast, language: str | None) -> str:
    """The recipient's language when the notice has a text in it, else the broadcast's fallback."""
    return language if language in broadcast.texts else broadcast.fallback_language


def text_hash(text: str) -> str:
    """Names a text for "never the same text twice a day to one person", whoever sends it."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()[:20]


def reply(broadcast: Broadcast, language: str) -> Reply:
    t = texts(language)
    body = f"📢 {sender_name(broadcast)}\n\n{broadcast.texts[language]}"
    stop = NoticeButton("stop", str(broadcast.id)).id
    return Reply(body, [[Button(stop, t.gettext(STOP), t.gettext(STOP_SHORT))]])
