"""Fixtures for the forms stage: small real packs with one form each."""

from __future__ import annotations

import textwrap

import pytest

from onegrid.forms import forms_of
from onegrid.policy.pack import load_policy

ORG = """\
kind: org
levels:
  - {id: district, name: 区, rank: 1}
  - {id: community, name: 社区, rank: 2}
  - {id: grid, name: 网格, rank: 3}
units:
  - {id: d, name: 区, level: district}
  - {id: c1, name: {zh: 一社区, en: Community 1}, level: community, parent: d}
  - {id: c2, name: 二社区, level: community, parent: d}
  - {id: g1, name: 一网格, level: grid, parent: c1}
  - {id: g2, name: 二网格, level: grid, parent: c2}
"""

FIELDS = """\
kind: forms
forms:
  - id: f
    name: {zh: 字段, en: Fields}
    fields:
      - {name: t_req, type: text, label: 必填文字, required: true}
      - {name: t_len, type: text, label: 长度, min_length: 3, max_length: 5}
      - name: t_pat
        type: text
        label: 编号
        pattern: "[A-Z]{2}[0-9]{4}"
        pattern_doc: {zh: 两个大写字母加四位数字, en: two capitals and four digits}
        example: AB1234
      - {name: t_bare, type: text, label: 无说明, pattern: "[a-z]+"}
      - {name: long, type: textarea, label: 长文字, max_length: 10}
      - {name: int, type: integer, label: 整数, minimum: 1, maximum: 10}
      - {name: num, type: number, label: 数字, minimum: 0, maximum: 99.5}
      - {name: day, type: date, label: 日期}
      - {name: at, type: datetime, label: 时间}
      - name: one
        type: choice
        label: 单选
        choices: [{value: a, label: 甲}, {value: b, label: 乙}]
      - name: many
        type: multichoice
        label: 多选
        min_items: 2
        max_items: 2
        choices: [{value: a, label: 甲}, {value: b, label: 乙}, {value: c, label: 丙}]
      - {name: yn, type: yesno, label: 是否}
      - {name: tel, type: phone, label: 电话}
      - {name: mobile, type: phone, label: 手机, phone: [mobile]}
      - {name: landline, type: phone, label: 座机, phone: [landline]}
      - name: addr
        type: address
        label: 地址
        max_length: 30
        bounds: {lat: [40, 41], lng: [109, 110]}
      - {name: addr_req, type: address, label: 带坐标地址, coordinates: required}
      - {name: addr_none, type: address, label: 无坐标地址, coordinates: none}
      - {name: grid, type: org_unit, label: 网格, levels: [grid], within: c1}
      - {name: pics, type: photo, label: 照片, max_items: 2, max_size: 1MB}
"""


def forms_yaml(fields: str, library: str = "") -> str:
    """A forms file with one form `f` whose fields are `fields` (YAML list items)."""
    out = "kind: forms\n"
    if library:
        out += "fields:\n" + textwrap.indent(textwrap.dedent(library), "  ")
    out += "forms:\n  - id: f\n    name: {zh: 测试表单, en: Test form}\n    fields:\n"
    return out + textwrap.indent(textwrap.dedent(fields), "      ")


@pytest.fixture
def form_pack(make_pack):
    """Write a pack with an org and one form `f`; return its root."""

    def make(fields: str, library: str = "", name: str = "p"):
        return make_pack({"org.yaml": ORG, "forms.yaml": forms_yaml(fields, library)}, name=name)

    return make


@pytest.fixture
def one_form(form_pack):
    """The compiled form `f` of a fresh pack (and its policy)."""

    def make(fields: str, library: str = ""):
        policy = load_policy(form_pack(fields, library))
        return policy, forms_of(policy).form("f")

    return make


@pytest.fixture(scope="module")
def fields_form(tmp_path_factory):
    """Form `f` with a field for every type and constraint (FIELDS)."""
    root = tmp_path_factory.mktemp("fields")
    (root / "pack.yaml").write_text("kind: pack\nid: fields\nname: fields\n", encoding="utf-8")
    (root / "org.yaml").write_text(ORG, encoding="utf-8")
    (root / "forms.yaml").write_text(FIELDS, encoding="utf-8")
    return forms_of(load_policy(root)).form("f")
