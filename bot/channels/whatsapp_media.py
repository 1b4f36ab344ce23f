"""Files to and from WhatsApp for the conversation relay: a file a person sent, downloaded by its media id
(Graph `GET /{media-id}` gives a short-lived URL and the size, then `GET url` with the bearer token, through
pywa), and a file uploaded (`POST /{phone-number-id}/media`, multipart) and sent as an image, voice note,
audio, video or document message by the uploaded media id (pywa's `send_*` do both)."""

from __future__ import annotations

import httpx
from pywa_async import WhatsApp
from pywa_async.errors import WhatsAppError

from bot.media.files import Fetched, FetchFailed, Ready, TooBig
from bot.media.formats import bare

CHUNK = 64 * 1024


async def fetch(client: WhatsApp, media_id: str, limit: int, transient) -> Fetched:
    """`transient(error)`: whether a Graph API error is worth trying again (the sender's own mapping)."""
    try:
        found = await client.get_media_url(media_id)
    except WhatsAppError as error:
        raise FetchFailed(f"media {media_id}: {error.code} {error.message}", transient(error)) from error
    except (KeyError, TypeError) as error:  # an answer without url or file_size
        raise FetchFailed(f"media {media_id}: malformed answer ({error})", transient=False) from error
    except (httpx.TimeoutException, httpx.NetworkError) as error:
        raise FetchFailed(f"media {media_id}: {type(error).__name__}", transient=True) from error
    if found.file_size and found.file_size > limit:
        raise TooBig(found.file_size)
    content = bytearray()
    try:
        async for chunk in client.stream_media(found.url, chunk_size=CHUNK):
            content += chunk
            if len(content) > limit:
                raise TooBig(found.file_size)
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        raise FetchFailed(f"media {media_id} download: HTTP {status}", transient=status >= 500) from error
    except (httpx.TimeoutException, httpx.NetworkError) as error:
        raise FetchFailed(f"media {media_id} download: {type(error).__name__}", transient=True) from error
    return Fetched(bytes(content), mime_type=found.mime_type)


async def upload(client: WhatsApp, to: str, file: Ready, caption: str | None) -> str:
    """Uploads and sends the file as the kind chosen for WhatsApp; returns the wamid. Graph API refusals
    propagate as pywa's errors, mapped by the sender like any message's."""
    caption, mime_type = caption or None, bare(file.mime_type)
    match file.send_as:
        case "photo":
            sent = await client.send_image(to, file.content, caption=caption, mime_type=mime_type)
        case "video":
            sent = await client.send_video(to, file.content, caption=caption, mime_type=mime_type)
        case "voice":
            sent = await client.send_voice(to, file.content, mime_type=mime_type)
        case "audio":
            sent = await client.send_audio(to, file.content, mime_type=mime_type)
        case _:
            sent = await client.send_document(
                to, file.content, filename=file.file_name, caption=caption, mime_type=mime_type
            )
    return sent.id
