"""Webhook calls as WhatsApp makes them: payloads shaped like the fixtures in tests/fixtures/whatsapp/, signed
with the app secret, posted to the running app; and a person who talks to the bot that way."""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

from tests.fake_graph import Call, FakeGraphAPI

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
APP_SECRET = "0123456789abcdef0123456789abcdef"
VERIFY_TOKEN = "joldas-verify-2026"
USER = "77011234567"  # the person in the fixtures: a Kazakhstan number

_wamids = itertools.count(1)


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _single_message(fixture_name: str, user: str) -> tuple[dict, dict]:
    payload = copy.deepcopy(fixture(fixture_name))
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = user
    message = value["messages"][0]
    message["from"] = user
    message["id"] = f"wamid.TEST{next(_wamids):08d}"
    return payload, message


def text_payload(text: str, user: str = USER) -> dict:
    payload, message = _single_message("text", user)
    message["text"]["body"] = text
    return payload


def button_payload(button_id: str, user: str = USER) -> dict:
    """A tap on a reply button; on a list row it would be the same but for `list_reply`."""
    payload, message = _single_message("button_reply", user)
    message["interactive"]["button_reply"] = {"id": button_id, "title": button_id}
    return payload


async def post(client: aiohttp.ClientSession, body: bytes, signature: str | None = "sign") -> int:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        signature = sign(body)
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    async with client.post("/webhook/whatsapp", data=body, headers=headers) as response:
        return response.status


class WhatsAppPerson:
    """Posts as a person would, then waits (`settle`) until the worker has answered."""

    def __init__(
        self,
        client: aiohttp.ClientSession,
        graph: FakeGraphAPI,
        user: str = USER,
        settle: Callable[[], Awaitable[None]] | None = None,
    ):
        self.client = client
        self.graph = graph
        self.user = user
        self.settle = settle

    async def say(self, text: str) -> list[Call]:
        return await self._send(text_payload(text, self.user))

    async def press(self, button_id: str) -> list[Call]:
        return await self._send(button_payload(button_id, self.user))

    async def _send(self, payload: dict) -> list[Call]:
        start = len(self.graph.calls)
        assert await post(self.client, json.dumps(payload).encode()) == 200
        if self.settle is not None:
            await self.settle()
        return self.graph.sent_since(start)
