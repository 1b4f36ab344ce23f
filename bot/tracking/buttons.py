"""The one place where this feature's button ids are made and read: the person's (`trk:…`) and the
officials' (`trko:…`). An id is the prefix, an action and its arguments, all short ASCII."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

_ARGUMENT = re.compile(r"^[a-z0-9_]{1,40}$")
_ROW_ID = re.compile(r"^[0-9]{1,9}$")  # a row id fits the database's integer


def row_id(argument: str) -> int | None:
    """A button's argument as a row id, or None (a forged or garbled one)."""
    return int(argument) if _ROW_ID.match(argument) else None


@dataclass(frozen=True)
class _Button:
    PREFIX: ClassVar[str]
    ACTIONS: ClassVar[dict[str, int]]  # action → how many arguments it takes

    action: str
    args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.ACTIONS.get(self.action) != len(self.args) or not all(_ARGUMENT.match(arg) for arg in self.args):
            raise ValueError(f"not a {self.PREFIX} button: {self.action} {self.args}")

    @property
    def id(self) -> str:
        return ":".join((self.PREFIX, self.action, *self.args)) if self.action else self.PREFIX

    @classmethod
    def prefix_of(cls, action: str) -> str:
        """The start of the ids of an action taking one argument, for helpers that add the argument."""
        return f"{cls.PREFIX}:{action}:"

    @classmethod
    def parse(cls, argument: str):
        """What follows `<prefix>:` (or "" for the bare prefix), or None for anything else."""
        action, *args = argument.split(":") if argument else ("",)
        try:
            return cls(action, tuple(args))
        except ValueError:
            return None


class PersonButton(_Button):
    PREFIX = "trk"
    ACTIONS = {
        "": 0,  # "My application": the timeline, or recording one
        "new": 0,  # record an application (again)
        "path": 1,
        "office": 1,
        "today": 0,  # lodged today, now
        "dest": 1,  # the region moved to
        "skip": 0,  # no number / no phone
        "back": 0,
        "news": 0,  # "I have news": the statuses that may come next
        "set": 1,  # the person sets a status themselves
        "ci": 3,  # a check-in's answer: check-in id, question, value
    }


class OfficialButton(_Button):
    PREFIX = "trko"
    ACTIONS = {
        "": 0,  # find an application of my area
        "app": 1,  # open one: its id
        "to": 2,  # move it on: its id, the status
        "skip": 0,  # no note
        "ret": 0,  # retention in my area
    }
