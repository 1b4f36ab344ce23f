"""What a person tells the pre-check: the profile, every field optional, validated strictly.

An unknown field or a wrong type is a `ProfileError` naming the field. Regions are given by id or by a
name in kk, ru, ky or English (matched fuzzily) and are kept as ids.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, NonNegativeInt, ValidationError, field_validator, model_validator

from bot.content.regions import find_region, find_regions
from bot.eligibility.answers import span_of
from bot.eligibility.documents import APPLICANT, catalogue
from bot.eligibility.rules import EmploymentStatus, Kinship

Citizenship = Literal["kz", "foreign", "stateless"]
Nationality = Literal["kazakh", "other"]
_FAMILY_HOLDER = re.compile(r"^family:([1-9]\d*)$")


class ProfileError(ValueError):
    """A profile that cannot be checked; the message names the field."""


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FamilyMember(_Input):
    kinship: Kinship | None = None
    citizenship: Citizenship | None = None
    nationality: Nationality | None = None
    adult: bool | None = None


class HeldDocument(_Input):
    kind: str
    holder: str = APPLICANT  # "applicant" or "family:N", N counting family members from 1
    expires: dt.date | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        known = [kind.id for kind in catalogue().documents]
        if value not in known:
            raise ValueError(f"unknown document kind {value!r}; known: {', '.join(known)}")
        return value

    @field_validator("holder")
    @classmethod
    def _holder(cls, value: str) -> str:
        if value != APPLICANT and not _FAMILY_HOLDER.match(value):
            raise ValueError("holder is 'applicant' or 'family:N' (N counts family members from 1)")
        return value


class Profile(_Input):
    citizenship: Citizenship | None = None
    nationality: Nationality | None = None
    kandas_status: Literal["yes", "no", "applied"] | None = None
    location: Literal["in_kz", "abroad"] | None = None
    destination_region: str | None = None
    departure_region: str | None = None
    has_permanent_registration_departure: bool | None = None
    registered_since: str | None = None  # a date (YYYY-MM-DD) or, when the day is not known, YYYY-MM
    months_resident_departure: NonNegativeInt | None = None  # whole months: older profiles; a date wins
    already_moved: bool | None = None
    moved_on: str | None = None
    months_in_reception_region: NonNegativeInt | None = None
    serpin_graduate: bool | None = None
    graduated_on: str | None = None
    months_since_graduation: NonNegativeInt | None = None
    submitter_is_adult: bool | None = None
    family_members: list[FamilyMember] = []
    documents: list[HeldDocument] | None = None  # None: not stated; [] : none held
    owns_dwelling_in_destination: bool | None = None
    previous_participation: bool | None = None
    has_consent_decision: bool | None = None
    age: NonNegativeInt | None = None
    employment_status: EmploymentStatus | None = None
    registered_at_career_centre: bool | None = None  # as unemployed or as a job seeker (2026 rules)

    @field_validator("registered_since", "moved_on", "graduated_on")
    @classmethod
    def _day_or_month(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            span_of(value)
        except ValueError:
            raise ValueError("a date YYYY-MM-DD, or YYYY-MM when the day is not known") from None
        return value

    @field_validator("destination_region", "departure_region")
    @classmethod
    def _region_id(cls, value: str | None) -> str | None:
        if value is None:
            return None
        found = find_region(value)
        if found is None:
            candidates = [candidate.id for candidate in find_regions(value)]
            hint = f"; did you mean {', '.join(candidates)}?" if candidates else ""
            raise ValueError(f"no single region matches {value!r}{hint}")
        return found.id

    @model_validator(mode="after")
    def _holders_exist(self) -> Profile:
        for document in self.documents or []:
            match = _FAMILY_HOLDER.match(document.holder)
            if match and int(match.group(1)) > len(self.family_members):
                raise ValueError(f"document holder {document.holder} is not in family_members")
        return self


def parse_profile(text: str) -> Profile:
    """A profile from JSON text; a ProfileError naming the field on any mistake."""
    try:
        return Profile.model_validate_json(text)
    except ValidationError as error:
        raise ProfileError(describe(error)) from None


def describe(error: ValidationError) -> str:
    lines = []
    for detail in error.errors():
        field = ".".join(str(part) for part in detail["loc"]) or "(profile)"
        message = "unknown field" if detail["type"] == "extra_forbidden" else detail["msg"]
        lines.append(f"{field}: {message}")
    return "\n".join(lines)
