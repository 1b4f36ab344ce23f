"""Finding a place by what a person types: every name and alias folded to one spelling (bot.places.fold),
exact keys from a dictionary, then prefixes and typos (rapidfuzz), each hit with its district and region so
that namesakes can be told apart.

The index lives in memory (a few MB for 10,000 places) and is rebuilt when the places table changes.
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import re
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.places import store
from bot.places.fold import compact, fold, strip_generic
from bot.storage.models import Place

FUZZY_CUTOFF = 75  # rapidfuzz ratio (0-100) below which a typed name is not that place
CONFIDENT = 90  # a best hit at least this good, and clearly ahead, is taken without asking
AMBIGUITY_MARGIN = 3  # hits less than this many points behind the best one are as likely as it
AREA_MISMATCH = 10  # points off a hit that does not lie in the areas typed after its name
PREFIX_SCAN = 40  # keys looked at for a prefix ("Кызыл" → Кызыл-Адыр…)
RECHECK_SECONDS = 10.0  # how often a search asks the database whether the places changed
_FULL, _STRIPPED = 100.0, 97.0  # an exact key with its kind word ("Ош облусу"), and without it ("Ош")
_KIND_ORDER = {
    kind: rank for rank, kind in enumerate(("country", "region", "city", "district", "town", "ayil_aimak", "village"))
}


@dataclass(frozen=True)
class Names:
    kk: str
    ru: str
    ky: str
    latin: str

    def __call__(self, language: str) -> str:
        return getattr(self, language, None) or self.latin

    @classmethod
    def of(cls, place: Place) -> Names:
        return cls(place.name_kk, place.name_ru, place.name_ky, place.name_latin)


@dataclass(frozen=True)
class Hit:
    place_id: str
    score: float
    names: Names
    kind: str
    district: Names | None
    region: Names | None
    district_id: str | None = None
    region_id: str | None = None

    def label(self, language: str) -> str:
        """ "Кызыл-Адыр (Кара-Буура району, Талас облусу)": the name with what tells it from namesakes."""
        around = [names(language) for names in (self.district, self.region) if names is not None]
        return f"{self.names(language)} ({', '.join(around)})" if around else self.names(language)

    def as_json(self) -> dict:
        return {
            "id": self.place_id,
            "score": round(self.score, 1),
            "kind": self.kind,
            "names": vars(self.names),
            "district": {"id": self.district_id, **vars(self.district)} if self.district else None,
            "region": {"id": self.region_id, **vars(self.region)} if self.region else None,
        }


@dataclass(frozen=True)
class _Entry:
    id: str
    country: str
    kind: str
    names: Names
    district: int | None
    region: int | None


_PARTS = re.compile(r"[,;()]")
_NAME_COLUMNS = (Place.name_kk, Place.name_ru, Place.name_ky, Place.name_latin)


class PlaceIndex:
    """Every place's names as folded keys; `search` answers from memory."""

    def __init__(self, places: Iterable[Place]):  # or rows with the same attributes
        rows = [
            (place.id, place.country, place.kind, place.path, Names.of(place), tuple(place.aliases or ()))
            for place in places
        ]
        position = {row[0]: number for number, row in enumerate(rows)}
        kinds = [row[2] for row in rows]
        self.entries: list[_Entry] = []
        keys: dict[str, dict[int, float]] = {}
        for number, (place_id, country, kind, path, names, aliases) in enumerate(rows):
            above = [position[ancestor] for ancestor in path.strip("/").split("/")[:-1]]
            district = next((at for at in reversed(above) if kinds[at] == "district"), None)
            region = above[1] if len(above) >= 2 else None
            self.entries.append(_Entry(place_id, country, kind, names, district, region))
            for name in {names.kk, names.ru, names.ky, names.latin, *aliases}:
                folded = fold(name)
                for key, quality in ((compact(folded), _FULL), (compact(strip_generic(folded)), _STRIPPED)):
                    if key and keys.setdefault(key, {}).get(number, 0) < quality:
                        keys[key][number] = quality
        self.keys = sorted(keys)  # sorted for the prefix search
        self.places_of = [keys[key] for key in self.keys]
        self.exact = dict(zip(self.keys, self.places_of, strict=True))

    def __len__(self) -> int:
        return len(self.entries)

    def search(self, text: str, country: str | None = None, limit: int = 10) -> list[Hit]:
        """The places `text` may mean, best first; empty when it means none. Areas named after a comma or in
        brackets ("Кызыл-Адыр, Кара-Буура") put the places lying in them first: namesakes told apart."""
        name, *areas = [part for part in _PARTS.split(text) if part.strip()] or [""]
        if not areas:
            return self._search(name, country, limit)
        said = [key for key in (compact(strip_generic(fold(area))) for area in areas) if key]
        hits = [
            hit if self._lies_in(hit, said) else replace(hit, score=hit.score - AREA_MISMATCH)
            for hit in self._search(name, country, limit * 3)
        ]
        return sorted(hits, key=lambda hit: -hit.score)[:limit]

    def _lies_in(self, hit: Hit, said: list[str]) -> bool:
        """Whether every area said names the hit's district or region (its start will do, or a typo)."""
        around = [
            compact(strip_generic(fold(name)))
            for names in (hit.district, hit.region)
            if names is not None
            for name in vars(names).values()
        ]
        return all(
            any(key.startswith(area) or fuzz.ratio(area, key) >= FUZZY_CUTOFF for key in around) for area in said
        )

    def _search(self, text: str, country: str | None, limit: int) -> list[Hit]:
        folded = fold(text)
        full, stripped = compact(folded), compact(strip_generic(folded)) or compact(folded)
        if not full:
            return []
        # A kind word typed ("Ош облусу") prefers the places named with it; none typed ("Ош"), all are alike.
        kind_typed = full != stripped
        scores: dict[int, float] = {}
        for key, ceiling in ((full, _FULL), (stripped, _STRIPPED)):
            for number, quality in self.exact.get(key, {}).items():
                score = min(quality, ceiling) if kind_typed else _FULL
                scores[number] = max(scores.get(number, 0), score)
        scores = self._only(scores, country)
        if not scores:
            scores = self._only(self._near(stripped, limit), country)
        entries = self.entries
        ranked = heapq.nsmallest(
            limit, scores, key=lambda n: (-scores[n], _KIND_ORDER.get(entries[n].kind, 9), entries[n].id)
        )
        return [self._hit(number, scores[number]) for number in ranked]

    def _near(self, query: str, limit: int) -> dict[int, float]:
        """Prefixes ("kizil" → "kiziladir") and typos."""
        scores: dict[int, float] = {}

        def offer(index: int, score: float) -> None:
            for number, quality in self.places_of[index].items():
                scores[number] = max(scores.get(number, 0), score * quality / _FULL)

        if len(query) >= 3:
            start = bisect.bisect_left(self.keys, query)
            for index in range(start, min(start + PREFIX_SCAN, len(self.keys))):
                if not self.keys[index].startswith(query):
                    break
                offer(index, 80 + 15 * len(query) / len(self.keys[index]))
        if len(scores) >= limit:
            return scores  # the start of names: enough to offer, no need to look for typos
        for _key, score, index in process.extract(
            query, self.keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=limit * 4
        ):
            offer(index, score)
        return scores

    def _only(self, scores: dict[int, float], country: str | None) -> dict[int, float]:
        if country is None:
            return scores
        return {number: score for number, score in scores.items() if self.entries[number].country == country.upper()}

    def _hit(self, number: int, score: float) -> Hit:
        entry = self.entries[number]
        district = self.entries[entry.district] if entry.district is not None else None
        region = self.entries[entry.region] if entry.region is not None else None
        return Hit(
            entry.id,
            score,
            entry.names,
            entry.kind,
            district.names if district else None,
            region.names if region else None,
            district.id if district else None,
            region.id if region else None,
        )


def ambiguous(hits: list[Hit]) -> bool:
    """Several hits about as good as the best: the person should say which they mean."""
    return len(hits) > 1 and hits[1].score > hits[0].score - AMBIGUITY_MARGIN


def clear_choice(hits: list[Hit]) -> Hit | None:
    """The one place the text means without asking, or None."""
    return hits[0] if hits and hits[0].score >= CONFIDENT and not ambiguous(hits) else None


@dataclass
class _Cached:
    index: PlaceIndex
    signature: tuple
    generation: int
    checked: float  # time.monotonic() of the last check that the table is unchanged


_indexes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def index_for(session: AsyncSession) -> PlaceIndex:
    """The index of the session's database. Rebuilt at once after a change this process wrote, and after a
    change another process wrote (an import at the command line) within RECHECK_SECONDS."""
    engine = session.bind.sync_engine if hasattr(session.bind, "sync_engine") else session.bind
    cached = _indexes.get(engine)
    now = time.monotonic()
    if cached is not None and cached.generation == store.generation and now - cached.checked < RECHECK_SECONDS:
        return cached.index
    current = await store.signature(session)
    if cached is None or cached.signature != current or cached.generation != store.generation:
        generation = store.generation
        columns = (Place.id, Place.country, Place.kind, Place.path, *_NAME_COLUMNS, Place.aliases)
        rows = (await session.execute(select(*columns).order_by(Place.path))).all()  # plain rows: safe in a thread
        # Built in a thread: for 10,000 places it takes about a second, and the others' answers go on meanwhile.
        cached = _Cached(await asyncio.to_thread(PlaceIndex, rows), current, generation, now)
        _indexes[engine] = cached
    cached.checked = now
    return cached.index
