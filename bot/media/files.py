"""The step a sender takes before it uploads a stored file: the bytes from the store, or from the platform
the file came from at the first try (then kept in the store for the retries), and the kind of message the
file goes as on the sender's platform. Problems come back as the sender's typed results; a file too large to
pass on is also said to whoever sent it, politely, in their language (their words went already).

The fetch happens here, in the sender, outside any person's turn and any transaction: a slow download holds
only this one outbox row (under its lease), and the outbox keeps the row's place in the conversation's order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bot.clock import Clock
from bot.conversation import Reply
from bot.delivery import outbox
from bot.delivery.senders import Failed, RetryLater, SendResult
from bot.i18n import N_, texts
from bot.media import formats, store
from bot.storage.database import Database
from bot.storage.models import Contact

log = logging.getLogger(__name__)

TOO_BIG = N_(
    "The file you sent ({size} MB) is too large to pass on: up to {limit} MB can go. Your words went; you can "
    "send a smaller file or a link."
)
TOO_BIG_UNSIZED = N_(
    "The file you sent is too large to pass on: up to {limit} MB can go. Your words went; you can send a smaller "
    "file or a link."
)


@dataclass(frozen=True)
class Fetched:
    content: bytes
    mime_type: str | None = None
    file_name: str | None = None


class TooBig(Exception):
    """Larger than may be downloaded or passed on; `size` when the platform said it."""

    def __init__(self, size: int | None = None):
        super().__init__(f"{size} bytes" if size is not None else "too big")
        self.size = size


class FetchFailed(Exception):
    def __init__(self, reason: str, transient: bool):
        super().__init__(reason)
        self.transient = transient


class Fetcher(Protocol):
    async def fetch(self, ref: str, limit: int) -> Fetched:
        """The file `ref` of this platform, at most `limit` bytes (TooBig beyond), or FetchFailed."""
        ...


@dataclass(frozen=True)
class Ready:
    id: int
    send_as: str  # voice | audio | photo | video | document, as the destination takes it
    content: bytes
    mime_type: str
    file_name: str


class MediaFiles:
    def __init__(self, database: Database, clock: Clock, fetchers: dict[str, Fetcher]):
        self.database = database
        self.clock = clock
        self.fetchers = fetchers

    async def ready(self, file_id: int, destination: str) -> Ready | SendResult:
        async with self.database.transaction() as session:
            row = await store.load(session, file_id)
            if row is None:
                return Failed(f"media file {file_id} is no longer kept (delivered, forgotten or expired)")
            origin, ref, kind, size = row.channel, row.ref, row.kind, row.size
            content, mime_type, file_name = row.content, row.mime_type, row.file_name
        limit = formats.largest(origin, destination)
        if content is None:
            if size is not None and size > limit:
                return await self._too_big(file_id, size, limit)
            fetcher = self.fetchers.get(origin)
            if fetcher is None:
                return RetryLater(f"no {origin} channel in this worker to fetch media file {file_id} from")
            try:
                fetched = await fetcher.fetch(ref, limit)
            except TooBig as error:
                return await self._too_big(file_id, error.size or size, limit)
            except FetchFailed as error:
                reason = f"fetching media file {file_id} from {origin}: {error}"
                if error.transient:
                    return RetryLater(reason)
                await self.delivered(file_id)  # it can never go: nothing of it is kept
                return Failed(reason)
            content = fetched.content
            mime_type, file_name = mime_type or fetched.mime_type, file_name or fetched.file_name
            async with self.database.transaction() as session:
                if not await store.keep_content(session, file_id, content, mime_type, file_name, self.clock.now()):
                    return Failed(f"media file {file_id} was forgotten while it was fetched")
        mime_type = mime_type or formats.DEFAULT_MIME.get(kind, "application/octet-stream")
        send_as = formats.send_as(destination, kind, mime_type, len(content))
        if send_as is None:
            return await self._too_big(file_id, len(content), limit)
        return Ready(file_id, send_as, content, mime_type, file_name or default_name(kind, mime_type))

    async def delivered(self, file_id: int) -> None:
        """The other side has it (or it can never go): nothing is kept. (Failing here, the file waits for the
        retention prune: the message went, so the sender must not report a failure.)"""
        try:
            async with self.database.transaction() as session:
                await store.discard(session, file_id)
        except Exception:
            log.exception("media file %s delivered but not deleted; the maintenance prune will", file_id)

    async def _too_big(self, file_id: int, size: int | None, limit: int) -> SendResult:
        """Tells the sender of the file (their words went in the message before it), and keeps nothing."""
        async with self.database.transaction() as session:
            row = await store.load(session, file_id)
            writer = await session.get(Contact, row.writer_id) if row and row.writer_id else None
            if writer is not None:
                t = texts(writer.language or "ru")
                limit_mb = limit // formats.MB
                if size is None:
                    notice = t.gettext(TOO_BIG_UNSIZED).format(limit=limit_mb)
                else:
                    notice = t.gettext(TOO_BIG).format(size=t.number(round(size / formats.MB, 1)), limit=limit_mb)
                await outbox.queue_for_contact(session, writer, [Reply(notice)], self.clock.now(), outbox.Kind.ANSWER)
            await store.discard(session, file_id)
        return Failed(f"media file {file_id} too large to pass on ({size} bytes; {limit} at most)")


def default_name(kind: str, mime_type: str) -> str:
    extension = {
        "image/jpeg": "jpg",
        "image/png": "png",
        "audio/ogg": "ogg",
        "audio/mpeg": "mp3",
        "audio/mp4": "m4a",
        "video/mp4": "mp4",
        "video/3gpp": "3gp",
        "application/pdf": "pdf",
    }.get(formats.bare(mime_type), "bin")
    return f"{kind}.{extension}"


def attach(senders: dict, database: Database, clock: Clock) -> MediaFiles:
    """Gives every sender that can fetch its platform's files (`fetch`) one store that fetches from all."""
    fetchers = {channel: sender for channel, sender in senders.items() if hasattr(sender, "fetch")}
    media = MediaFiles(database, clock, fetchers)
    for sender in fetchers.values():
        sender.media = media
    return media
