"""The button ids of the officials' screens, built and read here only.

`off` (the screen), `off:l:<area>` (whom one manages within an area), `off:o:<id>` (one official),
`off:s:<id>` suspend, `off:r:<id>` revoke (asks first), `off:ry:<id>` revoke confirmed, `off:u:<id>` reinstate.
A button carries ids only: whether the presser may act on them is `access`'s to say, every time.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "off"
CODES = {
    "l": "list",
    "o": "show",
    "s": "suspend",
    "r": "ask_revoke",
    "ry": "revoke",
    "u": "reinstate",
}
ACTION_CODES = {action: code for code, action in CODES.items()}
MAX_ID_DIGITS = 9


@dataclass(frozen=True)
class Press:
    action: str  # "screen" or one of CODES' values
    area_id: str | None = None
    official_id: int | None = None

    @property
    def id(self) -> str:
        if self.action == "screen":
            return PREFIX
        value = self.area_id if self.action == "list" else str(self.official_id)
        return f"{PREFIX}:{ACTION_CODES[self.action]}:{value}"


def parse(argument: str) -> Press | None:
    """The press a button's argument (what follows `off:`) stands for; None for anything malformed."""
    if argument == "":
        return Press("screen")
    code, _, value = argument.partition(":")
    action = CODES.get(code)
    if action is None or not value:
        return None
    if action == "list":
        return Press(action, area_id=value)
    return Press(action, official_id=int(value)) if is_number(value) else None


def is_number(text: str) -> bool:
    """Whether a button's or a typed value is an official's id: ASCII digits ("²" is a digit to Python, and no
    number), short enough for the column."""
    return text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS
