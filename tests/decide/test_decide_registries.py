"""The language's registries (operators, hit policies) and their implementations agree."""

from onegrid.decide.operators import OPERATORS
from onegrid.policy.kinds.routing import HIT_POLICIES
from onegrid.policy.kinds.routing import OPERATORS as DECLARED
from onegrid.policy.schema import validator


def test_every_declared_operator_is_implemented_and_nothing_else():
    assert set(OPERATORS) == set(DECLARED)


def test_the_schema_takes_its_operators_and_hit_policies_from_the_registries():
    schema = validator("routing").schema
    table = schema["properties"]["tables"]["items"]
    assert table["properties"]["hit"]["enum"] == list(HIT_POLICIES)
    condition = table["properties"]["rules"]["items"]["properties"]["when"]["additionalProperties"]
    assert set(condition["anyOf"][1]["properties"]) == set(DECLARED)


def test_only_the_engine_module_imports_durable_rules():
    import re
    from pathlib import Path

    import onegrid

    root = Path(onegrid.__file__).parent
    pattern = re.compile(r"^\s*(import|from)\s+durable", re.MULTILINE)
    importers = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    )
    assert importers == ["decide/engine.py"]
