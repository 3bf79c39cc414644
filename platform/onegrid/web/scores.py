"""Scores: rankings per scheme and period with tiers, each subject's
breakdown down to the cases behind every number, trends, CSV and Excel.

Frozen periods are read from the monthly run (`store/scores.py`); a period
not frozen yet is computed from the record and marked so. Who sees what:
administrators every subject; others the subjects in their reach
(`scope.reach`): themselves, the units they are bound to and everything
below, and the departments of the units they cover; ranks stay the ranks
among all subjects.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, abort, g, redirect, render_template, url_for

from onegrid.errors import UsageError
from onegrid.policy.kinds.scoring import FORMULAS
from onegrid.scoring import dashboard, indicators_of, periods, schemes_of
from onegrid.scoring import run as scoring_run
from onegrid.scoring.table import metric_name, table
from onegrid.store import utcnow
from onegrid.web import caseview, casework, charts, db, scope
from onegrid.web import export as exports
from onegrid.web.auth import login_required
from onegrid.web.i18n import current_lang, t, text_of
from onegrid.workflow.rulebook import rulebook

bp = Blueprint("scores", __name__, url_prefix="/scores")

TREND = 6  # periods shown in a trend
ITEMS_SHOWN = 500  # items listed per metric on a breakdown (the export has them all)


def _version():
    return casework.current_version(db.session())


def _scheme(book, scheme_id: str) -> dict:
    found = next((s for s in schemes_of(book) if s["id"] == scheme_id), None)
    if found is None:
        abort(404)
    return found


def _period(scheme, text: str) -> periods.Period:
    try:
        period = periods.parse(text)
    except UsageError:
        abort(404)
    if period.kind != scheme["period"]:
        abort(404)
    return period


def latest_period(book, scheme) -> periods.Period:
    return periods.last_closed(scheme["period"], utcnow(), book.calendar.tz)


def can_see(user, book, row: dict) -> bool:
    if user.is_admin or row["subject"] == user.username:
        return True
    units, bodies = scope.reach(user)
    return any(u in bodies or book.home(u) in units for u in row["units"])


def _view(scheme_id: str, period_text: str, evidence: str | None = None):
    """The scheme's standings for the period; `evidence` names the one
    subject whose evidence is read (a ranking reads none)."""
    version = _version()
    book = rulebook(version)
    scheme = _scheme(book, scheme_id)
    period = _period(scheme, period_text)
    view = scoring_run.view(db.session(), version, scheme, period, now=utcnow(), evidence=evidence)
    return version, book, view


def tier_classes(scheme) -> dict[str, str]:
    return {tier["id"]: f"tier-{min(i, 3)}" for i, tier in enumerate(scheme["tiers"])}


@bp.route("/")
@login_required
def index():
    version = _version()
    book = rulebook(version)
    schemes = [(s, latest_period(book, s)) for s in schemes_of(book)]
    if len(schemes) == 1:
        scheme, period = schemes[0]
        return redirect(url_for("scores.ranking", scheme_id=scheme["id"], period=period.key))
    return render_template("scores/index.html", schemes=schemes, lang=current_lang())


@bp.route("/<scheme_id>/")
@login_required
def latest(scheme_id):
    book = rulebook(_version())
    scheme = _scheme(book, scheme_id)
    key = latest_period(book, scheme).key
    return redirect(url_for("scores.ranking", scheme_id=scheme_id, period=key))


@bp.route("/<scheme_id>/<period>")
@login_required
def ranking(scheme_id, period):
    _, book, view = _view(scheme_id, period)
    rows = [r for r in view.rows if can_see(g.user, book, r)]
    keys = [p.key for p in periods.recent(view.period, TREND)]
    points = scoring_run.trend(db.session(), book.pack, scheme_id, keys)
    if view.provisional:
        scores = [r["score"] for r in rows if r["score"] is not None]
        points[-1] = (keys[-1], round(sum(scores) / len(scores), 2) if scores else None)
    counts = {tier["id"]: 0 for tier in view.scheme["tiers"]}
    for row in rows:
        if row["tier"] in counts:
            counts[row["tier"]] += 1
    return render_template(
        "scores/ranking.html",
        view=view,
        rows=rows,
        counts=counts,
        indicators=indicators_of(book),
        metric_name=metric_name,
        tiers={tier["id"]: tier for tier in view.scheme["tiers"]},
        tier_class=tier_classes(view.scheme),
        previous=view.period.previous(),
        following=_following(view.period),
        trend=charts.line(points, t("平均得分走势", "Mean score over time")),
        caseview=caseview,
        lang=current_lang(),
    )


def _following(period: periods.Period) -> periods.Period | None:
    """The next period, if it has started."""
    month = period.year * 12 + period.first_month - 1 + period.months
    nxt = periods.of(period.kind, dt.date(month // 12, month % 12 + 1, 1))
    start, _ = nxt.bounds(dt.UTC)
    return nxt if start <= utcnow() else None


@bp.route("/<scheme_id>/<period>/export.<fmt>")
@login_required
def export(scheme_id, period, fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    _, book, view = _view(scheme_id, period)
    view.rows = [r for r in view.rows if can_see(g.user, book, r)]
    lang = current_lang()
    name = f"{scheme_id}-{view.period.key}"
    header, rows = table(view, indicators_of(book), lang, numbers=fmt == "xlsx")
    return exports.table_response(fmt, header, rows, name, view.period.key)


@bp.route("/<scheme_id>/<period>/<subject>")
@login_required
def subject(scheme_id, period, subject):
    _, book, view = _view(scheme_id, period, evidence=subject)
    row = next((r for r in view.rows if r["subject"] == subject), None)
    if row is None or not can_see(g.user, book, row):
        abort(404)
    indicators = indicators_of(book)
    keys = [p.key for p in periods.recent(view.period, TREND)]
    points = scoring_run.trend(db.session(), book.pack, scheme_id, keys, subject)
    if view.provisional:
        points[-1] = (keys[-1], row["score"])
    metrics = []
    for m in view.scheme["metrics"]:
        ind = indicators[m["indicator"]]
        formula = FORMULAS[ind["formula"]]
        items = row["evidence"].get(m["id"]) or []
        metrics.append(
            {
                "id": m["id"],
                "name": metric_name(m, indicators, current_lang()),
                "formula": formula.en if current_lang() == "en" else formula.zh,
                "value": (row["values"].get(m["id"]) or {}).get("value"),
                "weight": m["weight"],
                "items": items[:ITEMS_SHOWN],
                "more": max(0, len(items) - ITEMS_SHOWN),
                "count": len(items),
                "lower_better": not formula.higher_is_better,
            }
        )
    return render_template(
        "scores/subject.html",
        view=view,
        row=row,
        metrics=metrics,
        tier=next((x for x in view.scheme["tiers"] if x["id"] == row["tier"]), None),
        tier_class=tier_classes(view.scheme),
        total=len(view.rows),
        trend=charts.line(points, t("得分走势", "Score over time")),
        caseview=caseview,
        text_of=text_of,
        why=lambda item: why(book, item),
        duty_name=lambda duty: duty_name(book, duty),
        unit_name=lambda u: book.name(book.units.get(u), current_lang(), u),
    )


def duty_name(book, duty_id: str) -> str:
    """A duty item by its name in the reader's language (a "+1" task by its id)."""
    for listed in (book.resolved.get("duties") or {}).get("lists") or ():
        for duty in listed.get("items") or ():
            if duty.get("id") == duty_id:
                return book.name(duty, current_lang(), duty_id)
    return duty_id


def why(book, item: dict) -> str:
    """Why an item counts as it does, in the reader's language, with names."""
    lang = current_lang()
    parts = []
    if item.get("duty"):  # a duty round's item (scoring.formulas._duty_item)
        if item.get("na"):
            parts.append(t("不适用", "not applicable"))
        if item.get("late"):
            parts.append(t(f"逾期勾销 {item['late']} 次", f"ticked late {item['late']}×"))
        if item.get("open"):
            parts.append(t("到期未完成", "not done by its due moment"))
        return t("；", "; ").join(parts)
    if item.get("step"):
        parts.append(book.name(book.steps.get(item["step"]), lang, item["step"]))
    if item.get("late_at"):
        units = [book.units.get(u) or book.departments.get(u) for u in item["late_at"]]
        names = [book.name(u, lang, i) for u, i in zip(units, item["late_at"], strict=True)]
        parts.append(t("超期于", "late at ") + t("、", ", ").join(names))
    if item.get("open"):
        parts.append(t("期末未办结", "still open at the end"))
    if item.get("action"):
        transition = book.transitions.get(item["action"])
        parts.append(book.name(transition, lang, item["action"]))
    if item.get("fields"):
        parts.append(
            t(
                f"填写 {item['filled']}/{item['fields']} 项",
                f"{item['filled']}/{item['fields']} fields filled",
            )
        )
    return t("；", "; ").join(parts)


def dashboard_view(period_text: str | None, area: str | None) -> dict:
    """The administrators' dashboard for a month (default: this one) and an
    area (default: the whole pack): the frozen rollup of a closed month, the
    record up to now for the running one."""
    version = _version()
    book = rulebook(version)
    now = utcnow()
    current = periods.of("monthly", now.astimezone(book.calendar.tz).date())
    try:
        period = periods.parse(period_text) if period_text else current
    except UsageError:
        abort(404)
    if period.kind != "monthly":
        abort(404)
    area = area or book.top_unit
    if area not in book.units:
        abort(404)
    view = scoring_run.view(db.session(), version, dashboard.SCHEME, period, now=now)
    parents = {u.get("parent") for u in book.units.values()}
    areas = sorted(
        (u for u in book.units.values() if u["id"] in parents),
        key=lambda u: (book.rank(u.get("level")), u["id"]),
    )
    return {
        "view": view,
        "period": period,
        "area": area,
        "rows": dashboard.rows(book, view, area),
        "months": periods.recent(current, 12)[::-1],
        "areas": areas,
        "lang": current_lang(),
    }


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
