"""Login, logout and the language switch; who the current user is."""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from onegrid.store import accounts
from onegrid.web import db, throttles
from onegrid.web.i18n import LANGS, t

bp = Blueprint("auth", __name__, url_prefix="/auth")

# files every page loads: no user needed, so no database either
PUBLIC_FILES = {"static", "cases.forms_css", "cases.forms_js"}


def load_user() -> None:
    """g.user from the session cookie, if its generation is still current."""
    g.user = None
    uid = session.get("uid")
    if uid is None or request.endpoint in PUBLIC_FILES:
        return
    user = db.session().get(accounts.User, uid)
    # end the read now: SQLite writers take the lock at BEGIN (store.engine),
    # so a transaction held through rendering would queue every other request
    db.session().commit()
    if user is None or not user.active or session.get("gen") != user.session_generation:
        session.pop("uid", None)
        session.pop("gen", None)
        return
    g.user = user


def login_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(**kwargs)

    return wrapped


def admin_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path))
        if not g.user.is_admin:
            abort(404)
        return view(**kwargs)

    return wrapped


# a local path: one slash, then no second slash or backslash, and nothing
# a browser strips or rewrites (tabs, newlines, spaces, controls), so that
# "/%09/evil.example" cannot become "//evil.example" in the browser
LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\x00-\x1f\x7f\\]*\Z")


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after login."""
    # checked as sent and as decoded: a browser may decode before it resolves
    if target and LOCAL_PATH.match(target) and LOCAL_PATH.match(unquote(target)):
        return target
    return url_for("cases.inbox")


@bp.route("/login", methods=("GET", "POST"))
def login():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        if throttles.blocked("login", username) or throttles.blocked(
            "login-address", throttles.address()
        ):
            error = t(
                "失败次数过多，请 5 分钟后再试", "Too many failed attempts; try again in 5 minutes"
            )
            return render_template("auth/login.html", error=error), 429
        user = accounts.authenticate(db.session(), username, password)
        if user is None:
            throttles.failed("login", username)
            throttles.failed("login-address", throttles.address())
            error = t("用户名或密码错误", "Wrong username or password")
        else:
            throttles.passed("login", username)
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            session["uid"] = user.id
            session["gen"] = user.session_generation
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.route("/logout", methods=("POST",))
def logout():
    if g.user is not None:
        accounts.end_sessions(g.user)
        # logging out ends the API tokens too: nothing issued to the user survives it
        accounts.revoke_tokens(db.session(), g.user)
        db.session().commit()
    session.clear()
    flash(t("已退出登录", "Logged out"))
    return redirect(url_for("auth.login"))


@bp.route("/lang/<lang>", methods=("POST",))
def switch_lang(lang):
    if lang in LANGS:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")))


def init_app(app: Flask) -> None:
    app.before_request(load_user)
    app.register_blueprint(bp)
