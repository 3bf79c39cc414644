"""extends/includes: merge semantics, locks, cycles, missing bases, pins."""

from __future__ import annotations

import json

import pytest

from onegrid import paths
from onegrid.policy import loader, resolve
from onegrid.policy.located import plain
from onegrid.policy.pack import load_policy, read_pack

ORG = """\
kind: org
levels:
  - {id: district, name: 区, rank: 1}
  - {id: street, name: 街道, rank: 2}
units:
  - {id: top, name: 顶, level: district}
departments:
  - {id: dept.a, name: 甲, level: district, attributes: {x: 1, y: 2}}
  - {id: dept.b, name: 乙, level: district}
  - {id: dept.c, name: 丙, level: district, locked: true}
"""

MATTERS = """\
kind: matters
categories:
  - {id: cat.one, name: 一}
matters:
  - id: m.one
    name: 一
    unit: dept.a
    category: cat.one
    limits: {accept: 1h, handle: 3d}
"""


@pytest.fixture
def base(make_pack):
    return make_pack({"org.yaml": ORG, "matters.yaml": MATTERS}, name="base")


def adopter(make_pack, files, extends="../base", name="child"):
    manifest = f"kind: pack\nid: {name}\nname: 子\nextends: {extends}\n"
    return make_pack({"pack.yaml": manifest, **files}, name=name)


def errors(problems):
    return [p for p in problems if p.severity == "error"]


def test_an_override_merges_deeply_by_id_and_keeps_the_inherited_order(make_pack, base):
    root = adopter(
        make_pack,
        {
            "org.yaml": """\
            kind: org
            departments:
              - id: dept.a
                attributes: {y: 3, z: 4}
              - {id: dept.new, name: 新, level: street}
            """,
            "matters.yaml": """\
            kind: matters
            matters:
              - id: m.one
                limits: {handle: 5d}
            """,
        },
    )
    policy = load_policy(root)
    assert policy.ids("department") == ["dept.a", "dept.b", "dept.c", "dept.new"]
    assert plain(policy.get("department", "dept.a")) == {
        "id": "dept.a",
        "name": "甲",
        "level": "district",
        "attributes": {"x": 1, "y": 3, "z": 4},
    }
    matter = policy.get("matter", "m.one")
    assert plain(matter["limits"]) == {"accept": "1h", "handle": "5d"}
    # provenance: each key keeps the layer that set it
    assert matter["limits"].loc_of("handle").file.endswith("child/matters.yaml")
    assert matter["limits"].loc_of("accept").file.endswith("base/matters.yaml")
    assert matter.loc_of("name").file.endswith("base/matters.yaml")
    assert [layer.role for layer in policy.layers] == ["base", "own"]


def test_remove_and_replace(make_pack, base):
    root = adopter(
        make_pack,
        {
            "org.yaml": """\
            kind: org
            departments:
              - {id: dept.b, remove: true}
              - {id: dept.a, name: 新甲, level: street, replace: true}
            """,
        },
    )
    policy = load_policy(root)
    assert policy.ids("department") == ["dept.a", "dept.c"]
    assert plain(policy.get("department", "dept.a")) == {
        "id": "dept.a",
        "name": "新甲",
        "level": "street",
    }


def test_the_merge_rules_on_plain_trees():
    base = loader.load_text(
        "a: {x: 1, y: [1, 2]}\nitems: [{id: p, v: 1}, {id: q, v: 2}]\nkeep: 1\n", "base.yaml"
    )
    over = loader.load_text(
        "a: {y: [3]}\nitems: [{id: q, w: 3}, {id: r, v: 4}]\nnew: 2\n", "over.yaml"
    )
    problems = []
    merged = resolve.merge_map(base, over, problems)
    assert problems == []
    assert plain(merged) == {
        "a": {"x": 1, "y": [3]},  # a list without ids is replaced whole
        "items": [{"id": "p", "v": 1}, {"id": "q", "v": 2, "w": 3}, {"id": "r", "v": 4}],
        "keep": 1,
        "new": 2,
    }
    assert merged["a"].loc_of("y").file == "over.yaml"
    assert merged["a"].loc_of("x").file == "base.yaml"
    assert [loc.file for loc in merged["items"].item_locs] == [
        "base.yaml",
        "base.yaml",
        "over.yaml",
    ]
    assert plain(base)["items"][1] == {"id": "q", "v": 2}  # the base is not changed


def test_an_override_of_a_new_item_still_needs_its_required_keys(make_pack, base, onegrid):
    root = adopter(
        make_pack,
        {"org.yaml": "kind: org\ndepartments:\n  - {id: dept.new, level: street}\n"},
    )
    r = onegrid("check", root, "--lang", "en")
    assert r.code == 1
    assert r.out.splitlines() == [
        f"{root}/org.yaml:3:5: error[schema-required]: 'name' is required"
    ]


def test_overriding_a_locked_item_is_one_error_naming_the_lock(make_pack, base, onegrid):
    root = adopter(
        make_pack,
        {
            "org.yaml": """\
            kind: org
            departments:
              - id: dept.c
                name: 改名
            """
        },
    )
    r = onegrid("check", root, "--lang", "en")
    assert r.code == 1
    assert r.out.splitlines() == [
        f"{root}/org.yaml:3:9: error[locked-item]: 'dept.c' in org.departments is locked at "
        f"{base}/org.yaml:10: adopters may not override or remove it"
    ]


def test_removing_a_locked_item_is_an_error_too(make_pack, base):
    root = adopter(
        make_pack, {"org.yaml": "kind: org\ndepartments:\n  - {id: dept.c, remove: true}\n"}
    )
    _policy, problems = read_pack(root)
    assert [(p.code, p.loc.line) for p in errors(problems)] == [("locked-item", 3)]


def test_a_cycle_of_extends_is_one_error_on_the_extends_line(make_pack, onegrid):
    make_pack({"pack.yaml": "kind: pack\nid: a\nname: A\nextends: ../b\n"}, name="a")
    b = make_pack({"pack.yaml": "kind: pack\nid: b\nname: B\n\nextends: ../a\n"}, name="b")
    r = onegrid("check", b.parent / "a", "--lang", "en")
    assert r.code == 1
    assert r.out.splitlines() == [
        f"{b}/pack.yaml:5:1: error[extends-cycle]: the packs extend each other in a cycle: a → b → a"
    ]


def test_a_pack_that_extends_itself(make_pack):
    a = make_pack({"pack.yaml": "kind: pack\nid: a\nname: A\nextends: .\n"}, name="a")
    _policy, problems = read_pack(a)
    assert [(p.code, p.loc.line, p.params) for p in problems] == [
        ("extends-cycle", 4, {"chain": "a → a"})
    ]


def test_a_missing_base_is_one_error_on_the_extends_line(make_pack, onegrid):
    root = make_pack({"pack.yaml": "kind: pack\nid: c\nname: C\nextends: kunqv\n"}, name="c")
    r = onegrid("check", root, "--lang", "en")
    assert r.code == 1
    assert r.out.splitlines() == [
        f"{root}/pack.yaml:4:1: error[base-not-found]: the pack to extend, 'kunqv', was not found; "
        "did you mean 'kunqu'?"
    ]


def test_a_pinned_base_must_have_that_hash(make_pack, base, onegrid):
    good = load_policy(base).content_hash
    root = adopter(make_pack, {}, extends=f"{{pack: ../base, hash: {good}}}")
    assert onegrid("check", root).code == 0
    (base / "matters.yaml").write_text(MATTERS.replace("3d", "4d"), encoding="utf-8")
    _policy, problems = read_pack(root)
    assert [(p.code, p.loc.line, p.params["expected"]) for p in problems] == [
        ("base-hash-mismatch", 4, good)
    ]


def test_includes_come_first_then_the_base_then_own_files(make_pack, onegrid):
    make_pack(
        {
            "pack.yaml": "kind: pack\nid: shared\nname: 共享\n",
            "org.yaml": "kind: org\nlevels:\n  - {id: district, name: 共享区, rank: 1}\n",
        },
        name="shared",
    )
    make_pack(
        {
            "pack.yaml": "kind: pack\nid: base\nname: 基\nincludes: [../shared]\n",
            "org.yaml": "kind: org\nlevels:\n  - {id: district, name: 基区}\n",
        },
        name="base",
    )
    root = make_pack(
        {
            "pack.yaml": "kind: pack\nid: own\nname: 本\nextends: ../base\nincludes: [../shared]\n",
            "org.yaml": "kind: org\nlevels:\n  - {id: street, name: 街道, rank: 2}\n",
        },
        name="own",
    )
    policy = load_policy(root)
    # the base's change to the shared pack stands: it is not applied twice
    assert plain(policy.section("org")["levels"]) == [
        {"id": "district", "name": "基区", "rank": 1},
        {"id": "street", "name": "街道", "rank": 2},
    ]
    assert [(layer.role, layer.id) for layer in policy.layers] == [
        ("base", "shared"),
        ("base", "base"),
        ("own", "own"),
    ]


def test_a_missing_include_is_one_error_on_its_line(make_pack):
    root = make_pack({"pack.yaml": "kind: pack\nid: c\nname: C\nincludes:\n  - nowhere\n"})
    _policy, problems = read_pack(root)
    assert [(p.code, p.loc.line, p.loc.col) for p in problems] == [("include-not-found", 5, 5)]


def test_duplicate_ids_within_one_layer_are_still_errors(make_pack, base):
    root = adopter(
        make_pack,
        {
            "org.yaml": "kind: org\ndepartments:\n  - {id: dept.x, name: x, level: street}\n",
            "more.yaml": "kind: org\ndepartments:\n  - {id: dept.x, name: y, level: street}\n",
        },
    )
    _policy, problems = read_pack(root)
    assert [p.code for p in errors(problems)] == ["duplicate-id"]


def test_removing_or_replacing_what_is_not_inherited_is_an_error_with_did_you_mean(
    make_pack, base, onegrid
):
    root = adopter(
        make_pack,
        {
            "org.yaml": """\
            kind: org
            departments:
              - {id: dept.aa, remove: true}
              - {id: dept.cc, name: 丙, level: street, replace: true}
            """
        },
    )
    _policy, problems = read_pack(root)
    assert [
        (p.code, p.severity, p.loc.line, p.loc.col, p.hint.params["suggestion"]) for p in problems
    ] == [
        ("nothing-to-remove", "error", 3, 10, "dept.a"),
        ("nothing-to-replace", "error", 4, 10, "dept.c"),
    ]
    checked = onegrid("check", root, "--lang", "en")
    assert checked.code == 1
    assert checked.out.splitlines()[0].endswith(
        "org.yaml:3:10: error[nothing-to-remove]: nothing named 'dept.aa' is inherited in"
        " org.departments, so there is nothing to remove; did you mean 'dept.a'?"
    )


def test_a_removed_item_still_referred_to_is_an_unknown_ref(make_pack, base):
    root = adopter(
        make_pack, {"org.yaml": "kind: org\ndepartments:\n  - {id: dept.a, remove: true}\n"}
    )
    _policy, problems = read_pack(root)
    assert [(p.code, p.params["id"]) for p in errors(problems)] == [("unknown-ref", "dept.a")]


def test_a_nested_map_can_be_overridden_one_key_at_a_time(onegrid, tmp_path):
    root = tmp_path / "std"
    assert onegrid("adopt", "kunqu", root).code == 0
    (root / "standards.yaml").write_text("kind: standards\nhouseholds: {target: 500}\n")
    inherited = plain(load_policy(paths.find_pack("kunqu")).section("standards")["households"])
    households = plain(load_policy(root).section("standards")["households"])
    assert households == {**inherited, "target": 500}


def test_an_adopter_whose_base_is_gone_gets_one_error_not_a_cascade(onegrid, tmp_path):
    root = tmp_path / "mine"
    assert onegrid("adopt", "baohe", root).code == 0
    (root / "org.yaml").write_text("kind: org\ndepartments:\n  - {id: dept.x, level: street}\n")
    manifest = (root / "pack.yaml").read_text(encoding="utf-8")
    (root / "pack.yaml").write_text(manifest.replace("extends: baohe", "extends: ../gone"))
    line = manifest.splitlines().index("extends: baohe") + 1
    _policy, problems = read_pack(root)
    assert [(p.code, p.loc.line) for p in problems] == [("base-not-found", line)]


def test_before_and_after_place_an_item(make_pack, base, onegrid):
    root = adopter(
        make_pack,
        {
            "org.yaml": """\
            kind: org
            departments:
              - {id: dept.new, name: 新, level: street, before: dept.a}
              - {id: dept.b, after: dept.c}
              - {id: dept.z, name: 末, level: street, after: dept.nowhere}
            """
        },
    )
    policy, problems = read_pack(root)
    assert [(p.code, p.loc.line, p.loc.col) for p in problems] == [("unknown-position", 5, 49)]
    assert policy.ids("department") == ["dept.new", "dept.a", "dept.c", "dept.b", "dept.z"]
    assert "before" not in policy.get("department", "dept.new")
    text = (root / "org.yaml").read_text(encoding="utf-8")
    (root / "org.yaml").write_text(text.replace("dept.nowhere", "dept.b"), encoding="utf-8")
    r = onegrid("diff", base, root, "--format", "json")
    changes = [(c["change"], c["path"], c["new"]) for c in json.loads(r.out)["changes"]]
    assert changes[:2] == [
        ("added", "org/departments/dept.new", {"id": "dept.new", "name": "新", "level": "street"}),
        ("added", "org/departments/dept.z", {"id": "dept.z", "name": "末", "level": "street"}),
    ]
    assert changes[2:] == [("reordered", "org/departments", ["dept.a", "dept.c", "dept.b"])]


def test_instructions_inside_a_new_item_are_carried_out(make_pack, base):
    root = adopter(
        make_pack,
        {
            "routing.yaml": """\
            kind: routing
            tables:
              - id: mine
                name: 新表
                hit: first
                rules:
                  - {id: a, when: {matter: m.x}, then: {level: street}}
                  - {id: b, before: a, when: {matter: m.x}, then: {level: street}}
                  - {id: c, after: nowhere, when: {matter: m.x}, then: {level: street}}
            """
        },
    )
    policy, problems = read_pack(root)
    table = next(t for t in policy.section("routing")["tables"] if t["id"] == "mine")
    assert [r["id"] for r in table["rules"]] == ["b", "a", "c"]
    assert all("before" not in r and "after" not in r for r in table["rules"])
    assert [(p.code, p.loc.line) for p in problems if p.code == "unknown-position"] == [
        ("unknown-position", 9)
    ]
