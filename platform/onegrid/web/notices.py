"""Notifications in the app: the unread count in the header, the list, read
marks; and, for administrators, each unit's webhook (`onegrid.workflow.notify`)."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from onegrid.store import Delivery, Notification, Webhook, clients, utcnow
from onegrid.web import caseview, db, policyview
from onegrid.web.auth import admin_required, login_required
from onegrid.web.i18n import current_lang, t, text_of
from onegrid.workflow import notify

bp = Blueprint("notices", __name__)
PAGE = 50


def unread_count() -> int:
    if getattr(g, "user", None) is None:
        return 0
    if "onegrid_unread" not in g:
        g.onegrid_unread = notify.unread(db.session(), g.user.username)
        db.session().commit()  # end the read (SQLite writers queue behind open reads)
    return g.onegrid_unread


def subject_of(note: Notification) -> str:
    return text_of(note.subject, current_lang()) if note.subject else note.event


@bp.route("/notifications")
@login_required
def index():
    before = request.args.get("before", type=int)
    rows = notify.inbox(db.session(), g.user.username, limit=PAGE + 1, before=before)
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    items = [
        {
            "id": note.id,
            "subject": subject_of(note),
            "at": caseview.local(note.created_at),
            "unread": mine.read_at is None,
            "case": note.case_id,
        }
        for mine, note in rows
    ]
    db.session().commit()
    return render_template(
        "notices/index.html",
        items=items,
        next_before=items[-1]["id"] if more and items else None,
    )


@bp.route("/notifications/<int:note_id>/open", methods=("POST",))
@login_required
def open_one(note_id):
    """Mark one read and go to its case (or back to the list)."""
    note = db.session().get(Notification, note_id)
    if note is None:
        abort(404)
    if not notify.is_for(db.session(), g.user.username, note_id):
        abort(404)
    notify.mark_read(db.session(), g.user.username, [note_id])
    db.session().commit()
    if note.case_id is not None:
        return redirect(url_for("cases.show", case_id=note.case_id), code=303)
    return redirect(url_for("notices.index"), code=303)


@bp.route("/notifications/read", methods=("POST",))
@login_required
def read_all():
    count = notify.mark_read(db.session(), g.user.username)
    db.session().commit()
    flash(t(f"已将 {count} 条通知标为已读", f"Marked {count} notification(s) read"))
    return redirect(url_for("notices.index"), code=303)


# --- webhooks (administrators) ----------------------------------------------------


def hook_units() -> list[tuple[str, str]]:
    """(id, name) of what a webhook may be set for: the pack's units (not the
    registry's many grids), departments and enterprises."""
    policy = policyview.policy()
    out = []
    for ns in ("unit", "department", "enterprise"):
        out += [(i["id"], text_of(i.get("name"))) for i in policy.items(ns)]
    return out


def connector_hooks(session) -> dict[str, str]:
    """The callbacks connectors registered (/api/v1/connector/callback), by client name."""
    rows = session.scalars(select(clients.Open311Client)).all()
    return {
        notify.client_hook(c.id): t(f"对接客户端：{c.name}", f"Connector: {c.name}") for c in rows
    }


@bp.route("/admin/webhooks", methods=("GET", "POST"))
@admin_required
def webhooks():
    session = db.session()
    known = dict(hook_units())
    errors: dict[str, str] = {}
    form = {"unit": "", "url": "", "secret": ""}
    if request.method == "POST":
        form = {k: (request.form.get(k) or "").strip() for k in form}
        if form["unit"] not in known:
            errors["unit"] = t("请选择单位", "Choose a unit")
        parts = urlsplit(form["url"])
        if parts.scheme not in ("http", "https") or not parts.netloc or len(form["url"]) > 2000:
            errors["url"] = t(
                "请填写 http:// 或 https:// 开头的地址（不超过 2000 字符）",
                "Give an address starting with http:// or https:// (at most 2000 characters)",
            )
        if len(form["secret"]) > 200:
            errors["secret"] = t("密钥不超过 200 个字符", "The secret is at most 200 characters")
        if not errors:
            hook = session.scalar(select(Webhook).where(Webhook.unit == form["unit"]))
            if hook is None:
                hook = Webhook(unit=form["unit"], created_at=utcnow())
                session.add(hook)
            hook.url = form["url"]
            hook.secret = form["secret"] or hook.secret or secrets.token_urlsafe(24)
            hook.active = request.form.get("active", "on") == "on"
            hook.updated_at = utcnow()
            session.commit()
            flash(
                t(
                    f"已设置{known[form['unit']]}的通知地址",
                    f"Set the webhook of {known[form['unit']]}",
                )
            )
            return redirect(url_for("notices.webhooks"), code=303)
    hooks = session.scalars(select(Webhook).order_by(Webhook.unit)).all()
    recent = session.scalars(select(Delivery).order_by(Delivery.id.desc()).limit(20)).all()
    session.commit()
    return (
        render_template(
            "notices/webhooks.html",
            hooks=hooks,
            recent=recent,
            units=known,
            names={**known, **connector_hooks(session)},
            form=form,
            errors=errors,
            caseview=caseview,
        ),
        422 if errors else 200,
    )


@bp.route("/admin/webhooks/<int:hook_id>/delete", methods=("POST",))
@admin_required
def delete_webhook(hook_id):
    session = db.session()
    hook = session.get(Webhook, hook_id)
    if hook is None:
        abort(404)
    name = dict(hook_units()).get(hook.unit, hook.unit)
    session.delete(hook)
    session.commit()
    flash(t(f"已删除{name}的通知地址", f"Removed the webhook of {name}"))
    return redirect(url_for("notices.webhooks"), code=303)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(lambda: {"unread_count": unread_count})
