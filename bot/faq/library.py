"""Everything a typed question may be answered from: the FAQ, the package sections, the pre-check's application
paths and rules, and the documents catalogue, each as an `Answer` with a short stable id, a label, a text in
kk, ru and ky, and its sources.

Answer ids are short ASCII, so that a button can carry one: a FAQ entry's own id; `p.<section>.<n>` for the n-th
item of a package section; `w.<path>` for an application path; `r.<rule>.<text>` for a rule's text; `d.<document>`
for a document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.clock import SystemClock, local_today
from bot.content import CONTENT_DIR
from bot.content.loader import load
from bot.content.schema import LANGUAGES, Localized, Source
from bot.content.sources import cite_parts
from bot.eligibility.documents import catalogue
from bot.eligibility.rules import rules_file
from bot.faq.schema import ContactsFile, FaqFile
from bot.package.library import package_file
from bot.package.schema import PARTS

FAQ_DIR = CONTENT_DIR / "faq"
CONTACTS_FILE = "contacts.yaml"
MAX_ID = 48  # with the longest button prefix (`faq:show:`) it stays within 64 bytes


@dataclass(frozen=True)
class Answer:
    id: str
    kind: str  # faq | package | path | rule | document
    label: Localized  # the question it answers, or the heading it stands under
    text: Localized
    sources: tuple[Source, ...]
    asked: tuple[str, ...] = ()  # how people ask it (the FAQ's phrasings, every language)
    offer: str | None = None  # eligibility | package: where a person's own facts are needed

    def __post_init__(self) -> None:
        if len(self.id) > MAX_ID or not self.id.isascii():
            raise ValueError(f"answer id too long or not ASCII: {self.id!r}")

    def citations(self, language: str, with_lines: bool = True) -> list[str]:
        """`Title, L192, L140`, one per document, its lines in the order cited (in a chat without the lines, as
        everywhere in the chat: they are for `joldas ask` and the JSON)."""
        grouped: dict[str, list[str]] = {}
        for source in self.sources:
            title, lines = cite_parts(source, language)
            grouped.setdefault(title, [])
            if lines and lines not in grouped[title]:
                grouped[title].append(lines)
        return [", ".join([title, *(lines if with_lines else [])]) for title, lines in grouped.items()]


def _faq(directory: Path) -> list[Answer]:
    answers = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == CONTACTS_FILE:
            continue
        for entry in load(FaqFile, path).entries:
            asked = tuple(phrasing for language in LANGUAGES for phrasing in entry.asked(language))
            answers.append(
                Answer(entry.id, "faq", entry.question, entry.answer, tuple(entry.citations()), asked, entry.offer)
            )
    return answers


def _package() -> list[Answer]:
    """Items of every package section that read on their own (no `{region}` or `{origin}` to fill in)."""
    answers = []
    for part in PARTS:
        for section in package_file(part).sections:
            offer = "package"
            for number, item in enumerate(section.items):
                if any(
                    "{region}" in item.text(language) or "{origin}" in item.text(language) for language in LANGUAGES
                ):
                    continue
                answer_id = f"p.{section.id}.{item.id or number}"
                answers.append(
                    Answer(answer_id, "package", section.title, item.text, tuple(item.citations()), (), offer)
                )
    return answers


def _rules(today: dt.date) -> list[Answer]:
    """The application paths (where and how to apply), and the rules' texts that need no figures filled in."""
    book = rules_file().book(today)
    answers = [
        Answer(f"w.{path.id}", "path", path.name, path.steps, tuple(path.sources), (), "eligibility")
        for path in book.paths.values()
    ]
    for rule in book.rules.values():
        for key, text in rule.texts.items():
            if any("{" in text(language) for language in LANGUAGES):
                continue
            answers.append(
                Answer(f"r.{rule.id}.{key}", "rule", rule.cite, text, tuple(rule.sources), (), "eligibility")
            )
    return answers


def _documents() -> list[Answer]:
    return [
        Answer(f"d.{kind.id}", "document", kind.name, kind.name, (kind.source,), (), "package")
        for kind in catalogue().documents
    ]


@lru_cache
def answers(today: dt.date | None = None, directory: Path = FAQ_DIR) -> tuple[Answer, ...]:
    """Every answer, the FAQ first, with the rules in force on `today` (Kazakhstan's date by default; the index is
    built once per process). Ids are unique: a clash is a content error, raised here."""
    found = [*_faq(directory), *_package(), *_rules(today or local_today(SystemClock(), "KZ")), *_documents()]
    ids = [answer.id for answer in found]
    twice = sorted({answer_id for answer_id in ids if ids.count(answer_id) > 1})
    if twice:
        raise ValueError(f"answer ids given twice: {twice}")
    return tuple(found)


@lru_cache
def contacts(directory: Path = FAQ_DIR) -> ContactsFile:
    return load(ContactsFile, directory / CONTACTS_FILE)
