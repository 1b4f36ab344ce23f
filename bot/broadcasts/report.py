"""What a broadcast will do (the preview) and what it did (the report), as figures and as text for officials.

Telegram says nothing after it accepted a message, so for Telegram (and the console) "delivered" is
"accepted by the platform"; WhatsApp reports delivered and read (`whatsapp_messages`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.broadcasts import audience, notice
from bot.conversation import Button, Reply
from bot.i18n import N_, Texts
from bot.storage.models import Broadcast, BroadcastDelivery, Contact, OutboxMessage, Place, WhatsAppMessage, as_utc

CANCELLED = "broadcast cancelled"
WINDOW = timedelta(hours=24)  # WhatsApp: a plain message only within 24 hours of the person's last one
# Failures that pass: retries used up on errors that were passing, no approved template (one may be set since).
PASSING = ("gave up after", "no template")


@dataclass
class Preview:
    total: int = 0  # notices that will be queued
    by_language: Counter = field(default_factory=Counter)
    by_channel: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # opted_out, unreachable
    outside_window: Counter = field(default_factory=Counter)  # WhatsApp, by language: only a template may go
    no_template: list[str] = field(default_factory=list)  # languages of those, without an approved template

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "by_language": dict(self.by_language),
            "by_channel": dict(self.by_channel),
            "skipped": dict(self.skipped),
            "whatsapp_outside_window": dict(self.outside_window),
            "whatsapp_no_template": self.no_template,
        }


async def preview(
    session: AsyncSession,
    broadcast: Broadcast,
    area: Place,
    region_keys: list[str],
    now: datetime,
    template_languages: set[str],
) -> Preview:
    found = Preview()
    for channel, language, skipped, written, n in await audience.counts(
        session, broadcast, area, region_keys, now, WINDOW
    ):
        if skipped:
            found.skipped[skipped] += n
            continue
        shown = notice.language_for(broadcast, language)
        found.total += n
        found.by_language[shown] += n
        found.by_channel[channel] += n
        if channel == "whatsapp" and not written:
            found.outside_window[shown] += n
    found.no_template = sorted(language for language in found.outside_window if language not in template_languages)
    return found


def passing_failure():
    """Rows of a broadcast that failed for a reason that has passed (see `PASSING`), or that were dropped because
    the person could not be reached and who has written since."""
    dead = and_(OutboxMessage.status == "dead", or_(*(OutboxMessage.last_error.contains(p) for p in PASSING)))
    came_back = and_(
        OutboxMessage.status == "dropped",
        OutboxMessage.last_error != CANCELLED,
        Contact.unreachable_since.is_(None),
        Contact.status == "active",
        Contact.consent == "granted",
    )
    return or_(dead, came_back)


@dataclass
class Report:
    id: int
    status: str
    round: int
    area: str
    audience: str
    queued: int = 0
    waiting: int = 0
    sent: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0
    failed_reasons: Counter = field(default_factory=Counter)
    cancelled: int = 0
    skipped: Counter = field(default_factory=Counter)  # opted_out, unreachable, duplicate
    can_send_again: int = 0
    next_at: str | None = None

    @property
    def finished(self) -> int:
        return self.queued - self.waiting

    def as_dict(self) -> dict:
        data = asdict(self)
        data["failed_reasons"] = dict(self.failed_reasons)
        data["skipped"] = dict(self.skipped)
        return data


async def report(session: AsyncSession, broadcast: Broadcast) -> Report:
    """The current round's figures, from the deliveries and the outbox rows (kept 30 days)."""
    found = Report(
        broadcast.id,
        broadcast.status,
        broadcast.round,
        broadcast.area_id,
        broadcast.audience,
        next_at=as_utc(broadcast.next_at).isoformat() if broadcast.next_at and broadcast.repeat != "once" else None,
    )
    rows = await session.execute(
        select(
            BroadcastDelivery.outcome,
            BroadcastDelivery.channel,
            OutboxMessage.status,
            OutboxMessage.last_error,
            WhatsAppMessage.status,
            passing_failure(),
        )
        .select_from(BroadcastDelivery)
        .outerjoin(OutboxMessage, OutboxMessage.id == BroadcastDelivery.outbox_id)
        .outerjoin(WhatsAppMessage, WhatsAppMessage.wamid == OutboxMessage.platform_message_id)
        .join(Contact, Contact.id == BroadcastDelivery.contact_id)
        .where(BroadcastDelivery.broadcast_id == broadcast.id, BroadcastDelivery.round == broadcast.round)
    )
    for outcome, channel, status, error, whatsapp, passing in rows:
        if outcome != "queued":
            found.skipped[outcome] += 1
            continue
        found.queued += 1
        if status in ("pending", "sending"):
            found.waiting += 1
        elif status == "sent":
            found.sent += 1
            found.delivered += channel != "whatsapp" or whatsapp in ("delivered", "read")
            found.read += whatsapp == "read"
        elif status == "dropped" and error == CANCELLED:
            found.cancelled += 1
        elif status in ("dead", "dropped"):
            found.failed += 1
            found.failed_reasons[(error or "?")[:120]] += 1
            found.can_send_again += bool(passing)
    return found


# --- as officials read them ------------------------------------------------------------------------------------

STATUSES = {
    "draft": N_("draft"),
    "scheduled": N_("scheduled"),
    "sending": N_("sending"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
}
SKIPPED = {
    "opted_out": N_("said stop"),
    "unreachable": N_("cannot be reached"),
    "duplicate": N_("had this text today"),
}


def preview_text(t: Texts, found: Preview) -> str:
    languages = ", ".join(f"{language} {t.number(n)}" for language, n in sorted(found.by_language.items()))
    channels = ", ".join(f"{channel} {t.number(n)}" for channel, n in sorted(found.by_channel.items()))
    lines = [
        t.gettext("Recipients: {n}").format(n=t.number(found.total)),
        t.gettext("By language: {list}").format(list=languages or "—"),
        t.gettext("By messenger: {list}").format(list=channels or "—"),
    ]
    skipped = sum(found.skipped.values())
    if skipped:
        lines.append(t.gettext("Left out (said stop or cannot be reached): {n}").format(n=t.number(skipped)))
    outside = sum(found.outside_window.values())
    if outside:
        lines.append(
            t.gettext(
                "WhatsApp: {n} have not written for 24 hours; they get it as an approved template, with line "
                "breaks as spaces and without the button."
            ).format(n=t.number(outside))
        )
    if found.no_template:
        lines.append(
            t.gettext("No approved WhatsApp template in: {languages}. Those people will not get it.").format(
                languages=", ".join(found.no_template)
            )
        )
    return "\n".join(lines)


def report_text(t: Texts, found: Report) -> str:
    lines = [
        t.gettext("Notice #{id}: {status}").format(id=found.id, status=t.gettext(STATUSES[found.status])),
        t.gettext("Queued: {n}").format(n=t.number(found.queued)),
        t.gettext("Sent: {n}").format(n=t.number(found.sent)),
        t.gettext("Delivered: {n}").format(n=t.number(found.delivered)),
        t.gettext("Read (WhatsApp): {n}").format(n=t.number(found.read)),
    ]
    if found.waiting:
        lines.append(t.gettext("Still waiting: {n}").format(n=t.number(found.waiting)))
    if found.cancelled:
        lines.append(t.gettext("Stopped before sending: {n}").format(n=t.number(found.cancelled)))
    lines.append(t.gettext("Failed: {n}").format(n=t.number(found.failed)))
    lines += [f"  – {reason}: {t.number(n)}" for reason, n in found.failed_reasons.most_common(5)]
    for reason, label in SKIPPED.items():
        if found.skipped.get(reason):
            lines.append(
                t.gettext("Skipped, {why}: {n}").format(why=t.gettext(label), n=t.number(found.skipped[reason]))
            )
    if found.can_send_again:
        lines.append(t.gettext("Can be sent again: {n}").format(n=t.number(found.can_send_again)))
    return "\n".join(lines)


REPORT = N_("Report")
STOP_SENDING = N_("Stop sending")
SEND_AGAIN, SEND_AGAIN_SHORT = N_("Send again to those it failed for"), N_("Send again")


def report_reply(t: Texts, broadcast: Broadcast, found: Report) -> Reply:
    """The report with what can be done next: refresh it, stop what is still to go, send again."""
    ids = str(broadcast.id)
    buttons = [[Button(notice.NoticeButton("report", ids).id, t.gettext(REPORT))]]
    if broadcast.status in ("scheduled", "sending"):
        buttons.append([Button(notice.NoticeButton("cancel", ids).id, t.gettext(STOP_SENDING))])
    if found.can_send_again:
        buttons.append(
            [Button(notice.NoticeButton("again", ids).id, t.gettext(SEND_AGAIN), t.gettext(SEND_AGAIN_SHORT))]
        )
    return Reply(report_text(t, found), buttons)
