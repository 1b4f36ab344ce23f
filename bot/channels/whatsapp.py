"""WhatsApp through the Cloud API: the webhook, replies, notices within and outside the 24-hour window.

pywa (async) sends and uploads; the webhook is ours (aiohttp), because pywa reads only the first message of
a batched payload and its handler framework would own the conversation (docs/decisions.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

import httpx
from aiohttp import web
from pywa_async import WhatsApp
from pywa_async import types as wa_types
from pywa_async.errors import AuthorizationError, WhatsAppError
from pywa_async.types.templates import TemplateLanguage

from bot.channels import whatsapp_store as store
from bot.channels.text import split_text
from bot.channels.whatsapp_inbound import CHANNEL, read_payload
from bot.channels.whatsapp_render import (
    TEXT_LIMIT,
    ButtonsMessage,
    DocumentMessage,
    ListMessage,
    Outgoing,
    TextMessage,
    render,
)
from bot.conversation import Incoming, Reply
from bot.engine import Engine
from bot.i18n import normalise_language, texts
from bot.storage.models import Contact, utcnow

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://graph.facebook.com"
WEBHOOK_PATH = "/webhook/whatsapp"
WINDOW = timedelta(hours=24)
RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0)  # seconds between attempts after throttling
THROTTLING_CODES = {4, 80007, 130429, 131056}
REENGAGEMENT_CODE = 131047
TEMPLATE_PARAMETER_LIMIT = 900  # the template's own words share WhatsApp's 1024 characters of body


class Failure(Enum):
    REENGAGEMENT = "re-engagement required: outside the 24-hour window"
    THROTTLED = "throttled: still refused after backing off"
    UNDELIVERABLE = "undeliverable"
    REFUSED = "refused by the Graph API"


class SendFailed(Exception):
    def __init__(self, failure: Failure, error: WhatsAppError):
        super().__init__(f"{failure.value} ({error.code}: {error.message})")
        self.failure = failure
        self.code = error.code


class WhatsAppTokenRejected(RuntimeError):
    """The access token is expired or wrong: nothing can be sent until an operator replaces it."""


@dataclass(frozen=True)
class NotifyResult:
    sent: bool
    via: str | None = None  # "session" (inside the 24-hour window) | "template"
    reason: str | None = None  # why it was not sent
    wamids: tuple[str, ...] = ()


def failure_of(error: WhatsAppError) -> Failure | None:
    """What a Graph API error means for us; None for an expired or wrong token (an operator's problem)."""
    if isinstance(error, AuthorizationError) or error.status_code == 401:
        return None
    if error.code == REENGAGEMENT_CODE:
        return Failure.REENGAGEMENT
    if error.code in THROTTLING_CODES:
        return Failure.THROTTLED
    if error.code == store.UNDELIVERABLE_CODE:
        return Failure.UNDELIVERABLE
    return Failure.REFUSED


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`."""
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return header is not None and hmac.compare_digest(expected.encode(), header.encode())


def template_language(code: str) -> TemplateLanguage:
    if code not in {known.value for known in TemplateLanguage}:
        raise ValueError(f"{code!r} (for Kyrgyz it is ky_KG)")
    return TemplateLanguage(code)


def within_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    return last_inbound_at is not None and in_utc(now) - in_utc(last_inbound_at) < WINDOW


def in_utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class WhatsAppChannel:
    def __init__(
        self,
        engine: Engine,
        token: str,
        phone_number_id: str,
        api_base: str | None = None,
        templates: dict[str, tuple[str, str]] | None = None,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ):
        """`templates`: {"kk": ("joldas_notice", "kk"), ...}; a language code WhatsApp does not know is a
        ValueError here, at start, not at the first notice."""
        self.engine = engine
        self.phone_number_id = phone_number_id
        self.templates = {
            language: (name, template_language(code)) for language, (name, code) in (templates or {}).items()
        }
        self.retry_delays = retry_delays
        self.token_problem: str | None = None
        self._http = httpx.AsyncClient(timeout=30)
        self.client = WhatsApp(phone_id=phone_number_id, token=token, session=self._http)
        # pywa always aims at graph.facebook.com; pointing its client elsewhere serves a local stand-in.
        version = self._http.base_url.path.strip("/")
        self._http.base_url = f"{(api_base or DEFAULT_API_BASE).rstrip('/')}/{version}"

    # --- the webhook ------------------------------------------------------------------------------------

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
            await self.handle_payload(payload)
            return web.Response(text="ok")

        app.router.add_get(WEBHOOK_PATH, verify)
        app.router.add_post(WEBHOOK_PATH, receive)

    async def handle_payload(self, payload: dict) -> None:
        """Handles every status and message of a (possibly batched) payload before the HTTP answer, as on
        Telegram: WhatsApp retries an unanswered call, and the engine drops a message it has seen."""
        batch = read_payload(payload, self.phone_number_id)
        if batch.statuses:
            async with self.engine.database.transaction() as session:
                for status in batch.statuses:
                    await store.record_status(session, status)
        for incoming in batch.messages:
            await self.answer(incoming)

    async def answer(self, incoming: Incoming) -> None:
        replies = await self.engine.handle(incoming)
        async with self.engine.database.transaction() as session:
            await store.reachable_again(session, incoming.user_id)
            contact = await store.find_contact(session, incoming.user_id)
        if not replies:
            return
        language = (contact and contact.language) or normalise_language(incoming.language_hint)
        try:
            await self.send(incoming.user_id, replies, contact.id if contact else None, language)
        except SendFailed as failed:
            log.warning("reply to whatsapp user %s not delivered: %s", incoming.user_id, failed)
        except WhatsAppTokenRejected:
            pass  # already reported loudly

    # --- sending ----------------------------------------------------------------------------------------

    async def send(self, to: str, replies: list[Reply], contact_id: int | None, language: str | None) -> list[str]:
        """Sends replies rendered for WhatsApp; records each sent message against the contact."""
        t = texts(language or self.engine.default_language)
        wamids: list[str] = []
        try:
            for reply in replies:
                for message in render(reply, t):
                    wamids.append(await self._attempt(lambda message=message: self._deliver(to, message), contact_id))
        finally:
            if contact_id is not None and wamids:
                async with self.engine.database.transaction() as session:
                    await store.record_sent(session, contact_id, wamids)
        return wamids

    async def notify(self, contact: Contact, text: str, now: datetime | None = None) -> NotifyResult:
        """Sends a notice to a person: a plain message inside the 24-hour window, else the approved template
        of their language, else nothing, with the reason. A rejected token raises WhatsAppTokenRejected, so
        that a broadcast stops instead of failing person after person."""
        if contact.channel != CHANNEL:
            raise ValueError(f"not a whatsapp contact: {contact.channel}")
        if contact.consent != "granted":
            return NotifyResult(False, reason="no consent to notices")
        if contact.status != "active":
            return NotifyResult(False, reason=f"contact is {contact.status}")
        now = now or utcnow()
        try:
            if within_window(contact.last_inbound_at, now):
                try:
                    wamids = await self.send(contact.external_id, [Reply(text)], contact.id, contact.language)
                    return NotifyResult(True, "session", wamids=tuple(wamids))
                except SendFailed as failed:
                    if failed.failure is not Failure.REENGAGEMENT:
                        raise
            return await self._notify_by_template(contact, text)
        except SendFailed as failed:
            return NotifyResult(False, reason=str(failed))

    async def _notify_by_template(self, contact: Contact, text: str) -> NotifyResult:
        language = contact.language or self.engine.default_language
        template = self.templates.get(language)
        if template is None:
            return NotifyResult(False, reason=f"outside the 24-hour window and no template configured for {language}")
        name, template_language = template
        parameter = " ".join(text.split())  # WhatsApp refuses line breaks and long runs of spaces in parameters
        if len(parameter) > TEMPLATE_PARAMETER_LIMIT:
            parameter = split_text(parameter, TEMPLATE_PARAMETER_LIMIT - 1)[0] + "…"
        body = [{"type": "body", "parameters": [{"type": "text", "text": parameter}]}]

        async def send_template() -> str:
            sent = await self.client.send_template(contact.external_id, name, template_language, body)
            return sent.id

        wamid = await self._attempt(send_template, contact.id)
        async with self.engine.database.transaction() as session:
            await store.record_sent(session, contact.id, [wamid])
        return NotifyResult(True, "template", wamids=(wamid,))

    async def _deliver(self, to: str, message: Outgoing) -> str:
        match message:
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
                mime_type = mimetypes.guess_type(document.filename)[0] or "application/octet-stream"
                sent = await self.client.send_document(
                    to, document.content, filename=document.filename, caption=caption, mime_type=mime_type
                )
        return sent.id

    async def _attempt(self, request, contact_id: int | None) -> str:
        """Runs one Graph API request: throttling is retried after a pause, growing each time; other errors
        become SendFailed (an undeliverable contact is marked); a rejected token is reported once, loudly,
        and stops all sending."""
        delays = iter(self.retry_delays)
        while True:
            if self.token_problem is not None:
                raise WhatsAppTokenRejected(self.token_problem)
            try:
                return await request()
            except WhatsAppError as error:
                failure = failure_of(error)
                if failure is None:
                    self.token_problem = f"the WhatsApp access token was rejected ({error.code}: {error.message})"
                    log.critical(
                        "%s: set a valid WHATSAPP_TOKEN and restart; nothing is sent until then", self.token_problem
                    )
                    raise WhatsAppTokenRejected(self.token_problem) from error
                delay = next(delays, None) if failure is Failure.THROTTLED else None
                if delay is None:
                    if failure is Failure.UNDELIVERABLE and contact_id is not None:
                        async with self.engine.database.transaction() as session:
                            await store.mark_undeliverable(session, contact_id)
                    raise SendFailed(failure, error) from error
                log.warning("whatsapp throttled (%s), retrying in %.1f s", error.code, delay)
                await asyncio.sleep(delay)

    async def close(self) -> None:
        await self._http.aclose()
