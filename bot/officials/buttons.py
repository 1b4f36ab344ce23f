"""The button ids of the officials' screens, built and read here only.

`off` (the screen), `off:l:<area>` (whom one manages within an area), `off:o:<id>` (one official),
`off:s:<id>` suspend, `off:r:<id>` revoke (asks first), `off:ry:<id>` revoke confirmed, `off:u:<id>` reinstate;
inviting: `off:i` (start), `off:ir:<role>`, `off:io:mine|none` (their organisation: as mine, or none),
`off:ia:<area>` (makes the invite), `off:it` (type the name of a place within one's area).
A button carries ids only: whether the presser may act on them is `access`'s to say, every time.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.officials.access import ROLES

PREFIX = "off"
CODES = {
    "l": "list",
    "o": "show",
    "s": "suspend",
    "r": "ask_revoke",
    "ry": "revoke",
    "u": "reinstate",
    "i": "invite",
    "ir": "invite_role",
    "io": "invite_org",
    "ia": "invite_area",
    "it": "invite_typed",
}
ACTION_CODES = {action: code for code, action in CODES.items()}
BARE = {"invite", "invite_typed"}  # presses that carry no value
AREAS = {"list", "invite_area"}  # presses whose value is a place id
ORGANISATION_CHOICES = ("mine", "none")
MAX_ID_DIGITS = 9


@dataclass(frozen=True)
class Press:
    action: str  # "screen" or one of CODES' values
    area_id: str | None = None
    official_id: int | None = None
    role: str | None = None  # invite_role
    choice: str | None = None  # invite_org: one of ORGANISATION_CHOICES

    @property
    def id(self) -> str:
        if self.action == "screen":
            return PREFIX
        if self.action in BARE:
            return f"{PREFIX}:{ACTION_CODES[self.action]}"
        value = {"invite_role": self.role, "invite_org": self.choice}.get(self.action, str(self.official_id))
        value = self.area_id if self.action in AREAS else value
        return f"{PREFIX}:{ACTION_CODES[self.action]}:{value}"


def parse(argument: str) -> Press | None:
    """The press a button's argument (what follows `off:`) stands for; None for anything malformed."""
    if argument == "":
        return Press("screen")
    code, separator, value = argument.partition(":")
    action = CODES.get(code)
    if action is None or (action in BARE) == bool(separator) or (separator and not value):
        return None
    if action in BARE:
        return Press(action)
    if action in AREAS:
        return Press(action, area_id=value)
    if action == "invite_role":
        return Press(action, role=value) if value in ROLES else None
    if action == "invite_org":
        return Press(action, choice=value) if value in ORGANISATION_CHOICES else None
    return Press(action, official_id=int(value)) if is_number(value) else None


def is_number(text: str) -> bool:
    """Whether a button's or a typed value is an official's id: ASCII digits ("²" is a digit to Python, and no
    number), short enough for the column."""
    return text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS
