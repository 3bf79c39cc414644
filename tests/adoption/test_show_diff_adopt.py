"""`onegrid show`, `onegrid diff` and `onegrid adopt` on small packs."""

from __future__ import annotations

import json

import pytest

from onegrid.policy import loader, provenance
from onegrid.policy.located import plain
from onegrid.policy.pack import load_policy

ORG = """\
kind: org
levels:
  - {id: district, name: 区, rank: 1}
units:
  - {id: top, name: 顶, level: district}
departments:
  - id: dept.a
    name: {zh: 甲, en: "A: the first"}
    level: district
  - {id: dept.b, name: 乙, level: district}
"""

MATTERS = """\
kind: matters
matters:
  - id: m.road.pothole
    name: 坑洼
    unit: dept.a
    limits: {accept: 1h, handle: 3d}
"""


@pytest.fixture
def base(make_pack):
    return make_pack({"org.yaml": ORG, "matters.yaml": MATTERS}, name="base")


@pytest.fixture
def child(make_pack, base):
    return make_pack(
        {
            "pack.yaml": "kind: pack\nid: child\nname: 子\nextends: ../base\n",
            "matters.yaml": "kind: matters\nmatters:\n  - id: m.road.pothole\n    limits: {handle: 2d}\n",
        },
        name="child",
    )


def test_show_origin_names_the_file_and_line_of_each_value(onegrid, base, child):
    r = onegrid("show", child, "matters/m.road.pothole", "--origin")
    assert r.code == 0, r.err
    assert r.out.splitlines() == [
        f"id: m.road.pothole  # {base}/matters.yaml:3",
        f"name: 坑洼  # {base}/matters.yaml:4",
        f"unit: dept.a  # {base}/matters.yaml:5",
        f"limits:  # {base}/matters.yaml:6",
        f"  accept: 1h  # {base}/matters.yaml:6",
        f"  handle: 2d  # {child}/matters.yaml:4",
    ]


def test_show_paths_take_dots_and_slashes(onegrid, child):
    r = onegrid("show", child, "org.departments/dept.a/name")
    assert r.out == 'zh: 甲\nen: "A: the first"\n'
    assert onegrid("show", child, "m.road.pothole.limits.handle").out == "2d\n"
    r = onegrid("show", child, "org.nothing", "--lang", "en")
    assert r.code == 2
    assert "error[show-path-not-found]" in r.err


def test_show_plain_yaml_reads_back_as_the_resolved_policy(onegrid, child, tmp_path):
    r = onegrid("show", child)
    (tmp_path / "out.yaml").write_text(r.out, encoding="utf-8")
    assert plain(loader.load_file(tmp_path / "out.yaml")) == plain(
        provenance.tree(load_policy(child))
    )


def test_show_json_with_origins(onegrid, child):
    out = json.loads(onegrid("show", child, "matters", "--format", "json", "--origin").out)
    assert out["value"]["matters"][0]["limits"] == {"accept": "1h", "handle": "2d"}
    assert (
        out["origins"]["matters/matters/m.road.pothole/limits/handle"] == f"{child}/matters.yaml:4"
    )
    assert out["hash"] == load_policy(child).content_hash


def test_show_hash_is_what_a_pin_takes(onegrid, base, make_pack):
    digest = onegrid("show", base, "--hash").out.strip()
    pinned = make_pack(
        {
            "pack.yaml": f"kind: pack\nid: pin\nname: 钉\nextends: {{pack: ../base, hash: {digest}}}\n"
        },
        name="pin",
    )
    assert onegrid("check", pinned).code == 0


def test_diff_text_gives_old_new_and_origins(onegrid, base, child):
    r = onegrid("diff", base, child, "--lang", "en")
    assert r.code == 1
    assert r.out.splitlines() == [
        '~ matters/matters/m.road.pothole/limits/handle: "3d" → "2d"',
        f"    old: {base}/matters.yaml:6",
        f"    new: {child}/matters.yaml:4",
    ]
    assert r.err.strip() == "1 difference(s): 0 added, 0 removed, 1 changed, 0 reordered"
    assert onegrid("diff", child, child).code == 0


def test_diff_against_an_upgraded_base(onegrid, make_pack, base, child):
    new_base = make_pack(
        {
            "org.yaml": ORG + "  - {id: dept.c, name: 丙, level: district}\n",
            "matters.yaml": MATTERS.replace("1h", "30m").replace("3d", "1d"),
        },
        name="base2",
    )
    r = onegrid("diff", child, "--base-old", base, "--base-new", new_base, "--format", "json")
    assert r.code == 1
    changes = json.loads(r.out)["changes"]
    # the deadline the child overrides does not move; the one it inherits does
    assert [(c["change"], c["path"], c["old"], c["new"]) for c in changes] == [
        ("changed", "matters/matters/m.road.pothole/limits/accept", "1h", "30m"),
        (
            "added",
            "org/departments/dept.c",
            None,
            {"id": "dept.c", "name": "丙", "level": "district"},
        ),
    ]
    assert onegrid("diff", child, "--base-old", base).code == 2


def test_adopt_by_path_writes_a_pack_that_checks_at_once(onegrid, base, tmp_path):
    dest = tmp_path / "x" / "Our-Town"
    r = onegrid("adopt", base, dest, "--pin")
    assert r.code == 0, r.err
    manifest = loader.load_file(dest / "pack.yaml")
    assert manifest["id"] == "our-town"
    assert manifest["extends"] == {
        "pack": "../../base",
        "hash": load_policy(base).content_hash,
    }
    for name in ("pack.yaml", "org.yaml", "matters.yaml"):
        first = (dest / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=")
        # the overrides get the schema that requires only ids; pack.yaml the full one
        folder = "" if name == "pack.yaml" else "override/"
        assert first.endswith(f"/docs/schemas/{folder}{name.split('.')[0]}.schema.json")
    text = (dest / "matters.yaml").read_text(encoding="utf-8")
    assert "remove: true" in text and "locked: true" in text and "onegrid diff" in text
    assert "README.md" in {p.name for p in dest.iterdir()}
    assert onegrid("check", dest).code == 0
    assert onegrid("diff", base, dest).code == 0


def test_adopt_refuses_a_folder_in_use(onegrid, base, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "a.txt").write_text("x")
    r = onegrid("adopt", base, tmp_path / "used", "--lang", "en")
    assert r.code == 2
    assert "error[adopt-dest-not-empty]" in r.err


def test_a_list_new_in_the_adopter_is_diffed_item_by_item(onegrid, make_pack, base):
    mine = make_pack(
        {
            "pack.yaml": "kind: pack\nid: mine\nname: 我\nextends: ../base\n",
            "org.yaml": "kind: org\nenterprises:\n  - {id: ent.gas, name: 燃气, type: gas}\n",
        },
        name="mine",
    )
    r = onegrid("diff", base, mine, "--format", "json")
    changes = json.loads(r.out)["changes"]
    assert [(c["change"], c["path"], c["new_at"]) for c in changes] == [
        ("added", "org/enterprises/ent.gas", f"{mine}/org.yaml:3")
    ]


def test_show_layers_lists_what_a_pack_inherits(onegrid, base, child):
    rows = json.loads(onegrid("show", child, "--layers", "--format", "json").out)
    assert [(r["role"], r["id"], r["path"]) for r in rows] == [
        ("base", "base", str(base)),
        ("own", "child", str(child)),
    ]
