"""Case lists for real volume: tabs with counts, filters, free-text search,
sort by time left, keyset pages; one implementation for the inbox page, its
exports and the JSON API list.

Every query starts from `scope.visible(user)` and only adds WHERE and ORDER
BY terms, so it stays composable with whatever decides visibility.

The "mine" tab (待我处理) is what the user must act on to move a case on:
the transitions open to them now. SQL narrows the candidates from the
workflow's `by:` entries (party, role, level and the states each
transition leaves); the engine's own `actions_for` then decides exactly,
so guards and separation of duties hold as on the case page. The
candidates are read in the page's order, in chunks, until the page is
full: no list of ids goes back into SQL, and where a party sits is a
semi-join on the stored visible-to set (`case_access`), so the query's
size depends on the workflow and the user's bindings, never on the
number of cases or of units in an area. Oversight (a stay only superiors
take, 督办) is left out: it is open on every case below them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, and_, cast, false, func, or_, select, true
from sqlalchemy.orm import Session

from onegrid.store import Case, utcnow
from onegrid.store.accounts import User
from onegrid.store.models import FAR, due_key
from onegrid.web import policyview, scope
from onegrid.web.i18n import text_of
from onegrid.workflow import guard, transition, visibility
from onegrid.workflow.rulebook import rulebook

TABS = ("mine", "due_soon", "overdue", "supervised", "all")
SORTS = ("due", "new", "old", "updated")  # updated: oldest change first, for pollers
PAGE_SIZE = 50
# the "mine" tab checks at most this many candidates exactly (beyond, it says so)
MINE_SCAN = 20_000
# its count checks this many candidates one by one; beyond, it is estimated
# from their share (issue 14: exact counts on every tab cost 192 -> 482 ms)
MINE_EXACT = 500
# a SQL tab's count is exact up to this many cases; beyond, on PostgreSQL, it
# is the planner's estimate (issue 22: an exact count reads every case the
# user sees, a command centre's whole city, on every inbox view)
COUNT_EXACT = 10_000
# the shared field library's names for a report's title and urgency (forms/library)
TITLE, URGENCY = "title", "urgency"


@dataclass
class Filters:
    q: str = ""
    matters: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    urgency: list[str] = field(default_factory=list)
    overdue: bool = False
    supervised: bool = False
    # reported in [start, end] (the JSON API's filters)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    # changed at or after (a connector's poll)
    updated_since: dt.datetime | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        def many(name):
            return [v for v in args.getlist(name) if v][:50]

        return cls(
            q=(args.get("q") or "").strip()[:100],
            matters=many("matter"),
            groups=many("group"),
            states=many("state"),
            places=many("place"),
            channels=many("channel"),
            urgency=many("urgency"),
            overdue=args.get("overdue") == "1",
            supervised=args.get("supervised") == "1",
        )

    def as_args(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.q:
            out["q"] = self.q
        for key, name in (
            ("matters", "matter"),
            ("groups", "group"),
            ("states", "state"),
            ("places", "place"),
            ("channels", "channel"),
            ("urgency", "urgency"),
        ):
            if getattr(self, key):
                out[name] = getattr(self, key)
        if self.overdue:
            out["overdue"] = "1"
        if self.supervised:
            out["supervised"] = "1"
        return out


def overdue_now(now: dt.datetime):
    # the engine's definitions (onegrid.workflow): flags set by the sweep, or the times
    # (the flags as `flag`, not `flag IS TRUE`: the partial indexes of
    # revision 2000 say it so, and the columns are never NULL)
    return Case.overdue | (Case.due_at <= now)


def tab_condition(tab: str, now: dt.datetime):
    open_ = Case.closed_at.is_(None)
    if tab == "due_soon":
        return and_(open_, Case.warned | (Case.warn_at <= now), ~overdue_now(now))
    if tab == "overdue":
        return and_(open_, overdue_now(now))
    if tab == "supervised":
        return and_(open_, Case.supervised)
    if tab == "mine":
        return open_
    return true()


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _named(items, q: str) -> list[str]:
    """Ids of the items whose name (either language) or id holds `q`."""
    low = q.lower()
    out = []
    for item in items:
        name = item.get("name")
        texts = [text_of(name, "zh"), text_of(name, "en"), str(item.get("id", ""))]
        if any(low in t.lower() for t in texts if t):
            out.append(item["id"])
    return out


def search_condition(session: Session, q: str):
    """Free text: the case number, title, description, matter, place, reporter."""
    loaded = policyview.load()
    policy = loaded.policy
    pattern = _like(q)
    terms = [
        Case.submission[TITLE].as_string().like(pattern, escape="\\"),
        Case.submission["description"].as_string().like(pattern, escape="\\"),
    ]
    number = q.lstrip("#")
    if number.isdigit() and len(number) < 12:
        terms.append(Case.id == int(number))
    matters = _named(policy.items("matter"), q) if policy is not None else []
    if matters:
        terms.append(Case.matter.in_(matters))
    places = _named(loaded.units.values(), q)[:2000]
    if places:
        terms.append(Case.place.in_(places))
    people = select(User.username).where(
        or_(User.username.like(pattern, escape="\\"), User.name.like(pattern, escape="\\"))
    )
    terms.append(Case.reporter.in_(people))  # a subquery: however many people match
    return or_(*terms)


def group_matters(groups: list[str]) -> list[str]:
    """The matters of the given matter groups or categories (the catalog's)."""
    policy = policyview.load().policy
    if policy is None:
        return []
    wanted = set(groups)
    return [
        m["id"]
        for m in policy.items("matter")
        if m.get("group") in wanted or m.get("category") in wanted
    ]


def matter_groups(lang: str) -> list[tuple[str, str, list[dict]]]:
    """(id, name, matters) of each category (or group, if no categories), in
    catalog order; matters in no group last under "其他"."""
    policy = policyview.load().policy
    if policy is None:
        return []
    section = policy.section("matters")
    key = "category" if section.get("categories") else "group"
    heads = section.get("categories") or section.get("groups") or []
    matters = [m for m in policy.items("matter")]
    out = []
    for head in heads:
        inside = [m for m in matters if m.get(key) == head.get("id")]
        if inside:
            out.append((head["id"], text_of(head.get("name"), lang), inside))
    rest = [m for m in matters if m.get(key) not in {h.get("id") for h in heads}]
    if rest:
        out.append(("", "其他" if lang == "zh" else "Other", rest))
    return out


def filtered(session: Session, user: User, f: Filters):
    """SELECT of the user's visible cases matching the filters (no tab, no order)."""
    stmt = scope.visible(user)
    now = utcnow()
    if f.q:
        stmt = stmt.where(search_condition(session, f.q))
    if f.matters:
        stmt = stmt.where(Case.matter.in_(f.matters))
    if f.groups:
        stmt = stmt.where(Case.matter.in_(group_matters(f.groups)))
    if f.states:
        stmt = stmt.where(Case.state.in_(f.states))
    if f.places:
        # the cases of these areas as scope has it (happened in them or led
        # from them): the stored visible-to set, not an IN list of their units
        stmt = stmt.where(visibility.among(visibility.unit_party(p) for p in f.places))
    if f.channels:
        stmt = stmt.where(Case.channel.in_(f.channels))
    if f.urgency:
        stmt = stmt.where(Case.submission[URGENCY].as_string().in_(f.urgency))
    if f.overdue:
        stmt = stmt.where(overdue_now(now))
    if f.supervised:
        stmt = stmt.where(Case.supervised)
    if f.start is not None:
        stmt = stmt.where(Case.created_at >= f.start)
    if f.end is not None:
        stmt = stmt.where(Case.created_at <= f.end)
    if f.updated_since is not None:
        stmt = stmt.where(Case.updated_at >= f.updated_since)
    return stmt


# --- the "mine" tab ----------------------------------------------------------


def _book(session: Session):
    from onegrid.web import casework  # casework lists through us

    return rulebook(casework.current_version(session))


def _within(book, units):
    """The case happened where one of the bindings' units sits or below it
    (or has no place): a semi-join on the stored visible-to set, whose "u:"
    parties are the units above the case's place and lead, never an IN list
    of an area's units (a superset of party._within; the engine decides)."""
    units = set(units)
    if units & set(book.enterprises):
        return true()
    homes = {book.home(u) for u in units} - {None}
    if not homes:
        return Case.place.is_(None)
    if any(not (book.units.get(h) or {}).get("parent") for h in homes):
        # the top of the org: every case of the pack; a semi-join on it would
        # read the whole visible-to set of the pack (21 ms at 100k cases)
        return true()
    return Case.place.is_(None) | visibility.among(visibility.unit_party(h) for h in homes)


def _party_term(book, user: User, party: str | None, level: str | None, units: set[str]):
    """SQL for "one of these bindings (all at `level`) stands to the case as
    `party`" (a superset of party._relation)."""
    if party == "reporter":
        return Case.reporter == user.username
    if party == "dispatcher":
        return and_(Case.level == level, _within(book, units))
    if party == "lead":
        return Case.unit.in_(sorted(units))
    if party == "assistant":
        assisted = cast(Case.assistants, String)
        return or_(*(assisted.like(_like(f'"{u}"'), escape="\\") for u in sorted(units)))
    if party == "enterprise":
        return Case.enterprise.in_(sorted(units))
    if party == "superior":
        rank = book.rank(level)
        lower = [lv for lv in book.levels if book.rank(lv) > rank > 0]
        return and_(Case.level.in_(lower), _within(book, units)) if lower else false()
    if party == "anyone":
        return true()
    return _within(book, units)


def mine_condition(session: Session, user: User):
    """A superset of the cases with a transition open to the user (SQL): one
    term per party and level the user's bindings may stand as, with the
    states those transitions leave. Its size is bounded by the workflow and
    the user's bindings, never by the number of cases or of units in an area."""
    book = _book(session)
    groups: dict[tuple, tuple[set[str], set[str]]] = {}  # (party, level): (units, states)
    for t in book.transitions.values():
        if t.get("by_sweep") or oversight(t):
            continue
        states = set(t.get("from") or ())
        for entry in t.get("by") or ():
            party = entry.get("party")
            if party == "reporter":
                # as themselves (acting_as checks the role, if any, exactly)
                groups.setdefault(("reporter", None), (set(), set()))[1].update(states)
                continue
            for b in user.bindings:
                if entry.get("role") is not None and b.role != entry["role"]:
                    continue
                level = book.level_of(b.unit)
                if entry.get("level") is not None and level != entry["level"]:
                    continue
                units, acts_from = groups.setdefault((party, level), (set(), set()))
                units.add(b.unit)
                acts_from.update(states)
    terms = [
        and_(Case.state.in_(sorted(states)), _party_term(book, user, party, level, units))
        for (party, level), (units, states) in groups.items()
    ]
    return or_(*terms) if terms else false()


def oversight(t: dict) -> bool:
    """A step that leaves the case where it is and that only those above
    take (督办): open to every superior on every case below, so not "mine"."""
    by = t.get("by") or ()
    return bool(t.get("stay")) and bool(by) and all(e.get("party") == "superior" for e in by)


def is_mine(case: Case, actor) -> bool:
    """Whether a step other than oversight is open to `actor` on `case` now:
    what `actions_for` would offer, stopping at the first (the "mine" tab
    checks every candidate, so it asks no more than it needs)."""
    book = rulebook(case.policy_version)
    for t in book.transitions.values():
        if case.state not in t.get("from", ()) or transition.by_engine(t) or oversight(t):
            continue
        if not guard.failed(book, case, t) and transition.acting_for(book, case, actor, t)[0]:
            return True
    return False


def _candidates(session: Session, user: User, f: Filters):
    """The filtered open cases the SQL superset says may be the user's."""
    return filtered(session, user, f).where(Case.closed_at.is_(None), mine_condition(session, user))


def _exactly_mine(
    session: Session, user: User, stmt, want: int | None = None, scan: int = MINE_SCAN
):
    """The cases of `stmt` (in its order) the engine says are the user's, read
    in chunks; stop after `want` of them, or after `scan` candidates.
    Returns (cases, cut): cut is True when candidates were left unread."""
    from onegrid.web import casework

    actor = casework.actor_of(user)
    out: list[Case] = []
    read = 0
    result = session.scalars(stmt.limit(scan + 1).execution_options(yield_per=500))
    try:
        for case in result:
            read += 1
            if read > scan:
                return out, True
            if is_mine(case, actor):
                out.append(case)
                if want is not None and len(out) >= want:
                    break
    finally:
        result.close()
    return out, False


def mine_count(
    session: Session, user: User, f: Filters, exact: int = MINE_EXACT
) -> tuple[int, bool]:
    """How many cases are the user's to act on, and whether that is an
    estimate: exact when the SQL superset holds at most `exact` candidates
    (each checked by the engine); beyond, the share of the first `exact`
    that are the user's, applied to the superset's SQL count."""
    stmt = _candidates(session, user, f)
    cases, cut = _exactly_mine(session, user, stmt.order_by(Case.id), scan=exact)
    if not cut:
        return len(cases), False
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return round(len(cases) * (total or 0) / exact), True


def tab_counts(
    session: Session, base, now: dt.datetime, estimated: set[str] | None = None
) -> dict[str, int]:
    """The SQL tabs' counts of the filtered view. On SQLite, exact, in one
    pass over it. On PostgreSQL, each counts at most COUNT_EXACT + 1 cases
    (one statement); a tab above that is the planner's estimate instead,
    and is added to `estimated`."""
    tabs = [name for name in TABS if name != "mine"]
    if session.get_bind().dialect.name != "postgresql":
        counted = base.with_only_columns(
            *(func.count().filter(tab_condition(name, now)) for name in tabs)
        ).order_by(None)
        row = session.execute(counted).one()
        return dict(zip(tabs, (n or 0 for n in row), strict=True))
    bounded = [_bounded(base.where(tab_condition(name, now))) for name in tabs]
    row = session.execute(select(*bounded)).one()
    out = dict(zip(tabs, (n or 0 for n in row), strict=True))
    for name in tabs:
        if out[name] > COUNT_EXACT:
            out[name] = _estimate(session, base.where(tab_condition(name, now)))
            if estimated is not None:
                estimated.add(name)
    return out


def _bounded(stmt):
    """count(*) of at most COUNT_EXACT + 1 rows of `stmt`, as a scalar subquery."""
    rows = stmt.with_only_columns(Case.id).order_by(None).limit(COUNT_EXACT + 1).subquery()
    return select(func.count()).select_from(rows).scalar_subquery()


def _estimate(session: Session, stmt) -> int:
    """The planner's estimate of the rows of `stmt` (PostgreSQL), at least
    COUNT_EXACT + 1: the bounded count found that many."""
    compiled = (
        stmt.with_only_columns(Case.id)
        .order_by(None)
        .compile(session.get_bind(), compile_kwargs={"render_postcompile": True})
    )
    plan = session.connection().exec_driver_sql(
        "EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params
    )
    rows = int(plan.scalar()[0]["Plan"]["Plan Rows"])
    return max(rows, COUNT_EXACT + 1)


# --- pages ---------------------------------------------------------------------


@dataclass
class Page:
    cases: list[Case]
    total: int
    next_cursor: str | None
    counts: dict[str, int] = field(default_factory=dict)
    cut: bool = False
    estimated: frozenset[str] = frozenset()  # tabs whose count is an estimate (约)


def order_of(sort: str):
    if sort == "new":
        return (Case.id.desc(),)
    if sort == "old":
        return (Case.id.asc(),)
    if sort == "updated":
        return (Case.updated_at.asc(), Case.id.asc())
    return (due_key().asc(), Case.id.asc())  # an index walk (revision 2000)


def encode(case: Case, sort: str) -> str:
    key = [case.id]
    if sort == "due":
        key = [(case.due_at or FAR).isoformat(), case.id]
    elif sort == "updated":
        key = [case.updated_at.isoformat(), case.id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def after(cursor: str | None, sort: str):
    """The keyset condition: rows after the cursor in `sort` order."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if sort == "due":
            due, last = dt.datetime.fromisoformat(key[0]), int(key[1])
            place = due_key()
            # the >= lets the index walk start at the cursor
            return and_(place >= due, or_(place > due, and_(place == due, Case.id > last)))
        if sort == "updated":
            moment, last = dt.datetime.fromisoformat(key[0]), int(key[1])
            return or_(Case.updated_at > moment, and_(Case.updated_at == moment, Case.id > last))
        last = int(key[0])
    except (ValueError, TypeError, IndexError, KeyError):
        raise BadCursor(cursor) from None
    return Case.id < last if sort == "new" else Case.id > last


class BadCursor(ValueError):
    pass


def listing(
    session: Session,
    user: User,
    tab: str = "all",
    f: Filters | None = None,
    sort: str = "due",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    with_counts: bool = True,
) -> Page:
    """One page of the user's cases on `tab`, filtered, in `sort` order."""
    f = f or Filters()
    sort = sort if sort in SORTS else "due"
    now = utcnow()
    base = filtered(session, user, f)
    counts: dict[str, int] = {}
    cut = False
    estimated: set[str] = set()
    if with_counts:
        counts["mine"], rough = mine_count(session, user, f)
        if rough:
            estimated.add("mine")
        counts.update(tab_counts(session, base, now, estimated))
    keyset = after(cursor, sort)
    if tab == "mine":
        if with_counts:
            total = counts["mine"]
        else:
            # the JSON API's X-Total-Count: exact as far as MINE_SCAN
            total, rough = mine_count(session, user, f, exact=MINE_SCAN)
            estimated |= {"mine"} if rough else set()
        stmt = _candidates(session, user, f)
        if keyset is not None:
            stmt = stmt.where(keyset)
        rows, cut = _exactly_mine(session, user, stmt.order_by(*order_of(sort)), limit + 1)
    else:
        stmt = base.where(tab_condition(tab, now))
        total = (
            counts.get(tab)
            if with_counts
            # the JSON API's X-Total-Count stays exact
            else session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        )
        if keyset is not None:
            stmt = stmt.where(keyset)
        rows = session.scalars(stmt.order_by(*order_of(sort)).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = list(rows[:limit])
    return Page(
        rows,
        total or 0,
        encode(rows[-1], sort) if more and rows else None,
        counts,
        cut,
        frozenset(estimated),
    )


def view_select(session: Session, user: User, tab: str, f: Filters):
    """(select(Case) of the whole filtered view on `tab`, and the test each
    row must also pass, or None) for exports: "mine" is the SQL superset
    and the engine's exact check per row, as on the page."""
    keep = None
    if tab == "mine":
        from onegrid.web import casework

        actor = casework.actor_of(user)
        stmt = _candidates(session, user, f)

        def keep(case: Case) -> bool:
            return is_mine(case, actor)
    else:
        stmt = filtered(session, user, f).where(tab_condition(tab, utcnow()))
    session.commit()  # end the read: the export reads in sessions of its own
    return stmt, keep
