"""What a returnee told the bot (kept only with consent) and their requests, as storage."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.returnees.needs import known_needs
from bot.storage.models import Contact, Referral, ReturneeProfile


async def load(session: AsyncSession, contact: Contact) -> ReturneeProfile | None:
    return await session.get(ReturneeProfile, contact.id)


async def save(session: AsyncSession, contact: Contact, answers: dict) -> ReturneeProfile:
    """Keeps the answers of the "I've come back" questions; the person's country follows their place."""
    kept = await load(session, contact) or ReturneeProfile(contact_id=contact.id)
    kept.place_id, kept.returned_in, kept.came_from = answers.get("place"), answers.get("when"), answers.get("from")
    kept.needs, kept.note = known_needs(answers.get("needs")), answers.get("note")
    session.add(kept)
    contact.kind, contact.place_id = "returnee", kept.place_id
    contact.country = (answers.get("country") or "").lower() or contact.country
    return kept


def as_answers(kept: ReturneeProfile) -> dict:
    """The kept profile as the flow's answers (the country is the first two letters of every place id)."""
    answers = {
        "place": kept.place_id,
        "country": (kept.place_id or "")[:2] or None,
        "when": kept.returned_in,
        "from": kept.came_from,
        "needs": known_needs(kept.needs),
        "note": kept.note,
    }
    return {key: value for key, value in answers.items() if value is not None}


async def referrals_of(session: AsyncSession, contact: Contact) -> list[Referral]:
    return list(await session.scalars(select(Referral).where(Referral.contact_id == contact.id).order_by(Referral.id)))


async def referral_of(session: AsyncSession, contact: Contact, number: int | None) -> Referral | None:
    """The person's own referral of that number; None for someone else's or a forged number."""
    if number is None:
        return None
    referral = await session.get(Referral, number)
    return referral if referral is not None and referral.contact_id == contact.id else None
