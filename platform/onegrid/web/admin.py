"""Administration: the loaded pack with origins, checks, versions, registry, dashboard."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from onegrid import messages
from onegrid.messages import display_path
from onegrid.policy.kinds import NAMESPACES
from onegrid.store import PolicyVersion
from onegrid.store.accounts import User
from onegrid.web import caseview, casework, charts, db, policyview, versionview
from onegrid.web import scores as scoring_pages
from onegrid.web.auth import admin_required
from onegrid.web.i18n import current_lang, t
from onegrid.workflow import version as wf_version

bp = Blueprint("admin", __name__, url_prefix="/admin")

# the parts of a pack shown first, in this order; any other namespace follows
SHOWN_FIRST = ("level", "unit", "department", "role", "matter", "rule", "form", "duty")


def origin(item) -> str:
    loc = getattr(item, "loc", None)
    return f"{display_path(loc.file)}:{loc.line}" if loc else ""


def org_tree(loaded) -> list[tuple[int, object]]:
    """Units depth-first with their depth, roots first: the pack's units and
    the grids of its registry (`loaded.units`), which a pack may hold only there."""
    units = loaded.units
    roots = [u for u in units.values() if not u.get("parent") or u["parent"] not in units]
    out: list[tuple[int, object]] = []

    def walk(unit, depth):
        out.append((depth, unit))
        for child in loaded.children.get(unit["id"], ()):
            if child in units:
                walk(units[child], depth + 1)

    for root in roots:
        walk(root, 0)
    return out


@bp.route("/")
@admin_required
def index():
    loaded = policyview.load()
    policy = loaded.policy
    sections = []
    if policy is not None:
        names = sorted(
            policy.index,
            key=lambda n: (
                n not in SHOWN_FIRST,
                SHOWN_FIRST.index(n) if n in SHOWN_FIRST else 0,
                n,
            ),
        )
        for ns in names:
            if ns == "unit":
                continue
            info = NAMESPACES.get(ns)
            title = (info.en if current_lang() == "en" else info.zh) if info else ns
            sections.append((ns, title, policy.items(ns)))
    return render_template(
        "admin/index.html",
        loaded=loaded,
        tree=org_tree(loaded) if policy is not None else [],
        sections=sections,
        origin=origin,
        problems=len(loaded.problems),
    )


@bp.route("/checks")
@admin_required
def checks():
    loaded = policyview.load()
    lines = [messages.format_line(p, current_lang()) for p in loaded.problems]
    return render_template(
        "admin/checks.html", loaded=loaded, lines=lines, display_path=display_path
    )


@bp.route("/versions")
@admin_required
def versions():
    loaded = policyview.load()
    rows = casework.versions(db.session())
    people = {
        u.username: u.name
        for u in db.session().scalars(
            select(User).where(User.username.in_({r["published_by"] for r in rows} - {None}))
        )
    }
    for row in rows:
        at = row["published_at"]
        row["published_local"] = caseview.local(dt.datetime.fromisoformat(at)) if at else ""
        row["publisher"] = people.get(row["published_by"]) or ""
    current_hash = loaded.policy.content_hash if loaded.policy is not None else None
    published = any(v["content_hash"] == current_hash for v in rows)
    return render_template(
        "admin/versions.html",
        rows=rows,
        current_hash=current_hash,
        published=published,
        loaded=loaded,
    )


def _live():
    """The live version: the newest published one, under which new cases open."""
    loaded = policyview.load()
    return wf_version.newest_version(db.session(), loaded.policy.id) if loaded.policy else None


def _stale(live, form) -> bool:
    """The page the administrator confirmed showed another live version."""
    return str(live.id if live is not None else "") != form.get("live", "")


@bp.route("/versions/publish", methods=("GET", "POST"))
@admin_required
def publish():
    """What publishing the loaded pack would change against the live version
    (GET, the confirmation), then the publishing itself (POST, audited)."""
    lang = current_lang()
    loaded = policyview.load()
    if loaded.policy is None or any(p.severity == "error" for p in loaded.problems):
        flash(t("策略包有错误，不能发布", "The pack has errors and cannot be published"))
        return redirect(url_for("admin.checks"))
    live = _live()
    rows = versionview.changes(versionview.policy_of(live), loaded.policy, lang) if live else []
    if request.method == "POST":
        if _stale(live, request.form) or request.form.get("hash") != loaded.content_hash:
            flash(
                t(
                    "现行版本或已加载的策略包在您核对之后有了变化，请重新核对差异后再发布",
                    "The live version or the loaded pack changed after you looked: check the differences again",
                )
            )
            return redirect(url_for("admin.publish"), code=303)
        version = casework.publish(db.session(), loaded.policy, by=g.user.username)
        db.session().commit()
        if live is not None and version == live.id:
            flash(
                t(
                    f"已加载的策略包与现行版本 {version} 相同，未发布新版本",
                    f"The loaded pack is the live version {version}: nothing new was published",
                )
            )
        else:
            before = (
                t(
                    f"（与原现行版本 {live.id} 相比：{versionview.summary(rows, lang)}）",
                    f" (against the previous live version {live.id}: {versionview.summary(rows, lang)})",
                )
                if live
                else ""
            )
            flash(
                t(
                    f"已发布版本 {version}{before}；新案件按此版本办理，在办案件仍按各自的版本",
                    f"Published version {version}{before}; new cases open under it, open cases keep their own version",
                )
            )
        return redirect(url_for("admin.versions"), code=303)
    return render_template(
        "admin/publish.html",
        live=live,
        rows=rows,
        summary=versionview.summary(rows, lang),
        loaded=loaded,
        restoring=None,
    )


@bp.route("/versions/<int:version_id>/restore", methods=("GET", "POST"))
@admin_required
def restore(version_id):
    """Roll back to an older version by publishing it again: what it would
    change against the live version (GET, the confirmation), then POST."""
    lang = current_lang()
    older = db.session().get(PolicyVersion, version_id)
    loaded = policyview.load()
    if older is None or loaded.policy is None or older.pack != loaded.policy.id:
        abort(404)
    live = _live()
    rows = versionview.changes(versionview.policy_of(live), versionview.policy_of(older), lang)
    if request.method == "POST":
        if _stale(live, request.form):
            flash(
                t(
                    "现行版本在您核对之后有了变化，请重新核对差异后再恢复",
                    "The live version changed after you looked: check the differences again",
                )
            )
            return redirect(url_for("admin.restore", version_id=version_id), code=303)
        if (
            live is not None
            and live.content_hash == older.content_hash
            and live.grids_hash == older.grids_hash
        ):
            flash(
                t(
                    f"现行版本 {live.id} 与版本 {older.id} 内容相同，无需恢复",
                    f"The live version {live.id} has the content of version {older.id}: nothing to roll back",
                )
            )
            return redirect(url_for("admin.versions"), code=303)
        made = wf_version.restore(db.session(), older, by=g.user.username)
        flash(
            t(
                f"已回退：版本 {older.id} 的内容重新发布为版本 {made.id}，取代版本 {live.id}（{versionview.summary(rows, lang)}）；新案件按此版本办理，在办案件仍按各自的版本",
                f"Rolled back: the content of version {older.id} is published again as version {made.id}, replacing version {live.id} ({versionview.summary(rows, lang)}); new cases open under it, open cases keep their own version",
            )
        )
        return redirect(url_for("admin.versions"), code=303)
    return render_template(
        "admin/publish.html",
        live=live,
        rows=rows,
        summary=versionview.summary(rows, lang),
        loaded=loaded,
        restoring=older,
    )


@bp.route("/reload", methods=("POST",))
@admin_required
def reload():
    """Read the pack from disk again (after an edit), then see its checks."""
    loaded = policyview.reload()
    errors = sum(1 for p in loaded.problems if p.severity == "error")
    warnings = len(loaded.problems) - errors
    flash(
        t(
            f"已重新读取策略包：{errors} 个错误、{warnings} 个警告"
            + ("；有错误时不能发布" if errors else "；可在“版本与发布”核对差异后发布"),
            f"The pack was read again: {errors} error(s), {warnings} warning(s)"
            + (
                "; it cannot be published with errors"
                if errors
                else "; review the changes under Versions to publish"
            ),
        )
    )
    return redirect(url_for("admin.checks"))


@bp.route("/registry")
@admin_required
def registry():
    report = casework.registry_report(policyview.load(), current_lang())
    if report is None:
        abort(404)
    return render_template("admin/registry.html", report=report)


@bp.route("/dashboard")
@admin_required
def dashboard():
    """Closure and on-time rates per unit for a month and an area, from the
    monthly rollup (the same indicator code as the scores pages)."""
    found = scoring_pages.dashboard_view(request.args.get("period"), request.args.get("area"))
    rows = found["rows"]
    return render_template(
        "admin/dashboard.html",
        **found,
        caseview=caseview,
        closure_chart=charts.bars(rows, "closure_rate", t("结案率", "Closure rate")),
        ontime_chart=charts.bars(
            rows, "ontime_rate", t("按期结案率", "On-time closure rate"), "ontime"
        ),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
