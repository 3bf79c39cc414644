"""我的职责 (my duties) and its supervision: a holder sees this period's
rounds of the units she sits in (or contributes to), ticks each item with the
evidence form its `evidence.type` asks for (generated from the pack) or marks
it not applicable with a reason; a supervisor sees completion per unit for a
month. The engine is `onegrid.workflow.rounds` (rounds are workflow items of
the pack's `duty_round` kind)."""

from __future__ import annotations

import datetime as dt

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
from onegrid.store import Item, utcnow
from onegrid.web import api, caseview, casework, db, formview, once
from onegrid.web import export as exports
from onegrid.web.auth import login_required
from onegrid.web.i18n import current_lang, t
from onegrid.workflow import claims, duty_plan, rounds, ticks
from onegrid.workflow import errors as wf_errors
from onegrid.workflow import item as wf_item
from onegrid.workflow.rulebook import rulebook

bp = Blueprint("duties", __name__, url_prefix="/duties")

FREQUENCY = {
    "daily": ("每日", "daily"),
    "weekly": ("每周", "weekly"),
    "monthly": ("每月", "monthly"),
    "quarterly": ("每季度", "quarterly"),
    "half_yearly": ("每半年", "half-yearly"),
    "yearly": ("每年", "yearly"),
    "on_event": ("随事", "when it happens"),
    "ongoing": ("经常性", "ongoing"),
    "once": ("交办", "assigned"),
}


def _pair(pair) -> str:
    return pair[1] if current_lang() == "en" else pair[0]


def my_rounds(user) -> list[Item]:
    """Open rounds held by, or contributed to by, a unit the user sits in."""
    units = sorted({b.unit for b in user.bindings})
    if not units and casework.person_id(user) is None:
        return []
    pack = casework.current_version(db.session()).pack
    held = (
        db.session()
        .scalars(
            select(Item).where(Item.pack == pack, Item.closed_at.is_(None), Item.unit.in_(units))
        )
        .all()
    )
    found = {r.id: r for r in held}
    # a cross-block item's `with` blocks contribute to the lead's round
    for r in db.session().scalars(
        select(Item).where(Item.pack == pack, Item.closed_at.is_(None), Item.unit.not_in(units))
    ):
        if set(r.assistants or ()) & set(units):
            found[r.id] = r
    # a claimed post's rounds: their claimant's (a linked account), no one else's
    person = casework.person_id(user)
    if person is not None:
        from onegrid.store import Person

        home = db.session().get(Person, person).home_grid
        for r in db.session().scalars(
            select(Item).where(Item.pack == pack, Item.closed_at.is_(None), Item.unit == home)
        ):
            if (r.data or {}).get("person") == person:
                found[r.id] = r
    out = []
    for r in found.values():
        book = rulebook(r.policy_version)
        claimant = (r.data or {}).get("person")
        if r.kind in ticks.kinds(book) and claimant in (None, person):
            out.append(r)
    return sorted(out, key=lambda r: (r.due_at is None, r.due_at or utcnow(), r.id))


def round_view(rnd: Item, user, lang, failed=None, values=None, errors=None) -> dict:
    """A round as the page shows it: each row with its state and, for whoever
    may tick it, the evidence and not-applicable forms."""
    book = wf_item.book_of(rnd)
    actor = casework.actor_of(user)
    period = ticks.period_of(rnd)
    lst = duty_plan.lists(book).get(rnd.data.get("list")) or {}
    due = ticks.due_of(rnd)
    now = utcnow()
    na_form = ticks.duties_section(book).get("not_applicable_form")
    out_rows = []
    for row in rounds.rows(rnd, lang):
        duty = ticks.duty_of(book, rnd, row.id) or {}
        mine = ticks.refusal(book, rnd, duty, actor, lang) is None
        prefix = f"r{rnd.id}-{row.id.replace('.', '-').replace('+', 'p')}-"
        own = failed == row.id
        forms = {}
        if mine and not row.complete:
            target = url_for(
                "duties.tick_item",
                round_id=rnd.id,
                duty=row.id,
                version=rnd.version,
                **{once.PARAM: once.new()},
            )
            if row.form:
                forms["tick"] = formview.fragment(
                    row.form,
                    values if own and failed_kind(values) == "tick" else None,
                    errors if own and failed_kind(values) == "tick" else None,
                    lang,
                    action=target,
                    id_prefix=prefix,
                    submit=t("销号", "Tick off"),
                )
            if na_form and not row.done and not row.task:
                forms["na"] = formview.fragment(
                    na_form,
                    values if own and failed_kind(values) == "na" else None,
                    errors if own and failed_kind(values) == "na" else None,
                    lang,
                    action=url_for(
                        "duties.tick_item",
                        round_id=rnd.id,
                        duty=row.id,
                        version=rnd.version,
                        na=1,
                        **{once.PARAM: once.new()},
                    ),
                    id_prefix=f"{prefix}na-",
                    submit=t("本期不适用", "Not applicable"),
                )
        if row.na is not None:
            status, css = t("不适用", "Not applicable"), "ok"
        elif row.complete:
            status, css = t("已销号", "Done"), "ok"
        elif due is not None and now > due and row.expected:
            status, css = t("逾期未销号", "Overdue"), "overdue"
        elif not row.expected:
            status = t(f"随事销号 {row.done} 次", f"when it happens: {row.done}")
            css = "ok" if row.done else "muted"
        else:
            status, css = t("待销号", "To do"), ""
        out_rows.append(
            {
                "row": row,
                "dom": prefix.rstrip("-"),
                "frequency": _pair(FREQUENCY.get(row.frequency, (row.frequency, row.frequency))),
                "evidence": evidence_name(book, row, lang),
                "with": [unit_name(book, u, lang) for u in row.with_units],
                "status": status,
                "css": css,
                "forms": forms,
                "progress": f"{row.done}/{row.expected}" if row.expected > 1 else "",
            }
        )
    return {
        "id": rnd.id,
        "list": book.name(lst, lang, rnd.data.get("list", "")),
        "holder": ticks.holder_name(book, rnd, lang)
        if rnd.data.get("claimant")
        else unit_name(book, rnd.unit, lang),
        "period": period.label(lang) if period else rnd.data.get("period"),
        # the last working day (the moment is midnight after it)
        "due": caseview.local(due - dt.timedelta(minutes=1))[:10] if due else None,
        "overdue": due is not None and now > due,
        "rows": out_rows,
        "done": sum(1 for r in out_rows if r["row"].complete),
        "count": sum(1 for r in out_rows if r["row"].expected or r["row"].na),
    }


def failed_kind(values) -> str | None:
    return (values or {}).get("__kind")


def evidence_name(book, row, lang) -> str:
    form = book.forms.get(row.form) if row.form else None
    return book.name(form, lang, row.evidence or "") if form else (row.evidence or "")


def unit_name(book, unit_id, lang) -> str:
    found = book.units.get(unit_id) or book.departments.get(unit_id)
    return book.name(found, lang, unit_id or "") if found else (unit_id or "")


@bp.route("/")
@login_required
def index(failed_round=None, failed=None, values=None, errors=None, refused=None, status=200):
    lang = current_lang()
    views = [
        round_view(r, g.user, lang, failed if r.id == failed_round else None, values, errors)
        for r in my_rounds(g.user)
    ]
    book = rulebook(casework.current_version(db.session()))
    return (
        render_template(
            "duties/index.html",
            rounds=views,
            refused=refused,
            posts=bool(claims.kinds(book) and claims.posts(book)),
        ),
        status,
    )


@bp.route("/<int:round_id>/<duty>", methods=("POST",))
@login_required
def tick_item(round_id, duty):
    lang = current_lang()
    try:
        rnd = wf_item.get_item(db.session(), round_id)
    except wf_errors.CaseNotFound:
        abort(404)
    book = wf_item.book_of(rnd)
    if rnd.kind not in ticks.kinds(book):
        abort(404)
    token = once.of_request()
    if once.earlier(db.session(), g.user.username, token) is not None:
        # the same form again (a retry of the phone's outbox, a double tap): ticked once
        flash(t("这次销号已提交过，未重复销号", "This tick was sent before: not ticked twice"))
        return redirect(url_for("duties.index") + f"#round-{round_id}", code=303)
    expected = request.args.get("version", type=int)
    if expected is None:
        abort(400)
    na = bool(request.args.get("na"))
    spec = ticks.duty_of(book, rnd, duty)
    form = (
        ticks.duties_section(book).get("not_applicable_form")
        if na
        else (ticks.form_of(book, spec) if spec else None)
    )
    values, errors = {}, {}
    if form:
        values = formview.coerce(form, request.form)
        refused = {} if na else formview.save_photos(form, request.files, values, lang)
        errors = {**formview.errors(form, values, lang), **refused}
    kind = "na" if na else "tick"
    if errors:
        return index(round_id, duty, {**values, "__kind": kind}, errors, None, 422)
    once.keep(db.session(), g.user.username, token, "tick", [])  # committed with the tick
    try:
        rounds.tick(
            db.session(),
            round_id,
            duty,
            casework.actor_of(g.user),
            values,
            expected,
            lang=lang,
            not_applicable=na,
        )
    except wf_errors.InvalidSubmission as exc:
        db.session().rollback()
        errors = exc.errors if isinstance(exc.errors, dict) else {"": [api.problems_text(exc)]}
        return index(round_id, duty, {**values, "__kind": kind}, errors, None, 422)
    except (wf_errors.Conflict, wf_errors.Forbidden) as exc:
        db.session().rollback()
        code = 403 if isinstance(exc, wf_errors.Forbidden) else 409
        text = "；".join(messages.text(p.code, p.params, lang) for p in exc.problems)
        return index(refused=text, status=code)
    what = book.name(spec, lang, duty) if spec else duty
    flash(
        t(f"已销号：{what}", f"Ticked off: {what}")
        if not na
        else t(f"已标为本期不适用：{what}", f"Marked not applicable this period: {what}")
    )
    return redirect(url_for("duties.index") + f"#round-{round_id}", code=303)


def month_of(text: str | None) -> duty_plan.Period:
    """The period a key names (a month, week, quarter, half-year or year);
    this month when none or a bad one is given."""
    period = duty_plan.parse(text or "")
    if period is None:
        today = utcnow().date()
        period = duty_plan.period_of("month", today)
    return period


def holder_people(session, book, units) -> dict[str, list[str]]:
    """The names of the people behind each holder: a claimant's record, or
    the active accounts bound at the unit in a role some duty list is held by
    (any role at a department or post)."""
    from onegrid.store import Person
    from onegrid.store.accounts import RoleBinding, User

    out: dict[str, list[str]] = {}
    ids = [int(u.split(":", 1)[1]) for u in units if u.startswith("person:")]
    for p in session.scalars(select(Person).where(Person.id.in_(ids or [0]))):
        out[f"person:{p.id}"] = [p.name]
    roles = {lst.get("holder") for lst in duty_plan.lists(book).values()}
    plain = [u for u in units if not u.startswith("person:")]
    rows = session.execute(
        select(RoleBinding.unit, RoleBinding.role, User.name)
        .join(User, User.id == RoleBinding.user_id)
        .where(User.active.is_(True), RoleBinding.unit.in_(plain or [""]))
        .order_by(User.name)
    )
    for unit, role, name in rows:
        if role in roles or unit in book.departments:
            out.setdefault(unit, []).append(name)
    return out


def completion_rows(session, user, book, version, period, lang) -> list[dict]:
    """Completion per holder (a grid, a post, a claimant) and per unit above
    them, in the user's area, with each holder's overdue duties named."""
    figures = rounds.completion(session, version.pack, period)
    mine = {b.unit for b in user.bindings}
    shown = []
    for unit, f in figures.items():
        chain = set(rounds.above(book, f.grid if unit.startswith("person:") else unit))
        if not user.is_admin and not (chain & mine):
            continue
        shown.append((unit, f))
    people = holder_people(session, book, [u for u, f in shown if f.holder])
    names: dict[int, Item] = {}
    out = []
    for unit, f in shown:
        overdue = []
        for round_id, duty_id in f.overdue_items:
            rnd = names.get(round_id) or session.get(Item, round_id)
            names[round_id] = rnd
            spec = ticks.duty_of(wf_item.book_of(rnd), rnd, duty_id) if rnd else None
            overdue.append(book.name(spec, lang, duty_id) if spec else duty_id)
        person = unit.startswith("person:")
        level_of = book.level_of(f.grid if person else unit)
        out.append(
            {
                "unit": unit,
                "name": (people.get(unit) or [unit])[0] if person else unit_name(book, unit, lang),
                "level": t("认岗人员", "claimant")
                if person
                else book.name(book.levels.get(book.level_of(unit)), lang, ""),
                "rank": book.rank(level_of) + (1 if person else 0),
                "people": people.get(unit, []) if not person else [],
                "where": unit_name(book, f.grid, lang) if person else "",
                "f": f,
                "rate": f"{f.rate:.0%}" if f.rate is not None else "—",
                "overdue": overdue,
            }
        )
    out.sort(key=lambda r: (r["rank"], r["unit"]))
    return out


def _completion(lang) -> tuple[duty_plan.Period, list[dict]]:
    """The period the query names and its rows for the signed-in user."""
    session = db.session()
    version = casework.current_version(session)
    period = month_of(request.args.get("month"))
    return period, completion_rows(session, g.user, rulebook(version), version, period, lang)


def _period_links(period: duty_plan.Period) -> tuple[str, str]:
    previous = duty_plan.period_of(period.kind, period.start - dt.timedelta(days=1))
    return previous.key, period.next().key


@bp.route("/completion")
@login_required
def completion_page():
    """Completion per holder and unit for a period: the user's units and those below."""
    lang = current_lang()
    period, rows = _completion(lang)
    previous, following = _period_links(period)
    return render_template(
        "duties/completion.html",
        rows=rows[:500],
        total=len(rows),
        month=period.label(lang),
        key=period.key,
        previous=previous,
        following=following,
        kinds=[
            (duty_plan.period_of(k, period.start).key, _pair(duty_plan.PERIOD_NAMES[k]))
            for k in ("week", "month", "quarter", "half", "year")
        ],
    )


EXPORT_HEADER = {
    "zh": ["编号", "名称", "层级", "所在单位", "人员", "轮次", "应销", "已完成", "完成率",
           "不适用", "逾期补销", "逾期未销", "逾期事项"],
    "en": ["id", "name", "level", "where", "people", "rounds", "due", "done", "rate",
           "not applicable", "late", "overdue", "overdue duties"],
}  # fmt: skip


@bp.route("/completion.<fmt>")
@login_required
def completion_export(fmt):
    """The page's figures (every row, not only the first 500) as CSV or Excel."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    lang = current_lang()
    period, rows = _completion(lang)
    sep = "、" if lang == "zh" else "; "
    table = [
        [
            r["unit"],
            r["name"],
            r["level"],
            r["where"],
            sep.join(r["people"]),
            r["f"].rounds,
            r["f"].expected,
            r["f"].complete,
            round(r["f"].rate, 4) if r["f"].rate is not None else "",
            r["f"].na,
            r["f"].late,
            r["f"].overdue,
            sep.join(r["overdue"]),
        ]
        for r in rows
    ]
    return exports.table_response(
        fmt, EXPORT_HEADER[lang], table, f"duty-completion-{period.key}", period.key
    )


# --- the JSON API (under /api/v1/) ------------------------------------------------


def round_json(rnd: Item, user, lang) -> dict:
    view = round_view(rnd, user, lang)
    return {
        "id": rnd.id,
        "version": rnd.version,
        "list": rnd.data.get("list"),
        "list_name": view["list"],
        "holder": rnd.unit,
        "holder_name": view["holder"],
        "period": rnd.data.get("period"),
        "period_name": view["period"],
        "due_at": rnd.result.get("decision", {}).get("due"),
        "items": [
            {
                "id": r["row"].id,
                "name": r["row"].name,
                "frequency": r["row"].frequency,
                "evidence": r["row"].evidence,
                "form": r["row"].form,
                "expected": r["row"].expected,
                "done": r["row"].done,
                "late": r["row"].late,
                "not_applicable": r["row"].na,
                "complete": r["row"].complete,
                "ticks": r["row"].ticks,
            }
            for r in view["rows"]
        ],
    }


@api.bp.route("/duties")
def api_mine():
    user = api.need_user()
    lang = current_lang()
    return jsonify([round_json(r, user, lang) for r in my_rounds(user)])


@api.bp.route("/duties/<int:round_id>/items/<duty>", methods=("POST",))
def api_tick(round_id, duty):
    user = api.need_user()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("version"), int):
        return api.error(400, "bad-request", "a JSON object with the integer 'version' is required")
    if not isinstance(body.get("submission", {}), dict):
        return api.error(400, "bad-request", "'submission' must be an object")
    try:
        rnd = wf_item.get_item(db.session(), round_id)
    except wf_errors.CaseNotFound:
        return api.error(404, "not-found", f"no duty round {round_id}")
    if rnd.kind not in ticks.kinds(wf_item.book_of(rnd)):
        return api.error(404, "not-found", f"no duty round {round_id}")
    try:
        done = rounds.tick(
            db.session(),
            round_id,
            duty,
            casework.actor_of(user),
            body.get("submission") or {},
            body["version"],
            lang=current_lang(),
            not_applicable=bool(body.get("not_applicable")),
        )
    except wf_errors.InvalidSubmission as exc:
        db.session().rollback()
        errors = exc.errors if isinstance(exc.errors, dict) else None
        return api.error(422, "invalid-submission", api.problems_text(exc), errors=errors)
    except wf_errors.Conflict as exc:
        db.session().rollback()
        return api.error(409, "conflict", api.problems_text(exc))
    except wf_errors.Forbidden as exc:
        db.session().rollback()
        return api.error(403, "forbidden", api.problems_text(exc))
    return jsonify(round_json(done, user, current_lang()))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
