"""`joldas demo seed`: synthetic people for demos and benchmarks — consented, spread over the places of both
countries, over kinds (relocants with a package profile, labour migrants, returnees, not stated) and
languages, one in twenty having said /stop. Deterministic (the same arguments make the same people), and
written with bulk inserts. Not real people: their messenger ids start at `--first-id`.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.regions import regions
from bot.storage.database import refresh_statistics
from bot.storage.models import Contact, PackageProfile, Place

CHANNELS = ("telegram", "whatsapp", "console")
FIRST_ID = 900_000_000
WHATSAPP_FIRST = 77_000_000_000  # synthetic +7 700… numbers
BATCH = 5000
STOPPED_SHARE = 0.05
KINDS = ("relocant", "relocant", "labour_migrant", "returnee", "unknown")


class Taken(Exception):
    """Messenger ids in the range asked for already belong to people."""


@dataclass
class Made:
    channel: str
    first: str
    last: str
    total: int = 0
    languages: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    countries: Counter = field(default_factory=Counter)
    places: int = 0
    stopped: int = 0


def address(channel: str, number: int) -> str:
    return str(WHATSAPP_FIRST + number if channel == "whatsapp" else number)


async def seed(
    session: AsyncSession, contacts: int, channel: str, first_id: int, now: datetime, area: str | None = None
) -> Made:
    """`contacts` people over the places (within `area`, when given, such as KZ)."""
    rng = random.Random(f"{contacts}:{channel}:{first_id}")
    query = select(Place.id, Place.country).where(Place.kind != "country").order_by(Place.id)
    if area is not None:
        query = query.where(Place.path.contains(f"/{area}/", autoescape=True))
    spots = list((await session.execute(query)).all())
    if not spots:
        raise LookupError(f"no places are loaded{f' within {area}' if area else ''}")
    first, last = address(channel, first_id), address(channel, first_id + contacts - 1)
    taken = await session.scalar(
        select(func.count())
        .select_from(Contact)
        .where(Contact.channel == channel, Contact.external_id.in_([first, last]))
    )
    if taken:
        raise Taken(f"{channel} ids {first}…{last} are taken: choose another --first-id")
    made = Made(channel, first, last)
    region_keys = [region.id for region in regions()]
    for start in range(0, contacts, BATCH):
        people, profiles = [], []
        for number in range(start, min(contacts, start + BATCH)):
            place_id, country = spots[number % len(spots)]
            language = rng.choice(("kk", "kk", "ru")) if country == "KZ" else rng.choice(("ky", "ky", "ru"))
            kind = rng.choice(KINDS) if country == "KZ" else rng.choice(("labour_migrant", "returnee", "unknown"))
            stopped = rng.random() < STOPPED_SHARE
            people.append(
                {
                    "channel": channel,
                    "external_id": address(channel, first_id + number),
                    "language": language,
                    "status": "stopped" if stopped else "active",
                    "consent": "granted",
                    "consent_at": now,
                    "kind": kind,
                    "country": country.lower(),
                    "place_id": place_id,
                    "created_at": now,
                    "last_inbound_at": now - timedelta(hours=rng.randint(1, 24 * 200)),
                }
            )
            made.total += 1
            made.languages[language] += 1
            made.kinds[kind] += 1
            made.countries[country] += 1
            made.stopped += stopped
            if kind == "relocant":
                profiles.append((len(people) - 1, rng.choice(("in_migrant", "in_migrant", "kandas"))))
        ids = list(await session.scalars(insert(Contact).returning(Contact.id, sort_by_parameter_order=True), people))
        if profiles:
            await session.execute(
                insert(PackageProfile),
                [
                    {
                        "contact_id": ids[index],
                        "track": track,
                        "origin": rng.choice(region_keys) if track == "in_migrant" else "abroad",
                        "destination": rng.choice(region_keys),
                        "households": [],
                        "updated_at": now,
                    }
                    for index, track in profiles
                ],
            )
    made.places = min(contacts, len(spots))
    await refresh_statistics(session, Contact, PackageProfile)
    return made


def describe(made: Made) -> str:
    def listed(counter: Counter) -> str:
        return ", ".join(f"{key} {n:,}" for key, n in counter.most_common())

    return "\n".join(
        [
            f"made {made.total:,} synthetic people on {made.channel} (ids {made.first}…{made.last}), all consented",
            f"languages: {listed(made.languages)}",
            f"kinds: {listed(made.kinds)} (relocants have a package profile)",
            f"countries: {listed(made.countries)}, over {made.places:,} places",
            f"said /stop: {made.stopped:,}",
        ]
    )
