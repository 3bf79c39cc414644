"""Administrators' regular expressions, run by RE2 (linear time).

A pattern RE2 cannot compile (backreferences, lookaround, huge counted
repeats) is refused when the pack is checked; we never fall back to a
backtracking engine, so no pattern can hang the server (issue 5, item 2).
"""

from __future__ import annotations

from functools import lru_cache

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print every refused pattern on stderr
_OPTIONS.max_mem = 8 << 20


class UnsafePattern(ValueError):
    """RE2 cannot compile the pattern; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@lru_cache(maxsize=1024)
def safe_pattern(pattern: str):
    """The compiled RE2 regex, or `UnsafePattern`."""
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else str(exc)
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise UnsafePattern(str(reason)) from None
