"""The documents catalogue (content/documents.yaml) and which documents each path needs for whom.

The pre-check and the pre-departure package's checklist both use `documents_for`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator

from bot.content import CONTENT_DIR
from bot.content.loader import ContentError, Problem, load, relative
from bot.content.schema import Localized, Source, Strict

DOCUMENTS_FILE = Path("documents.yaml")
APPLICANT = "applicant"


class DocumentKind(Strict):
    id: str
    name: Localized
    source: Source


class Need(Strict):
    document: str
    paths: list[str]
    holders: Literal["applicant", "household"]  # household: the applicant and each family member
    required: bool  # false: "if you have one", as the Rules say
    source: Source


class DocumentsFile(Strict):
    documents: list[DocumentKind]
    needs: list[Need]

    @model_validator(mode="after")
    def _known_documents(self) -> DocumentsFile:
        known = {document.id for document in self.documents}
        unknown = {need.document for need in self.needs} - known
        if unknown:
            raise ValueError(f"unknown documents: {sorted(unknown)}")
        return self

    def needs_on(self, path: str) -> list[Need]:
        """What the path needs, document by document, in the catalogue's order."""
        return [need for need in self.needs if path in need.paths]

    def name(self, document_id: str) -> Localized:
        return next(kind.name for kind in self.documents if kind.id == document_id)

    def needs_for(self, path: str, family_size: int = 0) -> list[DocumentNeed]:
        kinds = {kind.id: kind for kind in self.documents}
        found = []
        for need in self.needs_on(path):
            holders = [APPLICANT]
            if need.holders == "household":
                holders += [family_holder(number) for number in range(1, family_size + 1)]
            found += [DocumentNeed(kinds[need.document], holder, need.required, need.source) for holder in holders]
        return found


@dataclass(frozen=True)
class DocumentNeed:
    document: DocumentKind
    holder: str  # "applicant" or "family:N", N counting family members from 1
    required: bool
    source: Source


@lru_cache
def catalogue(root: Path = CONTENT_DIR) -> DocumentsFile:
    return load(DocumentsFile, root / DOCUMENTS_FILE)


def family_holder(number: int) -> str:
    return f"family:{number}"


def documents_for(path: str, family_size: int = 0) -> list[DocumentNeed]:
    """The documents a path needs (see content/eligibility/rules.yaml `paths`) for the applicant and
    `family_size` family members, in the catalogue's order."""
    return catalogue().needs_for(path, family_size)


def check_documents(root: Path) -> list[Problem]:
    """Cross-check: every path a need names is a path of the rules."""
    from bot.eligibility.rules import RULES_FILE, RulesFile

    path = root / DOCUMENTS_FILE
    if not path.exists() or not (root / RULES_FILE).exists():
        return []
    try:
        needs, paths = load(DocumentsFile, path).needs, {p.id for p in load(RulesFile, root / RULES_FILE).paths}
    except ContentError:
        return []  # the schema check reports it
    return [
        Problem(relative(path), f"needs.{number}.paths", f"no such path in the rules: {name}")
        for number, need in enumerate(needs)
        for name in need.paths
        if name not in paths
    ]
