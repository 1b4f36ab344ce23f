"""Questions and answers as content: `content/faq/*.yaml`.

Each entry is one question people ask, in the words they ask it (several phrasings per language: the way
they type, typos and Latin letters included), and one short answer in kk, ru and ky with its source. Where a
question needs the person's own facts, `offer` leads into the eligibility pre-check or the package.
`content/faq/contacts.yaml` says whom a person can turn to when the bot does not know, by who they are.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.content.schema import LANGUAGES, Localized, Source, Strict

MIN_PHRASINGS = 3  # per language
MAX_QUESTION = 72  # the question is a button's label; WhatsApp shows 72 characters under a list row
Offer = Literal["eligibility", "package"]
Kind = Literal["relocant", "labour_migrant", "returnee"]


class Phrasings(Strict):
    kk: list[str]
    ru: list[str]
    ky: list[str]

    @field_validator("kk", "ru", "ky")
    @classmethod
    def _several(cls, value: list[str]) -> list[str]:
        value = [phrasing.strip() for phrasing in value]
        if any(not phrasing for phrasing in value):
            raise ValueError("an empty phrasing")
        if len(value) < MIN_PHRASINGS:
            raise ValueError(f"{len(value)} phrasings; at least {MIN_PHRASINGS} per language")
        return value

    def __call__(self, language: str) -> list[str]:
        return getattr(self, language)


class Entry(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    question: Localized
    asked: Phrasings
    answer: Localized
    source: Source | None = None
    sources: list[Source] | None = None
    offer: Offer | None = None

    @field_validator("question")
    @classmethod
    def _fits_a_button(cls, value: Localized) -> Localized:
        for language in LANGUAGES:
            if len(value(language)) > MAX_QUESTION:
                raise ValueError(f"the {language} question is longer than {MAX_QUESTION} characters")
        return value

    @model_validator(mode="after")
    def _sourced(self) -> Entry:
        if not (self.source or self.sources):
            raise ValueError("every answer states a fact and needs a source")
        return self

    def citations(self) -> list[Source]:
        return [self.source] if self.source else list(self.sources or [])


class FaqFile(Strict):
    entries: list[Entry]


class Contact(Strict):
    """Whom a person can turn to with a question the bot cannot answer."""

    text: Localized
    source: Source | None = None
    sources: list[Source] | None = None


class ContactsFile(Strict):
    contacts: dict[Kind, Contact]


def check_faq_files(root) -> list:
    """Cross-check: entry ids are unique across the FAQ files, and no phrasing is given twice."""
    from bot.content.loader import ContentError, Problem, load, relative

    folder = root / "faq"
    if not folder.is_dir():
        return []
    problems = []
    seen: dict[str, str] = {}
    phrasings: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "contacts.yaml":
            continue
        try:
            faq = load(FaqFile, path)
        except ContentError:
            continue  # already reported against the schema
        for number, entry in enumerate(faq.entries):
            if entry.id in seen:
                problems.append(
                    Problem(relative(path), f"entries.{number}.id", f"{entry.id} is also in {seen[entry.id]}")
                )
            seen[entry.id] = path.name
            for language in LANGUAGES:
                for phrasing in entry.asked(language):
                    key = phrasing.lower()
                    if key in phrasings and phrasings[key] != entry.id:
                        where = f"entries.{number}.asked.{language}"
                        problems.append(
                            Problem(relative(path), where, f"{phrasing!r} is also asked in {phrasings[key]}")
                        )
                    phrasings[key] = entry.id
    return problems
