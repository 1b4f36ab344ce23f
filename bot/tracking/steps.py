"""The steps of an application as data: content/tracking/steps.yaml, its schema, and the steps of a path
in the rules version in force on the day an application was lodged.

A path is a main line of steps (the timeline people see) and branches (not accepted, a hearing, a refusal,
a complaint, leaving the region) that apply only after the statuses they name. Each step names who moves
the application on and its time limit with the source. The versions are the eligibility rules' versions
(content/eligibility/rules.yaml): a step with `from`/`until` holds only in those versions, and a case is
judged by the version in force on the day it was lodged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, NonNegativeInt, field_validator, model_validator

from bot.content import CONTENT_DIR
from bot.content.loader import ContentError, Problem, load, relative
from bot.content.schema import Localized, Source, Strict
from bot.eligibility.rules import Dated, RulesFile, rules_file

STEPS_FILE = Path("tracking") / "steps.yaml"
MAX_SHORT = 20  # a WhatsApp reply button's label
DECISIONS = ("included", "consent_granted")  # a step an official may not skip past: the decision itself
Unit = Literal["working", "calendar", "end_of_next_month", "months"]


class Limit(Strict):
    """How long a step may take, counted from the day the step before it happened (that day not counted).
    `end_of_next_month`: by the last day of the month after the one the step before happened in."""

    unit: Unit
    days: NonNegativeInt | None = None

    @model_validator(mode="after")
    def _days_given(self) -> Limit:
        if (self.unit == "end_of_next_month") != (self.days is None):
            raise ValueError("`days` is given for every unit except end_of_next_month, and only then")
        return self


class Short(Localized):
    """A label short enough for a WhatsApp button."""

    @field_validator("kk", "ru", "ky")
    @classmethod
    def _short(cls, value: str) -> str:
        if len(value) > MAX_SHORT:
            raise ValueError(f"{len(value)} characters, more than {MAX_SHORT}")
        return value


class Status(Strict):
    name: Localized
    short: Short
    proposed: bool = False  # proposed by the seeds (after the decision), not law
    source: Source | None = None


class Actor(Strict):
    name: Localized


class Office(Strict):
    """Where an application is lodged: its name comes from the eligibility rules' offices; `closes` is the
    time after which an application counts from the next working day."""

    closes: dt.time
    portal: bool = False
    short: Short  # its name on a button
    source: Source


class OwnDeadline(Strict):
    """What the person must do themselves once their application reaches a status."""

    text: Localized
    limit: Limit | None = None  # None: the Rules set none; the bot reminds after REMIND_WITHOUT_LIMIT
    sources: list[Source]


class Complaint(Strict):
    body: str  # an actor
    limit: Limit
    sources: list[Source]


class Step(Dated):
    status: str
    by: str
    limit: Limit | None = None  # None: the Rules set no time limit for this step
    sources: list[Source] = []


class Branch(Step):
    after: list[str]  # the statuses this one may follow
    then: list[str] = []  # what may follow it (statuses not in the path are left out); [] ends the application


def _spliced(items: object) -> object:
    """A YAML alias of a list of steps inside a list of steps stands for its items (YAML cannot splice)."""
    if not isinstance(items, list):
        return items
    return [inner for item in items for inner in (item if isinstance(item, list) else [item])]


class TrackPath(Strict):
    id: str  # a path of the eligibility rules
    short: Short  # its name on a button (the full name is the eligibility rules')
    stage: Literal[1, 2] | None = None
    continues_as: str | None = None  # the path of the second stage
    standard: Step | None = None  # the service's overall term (the Rules' standard), shown beside the steps
    steps: list[Step]
    branches: list[Branch] = []

    _splice = field_validator("steps", "branches", mode="before")(classmethod(lambda cls, items: _spliced(items)))


class StepsFile(Strict):
    statuses: dict[str, Status]
    actors: dict[str, Actor]
    offices: dict[str, Office]
    own_deadlines: dict[str, OwnDeadline] = Field(default_factory=dict)
    complaints: list[Complaint]
    paths: list[TrackPath]

    @model_validator(mode="before")
    @classmethod
    def _without_shared_pieces(cls, data: object) -> object:
        """Top-level `x-…` keys only hold YAML anchors the paths use."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if not str(key).startswith("x-")}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> StepsFile:
        ids = [path.id for path in self.paths]
        if len(set(ids)) != len(ids):
            raise ValueError("a path is given twice")
        named = {step.status for path in self.paths for step in [*path.steps, *path.branches]}
        named |= {status for path in self.paths for branch in path.branches for status in branch.after + branch.then}
        named |= set(self.own_deadlines)
        if unknown := named - set(self.statuses):
            raise ValueError(f"unknown statuses: {sorted(unknown)}")
        for path in self.paths:
            if path.continues_as is not None and path.continues_as not in ids:
                raise ValueError(f"path {path.id} continues as an unknown path {path.continues_as!r}")
            if not path.steps or path.steps[0].status != "submitted":
                raise ValueError(f"path {path.id} must start with the status `submitted`")
        return self

    def name_of_actor(self, actor: str, rules: RulesFile, language: str) -> str:
        if actor in self.actors:
            return self.actors[actor].name(language)
        return rules.offices[actor].name(language)


@dataclass(frozen=True)
class PathSteps:
    """One path in one rules version: the main line, the branches, and what may follow what."""

    id: str
    version: str
    steps: tuple[Step, ...]
    branches: tuple[Branch, ...]
    standard: Step | None
    continues_as: str | None

    @property
    def statuses(self) -> list[str]:
        return [step.status for step in self.steps] + [branch.status for branch in self.branches]

    def step(self, status: str) -> Step | None:
        return next((step for step in (*self.steps, *self.branches) if step.status == status), None)

    def main_index(self, status: str) -> int | None:
        return next((number for number, step in enumerate(self.steps) if step.status == status), None)

    def allowed_after(self, status: str) -> list[str]:
        """Statuses that may follow `status`: a later step of the main line (an unrecorded step may be skipped,
        never gone back to, and never the decision itself), and the branches that may follow it; after a
        branch, what it names."""
        known = set(self.statuses)
        branch = next((branch for branch in self.branches if branch.status == status), None)
        following: list[str] = []
        if branch is not None:
            following = [name for name in branch.then if name in known]
        elif (index := self.main_index(status)) is not None:
            for step in self.steps[index + 1 :]:
                following.append(step.status)
                if step.status in DECISIONS:
                    break
        following += [other.status for other in self.branches if status in other.after]
        return list(dict.fromkeys(following))

    def expected_next(self, status: str) -> Step | None:
        """The step that should come next and has a time limit: what an overdue notice is about."""
        branch = next((branch for branch in self.branches if branch.status == status), None)
        if branch is not None:
            candidates = [self.step(name) for name in branch.then if self.step(name) is not None]
        else:
            index = self.main_index(status)
            candidates = list(self.steps[index + 1 : index + 2]) if index is not None else []
        return next((step for step in candidates if step.limit is not None), None)


class Tracking:
    """The steps file with the eligibility rules it refers to."""

    def __init__(self, steps: StepsFile, rules: RulesFile):
        self.data = steps
        self.rules = rules
        self._paths: dict[tuple[str, str], PathSteps] = {}

    def version_on(self, day: dt.date) -> str:
        return self.rules.book(day).version.id

    def path(self, path_id: str, version: str) -> PathSteps:
        """A KeyError for a path the file does not have."""
        if (path_id, version) not in self._paths:
            self._paths[path_id, version] = self._path(path_id, version)
        return self._paths[path_id, version]

    def _path(self, path_id: str, version: str) -> PathSteps:
        path = next((path for path in self.data.paths if path.id == path_id), None)
        if path is None:
            raise KeyError(path_id)
        return PathSteps(
            id=path.id,
            version=version,
            steps=tuple(step for step in path.steps if self.rules._holds(step, version)),
            branches=tuple(branch for branch in path.branches if self.rules._holds(branch, version)),
            standard=path.standard,
            continues_as=path.continues_as,
        )

    @property
    def path_ids(self) -> list[str]:
        return [path.id for path in self.data.paths]

    def status_name(self, status: str, language: str) -> str:
        known = self.data.statuses.get(status)
        return known.name(language) if known else status

    def actor_name(self, actor: str, language: str) -> str:
        return self.data.name_of_actor(actor, self.rules, language)

    def office_name(self, office: str, language: str) -> str:
        return self.rules.offices[office].name(language)

    def path_name(self, path_id: str, language: str) -> str:
        return next(info.name(language) for info in self.rules.paths if info.id == path_id)

    def short_name(self, path_id: str, language: str) -> str:
        return next(path.short(language) for path in self.data.paths if path.id == path_id)


@lru_cache
def tracking(root: Path = CONTENT_DIR) -> Tracking:
    return Tracking(load(StepsFile, root / STEPS_FILE), rules_file(root))


def check_steps(root: Path) -> list[Problem]:
    """Cross-check for `joldas content check`: every path is one the pre-check knows, every actor and office
    is named, every `from`/`until` is a rules version, and a status in the main line is not also a branch."""
    path = root / STEPS_FILE
    if not path.exists():
        return []
    try:
        data = load(StepsFile, path)
        rules = load(RulesFile, root / "eligibility" / "rules.yaml")
    except ContentError:
        return []  # the schema pass reports these
    file = relative(path)
    problems = []
    known_paths = {info.id for info in rules.paths}
    versions = {version.id for version in rules.versions}
    for office in data.offices:
        if office not in rules.offices:
            problems.append(Problem(file, f"offices.{office}", "not an office of content/eligibility/rules.yaml"))
    for number, complaint in enumerate(data.complaints):
        if complaint.body not in data.actors and complaint.body not in rules.offices:
            problems.append(Problem(file, f"complaints.{number}.body", f"unknown actor {complaint.body!r}"))
    for number, track_path in enumerate(data.paths):
        key = f"paths.{number}"
        if track_path.id not in known_paths:
            problems.append(Problem(file, f"{key}.id", f"{track_path.id!r} is not a path of the pre-check"))
        main = [step.status for step in track_path.steps]
        for kind, items in (("steps", track_path.steps), ("branches", track_path.branches)):
            for index, step in enumerate(items):
                where = f"{key}.{kind}.{index}"
                if step.by not in data.actors and step.by not in rules.offices:
                    problems.append(Problem(file, f"{where}.by", f"unknown actor {step.by!r}"))
                for bound in (step.from_, step.until):
                    if bound is not None and bound not in versions:
                        problems.append(Problem(file, where, f"unknown rules version {bound!r}"))
                if kind == "branches" and step.status in main:
                    problems.append(Problem(file, f"{where}.status", "already a step of the main line"))
        for version in versions:
            statuses = [step.status for step in track_path.steps if rules._holds(step, version)]
            if len(set(statuses)) != len(statuses):
                problems.append(Problem(file, f"{key}.steps", f"a status is given twice in version {version}"))
    return problems
