"""The record a period is scored on: its cases, each read from its audit trail.

Every figure comes from the trail (`workflow.case.trails`), never from the
case row's current columns, so a month can be recomputed later exactly as
it stood at its end, and the unit that missed a deadline is known even
after the case moved on.

A case's trail is cut into **episodes**: one step of the workflow held by
one unit against one deadline. An episode starts when the case enters a
state whose step has a time limit (the row's `due_at`) or changes hands,
and ends at the next row that changes its state or its holder. A later
deadline on a row that changes neither (an extension) moves the episode's
deadline. The sweep's overdue rows (`escalate` and `supervise` with
`overdue_since`) record the unit that held the step when its deadline
passed (`unit: [holder, next]`): that episode is **late and counts against
that unit**, whoever takes the case on. An episode that ended after its
deadline without a sweep row is late for its holder too; one still running
at the end of the period past its deadline is late as well.

An on-time episode counts in the period it ended in; a late one in the
period its deadline passed (so each counts once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from onegrid.errors import OnegridError
from onegrid.forms import forms_of
from onegrid.store.items import Item
from onegrid.store.models import Case
from onegrid.workflow import rounds, ticks
from onegrid.workflow.case import trails
from onegrid.workflow.rulebook import rulebook


@dataclass
class Episode:
    step: str
    unit: str | None
    start: dt.datetime
    due: dt.datetime
    end: dt.datetime | None = None
    late: bool = False
    late_unit: str | None = None

    @property
    def moment(self) -> dt.datetime:
        """When it counts: its end if on time, its deadline if late."""
        return self.due if self.late else (self.end or self.due)


@dataclass
class Event:
    """A transition taken on the case: who held it, and when."""

    action: str
    at: dt.datetime
    unit: str | None
    data: dict[str, Any]


@dataclass
class CaseRecord:
    id: int
    matter: str
    place: str | None
    area: list[str]
    reporter: str
    created_at: dt.datetime
    closed_at: dt.datetime | None  # only if closed before the end of the period
    lead: str | None  # at closing, or at the end of the period
    submission: dict[str, Any]
    form_fields: list[str]
    episodes: list[Episode] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    reworked: bool = False
    calendar: Any = None  # the version's business calendar, for formulas' own limits
    # the late units and every unit above them: an area answers for what is late inside it
    late_areas: set[str] = field(default_factory=set)

    def holders(self) -> set[str]:
        return {u for e in self.episodes for u in (e.unit, e.late_unit) if u}

    def late_units(self) -> set[str]:
        return {e.late_unit for e in self.episodes if e.late and e.late_unit}


@dataclass
class DutyRecord:
    """One duty of a duty round (`workflow.rounds`) due in the period, as its
    ticks stood at the period's end: a tick made later is not in it."""

    round: int
    duty: str
    unit: str | None  # the round's holder
    area: list[str]  # the holder and every unit above it
    due: dt.datetime
    expected: int  # ticks the period asks for
    done: int
    late: int  # of those, ticked after the round's due moment
    na: bool  # marked not applicable (with a reason)

    @property
    def complete(self) -> bool:
        return self.na or self.done >= self.expected

    @property
    def on_time(self) -> bool:
        return self.complete and self.late == 0


@dataclass
class TickRecord:
    """One tick of a duty round (a patrol done, say), whenever its round is due."""

    round: int
    duty: str
    unit: str | None  # the round's holder
    area: list[str]
    at: dt.datetime
    by: str | None  # who ticked it (a username, or the system for a case's tick)


@dataclass
class GridRecord:
    """A grid of the pack's registry as the newest published version holds it."""

    id: str
    area: list[str]
    values: dict[str, Any]  # name, households, centroid and the attribute columns


@dataclass
class PersonRecord:
    """A person record (`store.people`) as it stood at the period's end."""

    id: int
    grid: str
    area: list[str]
    values: dict[str, Any]  # name, phone, party_member, home_grid, account


@dataclass
class Record:
    start: dt.datetime
    end: dt.datetime  # the end of the period, or now while it runs
    cases: list[CaseRecord]
    duties: list[DutyRecord] = field(default_factory=list)
    ticks: list[TickRecord] = field(default_factory=list)
    registry: list[GridRecord] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)

    def within(self, moment: dt.datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def _at(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def form_fields(book, matter: str) -> list[str]:
    """The names of the fields the matter's report form declares."""
    form = (book.matters.get(matter) or {}).get("form")
    if not form:
        return []
    try:
        return [f.name for f in forms_of(book.policy).form(form).spec.fields]
    except OnegridError:  # a version whose form no longer compiles: nothing to measure
        return []


def load(
    session, pack: str, start: dt.datetime, end: dt.datetime, as_of: dt.datetime | None = None
) -> Record:
    """The cases of `pack` alive during [start, end), read as they stood at
    `end`, or at `as_of` for a period still running (a deadline counts as
    passed only once it has)."""
    cases = session.scalars(
        select(Case)
        .where(
            Case.pack == pack,
            Case.created_at < end,
            or_(Case.closed_at.is_(None), Case.closed_at >= start),
        )
        .order_by(Case.id)
    ).all()
    # a case merged into another (并单, a state with counted: false) counts once, there
    cases = [
        c
        for c in cases
        if (rulebook(c.policy_version).states.get(c.state) or {}).get("counted") is not False
    ]
    steps = trails(session, [c.id for c in cases], before=end)
    cut = min(end, as_of) if as_of is not None else end
    record = Record(start, cut, [read_case(c, steps[c.id], cut) for c in cases])
    record.duties = read_duties(session, pack, start, end, cut, record.ticks)
    record.registry, record.people = read_registry_and_people(session, pack, cut)
    return record


def read_registry_and_people(session, pack: str, cut: dt.datetime):
    """The newest published version's registry grids, and the person records
    made before `cut` (for `completeness` over `registry` and `people`)."""
    from onegrid.store.people import Person
    from onegrid.workflow.version import newest_version

    version = newest_version(session, pack)
    if version is None:
        return [], []
    book = rulebook(version)
    grids = []
    for unit in book.grids or ():
        values = dict(unit.get("attributes") or {})
        values["name"] = unit.get("name") if unit.get("name") != unit["id"] else None
        values["centroid"] = unit.get("centroid")
        grids.append(GridRecord(unit["id"], book.ancestors(unit["id"]), values))
    people = []
    for p in session.scalars(
        select(Person).where(Person.pack == pack, Person.created_at < cut).order_by(Person.id)
    ):
        values = {
            "name": p.name,
            "phone": p.phone,
            "party_member": p.party_member,
            "home_grid": p.home_grid if p.home_grid in book.units else None,
            "account": p.user_id,
        }
        area = book.ancestors(p.home_grid) if p.home_grid in book.units else [p.home_grid]
        people.append(PersonRecord(p.id, p.home_grid, area, values))
    return grids, people


def read_duties(
    session,
    pack: str,
    start: dt.datetime,
    end: dt.datetime,
    cut: dt.datetime,
    ticks_out: list[TickRecord] | None = None,
) -> list[DutyRecord]:
    """The duties of the rounds due in (start, end] (a round counts in the
    period its due moment falls in, once), as ticked before `cut`: a tick
    after the round's due moment but within the period is complete and late;
    one after the period is not in it. Duties asked only when something
    happens (on_event: none expected) are no obligation and are left out; in
    a period still running, a round not yet due shows only what is done."""
    out: list[DutyRecord] = []
    for rnd in session.scalars(select(Item).where(Item.pack == pack).order_by(Item.id)):
        book = rulebook(rnd.policy_version)
        if rnd.kind not in ticks.kinds(book):
            continue
        due = ticks.due_of(rnd)
        area = rounds.above(book, rnd.unit)
        if ticks_out is not None:
            # every tick made in the period, whichever period its round is due in
            for duty_id, made in ((rnd.result or {}).get("ticks") or {}).items():
                for t in made:
                    at = _at(t.get("at"))
                    if at is not None and start <= at < cut:
                        ticks_out.append(
                            TickRecord(rnd.id, duty_id, rnd.unit, area, at, t.get("by"))
                        )
        # due at the end of a period's last working day: the instant the next begins
        if due is None or not start < due <= end:
            continue
        for row in rounds.rows(rnd):
            if row.expected == 0:
                continue
            made = [t for t in row.ticks if _at(t.get("at")) < cut]
            na = row.na is not None and _at(row.na.get("at")) < cut
            duty = DutyRecord(
                rnd.id, row.id, rnd.unit, area, due, row.expected,
                len(made), sum(1 for t in made if t.get("late")), na,
            )  # fmt: skip
            if due > cut and not duty.complete:
                continue  # still time to tick it
            out.append(duty)
    return out


def read_case(case: Case, steps, end: dt.datetime) -> CaseRecord:
    book = rulebook(case.policy_version)
    fields = form_fields(book, case.matter)
    reopening = {t for t, spec in book.transitions.items() if spec.get("effect") == "reopen"}
    rec = CaseRecord(
        id=case.id,
        matter=case.matter,
        place=case.place,
        area=book.ancestors(case.place) if case.place else [],
        reporter=case.reporter,
        created_at=case.created_at,
        closed_at=None,
        lead=case.unit,
        submission=case.submission or {},
        form_fields=fields,
        calendar=book.calendar,
    )
    state: str | None = None
    unit: str | None = None
    current: Episode | None = None

    def begin(at: dt.datetime, due_text: str | None) -> Episode | None:
        spec = book.states.get(state) or {}
        due = _at(due_text)
        if spec.get("final") or not spec.get("step") or due is None:
            return None
        episode = Episode(spec["step"], unit, at, due)
        rec.episodes.append(episode)
        return episode

    def finish(episode: Episode | None, at: dt.datetime) -> None:
        if episode is not None and episode.end is None:
            episode.end = at
            if at > episode.due:
                episode.late, episode.late_unit = True, episode.unit

    for step in steps:
        data = step.data
        if step.action == "open":
            state, unit = step.to_state, (data.get("route") or {}).get("lead")
            current = begin(step.at, data.get("due_at"))
            continue
        if "overdue_since" in data:
            # the sweep: the step went overdue while `unit[0]` held it
            held = (data.get("unit") or [unit, unit])[0]
            if current is not None:
                current.end, current.late, current.late_unit = step.at, True, held
            unit = (data.get("unit") or [unit, unit])[1]
            current = begin(step.at, data.get("due_at"))
            continue
        if "to" not in data:
            continue  # a warning, a note: nothing changes hands
        rec.events.append(Event(step.action, step.at, unit, data))
        if step.action in reopening:
            rec.reworked = True
        after = data["unit"][1] if data.get("unit") else unit
        if data.get("to") != state or after != unit:
            finish(current, step.at)
            state, unit = data.get("to"), after
            current = begin(step.at, data.get("due_at"))
            if (book.states.get(state) or {}).get("final"):
                rec.closed_at = step.at
        elif current is not None and _at(data.get("due_at")) not in (None, current.due):
            current.due = _at(data["due_at"])  # an extension moves the deadline
    if current is not None and current.end is None and current.due < end:
        current.late, current.late_unit = True, current.unit
    rec.lead = unit
    for late in rec.late_units():
        rec.late_areas |= {late, *book.ancestors(late)}
    return rec
