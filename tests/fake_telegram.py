"""A fake Telegram Bot API server on loopback (aiohttp), for aiogram's real client to talk to.

It serves `POST /bot<token>/<method>` for the methods the bot uses, long-polls `getUpdates` from a queue
the test fills, serves files a test adds (`getFile` and `GET /file/bot<token>/<path>`), and records every
outgoing call (an uploaded file with its bytes, name and type) so the test can read what the bot sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

TOKEN = "123456:TEST-token_for-the-fake"
JSON_FIELDS = {"reply_markup", "allowed_updates", "entities"}  # aiogram sends these as JSON strings
SENDS = ("sendMessage", "sendDocument", "sendVoice", "sendPhoto", "sendAudio", "sendVideo")  # methods that send
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses larger files: "file is too big"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Joldas", "username": "JoldasTestBot"}


@dataclass
class Sent:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    answered: int = 200

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""

    @property
    def button_ids(self) -> list[str]:
        markup = self.params.get("reply_markup")
        if not markup:
            return []
        return [button["callback_data"] for row in markup["inline_keyboard"] for button in row]


@dataclass
class FakeBotAPI:
    updates: list[dict] = field(default_factory=list)
    calls: list[Sent] = field(default_factory=list)
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    server: TestServer | None = None
    failures: list[tuple[int, str, dict]] = field(default_factory=list)
    latency: float = 0.0  # seconds each send takes, as a real Bot API's would
    files: dict[str, tuple[bytes, int]] = field(default_factory=dict)  # file_id -> (content, size Telegram tells)
    downloads: list[str] = field(default_factory=list)  # file paths fetched from the file endpoint

    def add_file(self, file_id: str, content: bytes, size: int | None = None) -> None:
        """A file a person sent, for getFile and the file endpoint; `size` pretends it is larger than `content`."""
        self.files[file_id] = (content, len(content) if size is None else size)

    def fail_next(self, code: int, description: str, times: int = 1, **parameters: Any) -> None:
        """The next `times` sends are refused as the Bot API refuses them (`retry_after=3` for a 429)."""
        self.failures.extend([(code, description, parameters)] * times)

    @property
    def base_url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        await self.server.close()

    # --- what a person does -------------------------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    async def push(self, update: dict) -> None:
        async with self._arrived:
            self.updates.append(update)
            self._arrived.notify_all()

    def message_update(self, chat_id: int, text: str, language_code: str | None = "kk") -> dict:
        user = {"id": chat_id, "is_bot": False, "first_name": "Aigerim", "language_code": language_code}
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Aigerim"},
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": self.next_update_id(), "message": message}

    def callback_update(self, chat_id: int, data: str, language_code: str | None = "kk") -> dict:
        user = {"id": chat_id, "is_bot": False, "first_name": "Aigerim", "language_code": language_code}
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": "…",
        }
        query = {
            "id": f"cq{time.monotonic_ns()}",
            "from": user,
            "chat_instance": "ci",
            "data": data,
            "message": message,
        }
        return {"update_id": self.next_update_id(), "callback_query": query}

    @property
    def delivered(self) -> list[Sent]:
        """The messages the bot sent that were accepted, in order."""
        return [call for call in self.calls if call.method in SENDS and call.answered == 200]

    async def sent_after(self, start: int, at_least: int = 1, quiet: float = 0.3, timeout: float = 10) -> list[Sent]:
        """The messages sent since call number `start`, once at least `at_least` came and then a quiet spell."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            messages = [call for call in self.calls[start:] if call.method in SENDS and call.answered == 200]
            if len(messages) >= at_least and len(messages) == seen:
                return messages
            seen = len(messages)
            await asyncio.sleep(quiet)
        raise AssertionError(f"the bot sent {seen} message(s), expected at least {at_least}: {self.calls[start:]}")

    # --- the Bot API side -------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        if method != "getUpdates":
            call = Sent(method, params)
            self.calls.append(call)
            if self.latency:
                await asyncio.sleep(self.latency)
            if self.failures and method.startswith(("send", "answer")):
                code, description, parameters = self.failures.pop(0)
                call.answered = code
                refusal = {"ok": False, "error_code": code, "description": description}
                return web.json_response({**refusal, **({"parameters": parameters} if parameters else {})}, status=code)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        try:
            return web.json_response({"ok": True, "result": await handler(params)})
        except Refusal as refusal:
            return web.json_response(
                {"ok": False, "error_code": refusal.code, "description": refusal.description}, status=refusal.code
            )

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.Response(status=401)
        path = request.match_info["path"]
        self.downloads.append(path)
        found = self.files.get(path.removeprefix("files/"))
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found[0], content_type="application/octet-stream")

    @property
    def uploads(self) -> list[Sent]:
        """Sends that carried a file's bytes (multipart), accepted."""
        return [call for call in self.delivered if any(isinstance(value, dict) for value in call.params.values())]

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":  # the sender's calls; scalars read as text, as in a form
            body = await request.json()
            return {key: value if isinstance(value, dict | list) else str(value) for key, value in body.items()}
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if hasattr(value, "file"):
                params[key] = {"filename": value.filename, "content": value.file.read(), "type": value.content_type}
                continue
            params[key] = json.loads(value) if key in JSON_FIELDS else value
        for key, value in list(params.items()):  # files travel as `attach://<part name>`
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.pop(value.removeprefix("attach://"))
        return params

    async def _api_getMe(self, _params):
        return BOT_USER

    async def _api_deleteWebhook(self, _params):
        return True

    async def _api_setWebhook(self, _params):
        return True

    async def _api_answerCallbackQuery(self, _params):
        return True

    async def _api_getUpdates(self, params):
        offset = int(params.get("offset", 0) or 0)
        timeout = float(params.get("timeout", 0) or 0)
        async with self._arrived:
            self.updates = [update for update in self.updates if update["update_id"] >= offset]
            if not self.updates and timeout:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), timeout)
            return list(self.updates)

    def _message(self, params) -> dict:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT_USER,
        }

    async def _api_sendMessage(self, params):
        return {**self._message(params), "text": params["text"]}

    async def _api_getFile(self, params):
        file_id = params["file_id"]
        if file_id not in self.files:
            raise Refusal(400, "Bad Request: invalid file_id")
        size = self.files[file_id][1]
        if size > DOWNLOAD_LIMIT:
            raise Refusal(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": size, "file_path": f"files/{file_id}"}

    def _file_id(self, value) -> str:
        """The file_id a file sent on keeps, or a new one for a file uploaded."""
        return value if isinstance(value, str) else f"up{next(self._message_ids)}"

    async def _api_sendVoice(self, params):
        voice = {"file_id": self._file_id(params["voice"]), "file_unique_id": "v", "duration": 1}
        return {**self._message(params), "voice": voice}

    async def _api_sendAudio(self, params):
        audio = {"file_id": self._file_id(params["audio"]), "file_unique_id": "a", "duration": 1}
        return {**self._message(params), "audio": audio}

    async def _api_sendVideo(self, params):
        video = {
            "file_id": self._file_id(params["video"]),
            "file_unique_id": "m",
            "width": 9,
            "height": 9,
            "duration": 1,
        }
        return {**self._message(params), "video": video}

    async def _api_sendPhoto(self, params):
        photo = [{"file_id": self._file_id(params["photo"]), "file_unique_id": "p", "width": 90, "height": 90}]
        return {**self._message(params), "photo": photo}

    async def _api_sendDocument(self, params):
        sent = params["document"]
        name = sent["filename"] if isinstance(sent, dict) else "file"
        document = {
            "file_id": self._file_id(sent) if isinstance(sent, str) else "f1",
            "file_unique_id": "u1",
            "file_name": name,
        }
        return {**self._message(params), "document": document}


class Refusal(Exception):
    """What a Bot API method answers when it refuses (400 "file is too big")."""

    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description
