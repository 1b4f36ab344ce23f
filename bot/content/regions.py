"""Regions of Kazakhstan: names in every language, fuzzy matching of what people type, and roles."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import Field
from rapidfuzz import fuzz, process

from bot.content import CONTENT_DIR
from bot.content.loader import load
from bot.content.schema import Localized, Source, Strict

REGIONS_FILE = CONTENT_DIR / "regions.yaml"
MATCH_CUTOFF = 80  # rapidfuzz score (0-100) below which a typed name matches nothing
CLEAR_LEAD = 5  # how far the best match must lead the next region's to be taken without asking
# Words that say what kind of place it is, not which: dropped before matching ("Павлодарская область").
_GENERIC = re.compile(r"\b(облысы|облусу|область|обл|region|oblast|қаласы|шаары|город|г|city|қ|ш)\b\.?", re.IGNORECASE)


class RegionNames(Strict):
    kk: str
    ru: str
    ky: str
    en: str

    def __call__(self, language: str) -> str:
        return getattr(self, language)


class Role(Strict):
    description: Localized
    source: Source


class Region(Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    names: RegionNames
    aliases: list[str] = []
    roles: list[str] = []


class RegionsFile(Strict):
    roles: dict[str, Role]
    regions: list[Region]


@lru_cache
def regions_file() -> RegionsFile:
    return load(RegionsFile, REGIONS_FILE)


def regions() -> list[Region]:
    return regions_file().regions


def region(region_id: str) -> Region | None:
    return next((candidate for candidate in regions() if candidate.id == region_id), None)


def region_name(region_id: str | None, language: str) -> str | None:
    """The region's name in `language`, or None for no id or an id no region has."""
    found = region(region_id) if region_id else None
    return found.names(language) if found else None


def normalise(text: str, keep_kind: bool = False) -> str:
    """Lower case, no punctuation, and (unless `keep_kind`) no words like "область" or "city"."""
    text = text.lower().replace("ё", "е")
    if not keep_kind:
        text = _GENERIC.sub(" ", text)
    return " ".join(re.sub(r"[^\w\s-]", " ", text).split())


def _names(candidate: Region) -> tuple[str, ...]:
    return (candidate.id, *candidate.names.model_dump().values(), *candidate.aliases)


@lru_cache
def _choices() -> tuple[tuple[str, str], ...]:
    """Every name and alias, normalised, with the id of its region."""
    return tuple((normalise(name), candidate.id) for candidate in regions() for name in _names(candidate))


@lru_cache
def _full_names() -> dict[str, str]:
    """Full names ("город Алматы", "Almaty (city)") to their region: these tell a city from its region."""
    return {normalise(name, keep_kind=True): candidate.id for candidate in regions() for name in _names(candidate)}


def find_regions(text: str, limit: int = 3) -> list[Region]:
    """The regions a typed name may mean, best first (at most `limit`), or none."""
    query = normalise(text)
    if not query:
        return []
    names = [name for name, _ in _choices()]
    scores: dict[str, float] = {}
    for _name, score, index in process.extract(query, names, scorer=fuzz.WRatio, limit=None, score_cutoff=MATCH_CUTOFF):
        region_id = _choices()[index][1]
        scores[region_id] = max(score, scores.get(region_id, 0))
    best = sorted(scores, key=lambda region_id: -scores[region_id])[:limit]
    return [region(region_id) for region_id in best]


def find_region(text: str) -> Region | None:
    """The one region a typed name or id means, or None when it means none or is ambiguous ("Алматы")."""
    if region(text) is not None:
        return region(text)
    if normalise(text, keep_kind=True) in _full_names():
        return region(_full_names()[normalise(text, keep_kind=True)])
    query = normalise(text)
    exact = {region_id for name, region_id in _choices() if name == query}
    if len(exact) == 1:
        return region(exact.pop())
    if len(exact) > 1:
        return None
    candidates = find_regions(text, limit=2)
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    first, second = (_score(query, candidate) for candidate in candidates)
    return candidates[0] if first - second >= CLEAR_LEAD else None


def _score(query: str, candidate: Region) -> float:
    return max(fuzz.WRatio(query, name) for name, region_id in _choices() if region_id == candidate.id)
