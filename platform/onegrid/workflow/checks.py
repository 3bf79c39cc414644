"""Workflow and calendar checks, collected by `onegrid check`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from onegrid import messages
from onegrid.errors import Problem
from onegrid.policy.kinds.duties import SCOPES as DUTY_SCOPES
from onegrid.policy.kinds.workflow import OPENING
from onegrid.policy.suggest import did_you_mean
from onegrid.workflow.calendar import DURATION, last_day

messages.register(
    {
        "workflow-initial": {
            "zh": "流程必须恰好有一个初始状态（initial: true），现有 {count} 个",
            "en": "the workflow needs exactly one initial state (initial: true); it has {count}",
        },
        "workflow-no-final": {
            "zh": "流程没有终止状态（final: true）：案件永远无法办结",
            "en": "the workflow has no final state (final: true): no case could ever close",
        },
        "workflow-dead-end": {
            "zh": "状态 '{state}' 不是终止状态，却没有任何操作可以离开它",
            "en": "the state '{state}' is not final, yet no transition leaves it",
        },
        "workflow-target": {
            "zh": "操作 '{transition}' 须写 to（去往的状态）或 stay: true（留在原状态），二者取一",
            "en": "the transition '{transition}' needs either `to` (the state it leads to) or `stay: true`",
        },
        "workflow-unreachable": {
            "zh": "从初始状态无法到达状态 '{state}'",
            "en": "the state '{state}' cannot be reached from the initial state",
        },
        "workflow-item-only": {
            "zh": "案件流程的操作 '{transition}' 不能使用 {key}：它只用于有 decision 的事项类型（items:）",
            "en": "the case transition '{transition}' cannot use {key}: it is for kinds of item with a decision (items:)",
        },
        "workflow-auto-without-decision": {
            "zh": "操作 '{transition}' 写了 auto，但事项类型 '{kind}' 没有 decision：它永远不会被执行",
            "en": "the transition '{transition}' is auto, but the kind '{kind}' has no decision: it is never taken",
        },
        "workflow-final-step": {
            "zh": "终止状态 '{state}' 不应再计时（去掉 step）",
            "en": "the final state '{state}' should not run a time limit (remove its step)",
        },
        "unknown-step": {
            "zh": "流程中没有环节 '{step}'，这个时限不会生效",
            "en": "the workflow has no step '{step}': this time limit never applies",
        },
        "distinct-unknown-step": {
            "zh": "职责分离规则 '{rule}' 的 took 中没有操作 '{id}'（可写流程中的操作，或 open 表示上报）",
            "en": "the separation rule '{rule}' names no transition '{id}' in took (a transition of the workflow, or open for the report)",
        },
        "distinct-self": {
            "zh": "职责分离规则 '{rule}' 的 took 与 may_not 都有 '{id}'：办过这一步的人将永远不能再办它（例如退回后重新处置）",
            "en": "the separation rule '{rule}' has '{id}' in both took and may_not: whoever took it could never take it again (say, after a reopening)",
        },
        "duty-scope": {
            "zh": "未知的范围 '{scope}'：应为某个层级 id（{levels}）或 {words}",
            "en": "unknown scope '{scope}': a level id ({levels}) or {words}",
        },
        "calendar-timezone": {
            "zh": "未知的时区 '{timezone}'（应为 IANA 时区名，如 Asia/Shanghai）",
            "en": "unknown time zone '{timezone}' (an IANA name such as Asia/Shanghai)",
        },
        "calendar-date": {
            "zh": "'{date}' 不是有效的日期",
            "en": "'{date}' is not a valid date",
        },
        "calendar-range": {
            "zh": "起始日 {start} 晚于结束日 {end}",
            "en": "the first day {start} is after the last day {end}",
        },
        "calendar-both": {
            "zh": "{date} 既是假日又是调休上班日",
            "en": "{date} is both a holiday and a make-up working day",
        },
        "calendar-ends": {
            "zh": "工作日历只编到 {date}（calendar ends {date}）：时限可能晚于此日（最长 {limit}），此后只按周一至周五计算，不扣除节假日；请补上 {next} 年的放假安排",
            "en": "calendar ends {date}: deadlines can fall past it (the longest limit is {limit}) and are then counted on weekdays only, without holidays; add {next}'s arrangement",
        },
        "calendar-weekday-workday": {
            "zh": "调休上班日 {date} 本来就是工作日",
            "en": "the make-up working day {date} is a working day anyway",
        },
    }
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def check(policy) -> list[Problem]:
    from onegrid.workflow import onreport

    return (
        check_workflow(policy)
        + check_distinct(policy)
        + check_calendar(policy)
        + check_duty_scopes(policy)
        + onreport.check(policy)
    )


def check_duty_scopes(policy) -> list[Problem]:
    """A duty's `scope` is a level of this pack or a block/post word."""
    levels = list(policy.ids("level"))
    if not levels:
        return []  # a pack of duty lists alone (no org.yaml): nothing to check against
    known = [*levels, *DUTY_SCOPES]
    problems: list[Problem] = []
    for duty_list in policy.items("duty_list"):
        places = [duty_list, *(d for d in duty_list.get("items") or () if isinstance(d, dict))]
        for item in places:
            scope = item.get("scope")
            if isinstance(scope, str) and scope not in known:
                params = {
                    "scope": scope,
                    "levels": ", ".join(levels),
                    "words": ", ".join(DUTY_SCOPES),
                }
                problems.append(
                    Problem("duty-scope", params, item.loc_of("scope"), did_you_mean(scope, known))
                )
    return problems


def check_distinct(policy) -> list[Problem]:
    """`took` names transitions or `open` (may_not is a plain reference)."""
    section = policy.sections.get("workflow")
    if not section:
        return []
    known = [t.get("id") for t in section.get("transitions") or () if isinstance(t, dict)]
    problems: list[Problem] = []
    for rule in section.get("distinct") or ():
        if not isinstance(rule, dict) or not isinstance(rule.get("took"), list):
            continue
        took = rule["took"]
        for i, name in enumerate(took):
            if not isinstance(name, str):
                continue
            loc = took.loc_of(i) if hasattr(took, "loc_of") else rule.loc
            if name != OPENING and name not in known:
                problems.append(
                    Problem(
                        "distinct-unknown-step",
                        {"rule": rule.get("id", "?"), "id": name},
                        loc,
                        did_you_mean(name, [*known, OPENING]),
                    )
                )
            elif name in (rule.get("may_not") or ()):
                problems.append(
                    Problem("distinct-self", {"rule": rule.get("id", "?"), "id": name}, loc)
                )
    return problems


def check_workflow(policy) -> list[Problem]:
    section = policy.sections.get("workflow")
    if not section:
        return []
    problems = check_flow(section)
    # a case has no decision to name the unit `assign` hands it to
    for t in section.get("transitions") or ():
        if isinstance(t, dict) and (t.get("effect") == "assign" or t.get("auto")):
            key = "auto" if t.get("auto") else "effect"
            problems.append(
                Problem(
                    "workflow-item-only",
                    {"transition": t.get("id", "?"), "key": key},
                    t.loc_of(key),
                )
            )
    for kind in section.get("items") or ():
        if isinstance(kind, dict):
            problems.extend(check_flow(kind))
            if not kind.get("decision"):
                for t in kind.get("transitions") or ():
                    if isinstance(t, dict) and t.get("auto"):
                        problems.append(
                            Problem(
                                "workflow-auto-without-decision",
                                {"transition": t.get("id", "?"), "kind": kind.get("id", "?")},
                                t.loc_of("auto"),
                            )
                        )
    return problems + check_limits(policy, section)


def check_flow(section) -> list[Problem]:
    """The states and transitions of the closed loop, or of one kind of item."""
    problems: list[Problem] = []
    states = [s for s in section.get("states") or () if isinstance(s, dict) and "id" in s]
    transitions = [t for t in section.get("transitions") or () if isinstance(t, dict)]
    initial = [s for s in states if s.get("initial")]
    if states and len(initial) != 1:
        loc = (initial[1] if len(initial) > 1 else section["states"]).loc
        problems.append(Problem("workflow-initial", {"count": len(initial)}, loc))
    if states and not any(s.get("final") for s in states):
        problems.append(Problem("workflow-no-final", {}, section["states"].loc))
    for t in transitions:
        if ("to" in t) == bool(t.get("stay")):
            problems.append(
                Problem("workflow-target", {"transition": t.get("id", "?")}, t.loc_of("id"))
            )
    leaving = {f for t in transitions if t.get("to") for f in t.get("from") or ()}
    for state in states:
        if state.get("final"):
            if state.get("step"):
                problems.append(
                    Problem("workflow-final-step", {"state": state["id"]}, state.loc_of("step"))
                )
        elif state["id"] not in leaving:
            problems.append(
                Problem("workflow-dead-end", {"state": state["id"]}, state.loc_of("id"))
            )
    if len(initial) == 1:
        reached, frontier = {initial[0]["id"]}, [initial[0]["id"]]
        while frontier:
            here = frontier.pop()
            for t in transitions:
                if here in (t.get("from") or ()) and t.get("to") and t["to"] not in reached:
                    reached.add(t.get("to"))
                    frontier.append(t.get("to"))
        for state in states:
            if state["id"] not in reached:
                problems.append(
                    Problem(
                        "workflow-unreachable",
                        {"state": state["id"]},
                        state.loc_of("id"),
                        severity="warning",
                    )
                )
    return problems


def check_limits(policy, section) -> list[Problem]:
    problems: list[Problem] = []
    steps = {s.get("id") for s in section.get("steps") or () if isinstance(s, dict)}
    for matter in policy.items("matter"):
        limits = matter.get("limits")
        if not isinstance(limits, dict):
            continue
        for step in limits:
            if step not in steps:
                loc = limits.key_loc(step) if hasattr(limits, "key_loc") else matter.loc
                problems.append(Problem("unknown-step", {"step": step}, loc, severity="warning"))
    return problems


def _date(item, key: str, problems: list[Problem]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(item[key])
    except (KeyError, TypeError):
        return None
    except ValueError:
        problems.append(Problem("calendar-date", {"date": item[key]}, item.loc_of(key)))
        return None


def _days(items, problems: list[Problem]) -> dict[dt.date, object]:
    out = {}
    for item in items or ():
        if not isinstance(item, dict):
            continue
        day = _date(item, "date", problems)
        if day:
            out[day] = item.loc_of("date")
        start, end = _date(item, "from", problems), _date(item, "to", problems)
        if start and end and start > end:
            problems.append(
                Problem(
                    "calendar-range",
                    {"start": item["from"], "end": item["to"]},
                    item.loc_of("to"),
                )
            )
        elif start:
            end = end or start
            while start <= end:
                out[start] = item.loc_of("from")
                start += dt.timedelta(days=1)
    return out


def check_calendar(policy) -> list[Problem]:
    section = policy.sections.get("calendar")
    if not section:
        return []
    problems: list[Problem] = []
    zone = section.get("timezone")
    if isinstance(zone, str):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(
                Problem("calendar-timezone", {"timezone": zone}, section.loc_of("timezone"))
            )
    holidays = _days(section.get("holidays"), problems)
    workdays = _days(section.get("workdays"), problems)
    if "years" in section:  # only a calendar that says what it covers can run out
        problems += _calendar_ends(policy, section, last_day(section))
    weekend = {WEEKDAYS.index(d) for d in section.get("weekend", ("sat", "sun"))}
    for day, loc in sorted(workdays.items()):
        if day in holidays:
            problems.append(Problem("calendar-both", {"date": day.isoformat()}, loc))
        elif day.weekday() not in weekend:
            problems.append(
                Problem(
                    "calendar-weekday-workday",
                    {"date": day.isoformat()},
                    loc,
                    severity="warning",
                )
            )
    return problems


def _longest_limit(policy) -> tuple[str | None, dt.timedelta]:
    """The longest time limit written in the matters and the workflow, at
    most as long in calendar days (a working day counted as two: weekends
    and a holiday week included)."""
    longest, span = None, dt.timedelta(0)
    stack = [policy.sections.get("matters"), policy.sections.get("workflow")]
    units = {"m": dt.timedelta(minutes=1), "h": dt.timedelta(hours=1)}
    units |= {"d": dt.timedelta(days=1), "wd": dt.timedelta(days=2)}
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and (match := DURATION.match(value)):
            length = int(match.group(1)) * units[match.group(2)]
            if length > span:
                longest, span = value, length
    return longest, span


def _calendar_ends(policy, section, ends: dt.date | None) -> list[Problem]:
    """Warn when a case opened today could have a deadline past the calendar."""
    if ends is None:
        return []
    limit, span = _longest_limit(policy)
    try:
        zone = ZoneInfo(section.get("timezone") or "Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    today = dt.datetime.now(zone).date()
    if today + span <= ends:
        return []
    params = {"date": ends.isoformat(), "limit": limit or "-", "next": ends.year + 1}
    loc = section.loc_of("years")
    return [Problem("calendar-ends", params, loc, severity="warning")]
