"""Benchmark of typed questions: the question set in tests/faq_questions.yaml through the search.

    python bench/questions.py                 # accuracy per language and time per question
    python bench/questions.py --repeat 50     # time each question 50 times for a steadier p99
    python bench/questions.py --misses        # also list the questions not answered right at top 1

Prints top-1 and top-3 accuracy per language (a question with no right answer counts as right only when the
bot says it does not know), p50/p99 time per question, and the time to build the index. Targets (issue 14):
top-1 >= 85 %, top-3 >= 95 %, p99 <= 20 ms. A tool, not a test: tests/test_faq_search.py holds the targets.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.faq.library import answers  # noqa: E402
from bot.faq.quality import evaluate, load_questions, percentile  # noqa: E402
from bot.faq.search import Index  # noqa: E402

QUESTIONS = ROOT / "tests" / "faq_questions.yaml"


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--repeat", type=int, default=20, help="how many times each question is timed")
    arguments.add_argument("--misses", action="store_true", help="list the questions missed at top 1")
    args = arguments.parse_args()

    started = time.perf_counter()
    index = Index(answers())
    built = time.perf_counter() - started
    questions = load_questions(QUESTIONS)
    timings: list[float] = []
    for _ in range(args.repeat):
        scores, times = evaluate(index, questions)
        timings += times
    sizes = f"{len(questions)} questions, {len(index.answers)} answers in {len(index.owners)} views"
    print(f"{sizes}; index built in {built:.2f} s")
    print(f"{'language':8} {'questions':>9} {'top-1':>7} {'top-3':>7}")
    for score in scores:
        print(f"{score.language:8} {score.questions:9} {score.top1:7.1%} {score.top3:7.1%}")
        if args.misses:
            for question, expected, given in score.misses:
                print(f"    {question!r}: expected {expected}, gave {given}")
    print(
        f"time per question: p50 {percentile(timings, 0.50):.2f} ms, p99 {percentile(timings, 0.99):.2f} ms, "
        f"max {max(timings):.2f} ms ({len(timings)} searches)"
    )


if __name__ == "__main__":
    main()
