"""Editor schemas: written by `onegrid schema`, committed, and pointed at by
every bundled policy file."""

from __future__ import annotations

import json
import re

import pytest
from jsonschema import Draft202012Validator

from conftest import PROJECT
from onegrid.policy.kinds import KINDS
from onegrid.policy.loader import load_file

SCHEMAS = PROJECT / "docs" / "schemas"
HINT = re.compile(r"# yaml-language-server: \$schema=(\S+)\n")
BUNDLED = sorted(
    path
    for folder in ("catalogs", "rules", "forms")
    for path in (PROJECT / folder).rglob("*")
    if path.suffix in (".yaml", ".yml") and path.is_file()
)


def test_schema_command_writes_one_valid_schema_per_kind(onegrid, tmp_path):
    result = onegrid("schema", tmp_path / "out")
    assert result.code == 0, result.err
    written = sorted(p.name for p in (tmp_path / "out").glob("*.schema.json"))
    assert written == sorted(f"{kind}.schema.json" for kind in KINDS)
    for name in written:
        data = json.loads((tmp_path / "out" / name).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(data)
        assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert data["properties"]["kind"] == {
            "const": name.removesuffix(".schema.json"),
            "description": data["properties"]["kind"]["description"],
        }


def test_committed_schemas_are_up_to_date(onegrid, tmp_path):
    onegrid("schema", tmp_path)
    fresh = {
        str(p.relative_to(tmp_path)): p.read_text(encoding="utf-8")
        for p in tmp_path.rglob("*.schema.json")
    }
    committed = {
        str(p.relative_to(SCHEMAS)): p.read_text(encoding="utf-8")
        for p in SCHEMAS.rglob("*.schema.json")
    }
    stale = sorted(n for n in fresh.keys() | committed.keys() if fresh.get(n) != committed.get(n))
    assert not stale, f"run `onegrid schema docs/schemas` and commit: {stale}"


def test_there_are_bundled_files():
    assert any(p.name == "pack.yaml" for p in BUNDLED)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(PROJECT)))
def test_bundled_file_starts_with_the_schema_hint_of_its_kind(path):
    first = path.read_text(encoding="utf-8").split("\n", 1)[0] + "\n"
    hint = HINT.fullmatch(first)
    assert hint, f"{path.name} must start with '# yaml-language-server: $schema=…'"
    kind = load_file(path).get("kind")
    target = (path.parent / hint.group(1)).resolve()
    assert target == (SCHEMAS / f"{kind}.schema.json").resolve()
    assert target.is_file()
