"""The bundled packs served as `onegrid serve` serves them: each pack published
on a copy of one migrated database, its demo users created (as `demo.plan`
lays them out) and a few cases walked to every state of the loop, so that
every page and action form has something to show.

Also the page reader of the every-page test: visible text (outside code,
scripts and styles), the same-site links, and the checks on them.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from onegrid import forms
from onegrid.forms.example import valid_example
from onegrid.store import accounts
from onegrid.web import casework, create_app, db, demo, policyview
from onegrid.workflow import case as wf_case
from web.webapp import FAST_HASH, PASSWORD, PROJECT, config

PACKS = ("kunqu", "baohe", "cuntan", "luohu", "jinshui")
# transitions a walk forward round the loop does not take
SIDE_STEPS = {
    "reject", "reopen", "escalate", "send_back", "supervise", "handle_on_the_spot",
    "reassign", "ask_extension", "grant_extension", "refuse_extension", "dispatch_changed",
    "waive_part", "merge",
}  # fmt: skip
# how many cases are walked how far: 0 steps (reported) … to the end of the loop
WALKS = (0, 1, 2, 3, 4, 9)


def serve_pack(pack: str, migrated: Path, folder: Path, **extra):
    """An app serving the bundled `pack` on a copy of the `migrated` database."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(migrated, folder / "onegrid.sqlite")
    return create_app(config(PROJECT / "catalogs" / pack, folder, **extra))


def demo_users(app) -> list[tuple[str, str | None, list[str]]]:
    """(username, role, units) of every demo user, the administrator last."""
    with app.app_context():
        return [*demo.plan(policyview.policy(app)), ("admin", None, [])]


def seed(app) -> dict[str, list[int]]:
    """Publish, create the demo users, open and walk the cases; {state: case ids}."""
    with app.app_context():
        policy = policyview.policy(app)
        session = db.session()
        casework.publish(session, policy, by="tests")
        for username, role, units in demo.plan(policy):
            accounts.create_user(
                session,
                username,
                PASSWORD,
                name=demo.display_name(policy, role),
                bindings=[(role, u) for u in units],
                method=FAST_HASH,
            )
        accounts.create_user(
            session,
            "admin",
            PASSWORD,
            name=demo.display_name(policy, None),
            is_admin=True,
            method=FAST_HASH,
        )
        session.commit()
        users = list(session.scalars(accounts.select(accounts.User)))
    states: dict[str, list[int]] = {}
    with app.test_request_context():
        session = db.session()
        reporter = next(u for u in users if _reports(u, policy))
        place = reporter.bindings[0].unit
        matters = [m for m in policy.items("matter") if m.get("form")]
        for n, steps in enumerate(WALKS):
            matter = matters[n % len(matters)]
            body = example(policy, matter["form"])
            case = casework.open_case(session, reporter, matter["id"], place, body)
            for _ in range(steps):
                if not advance(session, policy, case.id, users):
                    break
            case = wf_case.get_case(session, case.id)
            states.setdefault(case.state, []).append(case.id)
            session.commit()
    return states


def _reports(user, policy) -> bool:
    """A user at the lowest level (the grid worker), who files reports."""
    levels = {lv["id"]: lv.get("rank", 0) for lv in policy.items("level")}
    role = policy.get("role", user.bindings[0].role) if user.bindings else None
    lowest = max(levels.values(), default=0)
    return role is not None and levels.get(role.get("level"), -1) == lowest


def example(policy, form_id: str) -> dict:
    return valid_example(forms.forms_of(policy).form(form_id))


def advance(session, policy, case_id: int, users) -> bool:
    """Take one forward step round the loop, as whichever demo user may."""
    for user in users:
        case = wf_case.get_case(session, case_id)
        actor = casework.actor_of(user)
        for action in wf_case.actions_for(case, actor):
            if action.id in SIDE_STEPS:
                continue
            body = example(policy, action.form) if action.form else {}
            wf_case.act(session, case_id, action.id, actor, body, case.version)
            return True
    return False


class Page(HTMLParser):
    """What a person reads on a page, and where its links lead."""

    HIDDEN = frozenset({"code", "script", "style", "kbd", "samp"})

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.forms: list[str] = []
        self._hidden = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN or "data-raw" in attrs:
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "form" and attrs.get("action"):
            self.forms.append(attrs["action"])
        if tag in ("input", "textarea") and attrs.get("placeholder"):
            self.text.append(attrs["placeholder"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.text.append(data.strip())


WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]|[A-Za-z]")


def latin_words(text: str) -> set[str]:
    return set(WORD.findall(text))


def allowed_latin(policy) -> set[str]:
    """Latin words a Chinese page may show: names (of people, of the pack's
    own things when written so in Chinese) and the language switch."""
    words = {"English", "CSV", "Excel", "API", "Open311", "WebP", "JPEG", "PNG", "JPG"}
    words |= {"KB", "MB", "GB"}  # sizes
    for ns in policy.index:
        for item in policy.items(ns):
            words |= latin_words(_zh_texts(item))
    return words


def _zh_texts(value) -> str:
    """Every Chinese text of a policy item (names, labels), joined."""
    if isinstance(value, dict):
        if "zh" in value and isinstance(value["zh"], str):
            return value["zh"]
        return " ".join(_zh_texts(v) for k, v in value.items() if k in TEXT_KEYS or k == "zh")
    if isinstance(value, list):
        return " ".join(_zh_texts(v) for v in value)
    return ""


TEXT_KEYS = {"name", "label", "title", "description", "fields", "choices", "code"}


def labelled_ids(policy) -> set[str]:
    """Ids that have a label people should read instead."""
    ids: set[str] = set()
    for ns in ("unit", "department", "enterprise", "matter", "role", "level"):
        ids |= {item["id"] for item in policy.items(ns) if item.get("name")}
    workflow = policy.section("workflow")
    for part in ("states", "steps", "transitions"):
        ids |= {x["id"] for x in workflow.get(part) or () if x.get("name")}
    ids |= set(policy.ids("channel"))
    return {i for i in ids if re.search(r"[._]", i) or len(i) > 3}
