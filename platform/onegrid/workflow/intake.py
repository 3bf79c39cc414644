"""Importing cases from other channels (the 12345 hotline, petitions …).

Each row goes through the same validation, routing and audit as a case
reported on the platform. Columns: `matter`, `place`, `id` (the source's
own ticket number, which makes re-importing the same file harmless),
`fact.<name>` for other routing facts; every other column is a field of
the matter's form. JSON rows may also nest `facts` and `submission`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from onegrid import messages
from onegrid.errors import OnegridError, Problem, UsageError
from onegrid.store.models import Case
from onegrid.workflow.actor import Actor
from onegrid.workflow.case import open_case

messages.register(
    {
        "intake-unreadable": {
            "zh": "无法读取导入文件：{reason}",
            "en": "cannot read the import file: {reason}",
        },
        "intake-format": {
            "zh": "导入文件须为 .csv、.json（对象数组）或 .jsonl",
            "en": "the import file must be .csv, .json (an array of objects) or .jsonl",
        },
        "intake-row": {
            "zh": "第 {row} 行不是对象",
            "en": "row {row} is not an object",
        },
    }
)


@dataclass
class RowError:
    row: int
    problems: list[Problem]


@dataclass
class IntakeReport:
    created: list[int] = field(default_factory=list)
    repeated: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_rows(path: str | Path) -> list[tuple[int, Any]]:
    """(row number as the user counts it, row) for a CSV, JSON or JSON-lines file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(Problem("intake-unreadable", {"reason": str(exc)})) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # exports of older hotline systems are often GBK; GB18030 reads them all
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise UsageError(Problem("intake-unreadable", {"reason": str(exc)})) from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return _csv_rows(text)
        if suffix == ".json":
            data = json.loads(text)
            if not isinstance(data, list):
                raise UsageError(Problem("intake-format"))
            return [(i + 1, row) for i, row in enumerate(data)]
        if suffix == ".jsonl":
            return [(i + 1, json.loads(line)) for i, line in enumerate(text.splitlines()) if line]
    except (json.JSONDecodeError, csv.Error) as exc:
        raise UsageError(Problem("intake-unreadable", {"reason": str(exc)})) from None
    raise UsageError(Problem("intake-format"))


def _csv_rows(text: str) -> list[tuple[int, dict]]:
    """Rows numbered by the line each starts on (a quoted value may span lines)."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    rows, line = [], 2  # the header is line 1
    for row in reader:
        rows.append((line, {k: v for k, v in row.items() if k}))
        line = reader.line_num + 1
    return rows


def split(row: dict[str, Any]) -> tuple[dict, dict, str | None]:
    """A row → (facts, form submission, source ticket id)."""
    facts: dict[str, Any] = {}
    body: dict[str, Any] = {}
    ticket = None
    for key, value in row.items():
        if value == "" or value is None:
            continue
        if key == "facts" and isinstance(value, dict):  # JSON rows may nest them
            facts.update(value)
        elif key == "submission" and isinstance(value, dict):
            body.update(value)
        elif key in ("matter", "place"):
            facts[key] = value
        elif key == "id":
            ticket = str(value)
        elif key.startswith("fact."):
            facts[key[5:]] = value
        else:
            body[key] = value
    return facts, body, ticket


def import_rows(
    sessions,
    version,
    rows: list[tuple[int, Any]],
    channel: str,
    actor: Actor,
    progress: Callable[[int], None] | None = None,
) -> IntakeReport:
    """Open one case per row; a bad row is reported, never stops the rest."""
    report = IntakeReport()
    for number, row in _each(rows, progress):
        if not isinstance(row, dict):
            report.errors.append(RowError(number, [Problem("intake-row", {"row": number})]))
            continue
        facts, body, ticket = split(row)
        key = f"{channel}:{ticket}" if ticket else None
        with sessions() as session:
            try:
                before = _known(session, key)
                case = open_case(session, version, facts, body, actor, channel, key, door="import")
            except OnegridError as exc:
                report.errors.append(RowError(number, exc.problems))
                continue
            (report.repeated if before else report.created).append(case.id)
    return report


def _known(session, key: str | None) -> bool:
    if key is None:
        return False
    found = session.scalars(select(Case.id).where(Case.idempotency_key == key)).first()
    session.rollback()
    return found is not None


def _each(rows, progress) -> Iterator[tuple[int, Any]]:
    for number, row in rows:
        yield number, row
        if progress is not None:
            progress(1)
