"""Reading content files and turning every mistake into a problem that names its file and key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.content import CONTENT_DIR

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key or '(file)'}: {self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def relative(path: Path) -> str:
    try:
        return str(path.relative_to(CONTENT_DIR.parent))
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as file:
            return yaml.safe_load(file)
    except (OSError, yaml.YAMLError, ValueError) as error:  # ValueError: a date like 2026-02-30
        raise ContentError([Problem(relative(path), "", f"cannot be read: {error}")]) from None


def parse(model: type[Model], data: Any, path: Path) -> Model:
    """Validates `data` against `model`; every schema error becomes a Problem with its dotted key."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [
            Problem(relative(path), ".".join(str(part) for part in detail["loc"]), detail["msg"])
            for detail in error.errors()
        ]
        raise ContentError(problems) from None


def load(model: type[Model], path: Path) -> Model:
    return parse(model, read_yaml(path), path)
