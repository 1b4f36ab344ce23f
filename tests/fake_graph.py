"""A fake WhatsApp Cloud (Graph) API on loopback (aiohttp), for pywa's real client to talk to.

It serves `POST /<version>/<phone number id>/messages` and `/media`, records every call so a test can read
what the bot sent, and answers with Graph API errors on demand (`fail_next`).
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

    @property
    def base_url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    async def start(self) -> None:
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_post("/{version}/{phone_id}/messages", self._messages)
        app.router.add_post("/{version}/{phone_id}/media", self._media)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        await self.server.close()

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
        return self._answer(request, call, lambda: {"id": f"media-{next(self._ids)}"})

    def _answer(self, request: web.Request, call: Call, result) -> web.Response:
        self.calls.append(call)
        if (
            request.headers.get("Authorization") != f"Bearer {TOKEN}"
            or request.match_info["phone_id"] != PHONE_NUMBER_ID
        ):
            call.answered = 401
            return self._error(190)
        if self.failures:
            code = self.failures.pop(0)
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
