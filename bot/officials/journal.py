"""The officials' part of the audit log, for `joldas officials audit`: every attempt, allowed or denied."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import places
from bot.storage.models import AuditEntry, Place, as_utc


async def entries(session: AsyncSession, area_id: str | None = None, limit: int = 100) -> list[AuditEntry]:
    """The newest entries first: with an area, those on places within it; else every official's entry
    (whoever acted on an area, and every attempt to redeem an invite)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if area_id is not None:
        area = await places.get(session, area_id)
        if area is None:
            return []
        inside = select(Place.id).where(Place.path.startswith(area.path))
        query = query.where(AuditEntry.area_id.in_(inside))
    else:
        query = query.where(
            or_(
                AuditEntry.area_id.is_not(None),
                AuditEntry.official_id.is_not(None),
                AuditEntry.action.startswith("officials."),
            )
        )
    return list(await session.scalars(query))


def as_row(entry: AuditEntry) -> dict:
    details = dict(entry.details or {})
    return {
        "at": as_utc(entry.at).isoformat(),
        "by": details.pop("by", None),
        "official": entry.official_id,
        "action": entry.action,
        "area": entry.area_id,
        "outcome": details.pop("outcome", None),
        "reason": details.pop("reason", None),
        "details": details,
    }
