"""Choosing a region, for every feature that asks for one: buttons named in the person's language, and
the regions a typed name may mean when it means no single one ("Алматы": the region or the city)."""

from collections.abc import Iterable

from bot.content.regions import find_regions, region_name
from bot.context import Conversation
from bot.conversation import Button


def region_rows(ctx: Conversation, prefix: str, region_ids: Iterable[str]) -> list[list[Button]]:
    """One button a region; its id is `prefix` followed by the region's id."""
    return [[Button(f"{prefix}{region_id}", region_name(region_id, ctx.language))] for region_id in region_ids]


def offer_candidates(ctx: Conversation, typed: str, prefix: str, extra_rows: list[list[Button]] = ()) -> bool:
    """Asks which region was meant, as buttons; False when the typed name may mean none."""
    candidates = find_regions(typed)
    if not candidates:
        return False
    rows = region_rows(ctx, prefix, [candidate.id for candidate in candidates]) + list(extra_rows)
    ctx.say(ctx._("Did you mean one of these?"), rows)
    return True
