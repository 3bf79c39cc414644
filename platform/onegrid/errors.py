"""The project's error types and the problems they carry.

Everything a user can get wrong becomes a `Problem` (a code, parameters and a
location); `onegrid.messages` turns problems into sentences, and the CLI and
web boundaries are the only places that print them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Loc(NamedTuple):
    """Where a value came from: file, 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Hint:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a policy, at one place."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    loc: Loc | None = None
    hint: Hint | None = None
    severity: str = "error"

    def sort_key(self) -> tuple:
        loc = self.loc or Loc("", 0, 0)
        return (loc.file, loc.line, loc.col, self.code)


class OnegridError(Exception):
    """An error the user can act on; never shown as a traceback."""

    exit_code = 1

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("; ".join(p.code for p in self.problems))


class PolicyError(OnegridError):
    """A policy pack (or a file in it) is invalid."""


class UsageError(OnegridError):
    """The command was called wrongly (exit code 2)."""

    exit_code = 2
