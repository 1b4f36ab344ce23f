"""`joldas outbox`: what waits, what is stuck, and putting dead rows back or away."""

from __future__ import annotations

from bot.delivery import outbox
from bot.engine import Engine
from bot.storage.models import as_utc


async def run(engine: Engine, action: str, ids: list[int] | None = None) -> str:
    now = engine.clock.now()
    async with engine.database.transaction() as session:
        if action == "retry":
            return f"{await outbox.retry_dead(session, now, ids)} dead row(s) queued again"
        if action == "drop":
            return f"{await outbox.drop_dead(session, ids)} dead row(s) deleted"
        summary = await outbox.summary(session)
    lines = ["status    rows"]
    lines += [f"{status:<9} {count}" for status, count in sorted(summary.counts.items())] or ["(empty)"]
    if summary.oldest_pending is not None:
        age = now - as_utc(summary.oldest_pending)
        lines.append(f"oldest waiting: {int(age.total_seconds())} s")
    if summary.dead:
        lines.append("dead (newest first): id, channel, kind, reason")
        lines += [f"  {row_id} {channel} {kind}: {reason}" for row_id, channel, kind, reason in summary.dead]
    return "\n".join(lines)
