"""The officials of an area: listed, suspended, revoked and reinstated, each only by someone allowed to
(`access.authorise_over`), and what happens to a role when its holder says /forget."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import places
from bot.officials import access
from bot.storage.models import Contact, Invite, Official, Place

# action -> (the statuses it applies to, the status it leaves)
CHANGES = {
    "suspend": ({"active"}, "suspended"),
    "revoke": ({"active", "suspended"}, "revoked"),
    "reinstate": ({"suspended"}, "active"),
}


class NotPossible(Exception):
    """The change does not apply to the official's status (reinstating a revoked one, say). `status`: theirs."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


async def managed(
    session: AsyncSession, actor: Official | None, now: datetime, area_id: str | None = None
) -> list[Official]:
    """The officials an actor manages within an area (by default their own; for the operator, everywhere),
    after `authorise` (raises access.Denied)."""
    area_id = area_id or (actor.area_id if actor is not None else None)
    query = select(Official).order_by(Official.area_id, Official.id)
    if area_id is None:
        await access.audit(session, None, "officials.list", None, now, outcome="allowed")
    else:
        await access.authorise(session, actor, "officials.list", area_id, now)
        area = await places.get(session, area_id)
        query = query.join(Place, Place.id == Official.area_id).where(Place.path.startswith(area.path))
    found = list(await session.scalars(query))
    if actor is None:
        return found
    return [official for official in found if await access.manages(session, actor, official)]


async def pending(session: AsyncSession, actor: Official | None, area_id: str, now: datetime) -> list[Invite]:
    """The invites not yet used nor expired within an area that the actor sees (`access.sees_invite`), soonest
    to expire first. For the list `managed` has authorised: it decides nothing and changes nothing."""
    area = await places.get(session, area_id)
    if area is None:
        return []
    found = await session.scalars(
        select(Invite)
        .join(Place, Place.id == Invite.area_id)
        .where(Place.path.startswith(area.path), Invite.used_at.is_(None), Invite.expires_at > now)
        .order_by(Invite.expires_at, Invite.id)
    )
    return [invite for invite in found if await access.sees_invite(session, actor, invite)]


async def viewed(session: AsyncSession, actor: Official | None, official_id: int, now: datetime) -> Official:
    """One official, for someone who manages them (raises access.Denied, audited)."""
    return await _target(session, actor, official_id, "view", now)


async def change(
    session: AsyncSession, actor: Official | None, official_id: int, action: str, now: datetime
) -> Official:
    """Suspends, revokes or reinstates an official. Raises access.Denied (audited) or NotPossible."""
    target = await _target(session, actor, official_id, action, now)
    applies_to, becomes = CHANGES[action]
    if target.status not in applies_to:
        raise NotPossible(target.status)
    target.status, target.status_at = becomes, now
    return target


async def _target(
    session: AsyncSession, actor: Official | None, official_id: int, action: str, now: datetime
) -> Official:
    target = await session.get(Official, official_id)
    if target is None:
        await access.refuse(session, actor, f"officials.{action}", None, now, "unknown_official", official=official_id)
    await access.authorise_over(session, actor, f"officials.{action}", target, now)
    return target


async def forgotten(session: AsyncSession, contact: Contact, now: datetime) -> None:
    """A holder said /forget: their roles are revoked (audited as their own last action). The rows stay, and
    the audit log keeps who acted as that row (role, area, organisation) with nothing personal."""
    for official in await access.held_by(session, contact):
        official.status, official.status_at = "revoked", now
        await access.audit(session, official, "officials.forgotten", official.area_id, now, official=official.id)
