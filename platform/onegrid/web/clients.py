"""Open311 client keys in the admin pages, and the credential side of a
case's channel.

A client key is made here (shown once), listed, and revoked. Its channel
is one the pack declares; every request the client files enters by it.
Which channels a staff credential may enter by is the engine's rule
(`workflow.channels.staff_channels`).
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for

from onegrid.store import clients
from onegrid.web import caseview, casework, db
from onegrid.web.auth import admin_required
from onegrid.web.i18n import current_lang, t
from onegrid.workflow import channels as wf_channels
from onegrid.workflow import rulebook

bp = Blueprint("clients", __name__, url_prefix="/admin/clients")


def _book():
    """The rulebook of the version being served (its `channels:` are the vocabulary)."""
    return rulebook(casework.current_version(db.session()))


def open311_channel() -> str | None:
    """The channel a new Open311 client key enters by unless the administrator
    picks another: the one the pack marks for the open311 door."""
    return wf_channels.default_channel(_book(), "open311")


def pack_channels() -> list[str]:
    """The channels a case may enter by."""
    return list(wf_channels.channels(_book()))


@bp.route("/", methods=("GET", "POST"))
@admin_required
def index():
    made = None
    status = 200
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()
        channel = request.form.get("channel") or open311_channel()
        if not name or len(name) > 128:
            flash(
                t(
                    "请填写客户端名称（不超过 128 个字符）",
                    "Give the client a name (at most 128 characters)",
                )
            )
            status = 422
        elif channel not in pack_channels():
            flash(t("未知的受理渠道", "Unknown channel"))
            status = 422
        else:
            client, key = clients.create_client(db.session(), name, channel, by=g.user.username)
            db.session().commit()
            made = {"name": client.name, "key": key}
    return render_template(
        "admin/clients.html",
        rows=clients.clients(db.session()),
        channels=pack_channels(),
        default_channel=open311_channel(),
        channel_name=lambda channel: caseview.channel_name(channel, current_lang()),
        made=made,
    ), status


@bp.route("/<int:client_id>/revoke", methods=("POST",))
@admin_required
def revoke(client_id):
    if not clients.revoke_client(db.session(), client_id, by=g.user.username):
        abort(404)
    db.session().commit()
    name = next((c.name for c in clients.clients(db.session()) if c.id == client_id), "")
    flash(
        t(
            f"已吊销客户端“{name}”的密钥：它此后发来的请求一律拒绝，已提交的上报不受影响",
            f"Revoked the key of “{name}”: its requests are refused from now on; what it filed stays",
        )
    )
    return redirect(url_for("clients.index"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
