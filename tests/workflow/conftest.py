"""Cases on both databases: a small test pack, bundled packs and actors."""

from __future__ import annotations

import textwrap

import pytest

from onegrid.policy.pack import load_policy
from onegrid.store import make_engine, sessions
from onegrid.workflow import Actor, Binding, publish

MINI = {
    "pack.yaml": """\
        kind: pack
        id: mini
        name: 测试包
        version: "1"
        includes: [closed-loop, calendar-cn]
        """,
    # a district's adaptation: only a street officer may reject a report
    "workflow.yaml": """\
        kind: workflow
        transitions:
          - id: reject
            by: [{role: officer, level: street}]
        """,
    "org.yaml": """\
        kind: org
        levels:
          - {id: district, name: 区, rank: 1}
          - {id: street, name: 街道, rank: 2}
          - {id: community, name: 社区, rank: 3}
          - {id: grid, name: 网格, rank: 4}
        units:
          - {id: d, name: 区, level: district}
          - {id: s1, name: 一街道, level: street, parent: d}
          - {id: c1, name: 一社区, level: community, parent: s1}
          - {id: g1, name: 一网格, level: grid, parent: c1}
          - {id: g2, name: 二网格, level: grid, parent: c1}
        departments:
          - {id: dept.urban, name: 城管局, level: district}
        roles:
          - {id: grid_worker, name: 网格员, level: grid}
          - {id: officer, name: 工作人员, level: street}
        """,
    "matters.yaml": """\
        kind: matters
        matters:
          - id: m.litter
            name: 暴露垃圾
            unit: g1
            level: grid
            limits: {accept: 1h, handle: 1d}
            on_the_spot: true
          - id: m.building
            name: 违法建设
            unit: dept.urban
            level: district
            limits: {accept: 2h, handle: 5wd}
            form: f.report
        """,
    "routing.yaml": """\
        kind: routing
        channels:
          - {id: grid, name: 网格巡查, doors: [pages, api]}
          - {id: hotline, name: 12345 热线, doors: [import]}
          - {id: wechat, name: 微信}
        """,
    "forms.yaml": """\
        kind: forms
        forms:
          - id: f.report
            name: 上报
            fields:
              - {name: description, type: textarea, label: 问题描述, required: true}
        """,
}


_LOADED: dict[str, object] = {}


def runnable(path) -> object:
    key = str(path)
    if key not in _LOADED:
        _LOADED[key] = load_policy(path)
    return _LOADED[key]


@pytest.fixture(scope="session")
def mini_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("mini")
    for rel, text in MINI.items():
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def mini(mini_root):
    return runnable(mini_root)


@pytest.fixture
def db(db_url):
    """A sessionmaker on a fresh database (SQLite, then PostgreSQL)."""
    engine = make_engine(db_url)
    yield sessions(engine)
    engine.dispose()


@pytest.fixture
def version(db, mini):
    with db() as session:
        return publish(session, mini, by="admin")


def staff(unit: str, role: str = "staff", who: str | None = None) -> Actor:
    return Actor(who or f"{role}@{unit}", (Binding(role, unit),))


REPORTER = Actor("gw1", (Binding("grid_worker", "g1"),))
