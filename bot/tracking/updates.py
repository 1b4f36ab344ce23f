"""Changing an application's status: only a transition its path allows, every official's change authorised
and audited (bot/officials/access.py), the person told at once through the outbox, the timers moved on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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


def record(
    application: Application,
    status: str,
    now: dt.datetime,
    actor: Actor,
    note: str | None = None,
    at: dt.datetime | None = None,
    request_key: str | None = None,
) -> ApplicationEvent:
    """The event of a change, with the application moved to `status` (and the day of the move noted): the
    caller has checked and authorised it, and adds the event to the session."""
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
    application.status, application.status_at = status, event.at
    if status == MOVED and application.moved_on is None:
        application.moved_on = local_day(event.at)
    return event


def _details(application: Application, status: str) -> dict:
    """What the audit log says of a change: ids and statuses, nothing personal."""
    return {"application": application.id, "status": status, "previous": application.status}


async def audit(session: AsyncSession, application: Application, status: str, now: dt.datetime, actor: Actor):
    """Audits a change already authorised for the actor's area (an import authorises once per area)."""
    details = _details(application, status)
    await access.audit(session, actor.official, UPDATE, area_of(application), now, outcome="allowed", **details)


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
) -> ApplicationEvent:
    """Moves the application to `status`. Raises NotAllowed, or access.Denied for an official outside its
    area. The person is told at once unless `notify` is False (they made the change themselves)."""
    check_transition(application, status)
    if actor.checked:
        details = _details(application, status)
        await access.authorise(session, actor.official, UPDATE, area_of(application), now, **details)
    moving = status == MOVED and application.moved_on is None
    event = record(application, status, now, actor, note, at, request_key)
    session.add(event)
    await session.flush()
    contact = await session.get(Contact, application.contact_id)
    if moving:
        await checkins.schedule_all(session, application, contact)
    await notices.after_change(session, application, contact)
    if notify:
        await notices.notify_status(session, application, contact, event.note, now, f"trk:ev:{event.id}")
    return event
