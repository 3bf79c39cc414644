"""The live-conditions script in headless Chromium, under a strict CSP."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from onegrid.forms import render_page

CHROMIUM = Path("/usr/bin/chromium")
NONCE = "b2ZmbGluZQ"
CSP = (
    f"default-src 'none'; script-src 'nonce-{NONCE}'; style-src 'nonce-{NONCE}'; form-action 'self'"
)

FIELDS = """\
- {name: on_spot, type: yesno, label: 当场处置}
- {name: result, type: textarea, label: 处置情况, show_when: {field: on_spot, equals: true}, required: true}
- {name: tags, type: multichoice, label: 标签, choices: [{value: x, label: X}, {value: y, label: Y}]}
- {name: about_x, type: text, label: 关于 X, show_when: {field: tags, in: [x]}}
- {name: other, type: text, label: 其他, require_when: {field: tags, filled: false}}
"""


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: .ci/run installs chromium")
        pytest.skip("no /usr/bin/chromium here (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        yield browser
        browser.close()


def test_conditions_show_and_hide_fields_under_a_strict_csp(chromium, one_form):
    policy, _form = one_form(FIELDS)
    html = render_page(policy, "f", "zh", nonce=NONCE)
    page = chromium.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.route(
        "http://forms.test/",
        lambda route: route.fulfill(
            status=200,
            body=html,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP},
        ),
    )
    page.goto("http://forms.test/")
    result = page.locator("#f-result-field")
    about = page.locator("#f-about_x-field")
    assert result.is_hidden() and about.is_hidden()
    assert page.locator("#f-result").is_disabled()  # a hidden field is not sent
    assert page.locator("#f-other").evaluate("e => e.required")  # no tags yet
    page.check("#f-on_spot-1")  # 是
    assert result.is_visible() and page.locator("#f-result").is_enabled()
    assert page.locator("#f-result").evaluate("e => e.required")
    page.check("#f-on_spot-2")  # 否
    assert result.is_hidden()
    page.check("#f-tags-1")
    assert about.is_visible()
    assert not page.locator("#f-other").evaluate("e => e.required")
    page.uncheck("#f-tags-1")
    assert about.is_hidden()
    page.close()
    assert problems == []
