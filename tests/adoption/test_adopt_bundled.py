"""Issue 8, done when: adopt every bundled pack, change three things, and
`check`, `test` and `diff` agree that exactly those three changed."""

from __future__ import annotations

import json
import textwrap

import pytest

from onegrid import paths
from onegrid.cli import cli
from onegrid.policy.located import plain
from onegrid.policy.pack import load_policy


def strings(value, skip=None):
    """Every text value in a plain tree, leaving out the item `skip`."""
    if value is skip:
        return
    if isinstance(value, dict):
        for v in value.values():
            yield from strings(v, skip)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v, skip)
    elif isinstance(value, str):
        yield value


def unreferenced_matter(policy, but_not):
    """A matter nothing else in the pack names: removing it breaks nothing."""
    sections = {k: plain(v) for k, v in policy.sections.items()}
    for item in sections.get("matters", {}).get("matters", []):
        if item["id"] == but_not:
            continue
        others = set()
        for kind, section in sections.items():
            others.update(strings(section, skip=item if kind == "matters" else None))
        if item["id"] not in others:
            return item["id"]
    return None


@pytest.mark.parametrize("source", paths.bundled_packs())
def test_adopt_override_remove_add_then_diff_shows_exactly_that(source, tmp_path, onegrid):
    r = onegrid("check", paths.find_pack(source))
    assert r.code == 0, f"the bundled pack {source} does not check clean:\n{r.out}"
    source_warnings = r.out
    base = load_policy(paths.find_pack(source))
    # a deadline no policy test pins, so the inherited tests still pass
    tested = set(strings(plain(base.section("tests"))))
    timed = next(
        (m for m in base.items("matter") if m.get("limits") and m["id"] not in tested), None
    )
    if timed is None or not base.items("department"):
        pytest.skip(f"{source} has no matter with limits or no department yet")
    step, old_limit = next(iter(timed["limits"].items()))
    new_limit = "9wd" if old_limit != "9wd" else "8wd"
    removed = unreferenced_matter(base, but_not=timed["id"])
    assert removed, f"every matter of {source} is referred to elsewhere"
    model = base.items("department")[0]
    department = {"id": "dept.adopted-new", "name": "新设部门", "level": model["level"]}
    if model.get("unit"):
        department["unit"] = model["unit"]

    dest = tmp_path / "mine"
    r = onegrid("adopt", source, dest)
    assert r.code == 0, r.err
    assert onegrid("check", dest).out == source_warnings
    assert onegrid("diff", source, dest).code == 0

    (dest / "matters.yaml").write_text(
        (dest / "matters.yaml").read_text(encoding="utf-8")
        + textwrap.dedent(
            f"""\
            matters:
              - id: {timed["id"]}
                limits: {{{step}: {new_limit}}}
              - id: {removed}
                remove: true
            """
        ),
        encoding="utf-8",
    )
    (dest / "org.yaml").write_text(
        (dest / "org.yaml").read_text(encoding="utf-8")
        + "departments:\n  - "
        + json.dumps(department, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    r = onegrid("check", dest)
    # no new problem: at most the warnings the source has itself
    assert (r.code, r.out) == (0, source_warnings)
    if "test" in cli.commands:
        # the source's policy tests run against the adopter, and pass
        r = onegrid("test", dest, "--format", "json")
        assert r.code == 0, r.out + r.err
        ran = [t["id"] for t in json.loads(r.out)["packs"][0]["tests"]]
        assert ran == [t["id"] for t in base.section("tests").get("tests") or []]

    r = onegrid("diff", source, dest, "--format", "json")
    assert r.code == 1
    changes = json.loads(r.out)["changes"]
    assert [(c["change"], c["path"], c["old"], c["new"]) for c in changes] == [
        ("removed", f"matters/matters/{removed}", plain(base.get("matter", removed)), None),
        ("changed", f"matters/matters/{timed['id']}/limits/{step}", old_limit, new_limit),
        ("added", "org/departments/dept.adopted-new", None, department),
    ]
    assert changes[1]["new_at"] == f"{dest}/matters.yaml:{changes[1]['new_at'].split(':')[-1]}"
    assert changes[2]["new_at"].startswith(f"{dest}/org.yaml:")
