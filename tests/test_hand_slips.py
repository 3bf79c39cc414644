"""Hand-editing slips, each in a pack of its own: the first line `onegrid
check` prints is the real cause, at its own FILE:LINE:COL, whatever else it
drags along (issue 18). Stand-alone slips are made in a copy of Kunqu;
adopted ones in a fresh adopter of Luohu, as `onegrid adopt` writes it.

Each slip: (id, pack, file, edit, expected first line after the path).
An edit is (old, new): the first `old` in the file becomes `new`; old None
appends `new`; new bytes writes the file so (an encoding slip)."""

from __future__ import annotations

import shutil

import pytest

from onegrid import paths
from onegrid.cli import cli
from onegrid.cli.boundary import run

KUNQU_UNIT = "  - id: st.linyin\n    name: {zh: 林荫路街道, en: Linyin Road Street}\n"
MATTER = "  - id: m.party.activity\n    code: KQ-DJ-01\n"

STANDALONE = [
    (
        "tab",
        "org.yaml",
        (KUNQU_UNIT, KUNQU_UNIT.replace("    name", "\tname")),
        "org.yaml:21:1: error[yaml-syntax]",
    ),
    ("gbk-org", "org.yaml", (None, "gbk"), "org.yaml:2:3: error[not-utf8]"),
    (
        "duplicate-key",
        "org.yaml",
        (KUNQU_UNIT, KUNQU_UNIT + "    name: 林荫路\n"),
        "org.yaml:22:5: error[duplicate-key]",
    ),
    (
        "wrong-kind",
        "org.yaml",
        ("kind: org\n", "kind: orgs\n"),
        "org.yaml:5:7: error[unknown-kind]",
    ),
    (
        "fullwidth-colon",
        "matters.yaml",
        ("    code: KQ-DJ-01\n", "    code：KQ-DJ-01\n"),
        "matters.yaml:28:9: error[fullwidth-syntax]",
    ),
    (
        "fullwidth-comma",
        "matters.yaml",
        ("{accept: 1d, handle: 10wd, feedback: 1wd}", "{accept: 1d，handle: 10wd, feedback: 1wd}"),
        "matters.yaml:34:24: error[fullwidth-syntax]",
    ),
    (
        "ideographic-space",
        "matters.yaml",
        ("    category: cat.party\n", "\u3000\u3000category: cat.party\n"),
        "matters.yaml:30:1: error[fullwidth-syntax]",
    ),
    (
        "fullwidth-semicolon",
        "matters.yaml",
        ("{accept: 1d, handle: 10wd, feedback: 1wd}", "{accept: 1d； handle: 10wd, feedback: 1wd}"),
        "matters.yaml:34:24: error[fullwidth-syntax]",
    ),
    (
        "unknown-unit",
        "matters.yaml",
        ("    unit: dept.organisation\n", "    unit: dept.organisaton\n"),
        "matters.yaml:32:11: error[unknown-ref]",
    ),
    (
        "unknown-form",
        "matters.yaml",
        ("    form: form.report.general\n", "    form: form.report.genral\n"),
        "matters.yaml:35:11: error[unknown-ref]",
    ),
    (
        "bad-duration",
        "matters.yaml",
        (
            "{accept: 1d, handle: 10wd, feedback: 1wd}",
            "{accept: 1 day, handle: 10wd, feedback: 1wd}",
        ),
        "matters.yaml:34:22: error[schema-pattern]",
    ),
    (
        "unknown-level",
        "matters.yaml",
        (
            MATTER
            + "    name: {zh: 网格党支部组织生活, en: Grid party branch meetings}\n    category: cat.party\n    group: grp.grid.people\n    unit: dept.organisation\n    level: community\n",
            MATTER
            + "    name: {zh: 网格党支部组织生活, en: Grid party branch meetings}\n    category: cat.party\n    group: grp.grid.people\n    unit: dept.organisation\n    level: comunity\n",
        ),
        "matters.yaml:33:12: error[unknown-ref]",
    ),
    (
        "missing-kind",
        "standards.yaml",
        ("kind: standards\n", "# kind: standards\n"),
        "standards.yaml:8:1: error[missing-kind]",
    ),
    (
        "unclosed-bracket",
        "org.yaml",
        (
            "    name: {zh: 林荫路街道, en: Linyin Road Street}\n",
            "    name: {zh: 林荫路街道, en: Linyin Road Street\n",
        ),
        "org.yaml:22:10: error[yaml-syntax]",
    ),
    (
        "standards-per",
        "standards.yaml",
        ("    per: community\n", "    per: comunity\n"),
        "standards.yaml:19:10: error[unknown-ref]",
    ),
    (
        "duty-scope",
        "duties.yaml",
        ("    scope: community\n", "    scope: comunity\n"),
        "duties.yaml:22:12: error[duty-scope]",
    ),
    (
        "registry-count",
        "registry/grids.csv",
        ("和平社区第1网格,430,", "和平社区第1网格,四百三,"),
        "registry/grids.csv:3:4: error[registry-not-a-count]",
    ),
    (
        "registry-community",
        "registry/grids.csv",
        ("comm.heping,g.heping.01", "comm.hepin,g.heping.01"),
        "registry/grids.csv:3:1: error[registry-unknown-community]",
    ),
    (
        "registry-level-column",
        "registry/grids.csv",
        ("community,grid,name", "社区,grid,name"),
        "registry/grids.csv:1:1: error[registry-unknown-column]",
    ),
    (
        "registry-gbk",
        "registry/grids.csv",
        (None, "gbk"),
        "registry/grids.csv:1:1: warning[registry-gb18030]",
    ),
    (
        "registry-fullwidth-comma",
        "registry/grids.csv",
        ("和平社区第1网格,430,", "和平社区第1网格，430,"),
        "registry/grids.csv:3:1: error[registry-row-length]",
    ),
    (
        "unsafe-pattern",
        "forms.yaml",
        ("    max_length: 60\n", "    max_length: 60\n    pattern: '[a-'\n"),
        "forms.yaml:18:14: error[form-unsafe-pattern]",
    ),
    (
        "key-not-for-type",
        "forms.yaml",
        ("    max_length: 60\n", "    max_length: 60\n    minimum: 1\n"),
        "forms.yaml:18:5: error[form-key-not-for-type]",
    ),
]

# the IME's brackets and quotes opening a value that holds `key: `
STANDALONE += [
    ("fullwidth-paren", "matters.yaml",
     ("{accept: 1d, handle: 10wd, feedback: 1wd}", "（accept: 1d, handle: 10wd, feedback: 1wd）"),
     "matters.yaml:34:13: error[fullwidth-syntax]"),
    ("fullwidth-quote", "matters.yaml",
     ("    code: KQ-DJ-01\n", "    code: 「编号: KQ-DJ-01」\n"), "matters.yaml:28:11: error[fullwidth-syntax]"),
]  # fmt: skip

LUOHU_ADOPTED = [
    ("remove-typo", "matters.yaml", (None, "matters:\n  - {id: m.rubish, remove: true}\n"),
     "error[nothing-to-remove]"),
    ("replace-typo", "matters.yaml",
     (None, "matters:\n  - {id: m.rubish, replace: true, name: 垃圾, unit: dept.enforcement, level: grid, form: form.report.general}\n"),
     "error[nothing-to-replace]"),
    ("after-typo", "routing.yaml",
     (None, "tables:\n  - id: dispatch\n    rules:\n      - {id: mine, after: no-such-rule, when: {matter: m.rubbish}, then: {level: community}}\n"),
     "error[unknown-position]"),
    ("adopter-gbk", "org.yaml", (None, "gbk"), "org.yaml:2:3: error[not-utf8]"),
    ("adopter-fullwidth-colon", "matters.yaml", (None, "matters:\n  - id: m.rubbish\n    level：community\n"),
     "error[fullwidth-syntax]"),
    ("adopter-unknown-unit", "matters.yaml", (None, "matters:\n  - {id: m.rubbish, unit: dept.enforcment}\n"),
     "error[unknown-ref]"),
    ("overlay-count", "registry/more.csv", (None, "community,grid,name,households\ncomm.caiwuwei,g.new.01,新网格,四百\n"),
     "registry/more.csv:2:4: error[registry-not-a-count]"),
    ("overlay-levels", "registry/more.csv", (None, "street,community,name,households\nst.x,comm.y,新,400\n"),
     "registry/more.csv:1:1: error[registry-overlay-levels]"),
    ("form-use-remove-typo", "forms.yaml",
     (None, "forms:\n  - id: form.mine\n    use: form.report.general\n    fields:\n      - {name: titel, remove: true}\n"),
     "error[form-use-nothing-to-remove]"),
    ("form-use-unknown", "forms.yaml", (None, "forms:\n  - {id: form.mine, use: form.report.genral}\n"),
     "error[unknown-ref]"),
]  # fmt: skip


def _apply(root, file, edit):
    path = root / file
    old, new = edit
    if new == "gbk":
        text = path.read_text(encoding="utf-8") if path.exists() else "kind: org\n"
        text += "" if file.endswith(".csv") else "# 中文注释\n"
        path.write_bytes(text.encode("gb18030"))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if old is None:
        path.write_text(text + new, encoding="utf-8")
    else:
        assert old in text, f"{file} lacks {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_line(root, capsys) -> tuple[int, str]:
    code = run(cli, ["check", str(root), "--lang", "en"])
    out = capsys.readouterr().out
    first = out.splitlines()[0] if out else ""
    return code, first.removeprefix(str(root) + "/")


@pytest.mark.parametrize(
    ("slip", "file", "edit", "expected"), STANDALONE, ids=[s[0] for s in STANDALONE]
)
def test_a_standalone_slip_is_named_first(slip, file, edit, expected, tmp_path, capsys):
    root = tmp_path / "kunqu"
    shutil.copytree(paths.CATALOGS / "kunqu", root)
    _apply(root, file, edit)
    code, first = _first_line(root, capsys)
    assert first.startswith(expected), first
    assert code == (0 if "warning[" in expected else 1)


@pytest.fixture(scope="module")
def adopter(tmp_path_factory):
    root = tmp_path_factory.mktemp("adopted") / "ours"
    assert run(cli, ["adopt", "luohu", str(root)]) == 0
    return root


@pytest.mark.parametrize(
    ("slip", "file", "edit", "expected"), LUOHU_ADOPTED, ids=[s[0] for s in LUOHU_ADOPTED]
)
def test_an_adopters_slip_is_named_first_in_its_own_file(
    slip, file, edit, expected, adopter, tmp_path, capsys
):
    root = tmp_path / "ours"
    shutil.copytree(adopter, root)
    if file.startswith("registry/"):
        with (root / "pack.yaml").open("a", encoding="utf-8") as f:
            f.write(f"registry_overlay: {file}\n")
    _apply(root, file, edit)
    code, first = _first_line(root, capsys)
    # the adopter's own file, never the base's or a shared pack's
    assert first.startswith(file + ":"), first
    assert expected in first, first
    assert code == 1


def test_the_corpus_is_thirty_slips_or_more():
    assert len(STANDALONE) + len(LUOHU_ADOPTED) >= 30
