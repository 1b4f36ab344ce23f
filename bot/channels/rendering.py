"""Replies rendered for the channel they go to, as JSON payloads for the outbox: one payload per platform
message. Rendering is pure (no platform library), so the engine renders in the transaction that queues."""

from __future__ import annotations

from typing import Any

from bot.channels import telegram_render, whatsapp_inbound, whatsapp_render
from bot.conversation import Button, Reply
from bot.delivery import documents
from bot.i18n import Texts


def render(channel: str, reply: Reply, t: Texts, language: str) -> list[dict[str, Any]]:
    if channel == telegram_render.CHANNEL:
        return telegram_render.render(reply)
    if channel == whatsapp_inbound.CHANNEL:
        return [whatsapp_render.to_payload(message, language) for message in whatsapp_render.render(reply, t)]
    return [reply_payload(reply)]


def reply_payload(reply: Reply) -> dict[str, Any]:
    """The reply whole, for the console (which has no limits)."""
    return {
        "type": "reply",
        "text": reply.text,
        "buttons": [[{"id": button.id, "label": button.label} for button in row] for row in reply.buttons],
        "document": documents.to_payload(reply.document) if reply.document else None,
        "caption": reply.document.caption if reply.document else "",
    }


def reply_from_payload(payload: dict[str, Any]) -> Reply:
    document = payload.get("document")
    return Reply(
        text=payload.get("text", ""),
        buttons=[[Button(button["id"], button["label"]) for button in row] for row in payload.get("buttons", [])],
        document=documents.from_payload(document, payload.get("caption", "")) if document else None,
    )
