"""The injectable clock and local time: Kazakhstan on UTC+5 since 1 March 2024, Kyrgyzstan on UTC+6."""

import datetime as dt
import time

import pytest

from bot.clock import (
    IANA_VERSION,
    ManualClock,
    SystemClock,
    country_code,
    local_now,
    local_time,
    local_today,
    zone_for,
)
from bot.context import Conversation
from bot.engine import Engine
from bot.router import Router
from tests.people import Person

UTC = dt.UTC


def offset_hours(moment: dt.datetime, country: str) -> float:
    return local_time(moment, country).utcoffset().total_seconds() / 3600


def test_zone_data_is_new_enough_to_know_kazakhstans_single_zone():
    assert IANA_VERSION >= "2024a"  # the release that moved Asia/Almaty to UTC+5


def test_almaty_is_utc_plus_5_in_2025_and_was_utc_plus_6_in_2023():
    assert offset_hours(dt.datetime(2025, 1, 15, 12, tzinfo=UTC), "KZ") == 5
    assert offset_hours(dt.datetime(2025, 7, 15, 12, tzinfo=UTC), "KZ") == 5
    assert offset_hours(dt.datetime(2023, 7, 15, 12, tzinfo=UTC), "KZ") == 6


def test_the_switch_happened_at_midnight_on_1_march_2024():
    before = local_time(dt.datetime(2024, 2, 29, 17, 59, tzinfo=UTC), "KZ")
    after = local_time(dt.datetime(2024, 2, 29, 18, 0, tzinfo=UTC), "KZ")
    assert (before.hour, before.minute, before.utcoffset()) == (23, 59, dt.timedelta(hours=6))
    assert (after.hour, after.minute, after.utcoffset()) == (23, 0, dt.timedelta(hours=5))


def test_bishkek_is_utc_plus_6():
    assert offset_hours(dt.datetime(2023, 7, 15, tzinfo=UTC), "KG") == 6
    assert offset_hours(dt.datetime(2026, 1, 15, tzinfo=UTC), "KG") == 6


def test_country_codes_map_to_zones_in_any_case_and_default_to_kazakhstan():
    assert str(zone_for("KZ")) == str(zone_for("kz")) == "Asia/Almaty"
    assert str(zone_for("KG")) == str(zone_for("kg")) == "Asia/Bishkek"
    assert str(zone_for(None)) == str(zone_for("UZ")) == "Asia/Almaty"
    assert country_code(" kg ") == "KG"


def test_local_date_changes_before_utc_does():
    clock = ManualClock("2026-03-01T18:30:00+00:00")
    assert local_today(clock, "KZ") == dt.date(2026, 3, 1)  # 23:30 in Almaty
    assert local_today(clock, "KG") == dt.date(2026, 3, 2)  # 00:30 in Bishkek
    clock.advance(minutes=40)
    assert local_today(clock, "KZ") == dt.date(2026, 3, 2)
    assert local_now(clock, "KZ").isoformat() == "2026-03-02T00:10:00+05:00"


def test_manual_clock_is_set_and_advanced_and_keeps_utc():
    clock = ManualClock(dt.datetime(2026, 5, 1, 14, 0, tzinfo=zone_for("KZ")))
    assert clock.now() == dt.datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.advance(dt.timedelta(days=1)) == dt.datetime(2026, 5, 2, 9, 0, tzinfo=UTC)
    assert clock.advance(seconds=30) == dt.datetime(2026, 5, 2, 9, 0, 30, tzinfo=UTC)
    clock.set("2027-01-01T00:00:00+00:00")
    assert clock.now().year == 2027


def test_manual_clock_refuses_naive_times_and_going_back():
    with pytest.raises(ValueError, match="no time zone"):
        ManualClock(dt.datetime(2026, 1, 1))
    clock = ManualClock("2026-01-01T00:00:00+00:00")
    with pytest.raises(ValueError):
        clock.advance(seconds=-1)


def test_system_clock_is_aware_utc_and_now():
    now = SystemClock().now()
    assert now.utcoffset() == dt.timedelta(0)
    assert abs(now.timestamp() - time.time()) < 5


def dating_router() -> Router:
    router = Router()

    @router.command("today")
    async def today(ctx: Conversation, argument: str) -> None:
        ctx.say(f"{ctx.country} {ctx.today.isoformat()}")

    @router.fallback_handler
    async def fallback(ctx: Conversation, reason: str) -> None:
        ctx.say(reason)

    return router


async def test_a_handler_gets_the_persons_local_date_from_the_engines_clock(database):
    clock = ManualClock("2026-02-28T18:59:00+00:00")  # 23:59 in Almaty, 00:59 on 1 March in Bishkek
    engine = Engine(database, dating_router(), clock=clock)
    in_kazakh, in_kyrgyz = Person(engine, "console", "a", "kk"), Person(engine, "console", "b", "ky")
    assert (await in_kazakh.say("/today"))[0].text == "KZ 2026-02-28"
    assert (await in_kyrgyz.say("/today"))[0].text == "KG 2026-03-01"
    clock.advance(minutes=1)
    assert (await in_kazakh.say("/today"))[0].text == "KZ 2026-03-01"
