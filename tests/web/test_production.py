"""`onegrid serve --production` as a deployment runs it: waitress, four worker
processes on one port, a real PostgreSQL, the bundled kunqu pack, behind a
TLS proxy. The staff app and Open311 answer, and a due case is warned once
however many workers sweep."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from onegrid.store import AuditEntry, Case, make_engine, sessions
from onegrid.web import create_app, db, demo, policyview
from web.test_serve import free_port

WORKERS = 4
_numbers = itertools.count(1)
# as the TLS proxy in front sends them
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "grid.example.cn"}


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def wait_until_served(base: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            if requests.get(f"{base}/auth/login", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # bound at once, while the workers still start
        time.sleep(0.3)
    raise AssertionError("the server did not answer")


def seed_users(url: str, instance: Path) -> list[demo.DemoUser]:
    """Accounts as an administrator would create them (production seeds none)."""
    app = create_app(
        {
            "ONEGRID_ENV": "production",
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(instance),
            "ONEGRID_CATALOG": "kunqu",
            "ONEGRID_DATABASE_URL": url,
        }
    )
    try:
        with app.app_context():
            policy = policyview.load(app).policy
            return demo.seed(db.session(), policy, password="pw-prod-test", api_key="key-prod")
    finally:
        db.engine(app).dispose()


def fill(definition: dict) -> dict:
    """Every required attribute of an Open311 service, as a client fills it."""
    data = {}
    for a in definition["attributes"]:
        if not a["required"]:
            continue
        values = a.get("values") or []
        data[f"attribute[{a['code']}]"] = values[0]["key"] if values else "生产环境测试上报内容"
    return data


@pytest.fixture
def production(postgres, tmp_path):
    name = f"onegrid_prod_{next(_numbers)}"
    postgres.execute(f"CREATE DATABASE {name}")
    url = postgres.url(name)
    port = free_port()
    env = {
        **os.environ,
        "ONEGRID_SECRET_KEY": "a-production-secret",
        "ONEGRID_AUDIT_KEY": "an-audit-key",
        "ONEGRID_DATABASE_URL": url,
        "ONEGRID_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    env.pop("ONEGRID_ENV", None)
    argv = [sys.executable, "-m", "onegrid", "serve", "--production", "--catalog", "kunqu"]
    argv += ["--port", str(port), "--workers", str(WORKERS), "--threads", "2"]
    argv += ["--sweep-every", "0.5", "--proxies", "1"]
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_served(base, proc)
        yield base, url, proc, tmp_path
    finally:
        workers = children(proc.pid)
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        print(out)
        assert proc.returncode == 0, out
        time.sleep(0.5)
        assert not [p for p in workers if Path(f"/proc/{p}").exists()], (
            "workers outlived the server"
        )


def test_production_serves_staff_and_open311_and_sweeps_once(production):
    base, url, proc, tmp_path = production
    assert len(children(proc.pid)) == WORKERS
    users = {u.username: u for u in seed_users(url, tmp_path / "seed")}

    # the staff app as the browser sees it through the TLS proxy: its
    # cookies are Secure, so they travel only because the proxy says https
    jar: dict[str, str] = {}

    def browse(method: str, path: str, **kwargs) -> requests.Response:
        headers = {**FORWARDED, "Referer": "https://grid.example.cn/auth/login"}
        r = requests.request(
            method,
            base + path,
            headers=headers,
            cookies=jar,
            allow_redirects=False,
            timeout=10,
            **kwargs,
        )
        jar.update(r.cookies.get_dict())
        return r

    page = browse("GET", "/auth/login")
    assert page.headers["Server"] == "onegrid"  # waitress's ident; Werkzeug's says Werkzeug
    assert "Secure" in page.headers["Set-Cookie"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    password = users["grid_worker"].password
    r = browse(
        "POST",
        "/auth/login",
        data={"username": "grid_worker", "password": password, "csrf_token": token},
    )
    assert r.status_code == 302, r.text
    r = browse("GET", r.headers["Location"])
    assert r.status_code == 200 and "/auth/logout" in r.text  # logged in: the inbox

    # Open311 behind the TLS proxy: discovery names the public https address
    root = f"{base}/open311/v2"
    discovery = requests.get(f"{root}/discovery.json", headers=FORWARDED, timeout=10).json()
    assert discovery["endpoints"][0]["url"] == "https://grid.example.cn/open311/v2"
    services = requests.get(f"{root}/services.json", timeout=10).json()
    code = services[0]["service_code"]
    definition = requests.get(f"{root}/services/{code}.json", timeout=10).json()
    r = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": "key-prod",
            "service_code": code,
            "address_id": "g.heping.01",
            # core fields, as a GeoReport client sends them (the pack maps them onto the form)
            "description": "生产环境测试上报：路灯不亮",
            "address_string": "和平路 1 号",
            **fill(definition),
        },
        timeout=10,
    )
    assert r.status_code == 200, r.text
    case_id = int(r.json()[0]["service_request_id"])

    # the case falls due for its warning: four workers sweep twice a second
    engine = make_engine(url)
    try:
        with sessions(engine)() as session:
            case = session.get(Case, case_id)
            assert not case.warned
            case.warn_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            session.commit()

        def warnings() -> int:
            with sessions(engine)() as session:
                return session.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(AuditEntry.case_id == case_id, AuditEntry.action == "warn")
                )

        deadline = time.monotonic() + 60
        while warnings() == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # a dozen more rounds in which a second warning could happen
        assert warnings() == 1
        with sessions(engine)() as session:
            assert session.get(Case, case_id).warned
    finally:
        engine.dispose()
