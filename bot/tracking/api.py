"""The status API for organisations: `POST /api/v1/applications/{id}/status` on `joldas serve`.

Each organisation has a token (`joldas tracking token`), kept only as its SHA-256 and bound to an official
role (the organisation's area): every change goes through `bot.officials.access` like an official's in the
messenger. An `Idempotency-Key` header is required: a replay with the same body gets the first answer again
and changes nothing; the same key with another body is refused. The OpenAPI description is served at
`GET /api/v1/openapi.json` (bot/tracking/openapi.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.officials import access
from bot.storage.models import ApiRequest, ApiToken, Application, Official
from bot.tracking import updates
from bot.tracking.buttons import row_id
from bot.tracking.csv_import import parse_at
from bot.tracking.openapi import OPENAPI
from bot.tracking.steps import tracking

MAX_BODY = 16 * 1024
_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(session: AsyncSession, organisation: str, area_id: str, now: dt.datetime) -> str:
    """A new token for an organisation acting in an area (the operator's action, authorised and audited); the
    token itself is shown once and never stored."""
    await access.authorise(session, None, "tracking.token", area_id, now, organisation=organisation)
    role = Official(contact_id=None, role="official", area_id=area_id, organisation=organisation, created_at=now)
    session.add(role)
    await session.flush()
    token = "jt_" + secrets.token_urlsafe(32)
    session.add(ApiToken(official_id=role.id, token_hash=token_hash(token), created_at=now))
    return token


async def caller(session: AsyncSession, header: str | None) -> tuple[ApiToken, Official] | None:
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    row = await session.scalar(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token.strip()), ApiToken.revoked_at.is_(None))
    )
    if row is None:
        return None
    official = await session.get(Official, row.official_id)
    return (row, official) if official is not None else None


def error(status: int, code: str, **more) -> tuple[int, dict]:
    return status, {"error": code, **more}


def parsed(body: bytes) -> dict | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("status"), str):
        return None
    if not all(isinstance(data.get(name, ""), str) for name in ("note", "at")) or set(data) - {"status", "note", "at"}:
        return None
    return data


async def change(
    session: AsyncSession, official: Official, application_id: int, data: dict, request_key: str, now: dt.datetime
) -> tuple[int, dict]:
    application = await session.get(Application, application_id)
    if application is None:
        return error(404, "not_found")
    if data["status"] not in tracking().data.statuses:
        return error(422, "unknown_status")
    try:
        at = parse_at(data.get("at", ""), now)
        event = await updates.apply(
            session,
            application,
            data["status"],
            now,
            updates.Actor("api", official),
            note=data.get("note"),
            at=at,
            request_key=request_key,
        )
    except access.Denied as denied:
        return error(403, denied.reason)
    except updates.NotAllowed as refused:
        return error(409, "transition_not_allowed", current=application.status, allowed=refused.allowed)
    except ValueError:
        return error(422, "bad_time")
    return 200, {
        "application": application.id,
        "status": event.status,
        "previous": event.previous,
        "at": event.at.isoformat(),
        "event": event.id,
    }


def mount(app: web.Application, database, clock) -> None:
    """Adds the API's routes to `joldas serve`'s web app."""

    async def post_status(request: web.Request) -> web.Response:
        body = await request.read()
        key = request.headers.get("Idempotency-Key", "")
        application_id = request.match_info["id"]
        async with database.transaction() as session:
            found = await caller(session, request.headers.get("Authorization"))
            if found is None:
                return web.json_response({"error": "unauthorized"}, status=401)
            token, official = found
            if not _KEY.match(key):
                return web.json_response({"error": "idempotency_key_required"}, status=400)
            if len(body) > MAX_BODY or (data := parsed(body)) is None or row_id(application_id) is None:
                return web.json_response({"error": "bad_request"}, status=422)
            body_hash = hashlib.sha256(body).hexdigest()
            earlier = await session.get(ApiRequest, (token.id, key))
            if earlier is not None:
                if earlier.body_hash != body_hash:
                    return web.json_response({"error": "idempotency_key_reused"}, status=422)
                headers = {"Idempotent-Replayed": "true"}
                return web.json_response(earlier.response, status=earlier.status_code, headers=headers)
            now = clock.now()
            status, answer = await change(session, official, row_id(application_id), data, f"api:{token.id}:{key}", now)
            session.add(
                ApiRequest(
                    token_id=token.id, key=key, body_hash=body_hash, status_code=status, response=answer, created_at=now
                )
            )
        return web.json_response(answer, status=status)

    async def openapi(_request: web.Request) -> web.Response:
        return web.json_response(OPENAPI)

    app.router.add_post("/api/v1/applications/{id}/status", post_status)
    app.router.add_get("/api/v1/openapi.json", openapi)
