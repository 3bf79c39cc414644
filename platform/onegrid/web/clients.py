"""Open311 client keys in the admin pages, and the credential side of a
case's channel.

A client key is made here (shown once), listed, and revoked. Its channel
is one the pack declares; every request the client files enters by it.
Staff credentials may not pick the channel the Open311 door's clients enter
by, so no page or API client can pass a staff case off as a resident's.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for

from onegrid.store import clients
from onegrid.web import db
from onegrid.web.auth import admin_required
from onegrid.web.i18n import t, text_of
from onegrid.workflow.case import CHANNELS

bp = Blueprint("clients", __name__, url_prefix="/admin/clients")

# the channel Open311 clients enter by unless an administrator binds a key to
# another (a hotline connector's key: hotline). Until the pack declares its
# channel vocabulary (workflow/channels.py), the engine's channels are the list.
OPEN311_CHANNEL = "open311"


def pack_channels() -> list[str]:
    """The channels a case may enter by."""
    return sorted(CHANNELS)


def allowed_channels(user=None, client=None) -> list[str]:
    """The channels a credential may enter cases by (channel_for's `allowed`):
    a client key its own channel; a staff account every channel but the
    Open311 clients' one."""
    if client is not None:
        return [client.channel]
    return [c for c in pack_channels() if c != OPEN311_CHANNEL]


def channel_name(channel: str) -> str:
    """The channel's label in the reader's language (its id if it has none)."""
    return text_of(CHANNELS.get(channel)) or channel


@bp.route("/", methods=("GET", "POST"))
@admin_required
def index():
    made = None
    status = 200
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()
        channel = request.form.get("channel") or OPEN311_CHANNEL
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
        default_channel=OPEN311_CHANNEL,
        channel_name=channel_name,
        made=made,
    ), status


@bp.route("/<int:client_id>/revoke", methods=("POST",))
@admin_required
def revoke(client_id):
    if not clients.revoke_client(db.session(), client_id, by=g.user.username):
        abort(404)
    db.session().commit()
    flash(t("密钥已吊销", "Key revoked"))
    return redirect(url_for("clients.index"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
