"""`joldas eligibility` as a program: JSON out for good profiles, one clear line and status 2 for bad ones."""

import json
import subprocess
import sys

import pytest

from bot.content.yearly import quota_file


def run(tmp_path, profile, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "profile.json"
    path.write_text(profile if isinstance(profile, str) else json.dumps(profile, ensure_ascii=False), "utf-8")
    command = [sys.executable, "-m", "bot.cli", "eligibility", "--profile", str(path), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


MIGRANT = {
    "citizenship": "kz",
    "location": "in_kz",
    "departure_region": "Туркестанская область",
    "destination_region": "Северо-Казахстанская область",
    "already_moved": False,
    "has_permanent_registration_departure": True,
    "months_resident_departure": 8,
    "employment_status": "unemployed",
}


def test_a_not_yet_result_in_russian(tmp_path):
    result = run(tmp_path, MIGRANT, "--today", "2026-03-01", "--lang", "ru", "--quota", str(quota_file(2026)))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["outcome"], data["track"], data["path"]) == ("not_yet", "in_migrant", "in_migrant_standard")
    assert data["eligible_from"] == "2026-07-01"
    assert data["rules_version"] == "2026.01"
    reason = next(reason for reason in data["reasons"] if reason["rule"] == "in_migrant.standard")
    assert reason["paragraph"] == "Правила для переселенцев, п. 3"
    assert reason["sources"] == ["004_f5793a998fb2f193.txt L427"]
    assert "1 июля 2026" in reason["text"]
    assert data["outcome_text"] == "Пока нет: одно условие ещё не выполнено"


@pytest.mark.parametrize(("language", "word"), [("kk", "қандас"), ("ky", "кандас")])
def test_a_kandas_abroad_in_kazakh_and_kyrgyz(tmp_path, language, word):
    profile = {"citizenship": "stateless", "nationality": "kazakh", "location": "abroad", "destination_region": "Абай"}
    data = json.loads(run(tmp_path, profile, "--today", "2026-03-01", "--lang", language).stdout)
    assert (data["outcome"], data["path"]) == ("eligible", "kandas_abroad")
    assert word in data["path_name"].lower()
    assert data["where_to_apply"][0]["office"] == "foreign_institution"


def test_a_region_without_a_quota_is_not_eligible(tmp_path):
    data = json.loads(run(tmp_path, {**MIGRANT, "destination_region": "atyrau"}, "--today", "2026-03-01").stdout)
    assert data["outcome"] == "not_eligible"


@pytest.mark.parametrize(
    ("profile", "args", "message"),
    [
        ('{"favourite_colour": "red"}', [], "favourite_colour: unknown field"),
        ('{"months_in_reception_region": "six"}', [], "months_in_reception_region"),
        ('{"destination_region": "Mordor"}', [], "destination_region"),
        ("{", [], "(profile)"),
        ("{}", ["--today", "01.03.2026"], "--today"),
        ("{}", ["--quota", "/nonexistent/quota.yaml"], "--quota"),
        ("{}", ["--today", "2019-01-01"], "no rules version"),
    ],
)
def test_bad_input_is_one_clear_message_and_status_2(tmp_path, profile, args, message):
    result = run(tmp_path, profile, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_missing_profile_file(tmp_path):
    command = [sys.executable, "-m", "bot.cli", "eligibility", "--profile", str(tmp_path / "none.json")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert (result.returncode, "Traceback" in result.stderr) == (2, False)
    assert "--profile" in result.stderr


def test_a_date_after_the_day_of_the_check_is_one_line(tmp_path):
    profile = tmp_path / "future.json"
    profile.write_text('{"citizenship": "kz", "already_moved": true, "moved_on": "2026-05"}', encoding="utf-8")
    command = [sys.executable, "-m", "bot.cli", "eligibility", "--profile", str(profile), "--today", "2026-03-01"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 2
    expected = f"profile {profile}: moved_on: 2026-05 is after the day of the check (2026-03-01)"
    assert result.stderr.strip() == f"joldas eligibility: {expected}"
