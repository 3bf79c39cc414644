"""`completeness` over registry grids and person records, and `activity`
counting the ticks of a patrol duty, recomputed by hand on a small record
(the dataclasses `onegrid.scoring.record` fills from the store; the store
side is tested on Cuntan's pack in test_indicators.py).

Grids g1 and g2 of community c1: g1's registry row has a name and
households, g2's only households. People: p1 in g1 with every field and an
account, p2 in g1 without an account, p3 in g2. Patrol ticks (d.patrol) in
November: gw1 three times in g1's rounds, gw2 once in g2's, and one in
December that is not in the month; a tick of another duty is not activity.
"""

from __future__ import annotations

import datetime as dt

import pytest

from onegrid.scoring import measure
from onegrid.scoring.record import GridRecord, PersonRecord, Record, TickRecord
from onegrid.scoring.subjects import Subject

START = dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC)
AREA = {"g1": ["g1", "c1", "d"], "g2": ["g2", "c1", "d"]}


def at(day: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, 3, tzinfo=dt.UTC)


def tick(n, duty, grid, day, by, month=11):
    return TickRecord(n, duty, grid, AREA[grid], at(day, month), by)


RECORD = Record(
    START,
    END,
    cases=[],
    ticks=[
        tick(1, "d.patrol", "g1", 3, "gw1"),
        tick(1, "d.patrol", "g1", 4, "gw1"),
        tick(2, "d.patrol", "g1", 20, "gw1"),
        tick(3, "d.patrol", "g2", 5, "gw2"),
        tick(3, "d.patrol", "g2", 1, "gw2", month=12),  # December: not this month
        tick(1, "d.visit", "g1", 6, "gw1"),  # not a patrol
    ],
    registry=[
        GridRecord("g1", AREA["g1"], {"name": "一网格", "households": 420, "centroid": None}),
        GridRecord("g2", AREA["g2"], {"name": None, "households": 380, "centroid": None}),
    ],
    people=[
        PersonRecord(
            1,
            "g1",
            AREA["g1"],
            {
                "name": "甲",
                "phone": "13800000001",
                "party_member": True,
                "home_grid": "g1",
                "account": 7,
            },
        ),
        PersonRecord(
            2,
            "g1",
            AREA["g1"],
            {
                "name": "乙",
                "phone": "13800000002",
                "party_member": False,
                "home_grid": "g1",
                "account": None,
            },
        ),
        PersonRecord(
            3,
            "g2",
            AREA["g2"],
            {"name": "丙", "phone": "", "party_member": True, "home_grid": "g2", "account": None},
        ),
    ],
)


def unit(u):
    return Subject(u, u, (u,), frozenset({("unit", u)}))


def worker(name, grid):
    return Subject(name, name, (grid,), frozenset({("person", name), ("unit", grid)}))


def value(formula, subjects, **params):
    out = measure({"id": "i", "formula": formula, **params}, RECORD, subjects)
    return {k: (v, len(items)) for k, (v, items) in out.items()}


def test_completeness_of_registry_grids_and_person_records_by_hand():
    fields = ["name", "households"]
    grids = value("completeness", [unit("g1"), unit("g2")], attribution="reporter",
                  records=["registry"], registry_fields=fields)  # fmt: skip
    assert grids == {"g1": (1.0, 1), "g2": (0.5, 1)}  # g2 lacks its name
    people = value(
        "completeness",
        [unit("g1"), unit("g2")],
        attribution="reporter",
        records=["people"],
        person_fields=["name", "phone", "account"],
    )
    # g1: p1 3/3, p2 2/3 (no account) → 5/6; g2: p3 1/3 (no phone, no account)
    assert people["g1"] == (pytest.approx(5 / 6, abs=1e-4), 2)
    assert people["g2"] == (pytest.approx(1 / 3, abs=1e-4), 1)
    both = value("completeness", [worker("gw1", "g1"), unit("c1")], attribution="area",
                 records=["registry", "people"], registry_fields=fields)  # fmt: skip
    # the default person fields (name, phone, home_grid): p1 1, p2 1, p3 2/3
    # gw1 answers for g1: its row (1) and p1, p2 (1, 1)
    assert both["gw1"] == (1.0, 3)
    # the community for everything in it: rows 1, 0.5; people 1, 1, 2/3
    assert both["c1"] == (pytest.approx((1 + 0.5 + 1 + 1 + 2 / 3) / 5, abs=1e-4), 5)
    assert value("completeness", [unit("g1")], attribution="area")["g1"] == (None, 0)  # cases only


def test_activity_counts_patrol_ticks_for_whoever_made_them():
    workers = [worker("gw1", "g1"), worker("gw2", "g2")]
    got = value("activity", workers, attribution="reporter", target=4, duties=["d.patrol"])
    assert got == {"gw1": (0.75, 3), "gw2": (0.25, 1)}
    assert value("activity", workers, attribution="reporter", target=4) == {
        "gw1": (0.0, 0),
        "gw2": (0.0, 0),
    }  # without `duties` only reports count, and there are none
    area = value("activity", [unit("c1")], attribution="area", target=10, duties=["d.patrol"])
    assert area == {"c1": (0.4, 4)}
