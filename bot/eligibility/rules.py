"""The rules as data: content/eligibility/rules.yaml, its schema, and the version in force on a day.

A rule, a place to apply or a path may hold only from one version (`from`) or until one (`until`); a
check takes the newest version in force on its day and the items that hold in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveInt, model_validator

from bot.content import CONTENT_DIR
from bot.content.loader import ContentError, Problem, load, relative
from bot.content.schema import Localized, Source, Strict

RULES_FILE = Path("eligibility") / "rules.yaml"
Track = Literal["kandas", "in_migrant"]
Kinship = Literal["spouse", "parent", "child", "sibling", "other"]
EmploymentStatus = Literal["unemployed", "job_seeker", "employed", "student", "other"]


class Version(Strict):
    id: str
    in_force_from: dt.date
    # True when the source gives no exact day: `in_force_from` is then the earliest day the text allows
    in_force_approximate: bool = False
    title: Localized
    sources: list[Source]


class Office(Strict):
    name: Localized
    source: Source | None = None
    sources: list[Source] = []


class Dated(Strict):
    """Something that holds only in some versions: from `from_` (a version id) until `until` (one too)."""

    from_: str | None = Field(None, alias="from")
    until: str | None = None


class Where(Dated):
    office: str
    region: Literal["departure", "destination"] | None = None
    # reported by the press, not in the order text we hold: then `source` names the report
    press: bool = False
    source: Source | None = None

    @model_validator(mode="after")
    def _press_is_sourced(self) -> Where:
        if self.press and self.source is None:
            raise ValueError("a place to apply reported by the press needs its `source`")
        return self


class PathInfo(Strict):
    id: str
    track: Track
    name: Localized
    where: list[Where]
    steps: Localized
    sources: list[Source]


class Params(Strict):
    months: PositiveInt | None = None
    kinships: list[Kinship] | None = None
    statuses: list[EmploymentStatus] | None = None
    required: bool | None = None
    registered: bool | None = None  # the status must be registered at the career centre (texts `met`, `not_registered`)


class Rule(Dated):
    id: str
    sources: list[Source]
    cite: Localized  # the paragraph, as people are shown it
    texts: dict[str, Localized]
    ask: list[str] = []  # offices to ask where the Rules are silent
    params: Params = Params()


class RulesFile(Strict):
    versions: list[Version]
    offices: dict[str, Office]
    paths: list[PathInfo]
    rules: list[Rule]

    @model_validator(mode="after")
    def _consistent(self) -> RulesFile:
        ids = [version.id for version in self.versions]
        if len(set(ids)) != len(ids) or self.versions != sorted(self.versions, key=lambda v: v.in_force_from):
            raise ValueError("versions need unique ids, oldest first")
        for item in [*self.rules, *(where for path in self.paths for where in path.where)]:
            for bound in (item.from_, item.until):
                if bound is not None and bound not in ids:
                    raise ValueError(f"unknown version {bound!r}")
        offices = [where.office for path in self.paths for where in path.where]
        offices += [office for rule in self.rules for office in rule.ask]
        unknown = set(offices) - set(self.offices)
        if unknown:
            raise ValueError(f"unknown offices: {sorted(unknown)}")
        for version in ids:
            in_force = [rule.id for rule in self.rules if self._holds(rule, version)]
            if len(set(in_force)) != len(in_force):
                raise ValueError(f"a rule is given twice in version {version}")
        return self

    def _holds(self, item: Dated, version: str) -> bool:
        order = [known.id for known in self.versions].index
        after_start = item.from_ is None or order(item.from_) <= order(version)
        before_end = item.until is None or order(version) <= order(item.until)
        return after_start and before_end

    def book(self, day: dt.date) -> RuleBook:
        """The rules in force on `day`; a ValueError before the first version."""
        in_force = [version for version in self.versions if version.in_force_from <= day]
        if not in_force:
            raise ValueError(f"no rules version is in force on {day.isoformat()}")
        version = in_force[-1]
        return RuleBook(
            version=version,
            rules={rule.id: rule for rule in self.rules if self._holds(rule, version.id)},
            paths={path.id: path for path in self.paths},
            where={path.id: [where for where in path.where if self._holds(where, version.id)] for path in self.paths},
            offices=self.offices,
        )


@dataclass(frozen=True)
class RuleBook:
    """One version of the rules: what the evaluator reads."""

    version: Version
    rules: dict[str, Rule]
    paths: dict[str, PathInfo]
    where: dict[str, list[Where]]
    offices: dict[str, Office]

    def rule(self, rule_id: str) -> Rule:
        return self.rules[rule_id]


@lru_cache
def rules_file(root: Path = CONTENT_DIR) -> RulesFile:
    return load(RulesFile, root / RULES_FILE)


def check_rules(root: Path) -> list[Problem]:
    """Cross-check: every version holds every rule the evaluator applies, with the texts it uses."""
    from bot.eligibility.evaluator import RULE_TEXTS

    path = root / RULES_FILE
    if not path.exists():
        return []
    try:
        data = load(RulesFile, path)
    except ContentError:
        return []  # the schema check reports it
    problems = []
    for version in data.versions:
        book = data.book(version.in_force_from)
        for rule_id, keys in RULE_TEXTS.items():
            rule = book.rules.get(rule_id)
            if rule is None:
                problems.append(Problem(relative(path), f"rules.{rule_id}", f"missing in version {version.id}"))
                continue
            needed = keys | ({"met", "not_registered"} if rule.params.registered else set())
            for key in needed - rule.texts.keys():
                problems.append(Problem(relative(path), f"rules.{rule_id}.texts.{key}", "missing"))
    return problems
