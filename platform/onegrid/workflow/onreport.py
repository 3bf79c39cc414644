"""Steps taken with the report itself (`on_report:` on a transition).

采办合一 (collect-and-handle): the grid worker who found a small problem and
fixed it ticks 已当场处置 on the report form; the closed loop's
`handle_on_the_spot` says `on_report: {when: {field: on_spot, equals:
true}, answers: {result: spot_result}}`, so the case is opened and closed
in one transaction, each step its own audit row. Only the guards that
depend on the matter alone (`on_the_spot`) decide whether a report form
offers the field at all; ticked on a matter that does not allow it, the
report is refused, naming the field (issue 14: the box used to do nothing
and was offered everywhere).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from onegrid import messages
from onegrid.errors import PolicyError, Problem
from onegrid.forms.conditions import compile_condition
from onegrid.forms.definition import texts
from onegrid.workflow import guard
from onegrid.workflow.errors import InvalidSubmission

messages.register(
    {
        "on-report-not-allowed": {
            "zh": "“{matter}”不准许{transition}（采办分离）：请不要勾选“{field}”，上报后由受理单位分拨处置",
            "en": "“{matter}” may not be handled this way (“{transition}”): untick “{field}”; the case goes to be dispatched",
        },
        "on-report-unknown-field": {
            "zh": "操作 '{transition}' 的 on_report 引用了字段 '{field}'，但没有哪张上报表单有这个字段",
            "en": "the on_report of transition '{transition}' names the field '{field}', which no report form has",
        },
        "on-report-unknown-answer": {
            "zh": "操作 '{transition}' 的 on_report.answers 填写表单 '{form}' 中不存在的字段 '{field}'",
            "en": "the on_report.answers of transition '{transition}' fill the field '{field}', which its form '{form}' lacks",
        },
    }
)

# guards that read only the case's matter: a report form can decide them before a case exists
MATTER_GUARDS = frozenset({"on_the_spot", "not_on_the_spot"})


def _rules(book) -> list[dict]:
    return [t for t in book.transitions.values() if t.get("on_report")]


def allowed(book, t: dict, matter_id: str) -> bool:
    """Whether the matter's own guards let the finder take `t` with the report."""
    probe = SimpleNamespace(matter=matter_id)
    return all(
        guard.GUARDS[name](book, probe) for name in t.get("guard") or () if name in MATTER_GUARDS
    )


def hidden_fields(book, form, matter_id: str) -> set[str]:
    """The report form's fields not offered for this matter: each `on_report`
    field its transition does not allow here, and the fields shown only with it."""
    out: set[str] = set()
    for t in _rules(book):
        if allowed(book, t, matter_id):
            continue
        name = t["on_report"]["when"]["field"]
        out.add(name)
        out |= {f.name for f in form.spec.fields if (f.get("show_when") or {}).get("field") == name}
    return out


def _label(book, form_id: str | None, name: str, lang: str) -> str:
    from onegrid.forms import forms_of

    if form_id:
        for f in forms_of(book.policy).form(form_id).spec.fields:
            if f.name == name:
                return messages.localized(texts(f.get("label")), lang) or name
    return name


def take(session, book, case, actor, now, lang: str, act) -> None:
    """After the report is stored (same transaction): take the first
    `on_report` transition whose condition the report meets, or refuse."""
    for t in _rules(book):
        rule = t["on_report"]
        if case.state not in t.get("from", ()) or not compile_condition(rule["when"])(
            case.submission or {}
        ):
            continue
        form_id = book.matters.get(case.matter, {}).get("form")
        field = rule["when"]["field"]
        if not allowed(book, t, case.matter):
            params = {
                "matter": book.name(book.matters.get(case.matter), lang, case.matter),
                "transition": book.name(t, lang, t["id"]),
                "field": _label(book, form_id, field, lang),
            }
            problem = Problem("on-report-not-allowed", params)
            raise InvalidSubmission(
                [problem], {field: [messages.text("on-report-not-allowed", params, lang)]}
            )
        answers: dict[str, str] = dict(rule.get("answers") or {})
        body: dict[str, Any] = {
            k: case.submission[v] for k, v in answers.items() if case.submission.get(v) is not None
        }
        try:
            act(
                session,
                case.id,
                t["id"],
                actor,
                body,
                case.version,
                now=now,
                lang=lang,
                commit=False,
            )
        except InvalidSubmission as exc:
            # name the report's own fields, not the transition form's
            back = {k: v for v, k in answers.items()}
            errors = exc.errors if isinstance(exc.errors, dict) else {}
            raise InvalidSubmission(
                exc.problems, {back.get(k, k): msgs for k, msgs in errors.items()}
            ) from None
        return


def check(policy) -> list[Problem]:
    """`onegrid check`: the fields `on_report` names exist where it reads them."""
    from onegrid.forms import forms_of

    section = policy.sections.get("workflow") or {}
    if not any(
        isinstance(t, dict) and t.get("on_report") for t in section.get("transitions") or ()
    ):
        return []
    try:
        compiled = forms_of(policy)
    except PolicyError:
        return []  # the forms stage reports what is wrong with them
    report_fields: set[str] = set()
    for m in policy.items("matter"):
        form = compiled.get(m.get("form"))
        if form is not None:
            report_fields |= {f.name for f in form.spec.fields}
    problems = []
    for t in section.get("transitions") or ():
        rule = t.get("on_report") if isinstance(t, dict) else None
        if not isinstance(rule, dict) or not isinstance(rule.get("when"), dict):
            continue
        if rule["when"].get("field") not in report_fields:
            continue  # a shared loop offers it; a pack whose forms lack the box never takes it
        for name in (rule.get("answers") or {}).values():
            if name not in report_fields:
                problems.append(
                    Problem(
                        "on-report-unknown-field",
                        {"transition": t.get("id", "?"), "field": name},
                        t.loc_of("on_report"),
                    )
                )
        if t.get("form") and rule.get("answers"):
            form = compiled.get(t["form"])
            if form is None:
                continue
            own = {f.name for f in form.spec.fields}
            for name in rule["answers"]:
                if name not in own:
                    problems.append(
                        Problem(
                            "on-report-unknown-answer",
                            {"transition": t.get("id", "?"), "field": name, "form": t["form"]},
                            t.loc_of("on_report"),
                        )
                    )
    return problems
