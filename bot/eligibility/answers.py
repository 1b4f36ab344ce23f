"""Reading what people type: dates in the usual ways, whole numbers, and "how long" as a date or months."""

from __future__ import annotations

import datetime as dt
import re

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


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end` (5 March to 4 April is 0, to 5 April is 1)."""
    return (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)


def parse_months_since(text: str, today: dt.date) -> int | None:
    """A date in the past (counted in whole months to today) or a number of months; None if neither."""
    day = parse_date(text)
    if day is not None:
        return months_between(day, today) if day <= today else None
    return parse_number(text, MAX_MONTHS)
