"""'Did you mean …?' for mistyped keys and ids."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from onegrid.errors import Hint


def nearest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The closest candidate to `word`, if any is close enough."""
    pool = [c for c in candidates if isinstance(c, str)]
    if not isinstance(word, str) or not pool:
        return None
    lowered = word.lower()
    for c in pool:  # a case slip is always the answer
        if c.lower() == lowered and c != word:
            return c
    found = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(word: str, candidates: Iterable[str]) -> Hint | None:
    best = nearest(word, candidates)
    return Hint("hint.did-you-mean", {"suggestion": best}) if best else None
