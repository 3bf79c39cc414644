"""A rural pack with the levels 镇/村/网格 (town/village/grid), written the
way an outsider writes one (tests/packs/rural): the engine knows no level by
name, so it checks, serves, routes through the real doors and reports, with
村 where a community-shaped pack says 社区. Its grid level declares a typed
attribute (`mountain: boolean`) that its registry fills and a rule tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from onegrid.cli.live import LiveApp, request_of
from onegrid.policy.pack import load_policy

RURAL = Path(__file__).parent / "packs" / "rural"


def test_it_checks_clean_and_its_policy_tests_pass(onegrid):
    checked = onegrid("check", RURAL, "--lang", "en")
    assert checked.code == 0 and "warning" not in checked.out, checked.out
    tested = onegrid("test", RURAL, "--lang", "en")
    assert tested.code == 0, tested.out
    assert "3 test(s) passed, 0 failed" in tested.err


def test_its_report_speaks_of_villages(onegrid):
    text = onegrid("grids", "report", RURAL)
    assert text.code == 0, text.out
    assert "  村            2" in text.out
    assert "每个村    1–1" in text.out  # the staffing rule `per: village`
    assert "社区" not in text.out
    english = onegrid("grids", "report", RURAL, "--lang", "en")
    assert "Village" in english.out and "ommunit" not in english.out
    data = json.loads(onegrid("grids", "report", RURAL, "--format", "json").out)
    assert data["levels"] == {"parent": "village", "grid": "grid"}
    assert data["totals"]["communities"] == 2 and data["totals"]["grids"] == 3


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    app = LiveApp(RURAL, tmp_path_factory.mktemp("rural"))
    yield app
    app.close()


@pytest.mark.parametrize(
    ("facts", "lead", "level", "supervised"),
    [
        ({"matter": "m.dispute", "place": "g.shang.01"}, "v.shangcun", "village", False),
        # the registry's 是 in the mountain column is the boolean a rule tests
        ({"matter": "m.road", "place": "g.shang.02"}, "town.safety", "town", True),
        ({"matter": "m.road", "place": "g.xia.01"}, "town.safety", "town", False),
    ],
)
def test_a_case_filed_through_the_api_is_routed_by_village_and_grid(
    live, facts, lead, level, supervised
):
    request, why = request_of(load_policy(RURAL), facts)
    assert request is not None, why
    status, case = live.file_api(request)
    assert status == 201, case
    assert (case["unit"], case["level"], case["supervised"]) == (lead, level, supervised)


def _copy(tmp_path) -> Path:
    root = tmp_path / "rural"
    shutil.copytree(RURAL, root)
    return root


def test_a_yes_where_a_boolean_is_declared_is_an_error_at_its_place(onegrid, tmp_path):
    root = _copy(tmp_path)
    org = root / "org.yaml"
    text = org.read_text(encoding="utf-8")
    line = "  - {id: v.xiacun, name: {zh: 下村, en: Xiacun Village}, level: village, parent: shanxia}\n"
    assert line in text
    org.write_text(
        text.replace(
            line,
            line
            + "  - {id: g.top, name: 山顶网格, level: grid, parent: v.xiacun, attributes: {mountain: yes}}\n",
        ),
        encoding="utf-8",
    )
    checked = onegrid("check", root, "--lang", "en")
    assert checked.code == 1
    row = text[: text.index(line)].count("\n") + 2
    assert checked.out.splitlines()[0] == (
        f"{org}:{row}:83: error[attribute-type]: the attribute 'mountain' is declared boolean;"
        " 'yes' is not one: write true or false"
    )


def test_an_untyped_yes_is_a_warning(onegrid, make_pack):
    root = make_pack(
        {
            "org.yaml": """\
                kind: org
                levels: [{id: town, name: 镇, rank: 1}]
                units: [{id: t, name: 镇, level: town, attributes: {mountain: yes}}]
                """
        }
    )
    checked = onegrid("check", root, "--lang", "en")
    assert checked.code == 0
    assert (
        "warning[attribute-looks-boolean]: the attribute 'mountain' has the value 'yes'"
        in checked.out
    )


def test_a_registry_cell_of_the_wrong_type_is_named_at_its_row_and_column(onegrid, tmp_path):
    root = _copy(tmp_path)
    csv = root / "registry" / "grids.csv"
    csv.write_text(
        csv.read_text(encoding="utf-8").replace("150,1,,是", "150,1,,也许"), encoding="utf-8"
    )
    checked = onegrid("check", root, "--lang", "en")
    assert checked.code == 1
    assert checked.out.splitlines()[0] == (
        f"{root / 'registry' / 'grids.csv'}:4:7: error[attribute-type]: the attribute 'mountain'"
        " is declared boolean; '也许' is not one: write true or false"
    )


def test_a_registry_without_level_columns_names_the_levels(onegrid, tmp_path):
    root = _copy(tmp_path)
    csv = root / "registry" / "grids.csv"
    text = csv.read_text(encoding="utf-8")
    csv.write_text(text.replace("village,grid,", "community,grid,", 1), encoding="utf-8")
    checked = onegrid("check", root, "--lang", "en")
    lines = checked.out.splitlines()
    # the registry's header first, then one line folding the grids it would have brought
    assert "grids.csv:1:1: error[registry-unknown-column]: unknown column 'community'" in lines[0]
    assert "registry-level-columns" in lines[1] and "e.g. village,grid" in lines[1]
    assert "4 more" in lines[2] and "caused by" in lines[2] and len(lines) == 3, checked.out
