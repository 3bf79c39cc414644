"""The audit record: a keyed hash chain per subject, sealed in batches.

No single row is written by every writer (the old design's `audit_head`
serialised all of them):

- Each **subject** (a case, "case:42"; an item, "item:7"; the platform,
  "platform") has its own chain: row n of a subject carries the hash of row
  n-1 (`prev_hash`; row 1 links to `GENESIS`). A row's `hash` is
  HMAC-SHA256(key, prev_hash + "\\n" + payload), where the payload is the
  canonical JSON of everything the row says, including its global `seq`
  and its place `n` in the subject's chain. Two appends to one subject
  queue on a lock of that subject alone.
- The **global log** is every row in `seq` order, sealed in batches: a
  seal holds the Merkle root of the hashes of the rows after the seal
  before it, up to its `upto`, and is itself keyed and chained to the seal
  before (`seal`, run by the sweep's scheduler and `onegrid audit seal`).
  A row deleted from the end of its subject's chain, or a whole subject's
  trail, shows against the seal that covered it.
- The **key** is the app's (ONEGRID_AUDIT_KEY; in development a random key
  kept in the instance folder, like the secret key): someone who can write
  the database but does not hold the key cannot forge a row or a chain.
- Each case row records the case's routed and state columns as they are
  after the step (`after`, taken from the Case object here, so every
  transition is covered without its author doing anything), so `verify`
  finds a case row changed outside its trail.
- In PostgreSQL the app's role owns nothing (store/roles.py): it appends
  through two SECURITY DEFINER functions that refuse a row which does not
  continue its subject's chain, and cannot update, delete or truncate the
  audit, nor disable its triggers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text, tuple_

from onegrid import messages
from onegrid.errors import Problem, UsageError
from onegrid.store import photos
from onegrid.store.engine import instance_path
from onegrid.store.models import AuditEntry, AuditSeal, Case
from onegrid.workflow import visibility

GENESIS = "sha256:" + "0" * 64
PLATFORM = "platform"
# the case columns a step may change, recorded after each step of a case
REPLAYED = (
    "state",
    "level",
    "unit",
    "assistants",
    "enterprise",
    "step",
    "warn_at",
    "due_at",
    "warned",
    "overdue",
    "supervised",
    "escalations",
    "reopened",
    "closed_at",
    "version",
)
# rows per seal at most, so a seal's Merkle tree is built in bounded memory
SEAL_ROWS = 50_000

messages.register(
    {
        "audit-key-missing": {
            "zh": "生产环境必须设置 ONEGRID_AUDIT_KEY（审计链的密钥）",
            "en": "set ONEGRID_AUDIT_KEY (the audit chain's key) outside development",
        },
        "audit-gap": {
            "zh": "{subject} 的审计链在第 {n} 条处断开：应为第 {expected} 条（有记录被删除？）",
            "en": "the audit chain of {subject} breaks at row {n}: row {expected} was expected"
            " (a row deleted?)",
        },
        "audit-link": {
            "zh": "审计记录 {seq}（{subject} 第 {n} 条）指向的前一条哈希不符（记录被删除或替换？）",
            "en": "audit row {seq} ({subject} row {n}) does not link to the row before it"
            " (a row deleted or replaced?)",
        },
        "audit-hash": {
            "zh": "审计记录 {seq} 的内容与其密钥哈希不符（被篡改或伪造？）",
            "en": "the content of audit row {seq} does not match its keyed hash"
            " (tampered with or forged?)",
        },
        "audit-column": {
            "zh": "审计记录 {seq} 的 {column} 列与已签名的内容不符",
            "en": "column {column} of audit row {seq} differs from its hashed content",
        },
        "audit-seal-hash": {
            "zh": "审计封存 {seal} 的内容与其密钥哈希不符，或未接续前一次封存",
            "en": "audit seal {seal} does not match its keyed hash or does not follow the seal"
            " before it",
        },
        "audit-seal-rows": {
            "zh": "审计封存 {seal} 覆盖的记录（{first}–{upto}）与封存时不同（记录被删除、添加或替换？）",
            "en": "the rows under audit seal {seal} ({first}–{upto}) are not those sealed"
            " (rows deleted, added or replaced?)",
        },
        "audit-case-unaudited": {
            "zh": "案件 {case} 没有审计记录",
            "en": "case {case} has no audit trail",
        },
        "audit-case-differs": {
            "zh": "案件 {case} 的 {column} 为 {actual}，但其审计记录最后一步之后应为 {expected}"
            "（案件记录在流程之外被改动？）",
            "en": "case {case} has {column} = {actual}, but its trail's last step left {expected}"
            " (the case row changed outside its trail?)",
        },
    }
)


# -- the key -----------------------------------------------------------------

_keys: dict[str, bytes] = {}


def key() -> bytes:
    """ONEGRID_AUDIT_KEY, else (outside production) a random key kept in the
    instance folder's `audit_key`, made on first use."""
    value = os.environ.get("ONEGRID_AUDIT_KEY")
    if value:
        return value.encode()
    if os.environ.get("ONEGRID_ENV") == "production":
        raise UsageError(Problem("audit-key-missing"))
    path = instance_path() / "audit_key"
    cached = _keys.get(str(path))
    if cached is not None:
        return cached
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    found = path.read_text().strip().encode()
    if found:
        _keys[str(path)] = found
    return found


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev: str, payload: str, secret: bytes | None = None) -> str:
    mac = hmac.new(secret or key(), f"{prev}\n{payload}".encode(), hashlib.sha256)
    return "hmac-sha256:" + mac.hexdigest()


def stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def item_subject(item_id: int) -> str:
    """The chain of a workflow item other than a case (an admission request, a duty round)."""
    return f"item:{int(item_id)}"


def subject_of(case_id: int | None, subject: str | None = None) -> str:
    if subject:
        return subject
    return f"case:{case_id}" if case_id is not None else PLATFORM


def case_values(case: Case) -> dict[str, Any]:
    """The case's replayed columns, as JSON."""
    out = {}
    for column in REPLAYED:
        value = getattr(case, column)
        if isinstance(value, dt.datetime):
            value = stamp(value)
        elif isinstance(value, list | tuple):
            value = list(value)
        out[column] = value
    return out


# -- appending ---------------------------------------------------------------


def append(
    session,
    case_id: int | None,
    action: str,
    actor: str | None,
    at: dt.datetime,
    data: dict[str, Any],
    subject: str | None = None,
) -> AuditEntry:
    """Add one row at the end of its subject's chain, in the caller's
    transaction. `case_id` None and no `subject`: a platform row."""
    subject = subject_of(case_id, subject)
    after = None
    if case_id is not None:
        session.flush()  # the version the step's UPDATE leaves
        case = session.get(Case, case_id)
        if case is not None:
            after = case_values(case)
            # who may see the case follows every step of it
            visibility.refresh(session, case, action)
    postgres = session.bind.dialect.name == "postgresql"
    if postgres:
        seq, n, prev = session.execute(
            text("SELECT seq, n, prev FROM onegrid_audit_next(:subject)"), {"subject": subject}
        ).one()
    else:
        # SQLite: the writer holds the database's write lock since BEGIN IMMEDIATE
        seq = (session.scalar(select(func.max(AuditEntry.seq))) or 0) + 1
        last = session.execute(
            select(AuditEntry.subject_seq, AuditEntry.hash)
            .where(AuditEntry.subject == subject)
            .order_by(AuditEntry.subject_seq.desc())
            .limit(1)
        ).first()
        n, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    body = {
        "seq": seq,
        "subject": subject,
        "n": n,
        "case": case_id,
        "action": action,
        "actor": actor,
        "at": stamp(at),
        "data": data,
    }
    if after is not None:
        body["after"] = after
    payload = canonical(body)
    digest = chain_hash(prev, payload)
    columns = {
        "seq": seq,
        "subject": subject,
        "subject_seq": n,
        "case_id": case_id,
        "action": action,
        "actor": actor,
        "at": at,
        "payload": payload,
        "prev_hash": prev,
        "hash": digest,
    }
    if postgres:
        session.execute(
            text(
                "SELECT onegrid_audit_append(:seq, :subject, :subject_seq, :case_id, :action,"
                " :actor, :at, :payload, :prev_hash, :hash)"
            ),
            columns,
        )
    else:
        session.execute(AuditEntry.__table__.insert().values(**columns))
    if case_id is not None:
        # the first row that names a photo makes the case its owner (store/photos.py)
        photos.claim(session, case_id, photos.names_in(payload), at)
    return AuditEntry(**columns)


# -- sealing -----------------------------------------------------------------


def merkle_root(leaves: list[str]) -> str:
    """The root of a binary Merkle tree over the row hashes (an odd node is
    carried up unchanged); GENESIS for no rows."""
    if not leaves:
        return GENESIS
    level = [hashlib.sha256(b"\x00" + leaf.encode()).digest() for leaf in leaves]
    while len(level) > 1:
        pairs = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            if i + 1 < len(level)
            else level[i]
            for i in range(0, len(level), 2)
        ]
        level = pairs
    return "sha256:" + level[0].hex()


def seal_payload(seal_id: int, first: int, upto: int, rows: int, root: str, at: str) -> str:
    return canonical(
        {"seal": seal_id, "first": first, "upto": upto, "rows": rows, "root": root, "at": at}
    )


def last_seal(session) -> AuditSeal | None:
    return session.scalars(select(AuditSeal).order_by(AuditSeal.id.desc()).limit(1)).first()


def _settled_upto(sessions, wait: float) -> int | None:
    """The highest `seq` below which no row can still appear (PostgreSQL):
    every transaction that drew a number up to it has ended. A writer takes
    its transaction id before it draws a number (onegrid_audit_next), so
    the writers that might still hold one are among those in progress at
    a snapshot taken after reading the sequence."""
    with sessions() as session:
        upto = session.scalar(text("SELECT last_value FROM audit_seq"))
        session.commit()
        snapshot = session.scalar(text("SELECT pg_current_snapshot()::text"))
        session.commit()
        deadline = time.monotonic() + wait
        while True:
            running = session.scalar(
                text(
                    "SELECT count(*) FROM pg_snapshot_xip(CAST(:s AS pg_snapshot)) x "
                    "WHERE pg_xact_status(x) = 'in progress'"
                ),
                {"s": snapshot},
            )
            session.commit()
            if not running:
                return upto
            if time.monotonic() > deadline:
                return None  # a long writer: seal on the next round
            time.sleep(0.05)


def seal(
    sessions, now: dt.datetime | None = None, limit: int = SEAL_ROWS, wait: float = 5.0
) -> list[AuditSeal]:
    """Seal every settled row after the last seal, `limit` rows a seal (on
    PostgreSQL waiting up to `wait` seconds for writers still in progress;
    if they are not done by then, the next round seals their rows)."""
    from onegrid.store.base import utcnow

    made: list[AuditSeal] = []
    with sessions() as probe:
        postgres = probe.bind.dialect.name == "postgresql"
    upto = None  # SQLite: the sealer's write lock means no writer is in progress
    if postgres:
        upto = _settled_upto(sessions, wait)
        if upto is None:
            return made
    while True:
        with sessions() as session:
            before = last_seal(session)
            start = before.upto if before else 0
            query = select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq > start)
            if upto is not None:
                query = query.where(AuditEntry.seq <= upto)
            rows = session.execute(query.order_by(AuditEntry.seq).limit(limit)).all()
            if not rows:
                session.rollback()
                return made
            seal_id = (before.id if before else 0) + 1
            prev = before.hash if before else GENESIS
            at = now or utcnow()
            root = merkle_root([r.hash for r in rows])
            payload = seal_payload(seal_id, start + 1, rows[-1].seq, len(rows), root, stamp(at))
            entry = AuditSeal(
                id=seal_id,
                first=start + 1,
                upto=rows[-1].seq,
                rows=len(rows),
                root=root,
                at=at,
                prev_hash=prev,
                hash=chain_hash(prev, payload),
            )
            if postgres:
                session.execute(
                    text(
                        "SELECT onegrid_audit_seal(:id, :first, :upto, :rows, :root, :at,"
                        " :prev, :hash)"
                    ),
                    {
                        "id": entry.id,
                        "first": entry.first,
                        "upto": entry.upto,
                        "rows": entry.rows,
                        "root": entry.root,
                        "at": entry.at,
                        "prev": entry.prev_hash,
                        "hash": entry.hash,
                    },
                )
            else:
                session.add(entry)
            try:
                session.commit()
            except Exception:
                # another sealer took this interval: it is sealed either way
                session.rollback()
                return made
            made.append(entry)
            if len(rows) < limit:
                return made


# -- verifying ---------------------------------------------------------------


@dataclass
class Verdict:
    rows: int
    problems: list[Problem]
    seals: int = 0
    cases: int = 0
    unsealed: int = 0
    since: int = 0  # the seal verification started after (0: complete)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Limit(Exception):
    pass


def verify(session, limit: int = 100, since: str | None = None) -> Verdict:
    """Check the record. Complete (`since` None): every subject's chain from
    its first row, every seal, and every case against its trail. With
    `since` ("last", a seal number or a date): from that seal on, the rows
    after it (linked to their predecessors) and the cases they touch."""
    secret = key()
    verdict = Verdict(0, [])

    def problem(code: str, args: dict) -> None:
        verdict.problems.append(Problem(code, args))
        if len(verdict.problems) >= limit:
            raise _Limit

    try:
        anchor = _anchor(session, since)
        verdict.since = anchor.upto if anchor else 0
        _verify_seals(session, anchor, secret, verdict, problem)
        touched = _verify_rows(session, verdict.since, secret, verdict, problem)
        _verify_cases(session, None if anchor is None else touched, verdict, problem)
    except _Limit:
        pass
    return verdict


def _anchor(session, since: str | None) -> AuditSeal | None:
    """The seal an incremental verification trusts and starts after."""
    if since is None:
        return None
    if since == "last":
        found = last_seal(session)
        if found is None:
            return None
        return session.get(AuditSeal, found.id - 1) if found.id > 1 else None
    if since.isdigit():
        number = int(since)
        return session.get(AuditSeal, number - 1) if number > 1 else None
    moment = dt.datetime.fromisoformat(since)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return session.scalars(
        select(AuditSeal).where(AuditSeal.at < moment).order_by(AuditSeal.id.desc()).limit(1)
    ).first()


def _verify_seals(session, anchor, secret, verdict, problem) -> None:
    """Each seal's key and chain, and the Merkle root of the rows under it."""
    prev = anchor.hash if anchor else GENESIS
    expected_first = (anchor.upto if anchor else 0) + 1
    expected_id = (anchor.id if anchor else 0) + 1
    query = select(AuditSeal).where(AuditSeal.id >= expected_id).order_by(AuditSeal.id)
    for seal_row in session.scalars(query).all():
        verdict.seals += 1
        payload = seal_payload(
            seal_row.id, seal_row.first, seal_row.upto, seal_row.rows, seal_row.root,
            stamp(seal_row.at),
        )  # fmt: skip
        if (
            seal_row.id != expected_id
            or seal_row.first != expected_first
            or seal_row.prev_hash != prev
            or chain_hash(seal_row.prev_hash, payload, secret) != seal_row.hash
        ):
            problem("audit-seal-hash", {"seal": seal_row.id})
        leaves = session.scalars(
            select(AuditEntry.hash)
            .where(AuditEntry.seq >= seal_row.first, AuditEntry.seq <= seal_row.upto)
            .order_by(AuditEntry.seq)
        ).all()
        if len(leaves) != seal_row.rows or merkle_root(list(leaves)) != seal_row.root:
            problem(
                "audit-seal-rows",
                {"seal": seal_row.id, "first": seal_row.first, "upto": seal_row.upto},
            )
        prev, expected_first, expected_id = seal_row.hash, seal_row.upto + 1, seal_row.id + 1
    sealed_to = expected_first - 1
    verdict.unsealed = session.scalar(select(func.count()).where(AuditEntry.seq > sealed_to)) or 0


def _check_row(entry, prev_hash, expected_n, secret, problem) -> None:
    if entry.subject_seq != expected_n:
        problem("audit-gap", {"subject": entry.subject, "n": entry.subject_seq,
                              "expected": expected_n})  # fmt: skip
    if entry.prev_hash != prev_hash:
        problem("audit-link", {"seq": entry.seq, "subject": entry.subject, "n": entry.subject_seq})
    if chain_hash(entry.prev_hash, entry.payload, secret) != entry.hash:
        problem("audit-hash", {"seq": entry.seq})
        return
    data = json.loads(entry.payload)
    columns = {
        "seq": entry.seq,
        "subject": entry.subject,
        "n": entry.subject_seq,
        "case": entry.case_id,
        "action": entry.action,
        "actor": entry.actor,
        "at": stamp(entry.at),
    }
    for column, value in columns.items():
        if data.get(column) != value:
            problem("audit-column", {"seq": entry.seq, "column": column})


def _verify_rows(session, since_seq: int, secret, verdict, problem) -> dict[int, str]:
    """Every row after `since_seq`, against its key and the row before it
    in its subject. Returns {case id: payload of its newest row}."""
    touched: dict[int, str] = {}
    if since_seq == 0:
        # complete: each subject's chain from its first row, in chain order
        query = (
            select(*AuditEntry.__table__.c)
            .order_by(AuditEntry.subject, AuditEntry.subject_seq)
            .execution_options(yield_per=5000)
        )
        subject, prev, n = None, GENESIS, 1
        for entry in session.execute(query):
            verdict.rows += 1
            if entry.subject != subject:
                subject, prev, n = entry.subject, GENESIS, 1
            _check_row(entry, prev, n, secret, problem)
            prev, n = entry.hash, entry.subject_seq + 1
        return touched
    # incremental: rows in global order, each linked to the one before it
    # (found among the rows already read, else by one lookup per batch)
    last: dict[str, tuple[int, str]] = {}
    query = (
        select(*AuditEntry.__table__.c)
        .where(AuditEntry.seq > since_seq)
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=2000)
    )
    batch: list = []

    def flush() -> None:
        wanted = {
            (e.subject, e.subject_seq - 1)
            for e in batch
            if e.subject_seq > 1 and e.subject not in last
        }
        found: dict[tuple[str, int], str] = {}
        if wanted:
            with session.bind.connect() as conn:
                for i in range(0, len(wanted), 500):
                    chunk = list(wanted)[i : i + 500]
                    for s, n_, h in conn.execute(
                        select(AuditEntry.subject, AuditEntry.subject_seq, AuditEntry.hash).where(
                            tuple_(AuditEntry.subject, AuditEntry.subject_seq).in_(chunk)
                        )
                    ):
                        found[(s, n_)] = h
        for e in batch:
            if e.subject in last:
                n_, prev = last[e.subject]
                expected = n_ + 1
            elif e.subject_seq == 1:
                prev, expected = GENESIS, 1
            else:
                prev = found.get((e.subject, e.subject_seq - 1), "?")
                expected = e.subject_seq
            _check_row(e, prev, expected, secret, problem)
            last[e.subject] = (e.subject_seq, e.hash)
            if e.case_id is not None and e.subject == f"case:{e.case_id}":
                touched[e.case_id] = e.payload
        batch.clear()

    for entry in session.execute(query):
        verdict.rows += 1
        batch.append(entry)
        if len(batch) >= 2000:
            flush()
    flush()
    return touched


# only the columns replayed (with Core: no ORM objects, no facts or submission)
REPLAYED_COLUMNS = [Case.__table__.c.id, *(Case.__table__.c[c] for c in REPLAYED)]


def _differences(case: Case, after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    now = case_values(case)
    return [(c, now[c], after[c]) for c in REPLAYED if c in after and now[c] != after[c]]


def _verify_cases(session, touched: dict[int, str] | None, verdict, problem) -> None:
    """Replay: every case (or those `touched`) against its trail's last step."""

    def compare(case: Case, payload: str | None) -> None:
        verdict.cases += 1
        if payload is None:
            problem("audit-case-unaudited", {"case": case.id})
            return
        after = json.loads(payload).get("after")
        if after is None:
            return  # a row from before the record kept the case's columns
        for column, actual, expected in _differences(case, after):
            problem(
                "audit-case-differs",
                {"case": case.id, "column": column, "actual": actual, "expected": expected},
            )

    if touched is not None:
        ids = sorted(touched)
        for i in range(0, len(ids), 1000):
            chunk = select(*REPLAYED_COLUMNS).where(Case.id.in_(ids[i : i + 1000]))
            for case in session.execute(chunk):
                compare(case, touched[case.id])
        return
    newest = (
        select(AuditEntry.case_id, func.max(AuditEntry.subject_seq).label("n"))
        .where(AuditEntry.case_id.is_not(None), AuditEntry.subject.like("case:%"))
        .group_by(AuditEntry.case_id)
        .subquery()
    )
    query = (
        select(*REPLAYED_COLUMNS, AuditEntry.payload)
        .outerjoin(newest, newest.c.case_id == Case.id)
        .outerjoin(
            AuditEntry,
            (AuditEntry.case_id == Case.id)
            & (AuditEntry.subject_seq == newest.c.n)
            & AuditEntry.subject.like("case:%"),
        )
        .order_by(Case.id)
        .execution_options(yield_per=2000)
    )
    for row in session.execute(query):
        compare(row, row.payload)
