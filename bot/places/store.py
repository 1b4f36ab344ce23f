"""Places in the database: writing rows (from content/places/ or an import) with their materialised paths."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.places.content import PlaceRecord, content_places
from bot.storage.database import refresh_statistics
from bot.storage.models import Place

# What a record sets on its row. An empty KATO code or source never blanks a stored one: the content files
# leave KATO empty where no source gives it, and an import fills it.
_KEPT_WHEN_EMPTY = ("kato", "source")


generation = 0  # counts the changes this process wrote: a search index built before one is stale


def _changed() -> None:
    global generation
    generation += 1


@dataclass(frozen=True)
class Written:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def _values(record: PlaceRecord, path: str) -> dict:
    return {
        "id": record.id,
        "country": record.country,
        "kind": record.kind,
        "parent_id": record.parent_id,
        "path": path,
        "kato": record.kato,
        "name_kk": record.name_kk,
        "name_ru": record.name_ru,
        "name_ky": record.name_ky,
        "name_latin": record.name_latin,
        "aliases": list(record.aliases),
        "source": record.source,
    }


async def stored_paths(session: AsyncSession) -> dict[str, str]:
    return dict((await session.execute(select(Place.id, Place.path))).all())


def paths_for(records: Iterable[PlaceRecord], known: dict[str, str]) -> dict[str, str]:
    """Each record's path, from its parent's (a record before it, or a stored place). Parents come first;
    a record whose parent is unknown gets no path (the caller refuses it)."""
    paths = dict(known)
    found: dict[str, str] = {}
    for record in records:
        if record.parent_id is None:
            found[record.id] = f"/{record.id}/"
        elif record.parent_id in paths:
            found[record.id] = f"{paths[record.parent_id]}{record.id}/"
        else:
            continue
        paths[record.id] = found[record.id]
    return found


async def ensure_loaded(session: AsyncSession) -> int:
    """Adds the places of content/places/ that the database lacks (a fresh database gets them all) and
    returns how many. Cheap when nothing is missing; safe when two processes start at once."""
    stored = await stored_paths(session)
    missing = [record for record in content_places() if record.id not in stored]
    if not missing:
        return 0
    paths = paths_for(missing, stored)
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [_values(record, paths[record.id]) for record in missing]
    await session.execute(insert(Place).on_conflict_do_nothing(index_elements=["id"]), rows)
    await refresh_statistics(session, Place)
    _changed()
    return len(missing)


async def write(session: AsyncSession, records: list[PlaceRecord]) -> Written:
    """Inserts new places and updates known ones (parents first); a place moved to another parent takes its
    descendants along. Every record's parent must be among the records before it or stored already."""
    stored = await stored_paths(session)
    paths = paths_for(records, stored)
    rows = {place.id: place for place in await session.scalars(select(Place))}
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    for record in records:
        values = _values(record, paths[record.id])
        place = rows.get(record.id)
        if place is None:
            session.add(Place(**values))
            counts["inserted"] += 1
            continue
        changes = {
            name: value
            for name, value in values.items()
            if getattr(place, name) != value and not (name in _KEPT_WHEN_EMPTY and not value)
        }
        if not changes:
            counts["unchanged"] += 1
            continue
        old_path = place.path
        for name, value in changes.items():
            setattr(place, name, value)
        await session.flush()
        if "path" in changes:
            await _move_descendants(session, old_path, place.path)
        counts["updated"] += 1
    await session.flush()
    await refresh_statistics(session, Place)
    _changed()
    return Written(**counts)


async def _move_descendants(session: AsyncSession, old: str, new: str) -> None:
    await session.execute(
        update(Place)
        .where(Place.path.startswith(old, autoescape=True), Place.path != new)
        .values(path=new + func.substr(Place.path, len(old) + 1))
        .execution_options(synchronize_session=False)
    )


async def signature(session: AsyncSession) -> tuple:
    """Changes whenever a place is added or changed: tells a cached search index it is stale."""
    return tuple((await session.execute(select(func.count(), func.max(Place.updated_at)))).one())
