"""Broadcasts on both databases: who is reached (consent, /stop, the area, the audience, officials, silence),
the preview, sending through the real worker, the report, cancel, "send again", the same text never twice a
day, "Stop these notices", schedules in the area's local time. The platform is a recording sender (the
network edge); everything else is the real code."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
from dataclasses import dataclass, field
from itertools import pairwise

import pytest
from sqlalchemy import func, select, text

from bot.broadcasts import command, demo, manage, notice, schedule
from bot.broadcasts.report import report
from bot.channels import whatsapp_store
from bot.channels.whatsapp import Templates, WhatsAppSender
from bot.channels.whatsapp_inbound import StatusUpdate
from bot.clock import ManualClock, SystemClock
from bot.config import Settings
from bot.delivery.senders import RetryLater
from bot.engine import Engine
from bot.officials import access
from bot.storage.models import Application, AuditEntry, Broadcast, Contact, OutboxMessage, as_utc
from handlers import build_router
from tests.broadcasting import add_official, add_person, broadcast, load_places
from tests.delivery import quick, running_worker, settled
from tests.fake_graph import PHONE_NUMBER_ID, FakeGraphAPI
from tests.fake_graph import TOKEN as GRAPH_TOKEN
from tests.test_worker import Platform

UTC = dt.UTC


@dataclass
class Unavailable(Platform):
    """A platform that, for now, answers "502 Bad Gateway" for some people."""

    down: set[str] = field(default_factory=set)

    async def send(self, message):
        if message.address in self.down:
            return RetryLater("502 Bad Gateway")
        return await super().send(message)


@pytest.fixture
async def live(database) -> Engine:
    """An engine on the real clock: a broadcast's timer fires again a second after it queued its last chunk."""
    await load_places(database)
    return Engine(database, build_router(), clock=SystemClock())


async def sent(live: Engine, platform: Platform | dict, *ids: int) -> None:
    """Runs the worker until every broadcast named is finished (a platform for both messengers, or senders)."""
    senders = platform if isinstance(platform, dict) else {"telegram": platform, "whatsapp": platform}
    async with running_worker(live, senders, quick()):
        for _ in range(100):
            await settled(live.database)
            async with live.database.transaction() as session:
                statuses = [(await session.get(Broadcast, each)).status for each in ids]
            if all(status in ("done", "cancelled") for status in statuses):
                return
            await asyncio.sleep(0.2)
    raise AssertionError(f"broadcasts still {statuses}")


async def test_only_consenting_reachable_people_of_the_area_are_reached_and_the_rest_are_counted(live, database):
    now = live.clock.now()
    reached = [
        await add_person(database, "KZ-AKM", language="kk"),
        await add_person(database, "KZ-AKM-T1", language="ru"),  # a district of the region
        await add_person(database, "KZ-AKM-T2", language="ky"),  # no Kyrgyz text: gets the fallback
    ]
    await add_person(database, "KZ-PAV")  # another region
    await add_person(database, None)  # no place told
    await add_person(database, "KZ-AKM", consent="declined")
    await add_person(database, "KZ-AKM", consent=None)
    await add_person(database, "KZ-AKM", status="stopped")
    await add_person(database, "KZ-AKM", unreachable=now)
    official = await add_person(database, None, language="ru")  # an official not living there
    await add_official(database, "KZ-AKM", official)
    resident_official = await add_person(database, "KZ-AKM-T1", language="ru")
    await add_official(database, "KZ-AKM-T1", resident_official)
    reached.append(resident_official)

    made = await broadcast(database, now, "KZ-AKM", {"kk": "Сәлем", "ru": "Здравствуйте"}, fallback="ru", send=False)
    async with database.transaction() as session:
        preview = await manage.preview(session, await session.get(Broadcast, made.id), now)
    assert preview.total == 4
    assert dict(preview.by_language) == {"kk": 1, "ru": 3}
    assert dict(preview.by_channel) == {"telegram": 4}
    assert dict(preview.skipped) == {"opted_out": 1, "unreachable": 1}

    async with database.transaction() as session:
        await manage.send(session, None, await session.get(Broadcast, made.id), now)
    platform = Platform()
    await sent(live, platform, made.id)
    assert sorted(address for address, _, _ in platform.received) == sorted(each.external_id for each in reached)
    by_address = {address: text for address, text, _ in platform.received}
    assert by_address[reached[0].external_id] == "📢 Joldas\n\nСәлем"
    assert by_address[reached[2].external_id].endswith("Здравствуйте")  # Kyrgyz speaker, Russian fallback
    async with database.transaction() as session:
        done = await session.get(Broadcast, made.id)
        figures = await report(session, done)
    assert done.status == "done"
    assert (figures.queued, figures.sent, figures.delivered, figures.failed) == (4, 4, 4, 0)
    assert dict(figures.skipped) == {"opted_out": 1, "unreachable": 1}
    assert done.report["sent"] == 4


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("everyone", {"resident", "returnee", "labour", "leaving_here"}),
        ("returnees", {"returnee"}),
        ("labour_migrants", {"labour"}),
        ("coming_in", {"coming"}),  # lives elsewhere, moving to Akmola
        ("leaving", {"leaving_here"}),
        ("kandases", {"kandas"}),
        ("relocants", {"coming", "kandas"}),
    ],
)
async def test_each_audience_is_who_people_told_the_bot_they_are(live, database, kind, expected):
    people = {
        "resident": await add_person(database, "KZ-AKM"),
        "returnee": await add_person(database, "KZ-AKM-T1", kind="returnee"),
        "labour": await add_person(database, "KZ-AKM", kind="labour_migrant"),
        "coming": await add_person(
            database, "KZ-TUR", kind="relocant", track="in_migrant", origin="turkistan", destination="akmola"
        ),
        "leaving_here": await add_person(
            database, "KZ-AKM", kind="unknown", track="in_migrant", origin="akmola", destination="pavlodar"
        ),
        "kandas": await add_person(
            database, None, kind="relocant", track="kandas", origin="abroad", destination="akmola"
        ),
        "elsewhere": await add_person(database, "KZ-PAV", kind="returnee"),
    }
    now = live.clock.now()
    made = await broadcast(database, now, "KZ-AKM", {"kk": "Хабар"}, audience=kind)
    platform = Platform()
    await sent(live, platform, made.id)
    names = {person.external_id: name for name, person in people.items()}
    assert {names[address] for address, _, _ in platform.received} == expected


async def test_people_silent_for_longer_than_asked_are_left_out(live, database):
    now = live.clock.now()
    recent = await add_person(database, "KZ-AKM", last_inbound_at=now - dt.timedelta(days=20))
    await add_person(database, "KZ-AKM", last_inbound_at=now - dt.timedelta(days=200))
    await add_person(database, "KZ-AKM")  # never wrote
    made = await broadcast(database, now, "KZ-AKM", {"kk": "Хабар"}, silent_months=3)
    platform = Platform()
    await sent(live, platform, made.id)
    assert [address for address, _, _ in platform.received] == [recent.external_id]


async def test_the_same_text_never_reaches_a_person_twice_a_day_whoever_sends_it(live, database):
    now = live.clock.now()
    person = await add_person(database, "KZ-AKM-T1")
    region = await add_official(database, "KZ-AKM", organisation="Akmola akimat")
    district = await add_official(database, "KZ-AKM-T1", organisation="District akimat")
    first = await broadcast(database, now, "KZ-AKM", {"kk": "Ертең жиналыс"}, actor=region)
    second = await broadcast(database, now, "KZ-AKM-T1", {"kk": "  ертең   ЖИНАЛЫС "}, actor=district)
    platform = Platform()
    await sent(live, platform, first.id, second.id)
    assert [address for address, _, _ in platform.received] == [person.external_id]
    async with database.transaction() as session:
        figures = await report(session, await session.get(Broadcast, second.id))
    assert dict(figures.skipped) == {"duplicate": 1}


async def test_cancel_stops_what_is_not_yet_sent(database, clock):
    await load_places(database)
    for _ in range(5):
        await add_person(database, "KZ-AKM")
    engine = Engine(database, build_router(), clock=clock)
    made = await broadcast(database, clock.now(), "KZ-AKM", {"kk": "Хабар"})
    async with running_worker(engine, {}, quick()):  # queues (timers fire), sends nothing: no channel
        await settled_queue(database, 5)
    async with database.transaction() as session:
        stopped = await manage.cancel(session, None, await session.get(Broadcast, made.id), clock.now())
        figures = await report(session, await session.get(Broadcast, made.id))
    assert stopped == 5
    assert (figures.status, figures.cancelled, figures.sent) == ("cancelled", 5, 0)


async def settled_queue(database, n: int) -> None:
    for _ in range(200):
        async with database.transaction() as session:
            queued = await session.scalar(select(func.count()).select_from(OutboxMessage))
        if queued >= n:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("nothing queued")


async def test_those_it_failed_for_for_a_passing_reason_are_sent_it_again(live, database):
    now = live.clock.now()
    people = [await add_person(database, "KZ-AKM") for _ in range(3)]
    made = await broadcast(database, now, "KZ-AKM", {"kk": "Хабар"})
    platform = Unavailable(down={people[0].external_id})  # the first person's every attempt fails, for now
    await sent(live, platform, made.id)
    async with database.transaction() as session:
        figures = await report(session, await session.get(Broadcast, made.id))
    assert (figures.sent, figures.failed, figures.can_send_again) == (2, 1, 1)
    async with database.transaction() as session:
        again = await manage.send_again(session, None, await session.get(Broadcast, made.id), now)
    assert again == 1
    platform.down.clear()
    await sent(live, platform, made.id)
    assert sorted(address for address, _, _ in platform.received) == sorted(each.external_id for each in people)
    async with database.transaction() as session:
        figures = await report(session, await session.get(Broadcast, made.id))
    assert (figures.sent, figures.failed) == (3, 0)


async def test_stop_these_notices_stops_that_organisations_notices_only(live, database):
    now = live.clock.now()
    person = await add_person(database, "KZ-AKM")
    akimat = await add_official(database, "KZ-AKM", organisation="Akmola akimat")
    centre = await add_official(database, "KZ-AKM", organisation="Career centre")
    first = await broadcast(database, now, "KZ-AKM", {"kk": "Бірінші"}, actor=akimat)
    async with database.transaction() as session:
        await manage.stop_notices(
            session, await session.get(Contact, person.id), await session.get(Broadcast, first.id), now
        )
    later = await broadcast(database, now, "KZ-AKM", {"kk": "Екінші"}, actor=akimat)
    other = await broadcast(database, now, "KZ-AKM", {"kk": "Үшінші"}, actor=centre)
    platform = Platform()
    await sent(live, platform, first.id, later.id, other.id)
    assert platform.texts == ["📢 Career centre\n\nҮшінші"]
    async with database.transaction() as session:
        figures = await report(session, await session.get(Broadcast, later.id))
    assert dict(figures.skipped) == {"opted_out": 1}


async def test_a_notice_carries_the_stop_button_and_whatsapp_without_a_template_is_said_in_the_preview(live, database):
    now = live.clock.now()
    await add_person(database, "KZ-AKM", channel="whatsapp", last_inbound_at=now - dt.timedelta(days=3))
    await add_person(database, "KZ-AKM", channel="whatsapp", last_inbound_at=now - dt.timedelta(hours=2))
    made = await broadcast(database, now, "KZ-AKM", {"kk": "Хабар"}, send=False)
    async with database.transaction() as session:
        preview = await manage.preview(session, await session.get(Broadcast, made.id), now)
    assert dict(preview.outside_window) == {"kk": 1}
    assert preview.no_template == ["kk"]  # no WHATSAPP_TEMPLATE_KK in the tests' settings
    shown = notice.reply(made, "kk")
    assert [button.id for button in shown.all_buttons()] == [f"ntc:stop:{made.id}"]


async def test_a_district_official_cannot_broadcast_to_the_region_and_the_attempt_is_audited(live, database):
    district = await add_official(database, "KZ-AKM-T1")
    now = live.clock.now()
    with pytest.raises(access.Denied) as refused:
        await broadcast(database, now, "KZ-AKM", {"kk": "Хабар"}, actor=district)
    assert refused.value.reason == "outside_area"
    async with database.transaction() as session:
        audited = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "broadcast.create")
        )
    assert audited == 0  # the refusal was rolled back with the transaction that raised: callers commit it
    suspended = await add_official(database, "KZ-AKM", status="suspended")
    with pytest.raises(access.Denied):
        await broadcast(database, now, "KZ-AKM", {"kk": "Хабар"}, actor=suspended)


def test_a_schedule_keeps_the_local_time_and_day_of_the_area():
    now = dt.datetime(2026, 3, 1, 6, 0, tzinfo=UTC)  # 11:00 in Almaty
    at = schedule.parse_local("05.03.2026 10:00", "KZ", now)
    assert at == dt.datetime(2026, 3, 5, 5, 0, tzinfo=UTC)
    assert schedule.parse_local("10:00", "KG", now) == dt.datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # tomorrow
    assert schedule.parse_local("12:30", "KZ", now) == dt.datetime(2026, 3, 1, 7, 30, tzinfo=UTC)
    assert schedule.parse_local("31.02.2026 10:00", "KZ", now) is None
    assert schedule.parse_local("soon", "KZ", now) is None
    first = dt.datetime(2026, 1, 31, 5, 0, tzinfo=UTC)
    assert schedule.occurrence(first, "monthly", 1, "KZ") == dt.datetime(2026, 2, 28, 5, 0, tzinfo=UTC)
    assert schedule.occurrence(first, "weekly", 2, "KZ") == dt.datetime(2026, 2, 14, 5, 0, tzinfo=UTC)


async def test_a_weekly_broadcast_goes_again_a_week_later(database):
    await load_places(database)
    clock = ManualClock("2026-03-01T06:00:00+00:00")
    engine = Engine(database, build_router(), clock=clock)
    person = await add_person(database, "KZ-AKM")
    async with database.transaction() as session:
        made = await manage.create(
            session, None, area_id="KZ-AKM", audience_kind="everyone", texts={"kk": "Апта"}, now=clock.now()
        )
        await manage.send(session, None, made, clock.now(), at=clock.now() + dt.timedelta(hours=1), repeat="weekly")
    platform = Platform()
    async with running_worker(engine, {"telegram": platform}, quick()):
        for _ in range(2):
            clock.advance(hours=1)
            await settled(database, clock)
            clock.advance(seconds=2)  # the watch sees the last one out
            await settled(database, clock)
            async with database.transaction() as session:
                again = await session.get(Broadcast, made.id)
            assert again.status == "scheduled"
            clock.set(as_utc(again.next_at) - dt.timedelta(hours=1))
    assert [address for address, _, _ in platform.received] == [person.external_id] * 2
    assert as_utc(again.next_at) == dt.datetime(2026, 3, 15, 7, 0, tzinfo=UTC)  # 12:00 in Almaty, as the first


async def test_demo_seed_makes_consented_people_over_places_kinds_and_languages(database):
    await load_places(database)
    async with database.transaction() as session:
        made = await demo.seed(session, 500, "whatsapp", 1, dt.datetime(2026, 3, 1, tzinfo=UTC))
    assert made.total == 500 and 0 < made.stopped < 100
    assert set(made.languages) >= {"kk", "ru"} and "relocant" in made.kinds
    async with database.transaction() as session:
        stored = await session.scalar(select(func.count()).select_from(Contact).where(Contact.consent == "granted"))
        with pytest.raises(demo.Taken):
            await demo.seed(session, 10, "whatsapp", 1, dt.datetime(2026, 3, 1, tzinfo=UTC))
    assert stored == 500
    assert "made 500 synthetic people on whatsapp" in demo.describe(made)


async def test_bulk_loads_leave_postgresql_planner_statistics(database):
    """Without them (autovacuum off, or not yet round) the audience query of every chunk of a broadcast read
    and sorted a region's whole audience (docs/performance.md, session 18)."""
    if database.is_sqlite:
        pytest.skip("SQLite's planner goes by its indexes: no statistics to keep")
    await load_places(database)
    async with database.transaction() as session:
        await demo.seed(session, 500, "telegram", 1, dt.datetime(2026, 3, 1, tzinfo=UTC))
        query = text("SELECT relname, reltuples FROM pg_class WHERE relname IN ('contacts', 'places')")
        estimated = {name: rows for name, rows in await session.execute(query)}
    assert estimated["contacts"] == 500
    assert estimated["places"] > 0  # -1: never analysed


async def test_a_broadcast_takes_two_thirds_of_the_channel_s_pace_and_leaves_the_rest_to_answers(database, clock):
    await load_places(database)
    for _ in range(40):
        await add_person(database, "KZ-AKM")
    engine = Engine(database, build_router(), clock=clock)
    await broadcast(database, clock.now(), "KZ-AKM", {"kk": "Хабар"})
    async with running_worker(engine, {}, quick()):  # queues, sends nothing: no channel
        await settled_queue(database, 40)
    async with database.transaction() as session:
        moments = [
            as_utc(at) for at in await session.scalars(select(OutboxMessage.not_before).order_by(OutboxMessage.id))
        ]
    gaps = {round((later - earlier).total_seconds(), 4) for earlier, later in pairwise(moments)}
    assert gaps == {round(1 / 20, 4)}  # Telegram's 30/s, of which a broadcast takes 20


async def test_people_at_an_application_stage_are_those_whose_newest_application_is_there(live, database):
    now = live.clock.now()
    at_commission = await add_person(database, "KZ-AKM-T1")
    moved_on = await add_person(database, "KZ-AKM")
    lodged_here = await add_person(database, "KZ-TUR")  # lives elsewhere, applied in Akmola
    await add_person(database, "KZ-AKM")  # no application
    for person, statuses, place in (
        (at_commission, ["submitted", "at_commission"], None),
        (moved_on, ["at_commission", "included"], None),
        (lodged_here, ["at_commission"], "KZ-AKM"),
    ):
        async with database.transaction() as session:
            for status in statuses:
                session.add(
                    Application(
                        contact_id=person.id, path="in_migrant_standard", rules_version="2026.01", office="con",
                        place_id=place, lodged_at=now, counts_from=now.date(), status=status, status_at=now,
                    )
                )  # fmt: skip
                await session.flush()
    made = await broadcast(database, now, "KZ-AKM", {"kk": "Комиссия"}, audience="stage:at_commission")
    platform = Platform()
    await sent(live, platform, made.id)
    assert sorted(address for address, _, _ in platform.received) == sorted(
        [at_commission.external_id, lodged_here.external_id]
    )
    with pytest.raises(manage.Invalid):
        await broadcast(database, now, "KZ-AKM", {"kk": "Комиссия"}, audience="stage:nonsense")


def parsed(*arguments: str):
    root = argparse.ArgumentParser(prog="joldas")
    command.add_arguments(root.add_subparsers(dest="command", required=True))
    return root.parse_args(list(arguments))


async def test_the_command_line_seeds_creates_sends_reports_and_cancels(database, database_url, capsys):
    await load_places(database)
    settings = Settings(database_url=database_url)
    await command.run(settings, parsed("demo", "seed", "--contacts", "300", "--area", "KZ-AKM"))
    assert "made 300 synthetic people on telegram" in capsys.readouterr().out
    await command.run(
        settings, parsed("broadcast", "create", "--area", "KZ-AKM", "--text", "kk=Сәлем", "--text", "ru=Привет")
    )
    made = json.loads(capsys.readouterr().out)
    assert made["status"] == "draft" and made["recipients"]["total"] > 200
    assert sum(made["recipients"]["by_language"].values()) == made["recipients"]["total"]
    assert made["recipients"]["by_channel"] == {"telegram": made["recipients"]["total"]}
    await command.run(settings, parsed("broadcast", "send", str(made["id"])))
    assert json.loads(capsys.readouterr().out)["status"] == "scheduled"
    await command.run(settings, parsed("broadcast", "status", str(made["id"])))
    assert "0/0 scheduled" in capsys.readouterr().out  # no worker ran: nothing queued yet
    await command.run(settings, parsed("broadcast", "cancel", str(made["id"])))
    assert json.loads(capsys.readouterr().out)["status"] == "cancelled"
    await command.run(settings, parsed("broadcast", "status", str(made["id"]), "--json"))
    assert json.loads(capsys.readouterr().out)["status"] == "cancelled"
    with pytest.raises(command.Refused, match="unknown_audience"):
        await command.run(
            settings, parsed("broadcast", "create", "--area", "KZ-AKM", "--audience", "x", "--text", "kk=a")
        )
    with pytest.raises(command.Refused, match="LANG=TEXT"):
        await command.run(settings, parsed("broadcast", "create", "--area", "KZ-AKM", "--text", "Сәлем"))
    with pytest.raises(command.Refused, match="unknown_broadcast"):
        await command.run(settings, parsed("broadcast", "send", "999"))


async def test_on_whatsapp_a_notice_goes_as_a_message_in_the_window_as_a_template_outside_and_is_read(live, database):
    now = live.clock.now()
    recent = await add_person(database, "KZ-AKM", channel="whatsapp", last_inbound_at=now - dt.timedelta(hours=2))
    silent = await add_person(database, "KZ-AKM", channel="whatsapp", last_inbound_at=now - dt.timedelta(days=3))
    no_template = await add_person(
        database, "KZ-AKM", channel="whatsapp", language="ru", last_inbound_at=now - dt.timedelta(days=3)
    )
    made = await broadcast(database, now, "KZ-AKM", {"kk": "Ертең\nжиналыс", "ru": "Завтра собрание"})
    graph = FakeGraphAPI()
    await graph.start()
    sender = WhatsAppSender(GRAPH_TOKEN, PHONE_NUMBER_ID, Templates({"kk": ("joldas_notice", "kk")}), graph.base_url)
    try:
        await sent(live, {"whatsapp": sender}, made.id)
    finally:
        await sender.close()
        await graph.close()
    calls = {call.json["to"]: call for call in graph.sent}
    assert calls[recent.external_id].kind == "interactive:button"
    assert calls[recent.external_id].choice_ids == [f"ntc:stop:{made.id}"]
    template = calls[silent.external_id].json
    assert template["type"] == "template" and template["template"]["name"] == "joldas_notice"
    assert "📢 Joldas Ертең жиналыс" in json.dumps(template, ensure_ascii=False)  # line breaks folded
    assert no_template.external_id not in calls  # no Russian template: not sent, and said why
    async with database.transaction() as session:
        for call in graph.sent:
            await whatsapp_store.record_status(session, StatusUpdate(call.wamid, "read", call.json["to"]))
    async with database.transaction() as session:
        figures = await report(session, await session.get(Broadcast, made.id))
    assert (figures.sent, figures.delivered, figures.read, figures.failed) == (2, 2, 2, 1)
    assert figures.can_send_again == 1  # a template may be set for Russian since
    assert "no template" in next(iter(figures.failed_reasons))
