"""The engine's promises: state survives a restart, redeliveries are handled once, one person's updates
never interleave, failures are logged and apologised for."""

import asyncio
import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.channels.text import split_text
from bot.context import Conversation
from bot.conversation import Button, Incoming
from bot.engine import APOLOGY, Engine, PersonLocks, clean
from bot.i18n import texts
from bot.router import NotUnderstood, Router
from bot.storage.database import Database
from bot.storage.models import InboxUpdate, OutboxMessage
from handlers import build_router
from handlers.fallback import router as fallback_router
from tests.people import Person, main_menu_ids


def test_command_parsing():
    assert Incoming("c", "u", "1", text="/lang kk").command == ("lang", "kk")
    assert Incoming("c", "u", "1", text="/Start@JoldasBot  payload ").command == ("start", "payload")
    assert Incoming("c", "u", "1", text="/ lang").command is None
    assert Incoming("c", "u", "1", text="/ланг").command is None
    assert Incoming("c", "u", "1", text="hello /lang").command is None
    assert Incoming("c", "u", "1", button="/lang").command is None


def test_clean_trims_cuts_and_empties():
    assert clean(Incoming("c", "u", "1", text="  hi \n")).text == "hi"
    assert len(clean(Incoming("c", "u", "1", text="ы" * 100_000)).text) == 4096
    assert clean(Incoming("c", "u", "1", text=" \t ")).text is None
    assert clean(Incoming("c", "u", "1", button="  ")).button is None


def test_button_ids_are_short_ascii():
    Button("x" * 64, "ok")
    with pytest.raises(ValueError):
        Button("x" * 65, "too long")
    with pytest.raises(ValueError):
        Button("тіл", "not ascii")


@pytest.mark.parametrize("limit", [10, 50, 4096])
def test_split_text_keeps_every_character_in_order_within_the_limit(limit):
    text = ("Бірінші абзац сөздермен.\n\nЕкінші жол\nүшінші " + "ұзынсөзсөзсөзсөзсөзсөзсөз " * 30) * 20
    parts = split_text(text, limit)
    assert all(0 < len(part) <= limit for part in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_split_text_prefers_paragraphs_then_lines_then_words():
    assert split_text("aaa bbb\n\nccc", 9) == ["aaa bbb", "ccc"]
    assert split_text("aaa\nbbb ccc", 9) == ["aaa", "bbb ccc"]
    assert split_text("aaa bbb ccc", 9) == ["aaa bbb", "ccc"]
    assert split_text("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert split_text("short", 4096) == ["short"]


def test_router_refuses_a_route_registered_twice():
    first, second = Router(), Router()
    first.command("help")(fallback_router.fallback)
    second.command("help")(fallback_router.fallback)
    with pytest.raises(ValueError):
        first.include(second)


async def test_person_locks_are_dropped_when_free():
    locks = PersonLocks()
    async with locks.hold(("c", "1")):
        assert len(locks) == 1
    assert len(locks) == 0


async def test_state_survives_a_restart(database_url, database):
    first = Person(Engine(database, build_router()), "console", "u1")
    await first.say("/start")
    await first.press("lang:ru")  # now waiting for the consent answer
    await database.dispose()

    restarted_db = Database(database_url)
    try:
        again = Person(Engine(restarted_db, build_router()), "console", "u1")
        await again.say("эм?")
        assert again.button_ids == ["consent:yes", "consent:no"]
        assert "Прежде чем продолжить" in again.text
    finally:
        await restarted_db.dispose()


async def test_a_redelivered_update_is_handled_once(engine, database):
    incoming = Incoming("telegram", "42", "1001", text="/start")
    assert await engine.handle(incoming)
    assert await engine.handle(incoming) == []
    assert await engine.handle(Incoming("whatsapp", "42", "1001", text="/start"))  # another channel's id
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(InboxUpdate)) == 2
        # the answers, queued once each: the language picker to each of the two people
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


async def test_concurrent_redeliveries_are_handled_once(engine):
    incoming = Incoming("telegram", "42", "2002", text="/start")
    results = await asyncio.gather(*(engine.handle(incoming) for _ in range(5)))
    assert sum(1 for replies in results if replies) == 1


def recording_router(events: list) -> Router:
    router = Router()

    @router.command("slow")
    async def slow(ctx: Conversation, argument: str) -> None:
        events.append(("enter", ctx.incoming.user_id, argument))
        await asyncio.sleep(0.02)
        ctx.data = {"seen": ctx.data.get("seen", 0) + 1}
        events.append(("leave", ctx.incoming.user_id, argument))
        ctx.say(str(ctx.data["seen"]))

    @router.fallback_handler
    async def fallback(ctx: Conversation, reason: str) -> None:
        ctx.say(reason)

    return router


async def test_one_persons_updates_never_interleave(database):
    events: list = []
    engine = Engine(database, recording_router(events))
    replies = await asyncio.gather(
        *(engine.handle(Incoming("telegram", "7", f"u{n}", text=f"/slow {n}")) for n in range(6))
    )
    pairs = list(zip(events[::2], events[1::2], strict=False))
    assert all(enter[0] == "enter" and leave[0] == "leave" and enter[2] == leave[2] for enter, leave in pairs)
    assert sorted(int(reply[0].text) for reply in replies) == [1, 2, 3, 4, 5, 6]  # no update lost


async def test_a_failing_handler_is_logged_and_apologised_for(database, caplog):
    router = build_router()

    @router.command("boom")
    async def boom(ctx: Conversation, argument: str) -> None:
        ctx.contact.language = "ky"  # changes made before the failure are rolled back
        raise RuntimeError("database on fire")

    person = Person(Engine(database, router), "telegram", "99")
    await person.onboard("ru")
    with caplog.at_level(logging.ERROR, logger="bot.engine"):
        await person.say("/boom")
    assert person.text == texts("ru").gettext(APOLOGY)
    assert person.button_ids == main_menu_ids()
    record = next(record for record in caplog.records if "handler failed" in record.getMessage())
    assert "user=99" in record.getMessage() and "command=('boom', '')" in record.getMessage()
    assert "database on fire" in record.exc_text
    await person.say("/menu")  # the conversation goes on, still in Russian
    assert "Главное меню" in person.text


async def test_a_handler_may_refuse_input_with_not_understood(database):
    router = build_router()

    @router.command("picky")
    async def picky(ctx: Conversation, argument: str) -> None:
        ctx.say("half an answer")
        raise NotUnderstood("text")

    person = Person(Engine(database, router), "console", "p")
    await person.onboard("kk")
    await person.say("/picky")
    assert person.text == texts("kk").gettext(
        "Sorry, I did not understand that. Choose from the menu below, or send /help."
    )


async def test_when_the_database_fails_the_caller_knows_so_the_update_is_not_acknowledged(tmp_path):
    """Nothing can be stored, so nothing can be answered or confirmed: the webhook answers 5xx, long polling
    keeps its offset, the worker keeps the inbox row; the platform or the worker tries again later."""
    broken = Database(f"sqlite+aiosqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    engine = Engine(broken, build_router(), default_language="ky")
    with pytest.raises(OperationalError):
        await engine.handle(Incoming("telegram", "1", "1", text="/start", language_hint="kk"))
    with pytest.raises(OperationalError):
        await engine.receive([Incoming("telegram", "1", "2", text="/start")])
    await broken.dispose()
