"""`joldas eligibility --profile FILE.json [--quota FILE] [--today YYYY-MM-DD] [--lang kk|ru|ky]`:
the pre-check for a machine, printed as JSON. Any mistake in the input is one line naming the field,
with exit status 2."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from bot.clock import SystemClock, local_today
from bot.content.loader import ContentError
from bot.content.yearly import load_quota, quota
from bot.eligibility.answers import span_of
from bot.eligibility.evaluator import evaluate, load_ruleset
from bot.eligibility.profile import ProfileError, parse_profile
from bot.eligibility.render import Renderer
from bot.i18n import texts


class InputError(Exception):
    pass


def main(args: argparse.Namespace) -> int:
    try:
        print(json.dumps(check(args), ensure_ascii=False, indent=2))
    except InputError as error:
        print(f"joldas eligibility: {error}", file=sys.stderr)
        return 2
    return 0


def check(args: argparse.Namespace) -> dict:
    try:
        today = dt.date.fromisoformat(args.today) if args.today else local_today(SystemClock(), "KZ")
    except ValueError:
        raise InputError(f"--today: {args.today!r} is not a date like 2026-03-01") from None
    try:
        text = args.profile.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"--profile: cannot read {args.profile}: {error}") from None
    try:
        profile = parse_profile(text)
    except ProfileError as error:
        raise InputError(f"profile {args.profile}: {error}") from None
    for name in ("registered_since", "moved_on", "graduated_on"):
        value = getattr(profile, name)
        if value is not None and span_of(value).earliest > today:
            raise InputError(f"profile {args.profile}: {name}: {value} is after the day of the check ({today})")
    try:
        year_quota = load_quota(args.quota) if args.quota else quota(today.year)
    except ContentError as error:
        raise InputError(f"--quota: {error}") from None
    ruleset = load_ruleset()
    try:
        book = ruleset.rules.book(today)
    except ValueError as error:
        raise InputError(f"--today: {error}") from None
    result = evaluate(profile, ruleset, year_quota, today)
    return Renderer(ruleset, book, texts(args.lang)).as_json(result)
