"""The effects registry agrees with the schema's declaration, and a pack that
names an unknown effect or guard is told where, with did-you-mean."""

from __future__ import annotations

from onegrid.policy.kinds.workflow import EFFECTS, GUARDS
from onegrid.workflow.effects import EFFECTS as EFFECT_CODE
from onegrid.workflow.guard import GUARDS as GUARD_CODE


def test_every_declared_effect_and_guard_is_implemented():
    assert set(EFFECT_CODE) == set(EFFECTS)
    assert set(GUARD_CODE) == set(GUARDS)


def test_a_mistyped_effect_is_named_with_did_you_mean(onegrid, make_pack):
    root = make_pack(
        {
            "pack.yaml": """\
                kind: pack
                id: typo
                name: 笔误区
                includes: [closed-loop, calendar-cn]
                """,
            "workflow.yaml": """\
                kind: workflow
                transitions:
                  - {id: sign, effect: sing}
                  - {id: handle, guard: [singed]}
                """,
        }
    )
    r = onegrid("check", root)
    assert r.code == 1
    assert "workflow.yaml:3:" in r.out and "'sign'" in r.out, r.out
    assert "workflow.yaml:4:" in r.out and "'signed'" in r.out, r.out
