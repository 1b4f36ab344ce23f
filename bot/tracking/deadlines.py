"""Deadlines as the Rules count them, in Kazakhstan's calendar and time.

An application counts as received on the day it was lodged, unless it came after the office closed, at a
weekend or on a holiday: then on the next working day (seed 004 L270–272, L544). A step's limit counts from
the day the step before happened, that day not counted (L160). A deadline that falls on a day off moves to the
next working day, so every due date is a working day (for working-day limits it is one already).
"""

from __future__ import annotations

import calendar as months_calendar
import datetime as dt
from dataclasses import dataclass

from bot.clock import local_time
from bot.eligibility.evaluator import add_months
from bot.tracking.steps import Limit, PathSteps, Step, Tracking
from bot.workdays import WorkingCalendar, calendar

COUNTRY = "KZ"  # the Rules are Kazakhstan's; an application abroad is handled by Kazakh bodies
OPENS = dt.time(9, 0)  # every office of the Rules opens at 9.00 (004 L270)


def kz_days(days: WorkingCalendar | None = None) -> WorkingCalendar:
    """Kazakhstan's working days with the operator's transfers (tests pass a calendar of their own)."""
    return days or calendar(COUNTRY)


def counts_from(tracking: Tracking, lodged: dt.datetime, office: str, days: WorkingCalendar | None = None) -> dt.date:
    """The day an application lodged at `office` (an aware time, or a naive one in Almaty time) counts as
    received."""
    closes = tracking.data.offices[office].closes
    return kz_days(days).received_on(lodged, hours=(OPENS, closes))


def lodged_day(lodged: dt.datetime) -> dt.date:
    """The day an application was lodged, in Almaty: the rules version in force that day judges it."""
    return (local_time(lodged, COUNTRY) if lodged.tzinfo else lodged).date()


def due_after(start: dt.date, limit: Limit, days: WorkingCalendar | None = None) -> dt.date:
    """The last day a step may happen on, when the step before happened on `start`."""
    if limit.unit == "working":
        return kz_days(days).add_working_days(start, limit.days)
    if limit.unit == "calendar":
        end = start + dt.timedelta(days=limit.days)
    elif limit.unit == "months":
        end = add_months(start, limit.days)
    else:  # end_of_next_month
        year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        end = dt.date(year, month, months_calendar.monthrange(year, month)[1])
    return kz_days(days).next_working_day(end)


@dataclass(frozen=True)
class Planned:
    """One step of a timeline: by when it is due if every step before took its full time."""

    step: Step
    due: dt.date | None  # None: a step before it (or this one) has no limit in the Rules

    @property
    def status(self) -> str:
        return self.step.status


def plan(
    path: PathSteps, start: dt.date, after: str = "submitted", days: WorkingCalendar | None = None
) -> list[Planned]:
    """The main line after the status `after` (which happened on `start`), each step due at the latest day the
    Rules allow when every step before takes its full time; unknown after a step without a limit."""
    index = path.main_index(after)
    steps = path.steps[index + 1 :] if index is not None else ()
    planned, day = [], start
    for step in steps:
        day = due_after(day, step.limit, days) if day is not None and step.limit is not None else None
        planned.append(Planned(step, day))
    return planned


def limit_data(limit: Limit | None) -> dict | None:
    return None if limit is None else {"days": limit.days, "unit": limit.unit}


def timeline_data(
    tracking: Tracking, path_id: str, lodged: dt.datetime, office: str, days: WorkingCalendar | None = None
) -> dict:
    """What `joldas tracking timeline --json` prints: the day the application counts from, the rules version
    in force that day, and each step of the main line with its limit, due date and sources."""
    received = counts_from(tracking, lodged, office, days)
    path = tracking.path(path_id, tracking.version_on(lodged_day(lodged)))
    standard = path.standard

    def step_data(planned: Planned) -> dict:
        step = planned.step
        return {
            "status": step.status,
            "by": step.by,
            "limit": limit_data(step.limit),
            "due": planned.due.isoformat() if planned.due else None,
            "source": "; ".join(source.label() for source in step.sources),
            "proposed": tracking.data.statuses[step.status].proposed,
        }

    return {
        "path": path.id,
        "rules_version": path.version,
        "office": office,
        "lodged": lodged.isoformat(),
        "counts_from": received.isoformat(),
        "steps": [step_data(planned) for planned in plan(path, received, days=days)],
        "standard": None
        if standard is None
        else {
            "status": standard.status,
            "limit": limit_data(standard.limit),
            "due": due_after(received, standard.limit, days).isoformat(),
            "source": "; ".join(source.label() for source in standard.sources),
        },
        "continues_as": path.continues_as,
    }
