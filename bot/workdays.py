"""Working days in Kazakhstan and Kyrgyzstan, for deadlines the law counts in working days.

The public holidays, the days off that replace a holiday falling on a weekend, and the transfers already
decreed come from the `holidays` package (pinned in pyproject.toml). What a government decides later — a
Saturday made a working day and a bridging day made a day off, an Eid date announced a few weeks ahead, a
holiday cancelled — is operator data in `content/data/calendar.yaml`, one day per entry with its source,
and wins over the package for that day. Weekends are Saturday and Sunday (the five-day week of state
bodies in both countries).

Counting follows the Rules of the public service (seed 004 L270–272, L544): the day of receipt does not
count, and an application lodged after working hours, at a weekend or on a holiday counts from the next
working day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Literal

import holidays
from pydantic import field_validator, model_validator

from bot.clock import ZONES, local_time
from bot.content.loader import ContentError, Problem, load, relative
from bot.content.schema import Source, Strict
from bot.content.yearly import DATA_DIR

CALENDAR_FILE = DATA_DIR / "calendar.yaml"
COUNTRIES = tuple(ZONES)  # KZ, KG
# When an office takes applications, unless the caller knows better. The Rules name 9.00–17.30 for the
# service provider, 9.00–17.00 for employment centres and 9.00–20.00 (Monday–Saturday) for the State
# Corporation (seed 004 L270, L544); 09:00–18:00 is the usual office day of both countries' labour codes.
WORKING_HOURS = (dt.time(9, 0), dt.time(18, 0))


class CalendarChange(Strict):
    """One day the government made different from what the `holidays` package says."""

    country: Literal["KZ", "KG"]
    date: dt.date
    day_off: bool  # true: not a working day (a bridged day, a holiday added or moved here); false: a working day
    reason: str  # for operators, in English: what the decree did
    source: Source

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say what the decree did")
        return value.strip()


class CalendarFile(Strict):
    changes: list[CalendarChange] = []

    @model_validator(mode="after")
    def _one_entry_per_day(self) -> CalendarFile:
        seen: set[tuple[str, dt.date]] = set()
        for change in self.changes:
            key = (change.country, change.date)
            if key in seen:
                raise ValueError(f"{change.country} {change.date} is listed twice")
            seen.add(key)
        return self


class WorkingCalendar:
    """The working days of one country: weekends, public holidays, and the operator's changes on top."""

    def __init__(self, country: str, changes: Iterable[CalendarChange] = ()):
        country = country.upper()
        if country not in COUNTRIES:
            raise ValueError(f"no working-day calendar for {country!r} (known: {', '.join(COUNTRIES)})")
        self.country = country
        # Only the "public" category: Kyrgyzstan's "workday" holidays (23 February, 7 April…) are worked.
        self._holidays = holidays.country_holidays(country, categories=("public",))
        self._changes = {change.date: change for change in changes if change.country == country}

    def is_working_day(self, day: dt.date) -> bool:
        change = self._changes.get(day)
        if change is not None:
            return not change.day_off
        return self._holidays.is_working_day(day)

    def why_not_working(self, day: dt.date) -> str | None:
        """What makes `day` a day off (a holiday's name, a decree, the weekend); None for a working day."""
        if self.is_working_day(day):
            return None
        change = self._changes.get(day)
        if change is not None:
            return change.reason
        return self._holidays.get(day) or "weekend"

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (the day of `start` is not counted); n < 0 counts back."""
        step = dt.timedelta(days=1 if n >= 0 else -1)
        day, left = start, abs(n)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is earlier), so that
        `working_days_between(a, add_working_days(a, n)) == n`."""
        if end < start:
            return -self.working_days_between(end, start)
        days = (start + dt.timedelta(days=offset) for offset in range(1, (end - start).days + 1))
        return sum(map(self.is_working_day, days))

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def received_on(self, lodged: dt.datetime, hours: tuple[dt.time, dt.time] = WORKING_HOURS) -> dt.date:
        """The day an application counts as received: the day it was lodged if that is a working day and it
        came before closing time (`hours[1]`), else the next working day. An aware `lodged` is turned into
        this country's local time; a naive one is taken as local already. A deadline of N working days is
        then `add_working_days(received_on(lodged), N)`, the day of receipt not counted."""
        local = local_time(lodged, self.country) if lodged.tzinfo else lodged
        day = local.date()
        if self.is_working_day(day) and local.time() < hours[1]:
            return day
        return self.next_working_day(day + dt.timedelta(days=1))


def load_changes(path: Path = CALENDAR_FILE) -> list[CalendarChange]:
    """The operator's changes; an absent file means none."""
    return list(load(CalendarFile, path).changes) if path.exists() else []


@lru_cache
def calendar(country: str) -> WorkingCalendar:
    """The calendar of a country ('KZ' or 'KG', any case) with the operator's changes from content/."""
    return WorkingCalendar(country, load_changes())


def is_working_day(day: dt.date, country: str) -> bool:
    return calendar(country.upper()).is_working_day(day)


def add_working_days(start: dt.date, n: int, country: str) -> dt.date:
    return calendar(country.upper()).add_working_days(start, n)


def working_days_between(start: dt.date, end: dt.date, country: str) -> int:
    return calendar(country.upper()).working_days_between(start, end)


def received_on(lodged: dt.datetime, country: str, hours: tuple[dt.time, dt.time] = WORKING_HOURS) -> dt.date:
    return calendar(country.upper()).received_on(lodged, hours)


def check_calendar(root: Path) -> list[Problem]:
    """Cross-check for `joldas content check`: an entry that changes nothing (a day off on a date that is
    already one, a working day on a date that already is) is most likely a wrong date. It also tells the
    operator when a newer `holidays` has caught up with an entry, which can then go."""
    path = root / "data" / "calendar.yaml"
    try:
        changes = load(CalendarFile, path).changes if path.exists() else []
    except ContentError:
        return []  # the schema pass reports these
    problems = []
    for number, change in enumerate(changes):
        plain = WorkingCalendar(change.country).is_working_day(change.date)
        if plain != change.day_off:
            state = "a working day" if plain else "a day off"
            message = f"{change.date} is already {state} in {change.country} without this entry: check the date"
            problems.append(Problem(relative(path), f"changes.{number}.date", message))
    return problems
