"""The officials' side of tracking: updates in the messenger (kk, ru, ky) within their area, a CSV of 5,000
rows with 50 bad ones (checked first, applied as a whole, every person told once, the same file again changes
nothing), the HTTP API (wrong token, other area, disallowed transition, replayed idempotency key), and
retention at 12 and 24 months."""

import datetime as dt
import json

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import build_web_app
from bot.cli import main
from bot.i18n import USER_LANGUAGES, texts
from bot.storage.models import (
    ApiRequest,
    Application,
    ApplicationEvent,
    AuditEntry,
    CheckIn,
    Contact,
    Official,
    OutboxMessage,
)
from bot.tracking import retention, store
from bot.tracking.api import issue
from bot.tracking.csv_import import import_statuses
from tests.broadcasting import add_official, load_places
from tests.people import Person

LODGED = dt.datetime(2026, 2, 27, 5, 0, tzinfo=dt.UTC)  # 10:00 in Almaty, a Friday


def tr(language: str, message: str) -> str:
    return texts(language).gettext(message)


@pytest.fixture(autouse=True)
async def places_loaded(database):
    await load_places(database)


async def applications(database, count: int, place_id="KZ-PAV", path="kandas_in_country", language="ru") -> list[int]:
    """`count` people of a place, each with an application lodged on LODGED; their ids."""
    ids = []
    async with database.transaction() as session:
        for number in range(count):
            contact = Contact(
                channel="telegram",
                external_id=f"{place_id}-{path}-{number}",
                language=language,
                consent="granted",
                status="active",
                kind="relocant",
                place_id=place_id,
            )
            session.add(contact)
            await session.flush()
            application = await store.create(
                session,
                contact,
                path=path,
                office="akimat",
                lodged_at=LODGED,
                now=LODGED,
                destination="pavlodar",
                number=f"{place_id}-{number:05d}",
                phone=f"+7 701 {number:07d}",
            )
            ids.append(application.id)
    return ids


async def notices_for(database) -> dict[int, int]:
    async with database.transaction() as session:
        rows = await session.execute(
            select(OutboxMessage.contact_id, func.count())
            .where(OutboxMessage.kind == "notice", OutboxMessage.dedupe_key.like("trk:%"))
            .group_by(OutboxMessage.contact_id)
        )
        return dict(rows.all())


async def official_person(engine, database, language: str, area_id: str) -> Person:
    person = Person(engine, "console", f"official-{language}")
    await person.onboard(language)
    async with database.transaction() as session:
        contact = await session.scalar(select(Contact).where(Contact.external_id == person.user_id))
    await add_official(database, area_id, contact)
    return person


# --- the messenger --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", USER_LANGUAGES)
async def test_an_official_finds_an_application_by_phone_and_moves_it_on(engine, database, language):
    [mine] = await applications(database, 1, language="kk")
    [other] = await applications(database, 1, place_id="KZ-AKM")
    official = await official_person(engine, database, language, "KZ-PAV")
    await official.press("menu")
    assert "trko" in official.button_ids
    await official.press("trko")
    await official.say("8 701 000 00 00")  # the phone as people write it
    assert official.button_ids[0] == f"trko:app:{mine}"
    await official.say("KZ-AKM-00000")  # another area's number: not found
    assert tr(language, "Nothing found in your area.") in official.text
    await official.press(f"trko:app:{mine}")
    assert "+77010000000" in official.text and f"trko:to:{mine}:accepted" in official.button_ids
    await official.press(f"trko:to:{mine}:at_commission")
    await official.say("Құжаттар комиссияға жіберілді")
    assert tr(language, "Saved: {status}. The person has been told.").split(":")[0] in official.text
    async with database.transaction() as session:
        application = await session.get(Application, mine)
        [event] = (
            await session.scalars(select(ApplicationEvent).where(ApplicationEvent.status == "at_commission"))
        ).all()
        audited = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "tracking.update")
        )
    assert application.status == "at_commission" and event.by == "official" and event.note.startswith("Құжаттар")
    assert audited == 1
    assert list((await notices_for(database)).values()) == [1]  # the person, once
    await official.press(f"trko:app:{other}")  # a forged button for another area's application
    assert tr(language, "This application is not in your area.") in official.text
    await official.press(f"trko:to:{mine}:submitted")  # backwards
    await official.press("trko:skip")
    assert tr(language, "This status cannot follow the current one.") in official.text


async def test_a_person_without_a_role_cannot_use_the_officials_buttons(person, database):
    [mine] = await applications(database, 1)
    await person.onboard("ru")
    assert "trko" not in person.button_ids
    await person.press(f"trko:to:{mine}:accepted")
    await person.press("trko:skip")
    async with database.transaction() as session:
        assert (await session.get(Application, mine)).status == "submitted"


# --- CSV ------------------------------------------------------------------------------------------------------


def csv_file(ids: list[int], bad: int) -> tuple[str, int]:
    """One row per application moving it on (every 10th by its number), then `bad` rows of every kind of
    mistake; returns the text and how many rows are bad."""
    lines = ["application;number;status;note;at"]
    for index, application_id in enumerate(ids):
        if index % 10 == 0:
            lines.append(f";KZ-PAV-{index:05d};accepted;;2026-02-27T15:00")
        else:
            lines.append(f"{application_id};;at_commission;Тізімге енгізілді;")
    mistakes = [
        "999999;;accepted;;",  # no such application
        f"{ids[0]};;approved;;",  # no such status
        f"{ids[1]};;submitted;;",  # backwards
        f"{ids[2]};;delivered;;",  # past the decision
        f"{ids[3]};;accepted;;2030-01-01T10:00",  # in the future
        f"{ids[4]};;accepted;;yesterday",  # not a time
        f"{ids[5]};;consent_granted;;",  # not a status of this path
    ]
    for number in range(bad):
        lines.append(mistakes[number % len(mistakes)])
    return "\n".join(lines) + "\n", bad


async def test_a_csv_of_5000_rows_with_50_bad(database, clock):
    ids = await applications(database, 4950)
    content, bad = csv_file(ids, 50)
    async with database.transaction() as session:
        report = await import_statuses(session, content, None, clock.now())
    assert (report.applied, len(report.refused), report.unchanged) == (4950, bad, 0)
    reasons = " ".join(reason for _, reason in report.refused)
    for reason in ("no application id 999999", "unknown status 'approved'", "cannot follow", "in the future"):
        assert reason in reasons
    notified = await notices_for(database)
    assert len(notified) == 4950 and set(notified.values()) == {1}  # every person told once
    async with database.transaction() as session:
        again = await import_statuses(session, content, None, clock.now())
    assert (again.applied, again.unchanged, len(again.refused)) == (0, 4950, bad)
    assert await notices_for(database) == notified
    async with database.transaction() as session:
        counted = dict(
            (await session.execute(select(Application.status, func.count()).group_by(Application.status))).all()
        )
    assert counted == {"accepted": 495, "at_commission": 4455}


async def test_an_official_imports_only_in_their_area_and_a_failure_applies_nothing(database, clock):
    ours, theirs = await applications(database, 3), await applications(database, 2, place_id="KZ-AKM")
    role = await add_official(database, "KZ-PAV")
    content = "application,status\n" + "".join(f"{i},accepted\n" for i in ours + theirs)
    async with database.transaction() as session:
        report = await import_statuses(session, content, await session.get(Official, role.id), clock.now())
    assert report.applied == 3 and [reason for _, reason in report.refused] == [
        f"application {theirs[0]}: outside area",
        f"application {theirs[1]}: outside area",
    ]
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            await import_statuses(session, "application,status\n" + f"{ours[0]},at_commission\n", None, clock.now())
            raise RuntimeError("the disk filled up")  # anything failing before the commit
    async with database.transaction() as session:
        assert (await session.get(Application, ours[0])).status == "accepted"


def test_import_command_reports_rows(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    from bot.config import get_settings

    get_settings.cache_clear()
    csv = tmp_path / "statuses.csv"
    csv.write_text("application,status\n1,accepted\n", encoding="utf-8")
    assert main(["tracking", "import", str(csv)]) == 0
    assert "line 2: no application id 1" in capsys.readouterr().out
    (tmp_path / "bad.csv").write_text("who,what\n", encoding="utf-8")
    assert main(["tracking", "import", str(tmp_path / "bad.csv")]) == 2
    assert "`status`" in capsys.readouterr().err
    assert main(["tracking", "token", "--organisation", "Pavlodar akimat", "--area", "KZ-PAV"]) == 0
    assert capsys.readouterr().out.startswith("jt_")
    assert main(["tracking", "token", "--organisation", "Nowhere", "--area", "XX-NONE"]) == 2
    capsys.readouterr()
    assert main(["report", "retention", "--chart", str(tmp_path / "r.svg")]) == 0
    assert "nobody in this area has moved yet" in capsys.readouterr().out
    assert main(["report", "retention", "--area", "XX-NONE"]) == 2
    get_settings.cache_clear()


# --- the HTTP API ---------------------------------------------------------------------------------------------


@pytest.fixture
async def api(engine):
    client = TestClient(TestServer(build_web_app(engine, [])))
    await client.start_server()
    yield client
    await client.close()


async def post(api, application_id, token, key, body):
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    response = await api.post(f"/api/v1/applications/{application_id}/status", data=json.dumps(body), headers=headers)
    return response.status, await response.json(), response.headers.get("Idempotent-Replayed")


async def test_the_api(api, database, clock):
    [ours] = await applications(database, 1)
    [theirs] = await applications(database, 1, place_id="KZ-AKM")
    async with database.transaction() as session:
        token = await issue(session, "Pavlodar career centre", "KZ-PAV", clock.now())
    body = {"status": "accepted", "note": "Қабылданды"}
    assert (await post(api, ours, "jt_wrong", "k1", body))[:2] == (401, {"error": "unauthorized"})
    assert (await post(api, ours, token, "", body))[0] == 400
    assert (await post(api, theirs, token, "k2", body))[:2] == (403, {"error": "outside_area"})
    status, answer, _ = await post(api, ours, token, "k3", {"status": "delivered"})
    assert status == 409 and answer["error"] == "transition_not_allowed" and "accepted" in answer["allowed"]
    status, answer, replayed = await post(api, ours, token, "k4", body)
    assert status == 200 and (answer["status"], answer["previous"]) == ("accepted", "submitted") and not replayed
    again = await post(api, ours, token, "k4", body)
    assert again == (200, answer, "true")  # the same answer, nothing changed
    assert (await post(api, ours, token, "k4", {"status": "forwarded"}))[:2] == (
        422,
        {"error": "idempotency_key_reused"},
    )
    assert (await post(api, ours, token, "k5", {"status": "accepted", "extra": 1}))[0] == 422
    assert (await post(api, 99999, token, "k6", body))[0] == 404
    async with database.transaction() as session:
        events = await session.scalar(
            select(func.count()).select_from(ApplicationEvent).where(ApplicationEvent.status == "accepted")
        )
        stored = await session.scalar(select(func.count()).select_from(ApiRequest))
    assert events == 1 and stored == 4  # 403, 409, 200 and 404 are kept; a malformed body is refused unkept
    assert list((await notices_for(database)).values()) == [1]
    description = await (await api.get("/api/v1/openapi.json")).json()
    assert "/api/v1/applications/{id}/status" in description["paths"]


# --- retention ------------------------------------------------------------------------------------------------


async def test_retention_at_12_and_24_months(database, capsys):
    ids = await applications(database, 4)
    moved = dt.date(2024, 3, 1)
    async with database.transaction() as session:
        for index, application_id in enumerate(ids):
            application = await session.get(Application, application_id)
            application.moved_on = moved
            session.add(
                CheckIn(
                    application_id=application_id,
                    month=12,
                    asked_at=LODGED,
                    answered_at=LODGED,
                    in_region=index != 0,  # one left before a year
                )
            )
        session.add(
            ApplicationEvent(application_id=ids[1], status="left_region", at=LODGED, by="person")
        )  # left in the second year
        rows = await retention.table(session, None, dt.date(2026, 3, 1))
    [row] = rows
    assert (row.destination, row.cohort, row.moved) == ("pavlodar", 2024, 4)
    twelve, twenty_four = row.horizons[12], row.horizons[24]
    assert (twelve.due, twelve.stayed, twelve.left) == (4, 3, 1)
    assert (twenty_four.due, twenty_four.stayed, twenty_four.left) == (4, 0, 2)  # two not known yet
    text = retention.as_text(texts("ru"), rows)
    assert "75 %" in text and "Павлодар" in text
    svg = retention.chart(retention.chart_args(texts("ru"), rows))
    assert svg.startswith(b"<?xml") and b"<svg" in svg


async def test_an_official_gets_retention_for_their_area_in_the_bot(engine, database):
    ids = await applications(database, 2)
    await applications(database, 1, place_id="KZ-AKM")  # another area: not counted
    async with database.transaction() as session:
        for application_id in ids:
            (await session.get(Application, application_id)).moved_on = dt.date(2025, 1, 15)
    official = await official_person(engine, database, "kk", "KZ-PAV")
    await official.press("trko:ret")
    [reply] = official.last
    assert "Павлодар" in reply.text and tr("kk", "moved: {n}").format(n=2) in reply.text
    assert reply.document is not None and reply.document.filename == "retention.svg"
    svg = retention.chart(reply.document.args)
    assert b"<svg" in svg
