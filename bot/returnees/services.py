"""What exists for each need, and where: sourced content (`content/services/<country>.yaml`) plus the offices
an operator loads (`service_offices`, see `bot.returnees.offices`).

A content item is national (no `area`) or for one area (a place id: an oblast, a district, an ayil aimak).
For a person, each need gets the items of their place's lineage, the most local first, then the national one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import field_validator, model_validator

from bot.content import CONTENT_DIR
from bot.content.loader import ContentError, Problem, load, relative
from bot.content.schema import Localized, Source, Strict
from bot.places.content import files as place_files
from bot.places.content import read as read_places
from bot.returnees.needs import NEED_KEYS

SERVICES_DIR = CONTENT_DIR / "services"


class Service(Strict):
    need: str
    area: str | None = None  # a place id; none: the whole country
    what: Localized  # what to do
    where: Localized  # where to go: the kind of office (the nearest one comes from the operator's offices)
    bring: Localized | None = None  # what to bring, where the sources say
    sources: list[Source]

    @field_validator("need")
    @classmethod
    def _known_need(cls, value: str) -> str:
        if value not in NEED_KEYS:
            raise ValueError(f"unknown need {value!r} (known: {', '.join(NEED_KEYS)})")
        return value

    @field_validator("sources")
    @classmethod
    def _sourced(cls, value: list[Source]) -> list[Source]:
        if not value:
            raise ValueError("a service needs at least one source")
        return value


class ServicesFile(Strict):
    country: Literal["KZ", "KG"]
    ask: Localized  # whom to ask in this country when the sources name nobody better
    ask_sources: list[Source]
    services: list[Service]

    @model_validator(mode="after")
    def _every_need_national(self) -> ServicesFile:
        national = {service.need for service in self.services if service.area is None}
        missing = [need for need in NEED_KEYS if need not in national]
        if missing:
            raise ValueError(f"no national entry for: {', '.join(missing)}")
        return self


@lru_cache
def catalogue(folder: Path = SERVICES_DIR) -> dict[str, ServicesFile]:
    """The services of each country ('KZ', 'KG'), from content/services/."""
    files = [load(ServicesFile, path) for path in sorted(folder.glob("*.yaml"))]
    return {services.country: services for services in files}


def services_for(need: str, country: str, lineage_ids: list[str]) -> list[Service]:
    """The items for a need where the person lives: the most local area first, the national item last."""
    services = catalogue().get(country)
    if services is None:
        return []
    rank = {area: position for position, area in enumerate(lineage_ids)}
    local = [item for item in services.services if item.need == need and item.area in rank]
    national = [item for item in services.services if item.need == need and item.area is None]
    return sorted(local, key=lambda item: rank[item.area]) + national


def check_services(root: Path) -> list[Problem]:
    """Cross-check for `joldas content check`: one file per country, and every area a place of that country in
    content/places/."""
    folder = root / "services"
    if not folder.is_dir():
        return []
    try:
        known = {record.id for path in place_files(root) for record in read_places(path)}
    except ContentError:
        known = None  # the places' own check reports it
    problems, seen = [], {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            services = load(ServicesFile, path)
        except ContentError:
            continue  # the schema pass reports it
        if services.country in seen:
            problems.append(
                Problem(relative(path), "country", f"{services.country} is also in {seen[services.country]}")
            )
        seen[services.country] = path.name
        for number, item in enumerate(services.services):
            if item.area is None or known is None:
                continue
            if item.area not in known or not item.area.startswith(services.country + "-"):
                problems.append(
                    Problem(relative(path), f"services.{number}.area", f"no place {item.area} in {services.country}")
                )
    return problems
