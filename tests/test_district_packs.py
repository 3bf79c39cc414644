"""The baohe, cuntan, luohu and jinshui packs: clean, and carrying the real figures.

Each pack expresses its seed district (see ../shared/DOMAIN.md); these tests
pin the published figures so that an edit that drops a block, a matter or a
department fails here rather than silently weakening the pack.
"""

import json
import re
from collections import Counter

import pytest

from conftest import CATALOGS
from onegrid.admission import decide
from onegrid.policy.pack import load_policy

PACKS = ("baohe", "cuntan", "luohu", "jinshui")
HINT = re.compile(
    r"^# yaml-language-server: \$schema=((?:\.\./)+)docs/schemas/(\w+)\.schema\.json$"
)


@pytest.fixture(scope="module")
def packs():
    return {name: load_policy(CATALOGS / name) for name in PACKS}


def _zh(text):
    return text["zh"] if isinstance(text, dict) else text


def _catalog(policy):
    """The district's own matters: without the one communities report a task
    that arrived without admission as (`review.report_matter`, issue 15)."""
    own = policy.section("admission").get("review", {}).get("report_matter")
    return [m for m in policy.items("matter") if m["id"] != own]


def _items(policy, kind, key):
    return list(policy.section(kind).get(key, []))


def _duty_items(policy, **where):
    return [
        item
        for dl in _items(policy, "duties", "lists")
        for item in dl["items"]
        if all(item.get(k, dl.get(k)) == v for k, v in where.items())
    ]


# --- every pack -------------------------------------------------------------


@pytest.mark.parametrize("name", PACKS)
def test_pack_checks_clean(onegrid, name):
    r = onegrid("check", CATALOGS / name)
    assert r.code == 0, r.out
    assert "error[" not in r.out


@pytest.mark.parametrize("name", PACKS)
def test_every_file_starts_with_the_editor_hint_of_its_kind(name):
    files = sorted((CATALOGS / name).rglob("*.yaml"))
    assert {f.name for f in files} >= {
        "pack.yaml",
        "org.yaml",
        "standards.yaml",
        "matters.yaml",
        "admission.yaml",
        "duties.yaml",
    }
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        hint = HINT.match(lines[0])
        assert hint, f"{path} lacks the editor hint"
        # the hint climbs from the file's folder to the project root
        depth = len(path.relative_to(CATALOGS / name).parts) + 1
        assert hint.group(1) == "../" * depth, f"{path}: the hint's path is wrong"
        assert f"kind: {hint.group(2)}" in lines, f"{path}: hint and kind differ"


@pytest.mark.parametrize("name", PACKS)
def test_registry_meets_the_standards(onegrid, name):
    registry = CATALOGS / name / "registry" / "grids.csv"
    r = onegrid("grids", "report", CATALOGS / name, "--registry", registry, "--format", "json")
    assert r.code == 0, r.out
    report = json.loads(r.out)
    assert report["problems"] == []
    assert all(p["ok"] for p in report["published"])


@pytest.mark.parametrize("name", PACKS)
def test_every_matter_has_a_form_and_both_languages(packs, name):
    policy = packs[name]
    for matter in policy.items("matter"):
        assert set(matter["name"]) == {"zh", "en"}, matter["id"]
        assert matter["form"].startswith("form.report."), matter["id"]
        assert policy.get("form", matter["form"]) is not None


# --- baohe ------------------------------------------------------------------


def test_baohe_four_level_linkage_and_provincial_figures(packs):
    p = packs["baohe"]
    chain = ["baohe", "st.changqing", "comm.changqing"]
    for child, parent in zip(chain, ["hefei", *chain[:-1]], strict=True):
        assert p.get("unit", child)["parent"] == parent
    assert [p.get("unit", u)["level"] for u in ("hefei", *chain)] == [
        "city",
        "district",
        "street",
        "community",
    ]
    assert p.get("department", "dept.city_org")["level"] == "city"
    anhui = p.get("unit", "anhui")["attributes"]
    assert anhui["grids"] == 24000
    assert anhui["part_time_grid_workers"] == 34000
    assert anhui["grid_party_coverage"] == 0.57
    assert anhui["communities_grid_managed"] == 0.97
    assert anhui["routine_matters_cut"] == 0.6
    assert anhui["one_vote_veto_items"] == 0
    coverage = {c["id"]: c["min_share"] for c in _items(p, "standards", "coverage")}
    assert coverage == {"cov.party": 0.57}


def test_baohe_changqing_merged_26_departments_into_10(packs):
    p = packs["baohe"]
    street = p.get("unit", "st.changqing")["attributes"]
    assert (street["departments_before_reform"], street["departments_after_reform"]) == (26, 10)
    assert street["population"] == 160000
    merged = [d for d in p.items("department") if d.get("unit") == "st.changqing"]
    assert len(merged) == 10


def test_baohe_co_governance_platform_folds_seven_platforms(packs):
    p = packs["baohe"]
    folded = [d for d in p.items("department") if d.get("parent") == "dept.cogov"]
    assert len(folded) == 7
    names = {_zh(d["name"]) for d in folded}
    assert {"数字城管平台", "综治维稳信访中心", "天网工程视频平台"} <= names
    # the catalog groups its matters by the platform they used to come from
    sources = Counter(m["group"] for m in _catalog(p))
    assert set(sources) == set(p.ids("group")) and len(sources) == 7


def test_baohe_jianxin_big_party_committee_has_13_units_and_six_linkages(packs):
    p = packs["baohe"]
    members = [d for d in p.items("department") if d.get("parent") == "jx.committee"]
    assert len(members) == 13
    assert p.get("unit", "comm.jianxin")["attributes"]["resident_units_in_party_committee"] == 13
    (linkages,) = [dl for dl in _items(p, "duties", "lists") if dl["holder"] == "jx.committee"]
    assert [_zh(i["name"]) for i in linkages["items"]] == [
        "党建工作联做",
        "社会资源联享",
        "公益事业联办",
        "服务难题联解",
        "精神文明联创",
        "社区治安联防",
    ]


def test_baohe_unlisted_tasks_go_to_one_matter_one_review(packs):
    review = packs["baohe"].section("admission")["review"]
    assert review["unlisted"] == "review"
    assert set(review["resources"]) >= {"funds", "staff", "powers"}


# --- cuntan -----------------------------------------------------------------


def test_cuntan_command_centre_four_blocks_and_posts(packs):
    p = packs["cuntan"]
    blocks = [d for d in p.items("department") if d["type"] == "block"]
    assert sorted(_zh(b["name"]) for b in blocks) == sorted(
        ["党的建设板块", "经济发展板块", "民生服务板块", "平安法治板块"]
    )
    assert {b["parent"] for b in blocks} == {"ct.command"}
    assert p.get("department", "ct.command")["type"] == "centre"
    posts = [d for d in p.items("department") if d["type"] == "post"]
    assert posts and all(p.get("department", post["parent"])["type"] == "block" for post in posts)
    assert {b["id"] for b in blocks} == {post["parent"] for post in posts}


def test_cuntan_28_core_businesses_broken_into_125_matters(packs):
    p = packs["cuntan"]
    groups = p.ids("group")
    matters = _catalog(p)
    assert len(groups) == 28
    assert len(matters) == 125
    per_group = Counter(m["group"] for m in matters)
    assert set(per_group) == set(groups)
    # every matter is owned by a post, and every post sits in one of the blocks
    assert all(p.get("department", m["unit"])["type"] == "post" for m in matters)
    names = {_zh(m["name"]) for m in matters}
    assert {"小区业委会监管", "游商销售过期食品"} <= names
    assert "违章建筑整治" in {_zh(g["name"]) for g in p.items("group")}


def test_cuntan_expired_mooncakes_go_to_enforcement_with_business_post(packs):
    (matter,) = [m for m in packs["cuntan"].items("matter") if _zh(m["name"]) == "游商销售过期食品"]
    assert matter["unit"] == "post.enforcement"
    assert list(matter["assist"]) == ["post.business"]


def test_cuntan_duty_lists_27_13_5_and_6_plus_1(packs):
    p = packs["cuntan"]
    single = _duty_items(p, scope="single_block")
    assert len(single) == 27
    cross = _duty_items(p, scope="cross_block")
    assert len(cross) == 13
    blocks = {d["id"] for d in p.items("department") if d["type"] == "block"}
    assert all(i["lead"] in blocks and set(i["with"]) <= blocks for i in cross)
    assert len(_duty_items(p, scope="community")) == 5
    grid_worker = _duty_items(p, scope="grid")
    assert Counter(i["category"] for i in grid_worker) == {"dc.routine": 6, "dc.assigned": 1}
    holders = {dl["holder"] for dl in _items(p, "duties", "lists") if dl["scope"] == "single_block"}
    assert holders == blocks


def test_cuntan_leaders_instructors_and_grid_workers(packs):
    p = packs["cuntan"]
    staff = p.section("standards")["published"]["staff"]
    assert dict(staff) == {"block_leader": 12, "grid_instructor": 57, "grid_worker": 127}
    attributes = p.get("unit", "cuntan")["attributes"]
    assert (attributes["leaders"], attributes["grid_instructors"]) == (12, 57)
    assert attributes["full_time_grid_workers"] == 127
    centre = p.get("department", "ct.command")["attributes"]
    assert centre["problems_solved"] == 3148
    assert centre["grid_workers_dismissed"] == 5
    assert centre["rainstorm_response_minutes"] == 20


def test_cuntan_horse_race_scores_grid_workers_monthly_in_four_tiers(packs):
    (scheme,) = [
        s for s in _items(packs["cuntan"], "scoring", "schemes") if s["subject"] == "grid_worker"
    ]
    assert scheme["period"] == "monthly"
    indicators = {i["id"]: i for i in _items(packs["cuntan"], "scoring", "indicators")}
    formulas = {indicators[m["indicator"]]["formula"] for m in scheme["metrics"]}
    assert formulas == {"completeness", "activity", "closure_rate"}
    assert len(scheme["tiers"]) == 4


def test_cuntan_grid_plus_eight_forces(packs):
    p = packs["cuntan"]
    forces = [r for r in p.items("role") if r["id"].startswith("force.")]
    assert len(forces) == 8
    kinds = {e["type"] for e in p.items("enterprise")}
    assert {"water", "power", "gas", "telecom", "property"} <= kinds
    assert p.get("role", "grid_supervisor") is not None


# --- luohu ------------------------------------------------------------------


def test_luohu_three_tier_enforcement_ladder(packs):
    p = packs["luohu"]
    tiers = Counter(
        d["attributes"]["enforcement_tier"]
        for d in p.items("department")
        if "enforcement_tier" in d.get("attributes", {})
    )
    assert set(tiers) == {1, 2, 3} and tiers[2] == tiers[3] == 1
    assert _zh(p.get("department", "dept.enforcement")["name"]) == "区城市管理和综合执法局"
    committee = p.get("department", "dept.enforcement_committee")
    assert _zh(committee["name"]) == "区综合行政执法委员会"
    assert committee["attributes"] == {"enforcement_tier": 3, "final": True}


def test_luohu_one_platform_integrates_five_systems(packs):
    p = packs["luohu"]
    systems = [d for d in p.items("department") if d.get("parent") == "dept.platform"]
    assert len(systems) == 5
    assert any("12345" in _zh(s["name"]) for s in systems)


def test_luohu_obliged_entities_of_six_kinds(packs):
    p = packs["luohu"]
    kinds = {e["attributes"]["obliged_kind"] for e in p.items("enterprise")}
    assert len(kinds) == 6
    types = {e["type"] for e in p.items("enterprise")}
    assert {"property", "cleaning", "gas"} <= types
    pushed = [m for m in p.items("matter") if m.get("obliged")]
    assert pushed, "cases must reach the obliged enterprise too"


def test_luohu_matters_carry_their_basis_from_the_responsibility_list(packs):
    matters = _catalog(packs["luohu"])
    assert all(m.get("basis") and m["group"] == "list.shenzhen" for m in matters)


def test_luohu_collect_and_handle_beside_collect_then_dispatch(packs):
    spot = Counter(m["on_the_spot"] for m in packs["luohu"].items("matter"))
    assert spot[True] > 0 and spot[False] > 0


def test_luohu_non_litigation_dispute_centre(packs):
    p = packs["luohu"]
    centre = p.get("department", "adr.centre")
    assert centre["attributes"] == {"disputes_resolved": 19078, "judicial_confirmations": 2166}
    offices = [d for d in p.items("department") if d.get("parent") == "adr.centre"]
    assert len(offices) == 3


# --- jinshui ----------------------------------------------------------------

SIX_POSTS = [
    "法治建设宣传员",
    "社情民意联络员",
    "文明新风倡导员",
    "平安创建示范员",
    "民主管理监督员",
    "党员服务协理员",
]


def test_jinshui_six_posts_party_members_claim(packs):
    p = packs["jinshui"]
    claimable = [dl for dl in _items(p, "duties", "lists") if dl.get("claimable")]
    assert [_zh(p.get("role", dl["holder"])["name"]) for dl in claimable] == SIX_POSTS
    assert all(dl["items"] for dl in claimable)


def test_jinshui_four_levels_41_departments_14_streets_92_communities(packs):
    p = packs["jinshui"]
    assert [lv["id"] for lv in p.items("level")] == ["district", "street", "community", "grid"]
    levels = Counter(u["level"] for u in p.items("unit"))
    assert levels == {"district": 1, "street": 14, "community": 92}
    functional = [d for d in p.items("department") if d["type"] != "centre"]
    assert len(functional) == 41
    assert len({_zh(d["name"]) for d in functional}) == 41


def test_jinshui_party_branch_on_every_grid_and_500_grid_workers(packs):
    p = packs["jinshui"]
    standards = p.section("standards")
    assert [c["min_share"] for c in standards["coverage"]] == [1]
    published = standards["published"]
    assert published["communities"] == 92
    claimed = p.get("unit", "jinshui")["attributes"]
    assert claimed["in_service_members_claimed"] == 14000
    assert claimed["mobile_members_claimed"] == 1300
    assert dict(published["staff"]) == {
        "grid_worker": 500,
        "party_member": 14000,
        "mobile_party_member": 1300,
    }


def test_jinshui_ranks_streets_and_communities_on_one_net(packs):
    subjects = {s["subject"] for s in _items(packs["jinshui"], "scoring", "schemes")}
    assert {"street", "community", "department"} <= subjects


# --- admission through the engine -------------------------------------------


def test_baohe_listed_task_with_its_resources_is_admitted(packs):
    request = {"task": "t.sanitation", "department": "dept.urban", "resources": ["funds", "powers"]}
    assert decide(packs["baohe"], request).outcome == "admitted"


def test_baohe_unlisted_task_without_the_no_veto_undertaking_is_refused(packs):
    request = {
        "task": "创建文明城市入户调查",
        "department": "dept.org",
        "resources": ["funds", "staff", "powers"],
        "basis": "市创建工作方案",
        "attachments": ["att.basis", "att.budget"],
    }
    decision = decide(packs["baohe"], request)
    assert decision.outcome == "refused"
    # the only thing missing is the undertaking that no one-vote veto comes with the task
    missing = [r for r in decision.reasons if r.code.startswith("admission-missing")]
    assert [(r.code, r.params["attachment"]["zh"]) for r in missing] == [
        ("admission-missing-attachment", "不设“一票否决”、不另行考核的承诺")
    ]
    request["attachments"].append("att.no_veto")
    decision = decide(packs["baohe"], request)
    assert (decision.outcome, decision.reviewer, decision.limit) == (
        "needs_review",
        "dept.org",
        "10wd",
    )


def test_cuntan_unlisted_task_goes_to_the_command_centre(packs):
    request = {
        "task": "垃圾分类入户督导",
        "department": "blk.livelihood",
        "resources": ["staff", "funds"],
        "basis": "区级工作方案",
        "attachments": ["att.basis", "att.block_plan"],
    }
    decision = decide(packs["cuntan"], request)
    assert (decision.outcome, decision.reviewer) == ("needs_review", "ct.command")
