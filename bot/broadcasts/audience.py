"""Who a broadcast reaches, as SQL: people who consented, of the audience chosen, in the area.

"In the area" is the person's place (`contacts.place_id`) within the area's path; for people moving, the
region they told the pre-departure package they are going to (coming in) or leaving (leaving) counts too.
People who said /stop, pressed "Stop these notices" for the organisation, or whom the platform cannot reach
are selected as well, so that a report can count them as skipped (`skipped_because`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import places
from bot.content.regions import regions
from bot.i18n import N_, texts
from bot.storage.models import Application, Broadcast, Contact, NoticeOptOut, Official, PackageProfile, Place
from bot.tracking import store as tracking_store
from bot.tracking.steps import tracking

# Audience kinds, with their names for officials (msgids, translated where shown).
AUDIENCES = {
    "everyone": N_("Everyone in the area"),
    "relocants": N_("Relocants (quota)"),
    "coming_in": N_("In-migrants coming in"),
    "leaving": N_("In-migrants leaving"),
    "kandases": N_("Kandases"),
    "returnees": N_("Returned migrants"),
    "labour_migrants": N_("Labour migrants"),
}
STAGE = "stage"  # `stage:<status>`: people whose newest application (tracking) is at that status
STAGE_LABEL = N_("People at an application stage")
MONTH = timedelta(days=30)  # "silent for N months" counts months of 30 days


def stages() -> list[str]:
    """The application statuses an audience may name (tracking's, of every path)."""
    return list(tracking().data.statuses)


def stage_of(kind: str) -> str | None:
    prefix, _, status = kind.partition(":")
    return status if prefix == STAGE and status in stages() else None


def known(kind: str) -> bool:
    return kind in AUDIENCES or stage_of(kind) is not None


def label(kind: str, language: str) -> str:
    """The audience as officials read it: "Kandases", or "People at an application stage: <the status's name>"."""
    t = texts(language)
    status = stage_of(kind)
    if status is not None:
        return f"{t.gettext(STAGE_LABEL)}: {tracking().status_name(status, language)}"
    return t.gettext(AUDIENCES.get(kind, kind))


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    channel: str
    address: str
    language: str | None
    stopped: bool
    unreachable: bool
    opted_out: bool
    last_inbound_at: datetime | None

    @property
    def skipped(self) -> str | None:
        return skipped_because(self.stopped, self.opted_out, self.unreachable)


def skipped_because(stopped: bool, opted_out: bool, unreachable: bool) -> str | None:
    """Why a person gets nothing (counted in the report), or None when the notice is queued."""
    if stopped or opted_out:
        return "opted_out"
    if unreachable:
        return "unreachable"
    return None


def organisation_key(organisation: str | None) -> str:
    """How an opt-out names an organisation: its name folded, "" for the operator's own notices."""
    return " ".join((organisation or "").casefold().split())[:120]


async def region_keys_within(session: AsyncSession, area: Place) -> list[str]:
    keys = []
    for region in regions():
        place_id = places.place_for_region(region.id)
        if place_id is not None and await places.within(session, place_id, area.id):
            keys.append(region.id)
    return keys


def condition(broadcast: Broadcast, area: Place, region_keys: list[str], now: datetime):
    """The WHERE clause of a broadcast's audience (without /stop and reachability, see `Recipient.skipped`)."""
    resident = Contact.place_id.in_(select(Place.id).where(Place.path.startswith(area.path, autoescape=True)))
    moving = region_keys or ["-"]

    def package(track: str, *where):
        return exists().where(PackageProfile.contact_id == Contact.id, PackageProfile.track == track, *where)

    kinds = {
        "everyone": resident,
        "relocants": and_(
            Contact.kind == "relocant",
            or_(
                resident,
                exists().where(PackageProfile.contact_id == Contact.id, PackageProfile.destination.in_(moving)),
            ),
        ),
        "coming_in": package("in_migrant", PackageProfile.destination.in_(moving)),
        "leaving": package("in_migrant", or_(PackageProfile.origin.in_(moving), resident)),
        "kandases": package("kandas", or_(PackageProfile.destination.in_(moving), resident)),
        "returnees": and_(Contact.kind == "returnee", resident),
        "labour_migrants": and_(Contact.kind == "labour_migrant", resident),
    }
    # An official's own contact is in an audience only as a resident of the area (they told the bot where
    # they live), never because of the role.
    if (status := stage_of(broadcast.audience)) is not None:
        newest = select(func.max(Application.id)).group_by(Application.contact_id)
        kinds[broadcast.audience] = exists().where(
            Application.contact_id == Contact.id,
            Application.id.in_(newest),
            Application.status == status,
            or_(tracking_store.in_area(area), resident),
        )
    official = exists().where(Official.contact_id == Contact.id, Official.status == "active")
    where = [
        Contact.consent == "granted",
        kinds.get(broadcast.audience, false()),
        or_(~official, resident),
    ]
    if broadcast.silent_months:
        where.append(Contact.last_inbound_at >= now - broadcast.silent_months * MONTH)
    return and_(*where)


def select_recipients(broadcast: Broadcast, area: Place, region_keys: list[str], now: datetime):
    opted = exists().where(
        NoticeOptOut.contact_id == Contact.id,
        NoticeOptOut.organisation == organisation_key(broadcast.organisation),
    )
    return select(
        Contact.id,
        Contact.channel,
        Contact.external_id,
        Contact.language,
        (Contact.status == "stopped").label("stopped"),
        Contact.unreachable_since.is_not(None).label("unreachable"),
        opted.label("opted"),
        Contact.last_inbound_at,
    ).where(condition(broadcast, area, region_keys, now))


async def chunk(
    session: AsyncSession,
    broadcast: Broadcast,
    area: Place,
    region_keys: list[str],
    now: datetime,
    after: int,
    size: int,
) -> list[Recipient]:
    """The next `size` people of the audience with a contact id above `after`, in id order."""
    query = (
        select_recipients(broadcast, area, region_keys, now).where(Contact.id > after).order_by(Contact.id).limit(size)
    )
    return [Recipient(*row) for row in await session.execute(query)]


async def counts(
    session: AsyncSession, broadcast: Broadcast, area: Place, region_keys: list[str], now: datetime, window: timedelta
) -> list[tuple[str, str | None, str | None, bool, int]]:
    """The audience counted by (channel, language, why skipped, written within `window`), for the preview."""
    query = select_recipients(broadcast, area, region_keys, now).subquery()
    recent = query.c.last_inbound_at >= now - window
    grouped = select(
        query.c.channel, query.c.language, query.c.stopped, query.c.unreachable, query.c.opted, recent, func.count()
    ).group_by(query.c.channel, query.c.language, query.c.stopped, query.c.unreachable, query.c.opted, recent)
    found = []
    for channel, language, stopped, unreachable, opted, written, n in await session.execute(grouped):
        found.append((channel, language, skipped_because(stopped, opted, unreachable), bool(written), n))
    return found
