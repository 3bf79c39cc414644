"""`onegrid check` for scoring: indicators and schemes that can be computed.

Each indicator's attribution must be one its formula takes, with the
parameters the formula needs; its subject a role, a level, `department`
or `enterprise` of this pack; a scheme weighs only indicators taken for its
own subject and period; tiers go best first down to 0, ids once each.
"""

from __future__ import annotations

from itertools import pairwise

from onegrid import messages
from onegrid.errors import Problem
from onegrid.policy.kinds.scoring import FORMULAS, SUBJECT_KEYWORDS
from onegrid.policy.suggest import did_you_mean

messages.register(
    {
        "scoring-attribution": {
            "zh": "指标 '{indicator}' 的公式 {formula} 不能按 '{attribution}' 归属；可用：{allowed}",
            "en": "indicator '{indicator}': formula {formula} cannot be attributed by '{attribution}'; use one of {allowed}",
        },
        "scoring-missing-param": {
            "zh": "指标 '{indicator}' 的公式 {formula} 需要 '{param}'",
            "en": "indicator '{indicator}': formula {formula} needs '{param}'",
        },
        "scoring-stray-param": {
            "zh": "指标 '{indicator}' 的公式 {formula} 不使用 '{param}'",
            "en": "indicator '{indicator}': formula {formula} does not use '{param}'",
        },
        "scoring-unknown-subject": {
            "zh": "'{id}' 的考评对象 '{subject}' 既不是本包的角色或层级，也不是 department 或 enterprise",
            "en": "the subject '{subject}' of '{id}' is neither a role nor a level of this pack, nor department or enterprise",
        },
        "scoring-reporter-needs-role": {
            "zh": "指标 '{indicator}' 按上报人归属，考评对象应为角色（人员），而不是 '{subject}'",
            "en": "indicator '{indicator}' is attributed to the reporter, so its subject must be a role (people), not '{subject}'",
        },
        "scoring-types-need-department": {
            "zh": "'{id}' 的 types 只用于考评对象 department",
            "en": "'{id}': types only go with the subject department",
        },
        "scoring-answer-field": {
            "zh": "指标 '{indicator}'：操作 '{transition}' 的表单没有字段 '{field}'（可用：{fields}）",
            "en": "indicator '{indicator}': the form of '{transition}' has no field '{field}' (it has: {fields})",
        },
        "scoring-answer-value": {
            "zh": "指标 '{indicator}'：'{answer}' 不是字段 '{field}' 的选项（可选：{choices}）",
            "en": "indicator '{indicator}': '{answer}' is not a choice of the field '{field}' (choices: {choices})",
        },
        "scoring-metric-mismatch": {
            "zh": "方案 '{scheme}' 的指标 '{indicator}' 针对 {got}，方案针对 {want}",
            "en": "scheme '{scheme}' weighs '{indicator}', which is taken for {got}; the scheme is for {want}",
        },
    }
)


def _subject_known(policy, subject: str) -> bool:
    return (
        subject in SUBJECT_KEYWORDS
        or policy.get("role", subject) is not None
        or policy.get("level", subject) is not None
    )


def _subject_checks(policy, item, problems: list[Problem]) -> None:
    if not _subject_known(policy, item["subject"]):
        known = [*SUBJECT_KEYWORDS, *(r["id"] for r in policy.items("role"))]
        known += [lvl["id"] for lvl in policy.items("level")]
        problems.append(
            Problem(
                "scoring-unknown-subject",
                {"id": item["id"], "subject": item["subject"]},
                item.loc_of("subject"),
                did_you_mean(item["subject"], known),
            )
        )
    if item.get("types") and item["subject"] != "department":
        problems.append(
            Problem("scoring-types-need-department", {"id": item["id"]}, item.loc_of("types"))
        )


def _indicator_checks(policy, ind, problems: list[Problem]) -> None:
    _subject_checks(policy, ind, problems)
    formula = FORMULAS[ind["formula"]]
    args = {"indicator": ind["id"], "formula": ind["formula"]}
    if ind["attribution"] not in formula.attributions:
        problems.append(
            Problem(
                "scoring-attribution",
                {
                    **args,
                    "attribution": ind["attribution"],
                    "allowed": ", ".join(formula.attributions),
                },
                ind.loc_of("attribution"),
            )
        )
    for param in formula.required:
        if param not in ind:
            problems.append(Problem("scoring-missing-param", {**args, "param": param}, ind.loc))
    all_params = {p for f in FORMULAS.values() for p in f.params}
    for param in all_params - set(formula.params):
        if param in ind:
            problems.append(
                Problem("scoring-stray-param", {**args, "param": param}, ind.key_loc(param))
            )
    if isinstance(ind.get("answers"), dict):
        _answers_checks(policy, ind, problems)
    if ind.get("duties"):
        _duties_checks(policy, ind, problems)
    people = policy.get("role", ind["subject"]) is not None
    if ind["attribution"] == "reporter" and not people and _subject_known(policy, ind["subject"]):
        problems.append(
            Problem(
                "scoring-reporter-needs-role",
                {"indicator": ind["id"], "subject": ind["subject"]},
                ind.loc_of("subject"),
            )
        )


def _answers_checks(policy, ind, problems: list[Problem]) -> None:
    """The return call's field is on its transition's form, its answers among
    the field's choices (an unknown transition is the reference check's)."""
    answers = ind["answers"]
    transition = policy.get("transition", answers.get("transition"))
    form = policy.get("form", transition.get("form")) if transition is not None else None
    if form is None:
        return
    fields = {f.get("name"): f for f in form.get("fields") or () if isinstance(f, dict)}
    args = {"indicator": ind["id"], "transition": answers["transition"]}
    field = fields.get(answers.get("field"))
    if field is None:
        names = [n for n in fields if n]
        problems.append(
            Problem(
                "scoring-answer-field",
                {**args, "field": answers.get("field"), "fields": ", ".join(names)},
                answers.loc_of("field"),
                did_you_mean(str(answers.get("field")), names),
            )
        )
        return
    choices = [c.get("value") for c in field.get("choices") or () if isinstance(c, dict)]
    if not choices:
        return
    for key in ("satisfied", "dissatisfied"):
        for value in answers.get(key) or ():
            if value not in choices:
                params = {"indicator": ind["id"], "answer": value, "field": answers["field"]}
                problems.append(
                    Problem(
                        "scoring-answer-value",
                        {**params, "choices": ", ".join(map(str, choices))},
                        answers.loc_of(key),
                        did_you_mean(str(value), [str(c) for c in choices]),
                    )
                )


def _duties_checks(policy, ind, problems: list[Problem]) -> None:
    """`duties` names items of the pack's duty lists."""
    known = [
        i["id"]
        for lst in (policy.section("duties").get("lists") or ())
        for i in lst.get("items") or ()
        if isinstance(i, dict) and "id" in i
    ]
    for n, duty in enumerate(ind["duties"]):
        if duty not in known:
            problems.append(
                Problem(
                    "unknown-ref",
                    {"namespace": "duty", "id": duty},
                    ind["duties"].loc_of(n) if hasattr(ind["duties"], "loc_of") else ind.loc,
                    did_you_mean(duty, known),
                )
            )


def _target(item) -> str:
    types = "/".join(item.get("types") or ())
    return f"{item['subject']}{f' [{types}]' if types else ''} {item['period']}"


def check(policy) -> list[Problem]:
    problems: list[Problem] = []
    section = policy.section("scoring")
    indicators = {i["id"]: i for i in section.get("indicators", [])}
    for ind in indicators.values():
        _indicator_checks(policy, ind, problems)
    for scheme in section.get("schemes", []):
        _subject_checks(policy, scheme, problems)
        for key in ("metrics", "tiers"):
            seen: set[str] = set()
            for item in scheme[key]:
                if item["id"] in seen:
                    problems.append(
                        Problem("scoring-duplicate", {"id": item["id"]}, item.loc_of("id"))
                    )
                seen.add(item["id"])
        for metric in scheme["metrics"]:
            ind = indicators.get(metric["indicator"])
            if ind is not None and _target(ind) != _target(scheme):
                problems.append(
                    Problem(
                        "scoring-metric-mismatch",
                        {
                            "scheme": scheme["id"],
                            "indicator": ind["id"],
                            "got": _target(ind),
                            "want": _target(scheme),
                        },
                        metric.loc_of("indicator"),
                    )
                )
        tiers = scheme["tiers"]
        for before, tier in pairwise(tiers):
            if tier["min"] >= before["min"]:
                problems.append(
                    Problem(
                        "scoring-tier-order",
                        {"tier": tier["id"], "min": tier["min"], "previous": before["min"]},
                        tier.loc_of("min"),
                    )
                )
        last = tiers[-1]
        if last["min"] != 0:
            problems.append(
                Problem(
                    "scoring-no-floor", {"tier": last["id"], "min": last["min"]}, last.loc_of("min")
                )
            )
    return problems
