"""What an application's statuses, steps and limits are called in a person's language, and where it stands:
done, now, next and by when. Shared by the person's conversation, the notices and the officials' side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.clock import local_time
from bot.content.sources import cite
from bot.i18n import Texts
from bot.storage.models import Application, ApplicationEvent, as_utc
from bot.tracking.deadlines import COUNTRY, Planned, due_after, kz_days, plan
from bot.tracking.steps import Limit, PathSteps, Step, tracking

DONE, NOW, NEXT, LATER = "✅", "▶", "⏭", "•"


def local_day(moment: dt.datetime) -> dt.date:
    """The day in Almaty of a stored time (SQLite gives it back naive, in UTC)."""
    return local_time(as_utc(moment), COUNTRY).date()


def limit_words(t: Texts, limit: Limit | None) -> str:
    if limit is None:
        return t.gettext("no time limit in the Rules")
    if limit.unit == "end_of_next_month":
        return t.gettext("by the last day of the next month")
    if limit.unit == "working" and limit.days == 0:
        return t.gettext("the same day")
    if limit.unit == "working":
        words = t.ngettext("{n} working day", "{n} working days", limit.days)
    elif limit.unit == "calendar":
        words = t.ngettext("{n} calendar day", "{n} calendar days", limit.days)
    else:
        words = t.ngettext("{n} month", "{n} months", limit.days)
    return words.format(n=t.number(limit.days))


def sources_words(step: Step, language: str) -> str:
    return "; ".join(cite(source, language) for source in step.sources)


def status_name(status: str, language: str) -> str:
    return tracking().status_name(status, language)


def path_of(application: Application) -> PathSteps:
    return tracking().path(application.path, application.rules_version)


def status_day(application: Application) -> dt.date:
    """The day the current status counts from: the day the application counts as received, or the working day
    a later status was recorded on (after hours: the next)."""
    if application.status == "submitted":
        return application.counts_from
    return kz_days().received_on(as_utc(application.status_at))


def ahead(application: Application) -> list[Planned]:
    """The steps of the main line after the current status, each due when every step before takes its time."""
    return plan(path_of(application), status_day(application), after=application.status)


@dataclass(frozen=True)
class Expected:
    """The step an application waits for, and the last day the Rules allow for it."""

    step: Step
    due: dt.date


def expected(application: Application) -> Expected | None:
    step = path_of(application).expected_next(application.status)
    if step is None:
        return None
    return Expected(step, due_after(status_day(application), step.limit))


def timeline(t: Texts, application: Application, history: list[ApplicationEvent], today: dt.date) -> str:
    """Done, now, next and by when, with who moves each step and the limit's source."""
    language = t.language
    steps = tracking()
    lines = [
        t.gettext("Lodged: {date}, {office}").format(
            date=t.date(local_day(application.lodged_at)), office=steps.office_name(application.office, language)
        ),
        t.gettext("Counts from: {date} (that day is not counted)").format(date=t.date(application.counts_from)),
    ]
    if application.number:
        lines.append(t.gettext("Application number: {number}").format(number=application.number))
    lines.append("")
    for event in history[:-1]:
        lines.append(f"{DONE} {status_name(event.status, language)} — {t.date(local_day(event.at))}")
    lines.append(
        f"{NOW} "
        + t.gettext("Now: {status} (since {date})").format(
            status=status_name(application.status, language), date=t.date(status_day(application))
        )
    )
    for number, planned in enumerate(ahead(application)):
        step, name = planned.step, status_name(planned.step.status, language)
        who = steps.actor_name(step.by, language)
        if planned.due is not None:
            when = t.gettext("by {date}").format(date=t.date(planned.due))
            late = planned.due < today and number == 0
            when += " ⚠ " + t.gettext("overdue") if late else ""
        else:
            when = limit_words(t, step.limit)
        mark = NEXT if number == 0 else LATER
        proposed = " " + t.gettext("(proposed, not law)") if steps.data.statuses[step.status].proposed else ""
        lines.append(f"{mark} {name}{proposed} — {when}; {who} ({sources_words(step, language)})")
    return "\n".join(lines)
