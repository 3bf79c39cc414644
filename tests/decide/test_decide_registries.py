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
