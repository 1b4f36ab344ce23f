"""How well typed questions are answered: a question set with the right answers, run through the search.

The set (`tests/faq_questions.yaml`) is read by the tests and by `bench/questions.py`. A question is answered
right at top 1 when the bot gives an answer and it is one of the expected ones, at top 3 when one of the three
first answers is; a question with no right answer (off-topic) is right only when the bot says it does not know.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import Field

from bot.content.schema import Strict
from bot.faq.search import Index, Result


class Question(Strict):
    lang: str = Field(pattern=r"^(kk|ru|ky)$")
    q: str
    expect: list[str]


class QuestionSet(Strict):
    questions: list[Question]


def load_questions(path: Path) -> list[Question]:
    with open(path, encoding="utf-8") as file:
        return QuestionSet.model_validate(yaml.safe_load(file)).questions


def right_at(result: Result, expected: list[str], rank: int) -> bool:
    if not expected:
        return not result.confident
    if not result.confident:
        return False
    return any(hit.answer.id in expected for hit in result.hits[:rank])


@dataclass(frozen=True)
class Score:
    language: str
    questions: int
    top1: float
    top3: float
    misses: tuple[tuple[str, list[str], str | None], ...]  # question, expected, what was given


def evaluate(index: Index, questions: list[Question]) -> tuple[list[Score], list[float]]:
    """Accuracy per language, and the time of each search in milliseconds."""
    timings: list[float] = []
    scores = []
    for language in sorted({question.lang for question in questions}):
        asked = [question for question in questions if question.lang == language]
        top1 = top3 = 0
        misses = []
        for question in asked:
            started = time.perf_counter()
            result = index.search(question.q)
            timings.append((time.perf_counter() - started) * 1000)
            top1 += right_at(result, question.expect, 1)
            top3 += right_at(result, question.expect, 3)
            if not right_at(result, question.expect, 1):
                misses.append((question.q, question.expect, result.best.answer.id if result.best else None))
        scores.append(Score(language, len(asked), top1 / len(asked), top3 / len(asked), tuple(misses)))
    return scores, timings


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]
