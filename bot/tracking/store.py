"""Applications and their statuses in the database: creating one, finding one, the queries others use."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot import places
from bot.storage.models import Application, ApplicationEvent, Contact, Place
from bot.tracking.buttons import row_id
from bot.tracking.deadlines import COUNTRY, counts_from, lodged_day
from bot.tracking.steps import tracking

_NOT_DIGITS = re.compile(r"\D")
MAX_NUMBER = 64


def phone_digits(text: str | None) -> str | None:
    """A phone as the digits people and officials type it in any form (+7 701 000-00-00, 8 701…): digits
    only, a Kazakh 8 prefix made 7. None when it cannot be a phone number."""
    digits = _NOT_DIGITS.sub("", text or "")
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return digits if 10 <= len(digits) <= 15 else None


def clean_number(text: str | None) -> str | None:
    """An application number as written on the receipt, spaces folded; None for nothing."""
    number = " ".join((text or "").split())
    return number[:MAX_NUMBER] or None


async def area_for(session: AsyncSession, contact: Contact, region: str | None, destination: str | None) -> str | None:
    """The area whose officials see an application: the person's place, else the region it was lodged in,
    else the region moved to, else Kazakhstan (whose officials see everything in it); None when the database
    holds no places."""
    for candidate in (contact.place_id, places.place_for_region(region), places.place_for_region(destination)):
        if candidate and await places.get(session, candidate) is not None:
            return candidate
    return COUNTRY if await places.get(session, COUNTRY) is not None else None


async def create(
    session: AsyncSession,
    contact: Contact,
    *,
    path: str,
    office: str,
    lodged_at: dt.datetime,
    now: dt.datetime,
    region: str | None = None,
    destination: str | None = None,
    number: str | None = None,
    phone: str | None = None,
) -> Application:
    """A new application at the status `submitted`, judged by the rules version in force on the day it was
    lodged. The caller schedules its timers (`bot.tracking.notices.after_change`)."""
    steps = tracking()
    application = Application(
        contact_id=contact.id,
        path=path,
        rules_version=steps.version_on(lodged_day(lodged_at)),
        office=office,
        region=region,
        destination=destination,
        place_id=await area_for(session, contact, region, destination),
        number=clean_number(number),
        phone=phone_digits(phone),
        lodged_at=lodged_at,
        counts_from=counts_from(steps, lodged_at, office),
        status="submitted",
        status_at=lodged_at,
        created_at=now,
    )
    session.add(application)
    await session.flush()
    session.add(ApplicationEvent(application_id=application.id, status="submitted", at=lodged_at, by="person"))
    return application


async def of_contact(session: AsyncSession, contact: Contact) -> Application | None:
    """The person's newest application."""
    return await session.scalar(
        select(Application).where(Application.contact_id == contact.id).order_by(Application.id.desc()).limit(1)
    )


async def events(session: AsyncSession, application: Application) -> list[ApplicationEvent]:
    found = await session.scalars(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application.id)
        .order_by(ApplicationEvent.at, ApplicationEvent.id)
    )
    return list(found)


def in_area(area: Place | None):
    """Applications within an area (all of them for the operator, `area` None)."""
    if area is None:
        return true()
    return Application.place_id.in_(select(Place.id).where(Place.path.startswith(area.path)))


async def find(session: AsyncSession, text: str, area: Place | None, limit: int = 5) -> list[Application]:
    """Applications within an area by their number, the phone given in them, or their id ("#12")."""
    conditions = [Application.number == clean_number(text)]
    if (digits := phone_digits(text)) is not None:
        conditions.append(Application.phone == digits)
    if (number := row_id(text.strip().lstrip("#"))) is not None:
        conditions.append(Application.id == number)
    query = select(Application).where(in_area(area), or_(*conditions)).order_by(Application.id.desc()).limit(limit)
    return list(await session.scalars(query))


async def contact_ids_at_status(session: AsyncSession, status: str, area: Place | None = None) -> list[int]:
    """The contacts whose newest application is at `status` (within an area): for broadcasts to them."""
    newest = select(func.max(Application.id)).group_by(Application.contact_id)
    query = select(Application.contact_id).where(
        Application.id.in_(newest), Application.status == status, in_area(area)
    )
    return sorted(set(await session.scalars(query)))
