"""Typed unit attributes: a level declares the attributes its units carry
(`levels: [{id: grid, attributes: {mountain: {type: boolean}}}]`), so that
`mountain: yes` in org.yaml, or `是` in a registry column, is read as the
declared type or named as an error, never kept as the text "yes" that a
rule testing `grid.mountain: true` would silently miss.

One implementation for both places a value is written: YAML (`check`) and
registry CSV cells (`from_cell`).
"""

from __future__ import annotations

import math
from typing import Any

from onegrid import messages
from onegrid.errors import Problem
from onegrid.policy.suggest import did_you_mean

TYPES = ("text", "integer", "number", "boolean")
# what people type for yes and no, in a CSV cell
FLAGS = {
    "true": True, "false": False, "1": True, "0": False,
    "是": True, "否": False, "有": True, "无": False,
}  # fmt: skip
# texts that look like a yes/no answer kept as a string by YAML 1.2
LOOKS_BOOLEAN = frozenset({"yes", "no", "on", "off", "y", "n", "是", "否", "true", "false"})

messages.register(
    {
        "attribute-undeclared": {
            "zh": "层级 '{level}' 没有声明属性 '{name}'（已声明：{declared}）",
            "en": "the level '{level}' declares no attribute '{name}' (declared: {declared})",
        },
        "attribute-type": {
            "zh": "属性 '{name}' 声明为 {type}，这里的值 '{cell}' 不是：{hint}",
            "en": "the attribute '{name}' is declared {type}; '{cell}' is not one: {hint}",
        },
        "attribute-looks-boolean": {
            "zh": "属性 '{name}' 的值 '{cell}' 会被当作文字：是/否请写 true 或 false，或在层级上声明它的类型",
            "en": "the attribute '{name}' has the value '{cell}', which is kept as text: write true or false for yes/no, or declare its type on the level",
        },
    }
)

HINTS = {
    "boolean": {"zh": "请写 true 或 false", "en": "write true or false"},
    "integer": {"zh": "请写整数", "en": "write a whole number"},
    "number": {"zh": "请写数字", "en": "write a number"},
    "text": {"zh": "请写文字", "en": "write a text"},
}


def declared(policy, level: str | None) -> dict[str, Any]:
    """{attribute: its declaration} for units at `level` (empty: untyped)."""
    item = policy.get("level", level) if level else None
    found = item.get("attributes") if item else None
    return found if isinstance(found, dict) else {}


def fits(kind: str, value: Any) -> bool:
    """Whether a YAML value is of the declared type."""
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        )
    return isinstance(value, str)


def from_cell(kind: str, cell: str) -> tuple[Any, bool]:
    """A registry cell read as the declared type: (value, ok); an empty cell is None."""
    cell = cell.strip()
    if not cell:
        return None, True
    if kind == "boolean":
        flag = FLAGS.get(cell.lower())
        return flag, flag is not None
    if kind == "integer":
        ok = cell.lstrip("-").isascii() and cell.lstrip("-").isdigit()
        return (int(cell) if ok else None), ok
    if kind == "number":
        try:
            value = float(cell)
        except ValueError:
            return None, False
        return value, math.isfinite(value)
    return cell, True


def type_problem(name: str, kind: str, value: Any, loc) -> Problem:
    params = {"name": name, "type": kind, "cell": value, "hint": HINTS[kind]}
    return Problem("attribute-type", params, loc)


def check(policy) -> list[Problem]:
    """Each unit's attributes against its level's declarations."""
    problems: list[Problem] = []
    for unit in policy.items("unit"):
        values = unit.get("attributes")
        if not isinstance(values, dict):
            continue
        decl = declared(policy, unit.get("level"))
        for name, value in values.items():
            loc = values.loc_of(name) if hasattr(values, "loc_of") else unit.loc
            if not decl:
                if isinstance(value, str) and value.strip().lower() in LOOKS_BOOLEAN:
                    params = {"name": name, "cell": value}
                    problems.append(
                        Problem("attribute-looks-boolean", params, loc, severity="warning")
                    )
                continue
            spec = decl.get(name)
            if spec is None:
                params = {"name": name, "level": unit["level"], "declared": ", ".join(decl)}
                problems.append(
                    Problem("attribute-undeclared", params, loc, did_you_mean(name, list(decl)))
                )
            elif not fits(spec.get("type", "text"), value):
                problems.append(type_problem(name, spec.get("type", "text"), value, loc))
    return problems
