"""Administration of people: users, their roles at units, departments and
enterprises, disabling and password resets (`onegrid.workflow.staff` does
the work and audits it; `onegrid users` is the same from the command line)."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from onegrid import messages
from onegrid.errors import OnegridError
from onegrid.store import AuditEntry
from onegrid.store.accounts import User
from onegrid.web import casework, db
from onegrid.web.auth import admin_required
from onegrid.web.i18n import current_lang, t
from onegrid.workflow import staff
from onegrid.workflow.rulebook import rulebook

bp = Blueprint("people", __name__, url_prefix="/admin/users")

# the audit actions of people, as the change history names them
CHANGES = {
    "user.create": ("创建", "created"),
    "user.disable": ("停用", "disabled"),
    "user.enable": ("启用", "enabled"),
    "user.bind": ("授予角色", "role given"),
    "user.unbind": ("收回角色", "role taken away"),
    "user.password": ("重置密码", "password reset"),
}


def _book():
    return rulebook(casework.current_version(db.session()))


def _choices(book, lang):
    """Roles and places as (id, label) for the forms' lists."""
    roles = [(r, book.name(item, lang, r)) for r, item in book.roles.items()]
    places = [(u, book.name(item, lang, u)) for u, item in staff.places(book).items()]
    return roles, places


def _refused(exc: OnegridError) -> None:
    for problem in exc.problems:
        flash(messages.text(problem.code, problem.params, current_lang()) + _hint(problem))


def _hint(problem) -> str:
    if problem.hint is None:
        return ""
    return (" " if current_lang() == "en" else "；") + messages.text(
        problem.hint.code, problem.hint.params, current_lang()
    )


def _names(book, lang):
    places = staff.places(book)
    return {
        "role": lambda r: book.name(book.roles.get(r), lang, r),
        "place": lambda u: book.name(places.get(u), lang, u),
    }


@bp.route("/")
@admin_required
def index():
    lang = current_lang()
    book = _book()
    users = db.session().scalars(select(User).order_by(User.username)).all()
    roles, places = _choices(book, lang)
    return render_template(
        "admin/users.html", users=users, roles=roles, places=places, names=_names(book, lang)
    )


@bp.route("/", methods=("POST",))
@admin_required
def create():
    session = db.session()
    form = request.form
    username = form.get("username", "").strip()
    role, unit = form.get("role", "").strip(), form.get("unit", "").strip()
    try:
        _, password = staff.create(
            session,
            _book(),
            username,
            form.get("name", "").strip(),
            [(role, unit)] if role and unit else [],
            is_admin=form.get("admin") == "on",
            by=g.user.username,
        )
        session.commit()
    except OnegridError as exc:
        session.rollback()
        _refused(exc)
        return redirect(url_for("people.index"), code=303)
    flash(
        t(
            f"已创建用户 {username}，初始密码：{password}",
            f"Created {username}; first password: {password}",
        )
    )
    return redirect(url_for("people.show", username=username), code=303)


@bp.route("/<username>")
@admin_required
def show(username):
    lang = current_lang()
    session = db.session()
    book = _book()
    try:
        user = staff.find(session, username)
    except OnegridError:
        abort(404)
    roles, places = _choices(book, lang)
    # the platform rows about this user, newest first
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.case_id.is_(None), AuditEntry.action.like("user.%"))
        .order_by(AuditEntry.seq.desc())
        .limit(500)
    ).all()
    history = [r for r in rows if f'"user":"{username}"' in r.payload][:50]
    return render_template(
        "admin/user.html",
        user=user,
        roles=roles,
        places=places,
        names=_names(book, lang),
        history=history,
        changes={k: t(*v) for k, v in CHANGES.items()},
    )


def _said(username, role, unit, zh, en) -> tuple[str, str]:
    """A role change in words: the user, the role's and the place's names."""
    out = []
    for lang, text in (("zh", zh), ("en", en)):
        names = _names(_book(), lang)
        out.append(text.format(user=username, role=names["role"](role), unit=names["place"](unit)))
    return out[0], out[1]


def _change(username, do, done_zh, done_en):
    session = db.session()
    try:
        result = do(session)
        session.commit()
    except OnegridError as exc:
        session.rollback()
        _refused(exc)
        return redirect(url_for("people.show", username=username), code=303)
    flash(t(done_zh, done_en) + (f"：{result}" if isinstance(result, str) else ""))
    return redirect(url_for("people.show", username=username), code=303)


@bp.route("/<username>/bind", methods=("POST",))
@admin_required
def bind(username):
    role, unit = request.form.get("role", "").strip(), request.form.get("unit", "").strip()
    return _change(
        username,
        lambda s: staff.bind(s, _book(), username, role, unit, by=g.user.username) and None,
        *_said(
            username,
            role,
            unit,
            "已授予{user}“{role}”角色（{unit}）",
            "Gave {user} the role “{role}” at {unit}",
        ),
    )


@bp.route("/<username>/unbind", methods=("POST",))
@admin_required
def unbind(username):
    role, unit = request.form.get("role", ""), request.form.get("unit", "")
    return _change(
        username,
        lambda s: staff.unbind(s, username, role, unit, by=g.user.username) and None,
        *_said(
            username,
            role,
            unit,
            "已收回{user}的“{role}”角色（{unit}）",
            "Took the role “{role}” at {unit} away from {user}",
        ),
    )


@bp.route("/<username>/disable", methods=("POST",))
@admin_required
def disable(username):
    return _change(
        username,
        lambda s: staff.set_active(s, username, False, by=g.user.username) and None,
        f"已停用 {username}：不能再登录，记录保留",
        f"Disabled {username}: they can no longer log in; their records stay",
    )


@bp.route("/<username>/enable", methods=("POST",))
@admin_required
def enable(username):
    return _change(
        username,
        lambda s: staff.set_active(s, username, True, by=g.user.username) and None,
        f"已启用 {username}，可以登录",
        f"Enabled {username}: they can log in",
    )


@bp.route("/<username>/reset", methods=("POST",))
@admin_required
def reset(username):
    return _change(
        username,
        lambda s: staff.reset_password(s, username, by=g.user.username),
        f"已重置 {username} 的密码，新密码",
        f"Reset the password of {username}; the new one",
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
