"""Hand-editing slips name themselves first (issue 18): full-width
punctuation typed by a Chinese input method where YAML syntax wants ASCII,
GBK files, and a broken file's knock-on errors folded into one line."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import CATALOGS
from onegrid.policy.keyboard import slips

ORG = """\
kind: org
levels:
  - {id: district, name: 区, rank: 1}
units:
  - {id: d, name: 区, level: district}
departments:
  - {id: dept.a, name: 甲, level: district, unit: d}
"""


@pytest.mark.parametrize(
    ("line", "col", "meant"),
    [
        ("  - id： m.a", 7, ":"),  # a key's colon
        ("  - {id: m.a， name: 甲}", 13, ","),  # between flow items
        ("  - {id: m.a, name： 甲}", 19, ":"),  # a key's colon inside a flow mapping
        ("  - {id: m.a, name: 甲, assist: ［dept.a］}", None, None),  # brackets: text inside a flow
        ("\u3000 - {id: m.a, name: 甲}", 1, " "),  # an ideographic space as indentation
        ("  - id:\u3000m.a", 8, " "),  # … right after a key's colon
        ("  - assist： ［dept.a］", 11, ":"),
    ],
)
def test_each_slip_is_the_first_error_at_its_own_place(onegrid, make_pack, line, col, meant):
    root = make_pack({"org.yaml": ORG, "matters.yaml": f"kind: matters\nmatters:\n{line}\n"})
    r = onegrid("check", root)
    assert r.code == 1
    first = r.out.splitlines()[0]
    if meant is None:
        assert "fullwidth-syntax" not in r.out
        return
    assert f"/matters.yaml:3:{col}: error[fullwidth-syntax]" in first
    assert f"半角的 '{meant}'" in first
    en = onegrid("check", root, "--lang", "en").out.splitlines()[0]
    assert f"did you mean '{meant}'?" in en


def test_full_width_text_in_values_is_text(onegrid, make_pack):
    matters = (
        "kind: matters\nmatters:\n"
        "  - id: m.a\n    name: 说明：见附件，第二条（试行）\n    unit: dept.a\n"
        "    description: |\n      Note：a block scalar is text; so is 「this」\n"
        "  - {id: m.b, name: {zh: 你好，世界, en: Hi}, unit: dept.a}  # 注释：也是文字\n"
    )
    root = make_pack({"org.yaml": ORG, "matters.yaml": matters})
    assert slips((root / "matters.yaml").read_text(encoding="utf-8"), "m") == []
    assert "fullwidth-syntax" not in onegrid("check", root).out


def test_no_bundled_file_has_a_slip():
    found = [
        (str(p), s.loc.line)
        for folder in ("catalogs", "rules", "forms")
        for p in (CATALOGS.parent / folder).rglob("*.yaml")
        for s in slips(p.read_text(encoding="utf-8"), str(p))
    ]
    assert found == []


def test_a_broken_org_file_comes_first_and_what_follows_is_folded(onegrid, tmp_path):
    pack = tmp_path / "luohu"
    shutil.copytree(CATALOGS / "luohu", pack)
    org = pack / "org.yaml"
    org.write_bytes(org.read_text(encoding="utf-8").encode("gb18030"))  # saved by Excel
    r = onegrid("check", pack)
    lines = r.out.splitlines()
    assert "luohu/org.yaml:" in lines[0] and "error[not-utf8]" in lines[0]
    assert "GBK/GB18030" in lines[0] and "另存为 UTF-8" in lines[0]
    assert len(lines) == 2 and lines[1].startswith("note[folded]: 另有 ")
    assert "luohu/org.yaml:" in lines[1]
    folded = int(lines[1].split("另有 ")[1].split(" ")[0])
    # the exit code and the JSON output keep every problem
    out = json.loads(onegrid("check", pack, "--format", "json").out)
    problems = out["packs"][0]["problems"]
    assert r.code == 1 and out["errors"] == len(problems) == folded + 1
    assert problems[0]["code"] == "not-utf8"


def test_a_gbk_registry_is_read_and_the_encoding_stated(onegrid, tmp_path):
    pack = tmp_path / "kunqu"
    shutil.copytree(CATALOGS / "kunqu", pack)
    csv = pack / "registry" / "grids.csv"
    csv.write_bytes(csv.read_text(encoding="utf-8").encode("gb18030"))
    r = onegrid("check", pack)
    assert r.code == 0, r.out
    assert "warning[registry-gb18030]" in r.out and "已按此读取" in r.out
    report = onegrid("grids", "report", pack)
    assert report.code == 0 and "791" in report.out
