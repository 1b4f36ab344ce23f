"""Reading what people type: dates in the usual ways, whole numbers, and "since when" as a date, a month
or how long ago."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from babel.dates import get_month_names

MAX_MONTHS = 1200  # a hundred years: anything longer is a typing mistake
# 05.03.2025, 5.3.2025, 05/03/2025, 05-03-2025, 5.3.25, 2025-03-05, and a month alone: 03.2025
_DAY_FIRST = re.compile(r"^(\d{1,2})[./\-\s](\d{1,2})[./\-\s](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH_ONLY = re.compile(r"^(\d{1,2})[./\-\s](\d{4})$")
_NUMBER = re.compile(r"^\d{1,4}$")


def parse_date(text: str) -> dt.date | None:
    text = text.strip().rstrip(".")
    try:
        if match := _ISO.match(text):
            year, month, day = map(int, match.groups())
        elif match := _DAY_FIRST.match(text):
            day, month, year = map(int, match.groups())
            year += 2000 if year < 100 else 0
        elif match := _MONTH_ONLY.match(text):
            day, (month, year) = 1, map(int, match.groups())
        else:
            return None
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_number(text: str, largest: int) -> int | None:
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    number = int(text)
    return number if number <= largest else None


# --- "since when": a date, a month, or how long ago -------------------------------------------------------

_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_STEMS: dict[str, int] = {}
for _locale in ("kk", "ru", "ky", "en"):
    for _width in ("wide", "abbreviated"):
        for _context in ("format", "stand-alone"):
            for _number, _name in get_month_names(_width, _context, locale=_locale).items():
                _MONTH_STEMS[_name.lower().rstrip(".")[:3]] = _number
_MONTH_STEMS["мае"] = 5  # «в мае 2025»
_NUMBER_WORDS = {
    **dict.fromkeys(("один", "одна", "одну", "бір", "бир", "one", "a", "an"), 1),
    **dict.fromkeys(("два", "две", "екі", "эки", "two"), 2),
    **dict.fromkeys(("три", "үш", "three"), 3),
    **dict.fromkeys(("четыре", "төрт", "four"), 4),
    **dict.fromkeys(("пять", "бес", "беш", "five"), 5),
    **dict.fromkeys(("шесть", "алты", "six"), 6),
    **dict.fromkeys(("семь", "жеті", "жети", "seven"), 7),
    **dict.fromkeys(("восемь", "сегіз", "сегиз", "eight"), 8),
    **dict.fromkeys(("девять", "тоғыз", "тогуз", "nine"), 9),
    **dict.fromkeys(("десять", "он", "ten"), 10),
    **dict.fromkeys(("одиннадцать", "eleven"), 11),
    **dict.fromkeys(("двенадцать", "twelve"), 12),
}
_HALF = {"пол", "полгода", "жарты", "жарым", "half"}
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Span:
    """When something happened, as precisely as it was said: some day from `earliest` to `latest`."""

    earliest: dt.date
    latest: dt.date

    @property
    def exact(self) -> bool:
        return self.earliest == self.latest

    def stored(self, earliest: bool) -> str:
        """As a profile keeps it: the date, `YYYY-MM` for a whole month, or, for "how long ago", the end of
        the span that counts against the person (`earliest` for a window that closes, else `latest`)."""
        if self.exact:
            return self.earliest.isoformat()
        if self.earliest.day == 1 and self.latest == _month_end(self.earliest):
            return f"{self.earliest.year:04d}-{self.earliest.month:02d}"
        return (self.earliest if earliest else self.latest).isoformat()


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_ago(months: int, today: dt.date) -> Span:
    """`months` whole months completed by today: the start was after the day `months + 1` months ago, and no
    later than the day `months` months ago (5 months on 1 March 2026: from 2 September to 1 October 2025)."""
    return Span(_add_months(today, -(months + 1)) + dt.timedelta(days=1), _add_months(today, -months))


def span_of(value: str) -> Span:
    """A stored value (`2025-09-02` or `2025-09`) as a span; ValueError when it is neither."""
    if match := _ISO_MONTH.match(value):
        first = dt.date(int(match.group(1)), int(match.group(2)), 1)
        return Span(first, _month_end(first))
    day = dt.date.fromisoformat(value)
    return Span(day, day)


def parse_when(text: str, today: dt.date) -> Span | None:
    """A past day or month as people write it: «01.09.2025», «09.2025», «сентябрь 2025», «2025 жылдың
    қыркүйегі», «2 сентября 2025», «полгода назад», «1 год», «12 месяцев», «бір жыл», «5» (months ago).
    None when it is none of these, or in the future."""
    span = _date_or_month(text) or _how_long_ago(text, today)
    return None if span is None or span.earliest > today else span


def _date_or_month(text: str) -> Span | None:
    cleaned = text.strip().rstrip(".")
    if (match := _MONTH_ONLY.match(cleaned)) or (match := _ISO_MONTH.match(cleaned)):
        first, second = map(int, match.groups())
        month, year = (first, second) if first <= 12 and second > 12 else (second, first)
        if not 1 <= month <= 12:
            return None
        return span_of(f"{year:04d}-{month:02d}")
    day = parse_date(cleaned)
    if day is not None:
        return Span(day, day)
    words = [word.lower() for word in _WORD.findall(cleaned)]
    years = [int(word) for word in words if word.isdigit() and len(word) == 4]
    months = [
        _MONTH_STEMS[word[:3]] for word in words if word.isalpha() and len(word) >= 3 and word[:3] in _MONTH_STEMS
    ]
    if len(years) != 1 or len(months) != 1:
        return None
    month_span = span_of(f"{years[0]:04d}-{months[0]:02d}")
    days = [int(word) for word in words if word.isdigit() and len(word) <= 2]
    if len(days) == 1:
        try:
            exact = month_span.earliest.replace(day=days[0])
        except ValueError:
            return None
        return Span(exact, exact)
    return month_span if not days else None


def _how_long_ago(text: str, today: dt.date) -> Span | None:
    words = [word.lower() for word in _WORD.findall(text)]
    if not words:
        return None
    if len(words) == 1 and words[0].isdigit():
        number = parse_number(words[0], MAX_MONTHS)
        return months_ago(number, today) if number is not None else None
    numbers = [
        int(word) if word.isdigit() else _NUMBER_WORDS[word]
        for word in words
        if word.isdigit() or word in _NUMBER_WORDS
    ]
    half = any(word in _HALF for word in words)
    if any(word.startswith(("мес", "month")) or word.startswith("ай") and len(word) <= 4 for word in words):
        unit = 1
    elif any(word.startswith(("год", "лет", "жыл", "year")) or word.startswith("полгод") for word in words):
        unit = 12
    else:
        return None
    if half and unit == 12:
        months = 6 + 12 * sum(numbers)
    elif numbers:
        months = unit * sum(numbers)  # «он бір» = 10 + 1
    else:
        months = unit  # «год назад», «a month ago»
    return months_ago(months, today) if 0 <= months <= MAX_MONTHS else None
