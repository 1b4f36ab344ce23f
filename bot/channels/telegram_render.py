"""Replies rendered for Telegram: texts split at 4096 characters, the inline keyboard under the last part,
a document first with its caption (a caption over 1024 characters follows as text), a file of a conversation
(`Reply.media`) after the text: by its file_id when it came by Telegram, else by its row in bot.media.store.
No aiogram here: the engine renders while it queues, and aiogram is slow to import."""

from __future__ import annotations

from typing import Any

from bot.channels.text import split_text
from bot.conversation import Reply
from bot.delivery import documents

CHANNEL = "telegram"
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


def render(reply: Reply) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if reply.document is not None:
        caption = reply.document.caption
        fits = len(caption) <= CAPTION_LIMIT
        messages.append(
            {"type": "document", "document": documents.to_payload(reply.document), "caption": caption if fits else ""}
        )
        if not fits:
            messages += [{"type": "text", "text": part} for part in split_text(caption, MESSAGE_LIMIT)]
    parts = split_text(reply.text, MESSAGE_LIMIT)
    keyboard = [[{"text": button.label, "data": button.id} for button in row] for row in reply.buttons]
    for number, part in enumerate(parts, start=1):
        message: dict[str, Any] = {"type": "text", "text": part}
        if keyboard and number == len(parts):
            message["keyboard"] = keyboard
        messages.append(message)
    media = reply.media
    if media is not None:
        label = media.caption[:CAPTION_LIMIT]
        if media.stored is not None:  # from another platform: fetched and uploaded by the sender (bot.media)
            messages.append({"type": "media", "kind": media.kind, "stored": media.stored, "label": label})
        elif media.channel == CHANNEL:  # a file sent to us here goes on by its file_id
            messages.append({"type": "media", "kind": media.kind, "file_id": media.ref, "label": label})
    return messages


def callback_answer(query_id: str) -> dict[str, Any]:
    """Stops the spinner of a pressed button; queued first, as an answer."""
    return {"type": "callback_answer", "id": query_id}
