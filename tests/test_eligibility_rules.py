"""The evaluator, rule by rule, on the real rules data: each rule's outcome, the boundaries, the versions."""

import datetime as dt

import pytest

from bot.content.yearly import load_quota, quota_file
from bot.eligibility.answers import parse_date, parse_number, parse_when
from bot.eligibility.documents import documents_for
from bot.eligibility.evaluator import RULE_TEXTS, add_months, evaluate, load_ruleset
from bot.eligibility.profile import Profile, ProfileError, parse_profile

TODAY = dt.date(2026, 3, 1)
OLD_RULES_DAY = dt.date(2025, 6, 1)
QUOTA = load_quota(quota_file(2026))
RULESET = load_ruleset()

MIGRANT = {
    "citizenship": "kz",
    "location": "in_kz",
    "departure_region": "turkistan",
    "destination_region": "pavlodar",
    "already_moved": False,
    "has_permanent_registration_departure": True,
    "months_resident_departure": 24,
    "employment_status": "job_seeker",
    "registered_at_career_centre": True,
}
KANDAS = {
    "citizenship": "foreign",
    "nationality": "kazakh",
    "location": "in_kz",
    "kandas_status": "yes",
    "destination_region": "akmola",
}


def check(today=TODAY, quota=QUOTA, **fields):
    return evaluate(Profile.model_validate(fields), RULESET, quota, today)


def rules_of(result, effect=None):
    return [reason.rule for reason in result.reasons if effect is None or reason.effect == effect]


def keyed(result):
    return {(reason.rule, reason.text_key) for reason in result.reasons}


# --- tracks ---------------------------------------------------------------------------------------------


def test_track_in_migrant_standard_path_eligible():
    result = check(**MIGRANT)
    assert (result.outcome, result.track, result.path) == ("eligible", "in_migrant", "in_migrant_standard")
    assert ("track.in_migrant", "met") in keyed(result)
    assert ("in_migrant.standard", "met") in keyed(result)
    assert result.rules_version == "2026.01"


def test_track_kandas_in_country_eligible():
    result = check(**KANDAS)
    assert (result.outcome, result.track, result.path) == ("eligible", "kandas", "kandas_in_country")
    assert {("track.kandas", "met"), ("kandas.in_country", "met")} <= keyed(result)
    assert [place.office for place in result.where_to_apply] == ["akimat", "state_corporation", "egov"]
    assert result.where_to_apply[0].region == "akmola"


@pytest.mark.parametrize("citizenship", ["foreign", "stateless"])
def test_track_other_for_a_foreigner_of_another_nationality(citizenship):
    result = check(citizenship=citizenship, nationality="other")
    assert (result.outcome, result.track) == ("other_procedure", None)
    assert rules_of(result) == ["track.other"]
    assert result.ask == ["akimat"]


def test_nothing_known_needs_the_citizenship():
    result = check()
    assert (result.outcome, result.missing) == ("needs_more_info", ["citizenship"])


# --- kandas ---------------------------------------------------------------------------------------------


def test_kandas_abroad_applies_through_a_foreign_institution():
    result = check(**{**KANDAS, "location": "abroad", "kandas_status": None})
    assert (result.outcome, result.path) == ("eligible", "kandas_abroad")
    assert ("kandas.abroad", "met") in keyed(result)
    assert [place.office for place in result.where_to_apply] == ["foreign_institution"]


@pytest.mark.parametrize(("status", "key"), [("no", "missing"), ("applied", "applied")])
def test_kandas_without_status_is_not_yet(status, key):
    result = check(**{**KANDAS, "kandas_status": status})
    assert result.outcome == "not_yet"
    assert ("kandas.status", key) in keyed(result)
    assert result.eligible_from is None  # the status service has no date we can know


def test_kandas_second_application_needs_the_consent_decision_copy():
    result = check(**{**KANDAS, "has_consent_decision": True})
    assert (result.outcome, result.path) == ("eligible", "kandas_second_application")
    assert ("kandas.second_application", "met") in keyed(result)
    assert "consent_decision" in [document.document for document in result.documents]


def test_kandas_abroad_with_consent_must_arrive_and_get_status_first():
    result = check(**{**KANDAS, "location": "abroad", "has_consent_decision": True})
    assert (result.outcome, result.path) == ("not_yet", "kandas_second_application")
    assert ("kandas.second_application", "after_arrival") in keyed(result)


def test_kandas_family_kinship_outside_the_list_is_a_warning():
    members = [{"kinship": "spouse"}, {"kinship": "other"}]
    result = check(**{**KANDAS, "family_members": members})
    assert result.outcome == "eligible"
    warning = next(reason for reason in result.reasons if reason.rule == "kandas.family_kinship")
    assert (warning.effect, warning.params) == ("warning", {"member": 2})


def test_kandas_family_member_who_is_a_citizen_needs_more_info():
    result = check(**{**KANDAS, "family_members": [{"kinship": "spouse", "citizenship": "kz"}]})
    assert result.outcome == "needs_more_info"
    assert ("kandas.family_citizen", "citizen") in keyed(result)
    assert "akimat" in result.ask


# --- in-migrants: the standard path and its boundary ---------------------------------------------------


@pytest.mark.parametrize(("months", "outcome"), [(11, "not_yet"), (12, "eligible"), (13, "eligible")])
def test_twelve_months_in_the_region_of_departure_is_the_boundary(months, outcome):
    result = check(**{**MIGRANT, "months_resident_departure": months})
    assert result.outcome == outcome


def test_not_yet_says_when_twelve_months_are_reached():
    result = check(**{**MIGRANT, "months_resident_departure": 7})
    assert result.eligible_from == dt.date(2026, 8, 1)
    assert ("in_migrant.standard", "too_soon") in keyed(result)


def test_without_permanent_registration_not_yet_and_no_date():
    result = check(**{**MIGRANT, "has_permanent_registration_departure": False})
    assert (result.outcome, result.eligible_from) == ("not_yet", None)
    assert ("in_migrant.standard", "no_registration") in keyed(result)


# --- in-migrants who moved, and Serpin graduates: six months ----------------------------------------------


# Whole months say only that the move was between `months` and `months + 1` months ago: counted from the
# earliest day it can have been, "6 months" may already be past the window, so only 5 is surely in it.
@pytest.mark.parametrize(("months", "outcome"), [(5, "eligible"), (6, "not_eligible"), (7, "not_eligible")])
def test_six_months_in_the_reception_region_is_the_boundary(months, outcome):
    result = check(**{**MIGRANT, "already_moved": True, "months_in_reception_region": months})
    assert result.outcome == outcome
    assert ("in_migrant.moved", "met" if outcome == "eligible" else "window_closed") in keyed(result)


def test_moved_path_applies_in_the_reception_region_by_a_date():
    result = check(**{**MIGRANT, "already_moved": True, "months_in_reception_region": 4})
    # 4 whole months on 1 March 2026: moved on 2 October 2025 at the earliest, so the window ends 2 April
    assert (result.path, result.apply_by) == ("in_migrant_moved", dt.date(2026, 4, 2))
    assert result.counted_from == {"in_migrant.moved": "months_in_reception_region"}
    assert result.where_to_apply[0].office == "employment_centre"
    assert result.where_to_apply[0].region == "pavlodar"


@pytest.mark.parametrize(("months", "path"), [(5, "serpin_graduate"), (6, "in_migrant_standard")])
def test_six_months_after_graduation_is_the_serpin_boundary(months, path):
    serpin = {**MIGRANT, "months_resident_departure": 2, "serpin_graduate": True, "months_since_graduation": months}
    result = check(**serpin)
    assert result.path == path
    if path == "serpin_graduate":
        assert result.outcome == "eligible"  # regardless of the time registered
        assert "serpin_certificate" in [document.document for document in result.documents]
    else:
        assert ("in_migrant.serpin", "window_closed") in keyed(result)
        assert result.outcome == "not_yet"


def test_citizen_abroad_needs_more_info():
    result = check(**{**MIGRANT, "location": "abroad"})
    assert result.outcome == "needs_more_info"
    assert rules_of(result, "needs_more_info") == ["silent.citizen_abroad"]


def test_a_move_inside_one_region_needs_more_info():
    result = check(**{**MIGRANT, "departure_region": "pavlodar"})
    assert result.outcome == "needs_more_info"
    assert "silent.same_region" in rules_of(result)
    assert result.ask == ["employment_centre"]


# --- employment status: dated versions -----------------------------------------------------------------


def test_from_2026_an_in_migrant_must_be_registered_as_unemployed_or_job_seeker():
    assert check(**MIGRANT).outcome == "eligible"
    employed = check(**{**MIGRANT, "employment_status": "employed"})
    assert employed.outcome == "needs_more_info"
    assert ("in_migrant.employment", "other_status") in keyed(employed)
    assert check(**{**MIGRANT, "employment_status": None}).missing == ["employment_status"]


def test_before_2026_order_20_sets_no_employment_condition():
    old_quota = None  # no quota data for 2025: the quota check says so
    result = check(today=OLD_RULES_DAY, quota=old_quota, **{**MIGRANT, "employment_status": None})
    assert result.rules_version == "2021.08"
    assert "employment_status" not in result.missing
    employed = check(today=OLD_RULES_DAY, quota=old_quota, **{**MIGRANT, "employment_status": "employed"})
    assert ("in_migrant.employment", "other_status") in keyed(employed)
    assert RULESET.rules.book(OLD_RULES_DAY).rule("in_migrant.employment").sources[0].seed.startswith("000_")


def test_where_to_apply_follows_the_version():
    old = check(today=OLD_RULES_DAY, quota=None, **MIGRANT)
    assert [place.office for place in old.where_to_apply][:2] == ["employment_centre", "akimat"]
    assert old.where_to_apply[0].region == "turkistan"
    assert "enbek_portal" in [place.office for place in check(**MIGRANT).where_to_apply]


def test_no_rules_before_the_first_version():
    with pytest.raises(ValueError, match="no rules version"):
        check(today=dt.date(2020, 1, 1), **MIGRANT)


# --- the destination's quota: ground 2 -------------------------------------------------------------------


def test_a_region_without_a_quota_for_the_category_is_ground_two():
    result = check(**{**MIGRANT, "destination_region": "akmola"})  # kandases only in 2026
    assert result.outcome == "not_eligible"
    assert ("quota.destination", "none") in keyed(result)
    assert result.where_to_apply == []
    assert check(**{**KANDAS, "destination_region": "akmola"}).outcome == "eligible"


def test_open_quota_names_the_places():
    reason = next(reason for reason in check(**MIGRANT).reasons if reason.rule == "quota.destination")
    assert reason.params == {"region": "pavlodar", "year": 2026, "places": 1655}


def test_no_quota_data_for_the_year_needs_more_info():
    result = check(today=dt.date(2027, 2, 1), **MIGRANT)
    assert result.outcome == "needs_more_info"
    assert ("quota.destination", "no_data") in keyed(result)


def test_missing_destination_is_asked_for():
    assert check(**{**MIGRANT, "destination_region": None}).missing == ["destination_region"]


# --- documents and intake refusal ------------------------------------------------------------------------


def test_documents_not_stated_are_listed_without_warnings():
    result = check(**{**MIGRANT, "family_members": [{"kinship": "child"}]})
    assert [(d.document, d.holder, d.status) for d in result.documents if d.required] == [
        ("identity_document", "applicant", "not_stated"),
        ("identity_document", "family:1", "not_stated"),
    ]
    assert ("documents.intake", "notice") in keyed(result)
    assert "warning" not in {reason.effect for reason in result.reasons}


def test_missing_and_expired_documents_warn_of_intake_refusal():
    documents = [
        {"kind": "identity_document", "holder": "applicant", "expires": "2026-02-28"},
        {"kind": "marriage_certificate"},
    ]
    profile = parse_profile(
        '{"citizenship": "kz", "location": "in_kz", "destination_region": "pavlodar", "already_moved": false,'
        ' "has_permanent_registration_departure": true, "months_resident_departure": 12,'
        ' "employment_status": "unemployed", "registered_at_career_centre": true,'
        ' "family_members": [{"kinship": "spouse"}], "documents": ' + str(documents).replace("'", '"') + "}"
    )
    result = evaluate(profile, RULESET, QUOTA, TODAY)
    statuses = {(d.document, d.holder): d.status for d in result.documents}
    assert statuses[("identity_document", "applicant")] == "expired"
    assert statuses[("identity_document", "family:1")] == "missing"
    assert statuses[("marriage_certificate", "applicant")] == "ok"
    assert {("documents.intake", "expired"), ("documents.intake", "missing")} <= keyed(result)
    assert result.outcome == "eligible"  # intake refusal is fixed by bringing the papers, not a decision


def test_a_document_valid_today_is_valid():
    held = [{"kind": "identity_document", "expires": TODAY}]
    result = check(**{**MIGRANT, "documents": held})
    assert result.documents[0].status == "ok"


def test_documents_for_is_the_api_the_package_uses():
    needs = documents_for("kandas_second_application", family_size=2)
    assert [(need.document.id, need.holder, need.required) for need in needs] == [
        ("identity_document", "applicant", True),
        ("identity_document", "family:1", True),
        ("identity_document", "family:2", True),
        ("marriage_certificate", "applicant", False),
        ("education_work_documents", "applicant", False),
        ("consent_decision", "applicant", True),
    ]
    assert needs[0].source.lines == "273"


# --- where the Rules are silent -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("owns_dwelling_in_destination", True, "silent.dwelling"),
        ("previous_participation", True, "silent.previous_participation"),
        ("submitter_is_adult", False, "applicant.minor.{track}"),
        ("age", 17, "applicant.minor.{track}"),
    ],
)
@pytest.mark.parametrize("base", [MIGRANT, KANDAS], ids=["in_migrant", "kandas"])
def test_silences_need_more_info_and_name_whom_to_ask(base, field, value, rule):
    result = check(**{**base, field: value})
    rule = rule.format(track=result.track)
    assert result.outcome == "needs_more_info"
    assert rule in rules_of(result, "needs_more_info")
    assert result.ask


@pytest.mark.parametrize(("field", "value"), [("age", 18), ("age", 70), ("owns_dwelling_in_destination", False)])
def test_no_criterion_no_effect(field, value):
    assert check(**{**MIGRANT, field: value}).outcome == "eligible"


def test_every_check_ends_with_the_grounds_and_the_commission():
    for profile in (MIGRANT, KANDAS):
        assert check(**profile).reasons[-1].rule == "decision.grounds"


def test_the_evaluator_uses_only_rules_in_the_data():
    for version in RULESET.rules.versions:
        book = RULESET.rules.book(version.in_force_from)
        assert set(RULE_TEXTS) <= set(book.rules)


# --- the profile -----------------------------------------------------------------------------------------


def test_regions_by_name_in_any_language():
    for name in ("Павлодарская область", "Павлодар облысы", "Pavlodar Region", "павлодар", "pavlodar"):
        assert Profile.model_validate({"destination_region": name}).destination_region == "pavlodar"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('{"colour": "red"}', "colour: unknown field"),
        ('{"months_resident_departure": "12"}', "months_resident_departure"),
        ('{"citizenship": "kazakh"}', "citizenship"),
        ('{"destination_region": "Atlantis"}', "destination_region"),
        ('{"family_members": [{"kinship": "cousin"}]}', "family_members.0.kinship"),
        ('{"documents": [{"kind": "passport"}]}', "documents.0.kind"),
        ('{"documents": [{"kind": "identity_document", "holder": "family:2"}]}', "family:2"),
        ("[1, 2]", "(profile)"),
        ("not json", "(profile)"),
    ],
)
def test_profile_errors_name_the_field(text, named):
    with pytest.raises(ProfileError, match=named.replace("(", r"\(").replace(")", r"\)")):
        parse_profile(text)


# --- reading answers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("05.03.2025", dt.date(2025, 3, 5)),
        ("5.3.2025", dt.date(2025, 3, 5)),
        ("05/03/2025", dt.date(2025, 3, 5)),
        ("05-03-2025", dt.date(2025, 3, 5)),
        ("5.3.25", dt.date(2025, 3, 5)),
        ("2025-03-05", dt.date(2025, 3, 5)),
        ("03.2025", dt.date(2025, 3, 1)),
        ("31.02.2025", None),
        ("yesterday", None),
    ],
)
def test_dates_in_common_forms(text, day):
    assert parse_date(text) == day


def test_whole_numbers_within_a_limit():
    assert parse_number("7", 15) == 7
    assert parse_number("-3", 15) is None
    assert parse_number("16", 15) is None


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)


# --- periods counted from dates (issue 10) ----------------------------------------------------------------


def test_a_window_counted_from_the_date_ends_six_months_after_it_not_a_month_later():
    """Moved on 2 September 2025, asking on 1 March 2026: the window closes on 2 March, not 1 April."""
    result = check(**{**MIGRANT, "already_moved": True, "moved_on": "2025-09-02"})
    assert (result.outcome, result.apply_by) == ("eligible", dt.date(2026, 3, 2))
    assert result.counted_from == {"in_migrant.moved": "moved_on"}
    closed = check(today=dt.date(2026, 3, 3), **{**MIGRANT, "already_moved": True, "moved_on": "2025-09-02"})
    assert ("in_migrant.moved", "window_closed") in keyed(closed)
    on_the_day = check(today=dt.date(2026, 3, 2), **{**MIGRANT, "already_moved": True, "moved_on": "2025-09-02"})
    assert on_the_day.outcome == "eligible"  # "no more than six months" includes the last day


def test_a_month_without_a_day_counts_cautiously():
    """`2025-09`: for a window, from 1 September (it closes soonest); for "at least a year", from the 30th."""
    moved = check(**{**MIGRANT, "already_moved": True, "moved_on": "2025-09"})
    assert moved.apply_by == dt.date(2026, 3, 1)
    registered = check(**{**MIGRANT, "registered_since": "2025-03", "months_resident_departure": None})
    assert (registered.outcome, registered.eligible_from) == ("not_yet", dt.date(2026, 3, 31))
    assert registered.counted_from == {"in_migrant.standard": "registered_since"}


def test_a_year_of_registration_is_met_on_the_anniversary():
    assert check(**{**MIGRANT, "registered_since": "2025-03-01"}).outcome == "eligible"
    later = check(**{**MIGRANT, "registered_since": "2025-03-02"})
    assert (later.outcome, later.eligible_from) == ("not_yet", dt.date(2026, 3, 2))


def test_serpin_window_from_the_graduation_date():
    serpin = {**MIGRANT, "serpin_graduate": True, "graduated_on": "2025-09-01"}
    assert check(**serpin).apply_by == dt.date(2026, 3, 1)
    assert check(**{**serpin, "graduated_on": "2025-08-31"}).path == "in_migrant_standard"


def test_a_date_wins_over_months_and_a_bad_date_is_named():
    result = check(**{**MIGRANT, "already_moved": True, "moved_on": "2025-12-01", "months_in_reception_region": 9})
    assert result.counted_from == {"in_migrant.moved": "moved_on"} and result.outcome == "eligible"
    with pytest.raises(ProfileError, match="moved_on"):
        parse_profile('{"moved_on": "September"}')


def test_2026_needs_registration_at_the_career_centre_and_says_where():
    unregistered = check(**{**MIGRANT, "registered_at_career_centre": False})
    assert unregistered.outcome == "not_yet"
    assert ("in_migrant.employment", "not_registered") in keyed(unregistered)
    unknown = check(**{**MIGRANT, "registered_at_career_centre": None})
    assert "registered_at_career_centre" in unknown.missing
    before = check(today=OLD_RULES_DAY, **{**MIGRANT, "registered_at_career_centre": None})
    assert "registered_at_career_centre" not in before.missing  # Order No. 20 asks no such thing


def test_version_2021_is_not_in_force_before_ten_days_after_the_order_of_11_august():
    version = RULESET.rules.versions[0]
    assert (version.id, version.in_force_from, version.in_force_approximate) == ("2021.08", dt.date(2021, 8, 22), True)
    with pytest.raises(ValueError, match="no rules version is in force on 2021-08-21"):
        RULESET.rules.book(dt.date(2021, 8, 21))


def test_places_reported_by_the_press_say_so():
    moved = check(**{**MIGRANT, "already_moved": True, "moved_on": "2026-01-10"})
    assert [place.press for place in moved.where_to_apply] == [False, True, True, True]


@pytest.mark.parametrize(
    ("typed", "stored_for_a_window", "stored_for_a_year"),
    [
        ("01.09.2025", "2025-09-01", "2025-09-01"),
        ("09.2025", "2025-09", "2025-09"),
        ("сентябрь 2025", "2025-09", "2025-09"),
        ("2025 жылдың қыркүйегі", "2025-09", "2025-09"),
        ("2025-жылдын сентябры", "2025-09", "2025-09"),
        ("2 сентября 2025", "2025-09-02", "2025-09-02"),
        ("September 2025", "2025-09", "2025-09"),
        ("полгода назад", "2025-08-02", "2025-09-01"),
        ("1 год", "2025-02-02", "2025-03-01"),
        ("12 месяцев", "2025-02-02", "2025-03-01"),
        ("бір жыл", "2025-02-02", "2025-03-01"),
        ("жарым жыл мурун", "2025-08-02", "2025-09-01"),
        ("5", "2025-09-02", "2025-10-01"),
    ],
)
def test_when_is_read_in_natural_words_and_kept_cautiously(typed, stored_for_a_window, stored_for_a_year):
    span = parse_when(typed, TODAY)
    assert (span.stored(earliest=True), span.stored(earliest=False)) == (stored_for_a_window, stored_for_a_year)


@pytest.mark.parametrize("typed", ["когда-то", "2027", "04.2026", "01.01.2030", "сентябрь", "31.02.2025", ""])
def test_what_is_no_past_date_is_not_read(typed):
    assert parse_when(typed, TODAY) is None
