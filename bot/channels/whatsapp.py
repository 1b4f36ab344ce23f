"""WhatsApp through the Cloud API: the webhook in (to the inbox), outbox rows out, templates outside the
24-hour window.

pywa (async) sends and uploads; the webhook is ours (aiohttp), because pywa reads only the first message of
a batched payload and its handler framework would own the conversation (docs/decisions.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import mimetypes
from datetime import datetime, timedelta
from typing import Any

import httpx
from aiohttp import web
from pywa_async import WhatsApp
from pywa_async import types as wa_types
from pywa_async.errors import AuthorizationError, WhatsAppError
from pywa_async.types.templates import TemplateLanguage

from bot.channels import whatsapp_media
from bot.channels import whatsapp_store as store
from bot.channels.text import split_text
from bot.channels.whatsapp_inbound import CHANNEL, StatusUpdate, read_payload
from bot.channels.whatsapp_render import (
    TEXT_LIMIT,
    ButtonsMessage,
    DocumentMessage,
    ListMessage,
    MediaMessage,
    TextMessage,
    from_payload,
)
from bot.clock import Clock, SystemClock
from bot.delivery import documents, inbox, outbox
from bot.delivery.outbox import Outgoing
from bot.delivery.senders import Failed, OutsideWindow, RecipientGone, RetryLater, SendResult, Sent
from bot.engine import Engine, clean
from bot.media.files import Fetched, MediaFiles, Ready
from bot.storage.models import as_utc

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://graph.facebook.com"
WEBHOOK_PATH = "/webhook/whatsapp"
WINDOW = timedelta(hours=24)
TEMPLATE_PARAMETER_LIMIT = 900  # the template's own words share WhatsApp's 1024 characters of body
# Graph API error codes and what they mean for a message (see `result_of`).
TOKEN_CODES = {0, 190}  # the access token is wrong or expired: an operator must replace it
THROTTLING_CODES = {4, 80007, 130429}  # the app's or the number's rate: the whole channel waits
PAIR_RATE_CODE = 131056  # too many messages to one person in a short time: that person's queue waits
REENGAGEMENT_CODE = 131047  # more than 24 hours since the person last wrote
RECIPIENT_GONE_CODES = {131026}  # undeliverable: not on WhatsApp, an old app, or the person blocked us
TRANSIENT_CODES = {1, 2, 131000, 131016, 133004}  # unknown, service, "something went wrong", unavailable
TOKEN_PAUSE = 60.0
THROTTLE_PAUSE = 5.0  # WhatsApp names no time; Meta's guidance is to back off and retry
PAIR_RATE_PAUSE = 6.0  # Meta: about one message every six seconds to the same person


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`."""
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return header is not None and hmac.compare_digest(expected.encode(), header.encode())


def template_language(code: str) -> TemplateLanguage:
    if code not in {known.value for known in TemplateLanguage}:
        raise ValueError(f"{code!r} (for Kyrgyz it is ky_KG)")
    return TemplateLanguage(code)


def within_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    return last_inbound_at is not None and as_utc(now) - as_utc(last_inbound_at) < WINDOW


class WhatsAppChannel:
    """Receives: the webhook. Messages go to the inbox; delivery statuses are recorded against the messages."""

    def __init__(self, engine: Engine, phone_number_id: str, templates: Templates):
        self.engine = engine
        self.phone_number_id = phone_number_id
        self.templates = templates

    def mount_webhook(self, app: web.Application, app_secret: str, verify_token: str) -> None:
        """Serves GET (Meta's verification) and POST (updates) at /webhook/whatsapp on `app`."""

        async def verify(request: web.Request) -> web.Response:
            query = request.query
            given = query.get("hub.verify_token", "")
            if (
                query.get("hub.mode") == "subscribe"
                and "hub.challenge" in query
                and hmac.compare_digest(given.encode(), verify_token.encode())
            ):
                return web.Response(text=query["hub.challenge"])
            log.warning("whatsapp webhook verification refused")
            return web.Response(status=403, text="forbidden")

        async def receive(request: web.Request) -> web.Response:
            body = await request.read()
            if not signature_valid(app_secret, body, request.headers.get("X-Hub-Signature-256")):
                log.warning("whatsapp webhook call without a valid signature refused")
                return web.Response(status=401, text="bad signature")
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                return web.Response(status=400, text="malformed update")
            try:
                await self.store(payload)
            except Exception:
                log.exception("whatsapp payload could not be stored; WhatsApp will send it again")
                return web.Response(status=503, text="try again")
            return web.Response(text="ok")

        app.router.add_get(WEBHOOK_PATH, verify)
        app.router.add_post(WEBHOOK_PATH, receive)

    async def store(self, payload: dict) -> None:
        """Stores every message of a (possibly batched) payload in the inbox, and records every status, in one
        transaction: all of it is kept, or none and WhatsApp sends it again."""
        batch = read_payload(payload, self.phone_number_id)
        now = self.engine.clock.now()
        async with self.engine.database.transaction() as session:
            await inbox.store(session, [clean(incoming) for incoming in batch.messages], now)
            for status in batch.statuses:
                await self._record(session, status, now)

    async def _record(self, session, status: StatusUpdate, now: datetime) -> None:
        await store.record_status(session, status)
        if status.status != "failed":
            return
        row = await store.outbox_row(session, status.wamid)
        reason = f"whatsapp status failed: {status.error_code} {status.error_title or ''}".strip()
        if status.error_code in RECIPIENT_GONE_CODES:
            await outbox.recipient_gone(session, CHANNEL, status.recipient, reason, now)
        elif row is None:
            return
        elif status.error_code == REENGAGEMENT_CODE and (instead := self.templates.instead(row.payload)):
            await outbox.replace_payload(session, row.id, instead, f"{reason}: template instead")
            outbox.wake(session, row.kind)
        else:
            await outbox.mark_dead(session, row.id, reason, now)


class Templates:
    """The approved templates per language, for notices outside the 24-hour window."""

    def __init__(self, configured: dict[str, tuple[str, str]] | None = None):
        """`configured`: {"kk": ("joldas_notice", "kk"), ...}; a language code WhatsApp does not know is a
        ValueError here, at start, not at the first notice."""
        self.by_language = {
            language: (name, template_language(code).value) for language, (name, code) in (configured or {}).items()
        }

    def instead(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        """The template message carrying a rendered message's text, or None (no template, or nothing to carry)."""
        template = self.by_language.get(payload.get("language", ""))
        text = payload.get("body") or payload.get("caption")
        if template is None or not text or payload.get("type") == "template":
            return None
        parameter = " ".join(text.split())  # WhatsApp refuses line breaks and long runs of spaces in parameters
        if len(parameter) > TEMPLATE_PARAMETER_LIMIT:
            parameter = split_text(parameter, TEMPLATE_PARAMETER_LIMIT - 1)[0] + "…"
        name, code = template
        return {"type": "template", "name": name, "code": code, "text": parameter, "language": payload["language"]}


class WhatsAppSender:
    channel = CHANNEL

    def __init__(
        self,
        token: str,
        phone_number_id: str,
        templates: Templates,
        api_base: str | None = None,
        clock: Clock | None = None,
        media: MediaFiles | None = None,
    ):
        self.templates = templates
        self.clock = clock or SystemClock()
        self.media = media  # files of conversations (bot.media.files.attach sets it)
        self._http = httpx.AsyncClient(timeout=30)
        self.client = WhatsApp(phone_id=phone_number_id, token=token, session=self._http)
        # pywa always aims at graph.facebook.com; pointing its client elsewhere serves a local stand-in.
        version = self._http.base_url.path.strip("/")
        self._http.base_url = f"{(api_base or DEFAULT_API_BASE).rstrip('/')}/{version}"

    async def send(self, message: Outgoing) -> SendResult:
        payload = message.payload
        if (
            message.kind != "answer"
            and payload.get("type") != "template"
            and not within_window(message.last_inbound_at, self.clock.now())
        ):
            return OutsideWindow("outside the 24-hour window")
        try:
            if payload.get("type") == "media":
                return await self._send_stored(message.address, from_payload(payload))
            return Sent(await self._deliver(message.address, payload))
        except WhatsAppError as error:
            return result_of(error)
        except (httpx.TimeoutException, httpx.NetworkError) as error:
            return RetryLater(f"{type(error).__name__}: {error}")

    async def _send_stored(self, to: str, message: MediaMessage) -> SendResult:
        """A file of a conversation (bot.media): fetched where it came from at the first try, uploaded here."""
        if self.media is None:
            return Failed("no media store in this process")
        file = await self.media.ready(message.stored, CHANNEL)
        if not isinstance(file, Ready):
            return file
        wamid = await whatsapp_media.upload(self.client, to, file, message.caption)
        await self.media.delivered(file.id)
        return Sent(wamid)

    async def fetch(self, media_id: str, limit: int) -> Fetched:
        """A file a person sent here, for another platform or person (bot.media.files.Fetcher)."""
        return await whatsapp_media.fetch(
            self.client, media_id, limit, lambda error: isinstance(result_of(error), RetryLater)
        )

    def instead_outside_window(self, message: Outgoing) -> dict[str, Any] | None:
        return self.templates.instead(message.payload)

    async def _deliver(self, to: str, payload: dict[str, Any]) -> str:
        if payload["type"] == "template":
            body = [{"type": "body", "parameters": [{"type": "text", "text": payload["text"]}]}]
            sent = await self.client.send_template(to, payload["name"], TemplateLanguage(payload["code"]), body)
            return sent.id
        match from_payload(payload):
            case TextMessage(body=body):
                sent = await self.client.send_message(to, body[:TEXT_LIMIT])
            case ButtonsMessage(body=body, buttons=buttons):
                sent = await self.client.send_message(
                    to, body, buttons=[wa_types.Button(title, callback_data=button_id) for button_id, title in buttons]
                )
            case ListMessage(body=body, button=button, rows=rows):
                section = wa_types.Section(
                    title=button,
                    rows=[
                        wa_types.SectionRow(row.title, callback_data=row.id, description=row.description)
                        for row in rows
                    ],
                )
                sent = await self.client.send_message(to, body, buttons=wa_types.SectionList(button, [section]))
            case DocumentMessage(document=document, caption=caption):
                content = await documents.build(document)
                mime_type = mimetypes.guess_type(document.filename)[0] or "application/octet-stream"
                sent = await self.client.send_document(
                    to, content, filename=document.filename, caption=caption, mime_type=mime_type
                )
        return sent.id

    async def close(self) -> None:
        await self._http.aclose()


def result_of(error: WhatsAppError) -> SendResult:
    """What a Graph API error means for the row (codes: developers.facebook.com/docs/whatsapp/cloud-api/support/
    error-codes; each tested in tests/test_whatsapp_sender.py)."""
    reason = f"{error.code}: {error.message}"
    if isinstance(error, AuthorizationError) or error.status_code == 401 or error.code in TOKEN_CODES:
        log.critical("the WhatsApp access token was rejected (%s): set a valid WHATSAPP_TOKEN", reason)
        return RetryLater(reason, after=TOKEN_PAUSE, pause_channel=True)
    if error.code == REENGAGEMENT_CODE:
        return OutsideWindow(reason)
    if error.code in THROTTLING_CODES:
        return RetryLater(reason, after=THROTTLE_PAUSE, pause_channel=True)
    if error.code == PAIR_RATE_CODE:
        return RetryLater(reason, after=PAIR_RATE_PAUSE)
    if error.code in RECIPIENT_GONE_CODES:
        return RecipientGone(reason)
    if error.code in TRANSIENT_CODES or (error.status_code or 0) >= 500:
        return RetryLater(reason)
    return Failed(reason)
