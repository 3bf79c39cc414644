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

from onegrid.store.base import utcnow
from onegrid.store.items import Item
from onegrid.store.models import PolicyVersion
from onegrid.workflow import duty_plan, item, ticks
from onegrid.workflow.actor import Actor
from onegrid.workflow.rulebook import rulebook

log = logging.getLogger(__name__)
OPENER = Actor("system:sweep", (), "onegrid sweep")
BATCH = 100  # rounds opened per transaction (the write lock is held that long)


def key(pack: str, planned: duty_plan.Planned) -> str:
    return f"duty:{pack}:{planned.list}:{planned.holder}:{planned.period.key}"


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
    wanted = {key(book.pack, p): p for p in duty_plan.planned(book, today)}
    out: list[int] = []
    with sessions() as session:
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
        for unit in above(book, rnd.unit):
            f = out.setdefault(unit, Figures(unit))
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
                    if unit == rnd.unit:
                        f.overdue_items.append((rnd.id, row.id))
    return out


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
