"""Documents are sent as references: a builder's name and its JSON arguments, stored in the outbox row.

The sender builds the file when it sends it, in a thread, so a large PDF never holds a person's lock, a
transaction or the event loop. A feature registers its builders at import with `@builder("name")`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.conversation import Document

Builder = Callable[[dict[str, Any]], bytes]

_BUILDERS: dict[str, Builder] = {}


class UnknownDocument(LookupError):
    """A row names a builder this process does not have: a permanent failure for that row."""


def builder(name: str) -> Callable[[Builder], Builder]:
    def register(function: Builder) -> Builder:
        if _BUILDERS.get(name, function) is not function:
            raise ValueError(f"document builder {name!r} registered twice")
        _BUILDERS[name] = function
        return function

    return register


def build_now(document: Document) -> bytes:
    """Builds the file in the calling thread (the CLI, tests)."""
    try:
        build = _BUILDERS[document.builder]
    except KeyError:
        raise UnknownDocument(document.builder) from None
    return build(document.args)


async def build(document: Document) -> bytes:
    """Builds the file in a worker thread, leaving the event loop free."""
    return await asyncio.to_thread(build_now, document)


def to_payload(document: Document) -> dict[str, Any]:
    return {"filename": document.filename, "builder": document.builder, "args": document.args}


def from_payload(payload: dict[str, Any], caption: str = "") -> Document:
    return Document(payload["filename"], payload["builder"], payload.get("args", {}), caption)
