"""Why a case goes where it goes: every rule tried, in order, and the result.

The reference evaluator interprets the same compiled conditions the engine
runs, condition by condition, so it can say which one failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onegrid import messages
from onegrid.decide.decision import Explanation, Trial
from onegrid.decide.escalation import path
from onegrid.decide.program import program_for
from onegrid.decide.reference import test_holds
from onegrid.decide.router import resolve
from onegrid.policy.located import plain
from onegrid.policy.pack import Policy


def explain(policy: Policy, facts: Mapping[str, Any]) -> Explanation:
    program = program_for(policy)
    enriched = program.enrich(facts)
    msg = program.encode(enriched)
    trials: list[Trial] = []
    fired: list[list[int]] = []
    for table in program.tables:
        hits: list[int] = []
        for rule in table.rules:
            failed = None
            matched = []
            for test in rule.tests:
                shown = {
                    "fact": test.fact,
                    "op": test.op,
                    "expected": test.operand,
                    "actual": enriched.get(test.fact),
                }
                if test_holds(msg, test):
                    matched.append(shown)
                else:
                    failed = shown
                    break
            ok = failed is None
            applied = ok and (table.hit == "collect" or not hits)
            if applied:
                hits.append(rule.index)
            trials.append(
                Trial(
                    table=table.id,
                    rule=rule.id,
                    hit=table.hit,
                    matched_rule=ok,
                    applied=applied,
                    failed=failed,
                    matched=matched,
                    file=messages.display_path(rule.loc.file) if rule.loc else None,
                    line=rule.loc.line if rule.loc else None,
                    then=plain(rule.then),
                )
            )
        fired.append(hits)
    return Explanation(resolve(program, enriched, fired), enriched, trials, path(policy, facts))


LABELS = {
    "decision": {"zh": "路由结果", "en": "Decision"},
    "matter": {"zh": "事项", "en": "matter"},
    "lead": {"zh": "牵头", "en": "lead"},
    "assist": {"zh": "协办", "en": "assist"},
    "enterprise": {"zh": "责任企业", "en": "enterprise"},
    "level": {"zh": "处置层级", "en": "level"},
    "limits": {"zh": "时限", "en": "limits"},
    "supervise": {"zh": "督办", "en": "supervise"},
    "ladder": {"zh": "升级阶梯", "en": "ladder"},
    "rules": {"zh": "决定规则", "en": "rules"},
    "tried": {"zh": "逐条规则", "en": "Rules tried"},
    "table": {"zh": "路由表", "en": "table"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "none": {"zh": "无", "en": "none"},
    "matched": {"zh": "命中", "en": "matched"},
    "applied": {"zh": "采用", "en": "applied"},
    "shadowed": {
        "zh": "命中但未采用（前面的规则已决定）",
        "en": "matched, not applied (an earlier rule decided)",
    },
    "failed": {"zh": "未命中", "en": "no match"},
    "always": {"zh": "无条件", "en": "no conditions"},
    "expected": {"zh": "要求", "en": "expected"},
    "actual": {"zh": "实际", "en": "actual"},
    "missing": {"zh": "（缺失）", "en": "(missing)"},
    "starting": {"zh": "起点", "en": "starting at"},
    "escalation": {"zh": "逐级升级", "en": "escalation"},
    "final": {"zh": "终局", "en": "final"},
    "from_matter": {"zh": "事项清单", "en": "matter catalog"},
    "from_intake": {"zh": "受理中心：未能确定地点", "en": "intake unit: no place found"},
    "located": {"zh": "地点", "en": "place"},
    "located_coordinates": {
        "zh": "按坐标取最近网格（台账中心点）",
        "en": "nearest grid by coordinates (registry centroids)",
    },
    "located_address": {"zh": "按地址中的单位名称", "en": "the unit named in the address"},
    "located_intake": {"zh": "未能确定，交受理中心", "en": "none found: the intake unit"},
    "chosen": {
        "zh": "调度员的选择（拟派 → 实际）",
        "en": "The dispatcher's choice (proposed → chosen)",
    },
    "kept": {"zh": "照拟派路线", "en": "kept the proposed route"},
    "reason": {"zh": "理由", "en": "reason"},
    "instruction": {"zh": "转办意见", "en": "instruction"},
    "by": {"zh": "调度员", "en": "by"},
}


def label(key: str, lang: str) -> str:
    return LABELS[key][lang]


def _name(policy: Policy, ident: str | None, lang: str) -> str:
    if ident is None:
        return label("none", lang)
    for namespace in ("department", "unit", "enterprise", "level", "matter"):
        item = policy.get(namespace, ident)
        if item is not None:
            text = messages.localized(item.get("name"), lang)
            return f"{ident}（{text}）" if lang == "zh" else f"{ident} ({text})"
    return ident


def _value(value: Any, lang: str) -> str:
    if value is None:
        return label("missing", lang)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} {v}" for k, v in value.items()) + "}"
    return str(value)


def condition_text(cond: dict[str, Any], lang: str) -> str:
    return (
        f"{cond['fact']} {cond['op']} {_value(cond['expected'], lang)}"
        f"（{label('actual', lang)} {_value(cond['actual'], lang)}）"
        if lang == "zh"
        else f"{cond['fact']} {cond['op']} {_value(cond['expected'], lang)}"
        f" ({label('actual', lang)} {_value(cond['actual'], lang)})"
    )


def _from(origin: str | None, lang: str) -> str:
    """Where a value came from: the matter catalog or a rule."""
    if not origin:
        return ""
    said = {"matter": label("from_matter", lang), "intake": label("from_intake", lang)}.get(
        origin, origin
    )
    return f"（{said}）" if lang == "zh" else f" ({said})"


def decision_lines(policy: Policy, decision, lang: str) -> list[str]:
    d = decision
    o = d.origins or {}
    yes, no = label("yes", lang), label("no", lang)
    limits = ", ".join(
        f"{k} {v}{_from((o.get('limits') or {}).get(k), lang)}" for k, v in d.limits.items()
    ) or label("none", lang)
    ladder = label("none", lang)
    if d.ladder:
        ladder = d.ladder + (f" ({label('starting', lang)} {d.rung})" if d.rung else "")
    return [
        f"{label('decision', lang)}:",
        f"  {label('matter', lang)}: {_name(policy, d.matter, lang)}",
        f"  {label('lead', lang)}: {_name(policy, d.lead, lang)}{_from(o.get('lead'), lang)}",
        f"  {label('assist', lang)}: "
        + (
            ", ".join(
                _name(policy, a, lang) + _from((o.get("assist") or {}).get(a), lang)
                for a in d.assist
            )
            or label("none", lang)
        ),
        f"  {label('enterprise', lang)}: {_name(policy, d.enterprise, lang)}"
        + (_from(o.get("enterprise"), lang) if d.enterprise else ""),
        f"  {label('level', lang)}: {_name(policy, d.level, lang)}{_from(o.get('level'), lang)}",
        f"  {label('limits', lang)}: {limits}",
        f"  {label('supervise', lang)}: {yes if d.supervise else no}"
        + (_from(o.get("supervise"), lang) if d.supervise else ""),
        f"  {label('ladder', lang)}: {ladder}",
        f"  {label('rules', lang)}: {', '.join(d.rule_ids) or label('none', lang)}",
    ]


def trial_lines(explanation: Explanation, lang: str) -> list[str]:
    lines = [f"{label('tried', lang)}:"]
    table = None
    for t in explanation.trials:
        if t.table != table:
            table = t.table
            lines.append(f"  {label('table', lang)} {t.table} ({t.hit})")
        where = f"{t.file}:{t.line}" if t.file else "?"
        if t.applied:
            mark, state = "✓", label("applied", lang)
        elif t.matched_rule:
            mark, state = "·", label("shadowed", lang)
        else:
            mark, state = "✗", label("failed", lang)
        lines.append(f"    {mark} {t.id}  {where}  {state}")
        if t.applied and t.then:
            outcome = "; ".join(f"{k} {_value(v, lang)}" for k, v in t.then.items())
            lines.append(f"        → {outcome}")
        if t.failed is not None:
            lines.append(f"        ✗ {condition_text(t.failed, lang)}")
        for cond in t.matched:
            lines.append(f"        ✓ {condition_text(cond, lang)}")
        if t.failed is None and not t.matched:
            lines.append(f"        ✓ {label('always', lang)}")
    return lines


def escalation_line(explanation: Explanation, lang: str) -> list[str]:
    if not explanation.escalation:
        return []
    steps = [
        f"{s.rung} {s.unit or s.level} {s.limit}"
        + (f" ({label('final', lang)})" if s.final else "")
        for s in explanation.escalation
    ]
    return [f"  {label('escalation', lang)}: → " + " → ".join(steps)]


def located_line(policy: Policy, explanation: Explanation, lang: str) -> list[str]:
    """How a case reported without a place was placed (`located`)."""
    how = explanation.facts.get("located")
    if how not in ("coordinates", "address", "intake"):
        return []
    from onegrid.decide.submission import intake_unit

    unit = intake_unit(policy) if how == "intake" else explanation.facts.get("unit")
    said = label("located_" + how, lang)
    said = f"（{said}）" if lang == "zh" else f" ({said})"
    return [f"  {label('located', lang)}: {_name(policy, unit, lang)}{said}"]


def choice_lines(policy: Policy, choices, lang: str = "zh") -> list[str]:
    """What dispatchers made of the proposal (a stored case's dispatch and
    改派 steps, oldest first): each one's proposed and chosen lead and
    assistants, its reason and instruction. `choices`: plain dicts with
    `at`, `action`, `by`, `proposed`, `chosen`, `changed`, `reason`, `instruction`."""
    if not choices:
        return []
    lines = [f"{label('chosen', lang)}:"]
    sep = "、" if lang == "zh" else ", "

    def names(ids) -> str:
        return sep.join(_name(policy, i, lang) for i in ids or ()) or label("none", lang)

    for c in choices:
        before, after = c.get("proposed") or {}, c.get("chosen") or {}
        head = f"  {c.get('at', '')} {c.get('action', '')} ({label('by', lang)} {c.get('by', '')})"
        lines.append(head)
        if not c.get("changed"):
            lines.append(f"    {label('kept', lang)}")
        lines.append(
            f"    {label('lead', lang)}: {_name(policy, before.get('lead'), lang)}"
            f" → {_name(policy, after.get('lead'), lang)}"
        )
        lines.append(
            f"    {label('assist', lang)}: {names(before.get('assistants'))}"
            f" → {names(after.get('assistants'))}"
        )
        for key in ("reason", "instruction"):
            if c.get(key):
                lines.append(f"    {label(key, lang)}: {c[key]}")
    return lines


def render(policy: Policy, explanation: Explanation, lang: str = "zh", choices=()) -> str:
    return "\n".join(
        decision_lines(policy, explanation.decision, lang)
        + located_line(policy, explanation, lang)
        + escalation_line(explanation, lang)
        + trial_lines(explanation, lang)
        + choice_lines(policy, choices, lang)
    )
