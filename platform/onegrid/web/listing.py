"""Case lists for real volume: tabs with counts, filters, free-text search,
sort by time left, keyset pages; one implementation for the inbox page, its
exports and the JSON API list.

Every query starts from the user's scope (`scope.visible(user)`, or the
same parties' stored rows) and only adds WHERE and ORDER BY terms, so it
stays composable with whatever decides visibility.

A page walks the stored rows of the user's few parties (`case_access`,
`visibility.reached`) in the page's order, merged, so its cost follows the
page, not the cases the user may see: a grid worker's 50 of a city's 1M
are not found by walking the city's deadlines. Counts are exact up to
COUNT_EXACT and the planner's estimate above (约 N on the pages,
`X-Total-Count-Estimated` on the API).

The "mine" tab (待我处理) is what the user must act on to move a case on:
the transitions open to them now. Each open case stores its acting
parties (who may take a step of it now, a superset); the user's are a few
per binding, so SQL narrows the candidates to an index range; the
engine's own `actions_for` then decides exactly, so guards and separation
of duties hold as on the case page. The candidates are read in the
page's order, in keyset chunks, until the page is full. Oversight (a stay
only superiors take, 督办) is left out: it is open on every case below
them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select, text, true, union_all
from sqlalchemy.orm import Session

from onegrid.store import Case, utcnow
from onegrid.store.access import CaseAccess
from onegrid.store.accounts import User
from onegrid.store.models import FAR, due_key
from onegrid.web import policyview, scope
from onegrid.web.i18n import text_of
from onegrid.workflow import guard, transition, visibility
from onegrid.workflow.rulebook import rulebook
from onegrid.workflow.visibility import oversight

TABS = ("mine", "due_soon", "overdue", "supervised", "all")
SORTS = ("due", "new", "old", "updated")  # updated: oldest change first, for pollers
PAGE_SIZE = 50
# the "mine" tab checks at most this many candidates exactly (beyond, it says so)
MINE_SCAN = 20_000
# its count checks this many candidates one by one; beyond, it is estimated
# from their share (issue 14: exact counts on every tab cost 192 -> 482 ms)
MINE_EXACT = 200
# a count is exact up to this many cases; beyond, on PostgreSQL, it is the
# planner's estimate (issue 22: an exact count reads every case the user
# sees, a command centre's whole city, on every inbox view; 10,000 cost the
# centre 100 ms of a page at 1M cases)
COUNT_EXACT = 1_000
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
        # not overdue, said as the due-order index says the deadline: a
        # plain `due_at > now` lets the planner AND in a bitmap of every open
        # case's deadline (60 ms at 1M cases); a case without one has
        # nothing to warn of
        return and_(open_, Case.warned | (Case.warn_at <= now), ~Case.overdue, due_key() > now)
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


def filtered(session: Session, user: User, f: Filters, start=None):
    """SELECT of the user's visible cases matching the filters (no tab, no
    order); `start`, a select(Case) already narrowed to them, in place of
    `scope.visible(user)`."""
    stmt = scope.visible(user) if start is None else start
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


def _acting(session: Session, user: User) -> list[str]:
    return visibility.acting_parties(_book(session), user.bindings, user.username)


def mine_condition(session: Session, user: User):
    """A superset of the cases with a transition open to the user (SQL): a
    semi-join on the acting parties stored with each open case, a few per
    binding of the user's (workflow/visibility.acting_parties), however
    many cases or units their area holds."""
    return visibility.among(_acting(session, user))


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
    # open by construction: a case keeps acting parties only while open
    # (a test of closed_at as well lets the planner scan every open case)
    return filtered(session, user, f).where(mine_condition(session, user))


def mine_count(
    session: Session, user: User, f: Filters, exact: int = MINE_EXACT
) -> tuple[int, bool]:
    """How many cases are the user's to act on, and whether that is an
    estimate: exact when the SQL superset holds at most `exact` candidates
    (each checked by the engine); beyond, the share of the first `exact`
    that are the user's, applied to the superset's count (`count_of`)."""
    from onegrid.web import casework

    actor = casework.actor_of(user)
    first, _ = _walk(session, user, "mine", f, "old", None, exact + 1)
    mine = sum(is_mine(case, actor) for case in first[:exact])
    if len(first) <= exact:
        return mine, False
    total, _ = count_of(session, user, "mine", f)
    return round(mine * total / exact), True


# --- counts --------------------------------------------------------------------


def count_of(session: Session, user: User, tab: str, f: Filters) -> tuple[int, bool]:
    """(How many cases the tab holds, whether that is an estimate; on
    "mine", the SQL superset): exact up to COUNT_EXACT (at most that many
    + 1 read per party); above, on PostgreSQL, the planner's estimate
    (never below COUNT_EXACT + 1); exact on SQLite."""
    estimated: set[str] = set()
    n = _counts(session, user, f, utcnow(), [tab], estimated)[tab]
    return n, tab in estimated


def tab_counts(
    session: Session, user: User, f: Filters, now: dt.datetime, estimated: set[str] | None = None
) -> dict[str, int]:
    """The SQL tabs' counts of the user's filtered view; a tab above
    COUNT_EXACT is the planner's estimate instead (PostgreSQL), and is
    added to `estimated`."""
    return _counts(session, user, f, now, [t for t in TABS if t != "mine"], estimated)


def serial(session: Session) -> None:
    """No parallel workers nor JIT for the rest of this transaction (PostgreSQL): a
    list reads a few hundred index entries, and starting a worker costs
    more than that (a count's 15 ms of work took 75 ms behind a Gather on
    2 cores at 1M cases); the big scans (snapshots, exports) keep them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
        # nor JIT: the per-party statements are costed high (a leg may walk a
        # city's range) and compiling them took ~60 ms of an 80 ms count
        session.execute(text("SET LOCAL jit = off"))


def _counts(session: Session, user: User, f: Filters, now, tabs, estimated) -> dict[str, int]:
    def plain(tab):
        if tab == "mine":
            return _candidates(session, user, f)
        return filtered(session, user, f).where(tab_condition(tab, now))

    serial(session)
    if session.get_bind().dialect.name != "postgresql":
        # exact, in one pass over the view
        out = {}
        if "mine" in tabs:
            every = select(func.count()).select_from(plain("mine").order_by(None).subquery())
            out["mine"] = session.scalar(every) or 0
        rest = [t for t in tabs if t != "mine"]
        if rest:
            each = (
                filtered(session, user, f)
                .with_only_columns(*(func.count().filter(tab_condition(t, now)) for t in rest))
                .order_by(None)
            )
            out.update(zip(rest, (n or 0 for n in session.execute(each).one()), strict=True))
        return out
    parts = []
    for tab in tabs:
        parties = _parties_of(session, user, tab, "due")
        ways = _ways(tab, now)
        stmt, legs = plain(tab), None
        if parties is not None:
            narrow = _narrow(session, user, tab, f, now)
            legs = _legs(parties, narrow, COUNT_EXACT + 1, ways=ways)
        elif len(ways) > 1:
            # an administrator's sparse tab, each way on its own index, as
            # the page walks it (`_of_all`): one bounded scan of the whole
            # is a walk of every open case to find the few warned (100 ms
            # of a 150 ms page at 1M cases)
            legs = _all_legs(stmt, ways, COUNT_EXACT + 1)
        parts.append((tab, stmt, legs))
    return counted(session, parts, estimated)


def counted(session: Session, parts, estimated: set[str] | None = None) -> dict[str, int]:
    """{name: count} of each (name, select(Case), legs or None) in one
    statement (PostgreSQL): at most COUNT_EXACT + 1 cases of the select,
    or of each leg (`_legs`: a party's rows), each case once, so a count is
    exact while no party reaches the bound (a semi-join on the parties
    would hash every row of a street's); above, the planner's estimate of
    the select, and the name goes into `estimated`."""
    bounded = []
    for _, plain, legs in parts:
        if legs is None:
            bounded.append(_bounded(plain))
            continue
        rows = (union_all(*legs) if len(legs) > 1 else legs[0]).subquery()
        bounded.append(
            select(func.count(rows.c.case_id.distinct())).select_from(rows).scalar_subquery()
        )
    row = session.execute(select(*bounded)).one()
    out = {}
    for (name, plain, _), n in zip(parts, row, strict=True):
        out[name] = n or 0
        if out[name] > COUNT_EXACT:
            out[name] = _estimate(session, plain)
            if estimated is not None:
                estimated.add(name)
    return out


def total(session: Session, stmt, column=Case.id) -> tuple[int, bool]:
    """(How many rows `stmt` selects, whether that is an estimate): exact up
    to COUNT_EXACT; above, on PostgreSQL, the planner's estimate. For a
    list that is not a user's tab (Open311's requests and updates);
    `column` is one the rows are counted by."""
    serial(session)
    if session.get_bind().dialect.name != "postgresql":
        every = stmt.with_only_columns(column).order_by(None).subquery()
        return session.scalar(select(func.count()).select_from(every)) or 0, False
    n = session.scalar(select(_bounded(stmt, column))) or 0
    if n <= COUNT_EXACT:
        return n, False
    return _estimate(session, stmt, column), True


def _bounded(stmt, column=Case.id):
    """count(*) of at most COUNT_EXACT + 1 rows of `stmt`, as a scalar subquery."""
    rows = stmt.with_only_columns(column).order_by(None).limit(COUNT_EXACT + 1).subquery()
    return select(func.count()).select_from(rows).scalar_subquery()


def _estimate(session: Session, stmt, column=Case.id) -> int:
    """The planner's estimate of the rows of `stmt` (PostgreSQL), at least
    COUNT_EXACT + 1: the bounded count found that many."""
    compiled = (
        stmt.with_only_columns(column)
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


def key_of(case: Case, sort: str) -> tuple:
    """The case's place in `sort` order (a cursor's content)."""
    if sort == "due":
        return (case.due_at or FAR, case.id)
    if sort == "updated":
        return (case.updated_at, case.id)
    return (case.id,)


def encode(case: Case, sort: str) -> str:
    return encode_key(key_of(case, sort))


def encode_key(key: tuple) -> str:
    """A cursor: the place of the last row given, opaque to clients."""
    key = [v.isoformat() if isinstance(v, dt.datetime) else v for v in key]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode(cursor: str | None, sort: str) -> tuple | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if sort in ("due", "updated"):
            moment = dt.datetime.fromisoformat(key[0])
            if moment.tzinfo is None:
                raise ValueError(cursor)
            return (moment, int(key[1]))
        return (int(key[0]),)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        raise BadCursor(cursor) from None


def after(cursor: str | None, sort: str):
    """The keyset condition on the cases: rows after the cursor in `sort` order."""
    key = decode(cursor, sort)
    return None if key is None else _after_key(key, sort)


def _after_key(key: tuple, sort: str):
    if sort == "due":
        due, last = key
        place = due_key()
        # the >= lets the index walk start at the cursor
        return and_(place >= due, or_(place > due, and_(place == due, Case.id > last)))
    if sort == "updated":
        moment, last = key
        return or_(Case.updated_at > moment, and_(Case.updated_at == moment, Case.id > last))
    return Case.id < key[0] if sort == "new" else Case.id > key[0]


class BadCursor(ValueError):
    pass


def _parties_of(session: Session, user: User, tab: str, sort: str) -> list[str] | None:
    """Whose stored rows a page walks (PostgreSQL): the user's acting
    parties on "mine", their seeing parties on the other tabs; None (walk
    the cases' own indexes) on SQLite, for an administrator, who sees all,
    and for the pollers' order."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    if (user.is_admin and tab != "mine") or sort == "updated":
        return None
    return _acting(session, user) if tab == "mine" else scope.parties(user)


def _ordered(session: Session, user: User, tab: str, f: Filters, sort: str, key, limit: int):
    """SELECT of the first `limit` cases of the tab after `key` (a cursor's
    content) in `sort` order. On PostgreSQL, from the parties' stored rows:
    for each party, a walk of its own range of ix_case_access_due (or of
    the primary key, by number) from the cursor to its first `limit`
    matches, and those few merged; so a grid's page among a city's million
    cases costs what the page costs. (A plain UNION ALL of the ranges is
    sorted whole: PostgreSQL 15 cannot merge ranges that each start with a
    different party; a LATERAL over a list of parties hides each party's
    size from the planner.) A case two parties reach comes twice, side by
    side: the reader keeps it once (`_walk`)."""
    now = utcnow()
    parties = _parties_of(session, user, tab, sort)
    if parties is None:
        stmt = _candidates(session, user, f) if tab == "mine" else filtered(session, user, f)
        stmt = stmt.where(tab_condition(tab, now))
        if key is not None:
            stmt = stmt.where(_after_key(key, sort))
        ways = _ways(tab, now)
        if session.get_bind().dialect.name == "postgresql" and sort == "due" and len(ways) > 1:
            return _of_all(stmt, ways, limit)
        return stmt.order_by(*order_of(sort)).limit(limit)

    ways = _ways(tab, now) if sort == "due" else [None]
    return through(parties, sort, key, limit, _narrow(session, user, tab, f, now), ways)


def _of_all(stmt, ways, limit: int):
    """An administrator's page of a tab found in more than one way
    (`_ways`: due soon, overdue), on the cases' own indexes (PostgreSQL):
    each way walked in time-left order, merged. The planner otherwise
    walks every deadline of the city for the few it wants (due soon: 1.9 s
    at 1M cases, 2,000 of them warned; overdue: 1.1 s)."""
    return _merged(_all_legs(stmt, ways, limit, "due"), "due", limit)


def _all_legs(stmt, ways, limit: int, sort: str | None = None):
    """For each way (`_ways`), the first `limit` cases of `stmt` found that
    way on the cases' own indexes, in `sort` order (any, without): an
    administrator's, who has no parties to walk."""
    legs = []
    for way in ways:
        if isinstance(way, Backlog):
            term = Case.sweep_at <= way.now
        else:
            term = way(due_key(), lambda mark: getattr(Case, mark))
        legs.append(_case_leg(stmt.where(term), sort, None, limit, len(legs)))
    return legs


def _narrow(session: Session, user: User, tab: str, f: Filters, now):
    """The tab's terms on a select of the parties' rows joined to Case."""

    def narrow(start):
        if tab == "mine" and not user.is_admin:
            # acting is not seeing: the case must also be in the user's scope
            start = start.where(visibility.reaching(scope.parties(user)))
        return filtered(session, user, f, start).where(tab_condition(tab, now))

    return narrow


@dataclass(frozen=True)
class Backlog:
    """A way (`_ways`): the cases the sweep is yet to reach at `now`."""

    now: dt.datetime


def _ways(tab: str, now: dt.datetime):
    """How a party's stored rows hold the tab's cases (PostgreSQL): each way
    a walk of an index in time-left order, bounded by what it finds, and
    together a superset of the tab (`narrow` tests each case exactly). A
    way is a term on a time-left key and the flags, `(due, mark) -> term`,
    read from the party's row (the partial indexes of its flags, revision
    2600, or the range before now) or, for an administrator, from the case
    (`_of_all`); None for the whole range; or a Backlog: the cases the
    sweep has yet to reach (`cases.sweep_at` due), which hold every case
    whose warning time has passed unflagged. A sparse tab never walks a
    street's 70,000 rows to find its few dozen."""
    if tab == "supervised":
        return [lambda due, mark: mark("supervised")]
    if tab == "overdue":
        # flagged at the top of the ladder (no deadline left), or past due
        return [lambda due, mark: mark("overdue"), lambda due, mark: due <= now]
    if tab == "due_soon":
        return [lambda due, mark: mark("warned"), Backlog(now)]
    return [None]


def _legs(parties, narrow, limit: int, sort: str | None = None, key=None, ways=(None,)):
    """For each party and way (`_ways`), a select of its first `limit` rows
    (case_id, due_key) after `key` in `sort` order (any, without) that
    `narrow` keeps: a walk of its own range of ix_case_access_due (or of a
    flag's partial index, or of the primary key, by number), the party a
    constant the planner can weigh (a city's million rows or a grid's few
    hundred)."""
    legs = []
    for way in ways:
        if isinstance(way, Backlog):
            legs.append(_backlog(parties, narrow, limit, sort, key, way.now, len(legs)))
            continue
        for party in sorted(parties):
            n = len(legs)
            row = CaseAccess.__table__.alias(f"reach{n}")
            start = select(row.c.case_id, row.c.due_key).join_from(
                row, Case, Case.id == row.c.case_id
            )
            start = start.where(row.c.party == party)
            if way is not None:
                start = start.where(way(row.c.due_key, lambda mark, row=row: row.c[mark]))
            leg = narrow(start)
            if key is not None:
                leg = leg.where(_after_row(row, key, sort))
            if sort is not None:  # a count's legs take any `limit` rows
                leg = leg.order_by(*_row_order(row, sort))
            leg = leg.limit(limit).subquery(f"first{n}")
            legs.append(select(leg.c.case_id, leg.c.due_key))
    return legs


def _backlog(parties, narrow, limit: int, sort, key, now, n: int):
    """The leg of the cases the sweep is yet to reach (the partial index of
    `cases.sweep_at`: a minute's worth while it keeps up) that the parties
    see, probed case by case."""
    start = select(Case.id).where(Case.sweep_at <= now, visibility.reaching(parties))
    return _case_leg(narrow(start), sort, key, limit, n)


def _case_leg(stmt, sort: str | None, key, limit: int, n: int):
    """A leg walked on the cases' own indexes: (case_id, due_key) of the
    first `limit` cases of `stmt` after `key` in `sort` order (any, without)."""
    stmt = stmt.with_only_columns(Case.id.label("case_id"), due_key().label("due_key"))
    if key is not None:
        stmt = stmt.where(_after_key(key, sort))
    if sort is not None:
        stmt = stmt.order_by(*order_of(sort))
    leg = stmt.limit(limit).subquery(f"first{n}")
    return select(leg.c.case_id, leg.c.due_key)


def through(parties, sort: str, key, limit: int, narrow, ways=(None,)):
    """select(Case): the first `limit` cases after `key` in `sort` order that
    `narrow` (a function adding WHERE terms on Case to a select) keeps,
    from the parties' stored rows: each party's (and way's) first `limit`
    (`_legs`), merged."""
    return _merged(_legs(parties, narrow, limit, sort, key, ways), sort, limit)


def _merged(legs, sort: str, limit: int):
    """select(Case): the first `limit` of the legs' rows in `sort` order."""
    first = (union_all(*legs) if len(legs) > 1 else legs[0]).subquery("reached")
    return (
        select(Case)
        .join(first, Case.id == first.c.case_id)
        .order_by(*_row_order(first, sort))
        .limit(limit)
    )


def _row_order(row, sort: str):
    if sort == "new":
        return (row.c.case_id.desc(),)
    if sort == "old":
        return (row.c.case_id.asc(),)
    return (row.c.due_key.asc(), row.c.case_id.asc())


def _after_row(row, key: tuple, sort: str):
    if sort == "due":
        due, last = key
        # the >= lets the index walk start at the cursor
        return and_(row.c.due_key >= due, or_(row.c.due_key > due, row.c.case_id > last))
    return row.c.case_id < key[0] if sort == "new" else row.c.case_id > key[0]


def _walk(
    session: Session,
    user: User,
    tab: str,
    f: Filters,
    sort: str,
    key,
    want: int,
    keep=None,
):
    """The first `want` cases of the tab after `key` (that `keep` keeps),
    each once, read in keyset chunks (`want` + 1, then four times more, up
    to 2,000: never a server-side cursor, whose plan PostgreSQL makes for
    reading everything); stop after MINE_SCAN rows. Returns (cases, cut)."""
    out: list[Case] = []
    seen: set[int] = set()
    read, chunk = 0, want + 1
    while True:
        rows = session.scalars(_ordered(session, user, tab, f, sort, key, chunk)).all()
        for case in rows:
            read += 1
            if case.id in seen:  # reached through two of the user's parties
                continue
            seen.add(case.id)
            if keep is None or keep(case):
                out.append(case)
                if len(out) >= want:
                    return out, False
        if len(rows) < chunk:
            return out, False
        if read >= MINE_SCAN:
            return out, True
        key = key_of(rows[-1], sort)
        chunk = min(chunk * 4, 2000)


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
    """One page of the user's cases on `tab`, filtered, in `sort` order. The
    total is exact up to COUNT_EXACT (MINE_EXACT candidates on "mine") and
    estimated above (`estimated` names the tabs)."""
    f = f or Filters()
    sort = sort if sort in SORTS else "due"
    now = utcnow()
    key = decode(cursor, sort)
    serial(session)
    counts: dict[str, int] = {}
    cut = False
    estimated: set[str] = set()
    if with_counts:
        counts["mine"], rough = mine_count(session, user, f)
        if rough:
            estimated.add("mine")
        counts.update(tab_counts(session, user, f, now, estimated))
    if tab == "mine":
        if with_counts:
            total = counts["mine"]
        else:
            total, rough = mine_count(session, user, f)
            estimated |= {"mine"} if rough else set()
        from onegrid.web import casework

        actor = casework.actor_of(user)
        rows, cut = _walk(
            session, user, tab, f, sort, key, limit + 1, lambda case: is_mine(case, actor)
        )
    else:
        if with_counts:
            total = counts.get(tab)
        else:
            total, rough = count_of(session, user, tab, f)
            estimated |= {tab} if rough else set()
        rows, cut = _walk(session, user, tab, f, sort, key, limit + 1)
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
