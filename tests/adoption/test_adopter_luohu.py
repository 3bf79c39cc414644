"""An adopter of Luohu as a community would write it: one field of a base
form changed through a form that `use:`s it, two grids appended to the
inherited registry (and one redrawn) by a registry overlay, and every file it
writes valid against the editor schemas `adopt` points it at."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from onegrid import paths
from onegrid.forms.definition import resolve_forms
from onegrid.policy import loader
from onegrid.policy.pack import load_policy

HINT = re.compile(r"# yaml-language-server: \$schema=(\S+)")

FORMS = """\
kind: forms
forms:
  # 罗湖的一般问题表单，只改两处：标题不必填；不填发现时间
  - id: form.report.ours
    use: form.report.general
    name: {zh: 一般问题上报（本社区）, en: General report (ours)}
    fields:
      - {name: title, required: false}
      - {name: occurred_at, remove: true}
  # 共享闭环（rules/closed-loop）的“调整路线后转办”表单，只改一处：理由至少 10 个字
  - id: wf.dispatch.ours
    use: wf.dispatch
    fields:
      - {name: reason, min_length: 10}
"""
WORKFLOW = """\
kind: workflow
transitions:
  - {id: dispatch_changed, form: wf.dispatch.ours}
"""
MATTERS = """\
kind: matters
matters:
  - {id: m.frontage, form: form.report.ours}
  - {id: m.rubbish, limits: {handle: 2d}}
"""
OVERLAY = (
    "community,grid,name,households,grid_worker,grid_worker_part\n"
    "comm.caiwuwei,g.caiwuwei.90,蔡屋围社区第90网格,420,1,2\n"
    "comm.caiwuwei,g.caiwuwei.91,蔡屋围社区第91网格,380,1,1\n"
    "comm.caiwuwei,g.caiwuwei.01,蔡屋围社区第1网格（重划）,500,1,4\n"
)


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    from onegrid.cli import cli
    from onegrid.cli.boundary import run

    root = tmp_path_factory.mktemp("adopter") / "ours"
    assert run(cli, ["adopt", "luohu", str(root)]) == 0
    for name, text in (
        ("forms.yaml", FORMS),
        ("matters.yaml", MATTERS),
        ("workflow.yaml", WORKFLOW),
    ):
        path = root / name
        hint = path.read_text(encoding="utf-8").splitlines()[0]
        path.write_text(hint + "\n" + text, encoding="utf-8")
    (root / "registry").mkdir()
    (root / "registry" / "more.csv").write_text(OVERLAY, encoding="utf-8")
    with (root / "pack.yaml").open("a", encoding="utf-8") as f:
        f.write("registry_overlay: registry/more.csv\n")
    return root


def test_it_checks_clean(onegrid, ours):
    checked = onegrid("check", ours, "--lang", "en")
    assert checked.code == 0 and "warning" not in checked.out, checked.out


def test_one_field_of_the_base_form_changed_and_one_removed(ours):
    forms, problems = resolve_forms(load_policy(ours))
    assert problems == []
    base, mine = forms["form.report.general"], forms["form.report.ours"]
    assert [f.name for f in mine.fields] == [f.name for f in base.fields if f.name != "occurred_at"]
    assert base.field("title").get("required") is True
    assert mine.field("title").get("required") is False
    assert mine.field("title").get("max_length") == base.field("title").get("max_length")
    assert mine.name["zh"] == "一般问题上报（本社区）"


def test_one_field_of_a_shared_library_form_changed(ours):
    policy = load_policy(ours)
    forms, _problems = resolve_forms(policy)
    library, mine = forms["wf.dispatch"], forms["wf.dispatch.ours"]
    assert [f.name for f in mine.fields] == [f.name for f in library.fields]
    assert library.field("reason").get("min_length") == 2
    assert mine.field("reason").get("min_length") == 10
    assert mine.field("reason").get("required") is True
    transition = next(
        t for t in policy.section("workflow")["transitions"] if t["id"] == "dispatch_changed"
    )
    assert transition["form"] == "wf.dispatch.ours" and transition["effect"] == "choose_route"


def test_the_overlay_appends_two_grids_and_redraws_one(onegrid, ours):
    base = json.loads(onegrid("grids", "report", "luohu", "--format", "json").out)
    mine = json.loads(onegrid("grids", "report", ours, "--format", "json").out)
    assert mine["totals"]["grids"] == base["totals"]["grids"] + 2
    assert mine["totals"]["households"] == base["totals"]["households"] + 420 + 380 + 500 - 623
    # a case in an appended grid is routed through it: the grids are org units
    policy = load_policy(ours)
    from onegrid.decide.facts import OrgTree

    assert OrgTree(policy).place_facts("g.caiwuwei.91")["community"] == "comm.caiwuwei"


def test_a_bad_overlay_row_is_named_in_the_overlay(onegrid, ours, tmp_path):
    import shutil

    root = tmp_path / "ours"
    shutil.copytree(ours, root)
    (root / "registry" / "more.csv").write_text(
        OVERLAY.replace("380,1,1", "三百八,1,1"), encoding="utf-8"
    )
    checked = onegrid("check", root, "--lang", "en")
    assert checked.code == 1
    assert checked.out.splitlines()[0] == (
        f"{root / 'registry' / 'more.csv'}:3:4: error[registry-not-a-count]:"
        " 'households' should be a whole number of 0 or more, got '三百八'"
    )


def _schema_of(path: Path) -> Path:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = HINT.fullmatch(first)
    assert match, f"{path.name} has no schema line"
    return (path.parent / match.group(1)).resolve()


def test_every_file_it_writes_validates_against_the_editor_schemas(ours):
    files = sorted(ours.glob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        schema_path = _schema_of(path)
        assert schema_path.is_relative_to(paths.PROJECT / "docs" / "schemas")
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        data = loader.load_file(path)
        errors = [e.message for e in Draft202012Validator(schema).iter_errors(_plain(data))]
        assert errors == [], f"{path.name}: {errors}"
    # an override file is checked by the override schema, which still refuses typos
    schema = json.loads(_schema_of(ours / "matters.yaml").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    assert validator.is_valid({"kind": "matters", "matters": [{"id": "m.bikes", "remove": True}]})
    assert not validator.is_valid({"kind": "matters", "matters": [{"id": "m.x", "nmae": "x"}]})
    # a replaced item stands whole, so it needs what a new item needs
    assert not validator.is_valid({"kind": "matters", "matters": [{"id": "m.x", "replace": True}]})


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
