"""The places of both countries as content files declare them (content/places/*.yaml), flattened into rows.

A file is one country: a tree of places, each with an id, a kind, names in kk, ru, ky and Latin letters,
aliases (other spellings people and sources use), a KATO code when a source gives one, and a source (a
child without one has its parent's): a seed or research file with its lines, or a public page with its
address. A Kazakh region may name its key in content/regions.yaml (`region:`); its names and aliases then
come from there, so a region is named in one file only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from bot.content import CONTENT_DIR
from bot.content.loader import ContentError, Problem, load, relative
from bot.content.regions import regions_file
from bot.content.schema import Source, Strict

PLACES_DIR = CONTENT_DIR / "places"
Kind = Literal["country", "region", "city", "district", "ayil_aimak", "town", "village"]
KINDS: tuple[str, ...] = Kind.__args__
ID_PATTERN = r"^[A-Z]{2}(-[A-Z0-9]+)*$"
SOURCE_LENGTH = 300  # the places table's `source` column
_ADDRESS = re.compile(r"https?://\S+")


class PlaceSource(Source):
    """A source of places: as everywhere in content/, except that a public one names its page's address
    ("Districts of Kyrgyzstan (English Wikipedia): … https://en.wikipedia.org/wiki/…"), so that every place
    can be traced to where it was read, and that the citation fits the places table."""

    @model_validator(mode="after")
    def _traceable(self) -> PlaceSource:
        if self.public and not _ADDRESS.search(self.public):
            raise ValueError("a public source of places names its page's address (https://…)")
        if len(self.label()) > SOURCE_LENGTH:
            raise ValueError(f"the citation is {len(self.label())} characters, more than {SOURCE_LENGTH}")
        return self


class PlaceNames(Strict):
    kk: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    ky: str = Field(min_length=1)
    latin: str = Field(min_length=1)


class PlaceEntry(Strict):
    id: str = Field(pattern=ID_PATTERN, max_length=48)
    kind: Kind
    names: PlaceNames | None = None  # may be left out when `region` names a region of content/regions.yaml
    region: str | None = None  # the key of this place in content/regions.yaml
    aliases: list[str] = []
    kato: str | None = Field(default=None, pattern=r"^\d{6,14}$")  # KATO (KZ) or SOATE (KG)
    source: PlaceSource | None = None
    places: list[PlaceEntry] = []

    @model_validator(mode="after")
    def _named(self) -> PlaceEntry:
        if self.names is None and self.region is None:
            raise ValueError("a place needs `names` (or `region`, to take them from content/regions.yaml)")
        return self


class PlacesFile(Strict):
    country: PlaceEntry

    @model_validator(mode="after")
    def _a_country(self) -> PlacesFile:
        if self.country.kind != "country" or "-" in self.country.id:
            raise ValueError("the root of a places file is a country, with a two-letter id (KZ, KG)")
        return self


@dataclass(frozen=True)
class PlaceRecord:
    """One place as a row: what content files and `joldas places import` both produce."""

    id: str
    kind: str
    parent_id: str | None
    name_kk: str
    name_ru: str
    name_ky: str
    name_latin: str
    aliases: tuple[str, ...] = ()
    kato: str | None = None
    source: str | None = None
    region_key: str | None = field(default=None, compare=False)

    @property
    def country(self) -> str:
        return self.id[:2]


def _names(entry: PlaceEntry) -> tuple[PlaceNames, tuple[str, ...]]:
    """The entry's names and aliases, taking the region's from content/regions.yaml when it names one."""
    aliases = tuple(entry.aliases)
    if entry.region is None:
        return entry.names, aliases
    region = next((each for each in regions_file().regions if each.id == entry.region), None)
    if region is None:
        raise ValueError(f"region {entry.region!r} is not in content/regions.yaml")
    names = entry.names or PlaceNames(kk=region.names.kk, ru=region.names.ru, ky=region.names.ky, latin=region.names.en)
    return names, aliases + tuple(alias for alias in region.aliases if alias not in aliases)


def _flatten(entry: PlaceEntry, parent: str | None, source: str | None) -> Iterator[PlaceRecord]:
    """Parents before their children, each with its own source or its parent's."""
    source = entry.source.label() if entry.source else source
    names, aliases = _names(entry)
    yield PlaceRecord(
        id=entry.id,
        kind=entry.kind,
        parent_id=parent,
        name_kk=names.kk,
        name_ru=names.ru,
        name_ky=names.ky,
        name_latin=names.latin,
        aliases=aliases,
        kato=entry.kato,
        source=source,
        region_key=entry.region,
    )
    for child in entry.places:
        yield from _flatten(child, entry.id, source)


def read(path: Path) -> list[PlaceRecord]:
    """The places of one file, parents first; raises ContentError naming the file on any problem."""
    return _records(load(PlacesFile, path).country, path)


def _records(country: PlaceEntry, path: Path) -> list[PlaceRecord]:
    try:
        records = list(_flatten(country, None, None))
    except ValueError as error:
        raise ContentError([Problem(relative(path), "", str(error))]) from None
    problems = [
        Problem(relative(path), record.id, f"the id does not start with the country's ({country.id})")
        for record in records
        if record.id != country.id and not record.id.startswith(country.id + "-")
    ]
    seen: set[str] = set()
    for record in records:
        if record.id in seen:
            problems.append(Problem(relative(path), record.id, "the id is used twice"))
        seen.add(record.id)
    if problems:
        raise ContentError(problems)
    return records


def files(root: Path = CONTENT_DIR) -> list[Path]:
    return sorted((root / "places").glob("*.yaml"))


@lru_cache
def content_places() -> tuple[PlaceRecord, ...]:
    """Every place of content/places/, parents first."""
    return tuple(record for path in files() for record in read(path))


@lru_cache
def region_places() -> dict[str, str]:
    """The keys of content/regions.yaml to the ids of their places."""
    return {record.region_key: record.id for record in content_places() if record.region_key}


def check_places(root: Path) -> list[Problem]:
    """For `joldas content check`: the files read as places, ids unique across files, and every region of
    content/regions.yaml has its place."""
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    keys: set[str] = set()
    for path in files(root):
        try:
            country = load(PlacesFile, path).country
        except ContentError:
            continue  # the schema's problems are reported with the file's own check
        try:
            records = _records(country, path)
        except ContentError as error:
            problems += error.problems
            continue
        for record in records:
            if record.id in owners:
                problems.append(Problem(relative(path), record.id, f"the id is used in {owners[record.id]} too"))
            owners[record.id] = relative(path)
            keys.add(record.region_key)
    if files(root):
        problems += [
            Problem("content/regions.yaml", region.id, "no place in content/places/ names this region")
            for region in regions_file().regions
            if region.id not in keys
        ]
    return problems
