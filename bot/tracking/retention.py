"""Retention after the move, the seeds' R-12 (seed 002 L27–30), and after 24 months: per destination region
and cohort (the year of the move), from the check-ins' "still living in the region?" and the statuses an
official recorded (12 or 24 months in the region, left the region). A person counts once the horizon has
passed; one who said neither is "not known", never guessed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.regions import region_name
from bot.conversation import Document
from bot.delivery.documents import builder
from bot.eligibility.evaluator import add_months
from bot.i18n import Texts, texts
from bot.storage.models import Application, ApplicationEvent, CheckIn, Place
from bot.tracking.store import in_area
from bot.tracking.texts import local_day

HORIZONS = (12, 24)
STAYED = {12: ("retained_12m", "retained_24m"), 24: ("retained_24m",)}
CHART = "tracking.retention_chart"


@dataclass
class Horizon:
    due: int = 0  # moved at least that many months ago
    stayed: int = 0
    left: int = 0

    @property
    def rate(self) -> float | None:
        answered = self.stayed + self.left
        return self.stayed / answered if answered else None


@dataclass
class Row:
    destination: str | None
    cohort: int
    moved: int = 0
    horizons: dict[int, Horizon] = field(default_factory=lambda: {months: Horizon() for months in HORIZONS})


def outcome(months: int, moved_on: dt.date, answers: dict[int, bool], statuses: dict[str, dt.date]) -> bool | None:
    """Whether a person was still in the region `months` after moving: True, False, or None (not known)."""
    if "left_region" in statuses and statuses["left_region"] <= add_months(moved_on, months):
        return False
    if any(answers.get(earlier) is False for earlier in HORIZONS if earlier < months):
        return False  # gone at an earlier check-in
    if answers.get(months) is not None:
        return answers[months]
    if any(status in statuses for status in STAYED[months]):
        return True
    return None


async def table(session: AsyncSession, area: Place | None, today: dt.date) -> list[Row]:
    """Rows per destination and cohort, within an area (everything for the operator)."""
    moved = list(await session.scalars(select(Application).where(Application.moved_on.is_not(None), in_area(area))))
    ids = [application.id for application in moved]
    answers: dict[int, dict[int, bool]] = defaultdict(dict)
    statuses: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for chunk in range(0, len(ids), 1000):
        part = ids[chunk : chunk + 1000]
        checkins = await session.execute(
            select(CheckIn.application_id, CheckIn.month, CheckIn.in_region).where(
                CheckIn.application_id.in_(part), CheckIn.month.in_(HORIZONS)
            )
        )
        for application_id, month, in_region in checkins:
            answers[application_id][month] = in_region
        events = await session.execute(
            select(ApplicationEvent.application_id, ApplicationEvent.status, ApplicationEvent.at).where(
                ApplicationEvent.application_id.in_(part),
                ApplicationEvent.status.in_(("retained_12m", "retained_24m", "left_region")),
            )
        )
        for application_id, status, at in events:
            statuses[application_id][status] = local_day(at)
    rows: dict[tuple[str | None, int], Row] = {}
    for application in moved:
        key = (application.destination, application.moved_on.year)
        row = rows.setdefault(key, Row(*key))
        row.moved += 1
        for months, horizon in row.horizons.items():
            if add_months(application.moved_on, months) > today:
                continue
            horizon.due += 1
            said = outcome(months, application.moved_on, answers[application.id], statuses[application.id])
            horizon.stayed += said is True
            horizon.left += said is False
    return sorted(rows.values(), key=lambda row: (row.destination or "~", row.cohort))


def percent(t: Texts, rate: float | None) -> str:
    return "—" if rate is None else f"{t.number(round(rate * 100))} %"


def label(t: Texts, row: Row) -> str:
    return f"{region_name(row.destination, t.language) or t.gettext('region not given')}, {row.cohort}"


def as_text(t: Texts, rows: list[Row]) -> str:
    if not rows:
        return t.gettext("Retention: nobody in this area has moved yet, as far as Joldas knows.")
    lines = [t.gettext("Retention after the move (still living in the region of destination):")]
    for row in rows:
        parts = [
            t.gettext("{months} months: {rate} ({stayed} of {known} known; {due} due)").format(
                months=months,
                rate=percent(t, horizon.rate),
                stayed=t.number(horizon.stayed),
                known=t.number(horizon.stayed + horizon.left),
                due=t.number(horizon.due),
            )
            for months, horizon in row.horizons.items()
        ]
        moved = t.gettext("moved: {n}").format(n=t.number(row.moved))
        lines.append(f"• {label(t, row)} — {moved}; " + "; ".join(parts))
    lines.append(t.gettext("Source of the measure: seed 002 L27–30 (R-12, proposed)."))
    return "\n".join(lines)


def chart_args(t: Texts, rows: list[Row]) -> dict:
    return {
        "language": t.language,
        "rows": [[label(t, row)] + [row.horizons[months].rate for months in HORIZONS] for row in rows],
    }


def chart_document(t: Texts, rows: list[Row]) -> Document | None:
    if not rows:
        return None
    return Document("retention.svg", CHART, chart_args(t, rows), caption=t.gettext("Retention chart"))


@builder(CHART)
def chart(args: dict) -> bytes:
    """A bar chart of retention at 12 and 24 months per destination and cohort, as SVG (opens in a browser).
    pygal is imported here, in the sender's thread, not at every start of the bot."""
    import pygal
    from pygal.style import DefaultStyle

    t = texts(args["language"])
    plot = pygal.Bar(
        style=DefaultStyle, x_label_rotation=30, range=(0, 100), show_legend=True, print_values=True, height=500
    )
    plot.title = t.gettext("Retention after the move, %")
    plot.x_labels = [row[0] for row in args["rows"]]
    for index, months in enumerate(HORIZONS, start=1):
        values = [None if row[index] is None else round(row[index] * 100) for row in args["rows"]]
        plot.add(t.gettext("{months} months").format(months=months), values)
    return plot.render()
