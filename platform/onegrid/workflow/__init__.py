"""Cases through the closed loop: the engine's interface (issue 6).

Everything below takes a SQLAlchemy `Session` from `onegrid.store.sessions`
and **commits itself** (one call = one transaction = one audit row per
step); on an error it rolls back and raises one of the errors below.

Policy versions (`version.py`)
- `publish(session, policy, by=None) -> PolicyVersion`: store
  `policy.resolved()` immutably with `policy.content_hash`; publishing the
  same content as the newest version returns that version.
- `newest_version(session, pack_id) -> PolicyVersion | None`;
  `rulebook(version) -> Rulebook`: the workflow, matters, org and calendar
  of one version (cached), with `.state(id)`, `.transition(id)`,
  `.matter(id)`, `.name(item, lang)`.

Actors (`actor.py`)
- `Actor(id: str, bindings: tuple[Binding, ...], name: str | None = None)`;
  `Binding(role: str, unit: str)`: a role held in an org unit, department
  or enterprise (the ids of the pack's org file).

Cases (`case.py`)
- `open_case(session, version, facts, submission, actor, channel,
  idempotency_key=None, now=None) -> Case`: `facts` must hold `matter`
  and should hold `place` (the grid or unit where it happened); the
  submission is validated with the matter's form, the case routed (lead
  unit, assistants, enterprise, level, limits), stored and audited. Same
  idempotency key + same body → the same case; other body → `Conflict`.
- `act(session, case_id, transition, actor, submission, expected_version,
  now=None) -> Case`: take one transition; `expected_version` is the
  `case.version` the actor saw; a stale one raises `Conflict`.
- `actions_for(case, actor) -> list[Action]`: the transitions this actor
  may take now (`Action.id, .name (text), .to, .form, .fields`).
- `trail(session, case_id) -> list[Step]`: every audit row of the case,
  oldest first (`Step.seq, .at, .action, .actor, .from_state, .to_state,
  .data`).
- `get_case(session, case_id) -> Case` (or `CaseNotFound`).
- `CHANNELS`: the intake channels (grid, hotline, petition, wechat,
  open311, web, import).

Deadlines (`deadline.py`, `calendar.py`, `sweep.py`)
- Each state names the `step` whose time limit runs in it; `case.due_at`
  and `case.warn_at` come from the matter's limits (or the workflow's
  defaults) on the pack's business calendar.
- `sweep(sessionmaker, now=None) -> SweepReport(warned, escalated,
  supervised)`: warnings, supervision and escalation up the ladder for due
  cases; idempotent and safe to run in several processes at once.

Audit (`audit.py`)
- `verify(session) -> list[Problem]`: empty when the chain is intact.

Errors (`errors.py`, all `OnegridError`s carrying `Problem`s)
- `CaseNotFound` (404), `Forbidden` (403: not this actor's transition),
  `InvalidSubmission` (422: `.problems`, `.errors` from the form),
  `Conflict` (409: stale version, idempotency key reused with another
  body, transition not open in the current state).
"""

from onegrid.workflow.actor import SWEEP, Actor, Binding
from onegrid.workflow.audit import verify
from onegrid.workflow.case import (
    CHANNELS,
    Action,
    Step,
    act,
    actions_for,
    get_case,
    open_case,
    trail,
)
from onegrid.workflow.errors import (
    CaseError,
    CaseNotFound,
    Conflict,
    Forbidden,
    InvalidSubmission,
)
from onegrid.workflow.rulebook import Rulebook, rulebook
from onegrid.workflow.sweep import SweepReport, sweep
from onegrid.workflow.version import newest_version, publish

__all__ = [
    "CHANNELS",
    "SWEEP",
    "Action",
    "Actor",
    "Binding",
    "CaseError",
    "CaseNotFound",
    "Conflict",
    "Forbidden",
    "InvalidSubmission",
    "Rulebook",
    "Step",
    "SweepReport",
    "act",
    "actions_for",
    "get_case",
    "newest_version",
    "open_case",
    "publish",
    "rulebook",
    "sweep",
    "trail",
    "verify",
]
