"""The admission gate: listed, unlisted, resource-less and wrong-department tasks."""

import json

import pytest

from conftest import CATALOGS
from onegrid.admission import AdmissionRequest, decide
from onegrid.errors import UsageError
from onegrid.policy.pack import load_policy


@pytest.fixture(scope="module")
def kunqu():
    return load_policy(CATALOGS / "kunqu")


def reasons(decision, lang="en"):
    return [r["message"] for r in decision.as_dict(lang)["reasons"]]


def test_listed_task_with_its_resources_is_admitted(kunqu):
    d = decide(
        kunqu,
        {
            "task": "task.census",
            "department": "dept.statistics",
            "resources": {"funds": {"yuan": 30000, "per": "year"}, "training": True, "data": True},
        },
    )
    assert (d.outcome, d.task) == ("admitted", "task.census")
    assert reasons(d) == [
        "'Helping with census registration' is on the admission list, handed down by Statistics Bureau, with every resource it needs"
    ]
    assert reasons(d, "zh") == [
        "'人口普查入户登记协助' 在准入清单上，由 区统计局 下派，所需资源齐全"
    ]


def test_listed_task_found_by_its_chinese_name(kunqu):
    d = decide(
        kunqu,
        {
            "task": "生活垃圾分类入户宣传",
            "department": "dept.urban",
            "resources": {"funds": {"yuan": 20000, "per": "year"}, "equipment": True},
        },
    )
    assert (d.outcome, d.task) == ("admitted", "task.garbage")


def test_listed_task_without_resources_is_refused(kunqu):
    d = decide(
        kunqu,
        {"task": "task.fire_rounds", "department": "dept.emergency", "resources": ["training"]},
    )
    assert (d.outcome, d.task) == ("refused", "task.fire_rounds")
    assert reasons(d) == [
        "'Fire-safety rounds of small venues' must come with equipment (authority follows duty, funds follow the task)",
        "'Fire-safety rounds of small venues' must come with powers (authority follows duty, funds follow the task)",
    ]
    assert [r.code for r in d.reasons] == ["admission-missing-resource"] * 2


def test_listed_task_from_the_wrong_department_is_refused(kunqu):
    d = decide(
        kunqu,
        {
            "task": "task.pension",
            "department": "dept.civil",
            "resources": {"funds": {"yuan": 1000, "per": "month"}, "data": True},
        },
    )
    assert d.outcome == "refused"
    assert reasons(d) == [
        "'Enrolling residents in the basic pension' is listed for Human Resources and Social Security Bureau to hand down, not Civil Affairs Bureau"
    ]


COMPLETE = {
    "task": "小区充电桩安装意愿摸底",
    "department": "dept.housing",
    "resources": ["funds", "staff"],
    "basis": "《电动汽车充电基础设施建设实施方案》",
    "attachments": ["att.request", "att.basis", "att.support"],
}


def test_unlisted_complete_task_goes_to_one_matter_one_review(kunqu):
    d = decide(kunqu, COMPLETE)
    assert (d.outcome, d.task, d.reviewer, d.limit) == (
        "needs_review",
        None,
        "dept.party_gov",
        "15wd",
    )
    assert reasons(d) == [
        "'小区充电桩安装意愿摸底' is not on the admission list: District Party Committee and Government must review it (one matter, one review), within 15wd"
    ]
    assert reasons(d, "zh") == [
        "'小区充电桩安装意愿摸底' 不在准入清单上，须经 区委、区政府 “一事一议”审核，时限 15wd"
    ]


def test_unlisted_task_without_resources_basis_or_attachments_is_refused(kunqu):
    d = decide(
        kunqu, {"task": "台账填报", "department": "dept.housing", "attachments": ["att.request"]}
    )
    assert d.outcome == "refused"
    assert [r.code for r in d.reasons] == [
        "admission-unlisted-incomplete",
        "admission-no-basis",
        "admission-missing-resource",
        "admission-missing-resource",
        "admission-missing-attachment",
        "admission-missing-attachment",
    ]
    assert reasons(d)[:3] == [
        "'台账填报' is not on the admission list, and the request for one-matter-one-review lacks what follows",
        "an unlisted task must cite its legal or policy basis",
        "'台账填报' must come with funds (authority follows duty, funds follow the task)",
    ]
    assert reasons(d)[4] == "the request for review lacks 'Legal or policy basis'"


def test_unlisted_task_from_an_unknown_department(kunqu):
    d = decide(kunqu, {**COMPLETE, "department": "dept.housin"})
    assert d.outcome == "refused"
    _head, reason = d.reasons
    assert reason.code == "admission-unknown-department"
    assert reason.hint.params == {"suggestion": "dept.housing"}


def test_a_near_miss_of_a_listed_task_gets_a_hint(kunqu):
    d = decide(kunqu, {**COMPLETE, "task": "task.censsus"})
    assert d.outcome == "needs_review"
    [reason] = d.reasons
    assert reason.hint.params == {"suggestion": "task.census"}
    r = decide(kunqu, {**COMPLETE, "task": "人口普查入户登记协"})
    assert r.reasons[0].hint.params == {"suggestion": "人口普查入户登记协助"}


def test_a_pack_that_refuses_every_unlisted_task(make_pack):
    root = make_pack(
        {
            "org.yaml": """\
                kind: org
                levels: [{id: district, name: 区, rank: 1}]
                departments: [{id: dept.a, name: 甲局, level: district}]
            """,
            "admission.yaml": """\
                kind: admission
                tasks:
                  - {id: t.a, name: 甲事项, department: dept.a, basis: 某条例}
                review: {unlisted: refuse}
            """,
        }
    )
    policy = load_policy(root)
    assert decide(policy, {"task": "t.a", "department": "dept.a"}).outcome == "admitted"
    d = decide(policy, {**COMPLETE, "department": "dept.a"})
    assert d.outcome == "refused"
    assert reasons(d) == [
        "'小区充电桩安装意愿摸底' is not on the admission list, and this pack accepts no unlisted task"
    ]


def test_a_pack_without_admission_refuses_unlisted_tasks(make_pack):
    policy = load_policy(make_pack({}))
    assert decide(policy, {"task": "x", "department": "y"}).outcome == "refused"


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        ("task.census", "expected a mapping with task and department"),
        ({"department": "dept.a"}, "'task' is required"),
        ({"task": "t", "department": " "}, "'department' is required"),
        ({"task": ["t"], "department": "d"}, "'task' must be text"),
        (
            {"task": "t", "department": "d", "resources": "funds"},
            "'resources' must be a list of ids",
        ),
        ({"task": "t", "department": "d", "basis": 3}, "'basis' must be text"),
        ({"task": "t", "department": "d", "money": 1}, "unknown keys ['money']"),
    ],
)
def test_malformed_requests(kunqu, request_, reason):
    with pytest.raises(UsageError) as info:
        decide(kunqu, request_)
    [problem] = info.value.problems
    assert (problem.code, problem.params) == ("admission-bad-request", {"reason": reason})


def test_request_object_is_accepted(kunqu):
    req = AdmissionRequest("task.medical", "dept.medical", resources=("funds", "data"))
    assert decide(kunqu, req).outcome == "admitted"


def test_check_warns_about_tasks_without_resources_and_reviews_without_reviewer(onegrid, make_pack):
    root = make_pack(
        {
            "org.yaml": """\
                kind: org
                levels: [{id: district, name: 区, rank: 1}]
                departments: [{id: dept.a, name: 甲局, level: district}]
            """,
            "admission.yaml": """\
                kind: admission
                tasks:
                  - {id: t.a, name: 甲事项, department: dept.a, basis: 某条例}
                review: {unlisted: review}
            """,
        }
    )
    r = onegrid("check", root, "--lang", "en")
    assert r.code == 1
    lines = [line.replace(str(root) + "/", "") for line in r.out.strip().splitlines()]
    assert lines == [
        "admission.yaml:3:10: warning[admission-task-without-resources]: admitted task 't.a' lists no resources that come with it (authority follows duty, funds follow the task)",
        "admission.yaml:4:10: error[admission-no-reviewer]: unlisted tasks go to review, but no reviewer is named (review.reviewer)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "tasks: [{id: t.a, name: 甲, department: dept.a}]",
            "admission.yaml:2:9: error[schema-required]: 'basis' is required",
        ),
        (
            "tasks: [{id: t.a, name: 甲, department: dept.a, basis: x, resources: [{type: money}]}]",
            'admission.yaml:2:77: error[schema-enum]: \'tasks[0].resources[0].type\' is "money", which is not one of: "funds", "staff", "powers", "equipment", "training", "data", "premises"',
        ),
        (
            "tasks: [{id: t.a, name: 甲, department: dept.b, basis: x, resources: [{type: funds}]}]",
            "admission.yaml:2:40: error[unknown-ref]: unknown department 'dept.b'; did you mean 'dept.a'?",
        ),
        (
            "review: {unlisted: maybe}",
            'admission.yaml:2:20: error[schema-enum]: \'review.unlisted\' is "maybe", which is not one of: "review", "refuse"',
        ),
    ],
)
def test_admission_schema_errors(onegrid, make_pack, text, expected):
    root = make_pack(
        {
            "org.yaml": "kind: org\nlevels: [{id: district, name: 区, rank: 1}]\n"
            "departments: [{id: dept.a, name: 甲局, level: district}]\n",
            "admission.yaml": "kind: admission\n" + text + "\n",
        }
    )
    r = onegrid("check", root, "--lang", "en")
    assert r.code == 1
    assert r.out.strip().replace(str(root) + "/", "") == expected


def test_the_admission_command(onegrid, tmp_path):
    request = tmp_path / "request.yaml"
    request.write_text(
        "task: task.fire_rounds\ndepartment: dept.emergency\nresources: [training]\n",
        encoding="utf-8",
    )
    r = onegrid("admission", "kunqu", "--request", request)
    assert r.code == 1  # refused
    assert r.out.splitlines() == [
        "不予准入",
        "  - '“九小场所”消防安全巡查' 必须随之下沉装备（权随责走、费随事转）",
        "  - '“九小场所”消防安全巡查' 必须随之下沉权限（权随责走、费随事转）",
    ]
    r = onegrid("admission", "kunqu", "--request", request, "--format", "json", "--lang", "en")
    assert r.code == 1
    decision = json.loads(r.out)
    assert (decision["outcome"], decision["task"]) == ("refused", "task.fire_rounds")
    assert [x["code"] for x in decision["reasons"]] == ["admission-missing-resource"] * 2


def test_the_admission_command_exits_0_admitted_and_3_needs_review(onegrid, tmp_path):
    admitted = tmp_path / "admitted.yaml"
    admitted.write_text(
        "task: task.census\ndepartment: dept.statistics\n"
        "resources: {funds: {yuan: 30000, per: year}, training: true, data: true}\n",
        encoding="utf-8",
    )
    assert onegrid("admission", "kunqu", "--request", admitted).code == 0
    review = tmp_path / "review.yaml"
    review.write_text(
        "task: 小区充电桩安装意愿摸底\ndepartment: dept.housing\nresources: [funds, staff]\n"
        "basis: 《实施方案》\nattachments: [att.request, att.basis, att.support]\n",
        encoding="utf-8",
    )
    r = onegrid("admission", "kunqu", "--request", review, "--format", "json")
    assert (r.code, json.loads(r.out)["outcome"]) == (3, "needs_review")


def test_the_admission_command_rejects_a_malformed_request(onegrid, tmp_path):
    request = tmp_path / "request.yaml"
    request.write_text("department: dept.emergency\n", encoding="utf-8")
    r = onegrid("admission", "kunqu", "--request", request, "--lang", "en")
    assert r.code == 2
    assert (
        r.err.strip()
        == "error[admission-bad-request]: the admission request is malformed: 'task' is required"
    )
