"""`joldas ask TEXT [--lang L] [--json]`: what the bot would answer to a typed question, and
`joldas faq gaps [--limit N] [--json]`: the questions editors should answer next."""

from __future__ import annotations

import argparse
import json

from bot.faq import gaps
from bot.faq.search import CONFIDENT, Hit, search
from bot.i18n import USER_LANGUAGES
from bot.storage.database import Database


def add_arguments(commands) -> None:
    ask = commands.add_parser("ask", help="what the bot would answer to a typed question")
    ask.add_argument("text", nargs="+", help="the question, as a person would type it")
    ask.add_argument("--lang", choices=USER_LANGUAGES, default="kk", help="the language of the answer")
    ask.add_argument("--json", action="store_true", help="print JSON instead of text")
    faq = commands.add_parser("faq", help="typed questions: what editors should write next")
    faq_commands = faq.add_subparsers(dest="faq_command", required=True)
    listed = faq_commands.add_parser("gaps", help="questions without a good answer and unhelpful answers, by count")
    listed.add_argument("--limit", type=int, default=50, help="how many to list (default 50)")
    listed.add_argument("--json", action="store_true", help="print JSON instead of a table")


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


async def list_gaps(database_url: str, args: argparse.Namespace) -> None:
    database = Database(database_url)
    try:
        if database.is_sqlite:
            await database.upgrade()  # as the bot does at every start on SQLite
        async with database.transaction() as session:
            found = await gaps.gaps(session, args.limit)
    finally:
        await database.dispose()
    rows = [
        {
            "count": gap.count,
            "kind": gap.kind,
            "language": gap.language,
            "answer": gap.answer_id,
            "text": gap.text,
            "last": gap.last.isoformat(),
        }
        for gap in found
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        print("no gaps recorded")
    for row in rows:
        print(f"{row['count']:5}  {row['kind']:10}  {row['language']}  {row['answer'] or '-':24}  {row['text']}")
