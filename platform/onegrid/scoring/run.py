"""The scoring run: compute a period's standings and freeze them.

`freeze(sessions, version, scheme, period)` computes the scheme's standings
on the record as it stood at the period's end and stores them as a run
(`store/scores.py`): the first run is revision 1; running again stores
nothing when the results are the same (idempotent) and a new revision when
they differ (a correction), leaving the earlier one as it was.

`close_periods(sessions, now)` is what the sweep calls: for every pack's
newest version, every scheme and the dashboard's rollup
(`dashboard.SCHEME`), the latest period that has ended by
`now` is frozen once (a period already frozen is left alone; corrections
are asked for with `onegrid scores PACK --period P --recompute`).

`refresh_running(sessions, now)` is the sweep's other job: every scheme's
period still running (the dashboard's month among them) is recomputed
every few minutes into a snapshot (`store/snapshots.py`), which `view`
shows, with its time, instead of reading every case of the period on each
view (10 s at 100k cases).

So a page reads rollups only: a frozen run's rows or a snapshot, each a
row per subject, whatever the number of cases. The evidence behind the
numbers is read only where it is shown (`view(..., evidence=subject)`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from onegrid.scoring import Standing, dashboard, schemes_of, standings
from onegrid.scoring import periods as periods_mod
from onegrid.scoring import record as record_mod
from onegrid.store.base import utcnow
from onegrid.store.models import PolicyVersion
from onegrid.store.scores import ScoreRow, ScoreRun
from onegrid.store.snapshots import ScoreSnapshot, SnapshotEvidence
from onegrid.workflow.rulebook import rulebook

log = logging.getLogger(__name__)
# the running month's snapshot is recomputed after this long, or after ten
# times what computing it took (so the job costs at most a tenth of a core)
SNAPSHOT_EVERY = dt.timedelta(minutes=5)
# `view(..., evidence=ALL)`: every subject's evidence (the CLI's JSON)
ALL = "*"


@dataclass
class Frozen:
    run: ScoreRun
    created: bool  # False: the same results were frozen already


def compute(session, version, scheme, period, now: dt.datetime | None = None) -> list[Standing]:
    """The standings on the record of the period (up to `now` while it runs)."""
    book = rulebook(version)
    return standings(session, book, scheme, read_record(session, book, period, now))


def read_record(session, book, period, now: dt.datetime | None = None) -> record_mod.Record:
    """The record of the period (up to `now` while it runs)."""
    start, end = period.bounds(book.calendar.tz)
    return record_mod.load(session, book.pack, start, end, as_of=now)


def as_json(rows: list[Standing]) -> list[dict]:
    return [
        {
            "subject": r.subject,
            "name": r.name,
            "units": list(r.units),
            "score": r.score,
            "rank": r.rank,
            "tier": r.tier,
            "values": r.values,
            "evidence": r.evidence,
        }
        for r in rows
    ]


def digest(rows: list[dict]) -> str:
    blob = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


def latest(session, pack: str, scheme: str, period: str) -> ScoreRun | None:
    return session.scalars(
        select(ScoreRun)
        .where(ScoreRun.pack == pack, ScoreRun.scheme == scheme, ScoreRun.period == period)
        .order_by(ScoreRun.revision.desc())
        .limit(1)
    ).first()


def revisions(session, pack: str, scheme: str, period: str) -> list[ScoreRun]:
    return list(
        session.scalars(
            select(ScoreRun)
            .where(ScoreRun.pack == pack, ScoreRun.scheme == scheme, ScoreRun.period == period)
            .order_by(ScoreRun.revision)
        )
    )


def freeze(session, version, scheme, period, by: str | None = None) -> Frozen:
    """Freeze the period's standings; a new revision only if they changed."""
    rows = as_json(compute(session, version, scheme, period))
    sealed = digest(rows)
    pack = rulebook(version).pack
    before = latest(session, pack, scheme["id"], period.key)
    if before is not None and before.digest == sealed:
        session.commit()
        return Frozen(before, False)
    run = ScoreRun(
        pack=pack,
        scheme=scheme["id"],
        period=period.key,
        revision=(before.revision + 1) if before else 1,
        policy_version_id=version.id,
        computed_at=utcnow(),
        computed_by=by,
        digest=sealed,
    )
    session.add(run)
    session.flush()
    for position, row in enumerate(rows):
        session.add(ScoreRow(run_id=run.id, position=position, **row))
    session.commit()
    session.refresh(run)
    return Frozen(run, True)


def newest_versions(session) -> list[PolicyVersion]:
    newest = select(func.max(PolicyVersion.id)).group_by(PolicyVersion.pack)
    return list(session.scalars(select(PolicyVersion).where(PolicyVersion.id.in_(newest))))


def close_periods(sessions, now: dt.datetime | None = None) -> list[ScoreRun]:
    """Freeze every scheme's latest ended period not frozen yet (the sweep's
    monthly run); returns the runs stored. One scheme's failure is logged
    and the others go on."""
    now = now or utcnow()
    stored: list[ScoreRun] = []
    with sessions() as session:
        versions = newest_versions(session)  # closing (not expiring) keeps them loaded
    for version in versions:
        book = rulebook(version)
        for scheme in [*schemes_of(book), dashboard.SCHEME]:
            period = periods_mod.last_closed(scheme["period"], now, book.calendar.tz)
            with sessions() as session:
                try:
                    if latest(session, book.pack, scheme["id"], period.key) is not None:
                        session.rollback()
                        continue
                    done = freeze(session, version, scheme, period, by="system:sweep")
                    if done.created:
                        stored.append(done.run)
                except Exception:
                    session.rollback()
                    log.exception("scores: cannot freeze %s %s", scheme["id"], period.key)
    return stored


@dataclass
class View:
    """What a page or `onegrid scores` shows for one scheme and period."""

    scheme: dict
    period: periods_mod.Period
    rows: list[dict]
    run: ScoreRun | None  # the newest frozen revision, or None: computed live
    revisions: int
    as_of: dt.datetime | None = None  # provisional, from the snapshot of this moment

    @property
    def provisional(self) -> bool:
        return self.run is None


def view(
    session, version, scheme, period, now: dt.datetime | None = None, evidence: str | None = None
) -> View:
    """The newest frozen revision of the period, else its snapshot, else the
    standings computed on the record up to `now`. A row's evidence is read
    for the subject `evidence` names (or ALL); the others' is {}."""
    pack = rulebook(version).pack
    run = latest(session, pack, scheme["id"], period.key)
    if run is not None:
        return View(scheme, period, frozen_rows(session, run, evidence), run, run.revision)
    snap = snapshot(session, version, scheme, period, now or utcnow())
    if snap is not None:
        found = _evidence(
            session, SnapshotEvidence, SnapshotEvidence.snapshot_id == snap.id, evidence
        )
        rows = [{**r, "evidence": found.get(r["subject"], {})} for r in snap.rows]
        return View(scheme, period, rows, None, 0, snap.as_of)
    rows = as_json(compute(session, version, scheme, period, now))
    return View(scheme, period, rows, None, 0)


def frozen_rows(session, run: ScoreRun, evidence: str | None) -> list[dict]:
    """A run's rows in order, with the evidence of `evidence`'s subject (or ALL)."""
    rows = session.scalars(
        select(ScoreRow)
        .where(ScoreRow.run_id == run.id)
        .order_by(ScoreRow.position)
        .options(defer(ScoreRow.evidence, raiseload=True))
    )
    out = [
        {
            "subject": r.subject,
            "name": r.name,
            "units": r.units,
            "score": r.score,
            "rank": r.rank,
            "tier": r.tier,
            "values": r.values,
            "evidence": {},
        }
        for r in rows
    ]
    found = _evidence(session, ScoreRow, ScoreRow.run_id == run.id, evidence)
    for row in out:
        row["evidence"] = found.get(row["subject"], {})
    return out


def _evidence(session, model, parent, which: str | None) -> dict[str, dict]:
    """Subject → evidence from `model` (ScoreRow or SnapshotEvidence) under
    `parent`, for the subject `which` names, or ALL, or none."""
    if which is None:
        return {}
    stmt = select(model.subject, model.evidence).where(parent)
    if which != ALL:
        stmt = stmt.where(model.subject == which)
    return dict(session.execute(stmt).all())


def _wait(snap: ScoreSnapshot) -> dt.timedelta:
    return max(SNAPSHOT_EVERY, dt.timedelta(seconds=10 * snap.took))


def _snapshot_row(session, pack: str, scheme_id: str, key: str) -> ScoreSnapshot | None:
    return session.scalars(
        select(ScoreSnapshot).where(
            ScoreSnapshot.pack == pack,
            ScoreSnapshot.scheme == scheme_id,
            ScoreSnapshot.period == key,
        )
    ).first()


def snapshot(session, version, scheme, period, now: dt.datetime) -> ScoreSnapshot | None:
    """The period's snapshot, if it was taken on this version and is recent
    (within three refresh intervals: a scheduler that stopped is noticed)."""
    snap = _snapshot_row(session, rulebook(version).pack, scheme["id"], period.key)
    if snap is None or snap.policy_version_id != version.id:
        return None
    return snap if now - snap.as_of <= 3 * _wait(snap) else None


def refresh_running(sessions, now: dt.datetime | None = None) -> list[ScoreSnapshot]:
    """Recompute the running period of every scheme (the dashboard's month
    among them) of every pack's newest version when its snapshot is due
    (SNAPSHOT_EVERY, or ten times its last cost); returns the snapshots
    written. Schemes of one period share one read of its record. A scheme's
    rows are kept without evidence, and each subject's evidence beside them
    (the dashboard shows counts and rates only, so it keeps none). One
    scheme's failure is logged and the others go on."""
    now = now or utcnow()
    written: list[ScoreSnapshot] = []
    with sessions() as session:
        versions = newest_versions(session)
    for version in versions:
        book = rulebook(version)
        by_period: dict[str, tuple[periods_mod.Period, list[dict]]] = {}
        for scheme in [*schemes_of(book), dashboard.SCHEME]:
            period = periods_mod.of(scheme["period"], now.astimezone(book.calendar.tz).date())
            by_period.setdefault(period.key, (period, []))[1].append(scheme)
        for period, schemes in by_period.values():
            with sessions() as session:
                written += _refresh_period(session, version, period, schemes, now)
    return written


def _refresh_period(session, version, period, schemes, now) -> list[ScoreSnapshot]:
    book = rulebook(version)
    found = {
        snap.scheme: snap
        for snap in session.scalars(
            select(ScoreSnapshot).where(
                ScoreSnapshot.pack == book.pack,
                ScoreSnapshot.scheme.in_([s["id"] for s in schemes]),
                ScoreSnapshot.period == period.key,
            )
        )
    }

    def due(scheme) -> bool:
        snap = found.get(scheme["id"])
        return (
            snap is None or snap.policy_version_id != version.id or now - snap.as_of >= _wait(snap)
        )

    schemes = [s for s in schemes if due(s)]
    session.rollback()
    if not schemes:
        return []
    started = time.perf_counter()
    try:
        rec = read_record(session, book, period, now)
    except Exception:
        session.rollback()
        log.exception("scores: cannot read %s %s", book.pack, period.key)
        return []
    loading = time.perf_counter() - started
    written = []
    for scheme in schemes:
        try:
            written.append(_store(session, version, scheme, period, rec, loading, now))
        except IntegrityError:
            session.rollback()  # another process wrote it meanwhile
        except Exception:
            session.rollback()
            log.exception("scores: cannot refresh %s %s %s", book.pack, scheme["id"], period.key)
    return written


def _store(session, version, scheme, period, rec, loading: float, now) -> ScoreSnapshot:
    """Write one scheme's snapshot from the record read; its cost is the
    read's and its own standings'."""
    book = rulebook(version)
    started = time.perf_counter()
    rows = as_json(standings(session, book, scheme, rec))
    took = loading + time.perf_counter() - started
    snap = _snapshot_row(session, book.pack, scheme["id"], period.key)
    if snap is None:
        snap = ScoreSnapshot(pack=book.pack, scheme=scheme["id"], period=period.key)
        session.add(snap)
    snap.policy_version_id, snap.as_of, snap.took = version.id, now, took
    snap.rows = [{**r, "evidence": {}} for r in rows]
    session.flush()
    session.execute(delete(SnapshotEvidence).where(SnapshotEvidence.snapshot_id == snap.id))
    kept = [
        {"snapshot_id": snap.id, "subject": r["subject"], "evidence": r["evidence"]}
        for r in rows
        if scheme is not dashboard.SCHEME and r["evidence"]
    ]
    if kept:
        session.execute(insert(SnapshotEvidence), kept)
    session.commit()
    return snap


def trend(session, pack: str, scheme: str, keys: list[str], subject: str | None = None):
    """Per period key (oldest first): the subject's score, or the mean score,
    from the newest frozen revision of each period (None where not frozen)."""
    out = []
    for key in keys:
        run = latest(session, pack, scheme, key)
        value = None
        if run is not None:
            stmt = select(ScoreRow.score).where(
                ScoreRow.run_id == run.id, ScoreRow.score.is_not(None)
            )
            if subject is not None:
                stmt = stmt.where(ScoreRow.subject == subject)
            scores = session.scalars(stmt).all()
            value = round(sum(scores) / len(scores), 2) if scores else None
        out.append((key, value))
    return out
