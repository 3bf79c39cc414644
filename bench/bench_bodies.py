"""What an anonymous 14 MB form POST costs the server (issue 20: it used to
cost about 11 s of CPU and 640 MB before authentication).

A real `onegrid serve` process on kunqu; we read its CPU time and peak
memory (VmHWM) from /proc before and after each request, for a 14 MB form
to the login page and to Open311 and, as the baseline of the same run,
for an ordinary small login form.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SIZE = 14 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def usage(pid: int) -> tuple[float, int]:
    """(CPU seconds, peak resident KB) of the process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    peak = next(
        int(line.split()[1])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    return cpu, peak


def send(url: str, body: bytes) -> int:
    req = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (ConnectionError, urllib.error.URLError):
        return -1  # the server answered and closed before reading it all


def measure(pid: int, url: str, body: bytes) -> tuple[int, float, int]:
    cpu0, peak0 = usage(pid)
    status = send(url, body)
    time.sleep(0.2)
    cpu1, peak1 = usage(pid)
    return status, cpu1 - cpu0, peak1 - peak0


def wait_for(url: str) -> None:
    for _ in range(600):
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.1)


def main() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as instance:
        env = {
            **os.environ,
            "ONEGRID_INSTANCE_PATH": instance,
            "ONEGRID_ENV": "development",
            "PYTHONPATH": str(PROJECT / "platform"),
        }
        command = [sys.executable, "-m", "onegrid", "serve", "--port", str(port)]
        command += ["--catalog", str(PROJECT / "catalogs/kunqu")]
        server = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/auth/login")
            # many short fields: what makes form parsing expensive
            big = (b"a=1&" * (SIZE // 4))[:-1]
            small = b"username=nobody&password=wrong"
            rows = [
                ("small login form (baseline)", base + "/auth/login", small),
                ("14 MB form to /auth/login", base + "/auth/login", big),
                ("14 MB form to Open311 POST", base + "/open311/v2/requests.json", big),
                ("14 MB form to /cases/new", base + "/cases/new", big),
            ]
            for label, url, body in rows:
                status, cpu, peak = measure(server.pid, url, body)
                print(
                    f"{label:<30} HTTP {status:>4}  CPU {cpu:6.3f} s"
                    f"  peak memory +{peak / 1024:6.1f} MB",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
