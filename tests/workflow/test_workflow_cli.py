"""`onegrid db upgrade`, `sweep`, `audit verify` and `intake import`."""

from __future__ import annotations

import json
import textwrap

import pytest
from sqlalchemy import text

from onegrid.store import Case, make_engine, sessions

from .conftest import MINI

CSV = """\
id,matter,place,description,fact.severity
H-001,m.building,g1,楼顶加盖,high
H-002,m.building,g1,,low
H-003,m.nope,g1,xx,
H-004,m.litter,g2,垃圾堆放,
"""


@pytest.fixture
def pack(tmp_path):
    """The test pack, which includes the shared closed loop and calendar."""
    root = tmp_path / "mini"
    root.mkdir()
    for rel, body in MINI.items():
        (root / rel).write_text(textwrap.dedent(body), encoding="utf-8")
    return root


def test_db_upgrade_twice_then_empty_chain_verifies(onegrid, tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    for _ in range(2):
        r = onegrid("db", "upgrade", "--url", url, "--lang", "en")
        assert r.code == 0 and "newest revision" in r.out
    r = onegrid("audit", "verify", "--url", url)
    assert (r.code, r.out.strip()) == (
        0,
        "审计记录完整：0 条记录，0 次封存，0 件案件与其记录一致（0 条尚未封存）",
    )


def test_a_missing_database_is_a_message_not_a_traceback(onegrid, tmp_path):
    r = onegrid("audit", "verify", "--url", f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert r.code == 1
    assert "error[database-error]" in r.err and "onegrid db upgrade" in r.err


def test_intake_import_reports_each_bad_row(onegrid, db_url, pack, tmp_path):
    source = tmp_path / "hotline.csv"
    source.write_text(CSV, encoding="utf-8")
    r = onegrid("intake", "import", source, "--pack", pack, "--url", db_url, "--lang", "en")
    assert r.code == 1
    lines = r.out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{source}:3:1: error[field-invalid]") or lines[0].startswith(
        f"{source}:3:1: error[field-required]"
    )
    assert (
        lines[1]
        == f"{source}:4:1: error[unknown-matter]: the matter catalog has no matter 'm.nope'"
    )
    assert "2 created, 0 already imported, 2 row(s) with errors" in r.err
    r = onegrid("intake", "import", source, "--pack", pack, "--url", db_url, "--format", "json")
    assert (r.code, json.loads(r.out)["repeated"]) == (1, 2)
    engine = make_engine(db_url)
    with sessions(engine)() as session:
        cases = session.query(Case).order_by(Case.id).all()
    engine.dispose()
    assert [(c.channel, c.idempotency_key, c.facts.get("severity")) for c in cases] == [
        ("hotline", "hotline:H-001", "high"),
        ("hotline", "hotline:H-004", None),
    ]


def test_sweep_and_verify_on_the_command_line(onegrid, db_url, pack, tmp_path):
    source = tmp_path / "hotline.json"
    source.write_text(json.dumps([{"id": "7", "facts": {"matter": "m.litter", "place": "g1"}}]))
    assert onegrid("intake", "import", source, "--pack", pack, "--url", db_url).code == 0
    r = onegrid("sweep", "--url", db_url, "--now", "2099-01-01T00:00+08:00", "--lang", "en")
    lines = r.out.strip().splitlines()
    assert (r.code, lines[0]) == (0, "0 warned, 1 escalated, 0 put under supervision")
    # then the monthly run: the last month ended is frozen (the dashboard's rollup)
    assert lines[1:] == ["1 scoring result(s) frozen: onegrid.dashboard 2098-12"]
    assert onegrid("audit", "verify", "--url", db_url).code == 0
    engine = make_engine(db_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_no_delete"))
        conn.execute(text("DELETE FROM audit WHERE seq = 2"))
    engine.dispose()
    r = onegrid("audit", "verify", "--url", db_url, "--lang", "en")
    assert r.code == 1
    # the case's second row is gone: its third no longer links to its first
    assert "error[audit-gap]: the audit chain of case:1 breaks at row 2" in r.out


def test_intake_reads_gbk_and_counts_rows_by_their_first_line(db_url, pack, tmp_path, onegrid):
    source = tmp_path / "12345.csv"
    text = 'id,matter,place,description\nA1,m.building,g1,"两处违建\n一处在楼顶"\nA2,m.nope,g1,x\n'
    source.write_bytes(text.encode("gbk"))
    r = onegrid("intake", "import", source, "--pack", pack, "--url", db_url)
    assert r.code == 1
    assert r.out.startswith(f"{source}:4:1: error[unknown-matter]")
    engine = make_engine(db_url)
    with sessions(engine)() as session:
        (case,) = session.query(Case).all()
    engine.dispose()
    assert case.submission == {"description": "两处违建\n一处在楼顶"}
