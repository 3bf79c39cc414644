"""The loop walked in Debian's chromium on Kunqu and Cuntan, at a phone's
390×844 and a desk's 1366×768 (issue 14, done when): the grid worker finds
the matter by typing in the picker and reports; whoever the engine offers
each next step to takes it on the case page (accept, dispatch, handle, feed
back, evaluate), each demo user in their own browser context; before the
evaluation the page shows the handling result and the feedback; no page
visited is wider than the window."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.store import Case
from onegrid.store.accounts import User
from onegrid.web import casework, db, policyview
from onegrid.workflow import case as wf_case
from onegrid.workflow.rulebook import rulebook
from web import bundled
from web.webapp import PASSWORD

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 768}}
RESULT = "已到现场处置完毕，恢复原状"
FEEDBACK = "已电话告知上报人处置结果"
FITS = "[document.documentElement.scrollWidth, window.innerWidth]"


def serve(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, thread, f"http://127.0.0.1:{httpd.server_port}"


class Walk:
    """One browser context per demo user, each page visited checked for width."""

    def __init__(self, browser, base, viewport):
        self.browser, self.base, self.viewport = browser, base, viewport
        self.pages: dict[str, object] = {}
        self.visited: list[tuple[str, int, int]] = []
        self.errors: list[str] = []

    def as_user(self, username):
        if username not in self.pages:
            context = self.browser.new_context(
                base_url=self.base, locale="zh-CN", viewport=self.viewport
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.on("pageerror", lambda exc: self.errors.append(str(exc)))
            page.goto("/auth/login")
            page.fill("#username", username)
            page.fill("#password", PASSWORD)
            page.click("form.stack button[type=submit]")
            page.wait_for_url(f"{self.base}/")
            self.pages[username] = page
            self.check(page)
        return self.pages[username]

    def check(self, page):
        wide, inner = page.evaluate(FITS)
        self.visited.append((page.url, wide, inner))

    def close(self):
        for page in self.pages.values():
            page.context.close()


def fill(page, scope, prefix: str, form, answers: dict) -> None:
    """Type the answers into a rendered form, as a person would."""
    for f in form.spec.fields:
        if f.name not in answers or f.type == "photo":
            continue
        value = answers[f.name]
        target = f"#{prefix}{f.name}"
        if f.type in ("text", "textarea", "phone", "integer", "number", "date"):
            scope.locator(target).fill(str(value))
        elif f.type == "datetime":
            scope.locator(target).fill(str(value)[:16])
        elif f.type == "address":
            scope.locator(f"{target}-text").fill(str(value.get("text", "")))
        elif f.type == "yesno":
            scope.locator(f"{target} input[value={'yes' if value else 'no'}]").check()
        elif f.type in ("choice", "org_unit"):
            if scope.locator(f"{target} input[type=radio]").count():
                scope.locator(f"{target} input[value='{value}']").check()
            else:
                scope.locator(target).select_option(str(value))
        elif f.type == "multichoice":
            for v in value:
                scope.locator(f"{target} input[value='{v}']").check()


def report(walk, app, policy, matter) -> int:
    """The grid worker types a word of the matter's name into the picker,
    taps the hit, fills the form and reports; the new case's id."""
    with app.app_context():
        users = db.session().scalars(select(User)).all()
        reporter = next(u for u in users if bundled._reports(u, policy)).username
    page = walk.as_user(reporter)
    page.goto("/cases/new")
    walk.check(page)
    name = matter["name"]["zh"]
    page.fill("#matter-search", name[-4:])
    page.locator(f"#matter-hits button[data-matter='{matter['id']}']").click()
    page.wait_for_selector("form.og-form")
    walk.check(page)
    form = forms_of(policy).form(matter["form"])
    answers = valid_example(form)
    answers.pop("on_spot", None)
    fill(page, page, "report-", form, answers)
    page.click("form.og-form button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    walk.check(page)
    assert "已上报：案件 #" in page.inner_text(".flash")
    return int(page.url.rsplit("/", 1)[1])


def next_step(app, policy, case_id):
    """(username, action, form id, closes) of the forward step the engine
    offers next; `closes`: it ends the loop (the evaluation)."""
    with app.test_request_context():
        session = db.session()
        case = wf_case.get_case(session, case_id)
        book = rulebook(case.policy_version)
        for user in session.scalars(select(User).order_by(User.id)):
            for action in wf_case.actions_for(case, casework.actor_of(user)):
                if action.id not in bundled.SIDE_STEPS:
                    closes = bool(book.states.get(action.to, {}).get("final"))
                    return user.username, action.id, action.form, closes
    return None


def walk_the_loop(walk, app, pack):
    policy = policyview.policy(app)
    matter = next(m for m in policy.items("matter") if m.get("form"))
    case_id = report(walk, app, policy, matter)
    taken, judged = [], False
    for _ in range(12):
        step = next_step(app, policy, case_id)
        if step is None:
            break
        username, action, form_id, closes = step
        page = walk.as_user(username)
        page.goto(f"/cases/{case_id}")
        walk.check(page)
        if closes:
            # what the evaluator judges is on the page: the result and the feedback
            story = page.inner_text("main")
            assert RESULT in story and FEEDBACK in story, (pack, action)
            judged = True
        section = page.locator(f"#action-{action}")
        if form_id:
            answers = valid_example(forms_of(policy).form(form_id))
            for f in forms_of(policy).form(form_id).spec.fields:
                if f.type == "textarea" and f.name in ("result",):
                    answers[f.name] = RESULT
                elif f.type == "textarea" and f.name in ("message",):
                    answers[f.name] = FEEDBACK
            fill(page, section, f"{action}-", forms_of(policy).form(form_id), answers)
        section.locator("button[type=submit]").click()
        page.wait_for_url(f"{walk.base}/cases/{case_id}")
        walk.check(page)
        taken.append(action)
    with app.app_context():
        case = db.session().get(Case, case_id)
        assert case.closed_at is not None, (pack, taken, case.state)
    assert judged, (pack, taken)  # the evaluation step was reached and checked
    return taken


# both packs on a phone, where staff work and pages overflow; the desk once
# (each walk is ~10 s of a suite that must stay under 10 minutes)
@pytest.mark.parametrize(
    ("pack", "viewport"), [("kunqu", "phone"), ("cuntan", "phone"), ("kunqu", "desk")]
)
def test_the_loop_in_the_browser(bundled_app, browser, pack, viewport):
    app = bundled_app(pack)
    httpd, thread, base = serve(app)
    walk = Walk(browser, base, VIEWPORTS[viewport])
    try:
        taken = walk_the_loop(walk, app, pack)
    finally:
        walk.close()
        httpd.shutdown()
        thread.join()
        httpd.server_close()
    assert any("handle" in a for a in taken) and any("feed" in a for a in taken), taken
    wide = [v for v in walk.visited if v[1] > v[2]]
    assert not wide, wide
    assert len(walk.visited) >= 8 and not walk.errors, walk.errors
