"""Referral figures for operators (`joldas report referrals`) and officials (their area's, in the bot): by
need, by area, time to acceptance and to closing, outcomes and what people said when asked afterwards. Holds
no person's data: the referral rows alone, which outlive /forget."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import places
from bot.storage.models import Place, Referral, as_utc


@dataclass
class Figures:
    area: str | None
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_need: dict[str, int] = field(default_factory=dict)
    by_area: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    follow_ups: dict[str, int] = field(default_factory=dict)
    escalated: int = 0
    hours_to_accept_median: float | None = None
    hours_to_close_median: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    return (as_utc(end) - as_utc(start)).total_seconds() / 3600 if start and end else None


def _median(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return round(statistics.median(known), 1) if known else None


async def referral_figures(session: AsyncSession, area_id: str | None = None) -> Figures:
    """Every referral whose area lies within `area_id` (all of them without one)."""
    columns = (
        Referral.status,
        Referral.area_id,
        Referral.needs,
        Referral.outcome,
        Referral.followup,
        Referral.escalations,
        Referral.created_at,
        Referral.accepted_at,
        Referral.closed_at,
    )
    query = select(*columns)  # plain rows, not objects: a report reads every referral of an area
    if area_id is not None:
        area = await places.get(session, area_id)
        if area is None:
            raise ValueError(f"no place {area_id!r}")
        inside = select(Place.id).where(Place.path.startswith(area.path))
        query = query.where(Referral.area_id.in_(inside))
    rows = (await session.execute(query)).all()
    return Figures(
        area=area_id,
        total=len(rows),
        by_status=dict(Counter(row.status for row in rows)),
        by_need=dict(Counter(need for row in rows for need in row.needs).most_common()),
        by_area=dict(Counter(row.area_id for row in rows).most_common()),
        outcomes=dict(Counter(row.outcome for row in rows if row.outcome)),
        follow_ups=dict(Counter(row.followup for row in rows if row.followup)),
        escalated=sum(1 for row in rows if row.escalations),
        hours_to_accept_median=_median([_hours(row.created_at, row.accepted_at) for row in rows]),
        hours_to_close_median=_median([_hours(row.created_at, row.closed_at) for row in rows]),
    )
