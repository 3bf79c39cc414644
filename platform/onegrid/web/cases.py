"""Staff pages: inbox, new report, case page, actions."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from onegrid import forms
from onegrid.store import Case, utcnow
from onegrid.web import (
    caseview,
    casework,
    db,
    flashes,
    formview,
    listing,
    offline,
    once,
    picker,
    policyview,
    scope,
    uploads,
)
from onegrid.web import export as export_view
from onegrid.web.auth import login_required, safe_next
from onegrid.web.i18n import current_lang, t, text_of
from onegrid.workflow import case as wf_case
from onegrid.workflow import errors as wf_errors

bp = Blueprint("cases", __name__)
bp.register_error_handler(413, uploads.too_large)  # the form again, not a bare 413 page

TAB_NAMES = {
    "mine": ("待我处理", "Mine"),
    "due_soon": ("即将到期", "Due soon"),
    "overdue": ("已超时", "Overdue"),
    "supervised": ("督办", "Supervised"),
    "all": ("全部", "All"),
}


@bp.route("/")
@login_required
def inbox():
    lang = current_lang()
    tab = request.args.get("tab", "mine")
    if tab not in listing.TABS:
        tab = "mine"
    sort = request.args.get("sort", "due")
    f = listing.Filters.from_args(request.args)
    if f.matters and "tab" not in request.args:
        tab = "all"  # a search by matter: every case of it in the user's scope
    try:
        page = listing.listing(
            db.session(), g.user, tab, f, sort, request.args.get("cursor") or None
        )
    except listing.BadCursor:
        abort(400)
    actor = casework.actor_of(g.user)
    rows, bulk = [], {}
    for c in page.cases:
        acts = wf_case.actions_for(c, actor, lang)
        for a in acts:
            if not a.form and not caseview.destructive(c, a):
                bulk.setdefault(a.id, a.name)
        rows.append(
            {"case": c, "title": caseview.title_of(c), "urgency": caseview.urgency_of(c, lang)}
        )
    args = f.as_args()
    return render_template(
        "cases/inbox.html",
        tab=tab,
        sort=sort,
        filters=f,
        args=args,
        page=page,
        rows=rows,
        bulk=bulk,
        groups=listing.matter_groups(lang),
        states=caseview.state_choices(lang),
        channels=caseview.channel_choices(db.session(), lang),
        urgencies=caseview.urgency_choices(lang),
        tabs=[(k, t(*TAB_NAMES[k])) for k in listing.TABS],
        sorts=[
            ("due", t("剩余时间最少优先", "Least time left first")),
            ("new", t("最新上报优先", "Newest first")),
            ("old", t("最早上报优先", "Oldest first")),
        ],
        caseview=caseview,
        mine_exact=listing.MINE_EXACT,
        count_exact=listing.COUNT_EXACT,
        now_cursor=request.args.get("cursor"),
        once=once.new(),
    )


@bp.route("/inbox/counts")
@login_required
def inbox_counts():
    """The inbox's tab counts for the same filters, and the unread
    notifications: what the open inbox polls to say that work arrived."""
    from onegrid.web import notices

    f = listing.Filters.from_args(request.args)
    session = db.session()
    mine, rough = listing.mine_count(session, g.user, f)
    estimated = {"mine"} if rough else set()
    counts = {
        "mine": mine,
        **listing.tab_counts(session, g.user, f, utcnow(), estimated),
    }
    return {
        "counts": counts,
        "estimated": sorted(estimated),
        "unread": notices.unread_count(),
    }


@bp.route("/cases/bulk", methods=("POST",))
@login_required
def bulk():
    """Take one form-less action (受理, 转办) on each ticked case that offers it."""
    lang = current_lang()
    action_id = request.form.get("action", "")
    actor = casework.actor_of(g.user)
    token = once.of_request()
    if repeated := _repeated(token, lang):
        flash(repeated)
        return redirect(safe_next(request.form.get("next")), code=303)
    done, skipped = [], []
    for raw in request.form.getlist("case")[:200]:
        case_id, _, version = raw.partition(":")
        if not case_id.isdigit() or not version.isdigit():
            abort(400)
        case = scope.case_or_404(g.user, int(case_id))
        offered = {a.id: a for a in wf_case.actions_for(case, actor, lang)}
        action = offered.get(action_id)
        if action is None or action.form or case.version != int(version):
            skipped.append(case.id)
            continue
        try:
            wf_case.act(db.session(), case.id, action_id, actor, {}, int(version), lang=lang)
        except (wf_errors.Conflict, wf_errors.Forbidden, wf_errors.InvalidSubmission):
            db.session().rollback()
            skipped.append(case.id)
        else:
            done.append((case.id, action.name))
    if done:
        once.keep(db.session(), g.user.username, token, action_id, [i for i, _ in done])
        db.session().commit()
        name = done[0][1]
        flash(
            t(f"已{name} {len(done)} 件：", f"{name}: {len(done)} case(s): ")
            + "、".join(f"#{i}" for i, _ in done)
        )
    if skipped:
        flash(
            t(
                f"{len(skipped)} 件未办理（已被他人更新，或此操作不对您开放）：",
                f"{len(skipped)} case(s) not done (changed meanwhile or not open to you): ",
            )
            + "、".join(f"#{i}" for i in skipped)
        )
    return redirect(safe_next(request.form.get("next")), code=303)


def reportable_places(user) -> list:
    """Units the user may report from: those in reach, or all if none."""
    units, _ = scope.reach(user)
    known = policyview.load().units.values()
    return [u for u in known if not units or u["id"] in units]


@bp.route("/cases/new", methods=("GET", "POST"))
@login_required
def new():
    """Two steps: choose the matter and the place; then fill the matter's form."""
    lang = current_lang()
    policy = policyview.policy()
    places = reportable_places(g.user)
    matter_id = request.args.get("matter")
    matter = policy.get("matter", matter_id) if matter_id else None
    place = request.args.get("place") or None
    if matter is not None and not matter.get("form"):
        matter = None
    if place is not None and place not in {u["id"] for u in places}:
        place = None
    if matter is not None and place is None and places:
        if request.method == "POST":
            abort(400)  # the form's action always names a place chosen in step one
        place = picker.home_place(g.user, places)
    values, errors, status = {}, {}, 200
    key = request.args.get("key") or ""
    if not 0 < len(key) <= 100:  # the stored key has room for 100 of the client's
        key = casework.new_idempotency_key()
        if matter is not None and request.method == "GET":
            # the key in the form page's own URL: back and reload bring the same one
            return redirect(url_for("cases.new", matter=matter["id"], place=place, key=key))
    if (
        matter is not None
        and request.method == "POST"
        and (earlier := casework.reported_with(db.session(), g.user, key))
    ):
        flash(flashes.repeated_report(earlier, lang))
        return redirect(url_for("cases.show", case_id=earlier.id))
    if matter is not None and request.method == "POST":
        # the version the form was filled under (offline.js sends it), if the pack still takes it
        under, form_id, under_policy, old_form = offline.filled_under(matter, lang)
        values = formview.coerce(form_id, request.form, under_policy)
        refused = formview.save_photos(form_id, request.files, values, lang, under_policy)
        errors = {**formview.errors(form_id, values, lang, under_policy), **refused}
        if old_form:
            flash(old_form)  # the answers stay in the new form below
        if not errors and not old_form:
            try:
                case = casework.open_case(
                    db.session(),
                    g.user,
                    matter["id"],
                    place,
                    values,
                    door="pages",
                    idempotency_key=casework.report_key(g.user, key),
                    version=under,
                )
            except wf_errors.InvalidSubmission as exc:
                db.session().rollback()
                errors = exc.errors if isinstance(exc.errors, dict) else {"": [str(exc)]}
            except wf_errors.Conflict:
                db.session().rollback()
                abort(409)
            else:
                flash(flashes.reported(case, lang))
                return redirect(url_for("cases.show", case_id=case.id))
        status = 422
    form_html = None
    if matter is not None and request.method == "GET":
        values = picker.prefilled(policy, matter["form"], place)
    if matter is not None:
        form_html = formview.fragment(
            matter["form"],
            values,
            errors,
            lang,
            action=url_for("cases.new", matter=matter["id"], place=place or "", key=key),
            id_prefix="report-",
            submit=t("上报", "Submit report"),
            omit=casework.report_omits(db.session(), matter),
        )
    return (
        render_template(
            "cases/new.html",
            groups=picker.groups(policy, lang),
            matter=matter,
            places=places,
            place=place or picker.home_place(g.user, places),
            form_html=form_html,
            duplicates=casework.duplicates_for_report(db.session(), g.user, matter["id"], place)
            if matter is not None
            else [],
            caseview=caseview,
        ),
        status,
    )


def case_page(case, failed=None, values=None, errors=None, status=200):
    lang = current_lang()
    actor = casework.actor_of(g.user)
    actions = []
    for action in wf_case.actions_for(case, actor, lang):
        target = url_for(
            "cases.act",
            case_id=case.id,
            action_id=action.id,
            version=case.version,
            **{once.PARAM: once.new()},
        )
        html = None
        if action.form:
            own = failed == action.id
            html = formview.fragment(
                action.form,
                values if own else None,
                errors if own else None,
                lang,
                action=target,
                id_prefix=f"{action.id}-",
                submit=text_of(action.name, lang),
                narrow=wf_case.choices_for(case, action.id),
            )
        actions.append(
            {
                "id": action.id,
                "name": text_of(action.name, lang),
                "html": html,
                "target": target,
                "destructive": caseview.destructive(case, action),
            }
        )
    return (
        render_template(
            "cases/show.html",
            case=case,
            data=caseview.case_json(case, lang),
            actions=actions,
            story=caseview.story(case, wf_case.trail(db.session(), case.id), lang),
            waiting=caseview.waiting(case, lang),
            left=caseview.time_left(case, lang),
            caseview=caseview,
            why=caseview.why(case, lang, admin=g.user.is_admin),
            failed=failed,
            refused=wf_case.refused_for(case, actor, lang),
            duplicates=casework.likely_duplicates(db.session(), g.user, case)
            if any(a["id"] == "merge" for a in actions)
            else [],
        ),
        status,
    )


@bp.route("/cases/<int:case_id>")
@login_required
def show(case_id):
    return case_page(scope.case_or_404(g.user, case_id))


@bp.route("/cases/<int:case_id>/act/<action_id>", methods=("POST",))
@login_required
def act(case_id, action_id):
    lang = current_lang()
    case = scope.case_or_404(g.user, case_id)
    actor = casework.actor_of(g.user)
    token = once.of_request()
    if repeated := _repeated(token, lang):
        flash(repeated)
        return redirect(url_for("cases.show", case_id=case_id), code=303)
    expected = request.args.get("version", type=int)
    if expected is None:
        abort(400)
    if expected != case.version:
        return stale(case_id)
    action = next((a for a in wf_case.actions_for(case, actor, lang) if a.id == action_id), None)
    if action is None:
        return not_mine(case, actor, action_id, lang)
    values, errors = {}, {}
    if action.form:
        values = formview.coerce(action.form, request.form)
        refused = formview.save_photos(action.form, request.files, values, lang)
        errors = {**formview.errors(action.form, values, lang), **refused}
    if errors:
        return case_page(case, action_id, values, errors, 422)
    unit_before = case.unit
    once.keep(db.session(), g.user.username, token, action_id, [case.id])  # committed with the step
    try:
        case = wf_case.act(db.session(), case.id, action_id, actor, values, expected, lang=lang)
    except wf_errors.InvalidSubmission as exc:
        db.session().rollback()
        case = scope.case_or_404(g.user, case_id)
        errors = exc.errors if isinstance(exc.errors, dict) else {"": [str(exc)]}
        return case_page(case, action_id, values, errors, 422)
    except wf_errors.Conflict:
        db.session().rollback()
        return stale(case_id)
    except wf_errors.Forbidden:
        db.session().rollback()
        abort(403)
    flash(flashes.done(case, action_id, action.name, unit_before, lang))
    return redirect(url_for("cases.show", case_id=case_id), code=303)


def _repeated(token: str | None, lang: str) -> str | None:
    """The flash for a form already submitted (what it did), or None."""
    row = once.earlier(db.session(), g.user.username, token)
    if row is None:
        return None
    cases = [c for c in (db.session().get(Case, i) for i in row.cases) if c is not None]
    return flashes.repeated_step(row, cases, lang)


def not_mine(case, actor, action_id: str, lang: str):
    """Not this actor's to take: say why when separation of duties is the
    reason (the case page, 403), else a plain 403."""
    reason = next(
        (why for a, why in wf_case.refused_for(case, actor, lang) if a.id == action_id), None
    )
    if reason is None:
        abort(403)
    flash(reason)
    return case_page(case, status=403)


def stale(case_id: int):
    """Someone acted first: show the case as it is now, and say so."""
    flash(flashes.stale(db.session().get(Case, case_id), current_lang()))
    # `stale`: so that the phone's outbox can tell this from a step taken
    return redirect(url_for("cases.show", case_id=case_id, stale=1), code=303)


@bp.route("/cases/<int:case_id>/photos/<name>")
@login_required
def photo(case_id, name):
    """An attachment, only of a case in the user's scope and only if the case holds it."""
    case = scope.case_or_404(g.user, case_id)
    return casework.photo_response(case, name)


def filtered_view():
    """The select of the inbox view the export link came from (tab and
    filters), and the test each row must also pass (listing.view_select)."""
    tab = request.args.get("tab", "all")
    tab = tab if tab in listing.TABS else "all"
    f = listing.Filters.from_args(request.args)
    return listing.view_select(db.session(), g.user, tab, f)


@bp.route("/cases/export.csv")
@login_required
def export():
    """The filtered view as CSV (UTF-8 with BOM), streamed."""
    stmt, keep = filtered_view()
    return export_view.csv_response(stmt, current_lang(), keep=keep)


@bp.route("/cases/export.xlsx")
@login_required
def export_xlsx():
    """The filtered view as an Excel workbook."""
    stmt, keep = filtered_view()
    return export_view.xlsx_response(stmt, current_lang(), keep=keep)


@bp.route("/forms.css")
def forms_css():
    return Response(forms.html.stylesheet(), mimetype="text/css")


@bp.route("/forms.js")
def forms_js():
    return Response(forms.html.script(), mimetype="text/javascript")


def _from_iso(value):
    """An ISO timestamp kept in a case's JSON (progress, parts) as a datetime."""
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def init_app(app: Flask) -> None:
    app.jinja_env.filters["fromiso"] = _from_iso
    uploads.init_app(app)
    app.register_blueprint(bp)
