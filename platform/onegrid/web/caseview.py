"""A case as people and programs see it: names, states, deadlines, the
trail, why it was routed there, and a CSV export. Plain data only."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, g
from sqlalchemy import select, text

from onegrid import decide, forms, messages
from onegrid.errors import OnegridError
from onegrid.store import Case, utcnow
from onegrid.web import policyview
from onegrid.web.i18n import text_of
from onegrid.workflow import case as wf_case
from onegrid.workflow import finality
from onegrid.workflow.actor import SWEEP
from onegrid.workflow.calendar import duration_words, local_minute
from onegrid.workflow.rulebook import rulebook as wf_rulebook

DEFAULT_ZONE = "Asia/Shanghai"


def policy_of(case: Case):
    """The policy the case runs under; the loaded pack itself when it is that
    version, so that rules keep their file and line."""
    loaded = policyview.load()
    if loaded.policy is not None and loaded.content_hash == case.policy_version.content_hash:
        return loaded.policy
    return wf_rulebook(case.policy_version).policy


def why_text(case: Case, lang: str = "zh", admin: bool = False) -> list[str]:
    """`why` as lines of text (for the JSON API)."""
    return [f"{text} ({where})" if where else text for text, where in why(case, lang, admin)]


def why(case: Case, lang: str = "zh", admin: bool = False) -> list[tuple[str, str]]:
    """Why the case went where it went, in words: (text, where) for the
    routing rules that decided, by their names (where: rule id, file and
    line, for administrators only), else the matter catalog; then the lead
    and the assisting units."""
    zh = lang == "zh"
    lines: list[str] = []
    facts = dict(case.facts or {})
    if case.place and "unit" not in facts:
        facts["unit"] = case.place  # decide names the place `unit`
    policy = policy_of(case)
    try:
        explanation = decide.explain(policy, facts)
    except OnegridError:
        explanation = None
    except Exception:  # the page must show even if explaining fails; the log keeps why
        current_app.logger.exception("explaining case %s failed", case.id)
        explanation = None
    # once a dispatcher changed the route, this part says what the router proposed
    routed = case.route or {}
    changed = bool((routed.get("dispatched") or {}).get("changed"))
    lead = name_of("unit", (routed.get("lead") if changed else None) or case.unit, lang)
    matter = name_of("matter", case.matter, lang)
    tables = {t.get("id"): t for t in (policy.section("routing").get("tables") or ())}
    for trial in explanation.trials if explanation is not None else ():
        if not trial.applied:
            continue
        table = tables.get(trial.table) or {}
        rule = next((r for r in table.get("rules") or () if r.get("id") == trial.rule), {})
        table_name = text_of(table.get("name"), lang) or trial.table
        rule_name = text_of(rule.get("name"), lang) or trial.rule
        line = f"按《{table_name}》：{rule_name}" if zh else f"By “{table_name}”: {rule_name}"
        where = ""
        if admin:
            where = trial.id
            if trial.file:
                where += f" {messages.display_path(trial.file)}:{trial.line}"
        lines.append((line, where))
    if not lines:
        lines.append(
            (
                f"按《事项清单》{matter}由{lead}主办"
                if zh
                else f"By the matter catalog, {lead} leads on {matter}",
                "",
            )
        )
    else:
        said = (
            ("拟派主办：" if zh else "Proposed lead: ")
            if changed
            else ("主办：" if zh else "Lead: ")
        )
        lines.append((said + lead, ""))
    assistants = routed.get("assistants") if changed else case.assistants
    if assistants:
        said = ("拟派协办：" if zh else "Proposed assisting: ") if changed else None
        said = said or ("协办：" if zh else "Assisting: ")
        lines.append((said + names_of(assistants, lang), ""))
    if case.enterprise:
        name = name_of("unit", case.enterprise, lang)
        lines.append((("责任企业：" if zh else "Enterprise: ") + name, ""))
    lines += dispatch_choice(case, lang)
    return lines


def dispatch_choice(case: Case, lang: str = "zh") -> list[tuple[str, str]]:
    """What the dispatcher changed of the proposed route, and why (转办时的调整)."""
    chosen = (case.route or {}).get("dispatched") or {}
    if not chosen.get("changed"):
        return []
    zh = lang == "zh"
    before, after = chosen.get("proposed") or {}, chosen.get("chosen") or {}
    parts = []
    if before.get("lead") != after.get("lead"):
        parts.append(
            ("主办 " if zh else "lead ")
            + f"{name_of('unit', before.get('lead'), lang)} → {name_of('unit', after.get('lead'), lang)}"
        )
    added = [a for a in after.get("assistants") or () if a not in (before.get("assistants") or ())]
    if added:
        parts.append(("增派协办 " if zh else "assisting added: ") + names_of(added, lang))
    text = ("调度员调整拟派路线：" if zh else "The dispatcher changed the proposed route: ") + (
        "；" if zh else "; "
    ).join(parts)
    if chosen.get("reason"):
        text += f"（{chosen['reason']}）" if zh else f" ({chosen['reason']})"
    return [(text, "")]


def names_of(ids, lang: str | None = None) -> str:
    sep = "、" if (lang or "zh") == "zh" else ", "
    return sep.join(name_of("unit", i, lang) for i in ids or ())


def name_of(namespace: str, item_id: str | None, lang: str | None = None) -> str:
    if not item_id:
        return ""
    loaded = policyview.load()
    policy = loaded.policy
    item = policy.get(namespace, item_id) if policy is not None else None
    if item is None and namespace == "unit":
        item = loaded.unit(item_id)  # a grid of the registry
    if item is None:
        for ns in ("unit", "department", "enterprise"):
            item = policy.get(ns, item_id) if policy is not None else None
            if item is not None:
                break
    return text_of(item.get("name"), lang) if item is not None else item_id


def state_name(case: Case, lang: str = "zh") -> str:
    book = wf_rulebook(case.policy_version)
    return book.name(book.states.get(case.state), lang, case.state)


def step_name(case: Case, lang: str = "zh") -> str:
    book = wf_rulebook(case.policy_version)
    return book.name(book.steps.get(case.step), lang, case.step or "")


def due_status(case: Case, now: dt.datetime | None = None) -> str:
    now = now or utcnow()
    if case.closed_at is not None or case.due_at is None:
        return ""
    if case.overdue or case.due_at <= now:
        return "overdue"
    if case.warned or (case.warn_at is not None and case.warn_at <= now):
        return "due_soon"
    return ""


def calendar_zone() -> ZoneInfo:
    """The pack's calendar time zone (China Standard Time by default)."""
    policy = policyview.load().policy
    name = (policy.section("calendar").get("timezone") if policy is not None else None) or ""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def duration(text: str | None, lang: str) -> str:
    """A policy duration as the page says it (3 天 / 3 days), not `3d`."""
    return duration_words(str(text), lang) if text else ""


def local(value: dt.datetime | None) -> str:
    """A stored UTC time as people read it: local, to the minute."""
    if value is None:
        return ""
    return local_minute(value, calendar_zone())


def report_rows(case: Case, lang: str = "zh") -> list[dict[str, Any]]:
    """The report's fields in form order with their labels; photos apart."""
    book = wf_rulebook(case.policy_version)
    matter = book.matters.get(case.matter) or {}
    return form_rows(case, matter.get("form"), case.submission, lang) + sent_rows(case, lang)


CONTACT_LABELS = {
    "last_name": ("姓", "Family name"),
    "first_name": ("名", "Given name"),
    "email": ("电子邮箱", "E-mail"),
    "phone": ("电话", "Phone"),
}


def sent_rows(case: Case, lang: str = "zh") -> list[dict]:
    """What an Open311 front end or a connector sent beside the form: the
    reporter's contact, the sender's ticket number, and a photo's address
    (a link the reader follows; the server never fetches it)."""
    facts = case.facts or {}
    zh = lang == "zh"
    rows = []
    contact = facts.get("contact") if isinstance(facts.get("contact"), dict) else {}
    parts = [
        f"{CONTACT_LABELS[k][0 if zh else 1]}：{contact[k]}"
        if zh
        else f"{CONTACT_LABELS[k][1]}: {contact[k]}"
        for k in CONTACT_LABELS
        if contact.get(k)
    ]
    if parts:
        rows.append(
            {
                "label": "反映人联系方式" if zh else "Reporter's contact",
                "text": "；".join(parts) if zh else "; ".join(parts),
                "photos": [],
            }
        )
    if isinstance(facts.get("external_id"), str):
        rows.append(
            {
                "label": "来源系统编号" if zh else "Sender's ticket",
                "text": facts["external_id"],
                "photos": [],
            }
        )
    url = facts.get("media_url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        rows.append(
            {"label": "照片链接" if zh else "Photo link", "text": url, "photos": [], "link": url}
        )
    return rows


def shown(value: Any, lang: str = "zh") -> str:
    """A submitted value as text: lists joined, yes/no in words, addresses by text."""
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, list):
        return (
            "、".join(shown(v, lang) for v in value)
            if lang == "zh"
            else ", ".join(shown(v, lang) for v in value)
        )
    if isinstance(value, dict):
        return str(value.get("text") or ", ".join(f"{k}: {v}" for k, v in value.items()))
    return "" if value is None else str(value)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def rung_json(case: Case, lang: str = "zh") -> dict[str, Any] | None:
    """The escalation rung the case stands on, and whether its decision is final."""
    book = wf_rulebook(case.policy_version)
    try:
        found = finality.rung(book, case)
    except OnegridError:  # facts the version no longer routes
        return None
    if found is None:
        return None
    return {
        "ladder": found.ladder,
        "id": found.rung,
        "name": finality.rung_name(book, found, lang),
        "final": found.final,
    }


def case_json(case: Case, lang: str = "zh") -> dict[str, Any]:
    return {
        "id": case.id,
        "matter": case.matter,
        "matter_name": name_of("matter", case.matter, lang),
        "title": title_of(case),
        "urgency": urgency_of(case, lang),
        "state": case.state,
        "state_name": state_name(case, lang),
        "step": case.step,
        "step_name": step_name(case, lang),
        "channel": case.channel,
        "door": case.door,
        "place": case.place,
        "place_name": name_of("unit", case.place, lang),
        "unit": case.unit,
        "unit_name": name_of("unit", case.unit, lang),
        "assistants": list(case.assistants or []),
        "enterprise": case.enterprise,
        "level": case.level,
        "reporter": case.reporter,
        "facts": case.facts,
        "submission": case.submission,
        "supervised": case.supervised,
        "limits": dict(case.limits or {}),
        "rules": list((case.route or {}).get("rules") or ()),
        "ladder": (case.route or {}).get("ladder"),
        "rung": rung_json(case, lang),
        "escalations": case.escalations,
        "due_at": _iso(case.due_at),
        "warn_at": _iso(case.warn_at),
        "due_status": due_status(case),
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
        "closed_at": _iso(case.closed_at),
        "version": case.version,
        "policy_version": case.policy_version_id,
    }


def action_json(action, lang: str = "zh") -> dict[str, Any]:
    return {
        "id": action.id,
        "name": text_of(action.name, lang),
        "to": action.to,
        "form": action.form,
    }


def step_json(step, lang: str = "zh") -> dict[str, Any]:
    return {
        "seq": step.seq,
        "at": _iso(step.at),
        "action": step.action,
        "actor": step.actor,
        "from_state": step.from_state,
        "to_state": step.to_state,
        "data": step.data,
    }


EXPORT_COLUMNS = (
    "id",
    "title",
    "matter",
    "matter_name",
    "urgency",
    "state",
    "state_name",
    "place",
    "place_name",
    "unit",
    "unit_name",
    "channel",
    "reporter",
    "created_at",
    "due_at",
    "closed_at",
    "supervised",
)


# the shared field library's report fields (forms/library): a title, an urgency
TITLE_FIELD, URGENCY_FIELD = "title", "urgency"


def title_of(case: Case) -> str:
    value = (case.submission or {}).get(TITLE_FIELD)
    if isinstance(value, str) and value:
        return value
    description = (case.submission or {}).get("description")
    return description[:40] if isinstance(description, str) else ""


def _urgency_labels() -> dict[str, Any]:
    policy = policyview.load().policy
    if policy is None:
        return {}
    item = policy.get("field", f"field.{URGENCY_FIELD}") or {}
    return {c.get("value"): c.get("label") for c in item.get("choices") or ()}


def urgency_of(case: Case, lang: str = "zh") -> str:
    value = (case.submission or {}).get(URGENCY_FIELD)
    if not value:
        return ""
    label = _urgency_labels().get(value)
    return text_of(label, lang) if label else str(value)


def urgency_choices(lang: str = "zh") -> list[tuple[str, str]]:
    return [(v, text_of(label, lang)) for v, label in _urgency_labels().items()]


def state_choices(lang: str = "zh") -> list[tuple[str, str]]:
    policy = policyview.load().policy
    states = policy.section("workflow").get("states") or () if policy is not None else ()
    return [(s["id"], text_of(s.get("name"), lang) or s["id"]) for s in states]


# the distinct channels by skipping along the index on cases.channel, one
# probe per channel (a DISTINCT reads every case: 46 ms at 100k on every inbox)
CHANNELS = """
WITH RECURSIVE used(channel) AS (
  SELECT min(channel) FROM cases
  UNION ALL
  SELECT (SELECT min(c.channel) FROM cases c WHERE c.channel > used.channel)
  FROM used WHERE used.channel IS NOT NULL
)
SELECT channel FROM used WHERE channel IS NOT NULL
"""


def channel_choices(session, lang: str = "zh") -> list[tuple[str, str]]:
    """The channels cases came through (the pack's and the engine's names)."""
    used = session.scalars(text(CHANNELS)).all()
    return [(c, channel_name(c, lang)) for c in sorted(used)]


def cell(value) -> str:
    text = "" if value is None else str(value)
    # a leading = + - @ would run as a formula in a spreadsheet program
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# --- the story of a case: who did what, when, where, and who is next ---------

PARTY_NAMES = {
    "reporter": ("上报人", "the reporter"),
    "dispatcher": ("受理调度", "dispatch"),
    "lead": ("主办单位", "the lead"),
    "assistant": ("协办单位", "an assisting unit"),
    "enterprise": ("责任企业", "the enterprise"),
    "superior": ("上级", "a superior"),
    "anyone": ("任何人", "anyone"),
}
# what the sweep and other engine-made steps are called
ENGINE_STEPS = {
    "open": ("上报", "Reported"),
    "warn": ("即将超时提醒", "Due-soon warning"),
    "escalate": ("超时提级", "Escalated when overdue"),
    "supervise": ("超时督办", "Supervised when overdue"),
    "part_warn": ("协办任务即将超时提醒", "An assistant's part is due soon"),
    "part_escalate": ("协办任务超时督办", "An assistant's part is overdue: supervised"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def named_clients(session, actors) -> dict[str, str]:
    from onegrid.store import clients

    return clients.named(session, actors)


def people(usernames) -> dict[str, tuple[str, str]]:
    """username → (name, the name of the unit of their first binding)."""
    from onegrid.store.accounts import User  # the web layer's accounts
    from onegrid.web import db

    wanted = {u for u in usernames if u}
    cache = g.setdefault("onegrid_people", {})
    missing = wanted - set(cache)
    if missing:
        rows = db.session().scalars(select(User).where(User.username.in_(missing))).all()
        for user in rows:
            cache[user.username] = user
        # an Open311 client or a connector: by the name its key was given
        cache.update(named_clients(db.session(), missing - set(cache)))
    out = {}
    for username in wanted:
        user = cache.get(username)
        if isinstance(user, str):
            out[username] = (user, None)
            continue
        unit = user.bindings[0].unit if user is not None and user.bindings else None
        out[username] = (user.name or username if user is not None else username, unit)
    return out


def person(username: str | None, lang: str = "zh") -> str:
    if not username:
        return ""
    if username == SWEEP.id:
        return "系统（时限巡检）" if lang == "zh" else "System (deadline sweep)"
    return people([username])[username][0]


def channel_name(channel: str | None, lang: str = "zh") -> str:
    """A channel by its name: the pack's routing channels are the only ones."""
    if not channel:
        return ""
    policy = policyview.load().policy
    for item in (policy.section("routing").get("channels") or ()) if policy else ():
        if item.get("id") == channel:
            return text_of(item.get("name"), lang)
    return channel


def form_fields(case: Case, form_id: str | None) -> dict[str, Any]:
    """name → field of a form of the case's policy (library forms resolved)."""
    if not form_id:
        return {}
    try:
        spec = forms.forms_of(policy_of(case)).form(form_id).spec
    except OnegridError:
        return {}
    return {f.name: f for f in spec.fields}


def form_rows(case: Case, form_id: str | None, values: dict | None, lang: str = "zh") -> list[dict]:
    """A step's answers in form order, by their labels, choices in words."""
    values = dict(values or {})
    fields = form_fields(case, form_id)
    order = [n for n in fields if n in values] + [n for n in values if n not in fields]
    rows = []
    for name in order:
        f = fields.get(name) or {}
        value = values[name]
        photos = getattr(f, "type", None) == "photo" or name == "photos"
        rows.append(
            {
                "label": text_of(f.get("label"), lang) or name,
                "text": "" if photos else answer(f, value, lang),
                "photos": [v for v in value if isinstance(v, str)] if photos else [],
            }
        )
    return rows


def answer(f, value: Any, lang: str = "zh") -> str:
    """One answer as text: a choice by its label, a unit by its name."""
    choices = {c.get("value"): c.get("label") for c in f.get("choices") or ()}
    if choices:
        many = value if isinstance(value, list) else [value]
        labels = [text_of(choices[v], lang) if v in choices else shown(v, lang) for v in many]
        return ("、" if lang == "zh" else ", ").join(labels)
    if getattr(f, "type", None) == "datetime" and isinstance(value, str):
        try:
            return local(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if getattr(f, "type", None) == "org_unit" and isinstance(value, str):
        return name_of("unit", value, lang)
    if isinstance(value, dict) and value.get("at"):
        return located(value, lang)
    return shown(value, lang)


def located(value: dict, lang: str = "zh") -> str:
    """An address whose coordinates came from the phone's position, with the
    time it was taken, in the pack's time zone."""
    try:
        when = local(dt.datetime.fromisoformat(str(value["at"])))
    except ValueError:
        when = str(value["at"])
    where = f"{value.get('lat')}, {value.get('lng')}"
    text = value.get("text") or ""
    if lang == "zh":
        return f"{text}（{when} 定位：{where}）"
    return f"{text} (located {when}: {where})"


def story(case: Case, steps, lang: str = "zh") -> list[dict[str, Any]]:
    """Each step of the trail in words: when, who, at which unit, what, and
    the answers of its form."""
    book = wf_rulebook(case.policy_version)
    who = people(s.actor for s in steps)
    out = []
    for step in steps:
        t = book.transitions.get(step.action)
        if t is not None:
            action = book.name(t, lang, step.action)
        else:
            action = _pick(ENGINE_STEPS.get(step.action, (step.action, step.action)), lang)
            if step.data.get("part"):  # the sweep acted on one assistant's part: whose
                whose = name_of("unit", step.data["part"], lang)
                action += f"（{whose}）" if lang == "zh" else f" ({whose})"
        name, unit = who.get(step.actor, (step.actor, None)) if step.actor else ("", None)
        if step.actor == SWEEP.id:
            name, unit = person(step.actor, lang), None
        form = t.get("form") if t is not None else None
        if step.action == "open":
            rows = []  # the report itself is shown above the story
        else:
            rows = form_rows(case, form, step.data.get("submission"), lang)
        moved = step.data.get("unit")
        out.append(
            {
                "seq": step.seq,
                "at": local(step.at),
                "action": action,
                "action_id": step.action,
                "actor": name,
                "unit": name_of("unit", unit, lang) if unit else "",
                "from": book.name(book.states.get(step.from_state), lang, step.from_state or ""),
                "to": book.name(book.states.get(step.to_state), lang, step.to_state or ""),
                "rows": rows,
                "moved_to": name_of("unit", moved[1], lang)
                if isinstance(moved, list) and len(moved) == 2 and moved[0] != moved[1]
                else "",
            }
        )
    return out


def waiting(case: Case, lang: str = "zh") -> list[dict[str, Any]]:
    """Who must act next and what they may do: one line per holder."""
    if case.closed_at is not None:
        return []
    book = wf_rulebook(case.policy_version)
    grouped: dict[tuple, list[str]] = {}
    for holder in wf_case.waiting_on(case):
        if holder.users:
            who = "、".join(person(u, lang) for u in holder.users)
            who = f"{_pick(PARTY_NAMES['reporter'], lang)}（{who}）" if lang == "zh" else who
        else:
            role = book.roles.get(holder.role) if holder.role else None
            units = names_of(holder.units, lang)
            party = _pick(PARTY_NAMES.get(holder.party, ("", "")), lang)
            who = " ".join(x for x in (units or party, book.name(role, lang, "")) if x)
        action = book.name(book.transitions.get(holder.transition), lang, holder.transition)
        grouped.setdefault((who,), []).append(action)
    return [
        {"who": key[0], "actions": ("、" if lang == "zh" else ", ").join(dict.fromkeys(acts))}
        for key, acts in grouped.items()
    ]


def time_left(case: Case, lang: str = "zh", now: dt.datetime | None = None) -> str:
    """The time left on the running step's limit, in words."""
    if case.due_at is None or case.closed_at is not None:
        return ""
    now = now or utcnow()
    seconds = int((case.due_at - now).total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if lang == "zh":
        parts = (f"{days} 天" if days else "") + (f"{hours} 小时" if hours else "")
        parts = parts or f"{minutes} 分钟"
        return f"已超时 {parts}" if late else f"还剩 {parts}"
    parts = (
        " ".join(x for x in (f"{days} d" if days else "", f"{hours} h" if hours else "") if x)
        or f"{minutes} min"
    )
    return f"overdue by {parts}" if late else f"{parts} left"


def destructive(case: Case, action) -> bool:
    """An action that refuses or turns back the case (不予受理, 退回): styled
    apart and confirmed (`destructive_step`)."""
    return destructive_step(wf_rulebook(case.policy_version), case.state, action.id)


def destructive_step(book, state: str, action_id: str) -> bool:
    """Whether taking `action_id` from `state` refuses or turns back a case or
    an item (不予受理, 退回, 驳回). Read from the workflow: it alone leads to its
    final state (a refusal, not the usual end), or it goes back to an earlier
    state without an effect of its own (not 提级, not 重新处置)."""
    t = book.transitions.get(action_id) or {}
    if t.get("stay") or t.get("effect"):
        return False
    to = t.get("to")
    if (book.states.get(to) or {}).get("final"):
        return not any(x["id"] != t["id"] and x.get("to") == to for x in book.transitions.values())
    order = list(book.states)
    return to in order and state in order and order.index(to) < order.index(state)
