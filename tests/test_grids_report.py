"""`onegrid grids report`: kunqu's registry against its standards."""

import csv
import io
import json

from conftest import CATALOGS, PROJECT

KUNQU = CATALOGS / "kunqu"
REGISTRY = KUNQU / "registry" / "grids.csv"
BROKEN = PROJECT / "tests" / "registries" / "kunqu-out-of-range.csv"


def test_kunqu_registry_meets_the_standards_and_the_published_figures(onegrid):
    r = onegrid("grids", "report", KUNQU, "--registry", REGISTRY, "--format", "json")
    assert r.code == 0, r.out
    report = json.loads(r.out)
    totals = report["totals"]
    assert totals["communities"] == 78
    assert totals["grids"] == 791
    assert totals["party_branch"] == 252
    assert totals["party_groups"] == 721
    assert totals["volunteer_teams"] == 331
    assert totals["staff"]["grid_worker"] == 747
    assert totals["staff"]["grid_worker_dept"] == 516
    assert totals["staff"]["building_chief"] == 4799
    assert totals["staff"]["unit_chief"] == 12016
    assert totals["staff"]["first_secretary"] == 78
    assert all(p["ok"] for p in report["published"])
    assert report["out_of_range"] == [] and report["problems"] == []
    assert 440 <= report["households"]["mean"] <= 460
    streets = report["by_parent"]
    assert len(streets) == 14
    assert sum(s["communities"] for s in streets) == 78
    assert sum(s["grids"] for s in streets) == 791
    assert sum(s["households"] for s in streets) == totals["households"]
    assert streets[0] == {"unit": "st.linyin", "communities": 6, "grids": 61, "households": 26755}


def test_kunqu_text_report_is_chinese_by_default(onegrid):
    r = onegrid("grids", "report", KUNQU, "--registry", REGISTRY)
    assert r.code == 0
    assert "网格标准报告" in r.out
    assert "  社区          78      78     达标" in r.out
    assert "  网格          791     791    达标" in r.out
    assert "  林荫路街道      6     61    26755" in r.out
    assert "网格党支部覆盖率          252/791  31.9%  ≥ 30%  达标" in r.out
    assert r.out.rstrip().endswith("结论：符合网格标准")


def test_registry_defaults_to_the_packs_own(onegrid):
    r = onegrid("grids", "report", "kunqu", "--format", "json")
    assert r.code == 0
    assert json.loads(r.out)["totals"]["grids"] == 791


def test_broken_registry_flags_grids_out_of_range(onegrid):
    r = onegrid("grids", "report", KUNQU, "--registry", BROKEN, "--lang", "en")
    assert r.code == 1
    assert "Grids outside the range: 5" in r.out
    assert "Verdict: 5 violation(s) of the grid standards" in r.out
    lines = r.err.strip().splitlines()
    assert lines == [
        "tests/registries/kunqu-out-of-range.csv:5:4: error[grids-households-low]: grid 'g.heping.03' (comm.heping) has 120 households, fewer than the minimum of 300",
        "tests/registries/kunqu-out-of-range.csv:232:4: error[grids-households-high]: grid 'g.kunlun.07' (comm.kunlun) has 680 households, more than the maximum of 600",
        "tests/registries/kunqu-out-of-range.csv:483:4: error[grids-households-high]: grid 'g.wanda.01' (comm.wanda) has 1250 households, more than the maximum of 600",
        "tests/registries/kunqu-out-of-range.csv:748:4: error[grids-households-low]: grid 'g.xuefu.10' (comm.xuefu) has 299 households, fewer than the minimum of 300",
        "tests/registries/kunqu-out-of-range.csv:854:4: error[grids-households-high]: grid 'g.mingzhu.05' (comm.mingzhu) has 601 households, more than the maximum of 600",
    ]


def test_csv_format_lists_each_violation(onegrid):
    r = onegrid("grids", "report", KUNQU, "--registry", BROKEN, "--format", "csv")
    assert r.code == 1
    rows = list(csv.DictReader(io.StringIO(r.out)))
    bad = [row for row in rows if row["section"] == "households"]
    assert [row["subject"] for row in bad] == [
        "g.heping.03",
        "g.kunlun.07",
        "g.wanda.01",
        "g.xuefu.10",
        "g.mingzhu.05",
    ]
    assert bad[0] == {
        "section": "households",
        "subject": "g.heping.03",
        "community": "comm.heping",
        "value": "120",
        "standard": "300-600",
        "status": "violation",
    }
    grids = next(row for row in rows if row["subject"] == "grids")
    assert (grids["value"], grids["standard"], grids["status"]) == ("791", "791", "ok")


STANDARDS = """\
    kind: standards
    households: {target: 450, min: 300, max: 600}
    staffing:
      - {id: s.chief, per: community, roles: [grid_chief], min: 1, max: 1}
      - {id: s.worker, per: grid, roles: [grid_worker], min: 1}
    coverage:
      - {id: c.branch, column: party_branch, min_share: 0.5}
    published: {grids: 3, staff: {grid_worker: 3}}
"""

ORG = """\
    kind: org
    levels:
      - {id: district, name: 区, rank: 1}
      - {id: community, name: 社区, rank: 2}
      - {id: grid, name: 网格, rank: 3}
    units:
      - {id: d, name: 区, level: district}
      - {id: c1, name: 一社区, level: community, parent: d}
      - {id: c2, name: 二社区, level: community, parent: d}
    roles:
      - {id: grid_chief, name: 网格长, level: community}
      - {id: grid_worker, name: 网格员, level: grid}
"""


def test_staffing_gaps_coverage_and_published_figures(onegrid, make_pack):
    root = make_pack(
        {
            "org.yaml": ORG,
            "standards.yaml": STANDARDS,
            "grids.csv": "community,grid,households,grid_chief,grid_worker,party_branch\n"
            "c1,,,2,,\n"
            "c1,g1,450,,1,是\n"
            "c1,g2,450,,0,否\n",
        }
    )
    r = onegrid("grids", "report", root, "--registry", root / "grids.csv", "--lang", "en")
    assert r.code == 1
    lines = [line.replace(str(root) + "/", "") for line in r.err.strip().splitlines()]
    assert lines == [
        "org.yaml:9:10: error[grids-community-empty]: community 'c2' has no grid in the registry",
        "grids.csv:2:4: error[grids-staffing-over]: community 'c1' has 2 网格长; rule 's.chief' allows at most 1",
        "grids.csv:4:5: error[grids-staffing-gap]: grid 'g2' has 0 网格员; rule 's.worker' requires at least 1",
        "standards.yaml:8:20: warning[grids-published-mismatch]: Grid: the registry adds up to 2, the published figure is 3",
        "standards.yaml:8:44: warning[grids-published-mismatch]: 网格员: the registry adds up to 1, the published figure is 3",
    ]
    # 1 of 2 grids with a branch is exactly the 50% standard: met
    assert "  c.branch  1/2   50.0%  ≥ 50%     ok" in r.out
    assert "Verdict: 3 violation(s) of the grid standards" in r.out


def test_coverage_below_the_standard(onegrid, make_pack):
    root = make_pack(
        {
            "org.yaml": ORG,
            "standards.yaml": STANDARDS.replace("min_share: 0.5", "min_share: 0.75"),
            "grids.csv": "community,grid,households,grid_worker,party_branch\n"
            "c1,g1,450,1,1\nc1,g2,450,1,0\nc2,g3,450,1,\n",
        }
    )
    r = onegrid("grids", "report", root, "--registry", root / "grids.csv", "--format", "json")
    assert r.code == 1
    report = json.loads(r.out)
    assert report["coverage"] == [
        {
            "rule": "c.branch",
            "name": None,
            "column": "party_branch",
            "grids_with": 1,
            "grids": 3,
            "share": 0.3333,
            "min_share": 0.75,
            "ok": False,
        }
    ]
    codes = [p["code"] for p in report["problems"]]
    assert codes.count("grids-coverage-low") == 1
    assert codes.count("grids-rule-without-column") == 1  # no grid_chief column at all


def test_no_registry_is_a_usage_error(onegrid, make_pack):
    root = make_pack({"org.yaml": ORG})
    r = onegrid("grids", "report", root, "--lang", "en")
    assert r.code == 2
    assert "error[grids-no-registry]" in r.err


def test_registry_errors_stop_the_report(onegrid, make_pack):
    root = make_pack({"org.yaml": ORG, "grids.csv": "community,grid,households\nc9,g1,x\n"})
    r = onegrid("grids", "report", root, "--registry", root / "grids.csv", "--lang", "en")
    assert r.code == 1
    assert r.out == ""
    assert "grids.csv:2:1: error[registry-unknown-community]: unknown community 'c9'" in r.err
    assert "grids.csv:2:3: error[registry-not-a-count]" in r.err


def test_a_pack_adopting_kunqu_reports_kunqus_grids(onegrid, tmp_path):
    dest = tmp_path / "adopted"
    assert onegrid("adopt", "kunqu", dest).code == 0
    assert onegrid("check", dest).code == 0
    r = onegrid("grids", "report", dest, "--format", "json")
    assert r.code == 0
    assert json.loads(r.out)["totals"]["grids"] == 791


def test_a_staffing_rule_without_registry_columns_is_one_error(onegrid, make_pack):
    root = make_pack(
        {
            "org.yaml": ORG,
            "standards.yaml": STANDARDS,
            "grids.csv": "community,grid,households,grid_chief\nc1,g1,450,1\nc2,g2,450,1\nc2,g3,450,0\n",
        }
    )
    r = onegrid(
        "grids",
        "report",
        root,
        "--registry",
        root / "grids.csv",
        "--format",
        "json",
        "--lang",
        "en",
    )
    assert r.code == 1
    messages = [
        p["message"] for p in json.loads(r.out)["problems"] if p["code"].startswith("grids-rule")
    ]
    assert messages == [
        "staffing rule 's.worker' cannot be checked: the registry has none of the columns grid_worker"
    ]
