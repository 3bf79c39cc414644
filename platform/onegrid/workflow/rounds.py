"""Duty rounds (对单履职、打勾销号): opened by the sweep, ticked by their
holders, closed when the next period is due, counted for supervisors.

A round is a workflow item of a kind whose decision is `duty_round`
(`rules/duty-rounds`): filed by the sweep with `{list, holder, period}` under
the pack's newest published version, which pins its items; the idempotency
key `duty:<pack>:<list>:<holder>:<period>` makes a second sweep in the same
period open nothing. Ticks are transitions of the round (`tick`,
`not_applicable`, `add_task` effects, `onegrid.workflow.ticks`) taken through
`act_item`, so each is checked, audited and versioned like any step.

- `open_rounds(sessions, now=None) -> list[int]`: what the sweep calls
  (beside the scoring run): the rounds due now, for every pack's newest
  version, and closes the rounds whose grace (until the next period's due
  moment) has passed.
- `tick(session, round_id, duty, actor, evidence, version, now, lang,
  not_applicable=False)`: a clear refusal first (a closed round, another
  holder's item), then the step.
- `rows(round, book, lang)`, `completion(session, pack, period, …)`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import func, select

from onegrid import messages
from onegrid.store.base import utcnow
from onegrid.store.items import Item
from onegrid.store.models import PolicyVersion
from onegrid.workflow import duty_plan, item, party, ticks
from onegrid.workflow.actor import Actor
from onegrid.workflow.errors import Conflict, Forbidden
from onegrid.workflow.rulebook import rulebook

log = logging.getLogger(__name__)
OPENER = Actor("system:sweep", (), "onegrid sweep")
BATCH = 100  # rounds opened per transaction (the write lock is held that long)


def key(pack: str, planned: duty_plan.Planned) -> str:
    own = f":p{planned.person}" if planned.person is not None else ""
    return f"duty:{pack}:{planned.list}:{planned.holder}:{planned.period.key}{own}"


def claimants(session, book) -> list[tuple[str, str, int, str]]:
    """(list, home grid, person, name) of every confirmed claim of a
    claimable list tied to a person record (`onegrid.workflow.people`)."""
    from onegrid.store.people import Person
    from onegrid.workflow import claims

    kinds = claims.kinds(book)
    if not kinds:
        return []
    out = []
    rows = session.execute(
        select(Item.data, Item.unit, Item.result).where(
            Item.pack == book.pack, Item.kind.in_(kinds), Item.outcome == "confirmed"
        )
    )
    wanted = [(d.get("post"), unit, (r or {}).get("person")) for d, unit, r in rows]
    ids = [p for _, _, p in wanted if isinstance(p, int)]
    names = dict(
        session.execute(select(Person.id, Person.name).where(Person.id.in_(ids or [0]))).all()
    )
    for post, unit, person in wanted:
        if isinstance(person, int) and person in names:
            out.append((post, unit, person, names[person]))
    return out


def open_rounds(sessions, now: dt.datetime | None = None) -> list[int]:
    """Open the rounds every pack's lists call for now (each once), and close
    the lapsed ones; the ids of the rounds opened."""
    now = now or utcnow()
    opened: list[int] = []
    with sessions() as session:
        newest = select(func.max(PolicyVersion.id)).group_by(PolicyVersion.pack)
        versions = list(session.scalars(select(PolicyVersion).where(PolicyVersion.id.in_(newest))))
    for version in versions:
        book = rulebook(version)
        for kind in ticks.kinds(book):
            opened += _open(sessions, version.id, book, kind, now)
            _close(sessions, book.pack, kind, now)
    return opened


def _open(sessions, version_id: int, book, kind: str, now: dt.datetime) -> list[int]:
    today = now.astimezone(book.calendar.tz).date()
    out: list[int] = []
    with sessions() as session:
        plans = duty_plan.planned(book, today)
        plans += duty_plan.claimed(book, today, claimants(session, book))
        wanted = {key(book.pack, p): p for p in plans}
        have: set[str] = set()
        keys = sorted(wanted)
        for start in range(0, len(keys), 500):
            have |= set(
                session.scalars(
                    select(Item.idempotency_key).where(
                        Item.idempotency_key.in_(keys[start : start + 500])
                    )
                )
            )
        version = session.get(PolicyVersion, version_id)
        todo = [k for k in keys if k not in have]
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            try:
                # one transaction per batch: a commit per round is a disk flush per round
                made = [_file(session, version, kind, wanted[k], k, now, False).id for k in batch]
                session.commit()
            except Exception:
                session.rollback()
                made = []
                for k in batch:  # one at a time: the rest open, the broken one is logged
                    try:
                        made.append(_file(session, version, kind, wanted[k], k, now, True).id)
                    except Exception:
                        session.rollback()
                        log.exception("duty rounds: cannot open %s", k)
            out += made
    return out


def _file(session, version, kind: str, p: duty_plan.Planned, k: str, now, commit: bool) -> Item:
    data = {"list": p.list, "holder": p.holder, "period": p.period.key}
    if p.person is not None:
        data |= {"person": p.person, "claimant": p.claimant}
    return item.file_item(session, version, kind, data, OPENER, k, now=now, commit=commit)


def _close(sessions, pack: str, kind: str, now: dt.datetime) -> None:
    """Close the open rounds whose next period is due (a closed round takes no tick)."""
    with sessions() as session:
        ids = [
            rid
            for rid, result in session.execute(
                select(Item.id, Item.result).where(
                    Item.kind == kind, Item.pack == pack, Item.closed_at.is_(None)
                )
            )
            if ((result or {}).get("decision") or {}).get("closes_at", "9999") <= now.isoformat()
        ]
    for rid in ids:
        with sessions() as session:
            rnd = item.get_item(session, rid)
            book = item.book_of(rnd)
            t = next((t for t in book.transitions.values() if t.get("by_sweep")), None)
            if t is None:
                continue
            try:
                item._take(session, book, rnd, t, OPENER, {}, now)
                session.commit()
            except Exception:
                session.rollback()
                log.exception("duty rounds: cannot close round %s", rid)


def tick(
    session,
    round_id: int,
    duty: str,
    actor: Actor,
    evidence: dict | None,
    expected_version: int,
    now: dt.datetime | None = None,
    lang: str = "zh",
    not_applicable: bool = False,
) -> Item:
    """Tick `duty` of a round (or mark it not applicable): refused with a
    clear message for a closed round or another holder's item."""
    rnd = item.get_item(session, round_id)
    book = item.book_of(rnd)
    refused = ticks.refusal(book, rnd, ticks.duty_of(book, rnd, duty), actor, lang)
    if refused is not None:
        session.rollback()
        raise refused
    t = ticks.by_effect(book, "not_applicable" if not_applicable else "tick")
    return item.act_item(
        session,
        round_id,
        t["id"],
        actor,
        {**(evidence or {}), "duty": duty},
        expected_version,
        now=now,
        lang=lang,
    )


# --- "+1": a superior assigns a task to a holder ----------------------------------

messages.register(
    {
        "duty-no-round": {
            "zh": "“{holder}”本期没有进行中的职责轮次，无法交办",
            "en": "'{holder}' has no open duty round this period to assign a task in",
        },
        "duty-not-subordinate": {
            "zh": "“{holder}”不是您的下级，不能向其交办任务（可交办的是：{who}）",
            "en": "'{holder}' is not below you: you cannot assign it a task (who may: {who})",
        },
        "duty-task-beyond": {
            "zh": "完成期限 {due} 晚于“{holder}”本期职责的关闭日 {closes}，请定在此前",
            "en": "the deadline {due} is after '{holder}''s open rounds close ({closes}): give an earlier date",
        },
    }
)


def open_rounds_of(session, pack: str, holder: str | None = None) -> list[Item]:
    """The open duty rounds of a pack (of one holder)."""
    query = select(Item).where(Item.pack == pack, Item.closed_at.is_(None))
    if holder is not None:
        query = query.where(Item.unit == holder)
    out = []
    for rnd in session.scalars(query.order_by(Item.id)):
        if rnd.kind in ticks.kinds(rulebook(rnd.policy_version)):
            out.append(rnd)
    return out


def _closes(rnd: Item) -> str:
    return ((rnd.result or {}).get("decision") or {}).get("closes_at", "")


def may_assign(rnd: Item, actor: Actor) -> bool:
    book = item.book_of(rnd)
    t = ticks.by_effect(book, "add_task")
    return t is not None and bool(party.units_for(book, rnd, actor, t))


def assignable(session, pack: str, actor: Actor) -> dict[str, list[Item]]:
    """Holder → their open rounds, for every holder `actor` may give a "+1" task."""
    out: dict[str, list[Item]] = {}
    for rnd in open_rounds_of(session, pack):
        if may_assign(rnd, actor):
            out.setdefault(rnd.unit, []).append(rnd)
    return out


def assign(
    session,
    pack: str,
    holder: str,
    task: dict,
    actor: Actor,
    now: dt.datetime | None = None,
    lang: str = "zh",
) -> Item:
    """Give `holder` a "+1" task (`task`: the pack's assign form, with its
    `due` date) in the open round that is still open on the due day, the
    shortest such; refused with a clear message for a holder who is not
    below `actor`, a holder with no open round, or a deadline past or after
    every open round closes."""
    now = now or utcnow()
    found = open_rounds_of(session, pack, holder)
    if not found:
        from onegrid.workflow.version import newest_version

        version = newest_version(session, pack)
        book = rulebook(version) if version else None
        unit = (book.units.get(holder) or book.departments.get(holder)) if book else None
        named = book.name(unit, lang, holder) if book else holder
        session.rollback()
        raise Conflict("duty-no-round", {"holder": named})
    book = item.book_of(found[0])
    name = ticks.holder_name(book, found[0], lang)
    mine = [r for r in found if may_assign(r, actor)]
    if not mine:
        session.rollback()
        t = ticks.by_effect(book, "add_task") or {}
        raise Forbidden(
            "duty-not-subordinate", {"holder": name, "who": party.who_may(book, t, lang)}
        )
    try:
        due = dt.date.fromisoformat(str(task.get("due")))
    except ValueError:
        due = None  # the form's own check names the field
    # a task due on `due` must still be tickable that day: its round closes later
    end = (
        dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), tzinfo=book.calendar.tz)
        .astimezone(dt.UTC)
        .isoformat()
        if due
        else ""
    )
    fits = [r for r in mine if _closes(r) >= end]
    if not fits:
        session.rollback()
        closes = max(_closes(r) for r in mine)
        last = dt.datetime.fromisoformat(closes).astimezone(book.calendar.tz) - dt.timedelta(
            minutes=1
        )
        raise Conflict(
            "duty-task-beyond", {"due": str(due), "holder": name, "closes": last.date().isoformat()}
        )
    period = ticks.period_of
    fits.sort(
        key=lambda r: ((period(r).end - period(r).start) if period(r) else dt.timedelta(0), r.id)
    )
    rnd = fits[0]
    t = ticks.by_effect(book, "add_task")
    return item.act_item(session, rnd.id, t["id"], actor, task, rnd.version, now=now, lang=lang)


# --- what a holder and a supervisor see ------------------------------------------


@dataclass
class Row:
    """One duty of a round, as its holder sees it."""

    id: str
    name: str
    frequency: str
    evidence: str | None
    form: str | None
    expected: int
    done: int
    late: int
    na: dict | None
    ticks: list[dict]
    with_units: list[str]
    task: bool = False

    @property
    def complete(self) -> bool:
        return self.na is not None or (self.expected > 0 and self.done >= self.expected)


def rows(rnd: Item, lang: str = "zh") -> list[Row]:
    book = item.book_of(rnd)
    ids = list(((rnd.result or {}).get("decision") or {}).get("items", ()))
    ids += [t["id"] for t in (rnd.result or {}).get("tasks") or ()]
    out = []
    for duty_id in ids:
        duty = ticks.duty_of(book, rnd, duty_id) or {"id": duty_id}
        done = ticks.ticks_of(rnd, duty_id)
        out.append(
            Row(
                id=duty_id,
                name=book.name(duty, lang, duty_id),
                frequency=duty.get("frequency", ""),
                evidence=(duty.get("evidence") or {}).get("type"),
                form=ticks.form_of(book, duty),
                expected=ticks.expected(book, rnd, duty),
                done=len(done),
                late=sum(1 for t in done if t.get("late")),
                na=ticks.na_of(rnd, duty_id),
                ticks=done,
                with_units=list(duty.get("with") or ()),
                task="due" in duty,
            )
        )
    return out


@dataclass
class Figures:
    """Completion of a unit's rounds (and those below it) in a period."""

    unit: str
    rounds: int = 0
    expected: int = 0  # items that must be ticked (on_event items: when ticked)
    complete: int = 0  # ticked as often as asked, or not applicable
    na: int = 0
    late: int = 0  # ticks recorded after the period's due moment
    overdue: int = 0  # items still open after the due moment
    events: int = 0  # on_event ticks
    overdue_items: list[tuple[int, str]] = field(default_factory=list)
    holder: bool = False  # holds rounds itself (a grid, a post, a claimant), not only above them
    grid: str | None = None  # a claimant's: the grid their rounds sit in

    @property
    def rate(self) -> float | None:
        return self.complete / self.expected if self.expected else None


def in_month(rnd: Item, month: duty_plan.Period) -> bool:
    """The round's period overlaps the month."""
    p = ticks.period_of(rnd)
    return p is not None and p.start < month.end and month.start < p.end


def completion(
    session, pack: str, month: duty_plan.Period, now: dt.datetime | None = None
) -> dict[str, Figures]:
    """Figures per unit for the rounds overlapping `month`: each round counts
    for its holder and every unit above it (a grid's for its community and
    street, a post's for its block)."""
    now = now or utcnow()
    out: dict[str, Figures] = {}
    rounds = session.scalars(select(Item).where(Item.pack == pack)).all()
    for rnd in rounds:
        book = rulebook(rnd.policy_version)
        if rnd.kind not in ticks.kinds(book) or not in_month(rnd, month):
            continue
        due = ticks.due_of(rnd)
        own = holder_key(rnd)
        for unit in dict.fromkeys([own, *above(book, rnd.unit)]):
            f = out.setdefault(unit, Figures(unit))
            f.holder = f.holder or unit == own
            if unit == own and own != rnd.unit:
                f.grid = rnd.unit
            f.rounds += 1
            for row in rows(rnd):
                f.late += row.late
                if row.expected == 0 and not row.na:
                    f.events += row.done
                    if not row.done:
                        continue
                f.expected += 1
                f.na += row.na is not None
                if row.complete or (row.expected == 0 and row.done):
                    f.complete += 1
                elif due is not None and now > due:
                    f.overdue += 1
                    if unit == own:
                        f.overdue_items.append((rnd.id, row.id))
    return out


def holder_key(rnd: Item) -> str:
    """Who holds a round in the figures: its unit, or for a claimed post's
    round the claimant (`person:<id>`), counted then for their grid and up."""
    person = (rnd.data or {}).get("person")
    return f"person:{person}" if person else rnd.unit


def above(book, unit: str | None) -> list[str]:
    """The unit, the departments it sits in, then every org unit above."""
    out: list[str] = []
    seen: set[str] = set()
    while unit is not None and unit in book.departments and unit not in seen:
        seen.add(unit)
        out.append(unit)
        unit = book.departments[unit].get("parent") or book.departments[unit].get("unit")
    for u in book.ancestors(unit) if unit else ():
        if u not in out:
            out.append(u)
    return out
