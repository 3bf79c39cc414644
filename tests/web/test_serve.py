"""`onegrid serve` as `make serve` runs it: a real process on a free port
($PORT), migrating an empty instance folder, publishing the pack and
printing demo users who can then log in."""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import time

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_prints_demo_users_who_can_log_in(web_pack, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "ONEGRID_CATALOG": str(web_pack),
        "ONEGRID_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    env.pop("ONEGRID_DATABASE_URL", None)
    env.pop("ONEGRID_ENV", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "onegrid", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out = ""
        deadline = time.monotonic() + 60
        while "open311" not in out and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1)
            if ready:
                line = proc.stdout.readline()
                if not line:
                    break
                out += line
        assert f"http://127.0.0.1:{port}/" in out, out
        users = dict(re.findall(r"^  (\w+)\s+(\S+)\s+· ", out, re.M))
        assert {"grid_worker", "dispatcher", "dept_handler", "admin"} <= set(users), out
        assert (tmp_path / "instance" / "onegrid.sqlite").exists()
        session = requests.Session()
        for _ in range(50):
            try:
                page = session.get(f"http://127.0.0.1:{port}/auth/login", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = session.post(
            f"http://127.0.0.1:{port}/auth/login",
            data={"username": "grid_worker", "password": users["grid_worker"], "csrf_token": token},
            timeout=5,
        )
        assert r.status_code == 200 and "待办" in r.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_production_needs_a_secret_key(onegrid, web_pack, tmp_path, monkeypatch):
    monkeypatch.delenv("ONEGRID_SECRET_KEY", raising=False)
    monkeypatch.setenv("ONEGRID_INSTANCE_PATH", str(tmp_path))
    r = onegrid("serve", "--production", "--catalog", web_pack)
    assert r.code == 2
    assert "ONEGRID_SECRET_KEY" in r.err
    assert not (tmp_path / "secret_key").exists()
