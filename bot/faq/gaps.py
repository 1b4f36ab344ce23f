"""What editors should write next: questions the bot had no good answer to, and answers people marked unhelpful.

Each is one row of `faq_gaps` with the question stripped of digits, contacts and names, the answer's id, the
person's language and the time, and nothing that points to the person. `joldas faq gaps` counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import FaqGap

UNANSWERED = "unanswered"
UNHELPFUL = "unhelpful"


async def record(
    session: AsyncSession, kind: str, text: str, language: str, answer_id: str | None, now: datetime
) -> None:
    session.add(FaqGap(kind=kind, text=text, answer_id=answer_id, language=language, created_at=now))


@dataclass(frozen=True)
class Gap:
    kind: str
    text: str
    answer_id: str | None
    language: str
    count: int
    last: datetime


async def gaps(session: AsyncSession, limit: int = 50) -> list[Gap]:
    """The gaps, most frequent first: the same question (or the same unhelpful answer to it) counted together."""
    count = func.count(FaqGap.id).label("count")
    last = func.max(FaqGap.created_at).label("last")
    query = (
        select(FaqGap.kind, FaqGap.text, FaqGap.answer_id, FaqGap.language, count, last)
        .group_by(FaqGap.kind, FaqGap.text, FaqGap.answer_id, FaqGap.language)
        .order_by(count.desc(), last.desc())
        .limit(limit)
    )
    return [Gap(*row) for row in (await session.execute(query)).all()]
