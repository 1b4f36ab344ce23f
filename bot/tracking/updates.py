"""Changing an application's status: only a transition its path allows, every official's change authorised
and audited (bot/officials/access.py), the person told at once through the outbox, the timers moved on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.officials import access
from bot.storage.models import Application, ApplicationEvent, Contact, Official
from bot.tracking import checkins, notices
from bot.tracking.deadlines import COUNTRY
from bot.tracking.texts import local_day, path_of

UPDATE = "tracking.update"  # the action officials are authorised for
MAX_NOTE = 500
MOVED = "relocated"  # from this status on, check-ins count the months since the move


class NotAllowed(Exception):
    """The status cannot follow the application's current one on its path. `allowed` lists what can."""

    def __init__(self, status: str, allowed: list[str]):
        super().__init__(f"{status} cannot follow here; allowed: {', '.join(allowed) or 'nothing'}")
        self.status = status
        self.allowed = allowed


@dataclass(frozen=True)
class Actor:
    """Who changes a status: the person (`official` None, `by` "person"), an official in the messenger, the
    operator at the command line (`official` None), or an organisation's API client (its official role)."""

    by: str  # person | official | operator | api | import
    official: Official | None = None

    @property
    def checked(self) -> bool:
        return self.by != "person"


PERSON = Actor("person")
OPERATOR = Actor("operator")


def area_of(application: Application) -> str:
    """The area an official must hold to change the application (Kazakhstan's when it has no place)."""
    return application.place_id or COUNTRY


def allowed(application: Application) -> list[str]:
    return path_of(application).allowed_after(application.status)


def check_transition(application: Application, status: str) -> None:
    following = allowed(application)
    if status not in following:
        raise NotAllowed(status, following)


async def already_applied(session: AsyncSession, request_key: str | None) -> bool:
    if request_key is None:
        return False
    found = await session.scalar(select(ApplicationEvent.id).where(ApplicationEvent.request_key == request_key))
    return found is not None


async def apply(
    session: AsyncSession,
    application: Application,
    status: str,
    now: dt.datetime,
    actor: Actor,
    *,
    note: str | None = None,
    at: dt.datetime | None = None,
    request_key: str | None = None,
    notify: bool = True,
    authorised: bool = False,
) -> ApplicationEvent:
    """Moves the application to `status`. Raises NotAllowed, or access.Denied for an official outside its area
    (`authorised`: the caller has already authorised this actor for the application's area, as an import does
    once per area; the change is audited all the same). The person is told unless `notify` is False (an import
    tells each person once, about where their application ended up)."""
    check_transition(application, status)
    details = {"application": application.id, "status": status, "previous": application.status}
    area = area_of(application)
    if actor.checked and not authorised:
        await access.authorise(session, actor.official, UPDATE, area, now, **details)
    elif actor.checked:
        await access.audit(session, actor.official, UPDATE, area, now, outcome="allowed", **details)
    event = ApplicationEvent(
        application_id=application.id,
        status=status,
        previous=application.status,
        at=at or now,
        by=actor.by,
        official_id=actor.official.id if actor.official else None,
        note=(note or "").strip()[:MAX_NOTE] or None,
        request_key=request_key,
    )
    session.add(event)
    application.status, application.status_at = status, event.at
    await session.flush()
    contact = await session.get(Contact, application.contact_id)
    if status == MOVED and application.moved_on is None:
        application.moved_on = local_day(event.at)
        await checkins.schedule_all(session, application, contact)
    await notices.after_change(session, application, contact)
    if notify:
        await notices.notify_status(session, application, contact, event, now)
    return event
