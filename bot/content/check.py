"""`joldas content check`: every content file against its schema, plus checks that hold for all files:
each text in all three languages and not empty, every source resolvable to real lines, and no number
in a text without a source above it."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.content import CONTENT_DIR, SOURCES_DIR
from bot.content.loader import ContentError, Problem, parse, read_yaml, relative
from bot.content.regions import RegionsFile
from bot.content.schema import LANGUAGES, Source
from bot.content.sources import SourcesFile, check_cited_documents_have_titles
from bot.content.yearly import MciFile, QuotaYear, check_quota_files
from bot.eligibility.documents import DocumentsFile, check_documents
from bot.eligibility.rules import RulesFile, check_rules
from bot.faq.schema import ContactsFile, FaqFile, check_faq_files
from bot.package.schema import PackageFile, check_package_files
from bot.places.content import PlacesFile, check_places
from bot.returnees.services import ServicesFile, check_services
from bot.tracking.steps import StepsFile, check_steps
from bot.workdays import CalendarFile, check_calendar

# Which schema each content file is validated against, by its path under content/. A file that matches
# none is a problem: nothing in content/ goes unchecked.
SCHEMAS: dict[str, type[BaseModel]] = {
    "regions.yaml": RegionsFile,
    "data/quota-*.yaml": QuotaYear,
    "data/mci.yaml": MciFile,
    "data/calendar.yaml": CalendarFile,
    "package/*.yaml": PackageFile,
    "sources.yaml": SourcesFile,
    "eligibility/rules.yaml": RulesFile,
    "documents.yaml": DocumentsFile,
    "faq/contacts.yaml": ContactsFile,
    "faq/*.yaml": FaqFile,
    "places/*.yaml": PlacesFile,
    "services/*.yaml": ServicesFile,
    "tracking/steps.yaml": StepsFile,
}
# Checks across files (for example: every region a rule names exists), each returning its problems.
CROSS_CHECKS: list[Callable[[Path], list[Problem]]] = [
    check_quota_files,
    check_cited_documents_have_titles,
    check_package_files,
    check_rules,
    check_documents,
    check_calendar,
    check_faq_files,
    check_places,
    check_services,
    check_steps,
]

_DIGIT = re.compile(r"\d")


def content_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.suffix in (".yaml", ".yml"))


def schema_for(path: Path, root: Path) -> type[BaseModel] | None:
    name = path.relative_to(root).as_posix()
    return next((model for pattern, model in SCHEMAS.items() if fnmatch(name, pattern)), None)


def check(root: Path = CONTENT_DIR) -> list[Problem]:
    problems: list[Problem] = []
    for path in content_files(root):
        try:
            data = read_yaml(path)
        except ContentError as error:
            problems += error.problems
            continue
        model = schema_for(path, root)
        if model is None:
            problems.append(Problem(relative(path), "", "no schema is registered for this file"))
        else:
            try:
                parse(model, data, path)
            except ContentError as error:
                problems += error.problems
        problems += list(_walk(data, relative(path), "", sourced=False))
    for cross_check in CROSS_CHECKS:
        problems += cross_check(root)
    return problems


def _walk(node: Any, file: str, key: str, sourced: bool) -> Iterator[Problem]:
    if isinstance(node, dict):
        for name in ("source", "sources"):
            if name in node:
                sourced = True
                sources = node[name] if isinstance(node[name], list) else [node[name]]
                for number, source in enumerate(sources):
                    where = f"{key}.{name}" + (f".{number}" if name == "sources" else "")
                    yield from _check_source(source, file, where.lstrip("."))
        languages = [language for language in LANGUAGES if language in node]
        if languages:
            yield from _check_texts(node, file, key, sourced)
        for child_key, child in node.items():
            if child_key not in ("source", "sources") and child_key not in languages:
                yield from _walk(child, file, f"{key}.{child_key}".lstrip("."), sourced)
    elif isinstance(node, list):
        for number, child in enumerate(node):
            yield from _walk(child, file, f"{key}.{number}".lstrip("."), sourced)


def _check_texts(node: dict, file: str, key: str, sourced: bool) -> Iterator[Problem]:
    for language in LANGUAGES:
        text = node.get(language)
        if isinstance(text, list) and text and all(isinstance(item, str) for item in text):
            text = " | ".join(text)  # several phrasings of one question (content/faq)
        if not isinstance(text, str) or not text.strip():
            yield Problem(file, f"{key}.{language}".lstrip("."), "missing or empty text")
        elif _DIGIT.search(text) and not sourced:
            excerpt = text[max(0, _DIGIT.search(text).start() - 20) :][:60]
            yield Problem(file, f"{key}.{language}".lstrip("."), f"a number with no source: …{excerpt}…")


def _check_source(raw: Any, file: str, key: str) -> Iterator[Problem]:
    try:
        source = Source.model_validate(raw)
    except ValidationError as error:
        yield Problem(file, key, "; ".join(detail["msg"] for detail in error.errors()))
        return
    if source.operator:
        if not (CONTENT_DIR / source.operator).exists():
            yield Problem(file, key, f"operator data file {source.operator} does not exist")
        return
    if source.public:
        return
    folder = SOURCES_DIR / ("seeds" if source.seed else "research")
    path = folder / (source.seed or source.research)
    if not path.is_file():
        yield Problem(file, key, f"{path.name} is not in {relative(folder)}")
        return
    first, last = source.line_range
    with open(path, encoding="utf-8") as document:
        length = sum(1 for _ in document)
    if not 1 <= first <= last <= length:
        yield Problem(file, key, f"lines {source.lines} are outside {path.name} (1-{length})")


def main(root: Path = CONTENT_DIR) -> int:
    """Prints each problem; exit 1 on problems, 2 when `root` is no folder of content at all."""
    if not root.is_dir() or not content_files(root):
        print(f"{root} is not a folder of content: it holds no .yaml file", file=sys.stderr)
        return 2
    problems = check(root)
    for problem in problems:
        print(problem)
    files = len(content_files(root))
    print(f"{files} content file(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0
