"""Replies rendered for WhatsApp, within its limits, before anything is sent.

Up to 3 choices become reply buttons (titles at most 20 characters); more, or a label that only fits a list
row, become a list message (row titles 24, descriptions 72), ten rows a message, further pages following as
further list messages. A label too long for its place uses the button's short label, written for this;
the full label then goes in the row description. Texts are split at 4096 characters, and the text carrying
the choices at 1024 (the interactive body limit).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.channels.text import split_text
from bot.conversation import Button, Document, Reply
from bot.delivery import documents
from bot.i18n import N_, Texts

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
CAPTION_LIMIT = 1024
MAX_REPLY_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
MAX_LIST_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
LIST_BUTTON_LIMIT = 20

CHOOSE = N_("Choose")  # opens a list; also the body when choices come without a text
MORE_CHOICES = N_("More choices ({page} of {pages})")


@dataclass(frozen=True)
class TextMessage:
    body: str


@dataclass(frozen=True)
class ButtonsMessage:
    body: str
    buttons: tuple[tuple[str, str], ...]  # (id, title)


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class ListMessage:
    body: str
    button: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class DocumentMessage:
    document: Document
    caption: str | None


@dataclass(frozen=True)
class MediaMessage:
    """A file from a conversation, kept in `bot.media.store` (`stored`), uploaded when sent."""

    kind: str
    stored: int
    caption: str | None


Outgoing = TextMessage | ButtonsMessage | ListMessage | DocumentMessage | MediaMessage


def render(reply: Reply, t: Texts) -> list[Outgoing]:
    messages: list[Outgoing] = []
    if reply.document is not None:
        caption = reply.document.caption
        fits = len(caption) <= CAPTION_LIMIT
        messages.append(DocumentMessage(reply.document, caption if fits and caption else None))
        if not fits:
            messages.extend(TextMessage(part) for part in split_text(caption, TEXT_LIMIT))
    parts = split_text(reply.text, TEXT_LIMIT)
    buttons = reply.all_buttons()
    if not buttons:
        messages += [TextMessage(part) for part in parts]
    else:
        last = split_text(parts.pop(), BODY_LIMIT) if parts else [t.gettext(CHOOSE)]
        messages.extend(TextMessage(part) for part in parts + last[:-1])
        messages += choices(last[-1], buttons, t)
    if reply.media is not None and reply.media.stored is not None:  # a file goes after the text about it
        messages.append(MediaMessage(reply.media.kind, reply.media.stored, reply.media.caption[:CAPTION_LIMIT] or None))
    return messages


def choices(body: str, buttons: list[Button], t: Texts) -> list[Outgoing]:
    titles = [fitted(button, BUTTON_TITLE_LIMIT) for button in buttons]
    if len(buttons) <= MAX_REPLY_BUTTONS and None not in titles:
        return [ButtonsMessage(body, tuple((button.id, title) for button, title in zip(buttons, titles, strict=True)))]
    rows = [row(button) for button in buttons]
    pages = [rows[start : start + MAX_LIST_ROWS] for start in range(0, len(rows), MAX_LIST_ROWS)]
    choose = shortened(t.gettext(CHOOSE), LIST_BUTTON_LIMIT)
    return [
        ListMessage(
            body if number == 1 else t.gettext(MORE_CHOICES).format(page=number, pages=len(pages)),
            choose,
            tuple(page),
        )
        for number, page in enumerate(pages, start=1)
    ]


def row(button: Button) -> Row:
    title = fitted(button, ROW_TITLE_LIMIT)
    if title is None:
        log.warning("no short label fits a WhatsApp list row (24 characters): %r", button.id)
        title = shortened(button.label, ROW_TITLE_LIMIT)
    description = None if title == button.label else shortened(button.label, ROW_DESCRIPTION_LIMIT)
    return Row(button.id, title, description)


def fitted(button: Button, limit: int) -> str | None:
    """The label when it fits, else the short label when it fits, else None."""
    for title in (button.label, button.short_label):
        if title and len(title) <= limit:
            return title
    return None


def shortened(text: str, limit: int) -> str:
    """A last resort for a text with no short form: cut at a word boundary, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:—-") + "…"


def to_payload(message: Outgoing, language: str) -> dict[str, Any]:
    """A rendered message as the outbox keeps it; `language` picks the template should the 24-hour window close."""
    match message:
        case TextMessage(body=body):
            payload: dict[str, Any] = {"type": "text", "body": body}
        case ButtonsMessage(body=body, buttons=buttons):
            payload = {"type": "buttons", "body": body, "buttons": [list(button) for button in buttons]}
        case ListMessage(body=body, button=button, rows=rows):
            payload = {
                "type": "list",
                "body": body,
                "button": button,
                "rows": [{"id": row.id, "title": row.title, "description": row.description} for row in rows],
            }
        case DocumentMessage(document=document, caption=caption):
            payload = {"type": "document", "document": documents.to_payload(document), "caption": caption}
        case MediaMessage(kind=kind, stored=stored, caption=caption):
            # "label", not "caption": outside the 24-hour window no template carries a file
            payload = {"type": "media", "kind": kind, "stored": stored, "label": caption}
    return {**payload, "language": language}


def from_payload(payload: dict[str, Any]) -> Outgoing:
    match payload["type"]:
        case "text":
            return TextMessage(payload["body"])
        case "buttons":
            return ButtonsMessage(payload["body"], tuple((button_id, title) for button_id, title in payload["buttons"]))
        case "list":
            return ListMessage(payload["body"], payload["button"], tuple(Row(**row) for row in payload["rows"]))
        case "document":
            return DocumentMessage(documents.from_payload(payload["document"]), payload.get("caption"))
        case "media":
            return MediaMessage(payload["kind"], payload["stored"], payload.get("label"))
    raise ValueError(f"not a whatsapp payload: {payload.get('type')!r}")
