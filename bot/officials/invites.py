"""One-time invite codes: made for a role and an area, redeemed once in the messenger before they expire.

A code reads `JOL-XXXX-XXXX-XXXX` (twelve letters and digits from an alphabet without look-alikes, 60 bits),
so it fits a Telegram deep link (`/start JOL-…`) and is easy to type on WhatsApp, in any case and spacing.
Only its SHA-256 is stored: the database alone cannot be used to redeem an invite.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.officials import access
from bot.storage.models import Contact, Invite, Official, as_utc

if TYPE_CHECKING:
    from bot.config import Settings

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
PREFIX = "JOL"
GROUPS, GROUP = 3, 4
MAX_TYPED = 40  # characters: a code typed with spaces between its groups, and some to spare
MAX_ORGANISATION = 200  # as the column
_TYPED = re.compile(rf"^{PREFIX}[{ALPHABET}]{{{GROUPS * GROUP}}}$")


class Refused(Exception):
    """A code that cannot be redeemed. `reason`: unknown, expired, used, inviter_inactive."""

    def __init__(self, reason: str, invite: Invite | None = None):
        super().__init__(reason)
        self.reason = reason
        self.invite = invite


@dataclass(frozen=True)
class Made:
    invite: Invite
    code: str  # shown once, never stored
    link: str | None = None  # the Telegram deep link, when the bot's username is set (see `offer`)


def make_code() -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP)) for _ in range(GROUPS))
    return "-".join((PREFIX, *groups))


def canonical(text: str) -> str | None:
    """The code a typed text is (`jol 7kq2-mx9d …` → `JOL7KQ2MX9D…`), or None when it is no invite code."""
    if len(text) > MAX_TYPED:
        return None  # every message is looked at: a long one is no code, and is not scanned
    squeezed = re.sub(r"[\s\-_]", "", text).upper()
    return squeezed if _TYPED.match(squeezed) else None


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def create(
    session: AsyncSession,
    actor: Official | None,
    role: str,
    area_id: str,
    organisation: str | None,
    now: datetime,
    valid_for: timedelta,
) -> Made:
    """Authorises and audits the invite (raises access.Denied), then stores it."""
    await access.authorise_invite(session, actor, role, area_id, now, organisation=organisation)
    code = make_code()
    invite = Invite(
        code_hash=code_hash(canonical(code)),
        role=role,
        area_id=area_id,
        organisation=organisation,
        invited_by=actor.id if actor is not None else None,
        created_at=now,
        expires_at=now + valid_for,
    )
    session.add(invite)
    await session.flush()
    return Made(invite, code)


async def offer(
    session: AsyncSession,
    actor: Official | None,
    role: str,
    area_id: str,
    organisation: str | None,
    now: datetime,
    settings: Settings,
) -> Made:
    """An invite as the command line and the messenger make it: valid for `INVITE_VALID_HOURS`, with the deep
    link when `TELEGRAM_BOT_USERNAME` is set. Raises access.Denied (audited)."""
    valid_for = timedelta(hours=settings.invite_valid_hours)
    made = await create(session, actor, role, area_id, organisation, now, valid_for)
    return Made(made.invite, made.code, deep_link(settings.telegram_bot_username, made.code))


def organisation_name(text: str) -> str | None:
    """An organisation's name as given (spaces squeezed), or None when it is blank or longer than the column."""
    name = " ".join(text.split())
    return name if name and len(name) <= MAX_ORGANISATION else None


async def redeem(session: AsyncSession, contact: Contact, code: str, now: datetime) -> Official:
    """Makes the contact an official (raises Refused; audited either way); `code` as `canonical` gives it.
    A role they held before is revoked: a contact holds one role at a time."""
    invite = await session.scalar(select(Invite).where(Invite.code_hash == code_hash(code)).with_for_update())
    reason = await _refusal(session, invite, now)
    area_id = invite.area_id if invite is not None else None
    if reason is not None:
        await access.audit(
            session, None, "officials.redeem", area_id, now, contact=contact, outcome="denied", reason=reason
        )
        raise Refused(reason, invite)
    for previous in await access.held_by(session, contact):
        previous.status, previous.status_at = "revoked", now
        await access.audit(session, previous, "officials.replaced", previous.area_id, now, official=previous.id)
    official = Official(
        contact_id=contact.id,
        role=invite.role,
        area_id=invite.area_id,
        organisation=invite.organisation,
        status="active",
        created_at=now,
        status_at=now,
        invited_by=invite.invited_by,
    )
    session.add(official)
    await session.flush()
    invite.used_at, invite.official_id = now, official.id
    await access.audit(session, official, "officials.redeem", invite.area_id, now, outcome="allowed", invite=invite.id)
    return official


async def _refusal(session: AsyncSession, invite: Invite | None, now: datetime) -> str | None:
    if invite is None:
        return "unknown"
    if invite.used_at is not None:
        return "used"
    if as_utc(invite.expires_at) <= now:
        return "expired"
    if invite.invited_by is not None:
        inviter = await session.get(Official, invite.invited_by)
        if inviter is None or inviter.status != "active":
            return "inviter_inactive"
    return None


def deep_link(bot_username: str | None, code: str) -> str | None:
    """`https://t.me/<bot>?start=<code>`: Telegram opens the bot and sends `/start <code>` when pressed."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}" if bot_username else None
