"""The process's long-lived objects, set aside from Python's cyclic garbage collector.

A full collection walks every object that has outlived two younger ones. In a running bot nearly all of them
are what the process keeps for its life — modules, the router, catalogues, places, compiled SQL — about
175,000 objects, and walking them took 60-120 ms each time, every few seconds under load: an answer waiting
behind it set the open-loop benchmark's p99 (docs/performance.md). `settle` is called once by a long-running
command when it is ready to serve: it collects, then freezes what is alive (`gc.freeze`), so later full
collections walk only what came after. Objects frozen are still freed by reference counting; only a cycle
among them would outlive its use, and what is alive at start stays alive anyway.
"""

from __future__ import annotations

import gc


def settle() -> int:
    """Collects, then moves every object alive now out of the collector's reach; returns how many."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
