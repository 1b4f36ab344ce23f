"""Cloud API webhook payloads read into what the engine and the delivery records need.

One request may batch several entries, each with several changes, each with several messages and statuses:
all are read. Changes for another phone number of the same business account are left alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.conversation import Incoming

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
# Media a message may carry, by the Cloud API's type, as `Incoming.attachment` names it (an audio recorded in
# WhatsApp has `"voice": true`: a voice note).
MEDIA = {"audio": "audio", "image": "photo", "video": "video", "document": "document"}
IGNORED_TYPES = {"reaction", "system"}  # a 👍 on our message or a number change: nothing to answer
# WhatsApp does not tell a person's language; their country preselects it in the picker.
COUNTRY_LANGUAGES = (("996", "ky"), ("76", "kk"), ("77", "kk"), ("7", "ru"))
BSUID_COUNTRY_LANGUAGES = {"KG": "ky", "KZ": "kk", "RU": "ru"}


@dataclass(frozen=True)
class StatusUpdate:
    wamid: str
    status: str  # sent | delivered | read | failed
    recipient: str
    error_code: int | None = None
    error_title: str | None = None


@dataclass
class Batch:
    messages: list[Incoming] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)


def read_payload(payload: dict[str, Any], phone_number_id: str) -> Batch:
    batch = Batch()
    for value in _values(payload):
        metadata = value.get("metadata") or {}
        if str(metadata.get("phone_number_id")) != phone_number_id:
            log.info("whatsapp change for another phone number left alone: %s", metadata.get("phone_number_id"))
            continue
        for message in value.get("messages") or []:
            incoming = _incoming(message)
            if incoming is not None:
                batch.messages.append(incoming)
        for status in value.get("statuses") or []:
            update = _status(status)
            if update is not None:
                batch.statuses.append(update)
    return batch


def _values(payload: dict[str, Any]) -> list[dict[str, Any]]:
    if payload.get("object") != "whatsapp_business_account":
        return []
    return [
        change["value"]
        for entry in _dicts(payload.get("entry"))
        for change in _dicts(entry.get("changes"))
        if change.get("field") == "messages" and isinstance(change.get("value"), dict)
    ]


def _dicts(items: Any) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _incoming(message: Any) -> Incoming | None:
    if not isinstance(message, dict):
        return None
    sender = message.get("from") or message.get("from_user_id")
    wamid, kind = message.get("id"), message.get("type")
    if not sender or not wamid or kind in IGNORED_TYPES:
        return None
    sender = str(sender)
    text, button, attachment, media = None, None, None, {}
    if kind == "text":
        text = (message.get("text") or {}).get("body")
    elif kind == "interactive":
        interactive = message.get("interactive") or {}
        if interactive.get("type") in ("button_reply", "list_reply"):
            button = (interactive.get(interactive["type"]) or {}).get("id")
    elif kind == "button":  # a quick-reply button of a template message
        button = (message.get("button") or {}).get("payload")
    elif kind in MEDIA:
        media = message.get(kind) if isinstance(message.get(kind), dict) else {}
        attachment = "voice" if kind == "audio" and media.get("voice") else MEDIA[kind]
    # Anything else (location, sticker, contacts, unsupported...) goes on with neither text nor button, media with
    # what it was (`attachment`, its media id, its `caption`): the engine answers it with what the bot
    # understands, unless a feature passes it on (a returnee's conversation with their focal point).
    hint = language_hint(sender)
    return Incoming(
        CHANNEL,
        sender,
        str(wamid),
        text=text,
        button=button,
        language_hint=hint,
        attachment=attachment,
        attachment_ref=_text(media.get("id")),  # without an id (malformed) the file is only named
        attachment_mime=_text(media.get("mime_type")),
        attachment_name=_text(media.get("filename")),
        caption=media.get("caption") if isinstance(media.get("caption"), str) else None,
    )


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and str(value) else None


def _status(status: Any) -> StatusUpdate | None:
    if not isinstance(status, dict) or not status.get("id") or not status.get("status"):
        return None
    errors = _dicts(status.get("errors"))
    error = errors[0] if errors else {}
    return StatusUpdate(
        str(status["id"]),
        str(status["status"]),
        str(status.get("recipient_id") or status.get("recipient_user_id") or ""),
        int(error["code"]) if str(error.get("code", "")).isdigit() else None,
        str(error.get("title") or error.get("message") or "")[:256] or None,
    )


def language_hint(sender: str) -> str | None:
    """By the phone number's country code (or a business-scoped user id's country prefix, `KZ.1234...`)."""
    country, dot, _ = sender.partition(".")
    if dot:
        return BSUID_COUNTRY_LANGUAGES.get(country.upper())
    return next((language for prefix, language in COUNTRY_LANGUAGES if sender.startswith(prefix)), None)
