"""Deadlines of an application as the Rules count them: the day it counts from (after hours, weekends and
holidays move it to the next working day), each step's due date across New Year, Nauryz, Victory Day and
Republic Day, the operator's day transfers, and `joldas tracking timeline`."""

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.tracking.deadlines import counts_from, due_after, plan, timeline_data
from bot.tracking.steps import Limit, tracking
from bot.workdays import WorkingCalendar, load_changes

KZ = WorkingCalendar("KZ")  # the `holidays` package alone
TRANSFERS = WorkingCalendar("KZ", load_changes(Path(__file__).parent / "fixtures" / "calendar" / "transfers.yaml"))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def dues(data: dict) -> dict[str, str | None]:
    return {step["status"]: step["due"] for step in data["steps"]}


def test_new_year_after_hours_at_the_akimat():
    data = timeline_data(tracking(), "kandas_in_country", at("2025-12-31T17:45"), "akimat", KZ)
    assert data["counts_from"] == "2026-01-05"  # closed at 17.30; 1–2 January holidays, then the weekend
    assert dues(data)["accepted"] == "2026-01-05"  # registered the same day
    assert dues(data)["forwarded"] == "2026-01-06"
    assert dues(data)["at_commission"] == "2026-01-12"  # 7 January (Orthodox Christmas) is a day off
    assert dues(data)["included"] == "2026-01-26"
    assert dues(data)["delivered"] == "2026-02-02"
    assert data["standard"]["due"] == "2026-01-26"  # 14 working days (004 L264)
    assert data["standard"]["source"] == "004_f5793a998fb2f193.txt L264"


def test_before_closing_time_counts_that_day_and_the_state_corporation_closes_at_eight():
    assert counts_from(tracking(), at("2025-12-31T17:29"), "akimat", KZ) == dt.date(2025, 12, 31)
    assert counts_from(tracking(), at("2026-02-05T19:59"), "state_corporation", KZ) == dt.date(2026, 2, 5)
    assert counts_from(tracking(), at("2026-02-05T20:00"), "state_corporation", KZ) == dt.date(2026, 2, 6)
    assert counts_from(tracking(), at("2026-02-05T17:00"), "employment_centre", KZ) == dt.date(2026, 2, 6)


def test_an_aware_time_is_taken_in_almaty():
    # 12:40 UTC is 17:40 in Almaty (UTC+5): after the akimat closed
    assert counts_from(tracking(), at("2026-02-05T12:40+00:00"), "akimat", KZ) == dt.date(2026, 2, 6)


def test_a_saturday_at_the_state_corporation_counts_from_monday():
    # the State Corporation takes documents on Saturdays (004 L270), but Saturday is not a working day
    assert counts_from(tracking(), at("2026-02-07T10:00"), "state_corporation", KZ) == dt.date(2026, 2, 9)


def test_nauryz_and_a_transfer_from_the_operator_file():
    lodged = at("2026-03-20T10:00")  # Friday; 21–25 March are Nauryz days off
    plain = timeline_data(tracking(), "in_migrant_moved", lodged, "state_corporation", KZ)
    assert plain["counts_from"] == "2026-03-20"
    assert dues(plain)["forwarded"] == "2026-03-26"  # 1 working day (2026 rules, current-data-2026.md L57)
    moved = timeline_data(tracking(), "in_migrant_moved", lodged, "state_corporation", TRANSFERS)
    assert dues(moved)["forwarded"] == "2026-03-27"  # the test decree made 26 March a day off
    assert dues(moved)["at_commission"] == "2026-03-31"  # and Saturday 28 March a working day


def test_victory_day_on_a_saturday_moves_the_day_off_to_monday():
    data = timeline_data(tracking(), "kandas_in_country", at("2026-05-08T18:30"), "egov", KZ)
    assert data["counts_from"] == "2026-05-12"  # after hours Friday; 9 May Saturday, observed on 11 May


def test_republic_day_on_a_sunday():
    data = timeline_data(tracking(), "kandas_second_application", at("2026-10-25T11:00"), "egov", KZ)
    assert data["counts_from"] == "2026-10-27"  # lodged on the portal on Sunday 25 October; 26 October observed
    assert dues(data)["at_commission"] == "2026-10-30"


def test_calendar_days_ending_on_a_day_off_move_to_the_next_working_day():
    five_calendar_days = Limit(unit="calendar", days=5)
    assert due_after(dt.date(2026, 3, 18), five_calendar_days, KZ) == dt.date(2026, 3, 26)  # 23 March: Nauryz
    assert due_after(dt.date(2026, 2, 2), five_calendar_days, KZ) == dt.date(2026, 2, 9)  # Saturday 7 February


def test_the_monthly_list_is_due_by_the_last_day_of_the_next_month():
    monthly = Limit(unit="end_of_next_month")
    assert due_after(dt.date(2026, 3, 27), monthly, KZ) == dt.date(2026, 4, 30)
    assert due_after(dt.date(2026, 4, 2), monthly, KZ) == dt.date(2026, 6, 1)  # 31 May 2026 is a Sunday
    assert due_after(dt.date(2026, 12, 1), monthly, KZ) == dt.date(2027, 2, 1)  # over the year; 31 January: Sunday


def test_the_rules_version_of_the_day_lodged_decides_the_steps():
    before = timeline_data(tracking(), "in_migrant_moved", at("2025-12-31T18:00"), "employment_centre", KZ)
    assert before["rules_version"] == "2021.08" and before["counts_from"] == "2026-01-05"
    assert "forwarded" not in dues(before)  # Order No. 20 gives the career centre no step of its own here
    after = timeline_data(tracking(), "in_migrant_moved", at("2026-01-05T10:00"), "employment_centre", KZ)
    assert after["rules_version"] == "2026.01" and "forwarded" in dues(after)


@pytest.mark.parametrize("days", [KZ, TRANSFERS], ids=["holidays", "with-transfers"])
def test_every_due_date_is_a_working_day(days):
    start = dt.datetime(2025, 12, 20, 8, 0)
    for path_id in tracking().path_ids:
        for hour_step in range(0, 24 * 200, 29):  # about every day and a bit, at every hour of the clock
            lodged = start + dt.timedelta(hours=hour_step)
            for office in ("akimat", "egov", "state_corporation"):
                received = counts_from(tracking(), lodged, office, days)
                assert days.is_working_day(received)
                path = tracking().path(path_id, tracking().version_on(lodged.date()))
                for planned in plan(path, received, days=days):
                    assert planned.due is None or days.is_working_day(planned.due), (path_id, lodged, planned)


def test_a_step_without_a_limit_leaves_the_later_due_dates_open():
    data = timeline_data(tracking(), "kandas_abroad", at("2026-04-01T10:00"), "foreign_institution", KZ)
    assert dues(data)["at_authorised_body"] is None  # the Rules give the foreign institution no limit (004 L166)
    assert all(due is None for due in dues(data).values())
    assert data["continues_as"] == "kandas_second_application"


def test_proposed_steps_are_marked():
    data = timeline_data(tracking(), "kandas_in_country", at("2026-04-01T10:00"), "akimat", KZ)
    proposed = {step["status"] for step in data["steps"] if step["proposed"]}
    assert {"agreement_signed", "relocated", "retained_12m", "retained_24m"} <= proposed
    assert "included" not in proposed


def test_timeline_command_prints_json(capsys):
    assert main(["tracking", "timeline", "--path", "kandas_in_country", "--submitted", "2026-04-01T10:00"]) == 0
    assert "included" in capsys.readouterr().out
    code = main(["tracking", "timeline", "--path", "in_migrant_standard", "--submitted", "2026-03-20T17:45", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["counts_from"] == "2026-03-26"
    assert {"status", "due", "limit", "source"} <= set(data["steps"][0])
    assert data["steps"][0] == {
        "status": "forwarded",
        "by": "employment_centre",
        "limit": {"days": 1, "unit": "working"},
        "due": "2026-03-27",
        "source": "current-data-2026.md L57",
        "proposed": False,
    }


def test_timeline_command_refuses_a_bad_time(capsys):
    assert main(["tracking", "timeline", "--path", "kandas_in_country", "--submitted", "yesterday"]) == 2
    assert "--submitted" in capsys.readouterr().err
