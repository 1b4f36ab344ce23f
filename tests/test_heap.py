"""The long-running commands set their start-up heap aside from the cyclic collector (bot.heap)."""

import gc

from bot import heap


def test_settle_freezes_what_is_alive_and_leaves_what_comes_after():
    before = ["alive at start"]
    try:
        frozen = heap.settle()
        after = ["made while serving"]
        assert frozen == gc.get_freeze_count() > 10_000  # modules, the router, the catalogues of this process
        tracked = {id(thing) for thing in gc.get_objects()}
        assert id(before) not in tracked  # full collections no longer walk it
        assert id(after) in tracked
    finally:
        gc.unfreeze()
