"""Person records (人员名册): the people registered in the grids of the
user's area, apart from login accounts, each with the posts they claimed and
where each claim stands; an administrator ties a record to an account. The
engine is `onegrid.workflow.people`."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for

from onegrid import messages
from onegrid.errors import OnegridError
from onegrid.store import Person
from onegrid.store.accounts import User
from onegrid.web import bounds, casework, db
from onegrid.web import export as exports
from onegrid.web.auth import admin_required, login_required
from onegrid.web.i18n import current_lang, t
from onegrid.workflow import claims, people
from onegrid.workflow.rulebook import rulebook

bp = Blueprint("persons", __name__, url_prefix="/people")

CHANGES = {
    "person.create": ("登记", "registered"),
    "person.claim": ("认领岗位", "claimed a post"),
    "person.link": ("关联账号", "account linked"),
    "person.unlink": ("解除账号关联", "account unlinked"),
}


def _area(book, user) -> set[str] | None:
    """The grids the user may see people of (None: all, an administrator)."""
    if user.is_admin:
        return None
    mine = {b.unit for b in user.bindings}
    level = claims.lowest_level(book)
    return {
        u
        for u, spec in book.units.items()
        if spec.get("level") == level and mine & set(book.ancestors(u))
    }


def masked(phone: str) -> str:
    """A phone as staff outside administration see it: 138****0001."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def _name(book, unit_id, lang) -> str:
    return book.name(book.units.get(unit_id), lang, unit_id or "")


def person_view(session, book, person, lang, admin: bool, theirs=None) -> dict:
    """A person as pages show them; `theirs`: their claims, when the caller
    read every person's at once (`people.claims_by_person`)."""
    posts = claims.posts(book)
    kind = (claims.kinds(book) or [""])[0]
    states = book.for_item(kind).states if kind else {}
    held = [
        {
            "id": c.id,
            "post": book.name(posts.get(c.data.get("post")), lang, c.data.get("post", "")),
            "state": book.name(states.get(c.state), lang, c.state),
            "outcome": c.outcome or "",
        }
        for c in (theirs if theirs is not None else people.claims_of(session, book, person.id))
    ]
    user = session.get(User, person.user_id) if person.user_id else None
    return {
        "id": person.id,
        "name": person.name,
        "phone": person.phone if admin else masked(person.phone),
        "party_member": person.party_member,
        "grid": _name(book, person.home_grid, lang),
        "claims": held,
        "account": user.username if user else None,
    }


@bp.route("/")
@login_required
def index():
    return _listing({}, {}, 200)


def _listing(values: dict, errors: dict, status: int):
    """The list, and for an administrator the form to record a person
    (`values` and `errors`: what a refused one typed, and why)."""
    lang = current_lang()
    session = db.session()
    book = rulebook(casework.current_version(session))
    area = _area(book, g.user)
    found = people.listing(session, book.pack, area)
    every = people.claims_by_person(session, book)
    shown = [
        person_view(session, book, p, lang, g.user.is_admin, every.get(p.id, []))
        for p in found[:500]
    ]
    level = claims.lowest_level(book)
    page = render_template(
        "persons/index.html",
        people=shown,
        total=len(found),
        claims=bool(claims.kinds(book)),
        values=values,
        errors=errors,
        grid_level=book.name(book.levels.get(level), lang, level or ""),
    )
    return page, status


@bp.route("/", methods=("POST",))
@admin_required
def create():
    """Record a person with no post claim (staff), optionally tied to an
    account: the grids report counts an account alone as nobody."""
    session = db.session()
    values = {
        k: request.form.get(k, "").strip() for k in ("name", "phone", "home_grid", "username")
    }
    values["party_member"] = request.form.get("party_member") == "on"
    try:
        person = people.record(
            session, casework.current_version(session), values, g.user.username, lang=current_lang()
        )
        session.commit()
    except OnegridError as exc:
        session.rollback()
        errors = getattr(exc, "errors", None)
        if not isinstance(errors, dict) or not errors:
            lang = current_lang()
            errors = {"": [messages.text(p.code, p.params, lang) for p in exc.problems]}
        return _listing(values, errors, 422)
    flash(t(f"已登记 {person.name}", f"{person.name} recorded"))
    return redirect(url_for("persons.show", person_id=person.id), code=303)


EXPORT_HEADER = {
    "zh": ["编号", "姓名", "手机", "中共党员", "居住地网格", "认领的岗位", "登录账号"],
    "en": ["id", "name", "phone", "party member", "home grid", "posts claimed", "login account"],
}


@bp.route("/export.<fmt>")
@login_required
def export(fmt):
    """The people of the user's area (all of them, not only the page's 500)
    as CSV or Excel, phones masked outside administration as on the page."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    lang = current_lang()
    session = db.session()
    book = rulebook(casework.current_version(session))
    found = people.listing(session, book.pack, _area(book, g.user))
    every = people.claims_by_person(session, book)
    sep = "、" if lang == "zh" else "; "
    rows = []
    for person in found:
        p = person_view(session, book, person, lang, g.user.is_admin, every.get(person.id, []))
        posts = sep.join(f"{c['post']}（{c['state']}）" for c in p["claims"])
        yes = t("是", "yes") if p["party_member"] else t("否", "no")
        rows.append([p["id"], p["name"], p["phone"], yes, p["grid"], posts, p["account"] or ""])
    return exports.table_response(fmt, EXPORT_HEADER[lang], rows, "people", t("人员名册", "People"))


@bp.route("/<int:person_id>")
@login_required
def show(person_id):
    lang = current_lang()
    session = db.session()
    book = rulebook(casework.current_version(session))
    if bounds.case_id(person_id) is None:
        abort(404)
    person = session.get(Person, person_id)
    area = _area(book, g.user)
    if (
        person is None
        or person.pack != book.pack
        or (area is not None and person.home_grid not in area)
    ):
        abort(404)
    history = [
        {"at": e.at, "actor": e.actor, "what": t(*CHANGES.get(e.action, (e.action, e.action)))}
        for e in people.history(session, person.id)
    ]
    return render_template(
        "persons/show.html",
        p=person_view(session, book, person, lang, g.user.is_admin),
        history=history,
    )


@bp.route("/<int:person_id>/link", methods=("POST",))
@admin_required
def link(person_id):
    session = db.session()
    username = request.form.get("username", "").strip() or None
    try:
        people.link(session, person_id, username, by=g.user.username)
        session.commit()
    except OnegridError as exc:
        session.rollback()
        for problem in exc.problems:
            flash(messages.text(problem.code, problem.params, current_lang()))
        return redirect(url_for("persons.show", person_id=person_id), code=303)
    flash(t("已关联账号", "Account linked") if username else t("已解除关联", "Account unlinked"))
    return redirect(url_for("persons.show", person_id=person_id), code=303)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
