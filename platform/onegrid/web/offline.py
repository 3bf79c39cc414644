"""The staff app on a phone without a signal (issue 19).

What the server gives the phone: the web app manifest and its icons, the
service worker (`static/sw.js`, served from the root so that its scope
covers every staff page), the list of pages the worker caches for this
user under the current policy version, and the outbox page (its items live
in the phone's IndexedDB; `static/offline.js` fills it in). What the server
checks when a queued item arrives: a report names the version its form was
filled under, and `workflow.oldforms` decides whether that version is still
taken; a duty tick and a step carry a once-token (`web/once.py`), so a
resend never ticks or steps twice, and a report its idempotency key.
"""

from __future__ import annotations

import struct
import zlib
from functools import cache
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    g,
    jsonify,
    render_template,
    request,
    session,
    url_for,
)

from onegrid import messages
from onegrid.web import caseview, casework, db, formview, policyview
from onegrid.web.auth import login_required
from onegrid.web.i18n import current_lang, text_of
from onegrid.workflow import oldforms
from onegrid.workflow.rulebook import rulebook

bp = Blueprint("offline", __name__)

STATIC = Path(__file__).parent / "static"
ICON_SIZES = (192, 512)
# report forms cached per device: every matter for the first places in reach
MOST_FORMS = 200


def filled_under(matter: dict, lang: str):
    """For a report POST: (the version it is taken under, the form to read
    it with, that version's policy or None for the served pack's, the text
    refusing an older form or None)."""
    session = db.session()
    current = casework.current_version(session)
    claimed = request.form.get(formview.VERSION_FIELD, type=int)
    version, problem = oldforms.filled_under(session, current, claimed)
    if problem is not None:
        return current, matter["form"], None, messages.text(problem.code, problem.params, lang)
    if version.id == current.id:
        return current, matter["form"], None, None
    book = rulebook(version)
    old = book.matters.get(matter["id"]) or {}
    return version, old.get("form") or matter["form"], book.policy, None


def version_id() -> int | None:
    """The current version's id, for the page's `<meta>` (a form remembers it)."""
    if g.get("user") is None:
        return None
    return casework.current_version(db.session()).id


def zone_name() -> str:
    """The pack's time zone, for the `<meta>` the outbox says its times in."""
    return caseview.calendar_zone().key


@bp.route("/sw.js")
def service_worker():
    response = Response((STATIC / "sw.js").read_bytes(), mimetype="text/javascript")
    # a worker served from the root may control every page below it
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    loaded = policyview.load()
    name = text_of(loaded.policy.manifest.get("name"), "zh") if loaded.policy else ""
    body = {
        "name": f"一网 · {name}" if name else "一网",
        "short_name": "一网",
        "description": "网格员上报、销号和办理，离线也能用 · onegrid for grid workers, offline too",
        "lang": "zh-CN",
        "start_url": url_for("cases.inbox"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f6f5c",
        "icons": [
            {
                "src": url_for("offline.icon", size=size),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in ICON_SIZES
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/offline/icon-<int:size>.png")
def icon(size):
    if size not in ICON_SIZES:
        abort(404)
    response = Response(icon_png(size), mimetype="image/png")
    response.headers["Cache-Control"] = "max-age=86400"
    return response


@cache
def icon_png(size: int) -> bytes:
    """The app icon, drawn here rather than committed: a white three-by-three
    grid (一网: one grid) on the app's green, inside the maskable safe zone."""
    green, white = b"\x1f\x6f\x5c", b"\xff\xff\xff"
    lo, hi = size // 5, size - size // 5
    line = max(2, size // 32)
    marks = {lo + (hi - lo) * k // 3 for k in range(4)}

    def on_line(v: int) -> bool:
        return lo <= v < hi + line and any(m <= v < m + line for m in marks)

    rows = []
    for y in range(size):
        inside_y = lo <= y < hi + line
        row = bytearray(b"\x00")  # filter: none
        for x in range(size):
            inside_x = lo <= x < hi + line
            row += white if (inside_y and on_line(x)) or (inside_x and on_line(y)) else green
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


@bp.route("/offline/outbox")
@login_required
def outbox():
    return render_template("offline/outbox.html")


@bp.route("/offline/pages.json")
@login_required
def pages():
    """What the service worker keeps for this user under the current version:
    the inbox, her duty round, the outbox, the report forms of her matters
    (each with its own idempotency key, as the report page would give it) and
    the files they load. The case pages she opens are kept as she opens them."""
    from onegrid.web.cases import reportable_places  # the report page's own rule

    policy = policyview.policy()
    places = [u["id"] for u in reportable_places(g.user)]
    matters = [m["id"] for m in policy.items("matter") if m.get("form")]
    forms = [
        url_for("cases.new", matter=m, place=p, key=casework.new_idempotency_key())
        for p in places
        for m in matters
    ][:MOST_FORMS]
    urls = [
        url_for("cases.inbox"),
        url_for("duties.index"),
        url_for("offline.outbox"),
        url_for("cases.new"),
        *forms,
        url_for("cases.forms_css"),
        url_for("cases.forms_js"),
        *(url_for("static", filename=f) for f in STATIC_FILES),
        url_for("offline.manifest"),
        *(url_for("offline.icon", size=s) for s in ICON_SIZES),
    ]
    return jsonify(
        {
            "version": casework.current_version(db.session()).id,
            "user": g.user.username,
            "lang": current_lang(),
            "urls": urls,
        }
    )


STATIC_FILES = ("onegrid.css", "onegrid.js", "offline.css", "offline.js")


def keep_session(response):
    """What the phone fetches behind her back (`X-Onegrid-Keep`: the pages the
    service worker keeps, the outbox's sends) leaves the session cookie as it
    is: such a fetch may still be under way when she logs out or another user
    logs in, and its answer must not undo that."""
    if request.headers.get("X-Onegrid-Keep") == "1":
        session.modified = False
    return response


def init_app(app: Flask) -> None:
    app.after_request(keep_session)
    app.context_processor(lambda: {"offline_version": version_id, "offline_zone": zone_name})
    app.register_blueprint(bp)
