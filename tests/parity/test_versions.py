"""Published versions are self-contained: the sweep and a second intake
import, each a new process in a directory other than the project's, act on
cases reported in grids that live only in Kunqu's registry CSV."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import select

from onegrid import paths
from onegrid.store import Case, make_engine, sessions

ROW = {
    "matter": "m.city.stall",
    "title": "占道",
    "description": "占道经营，堵塞人行道",
    "location": {"text": "钢铁大街 1 号"},
}


def onegrid(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(paths.PROJECT / "platform")}
    return subprocess.run(
        [sys.executable, "-m", "onegrid", *map(str, args), "--lang", "en"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sweep_and_a_second_import_from_elsewhere_act_on_registry_grids(tmp_path):
    db = tmp_path / "cases.sqlite"
    url = f"sqlite:///{db}"
    first, second, elsewhere = (tmp_path / d for d in ("first", "second", "elsewhere"))
    for folder in (first, second, elsewhere):
        folder.mkdir()
    pack = paths.CATALOGS / "kunqu"
    (first / "a.json").write_text(
        json.dumps([{**ROW, "id": "H-1", "place": "g.heping.01", "urgency": "normal"}])
    )
    (second / "b.json").write_text(
        json.dumps([{**ROW, "id": "H-2", "place": "g.heping.02", "urgency": "urgent"}])
    )
    assert onegrid("db", "upgrade", "--url", url, cwd=elsewhere).returncode == 0
    r = onegrid("intake", "import", "a.json", "--pack", pack, "--url", url, cwd=first)
    assert r.returncode == 0, r.stdout + r.stderr
    r = onegrid("intake", "import", "b.json", "--pack", pack, "--url", url, cwd=second)
    assert r.returncode == 0, r.stdout + r.stderr  # no facts-unknown for g.heping.02
    r = onegrid("sweep", "--url", url, "--now", "2099-01-01T00:00+08:00", cwd=elsewhere)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "escalated 2" in r.stdout + r.stderr or "2 escalated" in r.stdout + r.stderr, r.stdout
    engine = make_engine(url)
    with sessions(engine)() as session:
        cases = session.scalars(select(Case).order_by(Case.id)).all()
        got = [(c.place, c.channel, c.door, c.escalations, c.supervised) for c in cases]
        rules = [c.route["rules"] for c in cases]
    engine.dispose()
    assert got == [
        ("g.heping.01", "hotline", "import", 1, True),
        ("g.heping.02", "hotline", "import", 1, True),
    ]
    # the hotline rule decided both, the second (urgent: major) by the whistle rule too
    assert rules == [["lead/catalog", "extras/hotline"], ["lead/whistle", "extras/hotline"]]
