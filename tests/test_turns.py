"""People's and answers' transactions before background work: SQLite's turns at its one writer, PostgreSQL's gate."""

from __future__ import annotations

import asyncio

from bot.storage.turns import BACKGROUND, FOREGROUND, ForegroundFirst, PriorityTurns


async def test_a_waiting_foreground_turn_goes_before_background_turns_that_came_first():
    turns, order = PriorityTurns(), []

    async def take(name: str, priority: int) -> None:
        async with turns.turn(priority):
            order.append(name)
            await asyncio.sleep(0.01)

    first = asyncio.create_task(take("broadcast chunk", BACKGROUND))
    await asyncio.sleep(0)
    later = [asyncio.create_task(take(f"bulk record {number}", BACKGROUND)) for number in (1, 2)]
    await asyncio.sleep(0)
    cancelled = asyncio.create_task(take("cancelled answer", FOREGROUND))
    await asyncio.sleep(0)
    cancelled.cancel()
    answer = asyncio.create_task(take("answer", FOREGROUND))
    await asyncio.gather(first, *later, answer)
    assert order == ["broadcast chunk", "answer", "bulk record 1", "bulk record 2"]


async def test_a_turn_handed_to_a_waiter_cancelled_at_that_moment_passes_on():
    turns, order = PriorityTurns(), []
    holder_in, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with turns.turn():
            holder_in.set()
            await release.wait()

    async def take(name: str) -> None:
        async with turns.turn():
            order.append(name)

    holder = asyncio.create_task(hold())
    await holder_in.wait()
    doomed, survivor = asyncio.create_task(take("doomed")), asyncio.create_task(take("survivor"))
    await asyncio.sleep(0)
    release.set()
    await asyncio.sleep(0)  # the holder leaves and hands the turn to `doomed` ...
    doomed.cancel()  # ... which is cancelled before it runs
    await asyncio.gather(holder, survivor)
    assert order == ["survivor"]


async def test_postgresql_background_work_starts_when_no_person_s_transaction_runs():
    turns, order = ForegroundFirst(), []
    person_in, person_done = asyncio.Event(), asyncio.Event()

    async def person() -> None:
        async with turns.turn(FOREGROUND):
            order.append("person in")
            person_in.set()
            await person_done.wait()
            order.append("person out")

    async def bulk(name: str) -> None:
        async with turns.turn(BACKGROUND):
            order.append(name)

    async def another_person() -> None:
        async with turns.turn(FOREGROUND):  # people never wait for each other
            order.append("another person")

    running = asyncio.create_task(person())
    await person_in.wait()
    claims = [asyncio.create_task(bulk(f"bulk claim {number}")) for number in (1, 2)]
    await another_person()
    await asyncio.sleep(0.01)
    assert order == ["person in", "another person"]
    person_done.set()
    await asyncio.gather(running, *claims)
    assert order == ["person in", "another person", "person out", "bulk claim 1", "bulk claim 2"]


async def test_postgresql_background_work_waits_for_people_only_so_long():
    turns, order = ForegroundFirst(patience=0.05), []
    never_done = asyncio.Event()

    async def busy_person() -> None:
        async with turns.turn(FOREGROUND):
            await never_done.wait()

    busy = asyncio.create_task(busy_person())
    await asyncio.sleep(0)
    async with turns.turn(BACKGROUND):  # a timer still fires in a process that is never idle
        order.append("timer fired")
    assert order == ["timer fired"]
    busy.cancel()
