"""Statuses from a CSV file: every row checked first, then the valid ones applied in one transaction, each
person told once about where their application ended up; a report of rows applied and refused with reasons.

Columns (a header row; `;` or `,`): `application` (the bot's id, as officials see it) or `number` (the
application number), `status`, and optionally `note` (for the person) and `at` (when the status was reached,
ISO 8601; default: now). A row already applied (the same file imported again) is counted as unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import zone_for
from bot.officials import access
from bot.storage.models import Application, ApplicationEvent, Contact, Official
from bot.tracking import checkins, notices, updates
from bot.tracking.buttons import row_id
from bot.tracking.deadlines import COUNTRY
from bot.tracking.steps import tracking
from bot.tracking.store import clean_number
from bot.tracking.texts import path_of

MAX_ROWS = 200_000
CHUNK = 1000  # ids per query


@dataclass
class Report:
    applied: int = 0
    unchanged: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    notified: int = 0

    def lines(self) -> list[str]:
        head = f"applied: {self.applied}, unchanged (already applied): {self.unchanged}, refused: {len(self.refused)}"
        return [head, f"people told: {self.notified}"] + [f"line {line}: {reason}" for line, reason in self.refused]


@dataclass(frozen=True)
class Row:
    line: int
    application: Application
    status: str
    note: str | None
    at: dt.datetime | None
    key: str


class BadFile(ValueError):
    """The file cannot be read as a status CSV at all (no header, no status column, too many rows)."""


def read_rows(content: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    sample = content[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(content), dialect=dialect)
    fields = [name.strip().lower() for name in reader.fieldnames or []]
    if "status" not in fields or not ({"application", "number"} & set(fields)):
        raise BadFile("the header must name `status` and `application` or `number`")
    reader.fieldnames = fields
    rows = [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}) for row in reader]
    if len(rows) > MAX_ROWS:
        raise BadFile(f"more than {MAX_ROWS} rows: split the file")
    return fields, rows


def row_key(values: dict[str, str]) -> str:
    """The row's identity across imports: the same row of any file is applied once."""
    canonical = "\x1f".join(values.get(name, "") for name in ("application", "number", "status", "note", "at"))
    return "csv:" + hashlib.sha256(canonical.encode()).hexdigest()[:40]


def parse_at(text: str, now: dt.datetime) -> dt.datetime | None:
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone_for(COUNTRY))
    moment = moment.astimezone(dt.UTC)
    if moment > now:
        raise ValueError("in the future")
    return moment


async def _applications(session: AsyncSession, rows: list[tuple[int, dict[str, str]]]) -> dict[str, Application]:
    """The applications the rows name, by `id:<n>` and `number:<n>`."""
    ids = {number for _, values in rows if (number := row_id(values.get("application", ""))) is not None}
    numbers = {clean_number(values["number"]) for _, values in rows if values.get("number")}
    found: dict[str, Application] = {}
    for chunk in range(0, len(ids), CHUNK):
        part = sorted(ids)[chunk : chunk + CHUNK]
        for application in await session.scalars(select(Application).where(Application.id.in_(part))):
            found[f"id:{application.id}"] = application
    numbers.discard(None)
    for chunk in range(0, len(numbers), CHUNK):
        part = sorted(numbers)[chunk : chunk + CHUNK]
        for application in await session.scalars(select(Application).where(Application.number.in_(part))):
            found.setdefault(f"number:{application.number}", application)
    return found


async def _applied_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    applied: set[str] = set()
    for chunk in range(0, len(keys), CHUNK):
        part = keys[chunk : chunk + CHUNK]
        applied |= set(
            await session.scalars(select(ApplicationEvent.request_key).where(ApplicationEvent.request_key.in_(part)))
        )
    return applied


async def check(
    session: AsyncSession, content: str, actor: updates.Actor, now: dt.datetime, report: Report
) -> list[Row]:
    """The rows that can be applied, in order; every other row goes into the report with its reason."""
    _fields, rows = read_rows(content)
    applications = await _applications(session, rows)
    keys = {line: row_key(values) for line, values in rows}
    done = await _applied_keys(session, list(keys.values()))
    statuses = tracking().data.statuses
    areas: dict[str, str | None] = {}  # area → why the actor may not act there (None: allowed)
    current: dict[int, str] = {}  # each application's status as the rows so far leave it
    valid: list[Row] = []
    for line, values in rows:
        if keys[line] in done:
            report.unchanged += 1
            continue
        reference = f"id:{values['application']}" if values.get("application") else f"number:{values.get('number')}"
        application = applications.get(reference)
        status = values.get("status", "")
        if application is None:
            report.refused.append((line, f"no application {reference.replace(':', ' ')}"))
            continue
        if status not in statuses:
            report.refused.append((line, f"unknown status {status!r}"))
            continue
        area = updates.area_of(application)
        if area not in areas:
            try:
                await access.authorise(session, actor.official, updates.UPDATE, area, now, via="import")
                areas[area] = None
            except access.Denied as denied:
                areas[area] = denied.reason
        if areas[area] is not None:
            report.refused.append((line, f"application {application.id}: {areas[area].replace('_', ' ')}"))
            continue
        try:
            at = parse_at(values.get("at", ""), now)
        except ValueError as error:
            report.refused.append((line, f"`at` {values.get('at')!r}: {error}"))
            continue
        was = current.get(application.id, application.status)
        if status not in path_of(application).allowed_after(was):
            report.refused.append((line, f"application {application.id}: {status} cannot follow {was}"))
            continue
        current[application.id] = status
        valid.append(Row(line, application, status, values.get("note") or None, at, keys[line]))
    return valid


async def _contacts(session: AsyncSession, ids: set[int]) -> dict[int, Contact]:
    found: dict[int, Contact] = {}
    ordered = sorted(ids)
    for chunk in range(0, len(ordered), CHUNK):
        part = ordered[chunk : chunk + CHUNK]
        found.update(
            (contact.id, contact) for contact in await session.scalars(select(Contact).where(Contact.id.in_(part)))
        )
    return found


async def import_statuses(session: AsyncSession, content: str, official: Official | None, now: dt.datetime) -> Report:
    """Checks then applies a whole file in the caller's transaction (which rolls everything back on a failure):
    each change audited, each application's timers moved on, each person told once about where their
    application ended up. `official` None: the operator at the command line."""
    actor = updates.Actor("import", official) if official else updates.Actor("operator")
    report = Report()
    valid = await check(session, content, actor, now, report)
    last: dict[int, Row] = {}
    moved: list[Application] = []
    for row in valid:
        await updates.audit(session, row.application, row.status, now, actor)
        moving = row.status == updates.MOVED and row.application.moved_on is None
        session.add(updates.record(row.application, row.status, now, actor, row.note, row.at, row.key))
        moved += [row.application] if moving else []
        last[row.application.id] = row
        report.applied += 1
    await session.flush()
    changed = [row.application for row in last.values()]
    await notices.after_many(session, changed)
    contacts = await _contacts(session, {application.contact_id for application in changed})
    for application in moved:
        await checkins.schedule_all(session, application, contacts[application.contact_id])
    told = [
        (row.application, contacts[row.application.contact_id], row.note, f"trk:imp:{row.key}") for row in last.values()
    ]
    report.notified = await notices.notify_many(session, told, now)
    return report
