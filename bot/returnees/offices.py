"""Offices an operator loads from CSV (`joldas services import FILE.csv`): for a need and an area, its name,
address, phone, hours and what to bring. The sources name kinds of office, not their addresses; this file is
how the addresses get in, checked as a whole and applied as a whole (one bad row: nothing changes).

Columns: need, area_id, name_kk, name_ru, name_ky, address_kk, address_ru, address_ky, phone, hours,
bring_kk, bring_ru, bring_ky, source. `bring_*`, `phone` and `hours` may be empty; the rest may not.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import places
from bot.content.schema import LANGUAGES
from bot.returnees.needs import NEED_KEYS
from bot.storage.models import ServiceOffice

COLUMNS = (
    ("need", "area_id")
    + tuple(f"{field}_{lang}" for field in ("name", "address") for lang in LANGUAGES)
    + ("phone", "hours")
    + tuple(f"bring_{lang}" for lang in LANGUAGES)
    + ("source",)
)
OPTIONAL = ("phone", "hours") + tuple(f"bring_{lang}" for lang in LANGUAGES)
REQUIRED = tuple(column for column in COLUMNS if column not in OPTIONAL)
LIMITS = {"phone": 64, "hours": 64, "source": 200, "need": 24, "area_id": 64}
MAX_TEXT = 500


@dataclass(frozen=True)
class RowProblem:
    line: int  # the line in the file, the header being line 1
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column or '(row)'}: {self.message}"


def read(text: str) -> tuple[list[dict[str, str]], list[RowProblem]]:
    """The rows of a CSV text and every problem of form (columns, empty or too long values, unknown needs)."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [column for column in REQUIRED if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    if missing or unknown:
        problems = [RowProblem(1, column, "missing column") for column in missing]
        return [], problems + [RowProblem(1, column, "unknown column") for column in unknown]
    rows, problems = [], []
    for line, row in enumerate(reader, start=2):
        if None in row or any(value is None for value in row.values()):
            problems.append(RowProblem(line, "", f"expected {len(header)} values"))
            continue
        row = {column: (row.get(column) or "").strip() for column in COLUMNS}
        for column in REQUIRED:
            if not row[column]:
                problems.append(RowProblem(line, column, "empty"))
        for column, value in row.items():
            if len(value) > LIMITS.get(column, MAX_TEXT):
                problems.append(RowProblem(line, column, f"longer than {LIMITS.get(column, MAX_TEXT)} characters"))
        if row["need"] and row["need"] not in NEED_KEYS:
            problems.append(RowProblem(line, "need", f"unknown need {row['need']!r} (known: {', '.join(NEED_KEYS)})"))
        rows.append(row | {"_line": str(line)})
    return rows, problems


async def check(session: AsyncSession, rows: list[dict[str, str]]) -> list[RowProblem]:
    """Problems only the database can tell: an area that is no known place."""
    problems = []
    for row in rows:
        if row["area_id"] and await places.get(session, row["area_id"]) is None:
            problems.append(RowProblem(int(row["_line"]), "area_id", f"no place {row['area_id']!r}"))
    return problems


async def replace_all(session: AsyncSession, rows: list[dict[str, str]], now: datetime) -> int:
    """Replaces every office with these rows (the caller has checked them)."""
    await session.execute(delete(ServiceOffice))
    for row in rows:
        session.add(
            ServiceOffice(
                need=row["need"],
                area_id=row["area_id"],
                name={lang: row[f"name_{lang}"] for lang in LANGUAGES},
                address={lang: row[f"address_{lang}"] for lang in LANGUAGES},
                bring={lang: row[f"bring_{lang}"] for lang in LANGUAGES if row[f"bring_{lang}"]},
                phone=row["phone"] or None,
                hours=row["hours"] or None,
                source=row["source"],
                imported_at=now,
            )
        )
    return len(rows)


async def nearest(session: AsyncSession, need: str, lineage_ids: list[str]) -> list[ServiceOffice]:
    """The offices for a need in the nearest area of the lineage (the place first, the country last) that has any."""
    if not lineage_ids:
        return []
    found = list(
        await session.scalars(
            select(ServiceOffice)
            .where(ServiceOffice.need == need, ServiceOffice.area_id.in_(lineage_ids))
            .order_by(ServiceOffice.id)
        )
    )
    for area in lineage_ids:
        here = [office for office in found if office.area_id == area]
        if here:
            return here
    return []
