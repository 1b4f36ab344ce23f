"""Sending a broadcast: a timer (`broadcast.run`, key `broadcast:<id>`) that, each time it fires, queues the
next chunk of the audience in the outbox, paced (`Pacing`), in a short transaction of its own, and fires again
a little before those notices run out; when all are queued it looks every second for the round's last message,
then writes the report, tells the official, and schedules the next repetition.

A chunk is one INSERT of outbox rows (priority: broadcasts, lowest) and one of deliveries; a worker killed
mid-way rolls its chunk back and the timer fires again from the same cursor, so nobody is lost or queued twice.
Dedupe keys (text, person, local day) make "the same text to the same person twice a day" impossible
whoever sends it: a second one is recorded as a `duplicate`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasts import audience, manage, notice, report, schedule
from bot.channels.rendering import render
from bot.clock import local_time
from bot.config import get_settings
from bot.delivery import outbox, timers
from bot.delivery.outbox import Addressed, Kind
from bot.i18n import texts
from bot.storage.models import Broadcast, BroadcastDelivery, Contact, Official, OutboxMessage, Timer, as_utc

CHUNK = 1000  # people queued per transaction, at most
SHARE = 2 / 3  # of a channel's rate limit that a broadcast takes; the rest is kept for answers
AHEAD = 2.0  # seconds of notices (at the pace) a chunk holds: the outbox never holds much more of a broadcast
LEAD = timedelta(seconds=1)  # the next chunk is queued this long before the last one's notices run out
WATCH = timedelta(seconds=1)  # how often a round whose messages are all queued is checked for the last one


@timers.on_timer(manage.RUN)
async def run(session: AsyncSession, timer: Timer, now: datetime) -> None:
    query = select(Broadcast).where(Broadcast.id == timer.payload["id"])
    if session.bind.dialect.name == "postgresql":  # a cancel waits for the chunk, or the chunk for the cancel
        query = query.with_for_update()
    broadcast = await session.scalar(query)
    if broadcast is None or broadcast.status not in ("scheduled", "sending"):
        return
    if broadcast.status == "scheduled":
        await start_round(session, broadcast, now)
    if broadcast.queuing:
        ready_until = await queue_chunk(session, broadcast, now)
        again = max(now, ready_until - LEAD) if broadcast.queuing else now + WATCH
    elif await waiting(session, broadcast):
        again = now + WATCH
    else:
        await finish_round(session, broadcast, now)
        return
    await timers.schedule(session, manage.RUN, again, key=manage.timer_key(broadcast.id), payload=timer.payload)


async def start_round(session: AsyncSession, broadcast: Broadcast, now: datetime) -> None:
    broadcast.round += 1
    broadcast.cursor, broadcast.queuing, broadcast.status, broadcast.paced_to = 0, True, "sending", {}
    broadcast.started_at, broadcast.finished_at = now, None
    broadcast.next_at = None
    if broadcast.repeat != "once":  # the next sending after now: one missed while no worker ran is not made up
        country = manage.country_of(await manage.area_of(session, broadcast))
        number = broadcast.round
        while (at := schedule.occurrence(as_utc(broadcast.first_at), broadcast.repeat, number, country)) <= now:
            number += 1
        broadcast.next_at = at


class Pacing:
    """When each notice may go: one after another at `SHARE` of its channel's rate limit, carried from chunk to
    chunk in `broadcast.paced_to`. The worker finds only a few notices due at a time, never a batch holding
    seconds of slots, and the rest of the channel's rate is left to answers to people chatting."""

    def __init__(self, broadcast: Broadcast, now: datetime):
        self.broadcast, self.now = broadcast, now
        self.limits = get_settings().worker().limits
        self.next = {channel: max(now, datetime.fromisoformat(at)) for channel, at in broadcast.paced_to.items()}

    def slot(self, channel: str) -> datetime:
        limit = self.limits.get(channel)
        if limit is None or not limit.per_second:
            return self.now
        at = self.next.get(channel, self.now)
        self.next[channel] = at + timedelta(seconds=1 / (limit.per_second * SHARE))
        return at

    def ready_until(self) -> datetime:
        """When the last notice queued so far may go, on the slowest channel."""
        return max(self.next.values(), default=self.now)

    def keep(self) -> None:
        self.broadcast.paced_to = {channel: at.isoformat() for channel, at in self.next.items()}


def chunk_size(limits) -> int:
    """People a chunk holds: `AHEAD` seconds' worth at the fastest limited channel's pace, else `CHUNK`."""
    rates = [limit.per_second for limit in limits.values() if limit.per_second]
    return max(10, min(CHUNK, int(max(rates) * SHARE * AHEAD))) if rates else CHUNK


async def queue_chunk(session: AsyncSession, broadcast: Broadcast, now: datetime) -> datetime:
    """Queues the next chunk of the audience, paced; returns when its last notice may go (the next chunk is
    queued a little before)."""
    area = await manage.area_of(session, broadcast)
    keys = await audience.region_keys_within(session, area)
    size = chunk_size(get_settings().worker().limits)
    people = await audience.chunk(session, broadcast, area, keys, now, broadcast.cursor, size)
    day = local_time(now, manage.country_of(area)).date().isoformat()
    rendered: dict[tuple[str, str], list[dict]] = {}
    messages, keyed, pacing = [], {}, Pacing(broadcast, now)
    for person in people:
        if person.skipped:
            continue
        language = notice.language_for(broadcast, person.language)
        if (person.channel, language) not in rendered:
            reply = notice.reply(broadcast, language)
            rendered[person.channel, language] = render(person.channel, reply, texts(language), language)
        key = f"bc:{notice.text_hash(broadcast.texts[language])}:{person.contact_id}:{day}"
        keyed[person.contact_id] = f"{key}#0"
        for number, payload in enumerate(rendered[person.channel, language]):
            messages.append(
                Addressed(
                    person.contact_id,
                    person.channel,
                    person.address,
                    payload,
                    f"{key}#{number}",
                    pacing.slot(person.channel),
                )
            )
    written = await outbox.queue_many(session, messages, Kind.BROADCAST, now)
    pacing.keep()
    rows = []
    for person in people:
        outbox_id = written.get(keyed.get(person.contact_id, ""))
        outcome = person.skipped or ("queued" if outbox_id is not None else "duplicate")
        language = notice.language_for(broadcast, person.language)
        rows.append(
            {
                "broadcast_id": broadcast.id,
                "round": broadcast.round,
                "contact_id": person.contact_id,
                "outcome": outcome,
                "language": language,
                "channel": person.channel,
                "outbox_id": outbox_id,
            }
        )
    if rows:
        await session.execute(insert(BroadcastDelivery), rows)
        broadcast.cursor = people[-1].contact_id
    if len(people) < size:
        broadcast.queuing = False
    return pacing.ready_until()


async def waiting(session: AsyncSession, broadcast: Broadcast) -> int:
    """The round's messages not yet sent or given up."""
    return await session.scalar(
        select(func.count())
        .select_from(BroadcastDelivery)
        .join(OutboxMessage, OutboxMessage.id == BroadcastDelivery.outbox_id)
        .where(
            BroadcastDelivery.broadcast_id == broadcast.id,
            BroadcastDelivery.round == broadcast.round,
            OutboxMessage.status.in_(outbox.WAITING),
        )
    )


async def finish_round(session: AsyncSession, broadcast: Broadcast, now: datetime) -> None:
    """Keeps the round's figures, tells the official, and schedules the next repetition, if any."""
    repeating = broadcast.repeat != "once" and broadcast.next_at is not None
    broadcast.status = "scheduled" if repeating else "done"
    broadcast.finished_at = now
    figures = await report.report(session, broadcast)
    broadcast.report = figures.as_dict()
    if repeating:
        await timers.schedule(
            session, manage.RUN, broadcast.next_at, key=manage.timer_key(broadcast.id), payload={"id": broadcast.id}
        )
    await tell_official(session, broadcast, figures, now)


async def tell_official(session: AsyncSession, broadcast: Broadcast, figures: report.Report, now: datetime) -> None:
    """The report goes to the official who wrote the notice, as a notice of their own."""
    official = await session.get(Official, broadcast.official_id) if broadcast.official_id else None
    contact = await session.get(Contact, official.contact_id) if official and official.contact_id else None
    if contact is None:
        return
    t = texts(contact.language or broadcast.fallback_language)
    stamp = int(now.timestamp())
    await outbox.queue_for_contact(
        session,
        contact,
        [report.report_reply(t, broadcast, figures)],
        now,
        dedupe_key=f"bc-report:{broadcast.id}:{broadcast.round}:{stamp}",
    )
