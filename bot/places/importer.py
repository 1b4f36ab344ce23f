"""`joldas places import FILE.csv`: an official list of places (KATO for Kazakhstan, SOATE for Kyrgyzstan),
checked row by row first, then written in one transaction.

Columns (a header row names them; order free, UTF-8, comma-separated):
  id          required  our id: the parent's id, "-", then capitals and digits (KG-O-KARASUU-JANYARYK)
  parent_id   required  the area it lies in: a row of the file (before or after) or a place already stored
  kind        required  region | city | district | ayil_aimak | town | village
  name_ru     required  the Russian name
  name_kk, name_ky, name_latin   optional; an empty one is shown as name_ru
  kato        optional  the KATO or SOATE code, 6–14 digits
  aliases     optional  other spellings, separated by "|"
  source      optional  where the row comes from (default: the file's name)
A row for a stored id updates it (an empty kato or source keeps the stored one); importing a file twice
changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.places.content import ID_PATTERN, KINDS, PlaceRecord
from bot.places.store import Written, stored_paths, write

REQUIRED = ("id", "parent_id", "kind", "name_ru")
COLUMNS = (*REQUIRED, "name_kk", "name_ky", "name_latin", "kato", "aliases", "source")
_ID = re.compile(ID_PATTERN)
_KATO = re.compile(r"^\d{6,14}$")
_MAX_NAME = 200


@dataclass(frozen=True)
class Refused:
    line: int
    id: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.id or '(no id)'}: {self.reason}"


@dataclass
class Checked:
    records: list[PlaceRecord] = field(default_factory=list)  # parents first
    refused: list[Refused] = field(default_factory=list)


class PlacesFileError(Exception):
    """The file cannot be read as a places CSV at all (not a row's problem)."""


def read_rows(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise PlacesFileError(f"{path} cannot be read: {error}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in REQUIRED if column not in (reader.fieldnames or ())]
    if missing:
        raise PlacesFileError(f"{path.name}: the header lacks {', '.join(missing)} (columns: {', '.join(COLUMNS)})")
    return [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]


def _record(row: dict[str, str], default_source: str) -> PlaceRecord | str:
    """The row as a place, or why it is refused."""
    place_id, parent = row.get("id", ""), row.get("parent_id", "")
    if not _ID.match(place_id) or "-" not in place_id or len(place_id) > 48:
        return "the id must be the country's code and parts in capitals and digits, like KG-O-KARASUU"
    if not parent or not place_id.startswith(parent + "-"):
        return f"the id must start with its parent's id and a hyphen (parent: {parent or 'none'})"
    if row.get("kind") not in KINDS or row.get("kind") == "country":
        return f"kind {row.get('kind')!r} is not one of {', '.join(k for k in KINDS if k != 'country')}"
    names = {column: row.get(column, "") for column in ("name_kk", "name_ru", "name_ky", "name_latin")}
    if not names["name_ru"]:
        return "name_ru is empty"
    if any(len(name) > _MAX_NAME for name in names.values()):
        return f"a name is longer than {_MAX_NAME} characters"
    if row.get("kato") and not _KATO.match(row["kato"]):
        return f"kato {row['kato']!r} is not 6 to 14 digits"
    return PlaceRecord(
        id=place_id,
        kind=row["kind"],
        parent_id=parent,
        name_kk=names["name_kk"] or names["name_ru"],
        name_ru=names["name_ru"],
        name_ky=names["name_ky"] or names["name_ru"],
        name_latin=names["name_latin"] or names["name_ru"],
        aliases=tuple(alias.strip() for alias in row.get("aliases", "").split("|") if alias.strip()),
        kato=row.get("kato") or None,
        source=row.get("source") or default_source,
    )


def check(rows: list[dict[str, str]], stored: dict[str, str], default_source: str) -> Checked:
    """Every row as a place or a refusal; rows come out parents first, whatever order the file has. A row
    whose parent is refused or unknown is refused too. (An id starts with its parent's, so no cycle.)"""
    checked = Checked()
    candidates: dict[str, tuple[int, PlaceRecord]] = {}
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        record = _record(row, default_source)
        if isinstance(record, str):
            checked.refused.append(Refused(line, row.get("id", ""), record))
        elif record.id in candidates:
            checked.refused.append(Refused(line, record.id, f"the id is on line {candidates[record.id][0]} too"))
        else:
            candidates[record.id] = (line, record)
    placed = set(stored)
    waiting = dict(candidates)
    while waiting:
        ready = [place_id for place_id, (_, record) in waiting.items() if record.parent_id in placed]
        if not ready:
            break
        for place_id in ready:
            checked.records.append(waiting.pop(place_id)[1])
            placed.add(place_id)
    for place_id, (line, record) in sorted(waiting.items(), key=lambda item: item[1][0]):
        checked.refused.append(Refused(line, place_id, f"its parent {record.parent_id} is neither stored nor imported"))
    checked.refused.sort(key=lambda refused: refused.line)
    return checked


async def import_file(session: AsyncSession, path: Path, partial: bool = False) -> tuple[Checked, Written | None]:
    """Checks the file; writes it when no row is refused (or, with `partial`, writes the rows that pass)."""
    checked = check(read_rows(path), await stored_paths(session), path.name)
    if checked.refused and not partial:
        return checked, None
    return checked, await write(session, checked.records)
