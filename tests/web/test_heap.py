"""The process's long-lived heap is frozen once warm (web/heap.py): after
its 1st, 2nd, 4th … request, collected first, so no garbage is kept."""

from __future__ import annotations

import gc
import itertools
import weakref

from onegrid.web import heap


class Node:
    pass


def test_settling_collects_the_garbage_then_freezes_what_lives():
    lost = Node()
    lost.me = lost  # a cycle: only the collector frees it
    gone = weakref.ref(lost)
    del lost
    before = gc.get_freeze_count()
    heap.settle()
    assert gone() is None
    assert gc.get_freeze_count() > before


def test_the_app_settles_after_its_first_requests_and_then_rarely(app, monkeypatch):
    made = 0
    settled = []
    monkeypatch.setattr(heap, "_served", itertools.count(1))  # a fresh process's count
    monkeypatch.setattr(heap, "settle", lambda: settled.append(made))
    client = app.test_client()
    for made in range(1, 41):  # noqa: B007 (the lambda reads it)
        client.get("/auth/login")
    assert settled == [1, 2, 4, 8, 16, 32]
