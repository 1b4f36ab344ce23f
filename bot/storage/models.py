"""The tables. Alembic owns the schema: change a model, then add a migration (`joldas db revision`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The default of a row's timestamps; features take the time from `bot.clock`."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every one was written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class Contact(Base):
    """A person on one channel. Created at first contact; holds only what the bot needs to answer them."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | stopped (said /stop)
    # Set when the platform says the person cannot be reached (blocked the bot, account gone); separate from
    # /stop, and cleared by any message from them.
    unreachable_since: Mapped[datetime | None]
    unreachable_reason: Mapped[str | None] = mapped_column(String(200))
    consent: Mapped[str | None] = mapped_column(String(16))  # None (not asked yet) | granted | declined
    consent_at: Mapped[datetime | None]
    kind: Mapped[str] = mapped_column(String(24), default="unknown")  # relocant | labour_migrant | returnee | official
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(64))
    locality: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_inbound_at: Mapped[datetime | None]
    # The person's place (issue 11): from what they told the bot, or picked by them; see bot/places.
    place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"), index=True)


class ConversationState(Base):
    """Where a person is in a conversation, so that a restart loses nothing."""

    __tablename__ = "conversation_states"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboxUpdate(Base):
    """An update as received from a platform, stored before it is acknowledged and processed after.

    (channel, update_id) is unique: a redelivered update is stored once and handled once. Rows stay `done`
    for a week after processing, so a late redelivery is still recognised, then a timer prunes them.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "update_id"),
        Index("ix_inbox_claim", "status", "id"),
        Index("ix_inbox_person", "channel", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the Incoming's fields
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | processing | done
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(index=True)


class OutboxMessage(Base):
    """One message to one person on one platform, rendered for it, waiting to be sent or sent.

    Written in the same transaction as the change that caused it; the worker sends it. The address is the
    platform's chat id (not only the contact), so a reply still goes out after /forget deleted the contact.
    Messages to one address are sent in id order, one at a time; across addresses by priority, then age.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_claim", "status", "priority", "id"),
        Index("ix_outbox_address", "channel", "address", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # answer | relay | notice | broadcast
    priority: Mapped[int] = mapped_column(Integer)  # 0 answer, 1 relay, 2 notice, 3 broadcast
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sending | sent | dead | dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    platform_message_id: Mapped[str | None] = mapped_column(String(128), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(index=True)


class Timer(Base):
    """Something due at a time (remind, check in, send a scheduled broadcast), fired by the worker.

    `key` names a timer so that it can be rescheduled or cancelled, and is never scheduled twice.
    """

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_claim", "status", "due_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(48))
    key: Mapped[str | None] = mapped_column(String(160), unique=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | running | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fired_at: Mapped[datetime | None]


class DeliveryPace(Base):
    """The rate limit of one channel, shared by every worker process: the earliest moment the next message
    may go (a GCRA "theoretical arrival time"), pushed further when the platform says "too fast"."""

    __tablename__ = "delivery_pace"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_slot: Mapped[datetime]
    paused_until: Mapped[datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(String(200))


class AuditEntry(Base):
    """Who did what: consent given or withdrawn, data deleted, and (later) every official's action."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # An official's action (bot/officials/access.py): who acted (NULL with an area: the operator at the command
    # line) and the area acted on, as given (not a foreign key: a forged id is recorded as it was tried).
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"), index=True)
    area_id: Mapped[str | None] = mapped_column(String(64), index=True)


class PackageProfile(Base):
    """Whose package it is (track, regions, household) and where they stopped reading. Kept with consent."""

    __tablename__ = "package_profiles"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    track: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str | None] = mapped_column(String(32))
    destination: Mapped[str | None] = mapped_column(String(32))
    households: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[str | None] = mapped_column(String(64))  # the id of the section last shown
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ChecklistTick(Base):
    """One ticked item of a person's documents checklist."""

    __tablename__ = "checklist_ticks"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(String(64), primary_key=True)
    ticked_at: Mapped[datetime] = mapped_column(default=utcnow)


class EligibilityResult(Base):
    """One eligibility pre-check a person made (kept only with their consent): the answers, the result and
    the rules version it was made with, so it can be explained and reproduced later."""

    __tablename__ = "eligibility_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    rules_version: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(24))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WhatsAppMessage(Base):
    """A message Joldas sent on WhatsApp and the last delivery status WhatsApp reported for it.

    Holds no content: only the message id (wamid), whom it went to, and sent | delivered | read | failed
    with the Graph API's error code and title when it failed.
    """

    __tablename__ = "whatsapp_messages"

    wamid: Mapped[str] = mapped_column(String(128), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # accepted | sent | delivered | read | failed
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_title: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FaqGap(Base):
    """A typed question the bot had no good answer to, or an answer a person marked unhelpful: for editors
    (`joldas faq gaps`). The text is stripped of digits, contacts and names; no contact is kept."""

    __tablename__ = "faq_gaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # unanswered | unhelpful
    text: Mapped[str] = mapped_column(String(200), default="")
    answer_id: Mapped[str | None] = mapped_column(String(48))
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# --- places (issue 11): areas of both countries ---


class Place(Base):
    """An area of Kazakhstan or Kyrgyzstan: a country, region, city, district, ayil aimak, village or town.

    `path` is the materialised chain of ids from the country down ("/KG/KG-O/KG-O-KSU/"): a place is within
    an area when its path starts with the area's. Loaded from content/places/ and `joldas places import`.
    """

    __tablename__ = "places"
    __table_args__ = (Index("ix_places_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),)

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    country: Mapped[str] = mapped_column(String(2))  # KZ | KG
    kind: Mapped[str] = mapped_column(String(16))  # country | region | city | district | ayil_aimak | town | village
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"), index=True)
    path: Mapped[str] = mapped_column(String(400))
    kato: Mapped[str | None] = mapped_column(String(16), index=True)  # KATO / SOATE code, when a source gives it
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_ky: Mapped[str] = mapped_column(String(200))
    name_latin: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- officials (issue 11): roles bound to areas, invites ---


class Official(Base):
    """A role (admin | official | focal_point) bound to one area, held by one contact. The row outlives the
    person: /forget revokes it and `contact_id` becomes NULL, so the audit log still names who acted
    (this row: role, area, organisation) without anything personal."""

    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # admin | official | focal_point
    area_id: Mapped[str] = mapped_column(String(48), ForeignKey("places.id"), index=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | suspended | revoked
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_at: Mapped[datetime | None]  # when the status last changed
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))  # None: operator


class Invite(Base):
    """A one-time code that makes whoever redeems it an official. Only the code's SHA-256 is kept."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[str] = mapped_column(String(48), ForeignKey("places.id"))
    organisation: Mapped[str | None] = mapped_column(String(200))
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))  # None: operator
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))  # made by it


# --- broadcasts (issue 11) ---


class Broadcast(Base):
    """A notice to the people of an area, in up to three languages, sent now, at a time, or every week or month.

    Each sending is a round: the audience is chosen again, and queued in chunks by a timer (`broadcast:<id>`),
    `cursor` being the last contact id queued in the current round. `report` keeps the last round's final figures.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[str] = mapped_column(String(48), ForeignKey("places.id"), index=True)
    audience: Mapped[str] = mapped_column(String(48))  # a kind of bot.broadcasts.audience, or stage:<status>
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"kk": "...", "ru": "..."}
    fallback_language: Mapped[str] = mapped_column(String(8))
    organisation: Mapped[str | None] = mapped_column(String(120))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"), index=True)
    silent_months: Mapped[int | None] = mapped_column(Integer)  # leave out people silent for longer
    repeat: Mapped[str] = mapped_column(String(8), default="once")  # once | weekly | monthly
    first_at: Mapped[datetime | None]  # the first sending as planned: repetitions keep its local time and day
    next_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | scheduled | sending | done | cancelled
    round: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    queuing: Mapped[bool] = mapped_column(default=False)
    paced_to: Mapped[dict[str, Any]] = mapped_column(default=dict)  # per channel: when the next notice may go
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class BroadcastDelivery(Base):
    """What became of one person in one round: queued (with its outbox row), or skipped and why."""

    __tablename__ = "broadcast_deliveries"

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))  # queued | opted_out | unreachable | duplicate
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    outbox_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), index=True)


class NoticeOptOut(Base):
    """A person pressed "Stop these notices": no more broadcasts of that organisation ("" for the operator's)."""

    __tablename__ = "notice_optouts"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(120), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- tracking (issue 12) ---


class Application(Base):
    """An application for the regional quota that a person follows with the bot: where and when it was lodged,
    its path and the rules version of that day, and where it stands now. The number and the phone are personal
    data: shown to the person and to officials of the application's area only, never logged; /forget deletes
    the row with everything hanging from it."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(40))
    rules_version: Mapped[str] = mapped_column(String(16))
    office: Mapped[str] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(32))  # the region it was lodged in (a region key)
    destination: Mapped[str | None] = mapped_column(String(32))  # the region moved to (a region key)
    place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"), index=True)
    number: Mapped[str | None] = mapped_column(String(64), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # digits only, with the country code
    lodged_at: Mapped[datetime]
    counts_from: Mapped[date]
    status: Mapped[str] = mapped_column(String(32))
    status_at: Mapped[datetime]
    moved_on: Mapped[date | None]  # the day the person moved: check-ins count from it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApplicationEvent(Base):
    """One change of an application's status: who made it (the person, an official, the operator, an
    organisation's API client) and their note. `request_key` makes a replayed import row or API call a no-op."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(32))
    previous: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime]
    by: Mapped[str] = mapped_column(String(16))  # person | official | operator | api | import
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"), index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    request_key: Mapped[str | None] = mapped_column(String(160), unique=True)


class CheckIn(Base):
    """A check-in N months after the move: still in the region, employed, housing, anything wrong."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("application_id", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    month: Mapped[int] = mapped_column(Integer)
    asked_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    in_region: Mapped[bool | None]
    employed: Mapped[bool | None]
    housing: Mapped[str | None] = mapped_column(String(16))  # own | rented | temporary | none
    problem: Mapped[str | None] = mapped_column(String(1000))  # what the person wrote, if anything is wrong


class ApiToken(Base):
    """An organisation's token for the status API, bound to an official role (its area and organisation). Only
    the token's SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class ApiRequest(Base):
    """An API call by its idempotency key: a replay with the same body gets the same answer and changes nothing."""

    __tablename__ = "api_requests"

    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- returnees (issue 13) ---


class ReturneeProfile(Base):
    """What a person who came back told the bot: where they live, when and from where they came back, what
    they need. Kept with consent; goes with the contact."""

    __tablename__ = "returnee_profiles"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    place_id: Mapped[str | None] = mapped_column(String(64))
    returned_in: Mapped[str | None] = mapped_column(String(7))  # a month, "2026-02"
    came_from: Mapped[str | None] = mapped_column(String(8))  # ru | kz | kg | tr | kr | other
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(String(1000))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Referral(Base):
    """A returnee's request passed to a focal point. The row outlives the person: /forget sets `contact_id`
    to NULL and deletes `ReferralDetails` and the messages, so the focal point's record keeps the area, the
    needs, the times and the outcome without anything that names the person."""

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_official_status", "official_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id", ondelete="SET NULL"))
    area_id: Mapped[str | None] = mapped_column(String(64), index=True)  # the area of the focal point who has it
    country: Mapped[str] = mapped_column(String(2))  # KZ | KG: whose working days count
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting | accepted | closed
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    chatting: Mapped[bool] = mapped_column(default=True)  # the two-way conversation is on (either side ends it)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(24))  # helped | sent_elsewhere | could_not_help
    outcome_reason: Mapped[str | None] = mapped_column(String(500))
    followup: Mapped[str | None] = mapped_column(String(8))  # yes | partly | no: the person's answer later
    followup_at: Mapped[datetime | None]


class ReferralDetails(Base):
    """What names the person in a referral: their place, language and note. Deleted with the contact."""

    __tablename__ = "referral_details"

    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    place_id: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(String(1000))


class ReferralMessage(Base):
    """One message of the conversation between a returnee and the focal point, in order. Deleted with the
    person (`contact_id` is always the returnee's, whoever wrote it)."""

    __tablename__ = "referral_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(String(12))  # person | focal_point
    text: Mapped[str] = mapped_column(String(4096), default="")
    attachment: Mapped[str | None] = mapped_column(String(16))  # voice | photo | document | … when not text
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaFile(Base):
    """A file of a returnee's conversation that goes to another platform (or from WhatsApp to WhatsApp), kept
    only until it is passed on: the outbox row names it by id; the sender fetches it from the platform it came
    from at the first attempt (`content` is None until then), keeps it here for the retries, uploads it, and
    deletes the row once the other side has it. Deleted with the person (`contact_id` is the returnee's,
    whoever sent it) and after `bot.media.store.KEPT`."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    writer_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))  # told if too big
    channel: Mapped[str] = mapped_column(String(16))  # where it came from
    ref: Mapped[str] = mapped_column(String(256))  # that platform's id of the file (file_id, media id)
    kind: Mapped[str] = mapped_column(String(16))  # voice | audio | photo | video | document
    mime_type: Mapped[str | None] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(String(256))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    fetched_at: Mapped[datetime | None]


class ServiceOffice(Base):
    """An office serving one need in one area, loaded by an operator from CSV (`joldas services import`):
    the facts the sources lack (addresses, phones, hours). Replaced as a whole at each import."""

    __tablename__ = "service_offices"
    __table_args__ = (Index("ix_service_offices_need_area", "need", "area_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need: Mapped[str] = mapped_column(String(24))
    area_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {kk, ru, ky}
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {kk, ru, ky}
    bring: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {kk, ru, ky}, may be empty
    phone: Mapped[str | None] = mapped_column(String(64))
    hours: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))  # who vouches for the row, as the operator states it
    imported_at: Mapped[datetime]
