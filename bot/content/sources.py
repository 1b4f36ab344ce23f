"""Citations for people: a source named by its document's title in their language, with the lines."""

from __future__ import annotations

from functools import lru_cache

from bot.content import CONTENT_DIR
from bot.content.loader import Problem, load, relative
from bot.content.schema import Localized, Source, Strict

SOURCES_FILE = CONTENT_DIR / "sources.yaml"


class Document(Strict):
    source: Source
    title: Localized


class SourcesFile(Strict):
    documents: dict[str, Document]


@lru_cache
def titles() -> dict[str, Localized]:
    return {name: document.title for name, document in load(SourcesFile, SOURCES_FILE).documents.items()}


def cite_parts(source: Source, language: str) -> tuple[str, str | None]:
    """The document's title in `language` and the lines (`L427–431`), or the publication or data file."""
    document = source.seed or source.research
    if document is None:
        return source.label(), None
    title = titles()[document](language) if document in titles() else document
    return title, source.label().removeprefix(document).strip()


def cite(source: Source, language: str) -> str:
    """`Приказ № 20: …, L427–431`; a public publication or an operator file as it is written."""
    return ", ".join(part for part in cite_parts(source, language) if part)


def check_cited_documents_have_titles(root) -> list[Problem]:
    """Cross-check: every seed or research file cited anywhere in content/ has a title here."""
    from bot.content.check import content_files
    from bot.content.loader import ContentError, read_yaml

    if not (root / "sources.yaml").exists():
        return []  # a content folder without citations for people (a test's, say)
    try:
        known = set(load(SourcesFile, root / "sources.yaml").documents)
    except ContentError:
        return []  # already reported against the schema
    problems = []
    for path in content_files(root):
        try:
            data = read_yaml(path)
        except ContentError:
            continue  # already reported as unreadable
        for key, document in _cited_documents(data, ""):
            if document not in known:
                problems.append(Problem(relative(path), key, f"{document} has no title in content/sources.yaml"))
    return problems


def _cited_documents(node, key):
    if isinstance(node, dict):
        for name in ("seed", "research"):
            if isinstance(node.get(name), str):
                yield key, node[name]
        for child_key, child in node.items():
            yield from _cited_documents(child, f"{key}.{child_key}".lstrip("."))
    elif isinstance(node, list):
        for number, child in enumerate(node):
            yield from _cited_documents(child, f"{key}.{number}".lstrip("."))
