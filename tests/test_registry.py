"""Grid registry import: every row error at FILE:ROW:COL, all at once."""

import pytest

from conftest import CATALOGS
from onegrid import messages
from onegrid.errors import PolicyError
from onegrid.grids.registry import grid_units, load_registry, read_registry
from onegrid.policy.pack import load_policy

ORG = """\
    kind: org
    levels:
      - {id: district, name: 区, rank: 1}
      - {id: community, name: 社区, rank: 2}
      - {id: grid, name: 网格, rank: 3}
    units:
      - {id: d, name: 区, level: district}
      - {id: comm.heping, name: 和平社区, level: community, parent: d}
      - {id: comm.xingfu, name: 幸福社区, level: community, parent: d}
    roles:
      - {id: grid_worker, name: 网格员, level: grid}
      - {id: grid_chief, name: 网格长, level: community}
"""


@pytest.fixture
def policy(make_pack):
    return load_policy(make_pack({"org.yaml": ORG}))


def problems_of(policy, tmp_path, text, name="grids.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    _registry, problems = read_registry(policy, path)
    return [messages.format_line(p, "en").replace(str(tmp_path) + "/", "") for p in problems]


def test_a_good_registry(policy, tmp_path):
    path = tmp_path / "grids.csv"
    path.write_text(
        "\ufeffcommunity,grid,name,households,grid_worker,grid_chief,party_branch,party_groups\n"
        "comm.heping,,和平社区,,,1,,\n"
        "comm.heping,g.heping.01,第一网格,450,1,,是,2\n"
        "\n"
        "幸福社区,g.xingfu.01,,420,1,,0,\n",
        encoding="utf-8",
    )
    registry = load_registry(policy, path)
    assert [g.id for g in registry.grids] == ["g.heping.01", "g.xingfu.01"]
    first, second = registry.grids
    assert (first.households, first.staff, first.party_branch, first.party_groups) == (
        450,
        {"grid_worker": 1, "grid_chief": 0},
        True,
        2,
    )
    assert second.community == "comm.xingfu"  # found by its Chinese name
    assert registry.community_rows["comm.heping"].staff["grid_chief"] == 1
    assert registry.units()[0] == {
        "id": "g.heping.01",
        "name": "第一网格",
        "level": "grid",
        "parent": "comm.heping",
        "attributes": {"households": 450, "party_branch": True},
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "community,grid,households\ncomm.hepin,g1,450\n",
            [
                "grids.csv:2:1: error[registry-unknown-community]: unknown community 'comm.hepin'; did you mean 'comm.heping'?"
            ],
        ),
        (
            "community,grid,households\ncomm.heping,g1,四百\n",
            [
                "grids.csv:2:3: error[registry-not-a-count]: 'households' should be a whole number of 0 or more, got '四百'"
            ],
        ),
        (
            "community,grid,households\ncomm.heping,g1,-3\n",
            [
                "grids.csv:2:3: error[registry-not-a-count]: 'households' should be a whole number of 0 or more, got '-3'"
            ],
        ),
        (
            "community,grid,households\ncomm.heping,g1,450\ncomm.xingfu,g1,400\n",
            [
                "grids.csv:3:2: error[registry-duplicate-grid]: grid 'g1' is listed twice: first on row 2"
            ],
        ),
        (
            "community,grid\ncomm.heping,g1\n",
            [
                "grids.csv:1:1: error[registry-missing-column]: the grid registry lacks the column 'households'"
            ],
        ),
        (
            "community,grid,households,grid_workr\ncomm.heping,g1,450,1\n",
            [
                "grids.csv:1:4: error[registry-unknown-column]: unknown column 'grid_workr': expected a level id (district, community, grid), name, households, party_branch, party_groups, volunteer_teams, lat, lng or a role id; did you mean 'grid_worker'?"
            ],
        ),
        (
            "community,grid,households,households\ncomm.heping,g1,450,450\n",
            [
                "grids.csv:1:3: error[registry-duplicate-column]: the column 'households' appears twice"
            ],
        ),
        (
            "community,grid,households,party_branch\ncomm.heping,g1,450,yes\n",
            [
                "grids.csv:2:4: error[registry-bad-flag]: 'party_branch' should be 1/0 or 是/否 (yes/no), got 'yes'"
            ],
        ),
        (
            "community,grid,households\ncomm.heping,G 1,450\n",
            [
                "grids.csv:2:2: error[registry-bad-grid-id]: the grid id 'G 1' is not well formed (lower-case letters, digits, '.', '_' or '-')"
            ],
        ),
        (
            "community,grid,households\ncomm.heping,comm.xingfu,450\n",
            [
                "grids.csv:2:2: error[registry-grid-clash]: the grid id 'comm.xingfu' is already an org unit"
            ],
        ),
        (
            "community,grid,households\ncomm.heping,g1,\n",
            [
                "grids.csv:2:3: error[registry-missing-households]: grid 'g1' has no households figure"
            ],
        ),
        (
            "community,grid,households\ncomm.heping,g1\n",
            [
                "grids.csv:2:1: error[registry-row-length]: this row has 2 cells, the header has 3 columns"
            ],
        ),
        (
            "community,grid,households\ncomm.heping,,\ncomm.heping,,\n",
            [
                "grids.csv:3:1: error[registry-duplicate-community-row]: community 'comm.heping' has two rows of its own: first on row 2"
            ],
        ),
        (
            "community,grid,households\n",
            ["grids.csv:1:1: error[registry-empty]: the grid registry has no data rows"],
        ),
        ("", ["grids.csv:1:1: error[registry-empty]: the grid registry has no data rows"]),
        (
            'community,grid,households\ncomm.heping,"g1"x,450\n',
            [
                "grids.csv:2:1: error[registry-syntax]: the grid registry is not valid CSV: ',' expected after '\"'"
            ],
        ),
        (
            b"community,grid,households\ncomm.heping,g1,\xff\n",
            [
                "grids.csv:1:1: error[registry-not-utf8]: the grid registry is not UTF-8 (at byte 41)"
            ],
        ),
    ],
)
def test_row_errors(policy, tmp_path, text, expected):
    assert problems_of(policy, tmp_path, text) == expected


def test_every_row_error_is_reported_at_once(policy, tmp_path):
    text = "community,grid,households,grid_worker\nnowhere,g1,x,1\ncomm.heping,g2,450,two\ncomm.heping,g3,450,1\n"
    lines = problems_of(policy, tmp_path, text)
    assert [line.split(": ")[0] for line in lines] == [
        "grids.csv:2:1",
        "grids.csv:2:3",
        "grids.csv:3:4",
    ]


def test_load_registry_raises_with_every_problem(policy, tmp_path):
    path = tmp_path / "grids.csv"
    path.write_text("community,grid,households\nx,g1,1\ny,g2,2\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_registry(policy, path)
    assert [p.code for p in info.value.problems] == ["registry-unknown-community"] * 2


def test_a_missing_file(policy, tmp_path):
    _registry, problems = read_registry(policy, tmp_path / "nope.csv")
    assert [p.code for p in problems] == ["file-unreadable"]


def test_check_reports_the_packs_own_registry(onegrid, make_pack):
    root = make_pack(
        {
            "pack.yaml": "kind: pack\nid: p\nname: p\nregistry: grids.csv\n",
            "org.yaml": ORG,
            "grids.csv": "community,grid,households\ncomm.heping,g1,450\ncomm.heping,g1,450\n",
        }
    )
    r = onegrid("check", root, "--lang", "en")
    assert r.code == 1
    assert r.out.strip().endswith(
        "grids.csv:3:2: error[registry-duplicate-grid]: grid 'g1' is listed twice: first on row 2"
    )


def test_the_packs_grids_as_units():
    units = grid_units(load_policy(CATALOGS / "kunqu"))
    assert len(units) == 791
    assert units[0] == {
        "id": "g.heping.01",
        "name": "和平社区第1网格",
        "level": "grid",
        "parent": "comm.heping",
        "attributes": {"households": 430, "party_branch": False},
        "centroid": [40.58, 109.72],  # illustrative, from the registry's lat/lng columns
    }
    assert len({u["parent"] for u in units}) == 78


def test_the_packs_registry_must_stay_inside_the_pack(onegrid, make_pack):
    root = make_pack(
        {"pack.yaml": "kind: pack\nid: p\nname: p\nregistry: ../../etc/passwd\n", "org.yaml": ORG}
    )
    r = onegrid("check", root, "--lang", "en")
    assert r.code == 1
    assert r.out.strip().endswith(
        "pack.yaml:4:11: error[registry-outside-pack]: the grid registry '../../etc/passwd' must be inside the pack's folder"
    )
    r = onegrid("grids", "report", root, "--lang", "en")
    assert r.code == 1
    assert "error[registry-outside-pack]" in r.err


def test_a_community_name_shared_by_two_communities_is_ambiguous(make_pack, tmp_path):
    org = ORG.replace("{id: comm.xingfu, name: 幸福社区", "{id: comm.xingfu, name: 和平社区")
    policy = load_policy(make_pack({"org.yaml": org}, name="twins"))
    assert problems_of(policy, tmp_path, "community,grid,households\n和平社区,g1,450\n") == [
        "grids.csv:2:1: error[registry-ambiguous-community]: several of the community units are called"
        " '和平社区' (comm.heping, comm.xingfu): write the id"
    ]


def test_rows_are_numbered_by_their_first_line(policy, tmp_path):
    text = (
        'community,grid,name,households\ncomm.heping,g1,"two\nlines",450\ncomm.heping,g2,x,many\n'
    )
    assert problems_of(policy, tmp_path, text) == [
        "grids.csv:4:4: error[registry-not-a-count]: 'households' should be a whole number of 0 or more, got 'many'"
    ]
