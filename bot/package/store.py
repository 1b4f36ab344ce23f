"""Keeping a person's package profile, reading position and checklist ticks (only with their consent)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.package.library import Profile
from bot.storage.models import ChecklistTick, Contact, PackageProfile


async def load_profile(session: AsyncSession, contact: Contact) -> tuple[Profile, str | None] | None:
    """The saved profile and the id of the section last read, or None."""
    row = await session.get(PackageProfile, contact.id)
    if row is None:
        return None
    return Profile(row.track, row.origin, row.destination, frozenset(row.households)), row.position


async def save_profile(session: AsyncSession, contact: Contact, profile: Profile, position: str | None) -> None:
    row = await session.get(PackageProfile, contact.id)
    if row is None:
        row = PackageProfile(contact_id=contact.id)
        session.add(row)
    row.track, row.origin, row.destination = profile.track, profile.origin, profile.destination
    row.households = sorted(profile.households)
    row.position = position


async def ticked(session: AsyncSession, contact: Contact) -> frozenset[str]:
    items = await session.scalars(select(ChecklistTick.item).where(ChecklistTick.contact_id == contact.id))
    return frozenset(items)


async def toggle(session: AsyncSession, contact: Contact, item: str) -> bool:
    """Ticks an item, or unticks it when it was ticked; True when it is ticked now."""
    existing = await session.get(ChecklistTick, (contact.id, item))
    if existing is not None:
        await session.delete(existing)
        return False
    session.add(ChecklistTick(contact_id=contact.id, item=item))
    return True
