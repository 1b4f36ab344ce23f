"""Roles bound to areas: invites made and redeemed, `access` deciding and auditing, the roster's changes."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.officials import access, buttons, invites, journal, roster
from bot.storage import repository
from bot.storage.models import AuditEntry, Invite, Official
from tests.officials import WEEK, areas, contact_named, make_official


async def audit_rows(session) -> list[AuditEntry]:
    return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_codes_are_typed_in_any_case_and_spacing_and_nothing_else_is_a_code():
    code = invites.make_code()
    assert len(code) == len("JOL-XXXX-XXXX-XXXX") and code.startswith("JOL-")
    assert invites.canonical(code) == code.replace("-", "")
    assert invites.canonical(f"  {code.lower().replace('-', ' ')} ") == code.replace("-", "")
    for text in ("hello", "JOL-1234", "JOL-0000-0000-0000", code + "A", "/start", "", "ЖОЛ-ABCD-EFGH-JKMN"):
        assert invites.canonical(text) is None
    assert invites.deep_link("@JoldasBot", code) == f"https://t.me/JoldasBot?start={code}"
    assert invites.deep_link(None, code) is None


def test_button_ids_read_back_and_anything_malformed_is_no_press():
    for press in (
        buttons.Press("screen"),
        buttons.Press("list", area_id="KG-O-KARASUU"),
        *(buttons.Press(action, official_id=12) for action in ("show", "suspend", "ask_revoke", "revoke", "reinstate")),
    ):
        assert buttons.parse(press.id.removeprefix("off").removeprefix(":")) == press
    for argument in ("zz:1", "s:", "s:abc", "s:²", "s:١٢", "s:1234567890", "l:", ":", "s:-1"):
        assert buttons.parse(argument) is None, argument


async def test_an_invite_keeps_only_the_hash_and_makes_its_holder_an_official(database, clock):
    now = clock.now()
    async with database.transaction() as session:
        where = await areas(session)
        made = await invites.create(session, None, "official", where.region, "Akimat", now, WEEK)
        stored = await session.scalar(select(Invite))
        assert made.code.replace("-", "") not in (stored.code_hash, stored.role, stored.organisation)
        assert stored.code_hash == invites.code_hash(invites.canonical(made.code))
        contact = await contact_named(session, "501", "telegram")
        official = await invites.redeem(session, contact, invites.canonical(made.code), now)
        assert (official.role, official.area_id, official.organisation, official.invited_by) == (
            "official",
            where.region,
            "Akimat",
            None,
        )
        assert await access.acting_official(session, contact) == official
        assert stored.used_at is not None and stored.official_id == official.id
        invite_entry, redeem_entry = await audit_rows(session)
        assert (invite_entry.action, invite_entry.area_id, invite_entry.official_id) == (
            "officials.invite",
            where.region,
            None,
        )
        assert invite_entry.details == {
            "by": "operator",
            "outcome": "allowed",
            "role": "official",
            "organisation": "Akimat",
        }
        assert (redeem_entry.action, redeem_entry.official_id, redeem_entry.details["outcome"]) == (
            "officials.redeem",
            official.id,
            "allowed",
        )


async def test_a_code_is_refused_when_unknown_used_expired_or_its_inviter_stopped(database, clock):
    now = clock.now()
    async with database.transaction() as session:
        where = await areas(session)
        boss = await make_official(session, "boss", "official", where.region, now)
        once = await invites.create(session, None, "focal_point", where.district, None, now, WEEK)
        short = await invites.create(session, None, "focal_point", where.district, None, now, timedelta(hours=1))
        from_boss = await invites.create(session, boss, "focal_point", where.district, None, now, WEEK)
        first = await contact_named(session, "7701", "whatsapp")
        second = await contact_named(session, "7702", "whatsapp")
        await invites.redeem(session, first, invites.canonical(once.code), now)
        boss.status = "suspended"
        attempts = {
            "used": once.code,
            "expired": short.code,
            "inviter_inactive": from_boss.code,
            "unknown": invites.make_code(),
        }
        for reason, code in attempts.items():
            with pytest.raises(invites.Refused) as refused:
                await invites.redeem(session, second, invites.canonical(code), now + timedelta(hours=2))
            assert refused.value.reason == reason
        assert await access.acting_official(session, second) is None
        denied = [entry for entry in await audit_rows(session) if entry.details.get("outcome") == "denied"]
        assert [(entry.details["reason"], entry.contact_id, entry.details["by"]) for entry in denied] == [
            (reason, second.id, "person") for reason in attempts
        ]


async def test_scope_is_the_area_and_what_lies_within_it(database, clock):
    now = clock.now()
    async with database.transaction() as session:
        where = await areas(session)
        regional = await make_official(session, "regional", "official", where.region, now)
        await access.authorise(session, regional, "broadcast.create", where.district, now, audience="everyone")
        await access.authorise(session, None, "broadcast.create", where.abroad, now)
        for area, reason in (
            (where.other_region, "outside_area"),
            (where.country, "outside_area"),
            ("XX-NOWHERE", "unknown_area"),
        ):
            with pytest.raises(access.Denied) as denied:
                await access.authorise(session, regional, "broadcast.create", area, now)
            assert denied.value.reason == reason
        entries = [entry for entry in await audit_rows(session) if entry.action == "broadcast.create"]
        assert [(entry.area_id, entry.details["outcome"]) for entry in entries] == [
            (where.district, "allowed"),
            (where.abroad, "allowed"),
            (where.other_region, "denied"),
            (where.country, "denied"),
            ("XX-NOWHERE", "denied"),
        ]
        assert entries[0].details == {"by": "official", "outcome": "allowed", "audience": "everyone"}
        assert entries[0].official_id == regional.id and entries[1].official_id is None


async def test_who_may_invite_whom(database, clock):
    now = clock.now()
    async with database.transaction() as session:
        where = await areas(session)
        admin = await make_official(session, "admin", "admin", where.country, now)
        regional = await make_official(session, "regional", "official", where.region, now, by=admin)
        focal = await make_official(session, "focal", "focal_point", where.district, now, by=regional)
        await invites.create(session, admin, "official", where.other_region, None, now, WEEK)
        await invites.create(session, regional, "official", where.district, None, now, WEEK)
        refusals = [
            (focal, "focal_point", where.district, "not_allowed"),
            (regional, "admin", where.country, "outside_area"),
            (regional, "admin", where.region, "role_too_high"),
            (admin, "admin", where.country, "role_too_high"),
            (None, "admin", where.region, "admin_needs_country"),
            (admin, "official", where.abroad, "outside_area"),
        ]
        for actor, role, area, reason in refusals:
            with pytest.raises(access.Denied) as denied:
                await invites.create(session, actor, role, area, None, now, WEEK)
            assert denied.value.reason == reason, (actor and actor.role, role, area)
        await invites.create(session, None, "admin", where.abroad[:2], None, now, WEEK)


async def test_an_official_manages_those_they_brought_in_and_an_admin_their_country(database, clock):
    now = clock.now()
    async with database.transaction() as session:
        where = await areas(session)
        admin = await make_official(session, "admin", "admin", where.country, now)
        regional = await make_official(session, "regional", "official", where.region, now, by=admin)
        colleague = await make_official(session, "colleague", "official", where.region, now)
        district = await make_official(session, "district", "official", where.district, now, by=regional)
        focal = await make_official(session, "focal", "focal_point", where.district, now, by=district)
        assert await roster.managed(session, regional, now) == [district, focal]
        assert await roster.managed(session, district, now) == [focal]
        assert {o.id for o in await roster.managed(session, admin, now)} == {
            regional.id,
            colleague.id,
            district.id,
            focal.id,
        }
        assert {o.id for o in await roster.managed(session, None, now, where.district)} == {district.id, focal.id}

        assert (await roster.change(session, regional, focal.id, "suspend", now)).status == "suspended"
        with pytest.raises(roster.NotPossible):
            await roster.change(session, regional, focal.id, "suspend", now)
        assert (await roster.change(session, regional, focal.id, "reinstate", now)).status == "active"
        for actor, target, reason in (
            (colleague, district, "not_yours"),
            (regional, regional, "not_yours"),
            (regional, admin, "outside_area"),
            (district, regional, "outside_area"),
            (admin, admin, "not_yours"),
        ):
            with pytest.raises(access.Denied) as denied:
                await roster.change(session, actor, target.id, "revoke", now)
            assert denied.value.reason == reason
        with pytest.raises(access.Denied) as denied:
            await roster.change(session, regional, 999999, "revoke", now)
        assert denied.value.reason == "unknown_official"
        assert (await roster.change(session, None, district.id, "revoke", now)).status == "revoked"
        with pytest.raises(roster.NotPossible):
            await roster.change(session, None, district.id, "reinstate", now)


async def test_officials_for_a_place_are_the_active_ones_of_exactly_that_place(database, clock):
    now = clock.now()
    async with database.transaction() as session:
        where = await areas(session)
        first = await make_official(session, "first", "focal_point", where.district, now)
        second = await make_official(session, "second", "focal_point", where.district, now)
        await make_official(session, "above", "focal_point", where.region, now)
        await make_official(session, "other_role", "official", where.district, now)
        second.status = "suspended"
        assert await access.officials_for(session, where.district, "focal_point") == [first]
        assert await access.officials_for(session, where.other_region, "focal_point") == []


async def test_a_new_role_replaces_the_old_and_forget_revokes_but_keeps_the_audit(database, clock):
    now = clock.now()
    async with database.transaction() as session:
        where = await areas(session)
        old = await make_official(session, "aidana", "focal_point", where.district, now)
        new = await make_official(session, "aidana", "official", where.district, now)
        assert old.status == "revoked" and new.status == "active"
        contact = await contact_named(session, "aidana", "console")
        await roster.forgotten(session, contact, now)
        await repository.forget_contact(session, contact)
    async with database.transaction() as session:
        kept = await session.get(Official, new.id)
        assert (kept.status, kept.contact_id, kept.role) == ("revoked", None, "official")
        actions = [(entry.action, entry.official_id) for entry in await journal.entries(session, where.region)]
        assert ("officials.forgotten", new.id) in actions and ("officials.redeem", new.id) in actions
        assert all(entry.contact_id is None for entry in await audit_rows(session))
