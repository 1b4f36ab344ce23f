"""One injectable clock, and the local time of the people we serve.

Features never call `date.today()` or `datetime.now()`: the server's zone is nobody's zone, and a test must
be able to say what day it is. They ask a `Clock` for the moment (an aware UTC datetime) and turn it into
the person's local time here. The zone rules come from the pinned `tzdata` package, not from the machine's
`/usr/share/zoneinfo`, so every machine agrees — in particular that Kazakhstan has been on UTC+5 since
1 March 2024 (IANA 2024a), which an older system database does not know.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources
from typing import Protocol
from zoneinfo import ZoneInfo

import tzdata

# The zone the law of each country counts days in. Kazakhstan has had one zone since 1 March 2024.
ZONES = {"KZ": "Asia/Almaty", "KG": "Asia/Bishkek"}
DEFAULT_COUNTRY = "KZ"
IANA_VERSION = tzdata.IANA_VERSION  # the zone rules in use, e.g. "2026a"


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current moment, as an aware datetime in UTC."""
        ...


class SystemClock:
    """The real time, from the operating system."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that stands still until it is set or advanced: for tests, benchmarks and replays."""

    def __init__(self, at: dt.datetime | str):
        self._now = _aware(at)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, at: dt.datetime | str) -> None:
        self._now = _aware(at)

    def advance(self, delta: dt.timedelta | None = None, **parts: float) -> dt.datetime:
        """Moves the clock forward by `delta` or by `timedelta(**parts)` (`advance(seconds=30)`)."""
        step = delta if delta is not None else dt.timedelta(**parts)
        if step < dt.timedelta(0):
            raise ValueError("a clock does not go back")
        self._now += step
        return self._now


def _aware(at: dt.datetime | str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no time zone: say which (a clock holds an aware UTC time)")
    return moment.astimezone(dt.UTC)


def country_code(country: str | None) -> str:
    """'kz', 'KZ' → 'KZ'; an unknown or missing country → Kazakhstan, whose procedures the bot serves first."""
    code = (country or "").strip().upper()
    return code if code in ZONES else DEFAULT_COUNTRY


@lru_cache
def zone(name: str) -> ZoneInfo:
    """An IANA zone read from the `tzdata` package (never the machine's own, possibly older, database)."""
    with resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as data:
        return ZoneInfo.from_file(data, key=name)


def zone_for(country: str | None) -> ZoneInfo:
    """The zone of a country code ('KZ' → Asia/Almaty, 'KG' → Asia/Bishkek; unknown → Kazakhstan's)."""
    return zone(ZONES[country_code(country)])


def local_time(moment: dt.datetime, country: str | None) -> dt.datetime:
    """An aware moment as the wall-clock time in that country."""
    return _aware(moment).astimezone(zone_for(country))


def local_now(clock: Clock, country: str | None) -> dt.datetime:
    return local_time(clock.now(), country)


def local_today(clock: Clock, country: str | None) -> dt.date:
    """Today's date where the person is: at 20:00 UTC it is already tomorrow in Almaty and Bishkek."""
    return local_now(clock, country).date()
