"""Finding the answer to a typed question among all the content.

Each answer is indexed as several views: every phrasing and the question of a FAQ entry in each language, and
its text in each language; package items, application paths, rules and documents by their heading and text.
Two BM25 indexes (bm25s) rank the views: one over the words' stems, one over character trigrams for typos. An
answer's score is its best view's. Whether the best answer is good enough is decided by its score together
with how much of the question it covers (the share of the question's weight, by inverse document frequency, that
the answer's words hold): `confidence = score × (0.5 + coverage)`. A question whose words the content does not
know ("what's the weather", "hello") covers little and scores low. The thresholds were set on the question set in
tests/faq_questions.yaml (see docs/decisions.md).
"""

from __future__ import annotations

import logging
import math
import statistics
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

from bot.content.schema import LANGUAGES
from bot.faq.library import Answer, answers
from bot.faq.text import is_name, ngrams, stem, stems, stopwords, strip_personal, words

# bm25s sets its own logger to DEBUG at import ("Building index from tokens"): it follows the root level like ours.
logging.getLogger("bm25s").setLevel(logging.NOTSET)

NGRAM_WEIGHT = 0.35  # how much the trigram index adds to the stems' score
TEXT_WEIGHT = 0.8  # an answer's own text counts a little less than the ways people ask it
KIND_WEIGHT = {"faq": 1.0, "package": 0.85, "path": 0.8, "rule": 0.75, "document": 0.8}
TYPO_CUTOFF = 85  # rapidfuzz ratio for taking an unknown word as a misspelt known one
TYPO_CERTAINTY = 0.5  # a word so taken counts half in the coverage: "погода" is not "полгода"
CONFIDENT = 8.2  # the confidence from which the best answer is given
SUGGEST = 6.5  # below CONFIDENT, from here the likely answers are offered as buttons ("did you mean")
ALTERNATIVES = 3
MAX_WORDS = 60  # a question is short; a pasted page is searched by its beginning
PUNCTUATION = ".,!?;:()«»\"'“”-—"


@dataclass(frozen=True)
class Hit:
    answer: Answer
    score: float


@dataclass(frozen=True)
class Result:
    question: str
    hits: tuple[Hit, ...]  # best first, one per answer
    coverage: float  # 0..1: how much of the question the best answer covers

    @property
    def confidence(self) -> float:
        return self.hits[0].score * (0.5 + self.coverage) if self.hits else 0.0

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.confident else None

    @property
    def alternatives(self) -> tuple[Hit, ...]:
        """Other likely answers: after the best one when there is one, else the first few when they are likely
        enough to be offered; none for a question the content does not speak to."""
        if self.confident:
            return self.hits[1 : 1 + ALTERNATIVES]
        return self.hits[:ALTERNATIVES] if self.confidence >= SUGGEST else ()


class Index:
    def __init__(self, corpus: tuple[Answer, ...]):
        self.answers = corpus
        owners: list[int] = []
        weights: list[float] = []
        texts: list[str] = []
        for number, answer in enumerate(corpus):
            kind = KIND_WEIGHT[answer.kind]
            views = [(phrasing, kind) for phrasing in answer.asked]
            views += [(answer.label(language), kind) for language in LANGUAGES]
            views += [
                (answer.label(language) + " " + answer.text(language), kind * TEXT_WEIGHT) for language in LANGUAGES
            ]
            for text, weight in views:
                owners.append(number)
                weights.append(weight)
                texts.append(text)
        self.owners = np.array(owners)
        self.weights = np.array(weights)
        self.view_stems = [set(stems(text)) for text in texts]
        self.answer_stems = [set() for _ in corpus]
        for owner, view in zip(owners, self.view_stems, strict=True):
            self.answer_stems[owner] |= view
        self.stems = _bm25([stems(text) for text in texts])
        self.ngrams = _bm25([ngrams(text) for text in texts])
        self.words = sorted({word for text in texts for word in words(text) if len(word) >= 4})
        self.known_stems = frozenset(stem for view in self.view_stems for stem in view)
        frequency = Counter(stem for view in self.view_stems for stem in view)
        total = len(texts)
        self.idf = {term: math.log(1 + (total - count + 0.5) / (count + 0.5)) for term, count in frequency.items()}
        self.unknown_idf = statistics.mean(self.idf.values())
        self.search("Айгерим: квота?")  # loads the name list and the first-call paths now, not at a person's question

    def correct(self, text: str) -> dict[str, float]:
        """The question's stems, each with how sure we are of it: 1 for a word as typed, less for an unknown
        word taken as the nearest known one (a misspelling, or a different word that looks alike)."""
        found: dict[str, float] = {}
        for raw in text.split()[:MAX_WORDS]:
            if is_name(raw.strip(PUNCTUATION)):
                continue  # "Меня зовут Айгерим, …": a name says nothing about the question
            for word in words(raw):
                if len(word) < 2 or word in stopwords() or (word.isdigit() and word not in self.known_stems):
                    continue
                sure = 1.0
                if stem(word) not in self.known_stems and len(word) >= 4:
                    match = process.extractOne(word, self.words, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
                    if match is not None:
                        word, sure = match[0], TYPO_CERTAINTY
                found[stem(word)] = max(sure, found.get(stem(word), 0.0))
        return found

    def search(self, text: str, limit: int = 1 + ALTERNATIVES) -> Result:
        query = self.correct(text)
        if not query:
            return Result(text, (), 0.0)
        known = [term for term in query if term in self.known_stems]
        scores = self.stems.get_scores(known) if known else np.zeros(len(self.owners))
        grams = ngrams(" ".join(text.split()[:MAX_WORDS]))
        if grams:
            scores = scores + NGRAM_WEIGHT * self.ngrams.get_scores(grams)
        scores = scores * self.weights
        best_per_answer: dict[int, tuple[float, int]] = {}
        for view in np.argsort(-scores)[: 40 * limit]:
            if scores[view] <= 0:
                break
            owner = int(self.owners[view])
            if owner not in best_per_answer:
                best_per_answer[owner] = (float(scores[view]), int(view))
            if len(best_per_answer) == limit:
                break
        if not best_per_answer:
            return Result(text, (), 0.0)
        ranked = sorted(best_per_answer.items(), key=lambda item: -item[1][0])
        hits = tuple(Hit(self.answers[owner], score) for owner, (score, _view) in ranked)
        return Result(text, hits, self._coverage(query, self.answer_stems[ranked[0][0]]))

    def _coverage(self, query: dict[str, float], view: set[str]) -> float:
        weight = {term: self.idf.get(term, self.unknown_idf) for term in query}
        covered = sum(value * query[term] for term, value in weight.items() if term in view)
        return covered / sum(weight.values())


def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
    index = bm25s.BM25()
    index.index([tokens or [""] for tokens in corpus], show_progress=False)
    return index


@lru_cache
def index() -> Index:
    return Index(answers())


def search(text: str) -> Result:
    return index().search(text)


def editors_text(question: str) -> str:
    """A question as editors may see it (`joldas faq gaps`): names are the capitalised words the content does not
    know, and the known given names; digits, contacts and links go too (`bot.faq.text.strip_personal`)."""
    return strip_personal(question, index().known_stems)


def is_question(text: str) -> bool:
    """Whether a text typed where a flow expected an answer is rather a question the content answers: the flow
    then raises NotUnderstood("text"), and handlers/faq.py answers it and asks the flow's question again. Stricter
    than answering a question outside a flow: at least two words the content knows, since a failed answer ("не
    знаю", "кандас") is more likely there than a question."""
    known = [term for term in index().correct(text) if term in index().known_stems]
    return len(known) >= 2 and search(text).confident
