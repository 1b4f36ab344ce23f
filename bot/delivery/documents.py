"""Documents are sent as references: a builder's name and its JSON arguments, stored in the outbox row.

The sender builds the file when it sends it, in a thread, so a large PDF never holds a person's lock, a
transaction or the event loop. A feature registers its builders at import with `@builder("name")`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.conversation import Document
from bot.delivery.registry import Registry

Builder = Callable[[dict[str, Any]], bytes]

_BUILDERS: Registry[Builder] = Registry("document builder")
builder = _BUILDERS.register


class UnknownDocument(LookupError):
    """A row names a builder this process does not have: a permanent failure for that row."""


def _build(document: Document) -> bytes:
    build = _BUILDERS.get(document.builder)
    if build is None:
        raise UnknownDocument(document.builder)
    return build(document.args)


async def build(document: Document) -> bytes:
    """Builds the file in a worker thread, leaving the event loop free."""
    return await asyncio.to_thread(_build, document)


def to_payload(document: Document) -> dict[str, Any]:
    return {"filename": document.filename, "builder": document.builder, "args": document.args}


def from_payload(payload: dict[str, Any], caption: str = "") -> Document:
    return Document(payload["filename"], payload["builder"], payload.get("args", {}), caption)
