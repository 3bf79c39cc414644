""" "+1" 交办: a superior gives one of the holders below them an ad-hoc task
with a deadline; it lands in the holder's open round that is still open on
the due day and is ticked on 我的职责 like a listed item. Refusals (not
below you, a past deadline, beyond the round) come back on the page in
words. The engine is `onegrid.workflow.rounds.assign` (the round's
`add_task` transition)."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for

from onegrid import messages
from onegrid.web import casework, db, formview
from onegrid.web.auth import login_required
from onegrid.web.duties import unit_name
from onegrid.web.i18n import current_lang, t
from onegrid.workflow import errors as wf_errors
from onegrid.workflow import item as wf_item
from onegrid.workflow import rounds, ticks
from onegrid.workflow.rulebook import rulebook

bp = Blueprint("assign", __name__, url_prefix="/duties/assign")


def _tasks(found, lang) -> list[dict]:
    """The "+1" tasks already in the holder's open rounds, and where each stands."""
    out = []
    for rnd in found:
        for task in (rnd.result or {}).get("tasks") or ():
            done = ticks.ticks_of(rnd, task["id"])
            out.append(
                {
                    "id": task["id"],
                    "round": rnd.id,
                    "name": (task.get("name") or {}).get(lang)
                    or (task.get("name") or {}).get("zh"),
                    "due": task.get("due"),
                    "by": task.get("by"),
                    "done": bool(done),
                    "late": any(x.get("late") for x in done),
                }
            )
    return out


@bp.route("/", methods=("GET", "POST"))
@login_required
def index():
    lang = current_lang()
    session = db.session()
    version = casework.current_version(session)
    book = rulebook(version)
    actor = casework.actor_of(g.user)
    holders = rounds.assignable(session, version.pack, actor)
    order = sorted(holders, key=lambda u: (book.rank(book.level_of(u)), u))
    chosen = request.args.get("holder") or None
    refused, values, errors, status = None, {}, {}, 200
    form_id = None
    found = holders.get(chosen, [])
    if found:
        t_assign = ticks.by_effect(wf_item.book_of(found[0]), "add_task") or {}
        form_id = t_assign.get("form")
    if request.method == "POST":
        if chosen is None:
            abort(400)
        values = formview.coerce(form_id, request.form) if form_id else dict(request.form)
        errors = formview.errors(form_id, values, lang) if form_id else {}
        if not errors:
            try:
                rounds.assign(session, version.pack, chosen, values, actor, lang=lang)
            except wf_errors.InvalidSubmission as exc:
                session.rollback()
                errors = exc.errors if isinstance(exc.errors, dict) else {}
                refused = None if errors else _text(exc, lang)
                status = 422
            except (wf_errors.Forbidden, wf_errors.Conflict) as exc:
                session.rollback()
                refused = _text(exc, lang)
                status = 403 if isinstance(exc, wf_errors.Forbidden) else 409
            else:
                flash(
                    t(
                        f"已向“{unit_name(book, chosen, lang)}”交办：{values.get('task')}",
                        f"Assigned to {unit_name(book, chosen, lang)}: {values.get('task')}",
                    )
                )
                return redirect(url_for("assign.index", holder=chosen), code=303)
        else:
            status = 422
    form_html = (
        formview.fragment(
            form_id,
            values,
            errors,
            lang,
            action=url_for("assign.index", holder=chosen),
            id_prefix="task-",
            submit=t("交办", "Assign"),
        )
        if form_id
        else None
    )
    return (
        render_template(
            "duties/assign.html",
            holders=[{"id": u, "name": unit_name(book, u, lang)} for u in order],
            chosen=chosen if found else None,
            chosen_name=unit_name(book, chosen, lang) if chosen else "",
            unknown=bool(chosen) and not found,
            form_html=form_html,
            tasks=_tasks(found, lang),
            refused=refused,
        ),
        status,
    )


def _text(exc, lang) -> str:
    return "；".join(messages.text(p.code, p.params, lang) for p in exc.problems)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
