"""HTML: administrator text and submitted values come out inert, labels are
tied to inputs, errors are described, no inline script handlers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from onegrid.forms import render_form, render_page

EVIL = "<script>alert(1)</script>"
EVIL_ATTR = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"

EVIL_FIELDS = f"""\
- name: title
  type: text
  label: {{zh: "{EVIL}", en: "{EVIL}"}}
  help: '{EVIL_ATTR}'
  placeholder: "{JS_URL}"
  required: true
- name: kind
  type: choice
  label: '{EVIL_ATTR}'
  choices:
    - {{value: a, label: "{EVIL}"}}
    - {{value: b, label: "{JS_URL}"}}
- name: many
  type: multichoice
  label: 多选
  choices: [{{value: a, label: '{EVIL_ATTR}'}}, {{value: b, label: B}}]
- name: more
  type: choice
  label: 长列表
  choices: [{{value: a, label: "{EVIL}"}}, {{value: b, label: b}}, {{value: c, label: c}}, {{value: d, label: d}}, {{value: e, label: e}}, {{value: f, label: f}}]
- {{name: ok, type: yesno, label: 是否}}
- {{name: detail, type: textarea, label: 详情, show_when: {{field: kind, equals: a}}}}
- {{name: where, type: address, label: 地点}}
- {{name: grid, type: org_unit, label: 网格, levels: [grid]}}
- {{name: pics, type: photo, label: 照片}}
- {{name: n, type: integer, label: 数, minimum: 1, maximum: 9}}
- {{name: day, type: date, label: 日期}}
- {{name: at, type: datetime, label: 时间}}
- {{name: tel, type: phone, label: 电话}}
"""

SUBMITTED = {
    "title": EVIL,
    "kind": EVIL_ATTR,
    "detail": f"</textarea>{EVIL}",
    "where": {"text": EVIL_ATTR, "lat": JS_URL},
    "tel": JS_URL,
    "n": EVIL_ATTR,
    "pics": [EVIL_ATTR],
}

ERRORS = {"title": [EVIL], "where": ["地址无效"]}


class Page(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts += 1

    def ids(self) -> set[str]:
        return {a["id"] for _t, a in self.tags if a.get("id")}


@pytest.fixture
def evil(one_form):
    policy, _form = one_form(EVIL_FIELDS)
    return policy


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markup_and_javascript_urls_come_out_inert(evil, lang):
    html = str(render_form(evil, "f", SUBMITTED, ERRORS, lang, csrf=("csrf_token", EVIL_ATTR)))
    page = Page(html)
    assert page.scripts == 0
    assert "<script>alert" not in html and "<img" not in html and "<svg" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action", "formaction"):
                assert not (value or "").strip().lower().startswith("javascript:"), (tag, name)
    assert {t for t, _a in page.tags} <= {
        "form", "input", "div", "ul", "li", "a", "p", "label", "fieldset", "legend",
        "span", "select", "option", "textarea", "button",
    }  # fmt: skip


def test_every_attribute_is_quoted(evil):
    html = str(render_page(evil, "f", values=SUBMITTED, errors=ERRORS))
    boolean = {"required", "checked", "selected", "multiple", "hidden", "disabled"}
    for tag in re.findall(r"<([a-z]+\b[^<>]*)>", html):
        rest = re.sub(r'\s[a-z\-]+="[^"]*"', "", " " + tag.split(None, 1)[1] if " " in tag else "")
        assert set(rest.split()) <= boolean, tag


def test_labels_are_tied_to_inputs_and_errors_described(evil):
    html = str(render_form(evil, "f", SUBMITTED, ERRORS, "zh"))
    page = Page(html)
    ids = page.ids()
    labelled = {a["for"] for t, a in page.tags if t == "label"}
    assert labelled <= ids
    for tag, attrs in page.tags:
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            assert attrs.get("id") in labelled, (tag, attrs)
        for ref in (attrs.get("aria-describedby") or "").split():
            assert ref in ids
    title = next(a for t, a in page.tags if a.get("id") == "f-title")
    assert title.get("aria-invalid") == "true"
    assert "f-title-error" in title["aria-describedby"]
    assert "f-title-help" in title["aria-describedby"]
    assert 'id="f-title-error">&lt;script&gt;' in html
    assert "请修改以下 2 处后再提交" in html


def test_the_fragment_carries_the_apps_csrf_field_and_action(evil):
    html = str(
        render_form(evil, "f", lang="en", action="/cases/new?x=1&y=2", csrf=("csrf_token", "tok"))
    )
    assert html.startswith("<form ")
    assert '<input type="hidden" name="csrf_token" value="tok">' in html
    assert 'action="/cases/new?x=1&amp;y=2"' in html
    assert ">Submit</button>" in html


def test_values_are_shown_back(one_form):
    policy, _form = one_form(
        "- {name: tags, type: multichoice, label: 标签, choices: [{value: a, label: A}, {value: b, label: B}]}\n"
        "- {name: ok, type: yesno, label: 是否}\n"
        "- {name: at, type: datetime, label: 时间}\n"
        "- {name: where, type: address, label: 地点}\n"
    )
    values = {
        "tags": ["b"],
        "ok": False,
        "at": "2026-05-01T08:30:00+08:00",
        "where": {"text": "x", "lat": 40.5, "lng": 109.1},
    }
    html = str(render_form(policy, "f", values))
    assert 'value="b" checked' in html and 'value="a" checked' not in html
    assert 'value="no" checked' in html
    assert 'value="2026-05-01T08:30"' in html
    assert 'value="40.5"' in html


def test_conditions_work_without_javascript_and_with_a_strict_csp(evil):
    page = render_page(evil, "f", "en", nonce="abc123")
    assert (
        'data-show-when="{&#34;field&#34;: &#34;kind&#34;, &#34;equals&#34;: &#34;a&#34;}"' in page
    )
    assert "only when “" in page  # the note a reader without JavaScript sees
    assert '<script nonce="abc123">' in page
    assert not any(name.startswith("on") for _t, attrs in Page(page).tags for name in attrs)
    assert 'name="viewport"' in page and '<html lang="en">' in page


def test_a_long_list_of_units_is_grouped_by_the_unit_above(make_pack):
    from onegrid.policy.pack import load_policy

    grids = "".join(
        f"  - {{id: g{i}, name: 网格{i}, level: grid, parent: {'c1' if i < 7 else 'c2'}}}\n"
        for i in range(14)
    )
    root = make_pack(
        {
            "org.yaml": "kind: org\nlevels:\n  - {id: street, name: 街道, rank: 1}\n  - {id: community, name: 社区, rank: 2}\n"
            "  - {id: grid, name: 网格, rank: 3}\nunits:\n  - {id: s, name: 街道, level: street}\n"
            "  - {id: c1, name: '<b>一社区</b>', level: community, parent: s}\n  - {id: c2, name: 二社区, level: community, parent: s}\n"
            + grids,
            "forms.yaml": "kind: forms\nforms:\n  - id: f\n    name: F\n    fields:\n"
            "      - {name: grid, type: org_unit, label: 网格, levels: [grid]}\n",
        }
    )
    html = str(render_form(load_policy(root), "f", {"grid": "g8"}))
    assert html.count("<optgroup") == 2
    assert '<optgroup label="&lt;b&gt;一社区&lt;/b&gt;">' in html
    assert '<option value="g8" selected>网格8</option>' in html
