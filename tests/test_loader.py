"""The hardened YAML loader: values with locations, no YAML 1.1 surprises,
and a clear `PolicyError` for every hostile or broken input."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from onegrid.errors import Loc, PolicyError
from onegrid.policy import loader
from onegrid.policy.loader import Limits, load_bytes, load_file, load_text
from onegrid.policy.located import YList, YMap, locate, plain


def load(text: str, limits: Limits = loader.DEFAULT_LIMITS):
    return load_text(textwrap.dedent(text), "f.yaml", limits)


def problems(text: str, limits: Limits = loader.DEFAULT_LIMITS, data: bytes | None = None):
    with pytest.raises(PolicyError) as caught:
        if data is not None:
            load_bytes(data, "f.yaml", limits)
        else:
            load(text, limits)
    return [(p.code, p.loc.line, p.loc.col) for p in caught.value.problems]


# ---- locations


def test_values_keep_file_line_and_column():
    doc = load(
        """\
        kind: org
        units:
          - id: a
            name: {zh: 甲, en: A}
            tags: [x, y]
        """
    )
    assert isinstance(doc, YMap)
    assert doc.loc == Loc("f.yaml", 1, 1)
    assert doc.key_loc("units") == Loc("f.yaml", 2, 1)
    units = doc["units"]
    assert isinstance(units, YList)
    assert units.loc == Loc("f.yaml", 3, 3)
    assert units.loc_of(0) == Loc("f.yaml", 3, 5)
    unit = units[0]
    assert unit.loc_of("id") == Loc("f.yaml", 3, 9)  # a scalar, via its parent
    assert unit.key_loc("name") == Loc("f.yaml", 4, 5)
    assert unit["name"].loc == Loc("f.yaml", 4, 11)
    assert unit["name"].loc_of("en") == Loc("f.yaml", 4, 23)
    assert unit["tags"].loc_of(1) == Loc("f.yaml", 5, 15)
    assert locate(doc, ["units", 0, "name", "zh"]) == Loc("f.yaml", 4, 16)
    assert locate(doc, ["units", 0, "name"], key=True) == Loc("f.yaml", 4, 5)
    # a path that runs out of located values falls back to the deepest one
    assert locate(doc, ["units", 0, "missing", 3]) == Loc("f.yaml", 3, 5)
    assert plain(doc) == {
        "kind": "org",
        "units": [{"id": "a", "name": {"zh": "甲", "en": "A"}, "tags": ["x", "y"]}],
    }
    assert type(plain(doc)) is dict


def test_columns_count_characters_not_bytes():
    doc = load("名称: 网格\n备注: [甲, 乙]\n")
    assert doc.loc_of("名称") == Loc("f.yaml", 1, 5)
    assert doc["备注"].loc_of(1) == Loc("f.yaml", 2, 9)


def test_a_byte_order_mark_is_accepted():
    assert load_bytes("\ufeffa: 1\n".encode(), "f.yaml") == {"a": 1}


# ---- scalars


@pytest.mark.parametrize(
    "text",
    ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF", "012", "0x1F", "0o17",
     "1_000", "1:20", "2001-12-14", ".inf", "-.inf", ".nan", "=", "<<"],
)  # fmt: skip
def test_yaml_1_1_scalars_stay_text(text):
    assert load(f"v: {text}\n")["v"] == text


@pytest.mark.parametrize(
    "text, value",
    [("12", 12), ("-3", -3), ("0", 0), ("1.5", 1.5), ("1e3", 1000.0), ("-.5", -0.5),
     ("true", True), ("False", False), ("null", None), ("~", None), ("", None),
     ("'012'", "012"), ('"yes"', "yes"), ("'12'", "12")],
)  # fmt: skip
def test_plain_numbers_booleans_and_nulls(text, value):
    got = load(f"v: {text}\n")["v"]
    assert got == value and type(got) is type(value)


def test_keys_stay_text():
    assert load("1: a\nno: b\nnull: c\n") == {"1": "a", "no": "b", "null": "c"}
    # a tag on a key is checked, but the key stays text and is never dropped
    assert load('!!int 1: a\n!!null "": b\n!!bool true: c\n') == {"1": "a", "": "b", "true": "c"}
    assert problems("!!int x: a\n") == [("schema-type", 1, 1)]


@pytest.mark.parametrize(
    "text, value",
    [("!!str 12", "12"), ("!!str yes", "yes"), ("!!int 12", 12), ('!!int "12"', 12),
     ("!!float 1", 1.0), ("!!bool true", True), ("!!null ''", None), ("! 12", "12")],
)  # fmt: skip
def test_standard_tags_work(text, value):
    got = load(f"v: {text}\n")["v"]
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text", ["!!int 012", "!!int 1.5", "!!bool yes", "!!float x"])
def test_a_standard_tag_on_the_wrong_text_is_an_error(text):
    assert problems(f"v: {text}\n") == [("schema-type", 1, 4)]


@pytest.mark.parametrize(
    "text",
    ["!!python/object/apply:os.system ['ls']", "!!python/name:os.system ''",
     "!!binary aGk=", "!!timestamp 2001-12-14", "!!set {a: null}", "!local x",
     "!<tag:yaml.org,2002:python/none> ''", "!!omap [a: 1]"],
)  # fmt: skip
def test_object_building_and_unknown_tags_are_refused(text):
    assert problems(f"v: {text}\n") == [("tag-not-allowed", 1, 4)]


# ---- anchors, aliases, merge keys, duplicates


def test_anchors_and_aliases_within_budget_work():
    doc = load("a: &x {b: 1, c: [1, 2]}\nd: *x\ne: &s text\nf: *s\n")
    assert doc["d"] == {"b": 1, "c": [1, 2]}
    assert doc["f"] == "text"


def test_aliased_keys_stay_text_and_are_never_dropped():
    assert load("a: &x 1\n*x : b\n") == {"a": 1, "1": "b"}
    assert load("a: &x null\n*x : b\n") == {"a": None, "null": "b"}
    assert problems("a: &x [1]\n*x : b\n") == [("complex-key", 2, 1)]


def test_alias_expansion_over_budget_is_refused():
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a]\n"
    assert load(text, Limits(max_alias_nodes=30))["b"][2][8] == 9
    assert problems(text, Limits(max_alias_nodes=29)) == [("too-many-nodes", 2, 13)]


def test_billion_laughs_is_refused_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    start = time.perf_counter()
    assert [c for c, *_ in problems("\n".join(lines) + "\n")] == ["too-many-nodes"]
    assert time.perf_counter() - start < 10  # about 0.01 s; generous for busy machines


def test_aliases_cannot_nest_deeper_than_the_limit():
    assert load("a: &x [[[1]]]\nb: *x\n", Limits(max_depth=4))["b"] == [[[1]]]
    assert problems("a: &x [[[1]]]\nb: [*x]\n", Limits(max_depth=4)) == [("too-deep", 2, 5)]
    # a chain of aliases, each inside 60 brackets, would nest 1,500 deep
    lines = ["a0: &a0 " + "[" * 60 + "x" + "]" * 60]
    lines += [f"a{i}: &a{i} " + "[" * 60 + f"*a{i - 1}" + "]" * 60 for i in range(1, 25)]
    assert problems("\n".join(lines) + "\n") == [("too-deep", 2, 69)]


def test_total_nodes_are_limited():
    assert [c for c, *_ in problems("[1, 2, 3, 4, 5, 6]\n", Limits(max_nodes=5))] == [
        "too-many-nodes"
    ]


def test_merge_keys_are_refused():
    assert problems("base: &b {x: 1}\nitem:\n  <<: *b\n  y: 2\n") == [("merge-key", 3, 3)]


def test_duplicate_keys_name_both_lines():
    with pytest.raises(PolicyError) as caught:
        load("a: 1\nb: 2\na: 3\n")
    (p,) = caught.value.problems
    assert (p.code, p.params, p.loc) == (
        "duplicate-key",
        {"key": "a", "first_line": 1},
        Loc("f.yaml", 3, 1),
    )


def test_complex_keys_are_refused():
    assert problems("? [a, b]\n: 1\n") == [("complex-key", 1, 3)]


# ---- depth, size, encoding, documents


def test_nesting_deeper_than_the_limit_is_refused():
    # the top mapping counts: the 64th bracket is one level too deep
    assert problems("a: " + "[" * 64 + "]" * 64 + "\n") == [("too-deep", 1, 67)]
    assert len(plain(load("a: " + "[" * 63 + "]" * 63 + "\n"))["a"]) == 1
    deep = "".join("  " * i + f"k{i}:\n" for i in range(70)) + "  " * 70 + "x\n"
    assert [c for c, *_ in problems(deep)] == ["too-deep"]


@pytest.mark.parametrize(
    "opener, closer, column", [("[", "]", 65), ("{", "}", 65), ("- ", "", 129)]
)
def test_fifty_thousand_nested_brackets_fail_quickly_without_a_crash(opener, closer, column):
    # in a subprocess: if libyaml's recursion were reached it would segfault.
    # Our limit answers, at the 65th opener, whatever cap libyaml has itself
    # (0.2.6 refuses 1,000 levels in its scanner, before any event)
    script = (
        "import time\n"
        "from onegrid.errors import PolicyError\n"
        "from onegrid.policy.loader import load_text\n"
        f"text = {opener!r} * 50000 + 'x' + {closer!r} * 50000\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    load_text(text, 'f.yaml')\n"
        "except PolicyError as exc:\n"
        "    p = exc.problems[0]\n"
        "    print(p.code, p.loc.line, p.loc.col, round(time.perf_counter() - start, 3))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    code, line, col, seconds = done.stdout.split()
    assert (code, int(line), int(col)) == ("too-deep", 1, column)
    assert float(seconds) < 10  # about 0.05 s; generous for busy machines


def test_size_limit_applies_to_files_and_bytes(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\n")
    assert load_file(path, Limits(max_bytes=5)) == {"a": 1}
    with pytest.raises(PolicyError) as caught:
        load_file(path, Limits(max_bytes=4))
    (p,) = caught.value.problems
    assert (p.code, p.params) == ("file-too-large", {"size": 5, "limit": 4})
    assert problems("", Limits(max_bytes=4), data=b"a: 1\n") == [("file-too-large", 1, 1)]


def test_an_unreadable_file_is_a_policy_error(tmp_path):
    with pytest.raises(PolicyError) as caught:
        load_file(tmp_path / "missing.yaml")
    assert [p.code for p in caught.value.problems] == ["file-unreadable"]


def test_not_utf8_points_at_the_bad_byte():
    data = "a: 1\nb: 网格\xff\n".encode().replace(b"\xc3\xbf", b"\xff")
    assert problems("", data=data) == [("not-utf8", 2, 6)]


def test_lone_surrogates_in_text_are_not_utf8():
    assert problems("a: 1\nb: x\udc80\n") == [("not-utf8", 2, 5)]


def test_control_characters_are_located_after_chinese_text():
    assert problems("a: 网格\nb: 城管\x07局\n") == [("yaml-syntax", 2, 6)]


def test_one_document_only():
    assert load("---\na: 1\n...\n") == {"a": 1}
    assert problems("a: 1\n---\nb: 2\n") == [("multiple-documents", 2, 1)]


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n", "---\n...\n"])
def test_an_empty_file_is_reported(text):
    if text == "---\n...\n":  # an explicit empty document is a null, not nothing
        assert load(text) is None
        return
    assert problems(text) == [("empty-file", 1, 1)]


def test_syntax_errors_are_located_and_say_where_the_bracket_opened():
    with pytest.raises(PolicyError) as caught:
        load("a: [1, 2\nb: 3\n")
    (p,) = caught.value.problems
    assert (p.code, p.loc) == ("yaml-syntax", Loc("f.yaml", 2, 2))
    assert p.hint.code == "hint.yaml-opened-at"
    assert p.hint.params == {"line": 1, "col": 4}


def test_problems_render_in_both_languages():
    from onegrid.messages import format_line

    with pytest.raises(PolicyError) as caught:
        load("a: 1\na: 2\n")
    (p,) = caught.value.problems
    assert (
        format_line(p, "zh") == "f.yaml:2:1: error[duplicate-key]: 重复的键 'a'：第 1 行已经定义过"
    )
    assert format_line(p, "en") == (
        "f.yaml:2:1: error[duplicate-key]: duplicate key 'a': already defined on line 1"
    )


# ---- without libyaml


def outcome(text: str):
    try:
        return plain(load_text(text, "f.yaml"))
    except PolicyError as exc:
        return [(p.code, p.loc.line, p.loc.col) for p in exc.problems]


@pytest.mark.parametrize(
    "text",
    ["a: 1\nb: [x, {c: yes}]\n", "a: 网格\nb: 城管\x07局\n", "a: 1\na: 2\n", "a: [1, 2\nb: 3\n",
     "a: " + "[" * 100, "a: x\udc80\n", "a: &x [1]\nb: *x\n", "a: *y\n", "v: !!python/none ''\n",
     "a: 1\n---\nb: 2\n", "", "k: 012\n", "- a\n- b: c\n  d: e\n", "a: " + "{" * 2000 + "x"],
)  # fmt: skip
def test_the_pure_python_parser_gives_the_same_answers(text, monkeypatch):
    import yaml

    with_libyaml = outcome(text)
    monkeypatch.setattr(loader, "_EventLoader", yaml.SafeLoader)
    assert outcome(text) == with_libyaml


@pytest.mark.parametrize(
    "text, hint",
    [("a: b: c\n", "hint.yaml-colon"), ("a:\n\t- x\n", "hint.yaml-tab"),
     ("b:\n  c: 1\n\td: 2\n", "hint.yaml-tab"), ("a: @x\n", "hint.yaml-quote-start"),
     ('a: "x\\q"\n', "hint.yaml-escape"), ("a:\n  - x\n  y: 1\n", "hint.yaml-indent"),
     ("a: |\n  x\n y: 1\n", "hint.yaml-indent"), ("a: 'x\n", "hint.yaml-opened-at")],
)  # fmt: skip
def test_common_syntax_errors_say_what_to_do(text, hint):
    with pytest.raises(PolicyError) as caught:
        load_text(text, "f.yaml")
    (p,) = caught.value.problems
    assert (p.code, p.hint.code) == ("yaml-syntax", hint)
