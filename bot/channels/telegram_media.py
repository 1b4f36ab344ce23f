"""Files to and from Telegram for the conversation relay: a file a person sent, downloaded by its file_id
(getFile, then the file endpoint of the configured Bot API base; bots may download up to 20 MB), and a file
uploaded as a photo, voice note, audio, video or document (multipart, aiogram's `BufferedInputFile`)."""

from __future__ import annotations

import posixpath

import aiohttp
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, Message

from bot.media.files import Fetched, FetchFailed, Ready, TooBig

DOWNLOAD_TIMEOUT = 120  # seconds for the whole file
CHUNK = 64 * 1024
UPLOAD = {
    "photo": "send_photo",
    "voice": "send_voice",
    "audio": "send_audio",
    "video": "send_video",
    "document": "send_document",
}


async def fetch(bot: Bot, file_id: str, limit: int) -> Fetched:
    try:
        found = await bot.get_file(file_id)
    except TelegramBadRequest as error:
        if "too big" in error.message.lower():
            raise TooBig() from error
        raise FetchFailed(f"getFile: {error.message}", transient=False) from error
    except (TelegramServerError, TelegramNetworkError, TelegramRetryAfter, aiohttp.ClientError, TimeoutError) as error:
        raise FetchFailed(f"getFile: {error}", transient=True) from error
    except TelegramAPIError as error:
        raise FetchFailed(f"getFile: {error.message}", transient=False) from error
    if found.file_size is not None and found.file_size > limit:
        raise TooBig(found.file_size)
    if not found.file_path:
        raise FetchFailed("getFile gave no file_path", transient=False)
    url = bot.session.api.file_url(bot.token, found.file_path)
    content = bytearray()
    try:
        async for chunk in bot.session.stream_content(url, timeout=DOWNLOAD_TIMEOUT, chunk_size=CHUNK):
            content += chunk
            if len(content) > limit:
                raise TooBig(found.file_size)
    except aiohttp.ClientResponseError as error:
        raise FetchFailed(f"download: HTTP {error.status}", transient=error.status >= 500) from error
    except (aiohttp.ClientError, TimeoutError) as error:
        raise FetchFailed(f"download: {type(error).__name__}: {error}", transient=True) from error
    return Fetched(bytes(content), file_name=posixpath.basename(found.file_path) or None)


async def upload(bot: Bot, chat_id: int, file: Ready, caption: str | None) -> Message:
    """Sends the file as the kind chosen for Telegram; aiogram's refusals propagate to the sender's mapping."""
    send = getattr(bot, UPLOAD[file.send_as])
    return await send(chat_id, BufferedInputFile(file.content, filename=file.file_name), caption=caption or None)
