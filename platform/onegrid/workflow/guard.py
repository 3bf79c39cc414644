"""Conditions a transition may require of a case (`guard:` in the workflow).

The names are declared, with their meaning, in
`onegrid.policy.kinds.workflow.GUARDS`; a test checks both agree.
"""

from __future__ import annotations

from collections.abc import Callable

from onegrid.workflow import escalation


def _on_the_spot(book, case) -> bool:
    return bool(book.matters.get(case.matter, {}).get("on_the_spot"))


GUARDS: dict[str, Callable] = {
    "on_the_spot": _on_the_spot,
    "not_on_the_spot": lambda book, case: not _on_the_spot(book, case),
    "can_escalate": lambda book, case: escalation.next_rung(book, case, "beyond_level") is not None,
    "supervised": lambda book, case: bool(case.supervised),
    "not_supervised": lambda book, case: not case.supervised,
    "has_assistants": lambda book, case: bool(case.assistants),
}


def failed(book, case, transition: dict) -> str | None:
    """The first guard of `transition` that does not hold, if any."""
    for name in transition.get("guard") or ():
        if not GUARDS[name](book, case):
            return name
    return None
