"""The channel-agnostic conversation API: what comes in, what goes out.

Handlers see only these types; channel adapters translate them to and from Telegram, WhatsApp or
the terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_BUTTON_ID_BYTES = 64  # Telegram's limit for callback_data
MAX_INCOMING_TEXT = 4096  # longer messages are cut before a handler sees them
_BUTTON_ID = re.compile(r"^[A-Za-z0-9_.:\-]+$")


@dataclass(frozen=True)
class Button:
    """A choice. `short_label` (at most 20 characters) is a short form written for channels with tight
    limits, such as WhatsApp's reply buttons; give one whenever `label` is longer than 20 characters."""

    id: str
    label: str
    short_label: str | None = None

    def __post_init__(self) -> None:
        if len(self.id.encode()) > MAX_BUTTON_ID_BYTES or not _BUTTON_ID.match(self.id):
            raise ValueError(f"button id must be short ASCII (<= {MAX_BUTTON_ID_BYTES} bytes): {self.id!r}")


@dataclass(frozen=True)
class Document:
    """A file to send, by reference: `builder` names a function registered with
    `bot.delivery.documents.builder` and `args` are its JSON arguments. The sender builds the file when it
    sends it, off the event loop, so a handler never builds a large file while it holds a person's turn."""

    filename: str
    builder: str
    args: dict[str, Any] = field(default_factory=dict)
    caption: str = ""


@dataclass(frozen=True)
class Media:
    """A file a person sent, passed on after the text. On the platform it came from (`channel`) it goes again by
    the platform's own reference (`ref`, Telegram's file_id) without anyone fetching it; elsewhere it goes when
    `stored` names its row in `bot.media.store`: the sender fetches it from `channel` and uploads it."""

    channel: str
    kind: str  # voice | audio | photo | video | document
    ref: str
    stored: int | None = None
    caption: str = ""  # the words sent with it, where the platform shows a caption


@dataclass
class Reply:
    text: str = ""
    buttons: list[list[Button]] = field(default_factory=list)
    document: Document | None = None
    media: Media | None = None  # sent after the text, where the channel can (see Media)

    def all_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True)
class Incoming:
    """One update from a person: a text, a pressed button, or something else (a photo, a sticker...)."""

    channel: str
    user_id: str
    update_id: str
    text: str | None = None
    button: str | None = None
    language_hint: str | None = None
    # What a message carried besides text (voice, audio, photo, video, document), as the channel names it, and the
    # words sent with it (`caption`: not `text`, so that outside a conversation a captioned photo is answered as
    # a photo, not as a typed question). The file is not fetched here: a feature that passes it on names it.
    attachment: str | None = None
    attachment_ref: str | None = None  # the platform's id of that file (Telegram's file_id, WhatsApp's media id)
    attachment_mime: str | None = None  # what the platform said of it, where it did
    attachment_name: str | None = None
    attachment_size: int | None = None
    caption: str | None = None
    # An acknowledgement the platform expects, queued before the replies (Telegram: stop a button's spinner).
    receipt: dict[str, Any] | None = None

    @property
    def command(self) -> tuple[str, str] | None:
        """`("lang", "kk")` for `/lang kk` or `/lang@JoldasBot kk`; None when the text is no command."""
        if self.button is not None or not self.text or not self.text.startswith("/"):
            return None
        head, _, argument = self.text[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        if not name.isascii() or not name.replace("_", "").isalnum():
            return None
        return name, argument.strip()
