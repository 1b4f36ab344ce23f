"""Working days in Kazakhstan and Kyrgyzstan: the `holidays` package, the operator's changes on top of it,
and counting a deadline the way the Rules say (the day of receipt not counted; after hours → next working day)."""

import datetime as dt
from pathlib import Path

import pytest

from bot.content import check
from bot.workdays import (
    WorkingCalendar,
    add_working_days,
    is_working_day,
    load_changes,
    received_on,
    working_days_between,
)

D = dt.date
TEST_CHANGES = load_changes(Path(__file__).parent / "fixtures" / "calendar" / "transfers.yaml")
KZ = WorkingCalendar("KZ")  # the package alone
KG = WorkingCalendar("KG")
KZ_CHANGED = WorkingCalendar("KZ", TEST_CHANGES)
KG_CHANGED = WorkingCalendar("KG", TEST_CHANGES)


def days_off(calendar: WorkingCalendar, first: dt.date, last: dt.date) -> list[dt.date]:
    span = (last - first).days + 1
    return [first + dt.timedelta(n) for n in range(span) if not calendar.is_working_day(first + dt.timedelta(n))]


# --- what the package says ---------------------------------------------------------------------------------


def test_new_year_and_orthodox_christmas_in_kazakhstan():
    # 2026: 1–2 January (Thursday, Friday) and 7 January (Wednesday) are days off.
    assert days_off(KZ, D(2026, 1, 1), D(2026, 1, 9)) == [D(2026, 1, d) for d in (1, 2, 3, 4, 7)]
    assert KZ.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 5)
    assert KZ.add_working_days(D(2025, 12, 31), 3) == D(2026, 1, 8)  # 7 January skipped
    assert KZ.working_days_between(D(2025, 12, 31), D(2026, 1, 9)) == 4


def test_a_decreed_transfer_the_package_knows():
    # 2025: the day off moved from Sunday 5 January to Friday 3 January; Sunday 5 January was worked.
    assert not KZ.is_working_day(D(2025, 1, 3))
    assert KZ.is_working_day(D(2025, 1, 5))
    assert KZ.add_working_days(D(2024, 12, 31), 1) == D(2025, 1, 5)


def test_nauryz_and_the_days_off_it_moves_to():
    # 2025: 21–23 March is Friday to Sunday, so Monday 24 and Tuesday 25 are off too.
    assert days_off(KZ, D(2025, 3, 20), D(2025, 3, 26)) == [D(2025, 3, d) for d in (21, 22, 23, 24, 25)]
    assert KZ.add_working_days(D(2025, 3, 20), 1) == D(2025, 3, 26)
    # 2026: Saturday 21 to Monday 23, then Tuesday 24 and Wednesday 25.
    assert KZ.add_working_days(D(2026, 3, 20), 1) == D(2026, 3, 26)
    assert KZ.working_days_between(D(2026, 3, 20), D(2026, 3, 31)) == 4


def test_may_holidays_and_victory_day():
    # 2025: 1 May Thursday, 7 May Wednesday, 9 May Friday off; 2 and 8 May worked.
    assert days_off(KZ, D(2025, 5, 1), D(2025, 5, 12)) == [D(2025, 5, d) for d in (1, 3, 4, 7, 9, 10, 11)]
    assert KZ.add_working_days(D(2025, 5, 8), 1) == D(2025, 5, 12)
    # 2026: 9 May is a Saturday, so Monday 11 May is off.
    assert not KZ.is_working_day(D(2026, 5, 11))


def test_kurban_ait_is_a_day_off_in_both_countries():
    assert not KZ.is_working_day(D(2025, 6, 6)) and not KG.is_working_day(D(2025, 6, 6))
    assert "Eid al-Adha" in KZ.why_not_working(D(2025, 6, 6))
    assert not KZ.is_working_day(D(2026, 5, 27))  # the package's estimate until a date is announced


def test_a_cancelled_holiday_is_a_working_day():
    # Constitution Day (30 August) is not kept in 2026 under the new Constitution; 31 August is worked.
    assert not KZ.is_working_day(D(2025, 9, 1))  # 2025: Saturday 30 August moved to Monday 1 September
    assert KZ.is_working_day(D(2026, 8, 31))


def test_kyrgyzstan_new_year_nooruz_and_may():
    assert days_off(KG, D(2026, 1, 1), D(2026, 1, 9)) == [D(2026, 1, d) for d in range(1, 8)]
    assert not KG.is_working_day(D(2025, 3, 21))  # Nooruz
    assert KG.add_working_days(D(2025, 4, 30), 1) == D(2025, 5, 12)  # 1–9 May off
    assert KG.is_working_day(D(2025, 2, 24)) and KG.is_working_day(D(2026, 2, 23))  # 23 February is worked


# --- the operator's changes ----------------------------------------------------------------------------------


def test_a_transfer_from_the_operator_file_moves_a_day_off():
    assert not KZ_CHANGED.is_working_day(D(2026, 3, 26))
    assert KZ_CHANGED.is_working_day(D(2026, 3, 28))  # a Saturday worked
    assert KZ_CHANGED.add_working_days(D(2026, 3, 20), 1) == D(2026, 3, 27)
    assert KZ_CHANGED.add_working_days(D(2026, 3, 20), 2) == D(2026, 3, 28)
    assert KZ_CHANGED.working_days_between(D(2026, 3, 20), D(2026, 3, 31)) == 4
    assert "Thursday 26 March" in KZ_CHANGED.why_not_working(D(2026, 3, 26))


def test_an_eid_date_announced_later_replaces_the_estimate():
    assert not KZ_CHANGED.is_working_day(D(2026, 5, 26))
    assert KZ_CHANGED.is_working_day(D(2026, 5, 27))
    assert KZ_CHANGED.add_working_days(D(2026, 5, 25), 1) == D(2026, 5, 27)


def test_changes_apply_only_to_their_country():
    assert not KG_CHANGED.is_working_day(D(2025, 3, 24))
    assert KZ_CHANGED.is_working_day(D(2025, 3, 26)) and KG_CHANGED.is_working_day(D(2026, 3, 26))


def test_the_real_operator_file_extends_kyrgyz_new_year_holidays_for_state_bodies():
    assert not is_working_day(D(2026, 1, 9), "KG")
    assert add_working_days(D(2025, 12, 31), 1, "kg") == D(2026, 1, 12)
    assert working_days_between(D(2025, 12, 31), D(2026, 1, 12), "KG") == 1


# --- counting ---------------------------------------------------------------------------------------------


def test_adding_and_counting_agree_both_ways():
    start = D(2025, 12, 22)  # a Monday: counting back from the end lands on it again
    for n in range(0, 120):
        end = KZ_CHANGED.add_working_days(start, n)
        assert KZ_CHANGED.working_days_between(start, end) == n
        assert KZ_CHANGED.add_working_days(end, -n) == start
    assert KZ.working_days_between(D(2026, 1, 12), D(2026, 1, 5)) == -4  # 6, 8, 9 and 12 January


def test_the_start_day_is_not_counted():
    assert KZ.add_working_days(D(2026, 1, 12), 1) == D(2026, 1, 13)  # Monday → Tuesday
    assert KZ.add_working_days(D(2026, 1, 12), 0) == D(2026, 1, 12)
    assert KZ.working_days_between(D(2026, 1, 12), D(2026, 1, 12)) == 0


def test_received_on_a_working_day_before_closing_counts_that_day():
    assert KZ.received_on(dt.datetime(2026, 3, 20, 17, 59)) == D(2026, 3, 20)
    assert KZ.received_on(dt.datetime(2026, 3, 20, 7, 0)) == D(2026, 3, 20)  # before opening: the office opens today


def test_received_after_hours_at_a_weekend_or_on_a_holiday_counts_from_the_next_working_day():
    assert KZ.received_on(dt.datetime(2026, 3, 20, 18, 0)) == D(2026, 3, 26)  # Friday evening before Nauryz
    assert KZ.received_on(dt.datetime(2026, 3, 22, 11, 0)) == D(2026, 3, 26)  # during Nauryz
    assert KZ.received_on(dt.datetime(2026, 1, 10, 12, 0)) == D(2026, 1, 12)  # Saturday


def test_received_on_takes_local_time_from_an_aware_moment_and_working_hours_as_a_parameter():
    utc_1230 = dt.datetime(2026, 3, 19, 12, 30, tzinfo=dt.UTC)  # 17:30 in Almaty, 18:30 in Bishkek
    assert received_on(utc_1230, "KZ") == D(2026, 3, 19)
    assert received_on(utc_1230, "KG") == D(2026, 3, 23)  # 20 March Orozo ait, then Nooruz weekend
    assert received_on(utc_1230, "KZ", hours=(dt.time(9), dt.time(17, 30))) == D(2026, 3, 20)


def test_a_fourteen_working_day_deadline_across_new_year():
    lodged = dt.datetime(2025, 12, 31, 19, 0)  # New Year's Eve, after hours
    received = KZ.received_on(lodged)
    assert received == D(2026, 1, 5)
    assert KZ.add_working_days(received, 14) == D(2026, 1, 26)


def test_unknown_country_is_refused():
    with pytest.raises(ValueError, match="UZ"):
        WorkingCalendar("UZ")


# --- joldas content check ---------------------------------------------------------------------------------


def write_calendar(root: Path, text: str) -> list[str]:
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "calendar.yaml").write_text(text, encoding="utf-8")
    return [str(problem) for problem in check.check(root)]


def test_content_check_accepts_the_test_file(tmp_path):
    text = (Path(__file__).parent / "fixtures" / "calendar" / "transfers.yaml").read_text(encoding="utf-8")
    assert write_calendar(tmp_path, text) == []


def test_content_check_names_a_bad_entry_with_file_and_key(tmp_path):
    found = write_calendar(
        tmp_path,
        "changes:\n"
        "  - {country: UZ, date: 2026-03-26, day_off: true, reason: x, source: {public: a decree}}\n"
        "  - {country: KZ, date: 2026-03-27, day_off: true, reason: x}\n"
        "  - {country: KZ, date: 2026-03-30, day_off: true, reason: ' ', source: {public: a decree}}\n",
    )
    assert any("data/calendar.yaml: changes.0.country" in problem for problem in found)
    assert any("data/calendar.yaml: changes.1.source" in problem for problem in found)
    assert any("data/calendar.yaml: changes.2.reason" in problem for problem in found)


def test_content_check_reports_an_impossible_date(tmp_path):
    found = write_calendar(
        tmp_path, "changes:\n  - {country: KZ, date: 2026-02-30, day_off: true, reason: x, source: {public: a}}\n"
    )
    assert len(found) == 1 and "calendar.yaml: (file): cannot be read" in found[0] and "out of range" in found[0]


def test_content_check_refuses_a_day_listed_twice(tmp_path):
    entry = "  - {country: KZ, date: 2026-03-26, day_off: true, reason: x, source: {public: a decree}}\n"
    found = write_calendar(tmp_path, "changes:\n" + entry + entry)
    assert any("listed twice" in problem for problem in found)


def test_content_check_flags_an_entry_that_changes_nothing(tmp_path):
    found = write_calendar(
        tmp_path,
        "changes:\n"
        "  - {country: KZ, date: 2026-03-22, day_off: true, reason: x, source: {public: a decree}}\n"  # a Sunday
        "  - {country: KG, date: 2026-03-26, day_off: false, reason: x, source: {public: a decree}}\n",
    )
    assert [problem.split("calendar.yaml: ", 1)[1] for problem in found] == [
        "changes.0.date: 2026-03-22 is already a day off in KZ without this entry: check the date",
        "changes.1.date: 2026-03-26 is already a working day in KG without this entry: check the date",
    ]
