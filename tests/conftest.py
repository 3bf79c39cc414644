"""Shared fixtures: the real CLI, real packs on disk."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from onegrid.cli import cli
from onegrid.cli.boundary import run

# the PostgreSQL cluster and per-test databases (tests/pg.py)
pytest_plugins = ["pg"]

PROJECT = Path(__file__).resolve().parents[1]
CATALOGS = PROJECT / "catalogs"


class Result:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def onegrid(capsys):
    """Run `onegrid ARGS…` in-process behind the real error boundary."""

    def call(*args: str) -> Result:
        code = run(cli, [str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return call


@pytest.fixture
def make_pack(tmp_path):
    """Write a pack from {relative path: YAML text}; pack.yaml is added if absent."""

    def make(files: dict[str, str], name: str = "p") -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        if "pack.yaml" not in files:
            files = {"pack.yaml": f"kind: pack\nid: {name}\nname: test pack\n", **files}
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return make
