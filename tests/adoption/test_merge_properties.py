"""Properties of the merge on generated trees: no crash, no surprise."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from onegrid.policy import resolve
from onegrid.policy.located import YList, YMap, plain

KEYS = st.sampled_from(["a", "b", "c", "limits", "name"])
IDS = st.sampled_from(["x", "y", "z", "w"])
SCALARS = st.one_of(st.integers(-3, 3), st.text("ab", max_size=2), st.booleans(), st.none())


def located(value):
    if isinstance(value, dict):
        out = YMap()
        for k, v in value.items():
            out[k] = located(v)
        return out
    if isinstance(value, list):
        return YList([located(v) for v in value])
    return value


def items(children):
    item = st.fixed_dictionaries(
        {"id": IDS}, optional={"a": children, "remove": st.just(True), "replace": st.just(True)}
    )
    return st.lists(item, max_size=4, unique_by=lambda i: i["id"])


TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(SCALARS, max_size=3),
        st.dictionaries(KEYS, children, max_size=3),
        items(children),
    ),
    max_leaves=12,
)
MAPS = st.dictionaries(KEYS, TREES, max_size=4)


@settings(max_examples=150, deadline=None)
@given(MAPS, MAPS)
def test_merging_never_fails_and_never_changes_its_inputs(base, over):
    base_tree, over_tree = located(base), located(over)
    problems = []
    merged = resolve.merge_map(base_tree, over_tree, problems)
    assert plain(base_tree) == base and plain(over_tree) == over
    for key, value in over.items():
        assert key in merged
        if not isinstance(value, dict | list):
            assert merged[key] == value  # a later layer's scalar wins
    assert all(p.code in ("nothing-to-remove", "nothing-to-replace") for p in problems)


@settings(max_examples=100, deadline=None)
@given(MAPS)
def test_an_empty_override_changes_nothing(base):
    tree = located(base)
    assert plain(resolve.merge_map(tree, YMap(), [])) == base
