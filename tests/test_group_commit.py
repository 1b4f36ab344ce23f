"""Group commit (bot.storage.group_commit): people writing at once share transactions, and each update is
still kept or dropped as a whole, answered once, and never run beside another of the same person's."""

import asyncio
import logging

from sqlalchemy import event, func, select

from bot.conversation import Incoming
from bot.engine import APOLOGY, Engine
from bot.i18n import texts
from bot.router import Router
from bot.storage.group_commit import GroupCommit, RunAlone
from bot.storage.models import AuditEntry, Contact, ConversationState, InboxUpdate, OutboxMessage
from handlers import build_router
from handlers.fallback import router as fallback_router


def count_commits(database) -> list[int]:
    """Counts the commits of the database's connections (SQLAlchemy's own event, nothing replaced)."""
    commits = [0]

    @event.listens_for(database.engine.sync_engine, "commit")
    def committed(_connection) -> None:
        commits[0] += 1

    return commits


async def outbox_texts(database) -> dict[str, list[str]]:
    async with database.transaction() as session:
        rows = (await session.execute(select(OutboxMessage.address, OutboxMessage.payload))).all()
    by_address: dict[str, list[str]] = {}
    for address, payload in rows:
        by_address.setdefault(address, []).append(payload.get("text", ""))
    return by_address


async def test_people_writing_at_once_share_transactions_and_each_is_answered_once(database):
    engine = Engine(database, build_router())
    commits = count_commits(database)
    people = [f"p{number}" for number in range(40)]
    await asyncio.gather(*(engine.handle(Incoming("console", who, who, text="/start")) for who in people))
    assert commits[0] < len(people) / 4  # 40 updates in a few transactions (at most 16 in one)
    answers = await outbox_texts(database)
    assert sorted(answers) == sorted(people)
    assert all(len(sent) == 1 for sent in answers.values())  # the language picker, once each
    async with database.transaction() as session:
        done = select(func.count()).select_from(InboxUpdate).where(InboxUpdate.status == "done")
        assert await session.scalar(done) == 40
        assert await session.scalar(select(func.count()).select_from(ConversationState)) == 40


def failing_router(calls: dict[str, int]) -> Router:
    router = Router()
    router.include(fallback_router)

    @router.command("ok")
    async def ok(ctx, _argument):
        calls["ok"] += 1
        ctx.state = "fine"
        ctx.say("fine")

    @router.command("boom")
    async def boom(ctx, _argument):
        calls["boom"] += 1
        ctx.contact.language = "ky"  # written before the failure: rolled back
        ctx.session.add(AuditEntry(action="half-done", contact_id=ctx.contact.id, details={}))
        raise RuntimeError("database on fire")

    return router


async def test_one_failing_update_of_a_group_is_apologised_for_and_the_others_are_kept_once(database, caplog):
    calls = {"ok": 0, "boom": 0}
    engine = Engine(database, failing_router(calls))
    updates = [Incoming("console", f"p{number}", f"u{number}", text="/ok") for number in range(10)]
    updates.insert(5, Incoming("console", "unlucky", "u-unlucky", text="/boom"))
    with caplog.at_level(logging.ERROR, logger="bot.engine"):
        await asyncio.gather(*(engine.handle(update) for update in updates))

    assert calls["boom"] == 1  # its own error went straight to the apology: not run a second time
    assert calls["ok"] > 10  # those of its group that ran before it were rolled back and done again, alone
    failures = [record for record in caplog.records if "handler failed" in record.getMessage()]
    assert len(failures) == 1 and "user=unlucky" in failures[0].getMessage()
    answers = await outbox_texts(database)
    assert all(answers[f"p{number}"] == ["fine"] for number in range(10))  # once each, not twice
    assert answers["unlucky"] == [texts("kk").gettext(APOLOGY)]
    async with database.transaction() as session:
        unlucky = await session.scalar(select(Contact).where(Contact.external_id == "unlucky"))
        assert unlucky.language is None
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0
        done = select(func.count()).select_from(InboxUpdate).where(InboxUpdate.status == "done")
        assert await session.scalar(done) == 11


async def test_each_work_of_a_group_sees_what_the_earlier_wrote_in_a_fresh_session(database):
    groups = GroupCommit(database)
    async with database.transaction() as session:
        session.add(Contact(channel="console", external_id="a"))

    async def rename(session):
        contact = await session.scalar(select(Contact).where(Contact.external_id == "a"))
        contact.language = "ru"  # left for the session to flush
        return contact

    async def look(session):
        return await session.scalar(select(Contact).where(Contact.external_id == "a"))

    first, second = await asyncio.gather(groups.run(rename), groups.run(look))
    assert second is not first  # the session forgot the first one's objects ...
    assert second.language == "ru"  # ... after writing them


async def test_a_lone_update_is_not_held_back_and_a_failed_group_sends_the_rest_back(database):
    groups = GroupCommit(database, size=16, at_once=1)

    async def write(session):
        session.add(AuditEntry(action="written", details={}))

    async def fail(session):
        raise ValueError("no")

    assert await asyncio.wait_for(groups.run(write), 5) is None
    outcomes = await asyncio.gather(groups.run(write), groups.run(fail), groups.run(write), return_exceptions=True)
    assert isinstance(outcomes[0], RunAlone) and isinstance(outcomes[2], RunAlone)
    assert isinstance(outcomes[1], ValueError)
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 1  # the lone one only


async def test_a_cancelled_caller_waits_for_its_work_once_started_and_a_waiting_one_never_runs(database):
    groups = GroupCommit(database, size=1, at_once=1)
    release, ran = asyncio.Event(), []

    async def slow(session):
        ran.append("slow")
        await release.wait()

    async def queued(session):
        ran.append("queued")

    first = asyncio.create_task(groups.run(slow))
    second = asyncio.create_task(groups.run(queued))
    while not ran:
        await asyncio.sleep(0.01)
    second.cancel()
    first.cancel()
    await asyncio.sleep(0.1)
    assert not first.done()  # its work runs on: the caller keeps the person's turn until it is settled
    release.set()
    results = await asyncio.gather(first, second, return_exceptions=True)
    assert all(isinstance(result, asyncio.CancelledError) for result in results)
    await asyncio.sleep(0.05)
    assert ran == ["slow"]


async def test_runners_stop_when_nothing_waits_and_later_work_gets_a_new_one(database):
    groups = GroupCommit(database, size=16, at_once=1)

    async def nothing(session):
        return "done"

    for _ in range(20):  # each caller asks again as soon as its last work was settled
        assert await asyncio.wait_for(groups.run(nothing), 5) == "done"
