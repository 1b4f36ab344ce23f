"""The pre-check itself: a pure function of the profile, the rules, the year's quota and the day.

It reads no file and no database: everything comes in as arguments, so a result can be reproduced from
what was stored with it (the rules version and the answers).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from bot.content import CONTENT_DIR
from bot.content.yearly import TRACK_CATEGORY, QuotaYear
from bot.eligibility.answers import Span, months_ago, span_of
from bot.eligibility.documents import DocumentNeed, DocumentsFile, catalogue
from bot.eligibility.profile import Profile
from bot.eligibility.rules import RuleBook, RulesFile, rules_file

ELIGIBLE, NOT_YET, NOT_ELIGIBLE, NEEDS_MORE_INFO, OTHER_PROCEDURE = (
    "eligible",
    "not_yet",
    "not_eligible",
    "needs_more_info",
    "other_procedure",
)
INFO, WARNING = "info", "warning"  # reasons that explain or warn without deciding
# When reasons disagree, the most decisive one wins.
SEVERITY = [ELIGIBLE, NEEDS_MORE_INFO, NOT_YET, OTHER_PROCEDURE, NOT_ELIGIBLE]

# Every rule the evaluator applies, with the texts it may show (checked against the data by
# `joldas content check` for every version).
RULE_TEXTS: dict[str, set[str]] = {
    "track.in_migrant": {"met"},
    "track.kandas": {"met"},
    "track.other": {"met"},
    "kandas.abroad": {"met"},
    "kandas.status": {"missing", "applied"},
    "kandas.in_country": {"met"},
    "kandas.second_application": {"met", "after_arrival"},
    "kandas.family_kinship": {"outside"},
    "kandas.family_citizen": {"citizen"},
    "in_migrant.standard": {"met", "too_soon", "no_registration"},
    "in_migrant.moved": {"met", "window_closed"},
    "in_migrant.serpin": {"met", "window_closed"},
    "in_migrant.employment": {"other_status"},
    "quota.destination": {"open", "none", "no_data"},
    "documents.intake": {"missing", "expired", "notice"},
    "decision.grounds": {"always"},
    "applicant.minor.in_migrant": {"minor"},
    "applicant.minor.kandas": {"minor"},
    "silent.previous_participation": {"participated"},
    "silent.dwelling": {"owns"},
    "silent.same_region": {"same"},
    "silent.citizen_abroad": {"abroad"},
}
ADULT_AGE = 18


@dataclass(frozen=True)
class Ruleset:
    rules: RulesFile
    documents: DocumentsFile


@cache
def load_ruleset(root: Path = CONTENT_DIR) -> Ruleset:
    return Ruleset(rules_file(root), catalogue(root))


@dataclass(frozen=True)
class Reason:
    rule: str
    text_key: str
    effect: str  # an outcome, or INFO / WARNING
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentCheck:
    document: str
    holder: str
    required: bool
    status: str  # ok | missing | expired | not_stated
    expires: dt.date | None = None


@dataclass(frozen=True)
class Place:
    office: str
    region: str | None = None
    press: bool = False  # reported by the press, not in the order text we hold


@dataclass(frozen=True)
class Result:
    outcome: str
    track: str | None
    path: str | None
    reasons: list[Reason]
    documents: list[DocumentCheck]
    where_to_apply: list[Place]
    ask: list[str]  # offices to ask where the Rules are silent or an answer is missing
    missing: list[str]  # profile fields the check needs and did not get
    eligible_from: dt.date | None  # when a `not_yet` condition will be met, where that can be computed
    apply_by: dt.date | None  # the last day of a six-month window, where one applies
    rules_version: str
    checked_on: dt.date
    # which answer each period was counted from: a date field (`moved_on`…) or, for older profiles, a number
    # of whole months (`months_in_reception_region`…), which gives a cautious date, not the exact one
    counted_from: dict[str, str] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        """Plain JSON-ready data, without texts: what is stored."""
        return _plain(asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def evaluate(profile: Profile, ruleset: Ruleset, quota: QuotaYear | None, today: dt.date) -> Result:
    return _Check(profile, ruleset, quota, today).run()


class _Check:
    def __init__(self, profile: Profile, ruleset: Ruleset, quota: QuotaYear | None, today: dt.date):
        self.profile = profile
        self.book: RuleBook = ruleset.rules.book(today)
        self.documents_file = ruleset.documents
        self.quota = quota
        self.today = today
        self.reasons: list[Reason] = []
        self.missing: list[str] = []
        self.eligible_from: dt.date | None = None
        self.apply_by: dt.date | None = None
        self.counted_from: dict[str, str] = {}

    def add(self, rule: str, text_key: str, effect: str, **params: Any) -> None:
        self.book.rule(rule)  # a rule missing from the data is a bug, not a silent skip
        self.reasons.append(Reason(rule, text_key, effect, params))

    def need(self, field_name: str) -> None:
        self.missing.append(field_name)

    def run(self) -> Result:
        track = self.track()
        path = None
        if track == "kandas":
            path = self.kandas_path()
            self.kandas_family()
        elif track == "in_migrant":
            path = self.in_migrant_path()
            self.in_migrant_conditions()
        if track is not None:
            self.destination_quota(track)
            self.applicant_age(track)
            self.silences()
        documents = self.documents(path) if path else []
        if track is not None:
            self.add("decision.grounds", "always", INFO)
        effects = [reason.effect for reason in self.reasons if reason.effect in SEVERITY]
        effects += [NEEDS_MORE_INFO] if self.missing else []
        outcome = max(effects or [NEEDS_MORE_INFO], key=SEVERITY.index)
        ask = [
            office
            for reason in self.reasons
            if reason.effect in (NEEDS_MORE_INFO, OTHER_PROCEDURE)
            for office in self.book.rule(reason.rule).ask
        ]
        return Result(
            outcome=outcome,
            track=track,
            path=path,
            reasons=self.reasons,
            documents=documents,
            where_to_apply=self.where(path) if path and outcome != NOT_ELIGIBLE else [],
            ask=list(dict.fromkeys(ask)),
            missing=self.missing,
            eligible_from=self.eligible_from if outcome == NOT_YET else None,
            apply_by=self.apply_by if outcome in (ELIGIBLE, NEEDS_MORE_INFO) else None,
            rules_version=self.book.version.id,
            checked_on=self.today,
            counted_from=self.counted_from,
        )

    def track(self) -> str | None:
        profile = self.profile
        if profile.citizenship is None:
            self.need("citizenship")
            return None
        if profile.citizenship == "kz":
            self.add("track.in_migrant", "met", INFO)
            return "in_migrant"
        if profile.nationality is None:
            self.need("nationality")
            return None
        if profile.nationality == "kazakh":
            self.add("track.kandas", "met", INFO)
            return "kandas"
        self.add("track.other", "met", OTHER_PROCEDURE)
        return None

    def kandas_path(self) -> str | None:
        profile = self.profile
        if profile.location is None:
            self.need("location")
            return None
        if profile.location == "abroad":
            if profile.has_consent_decision:
                self.add("kandas.second_application", "after_arrival", NOT_YET)
                return "kandas_second_application"
            self.add("kandas.abroad", "met", ELIGIBLE)
            return "kandas_abroad"
        path = "kandas_second_application" if profile.has_consent_decision else "kandas_in_country"
        if profile.kandas_status is None:
            self.need("kandas_status")
        elif profile.kandas_status != "yes":
            self.add("kandas.status", "applied" if profile.kandas_status == "applied" else "missing", NOT_YET)
        elif path == "kandas_second_application":
            self.add("kandas.second_application", "met", ELIGIBLE)
        else:
            self.add("kandas.in_country", "met", ELIGIBLE)
        return path

    def kandas_family(self) -> None:
        allowed = self.book.rule("kandas.family_kinship").params.kinships or []
        for number, member in enumerate(self.profile.family_members, start=1):
            if member.kinship is not None and member.kinship not in allowed:
                self.add("kandas.family_kinship", "outside", WARNING, member=number)
            if member.citizenship == "kz":
                self.add("kandas.family_citizen", "citizen", NEEDS_MORE_INFO, member=number)

    def in_migrant_path(self) -> str | None:
        profile = self.profile
        if profile.location == "abroad":
            self.add("silent.citizen_abroad", "abroad", NEEDS_MORE_INFO)
            return None
        if profile.serpin_graduate:
            path = self.serpin()
            if path is not None:
                return path
        if profile.already_moved is None:
            self.need("already_moved")
            return None
        return self.moved() if profile.already_moved else self.standard()

    def span(self, rule: str, date_field: str, months_field: str) -> Span | None:
        """When a period began: from the date answer, else from whole months (older profiles), else None.
        Notes which answer was used; a number of months gives a cautious span, not a day."""
        value, months = getattr(self.profile, date_field), getattr(self.profile, months_field)
        if value is not None:
            self.counted_from[rule] = date_field
            return span_of(value)
        if months is not None:
            self.counted_from[rule] = months_field
            return months_ago(months, self.today)
        self.need(date_field)
        return None

    def window_end(self, rule: str, date_field: str, months_field: str) -> dt.date | None:
        """The last day of a six-month window ("no more than six months", "within six months after"): six
        months from the start, counted from the earliest day the start can be, so it is never overshot."""
        start = self.span(rule, date_field, months_field)
        return add_months(start.earliest, self.book.rule(rule).params.months) if start else None

    def serpin(self) -> str | None:
        last_day = self.window_end("in_migrant.serpin", "graduated_on", "months_since_graduation")
        if last_day is None:
            return None
        if last_day < self.today:
            self.add("in_migrant.serpin", "window_closed", INFO)
            return None
        self.apply_by = last_day
        self.add("in_migrant.serpin", "met", ELIGIBLE, date=last_day)
        return "serpin_graduate"

    def moved(self) -> str | None:
        last_day = self.window_end("in_migrant.moved", "moved_on", "months_in_reception_region")
        if last_day is None:
            return "in_migrant_moved"
        if last_day < self.today:
            self.add("in_migrant.moved", "window_closed", NOT_ELIGIBLE)
            return None
        self.apply_by = last_day
        self.add("in_migrant.moved", "met", ELIGIBLE, date=last_day)
        return "in_migrant_moved"

    def standard(self) -> str:
        profile = self.profile
        rule = "in_migrant.standard"
        if profile.has_permanent_registration_departure is None:
            self.need("has_permanent_registration_departure")
        elif not profile.has_permanent_registration_departure:
            self.add(rule, "no_registration", NOT_YET)
        elif (start := self.span(rule, "registered_since", "months_resident_departure")) is not None:
            # "at least one year": met on the anniversary of the latest day the registration can have begun
            met_on = add_months(start.latest, self.book.rule(rule).params.months)
            if met_on <= self.today:
                self.add(rule, "met", ELIGIBLE)
            else:
                self.eligible_from = met_on
                self.add(rule, "too_soon", NOT_YET, date=met_on)
        return "in_migrant_standard"

    def in_migrant_conditions(self) -> None:
        profile = self.profile
        if profile.departure_region and profile.departure_region == profile.destination_region:
            self.add("silent.same_region", "same", NEEDS_MORE_INFO)
        rule = self.book.rule("in_migrant.employment")
        status = profile.employment_status
        if status is None:
            if rule.params.required:
                self.need("employment_status")
        elif status not in (rule.params.statuses or []):
            self.add("in_migrant.employment", "other_status", NEEDS_MORE_INFO)
        elif not rule.params.registered:
            if "met" in rule.texts:
                self.add("in_migrant.employment", "met", INFO)
        elif profile.registered_at_career_centre is None:
            self.need("registered_at_career_centre")
        elif profile.registered_at_career_centre:
            self.add("in_migrant.employment", "met", INFO)
        else:
            self.add("in_migrant.employment", "not_registered", NOT_YET)

    def destination_quota(self, track: str) -> None:
        region = self.profile.destination_region
        year = self.today.year
        if region is None:
            self.need("destination_region")
        elif self.quota is None or self.quota.year != year:
            self.add("quota.destination", "no_data", NEEDS_MORE_INFO, year=year)
        else:
            places = self.quota.places(region, TRACK_CATEGORY[track])
            if places:
                self.add("quota.destination", "open", INFO, region=region, year=year, places=places)
            else:
                self.add("quota.destination", "none", NOT_ELIGIBLE, region=region, year=year)

    def applicant_age(self, track: str) -> None:
        profile = self.profile
        if profile.submitter_is_adult is False or (profile.age is not None and profile.age < ADULT_AGE):
            self.add(f"applicant.minor.{track}", "minor", NEEDS_MORE_INFO)

    def silences(self) -> None:
        if self.profile.previous_participation:
            self.add("silent.previous_participation", "participated", NEEDS_MORE_INFO)
        if self.profile.owns_dwelling_in_destination:
            self.add("silent.dwelling", "owns", NEEDS_MORE_INFO)

    def documents(self, path: str) -> list[DocumentCheck]:
        needs = self.documents_file.needs_for(path, len(self.profile.family_members))
        checks = [self.document_check(need) for need in needs]
        for check in checks:
            if check.status in ("missing", "expired"):
                params = {"document": check.document, "holder": check.holder}
                params |= {"date": check.expires} if check.expires else {}
                self.add("documents.intake", check.status, WARNING, **params)
        self.add("documents.intake", "notice", INFO)
        return checks

    def document_check(self, need: DocumentNeed) -> DocumentCheck:
        kind, holder = need.document.id, need.holder
        if self.profile.documents is None:
            return DocumentCheck(kind, holder, need.required, "not_stated")
        held = [document for document in self.profile.documents if (document.kind, document.holder) == (kind, holder)]
        valid = [document for document in held if document.expires is None or document.expires >= self.today]
        if valid:
            return DocumentCheck(kind, holder, need.required, "ok", valid[0].expires)
        if held:
            latest = max(document.expires for document in held)
            return DocumentCheck(kind, holder, need.required, "expired", latest)
        return DocumentCheck(kind, holder, need.required, "missing" if need.required else "not_stated")

    def where(self, path: str) -> list[Place]:
        regions = {"departure": self.profile.departure_region, "destination": self.profile.destination_region}
        return [Place(where.office, regions.get(where.region), where.press) for where in self.book.where[path]]
