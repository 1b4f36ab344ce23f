"""The places of Kazakhstan and Kyrgyzstan: one tree of areas (country → region or city → district →
ayil aimak → village or town), a person's place, and finding a place by what people type.

Others build on this module (officials' areas, broadcast audiences, returnees' focal points):
- `get`, `lineage`, `within` read the tree; an audience query is `Place.path.startswith(area.path)`;
- `display_name(place, language)`; `place_for_region(key)` maps content/regions.yaml to places;
- `search(session or index, text, country=None, limit=10)` → hits, with `ambiguous` and `clear_choice`;
- `settle(contact, region_key)` gives a person without a place the region they live in (package, pre-check);
- `ensure_loaded(session)` puts content/places/ into a database that lacks them (see docs/decisions.md).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.places.content import region_places
from bot.places.search import Hit, Names, PlaceIndex, ambiguous, clear_choice, index_for
from bot.places.store import ensure_loaded
from bot.storage.models import Contact, Place

__all__ = [
    "Hit",
    "Names",
    "PlaceIndex",
    "ambiguous",
    "clear_choice",
    "display_name",
    "ensure_loaded",
    "get",
    "label",
    "lineage",
    "place_for_region",
    "search",
    "settle",
    "within",
]


async def get(session: AsyncSession, place_id: str | None) -> Place | None:
    return await session.get(Place, place_id) if place_id else None


async def lineage(session: AsyncSession, place_id: str) -> list[Place]:
    """The place first, then each area it lies in, up to its country; empty for an unknown id."""
    place = await get(session, place_id)
    if place is None:
        return []
    ids = place.path.strip("/").split("/")
    found = {each.id: each for each in await session.scalars(select(Place).where(Place.id.in_(ids)))}
    return [found[each] for each in reversed(ids) if each in found]


async def within(session: AsyncSession, place_id: str, area_id: str) -> bool:
    """Whether the place is the area or lies in it (a village of a district of the region...)."""
    place, area = await get(session, place_id), await get(session, area_id)
    return place is not None and area is not None and place.path.startswith(area.path)


def display_name(place: Place, language: str) -> str:
    """The place's name in `language` (kk, ru, ky); the Latin name for any other (operators: en)."""
    return Names.of(place)(language)


async def label(session: AsyncSession, place_id: str | None, language: str) -> str | None:
    """The name with its district and region ("Кызыл-Адыр, Кара-Буура району, Талас облусу"), for showing a
    person their place; None for none."""
    places = await lineage(session, place_id) if place_id else []
    shown = [each for each in places if each.kind != "country"]
    return ", ".join(display_name(each, language) for each in shown) or None


def settle(contact: Contact, region_key: str | None) -> None:
    """Gives a person without a place the place of a region they told the bot (content/regions.yaml key)
    they live in. Called only where what they told is kept, with their consent."""
    if contact.place_id is None:
        contact.place_id = place_for_region(region_key)


def place_for_region(region_key: str | None) -> str | None:
    """The place of a region key of content/regions.yaml ("akmola" → "KZ-AKM"), or None."""
    return region_places().get(region_key) if region_key else None


async def search(
    source: AsyncSession | PlaceIndex, text: str, country: str | None = None, limit: int = 10
) -> list[Hit]:
    """The places `text` may mean, best first (see bot.places.search)."""
    index = source if isinstance(source, PlaceIndex) else await index_for(source)
    return index.search(text, country, limit)
