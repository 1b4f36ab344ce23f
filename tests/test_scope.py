"""Every way an official could reach beyond their area fails, and is audited (issue 11, item 6).

One attempt a line in ATTEMPTS: what it is, and how it is tried —
`press(who, button)`: a person in the messenger presses a (forged) button;
`presses(who, *buttons)`: the same after the buttons that lead to it (the steps of an invite, say);
`typed(who, text)`: a person sends a text (an invite code);
`cli(args)`: the command line, usually with `--as`;
`call(attempt)`: a call into the code, `attempt(session, world, now)`.
Texts take `{name}` placeholders: the areas `region`, `district_area` (a place in the region), `other_region`
(of the same country), `abroad` (a region of the other country); the officials `admin` (the region's
country), `regional` (region), `colleague` (region, invited by the operator), `district` (district_area,
invited by regional), `focal` (focal point of district_area, invited by district), `suspended` (region,
invited by regional, suspended), `other` (other_region); the codes `expired_code`, `used_code`,
`suspended_code` (made by `suspended` before the suspension).
Every attempt must leave exactly one more denied entry in the audit log and change no official.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.broadcasts import command as broadcast_command
from bot.broadcasts import manage
from bot.config import Settings
from bot.officials import access, command, invites, roster
from bot.storage.models import AuditEntry, Official
from tests.officials import WEEK, areas, contact_named, make_official
from tests.people import Person


@dataclass
class World:
    ids: dict[str, str]
    people: dict[str, Person]
    officials: dict[str, Official]
    codes: dict[str, str]
    database_url: str

    def fill(self, text: str) -> str:
        return text.format(**self.ids, **self.codes)


def officials_parser() -> argparse.ArgumentParser:
    """`joldas officials …` as the command line parses it (its own parser: the other commands play no part)."""
    root = argparse.ArgumentParser(prog="joldas")
    command.add_arguments(root.add_subparsers(dest="command", required=True))
    return root


Attempt = Callable[[World, object, object], Awaitable[None]]


def press(who: str, button: str) -> Attempt:
    async def attempt(world: World, database, now) -> None:
        await world.people[who].press(world.fill(button))

    return attempt


def presses(who: str, *buttons: str) -> Attempt:
    async def attempt(world: World, database, now) -> None:
        for button in buttons:
            await world.people[who].press(world.fill(button))

    return attempt


def typed(who: str, text: str) -> Attempt:
    async def attempt(world: World, database, now) -> None:
        await world.people[who].say(world.fill(text))

    return attempt


def cli(arguments: str) -> Attempt:
    async def attempt(world: World, database, now) -> None:
        args = officials_parser().parse_args(["officials", *shlex.split(world.fill(arguments))])
        with pytest.raises(SystemExit) as refused:
            await command.run(Settings(database_url=world.database_url), args)
        assert refused.value.code == 2

    return attempt


def broadcast_cli(arguments: str) -> Attempt:
    """`joldas broadcast …`, usually with `--as`."""

    async def attempt(world: World, database, now) -> None:
        root = argparse.ArgumentParser(prog="joldas")
        broadcast_command.add_arguments(root.add_subparsers(dest="command", required=True))
        args = root.parse_args(["broadcast", *shlex.split(world.fill(arguments))])
        with pytest.raises(broadcast_command.Refused, match="refused"):
            await broadcast_command.run(Settings(database_url=world.database_url), args)

    return attempt


async def cancel_a_regional_broadcast(session, world: World, now) -> None:
    """The region's official writes a notice (allowed); the district's official tries to stop it."""
    made = await manage.create(
        session, world.officials["regional"], area_id=world.ids["region"], audience_kind="everyone",
        texts={"ru": "Собрание"}, now=now,
    )  # fmt: skip
    await manage.cancel(session, world.officials["district"], made, now)


def call(what: Callable) -> Attempt:
    async def attempt(world: World, database, now) -> None:
        async with database.transaction() as session:
            with pytest.raises(access.Denied):
                await what(session, world, now)

    return attempt


ATTEMPTS = [
    ("a forged button: the list of the whole region, by a district official", press("district", "off:l:{region}")),
    ("a forged button: the list of another region", press("regional", "off:l:{other_region}")),
    ("a forged button: the list of another country", press("admin", "off:l:{abroad}")),
    ("a forged button: an area that does not exist", press("regional", "off:l:XX-NOWHERE")),
    ("a forged button: suspending an official of another region", press("regional", "off:s:{other}")),
    ("a forged button: revoking the official above, by a district one", press("district", "off:ry:{regional}")),
    ("a forged button: opening the official above", press("district", "off:o:{regional}")),
    ("a forged button: suspending a colleague's official", press("colleague", "off:s:{district}")),
    ("a forged button: suspending oneself", press("regional", "off:s:{regional}")),
    ("a forged button: an official that does not exist", press("regional", "off:s:987654")),
    ("a focal point opening the officials screen", press("focal", "off")),
    ("a forged invite button: an area of another region", press("regional", "off:ia:{other_region}")),
    ("a forged invite button: the whole region, by a district official", press("district", "off:ia:{region}")),
    ("a forged invite button: another country, by an admin", press("admin", "off:ia:{abroad}")),
    (
        "a forged invite button in the invite's last step: another region",
        presses("regional", "off:i", "off:ir:focal_point", "off:io:none", "off:ia:{other_region}"),
    ),
    ("a forged invite button: an admin's role, by an official", presses("regional", "off:i", "off:ir:admin")),
    ("a focal point starting an invite", press("focal", "off:i")),
    ("a suspended official starting an invite", press("suspended", "off:i")),
    ("a person with no role pressing an officials button", press("resident", "off:u:{suspended}")),
    ("a suspended official opening the officials screen", press("suspended", "off")),
    ("a suspended official suspending someone in their area", press("suspended", "off:s:{district}")),
    (
        "the command line as a district official, inviting to the region",
        cli("invite --role focal_point --area {region} --as {district}"),
    ),
    (
        "the command line as an official, inviting to another region",
        cli("invite --role official --area {other_region} --as {regional}"),
    ),
    ("the command line as an official, inviting an admin", cli("invite --role admin --area {region} --as {regional}")),
    (
        "the command line as a focal point, inviting anyone",
        cli("invite --role focal_point --area {district_area} --as {focal}"),
    ),
    (
        "the command line as a suspended official",
        cli("invite --role focal_point --area {district_area} --as {suspended}"),
    ),
    ("the command line as an official, listing another region", cli("list --area {other_region} --as {regional}")),
    ("the command line as an official, revoking in another region", cli("revoke {other} --as {regional}")),
    ("the command line as an admin, listing another country", cli("list --area {abroad} --as {admin}")),
    ("an expired invite code", typed("resident", "{expired_code}")),
    ("a reused invite code", typed("resident", "/start {used_code}")),
    ("an invite code of an official suspended since", typed("resident", "{suspended_code}")),
    ("a code nobody made", typed("resident", "JOL-AAAA-BBBB-CCCC")),
    ("a forged notices button: the whole region, by a district official", press("district", "ntc:area:{region}")),
    ("a forged notices button: another region", press("regional", "ntc:area:{other_region}")),
    ("a forged notices button: another country, by an admin", press("admin", "ntc:area:{abroad}")),
    ("a person with no role pressing a notices button", press("resident", "ntc:new")),
    ("a suspended official writing a notice", press("suspended", "ntc:new")),
    (
        "the command line as a district official, broadcasting to the region",
        broadcast_cli("create --area {region} --text ru=Собрание --as {district}"),
    ),
    (
        "the command line as an official, broadcasting to another region",
        broadcast_cli("create --area {other_region} --text ru=Собрание --as {regional}"),
    ),
    (
        "the command line as a suspended official, broadcasting in their area",
        broadcast_cli("create --area {region} --text ru=Собрание --as {suspended}"),
    ),
    ("a district official stopping the region's notice", call(cancel_a_regional_broadcast)),
    (
        "a district official acting on the whole region",
        call(
            lambda session, world, now: access.authorise(
                session, world.officials["district"], "broadcast.create", world.ids["region"], now
            )
        ),
    ),
    (
        "an official's action on a place of another country",
        call(
            lambda session, world, now: access.authorise(
                session, world.officials["regional"], "broadcast.create", world.ids["abroad"], now
            )
        ),
    ),
]


@pytest.fixture
async def world(engine, database, database_url, clock) -> World:
    """The officials of the module docstring, each a person onboarded in Russian on the console."""
    now = clock.now()
    names = ("admin", "regional", "colleague", "district", "focal", "suspended", "other", "resident")
    people = {name: Person(engine, "console", name) for name in names}
    for someone in people.values():
        await someone.onboard("ru")
    async with database.transaction() as session:
        where = await areas(session)
        made = {}
        made["admin"] = await make_official(session, "admin", "admin", where.country, now)
        made["regional"] = await make_official(session, "regional", "official", where.region, now)
        made["colleague"] = await make_official(session, "colleague", "official", where.region, now)
        made["district"] = await make_official(
            session, "district", "official", where.district, now, by=made["regional"]
        )
        made["focal"] = await make_official(session, "focal", "focal_point", where.district, now, by=made["district"])
        made["suspended"] = await make_official(
            session, "suspended", "official", where.region, now, by=made["regional"]
        )
        made["other"] = await make_official(session, "other", "official", where.other_region, now)
        expired = await invites.create(session, None, "focal_point", where.district, None, now, timedelta(minutes=5))
        used = await invites.create(session, None, "focal_point", where.district, None, now, WEEK)
        await invites.redeem(session, await contact_named(session, "someone"), invites.canonical(used.code), now)
        from_suspended = await invites.create(
            session, made["suspended"], "focal_point", where.district, None, now, WEEK
        )
        await roster.change(session, made["regional"], made["suspended"].id, "suspend", now)
    clock.advance(timedelta(hours=1))
    ids = {"region": where.region, "district_area": where.district, "other_region": where.other_region}
    ids |= {"abroad": where.abroad} | {name: str(official.id) for name, official in made.items()}
    codes = {"expired_code": expired.code, "used_code": used.code, "suspended_code": from_suspended.code}
    return World(ids, people, made, codes, database_url)


async def denied_entries(database) -> int:
    async with database.transaction() as session:
        entries = await session.scalars(select(AuditEntry.details))
        return sum(1 for details in entries if details.get("outcome") == "denied")


async def statuses(database) -> list[tuple]:
    async with database.transaction() as session:
        rows = await session.execute(select(Official.id, Official.status, Official.contact_id).order_by(Official.id))
        return list(rows)


@pytest.mark.parametrize(("what", "attempt"), ATTEMPTS, ids=[what for what, _ in ATTEMPTS])
async def test_reaching_beyond_one_s_area_fails_and_is_audited(world, database, clock, what, attempt):
    before, officials_before = await denied_entries(database), await statuses(database)
    await attempt(world, database, clock.now())
    assert await denied_entries(database) == before + 1, what
    assert await statuses(database) == officials_before, what


async def test_the_same_actions_inside_the_area_are_allowed(world, database, clock):
    """The attempts above fail for the reason they test, not because nothing works."""
    regional, district = world.people["regional"], world.people["district"]
    await regional.press(world.fill("off:l:{district_area}"))
    assert f"#{world.ids['focal']}" in regional.text
    await district.press(world.fill("off:s:{focal}"))
    async with database.transaction() as session:
        assert (await session.get(Official, world.officials["focal"].id)).status == "suspended"
        allowed = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "officials.suspend")
        )
    assert allowed == 2  # the suspension in the fixture, and this one
