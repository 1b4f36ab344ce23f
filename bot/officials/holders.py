"""Which contacts hold a role, known in each process without a query per message.

The officials' guard runs for every message of everyone, to show the Officials entry to those who may use it;
almost nobody holds a role, so a lookup per message would be wasted. This keeps, per database, the set of
contacts holding a role not revoked: read again at the next message after this process wrote an official
(any insert or update, whatever wrote it), and every RECHECK_SECONDS for what other processes wrote (a role
redeemed there shows in this one's menus within that time). It decides only what a menu shows: every action
is still authorised by `access`, from the database.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass, field

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Official

RECHECK_SECONDS = 10.0


@dataclass
class _Known:
    contact_ids: set[int] = field(default_factory=set)
    checked: float = float("-inf")  # time.monotonic() of the last reading


_known: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _of(session: AsyncSession) -> _Known:
    engine = session.bind.sync_engine if hasattr(session.bind, "sync_engine") else session.bind
    return _known.setdefault(engine, _Known())


async def may_hold_role(session: AsyncSession, contact_id: int) -> bool:
    """False when the contact surely holds no role; True when it may (then ask `access.acting_official`)."""
    known, now = _of(session), time.monotonic()
    if now - known.checked >= RECHECK_SECONDS:
        held = select(Official.contact_id).where(Official.status != "revoked", Official.contact_id.is_not(None))
        known.contact_ids = set(await session.scalars(held))
        known.checked = now
    return contact_id in known.contact_ids


@event.listens_for(Official, "after_insert")
@event.listens_for(Official, "after_update")
def _written(_mapper, connection, _official) -> None:
    """An official was written in this process: read the holders again at the next message."""
    _known.setdefault(connection.engine, _Known()).checked = float("-inf")
