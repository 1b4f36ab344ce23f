"""Who may do what: THE one place where an official's scope is checked, and where every official's action is
written to the audit log.

A role covers its area and every place within it (`bot.places.within`: the area's path is a prefix of the
place's). `actor=None` is the operator at the command line, whose scope is both countries. Callers catch
`Denied` inside their transaction, so the audit entry of a refusal is committed with everything else.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import places
from bot.storage.models import AuditEntry, Contact, Invite, Official

ROLES = ("admin", "official", "focal_point")
# Actions only some roles may take. An action not listed here is open to every active role, within its area.
ONLY = {
    "officials.invite": {"admin", "official"},
    "officials.list": {"admin", "official"},
    "officials.view": {"admin", "official"},
    "officials.suspend": {"admin", "official"},
    "officials.revoke": {"admin", "official"},
    "officials.reinstate": {"admin", "official"},
}
# The roles each role may invite to; the operator may invite to any, admins only the operator.
INVITES = {"admin": {"official", "focal_point"}, "official": {"official", "focal_point"}}
MAX_AREA_ID = 64  # as the audit log's column: a forged id longer than that is recorded cut


class Denied(Exception):
    """The actor may not do this. `reason`: not_active, not_allowed (the role may not take this action),
    unknown_area, outside_area, role_too_high (inviting to a role above one's own), admin_needs_country,
    not_yours (an official they do not manage), unknown_official, not_an_official (a person with no role)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


async def acting_official(session: AsyncSession, contact: Contact | None) -> Official | None:
    """The contact's active role, if any (a contact holds at most one: a new one replaces the old)."""
    if contact is None or contact.id is None:
        return None
    return await session.scalar(
        select(Official)
        .where(Official.contact_id == contact.id, Official.status == "active")
        .order_by(Official.id.desc())
        .limit(1)
    )


async def held_by(session: AsyncSession, contact: Contact) -> list[Official]:
    """The contact's roles not revoked (active or suspended), oldest first."""
    found = await session.scalars(
        select(Official).where(Official.contact_id == contact.id, Official.status != "revoked").order_by(Official.id)
    )
    return list(found)


async def actor_in_messenger(
    session: AsyncSession, contact: Contact, action: str, now: datetime, **details
) -> Official:
    """The official a person in the messenger acts as: their role, a suspended one included (so that
    `authorise` refuses it as not active). In the messenger nobody is the operator: a person holding no role
    is refused here (Denied `not_an_official`), and audited."""
    held = await held_by(session, contact)
    if not held:
        await audit(
            session, None, action, None, now, contact=contact, outcome="denied", reason="not_an_official", **details
        )
        raise Denied("not_an_official")
    return held[-1]


async def authorise(
    session: AsyncSession, actor: Official | None, action: str, area_id: str, now: datetime, **details
) -> None:
    """Raises Denied unless the actor is active, their role may take the action, and the area is theirs.
    Audits the attempt either way."""
    reason = await _refusal(session, actor, action, area_id)
    await _decided(session, actor, action, area_id, now, reason, details)


async def authorise_invite(
    session: AsyncSession, actor: Official | None, role: str, area_id: str, now: datetime, **details
) -> None:
    """`authorise` for an invite, which also checks the role invited to: no higher than the actor's own, and
    an admin's area is a country."""
    reason = await _refusal(session, actor, "officials.invite", area_id)
    if reason is None and actor is not None and role not in INVITES.get(actor.role, ()):
        reason = "role_too_high"
    if reason is None and role == "admin" and (await places.get(session, area_id)).kind != "country":
        reason = "admin_needs_country"
    await _decided(session, actor, "officials.invite", area_id, now, reason, {"role": role, **details})


async def authorise_over(
    session: AsyncSession, actor: Official | None, action: str, target: Official, now: datetime, **details
) -> None:
    """`authorise` for an action on another official (suspend, revoke, reinstate). Beyond the area: an admin
    manages every official and focal point of their country, an official those they invited and those
    invited in turn by them; nobody manages themselves. The operator manages everyone."""
    reason = await _refusal(session, actor, action, target.area_id)
    if reason is None and actor is not None and not await manages(session, actor, target):
        reason = "not_yours"
    await _decided(session, actor, action, target.area_id, now, reason, {"official": target.id, **details})


async def refuse(
    session: AsyncSession,
    actor: Official | None,
    action: str,
    area_id: str | None,
    now: datetime,
    reason: str,
    **details,
) -> None:
    """Audits a refusal decided before any check could run (a button naming no official, say) and raises it."""
    await _decided(session, actor, action, area_id, now, reason, details)


async def audit(
    session: AsyncSession,
    actor: Official | None,
    action: str,
    area_id: str | None,
    now: datetime,
    *,
    contact: Contact | None = None,
    **details,
) -> None:
    """Writes who did what on which area, when. Who: the official (`actor`), else the person (`contact`,
    such as someone redeeming an invite), else the operator at the command line."""
    by = actor.role if actor is not None else "person" if contact is not None else "operator"
    session.add(
        AuditEntry(
            at=now,
            contact_id=contact.id if contact is not None else None,
            official_id=actor.id if actor is not None else None,
            area_id=area_id[:MAX_AREA_ID] if area_id is not None else None,
            action=action,
            details={"by": by, **details},
        )
    )


async def officials_for(session: AsyncSession, place_id: str, role: str) -> list[Official]:
    """The active officials of a role whose area is exactly this place (not an area around it)."""
    found = await session.scalars(
        select(Official)
        .where(
            Official.area_id == place_id,
            Official.role == role,
            Official.status == "active",
            Official.contact_id.is_not(None),
        )
        .order_by(Official.id)
    )
    return list(found)


def invitable_roles(actor: Official) -> tuple[str, ...]:
    """The roles an actor may invite to, for offering them (inviting still goes through `authorise_invite`)."""
    allowed = INVITES.get(actor.role, set()) if actor.status == "active" else set()
    return tuple(role for role in ROLES if role in allowed)


async def sees_invite(session: AsyncSession, actor: Official | None, invite: Invite) -> bool:
    """Whether an invite not yet used is shown to the actor among those they manage: the operator's and an
    admin's, every invite within their area; an official's, those they made and those made by the officials
    they manage (the rule of `manages`)."""
    if actor is None or actor.role == "admin":
        return actor is None or await places.within(session, invite.area_id, actor.area_id)
    if invite.invited_by is None:
        return False
    if invite.invited_by == actor.id:
        return True
    inviter = await session.get(Official, invite.invited_by)
    return inviter is not None and await manages(session, actor, inviter)


async def _refusal(session: AsyncSession, actor: Official | None, action: str, area_id: str) -> str | None:
    if actor is not None and actor.status != "active":
        return "not_active"
    if actor is not None and actor.role not in ONLY.get(action, ROLES):
        return "not_allowed"
    if await places.get(session, area_id) is None:
        return "unknown_area"
    if actor is not None and not await places.within(session, area_id, actor.area_id):
        return "outside_area"
    return None


async def manages(session: AsyncSession, actor: Official, target: Official) -> bool:
    """Whether the actor manages the target (the rule of `authorise_over`, without its area check and audit):
    for showing whom one manages; acting on them goes through `authorise_over`."""
    if target.id == actor.id:
        return False
    if actor.role == "admin":
        return target.role != "admin"
    inviter, seen = target.invited_by, set()
    while inviter is not None and inviter not in seen:  # up the chain of who invited whom
        if inviter == actor.id:
            return True
        seen.add(inviter)
        inviter = await session.scalar(select(Official.invited_by).where(Official.id == inviter))
    return False


async def _decided(
    session: AsyncSession,
    actor: Official | None,
    action: str,
    area_id: str | None,
    now: datetime,
    reason: str | None,
    details: dict,
) -> None:
    outcome = {"outcome": "allowed"} if reason is None else {"outcome": "denied", "reason": reason}
    await audit(session, actor, action, area_id, now, **outcome, **details)
    if reason is not None:
        raise Denied(reason)
