"""A fake WhatsApp Cloud (Graph) API on loopback (aiohttp), for pywa's real client to talk to.

It serves `POST /<version>/<phone number id>/messages` and `/media` (uploads), `GET /<version>/<media id>` and
the download URL it gives for files a test adds (`add_media`), records every call so a test can read what the
bot sent (an upload with its bytes, name and type), and answers with Graph API errors on demand (`fail_next`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

TOKEN = "EAAG-test-token"
PHONE_NUMBER_ID = "106540352242922"
ERROR_TITLES = {
    4: (429, "Application request limit reached"),
    100: (400, "Invalid parameter"),
    131000: (500, "Something went wrong"),
    190: (401, "Error validating access token: Session has expired"),
    80007: (429, "Rate limit issues"),
    130429: (429, "Rate limit hit"),
    131026: (400, "Message undeliverable"),
    131047: (400, "Re-engagement message"),
    131056: (429, "(Business Account, Consumer Account) pair rate limit hit"),
}


@dataclass
class Call:
    path: str
    json: dict[str, Any] | None = None
    form: dict[str, Any] | None = None
    answered: int = 200
    wamid: str | None = None  # the id the fake answered with, for a message accepted
    media_id: str | None = None  # the id the fake answered with, for an upload accepted

    @property
    def kind(self) -> str:
        """`text`, `interactive:button`, `interactive:list`, `document`, `template`, or `media` for an upload."""
        if self.form is not None:
            return "media"
        kind = self.json["type"]
        return f"interactive:{self.json['interactive']['type']}" if kind == "interactive" else kind

    @property
    def body(self) -> str:
        message = self.json
        if message["type"] == "text":
            return message["text"]["body"]
        if message["type"] == "interactive":
            return message["interactive"]["body"]["text"]
        return ""

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(id, title) of every reply button or list row."""
        if self.json.get("type") != "interactive":
            return []
        action = self.json["interactive"]["action"]
        if "buttons" in action:
            return [(button["reply"]["id"], button["reply"]["title"]) for button in action["buttons"]]
        return [(row["id"], row["title"]) for section in action["sections"] for row in section["rows"]]

    @property
    def choice_ids(self) -> list[str]:
        return [choice_id for choice_id, _ in self.choices]


@dataclass
class FakeGraphAPI:
    calls: list[Call] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None
    upload_failures: list[int] = field(default_factory=list)
    media: dict[str, tuple[bytes, str, int]] = field(default_factory=dict)  # id -> (content, mime type, size told)
    downloads: list[str] = field(default_factory=list)  # media ids whose bytes were fetched

    def add_media(self, media_id: str, content: bytes, mime_type: str, size: int | None = None) -> None:
        """A file a person sent, for `GET /<media id>` and its download URL; `size` pretends a larger file."""
        self.media[media_id] = (content, mime_type, len(content) if size is None else size)

    def uploaded(self, media_id: str) -> dict[str, Any]:
        """The file part of the upload the fake answered with `media_id`: filename, content, content_type."""
        return next(call.form["file"] for call in self.calls if call.media_id == media_id)

    @property
    def base_url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    async def start(self) -> None:
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_post("/{version}/{phone_id}/messages", self._messages)
        app.router.add_post("/{version}/{phone_id}/media", self._media)
        app.router.add_get("/{version}/{media_id}", self._media_url)
        app.router.add_get("/download/{media_id}", self._download)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        await self.server.close()

    def fail_uploads(self, code: int, times: int = 1) -> None:
        """The next `times` media uploads (only) are answered with this Graph API error code."""
        self.upload_failures.extend([code] * times)

    def fail_next(self, code: int, times: int = 1) -> None:
        """The next `times` calls are answered with this Graph API error code."""
        self.failures.extend([code] * times)

    @property
    def sent(self) -> list[Call]:
        """The messages accepted (answered 200), in order."""
        return [call for call in self.calls if call.form is None and call.answered == 200]

    def sent_since(self, start: int) -> list[Call]:
        return [call for call in self.calls[start:] if call.form is None and call.answered == 200]

    # --- the Graph API side -----------------------------------------------------------------------------

    async def _messages(self, request: web.Request) -> web.Response:
        call = Call(request.path, json=await request.json())
        return self._answer(request, call, lambda: self._message_sent(call.json))

    async def _media(self, request: web.Request) -> web.Response:
        form: dict[str, Any] = {}
        for key, value in (await request.post()).items():
            form[key] = (
                {"filename": value.filename, "content": value.file.read(), "content_type": value.content_type}
                if hasattr(value, "file")
                else value
            )
        call = Call(request.path, form=form)

        def uploaded() -> dict:
            call.media_id = f"media-{next(self._ids)}"
            return {"id": call.media_id}

        return self._answer(request, call, uploaded)

    async def _media_url(self, request: web.Request) -> web.Response:
        """Retrieve media URL: the URL (valid a few minutes) and what the file is."""
        media_id = request.match_info["media_id"]
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._error(190)
        if media_id not in self.media:
            return self._error(100)
        _content, mime_type, size = self.media[media_id]
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.base_url}/download/{media_id}",
                "mime_type": mime_type,
                "sha256": "0" * 64,
                "file_size": size,
                "id": media_id,
            }
        )

    async def _download(self, request: web.Request) -> web.Response:
        """Download media: only with the bearer token, as the Cloud API's media URLs."""
        media_id = request.match_info["media_id"]
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.Response(status=401)
        if media_id not in self.media:
            return web.Response(status=404)
        self.downloads.append(media_id)
        content, mime_type, _size = self.media[media_id]
        return web.Response(body=content, headers={"Content-Type": mime_type})

    def _answer(self, request: web.Request, call: Call, result) -> web.Response:
        self.calls.append(call)
        if (
            request.headers.get("Authorization") != f"Bearer {TOKEN}"
            or request.match_info["phone_id"] != PHONE_NUMBER_ID
        ):
            call.answered = 401
            return self._error(190)
        failures = self.upload_failures if call.form is not None and self.upload_failures else self.failures
        if failures:
            code = failures.pop(0)
            call.answered = ERROR_TITLES.get(code, (400, ""))[0]
            return self._error(code)
        answer = result()
        call.wamid = (answer.get("messages") or [{}])[0].get("id")
        return web.json_response(answer)

    def _message_sent(self, message: dict) -> dict:
        recipient = message.get("to") or message.get("recipient")
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": recipient, "wa_id": recipient}],
            "messages": [{"id": f"wamid.FAKE{next(self._ids):06d}"}],
        }

    @staticmethod
    def _error(code: int) -> web.Response:
        status, title = ERROR_TITLES.get(code, (400, "Generic user error"))
        error = {
            "message": f"({code}) {title}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": title},
            "fbtrace_id": "AbCdEfGhIjKl",
        }
        return web.json_response({"error": error}, status=status)
