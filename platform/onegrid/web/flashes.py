"""What a staff form did, in words (issue 14 item 8): each flash names the
case, its matter and what happened to it, and who has it next, in plain
Chinese or English ("案件 #12（占道经营）已转办至区城管局"), never a bare
"已提交". A repeated submit says that it was a repeat and what the first
one did."""

from __future__ import annotations

from onegrid.store import Case
from onegrid.store.formtokens import FormToken
from onegrid.web import caseview
from onegrid.web.i18n import text_of
from onegrid.workflow import visibility
from onegrid.workflow.rulebook import rulebook


def _case(case: Case, lang: str) -> str:
    matter = caseview.name_of("matter", case.matter, lang)
    if lang == "zh":
        return f"案件 #{case.id}（{matter}）"
    return f"case #{case.id} ({matter})"


def _next(case: Case, lang: str) -> str:
    """The end of a flash: closed, or who has the case next (with its punctuation)."""
    if case.closed_at is not None:
        return "，已结案。" if lang == "zh" else ". The case is closed."
    holders = caseview.waiting(case, lang)
    if not holders:
        return "。" if lang == "zh" else "."
    if lang == "zh":
        return "；下一步：" + "、".join(f"{h['who']}（{h['actions']}）" for h in holders) + "。"
    return ". Next: " + "; ".join(f"{h['who']} ({h['actions']})" for h in holders) + "."


def reported(case: Case, lang: str) -> str:
    if lang == "zh":
        return f"已上报：{_case(case, lang)}{_next(case, lang)}"
    return f"Reported: {_case(case, lang)}{_next(case, lang)}"


def done(case: Case, action_id: str, action_name, unit_before: str | None, lang: str) -> str:
    """After a step: what it was, where the case went, who has it next."""
    name = text_of(action_name, lang)
    handed = action_id in visibility.handovers(rulebook(case.policy_version))
    moved = case.unit and (case.unit != unit_before or handed)
    where = caseview.name_of("unit", case.unit, lang) if moved else ""
    helpers = caseview.names_of(case.assistants, lang) if handed else ""
    if lang == "zh":
        text = f"{_case(case, lang)}已{name}"
        text += f"，由{where}主办" if where else ""
        text += f"，{helpers}协办" if helpers else ""
        return text + _next(case, lang)
    text = f"“{name}” done on {_case(case, lang)}"
    text += f"; now led by {where}" if where else ""
    text += f", assisted by {helpers}" if helpers else ""
    return text + _next(case, lang)


def repeated_report(case: Case, lang: str) -> str:
    at = caseview.local(case.created_at)
    if lang == "zh":
        return f"这份上报已提交过：{_case(case, lang)}已于 {at} 上报，未重复上报。"
    return f"This report was already sent: {_case(case, lang)} was filed at {at}; nothing was filed twice."


def repeated_step(row: FormToken, cases: list[Case], lang: str) -> str:
    """A form whose token has already taken its step (one case, or a bulk form's)."""
    book = rulebook(cases[0].policy_version) if cases else None
    t = book.transitions.get(row.action) if book is not None else None
    name = book.name(t, lang, row.action) if book is not None else row.action
    at = caseview.local(row.at)
    if len(cases) == 1:
        which = _case(cases[0], lang)
    else:
        which = ("、" if lang == "zh" else ", ").join(f"#{c.id}" for c in cases)
        which = f"案件 {which}" if lang == "zh" else f"cases {which}"
    if lang == "zh":
        return f"这张表单已提交过：{which}已于 {at} {name}，未重复办理。"
    return (
        f"This form was already sent: “{name}” was done on {which} at {at}; it was not done twice."
    )


def stale(case: Case, lang: str) -> str:
    if lang == "zh":
        return f"{_case(case, lang)}已被他人更新，请查看最新状态后重试。"
    return f"Someone else updated {_case(case, lang)}; check it and try again."


def item_filed(book, noun: str, item, lang: str) -> str:
    """An admission request or a post claim filed: its number and where it stands."""
    state = book.name(book.states.get(item.state), lang, item.state)
    if lang == "zh":
        return f"已提交{noun} #{item.id}，现为“{state}”。"
    return f"Filed {noun} #{item.id}; it is now “{state}”."


def item_step(book, noun: str, item, action_name, lang: str) -> str:
    """After a step on an item: what it was and where the item stands now."""
    name = text_of(action_name, lang)
    state = book.name(book.states.get(item.state), lang, item.state)
    if lang == "zh":
        return f"{noun} #{item.id}已{name}，现为“{state}”。"
    return f"“{name}” done on {noun} #{item.id}; it is now “{state}”."
