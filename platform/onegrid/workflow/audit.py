"""The audit chain: one row per step, each hashing the one before.

A row's hash is sha256(previous hash + "\\n" + its canonical JSON payload).
Writers lock the single `audit_head` row, so appends are serialised and
the chain never forks; `verify` walks it from the start.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from onegrid import messages
from onegrid.errors import Problem
from onegrid.store.models import AuditEntry, AuditHead

GENESIS = "sha256:" + "0" * 64

messages.register(
    {
        "audit-gap": {
            "zh": "审计链在第 {seq} 条处断开：应为第 {expected} 条（有记录被删除？）",
            "en": "the audit chain breaks at row {seq}: row {expected} was expected (a row deleted?)",
        },
        "audit-link": {
            "zh": "审计记录第 {seq} 条指向的前一条哈希不符（记录被删除或替换？）",
            "en": "audit row {seq} does not link to the row before it (a row deleted or replaced?)",
        },
        "audit-hash": {
            "zh": "审计记录第 {seq} 条的内容与哈希不符（被篡改？）",
            "en": "the content of audit row {seq} does not match its hash (tampered with?)",
        },
        "audit-column": {
            "zh": "审计记录第 {seq} 条的 {column} 列与已签名的内容不符",
            "en": "column {column} of audit row {seq} differs from its hashed content",
        },
        "audit-head": {
            "zh": "审计链末端应为第 {head} 条，实际为第 {last} 条（末尾记录丢失？）",
            "en": "the audit chain should end at row {head} but ends at row {last} (rows cut off the end?)",
        },
    }
)


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev: str, payload: str) -> str:
    return "sha256:" + hashlib.sha256(f"{prev}\n{payload}".encode()).hexdigest()


def stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def append(
    session,
    case_id: int | None,
    action: str,
    actor: str | None,
    at: dt.datetime,
    data: dict[str, Any],
) -> AuditEntry:
    """Add one row at the end of the chain (in the caller's transaction)."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    seq = head.seq + 1
    payload = canonical(
        {
            "seq": seq,
            "case": case_id,
            "action": action,
            "actor": actor,
            "at": stamp(at),
            "data": data,
        }
    )
    digest = chain_hash(head.hash, payload)
    entry = AuditEntry(
        seq=seq,
        case_id=case_id,
        action=action,
        actor=actor,
        at=at,
        payload=payload,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(entry)
    head.seq, head.hash = seq, digest
    return entry


@dataclass
class Verdict:
    rows: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session, limit: int = 100) -> Verdict:
    """Walk the whole chain; report at most `limit` problems."""
    problems: list[Problem] = []
    prev, expected, rows = GENESIS, 1, 0
    query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000)
    for entry in session.scalars(query):
        rows += 1
        if entry.seq != expected:
            problems.append(Problem("audit-gap", {"seq": entry.seq, "expected": expected}))
        if entry.prev_hash != prev:
            problems.append(Problem("audit-link", {"seq": entry.seq}))
        if chain_hash(entry.prev_hash, entry.payload) != entry.hash:
            problems.append(Problem("audit-hash", {"seq": entry.seq}))
        else:
            data = json.loads(entry.payload)
            columns = {
                "seq": entry.seq,
                "case": entry.case_id,
                "action": entry.action,
                "actor": entry.actor,
                "at": stamp(entry.at),
            }
            for column, value in columns.items():
                if data.get(column) != value:
                    problems.append(Problem("audit-column", {"seq": entry.seq, "column": column}))
        prev, expected = entry.hash, entry.seq + 1
        if len(problems) >= limit:
            return Verdict(rows, problems)
    head = session.get(AuditHead, 1)
    if head is None:
        problems.append(Problem("audit-head", {"head": "?", "last": expected - 1}))
    elif head.seq != expected - 1 or head.hash != prev:
        problems.append(Problem("audit-head", {"head": head.seq, "last": expected - 1}))
    return Verdict(rows, problems)
