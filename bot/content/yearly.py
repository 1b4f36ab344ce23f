"""Yearly operator data: the regional quota per region and category, and the MCI's value in tenge."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from pydantic import Field, NonNegativeInt

from bot.content import CONTENT_DIR
from bot.content.loader import Problem, load, relative
from bot.content.schema import Source, Strict

DATA_DIR = CONTENT_DIR / "data"
CATEGORIES = ("kandas", "in_migrants")
# The quota category each track of the programme is counted in.
TRACK_CATEGORY = {"kandas": "kandas", "in_migrant": "in_migrants"}


class CategoryQuota(Strict):
    kandas: NonNegativeInt | None = None
    in_migrants: NonNegativeInt | None = None


class QuotaYear(Strict):
    year: int
    as_of: dt.date
    source: Source
    quotas: dict[str, CategoryQuota]
    totals: CategoryQuota

    def places(self, region_id: str, category: str) -> int | None:
        """The number of places, or None when the region has no quota in this category this year."""
        quota = self.quotas.get(region_id)
        return getattr(quota, category) if quota else None

    def receiving(self, category: str) -> list[str]:
        return [region_id for region_id in self.quotas if self.places(region_id, category)]


class MciValue(Strict):
    year: int
    from_: dt.date = Field(alias="from")
    tenge: int
    source: Source


class MciFile(Strict):
    values: list[MciValue]


def quota_file(year: int) -> Path:
    return DATA_DIR / f"quota-{year}.yaml"


@lru_cache
def quota(year: int) -> QuotaYear | None:
    """The quota of `year`, or None when no operator has loaded it."""
    path = quota_file(year)
    return load(QuotaYear, path) if path.exists() else None


def load_quota(path: Path) -> QuotaYear:
    return load(QuotaYear, path)


@lru_cache
def mci_values() -> list[MciValue]:
    return sorted(load(MciFile, DATA_DIR / "mci.yaml").values, key=lambda value: value.from_)


def mci_on(day: dt.date) -> MciValue | None:
    """The MCI in force on `day`, or None before the first value known; never a later year's value."""
    known = [value for value in mci_values() if value.from_ <= day and value.year == day.year]
    return known[-1] if known else None


def check_quota_files(root: Path) -> list[Problem]:
    """Cross-check: quota regions exist, and the totals add up."""
    from bot.content.regions import region

    problems = []
    for path in sorted((root / "data").glob("quota-*.yaml")):
        data = load(QuotaYear, path)
        for region_id in data.quotas:
            if region(region_id) is None:
                problems.append(Problem(relative(path), f"quotas.{region_id}", "no such region in regions.yaml"))
        for category in CATEGORIES:
            counted = sum(data.places(region_id, category) or 0 for region_id in data.quotas)
            total = getattr(data.totals, category) or 0
            if counted != total:
                message = f"the regions add up to {counted}, the total says {total}"
                problems.append(Problem(relative(path), f"totals.{category}", message))
    return problems
