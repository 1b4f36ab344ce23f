"""The one place where the returnees' button ids are made and read: `ret:…` for the person who came back,
`fp:…` for the focal point. Ids are short ASCII; a referral is named by its number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

# ret: start | when:<0|1|skip> | from:<country|skip> | need:<key|done> | note:skip
#      | send:<yes|no> | edit | services | end:<referral> | fu:<referral>:<yes|partly|no> | chat:<referral> | status
PERSON_ACTIONS = frozenset(
    {"start", "when", "from", "need", "note", "send", "edit", "services", "end", "fu", "chat", "status"}
)
# fp: list | acc:<referral> | reply:<referral> | end:<referral> | close:<referral> | out:<referral>:<outcome>
#     | report
FOCAL_ACTIONS = frozenset({"list", "acc", "reply", "end", "close", "out", "report"})


@dataclass(frozen=True)
class Pressed:
    prefix: ClassVar[str]
    actions: ClassVar[frozenset[str]]
    action: str
    args: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return ":".join((self.prefix, self.action, *self.args))

    @classmethod
    def parse(cls, argument: str):
        """What follows the prefix (`need:work`), or None for anything this feature never made."""
        action, *args = argument.split(":")
        if action not in cls.actions or any(not arg for arg in args):
            return None
        return cls(action, tuple(args))

    def referral(self) -> int | None:
        """The referral number the button names first, or None when it names none or a forged one."""
        return int(self.args[0]) if self.args and self.args[0].isdigit() and len(self.args[0]) < 10 else None


class Ret(Pressed):
    prefix = "ret"
    actions = PERSON_ACTIONS


class Fp(Pressed):
    prefix = "fp"
    actions = FOCAL_ACTIONS


def ret(action: str, *args: object) -> str:
    return Ret(action, tuple(map(str, args))).id


def fp(action: str, *args: object) -> str:
    return Fp(action, tuple(map(str, args))).id
