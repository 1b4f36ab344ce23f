"""What the broadcast tests share: places loaded (with two test districts), people put where a test wants
them, officials, and a broadcast made and sent as the command line does."""

from __future__ import annotations

import itertools
from datetime import datetime

from bot import places
from bot.broadcasts import manage
from bot.storage.database import Database
from bot.storage.models import Broadcast, Contact, Official, PackageProfile, Place

# Two districts of Akmola region made for the tests (the content's places may not go that deep).
DISTRICTS = {"KZ-AKM-T1": "KZ-AKM", "KZ-AKM-T2": "KZ-AKM"}
_ids = itertools.count(1)


async def load_places(database: Database) -> None:
    async with database.transaction() as session:
        await places.ensure_loaded(session)
        for place_id, parent_id in DISTRICTS.items():
            if await session.get(Place, place_id) is None:
                parent = await session.get(Place, parent_id)
                session.add(
                    Place(
                        id=place_id,
                        country="KZ",
                        kind="district",
                        parent_id=parent_id,
                        path=f"{parent.path}{place_id}/",
                        name_kk=place_id,
                        name_ru=place_id,
                        name_ky=place_id,
                        name_latin=place_id,
                    )
                )


async def add_person(
    database: Database,
    place_id: str | None,
    *,
    language: str = "kk",
    channel: str = "telegram",
    consent: str | None = "granted",
    status: str = "active",
    kind: str = "unknown",
    unreachable: datetime | None = None,
    last_inbound_at: datetime | None = None,
    track: str | None = None,
    origin: str | None = None,
    destination: str | None = None,
) -> Contact:
    async with database.transaction() as session:
        contact = Contact(
            channel=channel,
            external_id=str(500_000 + next(_ids)),
            language=language,
            consent=consent,
            status=status,
            kind=kind,
            place_id=place_id,
            unreachable_since=unreachable,
            last_inbound_at=last_inbound_at,
        )
        session.add(contact)
        await session.flush()
        if track:
            session.add(
                PackageProfile(
                    contact_id=contact.id, track=track, origin=origin, destination=destination, households=[]
                )
            )
    return contact


async def add_official(
    database: Database, area_id: str, contact: Contact | None = None, organisation: str = "Akimat", status="active"
) -> Official:
    async with database.transaction() as session:
        official = Official(
            contact_id=contact.id if contact else None,
            role="official",
            area_id=area_id,
            organisation=organisation,
            status=status,
        )
        session.add(official)
    return official


async def broadcast(
    database: Database,
    now: datetime,
    area_id: str,
    texts: dict[str, str],
    *,
    actor: Official | None = None,
    audience: str = "everyone",
    send: bool = True,
    **options,
) -> Broadcast:
    async with database.transaction() as session:
        acting = await session.get(Official, actor.id) if actor else None
        made = await manage.create(
            session, acting, area_id=area_id, audience_kind=audience, texts=texts, now=now, **options
        )
        if send:
            await manage.send(session, acting, made, now)
    return made
