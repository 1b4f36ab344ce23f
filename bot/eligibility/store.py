"""The pre-checks a person made and chose to keep (only with their consent)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Contact, EligibilityResult


async def count(session: AsyncSession, contact: Contact) -> int:
    query = select(func.count()).select_from(EligibilityResult).where(EligibilityResult.contact_id == contact.id)
    return await session.scalar(query) or 0


async def latest(session: AsyncSession, contact: Contact, limit: int = 3) -> list[EligibilityResult]:
    """The person's newest results first."""
    query = (
        select(EligibilityResult)
        .where(EligibilityResult.contact_id == contact.id)
        .order_by(EligibilityResult.created_at.desc(), EligibilityResult.id.desc())
        .limit(limit)
    )
    return list(await session.scalars(query))
