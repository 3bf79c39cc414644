"""认岗领责 on Jinshui's pack: a party member registers in a grid and claims
one of the six posts; the grid's party branch confirms; the grid's coverage
figures change. A person record is its own item, apart from accounts."""

from __future__ import annotations

import pytest

from conftest import CATALOGS
from onegrid.workflow import Forbidden, InvalidSubmission, publish, verify
from onegrid.workflow.actor import Actor, Binding
from onegrid.workflow.claims import coverage
from onegrid.workflow.item import act_item, file_item, item_trail
from onegrid.workflow.rulebook import rulebook

from .conftest import runnable


@pytest.fixture
def jinshui(db):
    with db() as session:
        return publish(session, runnable(CATALOGS / "jinshui"), by="admin")


def a_grid(version) -> tuple[str, str]:
    book = rulebook(version)
    grid = sorted(u for u, s in book.units.items() if s.get("level") == "grid")[0]
    return grid, book.ancestors(grid)[1]


ZHANG = {"name": "张建国", "phone": "13800000001", "party_member": True, "post": "dl.six.law"}


def test_a_party_member_claims_a_post_and_the_grid_s_coverage_changes(db, jinshui):
    grid, community = a_grid(jinshui)
    member = Actor("zhang", ())
    with db() as session:
        before = coverage(session, jinshui)
        claim = file_item(session, jinshui, "post_claim", {**ZHANG, "home_grid": grid}, member)
    assert (claim.unit, claim.outcome) == (grid, None)
    assert (before[grid].people, before[grid].posts_held()) == (0, 0)
    secretary = Actor("sec", (Binding("grid_branch_secretary", grid),))
    stranger = Actor("other", (Binding("grid_branch_secretary", "g.nowhere"),))
    worker = Actor("gw", (Binding("grid_worker", grid),))  # the grid, but not its branch
    with db() as session:
        for nobody in (stranger, worker):
            with pytest.raises(Forbidden):
                act_item(session, claim.id, "claim.confirm", nobody, {}, claim.version)
        done = act_item(session, claim.id, "claim.confirm", secretary, {}, claim.version)
    assert done.outcome == "confirmed"
    with db() as session:
        after = coverage(session, jinshui)
        steps = [s.action for s in item_trail(session, claim.id)]
        assert verify(session).ok
    assert (after[grid].people, after[grid].party_members, after[grid].posts_held()) == (1, 1, 1)
    assert after[grid].grids_with_party_members == 1
    assert (
        after[community].grids_with_party_members == before[community].grids_with_party_members + 1
    )
    assert steps == ["file", "claim.confirm"]


def test_a_claim_names_a_claimable_post_and_a_grid(db, jinshui):
    grid, _ = a_grid(jinshui)
    for wrong in ({"post": "dl.grid_worker"}, {"home_grid": "comm.nowhere"}):
        with db() as session, pytest.raises(InvalidSubmission) as bad:
            file_item(
                session,
                jinshui,
                "post_claim",
                {**ZHANG, "home_grid": grid, **wrong},
                Actor("z", ()),
            )
        assert set(bad.value.errors) == set(wrong)
