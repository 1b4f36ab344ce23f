"""Officials for tests: places picked from the loaded tree, and people made officials the way the bot does
it (an invite made, then redeemed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import places
from bot.officials import invites
from bot.storage.models import Contact, Official, Place

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Areas:
    """A region with a place in it (a district), another region of the same country, and a region of the
    other country: picked from the places loaded, whichever country has districts first (KZ, else KG)."""

    country: str
    region: str
    district: str
    other_region: str
    abroad: str


async def areas(session: AsyncSession) -> Areas:
    await places.ensure_loaded(session)
    inner = await session.scalar(  # the first place two levels below a country: a district of a region
        select(Place).where(Place.path.like("/%/%/%/")).order_by(Place.country.desc(), Place.path).limit(1)
    )
    region = await session.get(Place, inner.parent_id)
    other = await session.scalar(
        select(Place.id).where(Place.parent_id == region.parent_id, Place.id != region.id).order_by(Place.id).limit(1)
    )
    abroad_country = "KG" if region.country == "KZ" else "KZ"
    abroad = await session.scalar(select(Place.id).where(Place.parent_id == abroad_country).order_by(Place.id).limit(1))
    return Areas(region.country, region.id, inner.id, other, abroad)


async def make_official(
    session: AsyncSession,
    name: str,
    role: str,
    area_id: str,
    now: datetime,
    by: Official | None = None,
    organisation: str | None = None,
    channel: str = "console",
) -> Official:
    """A person on `channel` who redeemed an invite made by `by` (None: the operator)."""
    made = await invites.create(session, by, role, area_id, organisation, now, WEEK)
    return await invites.redeem(session, await contact_named(session, name, channel), invites.canonical(made.code), now)


async def contact_named(session: AsyncSession, name: str, channel: str = "console") -> Contact:
    """The contact of someone on a channel, made as the engine makes it at their first message."""
    found = await session.scalar(select(Contact).where(Contact.channel == channel, Contact.external_id == name))
    if found is None:
        found = Contact(channel=channel, external_id=name, status="active", kind="unknown")
        session.add(found)
        await session.flush()
    return found
