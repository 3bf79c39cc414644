"""Report forms on a phone (issue 14 item 4), in Debian's chromium at
390×844, on every bundled pack: the matter and place step and the form of
every matter's distinct report form. Nothing wider than the screen
(`scrollWidth <= innerWidth`), every control a finger can hit (44 px high,
radios and checkboxes through their 44 px row), text inputs at 16 px (no
zoom on focus), and each field's input of its kind (tel, numeric, date,
file of images)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from onegrid.forms import forms_of
from onegrid.store.accounts import User
from onegrid.web import casework, db, policyview
from web import bundled
from web.webapp import PASSWORD

PHONE = {"width": 390, "height": 844}
TARGET = 44  # px: the smallest comfortable touch target
# what each field type must be typed as (a phone then shows the right keyboard)
KINDS = {
    "phone": ("input", "tel"),
    "integer": ("input", "number"),
    "number": ("input", "number"),
    "date": ("input", "date"),
    "datetime": ("input", "datetime-local"),
    "textarea": ("textarea", ""),
    "photo": ("input", "file"),
}

MEASURE = """() => {
  const bad = [];
  const small = el => { const r = el.getBoundingClientRect(); return r.height < TARGET; };
  for (const el of document.querySelectorAll('main input, main select, main textarea, main button')) {
    if (el.type === 'hidden' || el.offsetParent === null) continue;
    const target = (el.type === 'radio' || el.type === 'checkbox') ? el.closest('.og-option') || el : el;
    if (small(target)) bad.push(`${el.id || el.name || el.tagName}: ${Math.round(target.getBoundingClientRect().height)} px high`);
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (el.tagName !== 'BUTTON' && el.type !== 'radio' && el.type !== 'checkbox' && el.type !== 'file' && size < 16)
      bad.push(`${el.id || el.name}: font ${size} px`);
  }
  return {wide: document.documentElement.scrollWidth, inner: window.innerWidth, bad};
}""".replace("TARGET", str(TARGET))


def serve(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, thread, f"http://127.0.0.1:{httpd.server_port}"


def report_forms(app):
    """(matter, form id) of one matter per distinct report form, and the reporter."""
    with app.app_context():
        policy = policyview.policy(app)
        forms = forms_of(policy)
        seen, out = set(), []
        for m in policy.items("matter"):
            if m.get("form") and m["form"] not in seen:
                seen.add(m["form"])
                with app.test_request_context():
                    omitted = casework.report_omits(db.session(), m)  # 已当场处置 where not allowed
                out.append((m["id"], forms.form(m["form"]), omitted))
        users = db.session().scalars(select(User)).all()
        reporter = next(u for u in users if bundled._reports(u, policy))
        return out, reporter.username, reporter.bindings[0].unit


@pytest.mark.parametrize("pack", bundled.PACKS)
def test_report_forms_fit_a_phone(bundled_app, browser, pack):
    app = bundled_app(pack)
    forms, reporter, place = report_forms(app)
    httpd, thread, base = serve(app)
    context = browser.new_context(base_url=base, locale="zh-CN", viewport=PHONE)
    try:
        page = context.new_page()
        page.goto("/auth/login")
        page.fill("#username", reporter)
        page.fill("#password", PASSWORD)
        page.click("form.stack button[type=submit]")
        page.wait_for_url(f"{base}/")
        problems = []
        page.goto("/cases/new")
        seen = page.evaluate(MEASURE)
        if seen["wide"] > seen["inner"] or seen["bad"]:
            problems.append(f"/cases/new: {seen}")
        for matter, form, omitted in forms:
            page.goto(f"/cases/new?matter={matter}&place={place}")
            page.wait_for_selector("form.og-form")
            seen = page.evaluate(MEASURE)
            if seen["wide"] > seen["inner"] or seen["bad"]:
                problems.append(f"{matter}: {seen}")
            for f in form.spec.fields:
                if f.type not in KINDS or f.name in omitted:
                    continue
                tag, kind = KINDS[f.type]
                control = page.locator(f"#report-{f.name}")
                got = control.evaluate("el => [el.tagName.toLowerCase(), el.type || '']")
                if got[0] != tag or (kind and got[1] != kind):
                    problems.append(f"{matter} {f.name} ({f.type}): {got}")
        assert not problems, "\n".join(problems[:30])
        assert forms  # every pack reports through at least one form
    finally:
        context.close()
        httpd.shutdown()
        thread.join()
        httpd.server_close()
