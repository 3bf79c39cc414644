"""Cases through the closed loop: the engine's interface (issue 6).

Everything below takes a SQLAlchemy `Session` from `onegrid.store.sessions`
and **commits itself** (one call = one transaction = one audit row per
step); on an error it rolls back and raises one of the errors below.

Policy versions (`version.py`)
- `publish(session, policy, by=None) -> PolicyVersion`: store
  `policy.resolved()` immutably with `policy.content_hash`, and the grids
  of the pack's registry CSV (`version.grids`, migration 0002, which
  follows the accounts revision 0101); publishing the same content and
  grids as the newest version returns that version. Raises `PolicyError`
  (`no-workflow`) for a pack without `includes: [closed-loop]` or a
  workflow of its own.
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
  idempotency_key=None, now=None, lang="zh") -> Case`: `facts` must hold
  `matter` and should hold `place` (the grid or unit where it happened;
  passed to `onegrid.decide` as `unit`); the
  submission is validated with the matter's form, the case routed (lead
  unit, assistants, enterprise, level, limits), stored and audited. Same
  idempotency key + same body → the same case; other body → `Conflict`.
- `act(session, case_id, transition, actor, submission, expected_version,
  now=None, lang="zh") -> Case`: take one transition; `expected_version`
  is the `case.version` the actor saw; a stale one raises `Conflict`.
- `actions_for(case, actor, lang="zh") -> list[Action]`: the transitions
  this actor may take now (`Action.id, .name (text), .to, .form, .fields`).
  Who may take what is `by:` in the workflow: `party` reporter (the
  finder), dispatcher (bound to the unit at the case's level that the place
  lies in), lead (bound to `case.unit`), assistant, enterprise, superior
  (bound to a unit above the case's level, over the place), anyone;
  optionally a `role` and a `level`. A transition with `stay: true` (the
  closed loop's `supervise`, 督办) leaves the state and its clock alone.
- `trail(session, case_id) -> list[Step]`: every audit row of the case,
  oldest first (`Step.seq, .at, .action, .actor, .from_state, .to_state,
  .data`).
- `get_case(session, case_id) -> Case` (or `CaseNotFound`).
- Channels (`channels.py`): the pack's `channels:` are the one vocabulary;
  `channel_for(book, door, requested=None, allowed=None)` is the channel a
  case enters by at a door (pages, api, open311, import): the one
  requested, if the pack (and the credential's `allowed`) has it, else
  the door's default (`doors:` on a channel), else the first channel.

Deadlines (`deadline.py`, `calendar.py`, `sweep.py`)
- Each state names the `step` whose time limit runs in it; `case.due_at`
  and `case.warn_at` come from the matter's limits (or the workflow's
  defaults) on the pack's business calendar.
- `sweep(sessionmaker, now=None, batch=100, limit=None) -> SweepReport(warned,
  escalated, supervised, failed)` (lists of case ids): warnings, supervision
  and escalation up the ladder for due cases; idempotent; one case per
  transaction, claimed with SKIP LOCKED in `cases.sweep_at` order (the next
  moment the sweep must act, kept on every flush by store/models.py; a
  partial index), so several processes share the work (`onegrid sweep`).
  Each assistant's part has its own clock (`assist.py`): warned when due
  soon, escalated (督办) when overdue, through the outbox (`SweepReport.parts`).
- `Scheduler(sessionmaker, interval=60).start()` / `.stop()`: the sweep in a
  background thread, for the web app.
- Inbox queries: due soon = `Case.warned` or `Case.warn_at <= now`;
  overdue = `Case.overdue` or `Case.due_at <= now`; supervised =
  `Case.supervised`; open = `Case.closed_at IS NULL`.

Audit (`audit.py`; the design is in its docstring)
- `audit.append(session, case_id, action, actor, at, data, subject=None)`:
  one row at the end of its subject's chain ("case:<id>"; `subject=` for
  other items, e.g. "item:7"; case_id None and no subject: "platform"), in
  the caller's transaction. A case's row also records the case's routed and
  state columns after the step (`audit.REPLAYED`), read from the Case here.
- `verify(session, since=None) -> Verdict(rows, problems, seals, cases,
  unsealed)`; `.ok` when intact (`onegrid audit verify [--since last|N|DATE]`):
  every chain, every seal, and every case against its trail's last step.
- `audit.seal(sessionmaker)`: seal the rows since the last seal (the
  scheduler after each sweep; `onegrid audit seal`).
- The database refuses UPDATE and DELETE on `audit`, `audit_seals` and
  `policy_versions`; on PostgreSQL the app role appends only through
  `onegrid_audit_next` / `onegrid_audit_append` (store/roles.py).

Notifications (`notify.py`, tables in `onegrid.store.outbox`, revision 0500)
- `enqueue(session, event, *, units=(), users=(), subject="", payload=None,
  case_id=None, exclude=(), now=None) -> Notification`: call it **inside
  your own transaction**, before your commit; it only adds and flushes
  rows (never commits), so the notification exists exactly when your step
  does. `units`: org units, departments or enterprises (every active user
  bound to one gets it in the app, and the unit's webhook, if an
  administrator set one, gets a delivery); `users`: usernames; `exclude`:
  usernames not to tell (who caused it). `subject`: a text, or
  `{"zh": …, "en": …}` (the app shows it in the reader's language);
  `payload`: JSON sent to webhooks as is. `event`: a short id of what
  happened (`open`, a transition id, `duty_due`, …).
- `case_step(session, book, case, event, actor=None, now=None)`: what
  `open_case` and `act` call: tells the holders of the case's open
  transitions (`case.waiting_on`), i.e. whoever must act next.
- `deliver(sessions, now=None, batch=50) -> DeliveryReport(delivered,
  retried, failed)`: posts due deliveries (JSON body, header
  `X-Onegrid-Signature: sha256=<HMAC-SHA256 of the body with the unit's
  secret>`, `X-Onegrid-Event`, `X-Onegrid-Delivery`); a non-2xx answer or
  a network error is retried after 30 s, 1 min, 2 min … (at most 1 h
  apart), failed after 8 tries. Run by the `Scheduler` after each sweep
  and by `onegrid notify deliver [--every N]`. Safe in several processes.
- `unread(session, username)`, `inbox(session, username, limit, before)`,
  `mark_read(session, username, ids=None)`, `is_for(...)`: the in-app
  list (`/notifications`; the header shows the unread count).
- `waiting_on(case) -> list[Holder(transition, party, role, units, users)]`
  (`case.py`): who may take each open transition now, for pages and
  notifications.

Intake (`intake.py`): `read_rows(path)`, `import_rows(sessionmaker, version,
rows, channel, actor, progress=None) -> IntakeReport` (`onegrid intake
import FILE --channel hotline --pack PACK`).

Case columns (`onegrid.store.Case`): id, policy_version_id, pack, matter,
channel, state, place, level, unit (the lead), assistants, enterprise,
reporter, facts, submission, route (the decision, as JSON), limits,
supervised, escalations, reopened, step, step_started_at, warn_at, due_at,
warned, overdue, idempotency_key, created_at, updated_at, closed_at, version.

Errors (`errors.py`, all `OnegridError`s carrying `Problem`s)
- `CaseNotFound` (404), `Forbidden` (403: not this actor's transition),
  `InvalidSubmission` (422: `.problems`, `.errors` from the form),
  `Conflict` (409: stale version, idempotency key reused with another
  body, transition not open in the current state).
"""

from onegrid.workflow.actor import SWEEP, Actor, Binding
from onegrid.workflow.audit import verify
from onegrid.workflow.case import (
    Action,
    Step,
    act,
    actions_for,
    get_case,
    open_case,
    trail,
)
from onegrid.workflow.channels import channel_for
from onegrid.workflow.errors import (
    CaseError,
    CaseNotFound,
    Conflict,
    Forbidden,
    InvalidSubmission,
)
from onegrid.workflow.rulebook import Rulebook, rulebook
from onegrid.workflow.scheduler import Scheduler
from onegrid.workflow.sweep import SweepReport, sweep
from onegrid.workflow.version import newest_version, publish

__all__ = [
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
    "Scheduler",
    "Step",
    "SweepReport",
    "act",
    "actions_for",
    "channel_for",
    "get_case",
    "newest_version",
    "open_case",
    "publish",
    "rulebook",
    "sweep",
    "trail",
    "verify",
]
