"""`onegrid test --live PACK...`: every policy test replayed through the live doors.

A policy test says what routing decides for a case. Here the same case is
filed the way a user would file it: through the JSON API of a real app on
a real database (a fresh SQLite file, or `--url`), and through Open311
with a client key issued for the same channel, when the case has a place. The live route
(lead, assistants, enterprise, level, limits, supervision, rules, ladder)
must equal the test's expectation; then the sweep runs past each deadline
and the case must climb the ladder as the test says.

A test is written as a submission (matter, place, channel, the form's
answers) or as facts; severity and tags become the answers of the form
fields that declare them (`fact:`). A test whose facts no door can send
(a level reached, an attribute given by hand, a severity no answer means)
is reported as not replayable, with the reason.
"""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onegrid.decide.program import program_for
from onegrid.decide.submission import answer_facts
from onegrid.decide.suite import Diff, tests_of
from onegrid.errors import Loc
from onegrid.policy.located import plain
from onegrid.policy.pack import Policy

# facts a door can send (beyond the form's answers)
SENDABLE = ("matter", "place", "unit", "grid", "channel", "severity", "tags", "submission")
SENDABLE += ("fields", "lat", "long", "address")
SINGLE = (("lead", "unit"), ("enterprise", "enterprise"), ("level", "level"))
SINGLE += (("supervise", "supervised"), ("ladder", "ladder"))


@dataclass
class LiveOutcome:
    id: str
    loc: Loc | None
    doors: list[str] = field(default_factory=list)
    diffs: list[Diff] = field(default_factory=list)
    skipped: str | None = None  # why the test could not be filed live
    rules: list[str] = field(default_factory=list)
    climbed: int = 0  # steps up the ladder checked live

    @property
    def passed(self) -> bool:
        return not self.diffs


@dataclass
class LivePack:
    pack: str
    outcomes: list[LiveOutcome]
    rules: list[str]  # every rule of the pack, TABLE/RULE

    @property
    def replayed(self) -> int:
        return sum(1 for o in self.outcomes if o.doors)

    @property
    def fired(self) -> list[str]:
        seen = {r for o in self.outcomes for r in o.rules}
        return [r for r in self.rules if r in seen]

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)


# -- a test as a door's request -------------------------------------------------


def request_of(policy: Policy, facts: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """(the API body that files this case, None) or (None, why no door can)."""
    extra = sorted(k for k in facts if k not in SENDABLE and k not in policy.ids("level"))
    if extra:
        return None, "not sent by any door: " + ", ".join(extra)
    matter = policy.get("matter", facts.get("matter"))
    if matter is None:
        return None, "unknown matter"
    form = matter.get("form")
    answers: dict[str, Any] = {**(facts.get("fields") or {}), **(facts.get("submission") or {})}
    declared = answer_facts(policy).get(form, ()) if form else ()
    severity = facts.get("severity")
    if severity is not None:
        answer = _answer_for(declared, "severity", severity)
        if answer is None:
            return None, f"no answer of the form means the severity {severity}"
        answers.setdefault(answer[0], answer[1])
    for tag in facts.get("tags") or ():
        answer = _answer_for(declared, "tags", tag)
        if answer is None:
            return None, f"no answer of the form means the tag {tag}"
        chosen = answers.setdefault(answer[0], [])
        if isinstance(chosen, list) and answer[1] not in chosen:
            chosen.append(answer[1])
    body: dict[str, Any] = {"matter": matter["id"]}
    place = facts.get("place") or facts.get("unit") or facts.get("grid")
    for level in policy.ids("level"):
        place = place or facts.get(level)
    if place:
        body["place"] = place
    for key in ("channel", "lat", "long", "address"):
        if facts.get(key) is not None:
            body[key] = facts[key]
    if form:
        body["submission"] = complete(policy, form, answers, declared)
    elif answers:
        return None, "the matter has no form to answer"
    return body, None


def _answer_for(declared, fact: str, value: str) -> tuple[str, str] | None:
    """(field, choice) whose answer means `value` for `fact`."""
    for name, declared_fact, means in declared:
        if declared_fact != fact:
            continue
        for choice, meant in means.items():
            if meant == value:
                return name, choice
    return None


def complete(policy: Policy, form_id: str, answers: dict[str, Any], declared) -> dict[str, Any]:
    """`answers` plus an example value for every other field the form requires
    (none of the fields that set routing facts, unless required)."""
    from onegrid.forms import forms_of
    from onegrid.forms.example import valid_example
    from onegrid.forms.fieldtypes import TYPES

    form = forms_of(policy).form(form_id)
    example = valid_example(form)
    routing = {name for name, _fact, _means in declared}
    out = dict(answers)
    for rule in form.rules:
        if rule.name in out or rule.name not in example:
            continue
        if rule.required and rule.show is None:
            out[rule.name] = example[rule.name]
    _clean, errors = form.validate(out)
    for name in errors:  # required only under a condition the answers met
        spec = form.spec.field(name)
        if name in answers or name in routing or spec is None:
            continue
        value = spec.get("example")
        out[name] = value if value is not None else TYPES[spec.type].example(spec)
    return out


def open311_data(body: dict[str, Any], key: str) -> dict[str, Any]:
    """The same case as an Open311 POST (attributes as `attribute[NAME]`)."""
    data: dict[str, Any] = {"api_key": key, "service_code": body["matter"]}
    if body.get("place"):
        data["address_id"] = body["place"]
    for k, name in (("lat", "lat"), ("long", "long"), ("address", "address_string")):
        if body.get(k) is not None:
            data[name] = str(body[k])
    for name, value in (body.get("submission") or {}).items():
        if isinstance(value, dict):
            for part, v in value.items():
                data[f"attribute[{name}][{part}]"] = str(v)
        elif isinstance(value, list):
            data[f"attribute[{name}][]"] = [str(v) for v in value]
        elif isinstance(value, bool):
            data[f"attribute[{name}]"] = "true" if value else "false"
        else:
            data[f"attribute[{name}]"] = str(value)
    return data


# -- comparing ------------------------------------------------------------------


def compare(expect: dict[str, Any], got: dict[str, Any], door: str) -> list[Diff]:
    """The test's expectation against a live case (`case_json` of the API)."""
    diffs = []
    for key, column in SINGLE:
        if key in expect and expect[key] != got.get(column):
            diffs.append(Diff(f"{door}:{key}", expect[key], got.get(column)))
    if "assist" in expect and sorted(expect["assist"]) != sorted(got.get("assistants") or []):
        diffs.append(Diff(f"{door}:assist", expect["assist"], got.get("assistants")))
    limits = got.get("limits") or {}
    for step, limit in (expect.get("limits") or {}).items():
        if limits.get(step) != limit:
            diffs.append(Diff(f"{door}:limits.{step}", limit, limits.get(step)))
    if "rules" in expect and list(expect["rules"]) != list(got.get("rules") or []):
        diffs.append(Diff(f"{door}:rules", expect["rules"], got.get("rules")))
    return diffs


# -- the live app ---------------------------------------------------------------------


class LiveApp:
    """A real app on a real database serving one pack, with a reporter's key."""

    def __init__(self, pack: Path, folder: Path, url: str | None = None):
        from onegrid.cli.serve import prepare
        from onegrid.store import accounts
        from onegrid.web import create_app, db, policyview

        self.app = create_app(
            {
                "INSTANCE_PATH": str(folder),
                "ONEGRID_CATALOG": str(pack),
                "ONEGRID_DATABASE_URL": url or f"sqlite:///{folder / 'live.sqlite'}",
                "ONEGRID_ENV": "development",
                "SECRET_KEY": secrets.token_hex(16),
            }
        )
        prepare(self.app, seed_demo=False)
        with self.app.app_context():
            session = db.session()
            user = accounts.create_user(
                session, f"live-{secrets.token_hex(4)}", secrets.token_urlsafe(16), name="live"
            )
            self.key = accounts.issue_token(session, user, name="onegrid test --live")
            session.commit()
            self.pack_id = policyview.policy().id
        self.client = self.app.test_client()

    def file_api(self, body: dict[str, Any]) -> tuple[int, dict]:
        r = self.client.post(
            "/api/v1/cases", json=body, headers={"Authorization": f"Bearer {self.key}"}
        )
        return r.status_code, r.get_json(silent=True) or {}

    def open311_key(self, channel: str) -> str:
        """An Open311 client key issued for `channel` (a client enters by its key's)."""
        from onegrid.store import clients
        from onegrid.web import db

        keys = self.__dict__.setdefault("_open311_keys", {})
        if channel not in keys:
            with self.app.app_context():
                session = db.session()
                _client, keys[channel] = clients.create_client(
                    session, f"live {channel}", channel, by="onegrid test --live"
                )
                session.commit()
        return keys[channel]

    def file_open311(self, body: dict[str, Any], channel: str | None = None) -> tuple[int, Any]:
        key = self.open311_key(channel or self.open311_channel())
        r = self.client.post("/open311/v2/requests.json", data=open311_data(body, key))
        return r.status_code, r.get_json(silent=True)

    def open311_channel(self) -> str:
        """The channel the pack marks for the Open311 door."""
        from onegrid.web import db
        from onegrid.workflow import channel_for, newest_version, rulebook

        with self.app.app_context():
            return channel_for(rulebook(newest_version(db.session(), self.pack_id)), "open311")

    def case(self, case_id: int) -> dict[str, Any]:
        from onegrid.store import Case
        from onegrid.web import caseview, db

        with self.app.test_request_context():
            return caseview.case_json(db.session().get(Case, case_id))

    def sweep(self, now: dt.datetime):
        from onegrid.store import sessions
        from onegrid.web import db
        from onegrid.workflow import sweep

        return sweep(sessions(db.engine(self.app)), now)

    def close(self) -> None:
        from onegrid.web import db

        db.engine(self.app).dispose()


def replay(pack: str | Path, url: str | None = None) -> LivePack:
    """Every policy test of the pack, filed live; see the module docs."""
    from onegrid.paths import find_pack
    from onegrid.policy.pack import load_policy

    root = find_pack(str(pack))
    policy = load_policy(root)
    rules = [r.qualified for t in program_for(policy).tables for r in t.rules]
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="onegrid-live-") as folder:
        live = LiveApp(Path(root).resolve(), Path(folder), url)
        try:
            for test in tests_of(policy):
                outcomes.append(replay_one(live, policy, test))
        finally:
            live.close()
    return LivePack(str(pack), outcomes, rules)


def replay_one(live: LiveApp, policy: Policy, test) -> LiveOutcome:
    outcome = LiveOutcome(str(test["id"]), test.loc)
    facts = plain(test.get("facts") or {})
    expect = plain(test.get("expect") or {})
    body, why = request_of(policy, facts)
    if body is None:
        outcome.skipped = why
        return outcome
    status, got = live.file_api(body)
    if status != 201:
        outcome.diffs.append(Diff("api:status", 201, f"{status} {got.get('message', '')}"))
        return outcome
    outcome.doors.append("api")
    outcome.rules = list(got.get("rules") or [])
    outcome.diffs += compare(expect, got, "api")
    if body.get("place") or body.get("lat") is not None:
        # a client key issued for the channel the API case entered by files the same case
        status, answer = live.file_open311(body, got.get("channel"))
        if status != 200 or not isinstance(answer, list):
            outcome.diffs.append(Diff("open311:status", 200, status))
        else:
            outcome.doors.append("open311")
            case = live.case(int(answer[0]["service_request_id"]))
            outcome.diffs += compare(expect, case, "open311")
    if "escalation" in expect and outcome.passed:
        _climb(live, int(got["id"]), expect["escalation"], outcome)
    return outcome


def _climb(live: LiveApp, case_id: int, steps, outcome: LiveOutcome) -> None:
    """Run the sweep past each deadline; the case must climb as the test says."""
    case = live.case(case_id)
    last_final = False
    for i, step in enumerate(steps):
        if step.get("trigger", "overdue") != "overdue":
            return  # taken by staff (beyond_level), not by the clock
        due = case.get("due_at")
        if due is None:
            outcome.diffs.append(Diff(f"sweep[{i}]", plain(step), "no deadline running"))
            return
        live.sweep(dt.datetime.fromisoformat(due) + dt.timedelta(seconds=1))
        case = live.case(case_id)
        shown = {"level": case["level"], "lead": case["unit"], "supervise": case["supervised"]}
        shown["limit"] = (case.get("limits") or {}).get(case.get("step"))
        for k, v in shown.items():
            if k in step and step[k] != v:
                outcome.diffs.append(Diff(f"sweep[{i}].{k}", step[k], v))
        outcome.climbed += 1
        last_final = bool(step.get("final", False))
    if last_final and case.get("due_at"):
        before = (case["level"], case["unit"], case["escalations"])
        live.sweep(dt.datetime.fromisoformat(case["due_at"]) + dt.timedelta(seconds=1))
        case = live.case(case_id)
        after = (case["level"], case["unit"], case["escalations"])
        if after != before:
            outcome.diffs.append(Diff(f"sweep[{len(steps)}]", "stays at the final rung", after))
