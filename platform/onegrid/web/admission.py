"""Task admission pages and API: a department files a request with the
pack's request form, the gate decides at once or the reviewer decides on
the request's page; every community sees its register (台账) and may
report a task that arrived without admission.

The engine is `onegrid.workflow.item` (kind `admission` of the pack's
workflow items); the register is `onegrid.workflow.register`.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from onegrid import messages
from onegrid.admission import RESOURCE_NAMES
from onegrid.admission import resources as amounts
from onegrid.store import Item, utcnow
from onegrid.web import api, bounds, caseview, casework, db, flashes, formview
from onegrid.web.auth import login_required
from onegrid.web.i18n import current_lang, t, text_of
from onegrid.workflow import errors as wf_errors
from onegrid.workflow import item as wf_item
from onegrid.workflow import register
from onegrid.workflow.actor import SWEEP
from onegrid.workflow.rulebook import rulebook

KIND = "admission"
bp = Blueprint("admission", __name__, url_prefix="/admission")

messages.register(
    {
        "admission-not-your-department": {
            "zh": "您不是“{department}”的工作人员，不能以它的名义提出申请",
            "en": "you are not staff of '{department}' and cannot file for it",
        },
    }
)


def own_department(user, values: dict, lang: str) -> dict:
    """A department files for itself: {field: [message]} when the user is not its staff."""
    department = values.get("department")
    if user.is_admin or not department or department in units_of(user):
        return {}
    book = rulebook(casework.current_version(db.session()))
    name = unit_name(book, department, lang)
    return {
        "department": [messages.text("admission-not-your-department", {"department": name}, lang)]
    }


# --- what the pages and the API share ------------------------------------------


def units_of(user) -> set[str]:
    return {b.unit for b in user.bindings}


def visible(user, item: Item) -> bool:
    """The filer, the department, whoever holds it now, and the units it reaches."""
    if user.is_admin or item.reporter == user.username:
        return True
    mine = units_of(user)
    if mine & {item.unit, item.data.get("department")}:
        return True
    book = wf_item.book_of(item)
    reached = set(book.ancestors(item.data.get("reach"))) | set(
        register.below(book, item.data.get("reach"), register.levels(book))
    )
    return bool(mine & reached) or any(u in reached for m in mine for u in book.ancestors(m))


def item_or_404(user, item_id: int) -> Item:
    if bounds.case_id(item_id) is None:  # above BIGINT: no such row, and no overflow
        abort(404)
    try:
        found = wf_item.get_item(db.session(), item_id, KIND)
    except wf_errors.CaseNotFound:
        abort(404)
    if not visible(user, found):
        abort(404)
    return found


def reason_texts(reasons, lang) -> list[str]:
    out = []
    for r in reasons or ():
        line = messages.text(r["code"], r["params"], lang)
        if r.get("hint"):
            line += ("；" if lang == "zh" else "; ") + messages.text(
                r["hint"]["code"], r["hint"]["params"], lang
            )
        out.append(line)
    return out


def resources_text(resources, lang) -> list[str]:
    """A request's or a task's resources ({type: spec} or [{type, …}]) in words."""
    if isinstance(resources, list):
        resources = {r["type"]: r for r in resources}
    return [amounts.describe(k, v, RESOURCE_NAMES, lang) for k, v in (resources or {}).items()]


# the engine's own actors, by name
SYSTEM = {
    wf_item.DECIDER.id: ("准入闸口", "the admission gate"),
    SWEEP.id: ("定时巡检", "the sweep"),
}


def trail_rows(book, steps, lang) -> list[dict]:
    """The trail with the workflow's names for actions and states."""
    filed = book.name(book.kind, lang, "")
    out = []
    for s in steps:
        taken = book.transitions.get(s.action)
        if taken is not None:
            action = book.name(taken, lang, s.action)
        elif s.action == "file":
            action = t("提交", "Filed") + (f"（{filed}）" if lang == "zh" else f" ({filed})")
        else:
            action = {
                "escalate": t("逾期升级", "Escalated (lapsed)"),
                "warn": t("临期提醒", "Due soon"),
                "supervise": t("逾期督办", "Supervised (lapsed)"),
            }.get(s.action, s.action)
        state = book.name(book.states.get(s.to_state), lang, s.to_state or "") if s.to_state else ""
        actor = SYSTEM.get(s.actor)
        actor = (actor[1] if lang == "en" else actor[0]) if actor else s.actor
        out.append({"at": s.at, "action": action, "actor": actor, "to": state, "id": s.action})
    return out


def unit_name(book, unit_id, lang) -> str:
    item = book.units.get(unit_id) or book.departments.get(unit_id)
    return book.name(item, lang, unit_id or "") if item else (unit_id or "")


def item_json(item: Item, lang: str) -> dict:
    book = wf_item.book_of(item)
    decision = item.result.get("decision") or {}
    return {
        "id": item.id,
        "kind": item.kind,
        "state": item.state,
        "state_name": book.name(book.states.get(item.state), lang, item.state),
        "outcome": item.outcome,
        "version": item.version,
        "policy_version": item.policy_version_id,
        "department": item.data.get("department"),
        "department_name": unit_name(book, item.data.get("department"), lang),
        "reviewer": item.unit,
        "reviewer_name": unit_name(book, item.unit, lang) if item.unit else None,
        "due_at": item.due_at.isoformat() if item.due_at else None,
        "supervised": item.supervised,
        "escalations": item.escalations,
        "request": item.data,
        "decision": {
            "outcome": decision.get("outcome"),
            "task": decision.get("task"),
            "reasons": reason_texts(decision.get("reasons"), lang),
            "resources": decision.get("resources") or {},
            "resources_text": resources_text(decision.get("resources"), lang),
        },
        "taken": item.result.get("outcome"),
    }


def register_json(entries, book, lang) -> list[dict]:
    return [
        {
            "item": e.item,
            "task": e.task,
            "title": e.title,
            "department": e.department,
            "department_name": unit_name(book, e.department, lang),
            "reach": e.reach,
            "units": e.units,
            "resources": e.resources,
            "resources_text": resources_text(e.resources, lang),
            "period": list(e.period),
            "conditions": e.conditions,
            "state": e.state,
        }
        for e in entries
    ]


def field_errors(exc) -> dict:
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):
        return errors
    return {"": [messages.text(p.code, p.params, current_lang()) for p in exc.problems]}


def user_unit(user) -> str | None:
    """The first unit of the register's levels the user sits in or above."""
    book = rulebook(casework.current_version(db.session()))
    wanted = register.levels(book)
    for b in user.bindings:
        for u in book.ancestors(b.unit):
            if book.units.get(u, {}).get("level") in wanted:
                return u
    return None


# --- pages --------------------------------------------------------------------


@bp.route("/")
@login_required
def index():
    session = db.session()
    items = session.scalars(
        db_select_items().order_by(Item.id.desc()).limit(casework.INBOX_LIMIT)
    ).all()
    lang = current_lang()
    rows = [item_json(i, lang) for i in items if visible(g.user, i)]
    return render_template("admission/index.html", rows=rows)


def db_select_items():
    return select(Item).where(Item.kind == KIND)


@bp.route("/new", methods=("GET", "POST"))
@login_required
def new():
    lang = current_lang()
    version = casework.current_version(db.session())
    book = rulebook(version).for_item(KIND)
    if book is None:
        abort(404)
    form_id = book.kind["form"]
    values, errors, status = {}, {}, 200
    key = request.args.get("key") or casework.new_idempotency_key()
    if request.method == "POST":
        values = formview.coerce(form_id, request.form)
        errors = formview.errors(form_id, values, lang) or own_department(g.user, values, lang)
        if not errors:
            try:
                item = wf_item.file_item(
                    db.session(),
                    version,
                    KIND,
                    values,
                    casework.actor_of(g.user),
                    idempotency_key=f"web:{g.user.id}:{key}",
                    lang=lang,
                )
            except wf_errors.InvalidSubmission as exc:
                db.session().rollback()
                errors = field_errors(exc)
            except wf_errors.Conflict:
                db.session().rollback()
                abort(409)
            else:
                book = wf_item.book_of(item)
                flash(flashes.item_filed(book, book.name(book.kind, lang, KIND), item, lang))
                return redirect(url_for("admission.show", item_id=item.id), code=303)
        status = 422
    form_html = formview.fragment(
        form_id,
        values,
        errors,
        lang,
        action=url_for("admission.new", key=key),
        id_prefix="adm-",
        submit=t("提交申请", "File the request"),
    )
    tasks = [
        {
            "id": task["id"],
            "name": text_of(task.get("name"), lang),
            "resources": resources_text(task.get("resources") or [], lang),
        }
        for task in (book.resolved.get("admission") or {}).get("tasks") or []
    ]
    return render_template("admission/new.html", form_html=form_html, tasks=tasks), status


@bp.route("/<int:item_id>")
@login_required
def show(item_id, failed=None, values=None, errors=None, status=200):
    item = item_or_404(g.user, item_id)
    lang = current_lang()
    actions = []
    for action in wf_item.actions_for_item(item, casework.actor_of(g.user), lang):
        target = url_for(
            "admission.act", item_id=item.id, action_id=action.id, version=item.version
        )
        own = failed == action.id
        html = formview.action_form(
            action,
            values if own else None,
            errors if own else None,
            lang,
            target=target,
            id_prefix=f"{action.id.replace('.', '-')}-",
        )
        actions.append({"id": action.id, "name": action.name, "html": html, "target": target})
    trail = trail_rows(wf_item.book_of(item), wf_item.item_trail(db.session(), item.id), lang)
    return (
        render_template(
            "admission/show.html",
            item=item,
            data=item_json(item, lang),
            actions=actions,
            trail=trail,
            local=local,
        ),
        status,
    )


def local(moment):
    return caseview.local(moment)


@bp.route("/<int:item_id>/act/<action_id>", methods=("POST",))
@login_required
def act(item_id, action_id):
    lang = current_lang()
    item = item_or_404(g.user, item_id)
    expected = request.args.get("version", type=int)
    if expected is None:
        abort(400)
    actor = casework.actor_of(g.user)
    action, values, errors = formview.posted_action(item, action_id, actor, lang)
    if errors:
        return show(item_id, action_id, values, errors, 422)
    try:
        item = wf_item.act_item(
            db.session(), item.id, action_id, actor, values, expected, lang=lang
        )
    except wf_errors.Conflict:
        db.session().rollback()
        flash(
            t(
                "申请已被他人更新，请查看最新状态后重试",
                "Someone else updated the request; check it and try again",
            )
        )
    except wf_errors.InvalidSubmission as exc:
        db.session().rollback()
        return show(item_id, action_id, values, field_errors(exc), 422)
    else:
        book = wf_item.book_of(item)
        flash(flashes.item_step(book, book.name(book.kind, lang, KIND), item, action.name, lang))
    return redirect(url_for("admission.show", item_id=item_id), code=303)


@bp.route("/register")
@login_required
def register_page():
    lang = current_lang()
    session = db.session()
    version = casework.current_version(session)
    book = rulebook(version)
    unit = request.args.get("unit") or user_unit(g.user)
    if unit and unit not in book.units:
        unit = None
    year = _year() or utcnow().year  # a page falls back to this year
    entries = register.entries(session, version.pack, lang, unit=unit)
    table = register.counts(session, version, [year - 1, year])
    if unit:
        table = [c for c in table if c.unit == unit]
    table = [c for c in table if any(c.by_year.values()) or c.unadmitted or c.unit == unit][:200]
    matter = ((book.resolved.get("admission") or {}).get("review") or {}).get("report_matter")
    return render_template(
        "admission/register.html",
        removed=register_json(register.removed(session, version, lang), book, lang),
        unit=unit,
        unit_name=unit_name(book, unit, lang) if unit else None,
        rows=register_json(entries, book, lang),
        counts=[
            {
                "unit": c.unit,
                "name": unit_name(book, c.unit, lang),
                "listed": c.listed,
                "before": c.by_year[year - 1],
                "after": c.by_year[year],
                "change": register.change(c.by_year[year - 1], c.by_year[year]),
                "unadmitted": c.unadmitted,
            }
            for c in table
        ],
        year=year,
        report_url=url_for("cases.new", matter=matter, place=unit or "") if matter else None,
    )


# --- the JSON API (under /api/v1/, authenticated there) ---------------------------


@api.bp.route("/admission", methods=("POST",))
def api_file():
    user = api.need_user()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("submission", {}), dict):
        return api.error(400, "bad-request", "a JSON object with the request form in 'submission'")
    version = casework.current_version(db.session())
    key = request.headers.get("Idempotency-Key") or body.get("idempotency_key")
    if key is not None and not isinstance(key, str):
        return api.error(400, "bad-request", "'idempotency_key' must be a string")
    refused = own_department(user, body.get("submission") or {}, current_lang())
    if refused:
        return api.error(422, "invalid-submission", refused["department"][0], errors=refused)
    return answer(
        lambda: wf_item.file_item(
            db.session(),
            version,
            KIND,
            body.get("submission") or {},
            casework.actor_of(user),
            idempotency_key=f"api:{user.id}:{key}" if key else None,
            lang=current_lang(),
        ),
        201,
    )


def answer(call, status: int = 200):
    """The item `call()` files or moves, as JSON; the engine's refusals as the API's errors."""
    try:
        item = call()
    except wf_errors.InvalidSubmission as exc:
        db.session().rollback()
        return api.error(
            422, "invalid-submission", api.problems_text(exc), errors=field_errors(exc)
        )
    except wf_errors.Conflict as exc:
        db.session().rollback()
        return api.error(409, "conflict", api.problems_text(exc))
    except wf_errors.Forbidden as exc:
        db.session().rollback()
        return api.error(403, "forbidden", api.problems_text(exc))
    return jsonify(api_detail(item)), status


def api_detail(item: Item) -> dict:
    lang = current_lang()
    data = item_json(item, lang)
    actor = casework.actor_of(g.user)
    data["actions"] = [
        {"id": a.id, "name": a.name, "form": a.form}
        for a in wf_item.actions_for_item(item, actor, lang)
    ]
    return data


@api.bp.route("/admission/<int:item_id>")
def api_get(item_id):
    return jsonify(api_detail(item_or_404(api.need_user(), item_id)))


@api.bp.route("/admission/<int:item_id>/trail")
def api_trail(item_id):
    item = item_or_404(api.need_user(), item_id)
    return jsonify(
        [
            {
                "seq": s.seq,
                "at": s.at.isoformat(),
                "action": s.action,
                "actor": s.actor,
                "from": s.from_state,
                "to": s.to_state,
            }
            for s in wf_item.item_trail(db.session(), item.id)
        ]
    )


@api.bp.route("/admission/<int:item_id>/actions/<action_id>", methods=("POST",))
def api_act(item_id, action_id):
    user = api.need_user()
    item = item_or_404(user, item_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("version"), int):
        return api.error(400, "bad-request", "a JSON object with the integer 'version' is required")
    if not isinstance(body.get("submission", {}), dict):
        return api.error(400, "bad-request", "'submission' must be an object")
    return answer(
        lambda: wf_item.act_item(
            db.session(),
            item.id,
            action_id,
            casework.actor_of(user),
            body.get("submission") or {},
            body["version"],
            lang=current_lang(),
        )
    )


def _year() -> int | None:
    """`?year=`: a four-digit year (this year when not given); None when
    it is not one, so the API says so instead of answering another year."""
    text = request.args.get("year")
    if text is None or text == "":
        return utcnow().year
    return int(text) if text.isascii() and text.isdigit() and 1900 <= int(text) <= 9999 else None


@api.bp.route("/admission/register")
def api_register():
    api.need_user()
    lang = current_lang()
    session = db.session()
    version = casework.current_version(session)
    book = rulebook(version)
    unit = request.args.get("unit") or None
    if unit is not None and unit not in book.units:
        return api.error(422, "unknown-unit", f"unknown unit {unit!r}")
    year = _year()
    if year is None:
        return api.error(400, "bad-year", "year must be a year such as 2026")
    table = register.counts(session, version, [year - 1, year])
    return jsonify(
        {
            "entries": register_json(
                register.entries(session, version.pack, lang, unit), book, lang
            ),
            "counts": [
                {
                    "unit": c.unit,
                    "listed": c.listed,
                    "by_year": {str(y): n for y, n in c.by_year.items()},
                    "change": register.change(c.by_year[year - 1], c.by_year[year]),
                    "unadmitted": c.unadmitted,
                }
                for c in table
                if unit is None or c.unit == unit
            ],
        }
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
