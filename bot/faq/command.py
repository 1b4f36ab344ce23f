"""`joldas ask TEXT [--lang L] [--json]`: what the bot would answer to a typed question."""

from __future__ import annotations

import argparse
import json

from bot.faq.search import CONFIDENT, Hit, search
from bot.i18n import USER_LANGUAGES


def add_arguments(commands) -> None:
    ask = commands.add_parser("ask", help="what the bot would answer to a typed question")
    ask.add_argument("text", nargs="+", help="the question, as a person would type it")
    ask.add_argument("--lang", choices=USER_LANGUAGES, default="kk", help="the language of the answer")
    ask.add_argument("--json", action="store_true", help="print JSON instead of text")


def hit_data(hit: Hit, language: str, full: bool) -> dict:
    data = {"id": hit.answer.id, "kind": hit.answer.kind, "question": hit.answer.label(language)}
    if full:
        data["text"] = hit.answer.text(language)
        data["sources"] = hit.answer.citations(language)
        data["offer"] = hit.answer.offer
    data["score"] = round(hit.score, 2)
    return data


def ask(args: argparse.Namespace) -> int:
    text = " ".join(args.text)
    result = search(text)
    best = result.best
    data = {
        "question": text,
        "language": args.lang,
        "answer": hit_data(best, args.lang, full=True) if best else None,
        "confidence": round(result.confidence, 2),
        "coverage": round(result.coverage, 2),
        "alternatives": [hit_data(hit, args.lang, full=False) for hit in result.alternatives],
    }
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    if best is None:
        print(f"no answer good enough (confidence {data['confidence']} < {CONFIDENT}): the bot says it does not know")
    else:
        answer = data["answer"]
        print(f"{answer['id']} ({answer['kind']}), score {answer['score']}, confidence {data['confidence']}")
        print(answer["question"])
        print(answer["text"])
        print("source: " + "; ".join(answer["sources"]))
    if data["alternatives"]:
        print("alternatives:")
        for other in data["alternatives"]:
            print(f"  {other['id']} ({other['score']}): {other['question']}")
    return 0
