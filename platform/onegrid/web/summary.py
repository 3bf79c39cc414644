"""A one-page summary of the loaded pack (the home page until the staff app lands)."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template

from onegrid import messages, paths
from onegrid.checks import check_pack

bp = Blueprint("summary", __name__)


def text_of(value, lang: str = "zh") -> str:
    if isinstance(value, dict):
        return value.get(lang) or value.get("zh") or ""
    return "" if value is None else str(value)


def load(app: Flask):
    """Load (and check) the configured pack once per app."""
    if "onegrid.policy" not in app.extensions:
        root = paths.find_pack(app.config["ONEGRID_CATALOG"])
        policy, problems = check_pack(root)
        app.extensions["onegrid.policy"] = (root, policy, problems)
    return app.extensions["onegrid.policy"]


@bp.route("/")
def index():
    root, policy, problems = load(current_app)
    counts = {}
    if policy is not None:
        counts = {ns: len(items) for ns, items in sorted(policy.index.items())}
    return render_template(
        "summary/index.html",
        root=str(root),
        policy=policy,
        counts=counts,
        problems=[messages.format_line(p) for p in problems],
        text_of=text_of,
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
