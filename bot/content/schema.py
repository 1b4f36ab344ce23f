"""Building blocks every content file uses: texts in three languages and the source of a fact."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

LANGUAGES = ("kk", "ru", "ky")
MAX_TEXT = 3500  # one chat message with room for a heading, within Telegram's 4096
_LINES = re.compile(r"^\d+(-\d+)?$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(Strict):
    """One text in Kazakh, Russian and Kyrgyz; none may be empty."""

    kk: str
    ru: str
    ky: str

    @field_validator("kk", "ru", "ky")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("empty text")
        if len(value) > MAX_TEXT:
            raise ValueError(f"{len(value)} characters, more than {MAX_TEXT}")
        return value

    def __call__(self, language: str) -> str:
        return getattr(self, language)


class Source(Strict):
    """Where a fact comes from. Exactly one of `seed`, `research`, `public`, `operator`."""

    seed: str | None = None  # a file in content/sources/seeds, with `lines`
    research: str | None = None  # a file in content/sources/research, with `lines`
    lines: str | None = None  # "427" or "427-431", counting the first line as 1
    public: str | None = None  # a public publication, as current-data-2026.md cites it
    operator: str | None = None  # a data file under content/ that an operator maintains

    @field_validator("lines", mode="before")
    @classmethod
    def _lines_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _one_kind(self) -> Source:
        kinds = [kind for kind in ("seed", "research", "public", "operator") if getattr(self, kind)]
        if len(kinds) != 1:
            raise ValueError(f"a source names exactly one of seed, research, public, operator (got {kinds or 'none'})")
        if (self.seed or self.research) and not (self.lines and _LINES.match(self.lines)):
            raise ValueError("a seed or research source needs `lines`, like 427 or 427-431")
        if self.lines and not (self.seed or self.research):
            raise ValueError("`lines` belong to a seed or research source")
        return self

    @property
    def line_range(self) -> tuple[int, int] | None:
        if not self.lines:
            return None
        first, _, last = self.lines.partition("-")
        return int(first), int(last or first)

    def label(self) -> str:
        """A short citation for people: `004_f57….txt L427–431`, a publication, or a data file."""
        if self.seed or self.research:
            first, last = self.line_range
            lines = f"L{first}" if first == last else f"L{first}–{last}"
            return f"{self.seed or self.research} {lines}"
        return self.public or self.operator
