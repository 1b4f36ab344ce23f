"""When a broadcast goes: a local time of its area (Almaty's or Bishkek's clock), once, weekly or monthly.

Repetitions keep the wall-clock time and the weekday (weekly) or the day of the month (monthly, the month's
last day when it is shorter) of the first sending, in the area's zone.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.clock import local_time, zone_for
from bot.eligibility.evaluator import add_months

REPEATS = ("once", "weekly", "monthly")
_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")
_TIME_ONLY = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_DAY_AND_TIME = re.compile(r"^(\d{1,2})\.(\d{1,2})\s+(\d{1,2})[:.](\d{2})$")


def parse_local(text: str, country: str, now: dt.datetime) -> dt.datetime | None:
    """A typed moment in the area's local time, as an aware UTC datetime; None when it is not one.

    Takes `05.12.2026 10:00`, `2026-12-05 10:00` (or ISO with a zone, taken as written), `05.12 10:00`
    (this year, or next when the day has passed) and `10:00` (today, or tomorrow when that time has passed).
    """
    typed = " ".join(text.strip().split())
    local_now = local_time(now, country)
    try:
        moment = dt.datetime.fromisoformat(typed)
    except ValueError:
        moment = None
    if moment is None:
        for pattern in _FORMATS:
            try:
                moment = dt.datetime.strptime(typed, pattern)
                break
            except ValueError:
                continue
    if moment is None and (found := _DAY_AND_TIME.match(typed)):
        day, month, hour, minute = map(int, found.groups())
        moment = _safe(local_now.year, month, day, hour, minute)
        if moment is not None and moment < local_now.replace(tzinfo=None):
            moment = _safe(local_now.year + 1, month, day, hour, minute)
    if moment is None and (found := _TIME_ONLY.match(typed)):
        hour, minute = map(int, found.groups())
        moment = _safe(local_now.year, local_now.month, local_now.day, hour, minute)
        if moment is not None and moment < local_now.replace(tzinfo=None):
            moment += dt.timedelta(days=1)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone_for(country))
    return moment.astimezone(dt.UTC)


def _safe(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime | None:
    try:
        return dt.datetime(year, month, day, hour, minute)
    except ValueError:
        return None


def occurrence(first: dt.datetime, repeat: str, number: int, country: str) -> dt.datetime:
    """The `number`-th sending (0 = the first) of a broadcast first sent at `first`, as UTC."""
    local = local_time(first, country).replace(tzinfo=None)
    if repeat == "weekly":
        local += dt.timedelta(weeks=number)
    elif repeat == "monthly":
        local = dt.datetime.combine(add_months(local.date(), number), local.time())
    return local.replace(tzinfo=zone_for(country)).astimezone(dt.UTC)
