"""The built wheel carries the bundled packs: installed into an empty
virtualenv, `onegrid check kunqu` and `onegrid serve` find them by name.

Offline and quick: the wheel is built from a copy of the source with the
build backend already installed here, and installed with --no-deps into a
fresh venv (pip from ensurepip) that sees this environment's dependencies
through a plain path entry (which does not run this environment's editable
finder, so only the wheel's onegrid can be imported)."""

from __future__ import annotations

import ensurepip
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
import requests

from web.test_serve import free_port

PROJECT = Path(__file__).resolve().parents[1]
SOURCE = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "platform", "catalogs"]
SOURCE += ["rules", "forms"]
BUILD = "from setuptools import build_meta; print(build_meta.build_wheel({out!r}))"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCE:
        path = PROJECT / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy(path, src / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "ONEGRID_", "PIP_"))}
    env["PIP_CONFIG_FILE"] = os.devnull  # the machine's pip settings are not the user's
    out = tmp / "dist"
    built = subprocess.run(
        [sys.executable, "-c", BUILD.format(out=str(out))],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    wheel = out / built.stdout.strip().splitlines()[-1]
    venv = tmp / "venv"
    python = venv / "bin" / "python"
    # pip straight from the wheel Python ships for ensurepip: installing it
    # into the venv first would take longer than the rest of this test
    pips = sorted((Path(ensurepip.__file__).parent / "_bundled").glob("pip-*.whl"))
    if pips:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
        pip = [python, str(pips[-1] / "pip")]
    else:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
        pip = [python, "-m", "pip"]
    subprocess.run(
        [*pip, "install", "-q", "--no-index", "--no-deps", "--no-compile", wheel],
        env=env,
        check=True,
        timeout=300,
    )
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # the dependencies, from this environment: a path line, not a site dir
    Path(site, "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp / "elsewhere"  # no source tree around the installed package
    work.mkdir()
    return wheel, venv, env, work


def test_the_wheel_ships_every_bundled_pack_file(installed):
    import zipfile

    wheel, *_ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "onegrid/packs/" + p.relative_to(PROJECT).as_posix()
        for shelf in ("catalogs", "rules", "forms")
        for p in (PROJECT / shelf).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert sum(n.endswith(".yaml") for n in expected) > 20
    assert expected <= names, sorted(expected - names)[:5]


def test_check_finds_a_bundled_pack_by_name(installed):
    _, venv, env, work = installed
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import onegrid; print(onegrid.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr
    for pack in ("kunqu", "jinshui"):
        done = subprocess.run(
            [venv / "bin" / "onegrid", "check", pack, "--format", "json"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert json.loads(done.stdout)["errors"] == 0


def test_serve_serves_kunqu_from_the_wheel(installed):
    _, venv, env, work = installed
    port = free_port()
    proc = subprocess.Popen(
        [venv / "bin" / "onegrid", "serve", "--port", str(port)],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                services = requests.get(f"{base}/open311/v2/services.json", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert time.monotonic() < deadline, "onegrid serve did not answer"
                time.sleep(0.3)
        assert services.status_code == 200
        assert "m.party.activity" in {s["service_code"] for s in services.json()}
        assert requests.get(f"{base}/auth/login", timeout=10).status_code == 200
        # the instance folder sits beside the environment, not in site-packages
        assert (venv / "var" / "onegrid-instance" / "onegrid.sqlite").is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
