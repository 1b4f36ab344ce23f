"""The one standard structure of the pre-departure package, as content files declare it.

Files under content/package/:
- `general.yaml`: the programme, step by step, obligations, practical preparation, contacts: for the
  in-country tracks (in-migrant, kandas);
- `destination.yaml`: what the destination region is like, topic by topic (climate, transport, economy,
  language, schools, health, housing, land): items that hold everywhere, items for named regions, and
  for a region the sources say nothing about, a plain "no facts" text naming whom to ask;
- `household.yaml`: parts for households (children, single parents, women on their own);
- `abroad.yaml`: the variant for labour migrants going abroad, with the destination countries people choose
  from (an item's `regions` there are country ids).

Every item is a text in kk, ru and ky with its source(s), optionally limited to tracks, households or
regions. In a text, `{mci:70}` is an amount in MCI, shown with its tenge value in the year of reading;
`{region}` is the destination's name and `{origin}` the region of departure's.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from bot.content.schema import Localized, Source, Strict

Track = Literal["in_migrant", "kandas", "abroad"]
Household = Literal["children", "single_parent", "woman_alone"]
TRACKS: tuple[Track, ...] = ("in_migrant", "kandas", "abroad")
HOUSEHOLDS: tuple[Household, ...] = ("children", "single_parent", "woman_alone")
MCI_MARK = re.compile(r"\{mci:(\d+(?:[.,]\d+)?)\}")


class Item(Strict):
    id: str | None = Field(default=None, pattern=r"^[a-z0-9_]+$")  # needed in a checklist section
    text: Localized
    source: Source | None = None
    sources: list[Source] | None = None
    tracks: list[Track] | None = None  # only for these tracks
    households: list[Household] | None = None  # only for these households
    regions: list[str] | None = None  # only for these destinations (region ids; in abroad.yaml, country ids)

    @model_validator(mode="after")
    def _sourced(self) -> Item:
        if not (self.source or self.sources):
            raise ValueError("every item in the package states a fact and needs a source")
        return self

    def applies(self, track: str, households: frozenset[str], destination: str | None) -> bool:
        return (
            (self.tracks is None or track in self.tracks)
            and (self.households is None or bool(households & set(self.households)))
            and (self.regions is None or destination in self.regions)
        )

    def citations(self) -> list[Source]:
        return [self.source] if self.source else list(self.sources or [])


class Section(Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    title: Localized
    tracks: list[Track]  # the packages that include this section
    households: list[Household] | None = None  # a household part: only for these households
    items: list[Item]
    # Shown when the destination has no item of its own here: what the sources lack, and whom to ask.
    when_unknown: Localized | None = None
    # A checklist section: its items (each with an id) are also the person's documents checklist.
    checklist: bool = False

    @model_validator(mode="after")
    def _checklist_ids(self) -> Section:
        if self.checklist and not all(item.id for item in self.items):
            raise ValueError("every item of a checklist section needs an id")
        return self


PARTS = ("general", "destination", "household", "abroad")


class Country(Strict):
    """A country people go to work in: its name, the names people type for it, and the source naming it."""

    id: str = Field(pattern=r"^[a-z_]+$")
    name: Localized
    typed: list[str] = []  # further names people type (English, other spellings)
    offered: bool = False  # offered as a button; the others are found by a typed name
    source: Source


class PackageFile(Strict):
    part: Literal["general", "destination", "household", "abroad"]
    sections: list[Section]
    countries: list[Country] = []  # abroad.yaml: the destination countries


def check_package_files(root) -> list:
    """Cross-check: regions named in items exist, and each file's sections have distinct ids."""
    from bot.content.loader import ContentError, Problem, load, relative
    from bot.content.regions import region

    if not (root / "package").is_dir():
        return []
    problems = [
        Problem(f"content/package/{part}.yaml", "", "missing: every package has this part")
        for part in PARTS
        if not (root / "package" / f"{part}.yaml").exists()
    ]
    for path in sorted((root / "package").glob("*.yaml")):
        try:
            package = load(PackageFile, path)
        except ContentError:
            continue  # already reported against the schema
        seen: set[str] = set()
        countries = {country.id for country in package.countries}
        for number, section in enumerate(package.sections):
            if section.id in seen:
                problems.append(Problem(relative(path), f"sections.{number}.id", f"{section.id} appears twice"))
            seen.add(section.id)
            for item_number, item in enumerate(section.items):
                for region_id in item.regions or []:
                    key = f"sections.{number}.items.{item_number}.regions"
                    if package.part == "abroad" and region_id not in countries:
                        problems.append(Problem(relative(path), key, f"no country {region_id} in this file"))
                    elif package.part != "abroad" and region(region_id) is None:
                        problems.append(Problem(relative(path), key, f"no region {region_id} in regions.yaml"))
    return problems
