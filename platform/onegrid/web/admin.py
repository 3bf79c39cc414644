"""Administration: the loaded pack with origins, checks, versions, registry, dashboard."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for

from onegrid import messages
from onegrid.messages import display_path
from onegrid.policy.kinds import NAMESPACES
from onegrid.web import caseview, casework, charts, db, policyview
from onegrid.web import scores as scoring_pages
from onegrid.web.auth import admin_required
from onegrid.web.i18n import current_lang, t

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
    for row in rows:
        at = row["published_at"]
        row["published_local"] = caseview.local(dt.datetime.fromisoformat(at)) if at else ""
    current_hash = loaded.policy.content_hash if loaded.policy is not None else None
    published = any(v["content_hash"] == current_hash for v in rows)
    return render_template(
        "admin/versions.html",
        rows=rows,
        current_hash=current_hash,
        published=published,
        loaded=loaded,
    )


@bp.route("/versions/publish", methods=("POST",))
@admin_required
def publish():
    loaded = policyview.load()
    if loaded.policy is None or any(p.severity == "error" for p in loaded.problems):
        flash(t("策略包有错误，不能发布", "The pack has errors and cannot be published"))
        return redirect(url_for("admin.checks"))
    version = casework.publish(db.session(), loaded.policy)
    db.session().commit()
    flash(t(f"已发布版本 {version}", f"Published version {version}"))
    return redirect(url_for("admin.versions"))


@bp.route("/reload", methods=("POST",))
@admin_required
def reload():
    """Read the pack from disk again (after an edit), then see its checks."""
    policyview.reload()
    flash(t("已重新读取策略包", "The pack was read again"))
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
        closure_chart=charts.bars(rows, "closure_rate", t("结案率", "Closure rate")),
        ontime_chart=charts.bars(
            rows, "ontime_rate", t("按期结案率", "On-time closure rate"), "ontime"
        ),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
