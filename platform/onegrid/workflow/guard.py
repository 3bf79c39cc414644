"""Conditions a transition may require of a case (`guard:` in the workflow).

The names are declared, with their meaning, in
`onegrid.policy.kinds.workflow.GUARDS`; a test checks both agree.
"""

from __future__ import annotations

from collections.abc import Callable

from onegrid.workflow import escalation, finality


def _progress(case, key: str):
    return (case.progress or {}).get(key)


def _pending_parts(case) -> list[str]:
    parts = _progress(case, "parts") or {}
    return [u for u, p in parts.items() if p.get("state") not in ("done", "waived")]


def _on_the_spot(book, case) -> bool:
    return bool(book.matters.get(case.matter, {}).get("on_the_spot"))


GUARDS: dict[str, Callable] = {
    "on_the_spot": _on_the_spot,
    "not_on_the_spot": lambda book, case: not _on_the_spot(book, case),
    "can_escalate": lambda book, case: escalation.next_rung(book, case, "beyond_level") is not None,
    "supervised": lambda book, case: bool(case.supervised),
    "not_supervised": lambda book, case: not case.supervised,
    "has_assistants": lambda book, case: bool(case.assistants),
    "signed": lambda book, case: bool(_progress(case, "signed")),
    "not_signed": lambda book, case: not _progress(case, "signed"),
    "returned": lambda book, case: bool(_progress(case, "returns")),
    "extension_pending": lambda book, case: bool(_progress(case, "extension")),
    "no_extension_pending": lambda book, case: not _progress(case, "extension"),
    "revisited": lambda book, case: bool(_progress(case, "revisited")),
    "not_revisited": lambda book, case: not _progress(case, "revisited"),
    "parts_done": lambda book, case: not _pending_parts(case),
    "parts_pending": lambda book, case: bool(_pending_parts(case)),
    "dispatch_choice": lambda book, case: book.dispatch_option(case) is not None,
    "together": lambda book, case: bool((book.dispatch_option(case) or {}).get("together")),
}

MAX = "max"  # reported when a transition's `max:` times are used up


def taken(case, transition_id: str) -> int:
    """How often the transition was taken on the case."""
    return sum(1 for h in case.hands or () if h and h[0] == transition_id)


# not a guard a pack writes: a final rung keeps transitions that leave its decision
FINAL = "final_rung"


def failed(book, case, transition: dict) -> str | None:
    """The first guard of `transition` that does not hold, if any."""
    for name in transition.get("guard") or ():
        if not GUARDS[name](book, case):
            return name
    most = transition.get("max")
    if most is not None and taken(case, transition["id"]) >= most:
        return MAX
    if finality.blocked(book, case, transition) is not None:
        return FINAL
    return None
