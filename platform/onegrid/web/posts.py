"""认岗领责: a person registers in their home grid and claims a post (the
pack's claimable duty lists); the grid's party branch confirms on this page;
the coverage of the grids in the user's area follows the confirmed records.
The engine is `onegrid.workflow.item` (kind `post_claim`) and
`onegrid.workflow.claims`."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from onegrid.store import Item
from onegrid.web import api, bounds, casework, db, flashes, formview, throttles
from onegrid.web.auth import login_required
from onegrid.web.i18n import current_lang, t
from onegrid.workflow import claims, people
from onegrid.workflow import errors as wf_errors
from onegrid.workflow import item as wf_item
from onegrid.workflow.actor import Actor
from onegrid.workflow.rulebook import rulebook

bp = Blueprint("posts", __name__, url_prefix="/posts")


def _kind(book) -> str:
    found = claims.kinds(book)
    if not found:
        abort(404)
    return found[0]


def _name(book, unit_id, lang) -> str:
    found = book.units.get(unit_id) or book.departments.get(unit_id)
    return book.name(found, lang, unit_id or "") if found else (unit_id or "")


def claim_row(claim: Item, lang, actor=None, failed=None, values=None, errors=None) -> dict:
    book = wf_item.book_of(claim)
    post = claims.posts(book).get(claim.data.get("post")) or {}
    actions = []
    for action in wf_item.actions_for_item(claim, actor, lang) if actor else ():
        target = url_for("posts.act", item_id=claim.id, action_id=action.id, version=claim.version)
        own = failed == (claim.id, action.id)
        html = formview.action_form(
            action,
            values if own else None,
            errors if own else None,
            lang,
            target=target,
            id_prefix=f"c{claim.id}-{action.id.replace('.', '-')}-",
        )
        actions.append({"id": action.id, "name": action.name, "html": html, "target": target})
    return {
        "id": claim.id,
        "name": claim.data.get("name"),
        "party_member": claim.data.get("party_member"),
        "grid": _name(book, claim.unit, lang),
        "post": book.name(post, lang, claim.data.get("post", "")),
        "state": book.name(book.states.get(claim.state), lang, claim.state),
        "outcome": claim.outcome,
        "actions": actions,
    }


@bp.route("/", methods=("GET",))
@login_required
def index(failed=None, values=None, errors=None, status=200):
    lang = current_lang()
    session = db.session()
    version = casework.current_version(session)
    book = rulebook(version)
    kind = _kind(book)
    actor = casework.actor_of(g.user)
    units = {b.unit for b in g.user.bindings}
    mine = session.scalars(
        select(Item).where(
            Item.kind == kind, Item.pack == book.pack, Item.reporter == g.user.username
        )
    ).all()
    to_confirm = session.scalars(
        select(Item).where(
            Item.kind == kind,
            Item.pack == book.pack,
            Item.closed_at.is_(None),
            Item.unit.in_(sorted(units) or [""]),
        )
    ).all()
    figures = claims.coverage(session, version)
    wanted = claims.posts(book)
    area = [u for u in figures if units & set(book.ancestors(u))] if not g.user.is_admin else []
    area.sort(key=lambda u: (book.rank(book.level_of(u)), u))
    return (
        render_template(
            "posts/index.html",
            mine=[claim_row(c, lang) for c in mine],
            to_confirm=[claim_row(c, lang, actor, failed, values, errors) for c in to_confirm],
            coverage=[
                {
                    "unit": u,
                    "name": _name(book, u, lang),
                    "c": figures[u],
                    "held": figures[u].posts_held(),
                    "posts": len(wanted),
                }
                for u in area[:300]
            ],
            post_names=[book.name(v, lang, k) for k, v in wanted.items()],
        ),
        status,
    )


@bp.route("/new", methods=("GET", "POST"))
@login_required
def new():
    """A staff member registers (themselves or a neighbour) from their account."""
    return _register("posts.new", casework.actor_of(g.user), f"web:{g.user.id}")


@bp.route("/join", methods=("GET", "POST"))
def join():
    """Self-service for a party member without an account: the same form
    and checks, bounded in size (`bounds`) and in registrations per address
    per hour (`throttles`, scope `register-address`)."""
    if request.method == "POST":
        if throttles.blocked("register-address", throttles.address()):
            flash(
                t(
                    "本地址登记次数过多，请一小时后再试或联系网格党支部",
                    "Too many registrations from this address: try again in an hour",
                )
            )
            return _register("posts.join", PUBLIC, "join", status=429, post=False)
        # every attempt counts: the door is open to anyone
        throttles.failed("register-address", throttles.address())
    return _register("posts.join", PUBLIC, "join")


# who files a self-service registration (there is no account)
PUBLIC = Actor("public:join", (), "self-service")


def _register(endpoint, actor, key_scope, status=200, post=True):
    lang = current_lang()
    version = casework.current_version(db.session())
    book = rulebook(version).for_item(_kind(rulebook(version)))
    form_id = book.kind["form"]
    values, errors = {}, {}
    key = bounds.idempotency_key(request.args.get("key")) or casework.new_idempotency_key()
    if post and request.method == "POST":
        values = formview.coerce(form_id, request.form)
        errors = formview.errors(form_id, values, lang)
        if not errors:
            try:
                _, claim = people.register(
                    db.session(),
                    version,
                    values,
                    actor,
                    idempotency_key=f"{key_scope}:{key}",
                    lang=lang,
                )
            except (wf_errors.InvalidSubmission, wf_errors.Conflict) as exc:
                db.session().rollback()
                errors = (
                    exc.errors
                    if isinstance(getattr(exc, "errors", None), dict)
                    else {"": [api.problems_text(exc)]}
                )
            else:
                flash(
                    flashes.item_filed(
                        book, book.name(book.kind, lang, book.kind["id"]), claim, lang
                    )
                )
                if endpoint == "posts.join":
                    return redirect(url_for("posts.joined", number=claim.id), code=303)
                return redirect(url_for("posts.index"), code=303)
        status = 422
    form_html = formview.fragment(
        form_id,
        values,
        errors,
        lang,
        action=url_for(endpoint, key=key),
        id_prefix="claim-",
        submit=t("登记认岗", "Register"),
    )
    listed = [
        {
            "name": book.name(v, lang, k),
            "duties": [book.name(i, lang, i.get("id", "")) for i in v.get("items") or ()],
        }
        for k, v in claims.posts(book).items()
    ]
    return (
        render_template(
            "posts/new.html",
            form_html=form_html,
            posts=listed,
            public=endpoint == "posts.join",
        ),
        status,
    )


@bp.route("/join/<int:number>")
def joined(number):
    """After a self-service registration: its number, nothing about the person."""
    return render_template("posts/joined.html", number=number)


@bp.route("/<int:item_id>/act/<action_id>", methods=("POST",))
@login_required
def act(item_id, action_id):
    lang = current_lang()
    if bounds.case_id(item_id) is None:
        abort(404)
    try:
        claim = wf_item.get_item(db.session(), item_id)
    except wf_errors.CaseNotFound:
        abort(404)
    if claim.kind not in claims.kinds(wf_item.book_of(claim)):
        abort(404)
    expected = request.args.get("version", type=int)
    if expected is None:
        abort(400)
    actor = casework.actor_of(g.user)
    action, values, errors = formview.posted_action(claim, action_id, actor, lang)
    if errors:
        return index((item_id, action_id), values, errors, 422)
    try:
        claim = wf_item.act_item(
            db.session(), item_id, action_id, actor, values, expected, lang=lang
        )
    except wf_errors.Conflict:
        db.session().rollback()
        flash(
            t("登记已被他人处理，请查看最新状态", "Someone else acted on it; see where it stands")
        )
    else:
        book = wf_item.book_of(claim)
        flash(
            flashes.item_step(
                book, book.name(book.kind, lang, claim.kind), claim, action.name, lang
            )
        )
    return redirect(url_for("posts.index"), code=303)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
