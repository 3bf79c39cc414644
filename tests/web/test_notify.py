"""The notification outbox (issue 14): written with the step that causes it,
read in the app, delivered to a unit's webhook with a signature, retried
with backoff; tested against a real loopback HTTP receiver."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from sqlalchemy import func, select

from onegrid import store
from onegrid.store import Delivery, Notification, NotificationRecipient
from onegrid.web import db
from onegrid.workflow import notify
from web.test_loop import act, login


def unread(client) -> int:
    page = client.get("/").get_data(as_text=True)
    m = re.search(r'id="unread">(\d+)<', page)
    return int(m.group(1)) if m else 0


def report(client) -> int:
    body = {"matter": "m.litter", "place": "grid.a1", "submission": {"description": "路口垃圾"}}
    return client.post("/api/v1/cases", json=body).get_json()["id"]


def test_who_must_act_next_is_told_in_the_app(client):
    login(client, "dispatcher")
    before = unread(client)
    login(client, "gw_a")
    case = report(client)
    assert unread(client) == 0  # not the reporter: she acted
    login(client, "dispatcher")
    assert unread(client) == before + 1
    page = client.get("/notifications").get_data(as_text=True)
    assert f"#{case} 乱扔垃圾：已上报，待受理" in page
    # opening it marks it read and shows the case
    note = re.search(r'action="(/notifications/(\d+)/open)"', page)
    r = client.post(note.group(1))
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/cases/{case}")
    assert unread(client) == before
    # the next step tells the lead department, not the dispatcher who acted
    act(client, case, "accept")
    act(client, case, "dispatch")
    login(client, "urban")
    page = client.get("/notifications").get_data(as_text=True)
    assert f"#{case} 乱扔垃圾：处置中，待" in page
    r = client.post("/notifications/read")
    assert r.status_code == 303 and unread(client) == 0
    # someone else's notification is not opened for you
    login(client, "gw_b")
    assert client.post(note.group(1)).status_code == 404


def test_a_refused_step_leaves_no_notification(app, client):
    login(client, "gw_a")
    case = report(client)
    with app.app_context():
        count = db.session().scalar(select(func.count(Notification.id)))
    login(client, "dispatcher")
    page = client.get(f"/cases/{case}").get_data(as_text=True)
    target = re.search(rf'action="(/cases/{case}/act/reject\?version=\d+[^"]*)"', page).group(1)
    target = target.replace("&amp;", "&")
    assert client.post(target, data={"reason": ""}).status_code == 422
    with app.app_context():
        assert db.session().scalar(select(func.count(Notification.id))) == count


class Receiver(BaseHTTPRequestHandler):
    """Answers 500 to the first post and 200 after, keeping what it got."""

    got: ClassVar[list] = []
    fail_first = 1

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).got.append((dict(self.headers), body))
        failing = len(type(self).got) <= type(self).fail_first
        self.send_response(500 if failing else 204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.got = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/hook"
    httpd.shutdown()
    thread.join()
    httpd.server_close()


def test_a_units_webhook_gets_it_signed_and_retried(app, client, receiver, onegrid):
    login(client, "admin")
    r = client.post("/admin/webhooks", data={"unit": "dept.centre", "url": "ftp://x"})
    assert r.status_code == 422 and "http://" in r.get_data(as_text=True)
    r = client.post(
        "/admin/webhooks", data={"unit": "dept.centre", "url": receiver, "secret": "s3cret"}
    )
    assert r.status_code == 303
    assert "已设置指挥中心的通知地址" in client.get("/admin/webhooks").get_data(as_text=True)
    login(client, "gw_a")
    case = report(client)
    url = app.config["ONEGRID_DATABASE_URL"]
    assert onegrid("notify", "deliver", "--url", url).code == 0
    assert len(Receiver.got) == 1  # refused with a 500: to be tried again later
    with app.app_context():
        delivery = db.session().scalar(select(Delivery))
        assert delivery.state == "pending" and delivery.attempts == 1
        assert delivery.next_at > store.utcnow() + dt.timedelta(seconds=20)
    # not due yet: nothing posted; once due (backoff passed), delivered
    assert onegrid("notify", "deliver", "--url", url).code == 0
    assert len(Receiver.got) == 1
    sessions = store.sessions(db.engine(app))
    report_ = notify.deliver(sessions, now=store.utcnow() + dt.timedelta(minutes=1))
    assert report_.delivered == [delivery.id]
    headers, body = Receiver.got[-1]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Onegrid-Signature"] == expected
    sent = json.loads(body)
    assert sent["case"] == case and sent["unit"] == "dept.centre" and sent["event"] == "open"
    assert sent["subject"]["zh"].startswith(f"#{case} 乱扔垃圾")
    # delivered once: a later run posts nothing more
    notify.deliver(sessions, now=store.utcnow() + dt.timedelta(hours=2))
    assert len(Receiver.got) == 2


def test_backoff_doubles_and_gives_up(app):
    assert [notify.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert notify.backoff(30) == notify.LONGEST_RETRY
    with app.app_context():
        session = db.session()
        session.add(store.Webhook(unit="dept.urban", url="http://127.0.0.1:9/", secret="x"))
        note = notify.enqueue(session, "test", units=["dept.urban"], subject="测试")
        session.commit()
        readers = session.scalars(
            select(NotificationRecipient.username).where(
                NotificationRecipient.notification_id == note.id
            )
        ).all()
        assert readers == ["urban"]
    sessions = store.sessions(db.engine(app))
    now = store.utcnow()
    for _ in range(notify.MAX_ATTEMPTS):
        now += notify.LONGEST_RETRY
        done = notify.deliver(sessions, now=now)
    assert done.failed  # nobody listens on port 9: failed for good after the last try
    with app.app_context():
        delivery = db.session().scalar(select(Delivery))
        assert delivery.state == "failed" and delivery.attempts == notify.MAX_ATTEMPTS
        assert delivery.last_error
